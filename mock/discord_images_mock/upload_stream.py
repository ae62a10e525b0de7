"""`POST /api/upload` bodies, read once: every `files[]` part is written straight into the files
folder (under a temporary name) while its MD5 is computed, so a 1 GB upload never sits in
memory and is never copied.

Connexion's own multipart validator keeps the whole body in memory to replay it to the
handler; `UploadBodyValidator` takes its place for `multipart/form-data` (through
`validator_map`), stages the files, and hands the handler the staged list in the request
scope instead of the body.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import anyio
from connexion.validators import AbstractRequestBodyValidator
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import MutableHeaders
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope

from discord_images_mock.errors import (
    BlockedExtension,
    FieldTooLong,
    FileTooLarge,
    NoFiles,
    TooManyParts,
    UnexpectedField,
    UploadStalled,
)
from discord_images_mock.formats import BLOCKED_EXTENSIONS, extension
from discord_images_mock.storage import StagedFile, Store

FILE_FIELD = "files[]"
STAGED_SCOPE_KEY = "discord_images.staged"
MAX_PARTS = 1000
# A client that stops sending its body this long is dropped, and its partial files removed.
RECEIVE_TIMEOUT = 30.0
MAX_PART_HEADER_BYTES = 16 * 1024
# Text fields are read and dropped; multer's default limit for one is 1 MB.
MAX_FIELD_BYTES = 1024 * 1024


@dataclass
class _Part:
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    header_bytes: int = 0
    staged: StagedFile | None = None
    file: BinaryIO | None = None
    md5: Any = None
    field_bytes: int = 0


class UploadReader:
    """Parses one multipart body into staged files; on any failure removes what it wrote."""

    def __init__(self, store: Store, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.staged: list[StagedFile] = []
        self.parts = 0
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""

    async def read(self, receive: Receive, content_type: str) -> list[StagedFile]:
        mime, options = parse_options_header(content_type)
        if mime != b"multipart/form-data":
            # The real server only looks for files in multipart bodies.
            raise NoFiles()
        boundary = options.get(b"boundary")
        if not boundary:
            raise MultiPartException("missing boundary")
        try:
            parser = MultipartParser(boundary, self._callbacks())
        except ValueError as exc:
            # e.g. a boundary over python-multipart's 256-byte limit: the client's error.
            raise MultiPartException(str(exc)) from exc
        try:
            more = True
            while more:
                with anyio.fail_after(RECEIVE_TIMEOUT):
                    message: Message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect()
                chunk = message.get("body", b"")
                if chunk:
                    parser.write(chunk)
                more = message.get("more_body", False)
            parser.finalize()
            if self._part.file is not None:
                raise MultiPartException("the body ended inside a part")
        except TimeoutError as exc:
            self.discard()
            raise UploadStalled() from exc
        except BaseException as exc:
            self.discard()
            if isinstance(exc, ValueError) and not isinstance(exc, MultiPartException):
                raise MultiPartException(str(exc) or "invalid multipart data") from exc
            raise
        if not self.staged:
            raise NoFiles()
        return self.staged

    def discard(self) -> None:
        if self._part.file is not None:
            self._part.file.close()
            self._part.file = None
        for staged in self.staged:
            staged.path.unlink(missing_ok=True)

    def _callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._on_part_begin,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
        }

    def _on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise TooManyParts()
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]
        self._count_header(end - start)

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        self._count_header(end - start)

    def _count_header(self, length: int) -> None:
        self._part.header_bytes += length
        if self._part.header_bytes > MAX_PART_HEADER_BYTES:
            raise MultiPartException("part headers too large")

    def _on_header_end(self) -> None:
        self._part.headers.append((self._header_name.lower(), self._header_value))
        self._header_name = b""
        self._header_value = b""

    def _on_headers_finished(self) -> None:
        disposition = dict(self._part.headers).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        raw_filename = options.get(b"filename")
        if not raw_filename:
            # Like multer: a part without a file name (or with an empty one) is not a file.
            return
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name != FILE_FIELD:
            raise UnexpectedField()
        ext = extension(raw_filename.decode("utf-8", "replace"))
        if ext.lower() in BLOCKED_EXTENSIONS:
            raise BlockedExtension(ext.lower())
        staged = StagedFile(path=self.store.staging_path(), extension=ext)
        self.staged.append(staged)
        self._part.staged = staged
        self._part.file = staged.path.open("xb")
        self._part.md5 = hashlib.md5()

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.file is None:
            part.field_bytes += end - start
            if part.field_bytes > MAX_FIELD_BYTES:
                raise FieldTooLong()
            return
        assert part.staged is not None
        part.staged.size += end - start
        if part.staged.size > self.max_bytes:
            raise FileTooLarge()
        chunk = data[start:end]
        part.md5.update(chunk)
        part.file.write(chunk)

    def _on_part_end(self) -> None:
        part = self._part
        if part.file is not None:
            assert part.staged is not None
            part.file.close()
            part.file = None
            part.staged.md5 = part.md5.hexdigest()


class UploadBodyValidator(AbstractRequestBodyValidator):
    """The `multipart/form-data` body validator: validates by staging (see the module doc)."""

    store: Store
    max_bytes: int

    @classmethod
    def bound(cls, store: Store, max_bytes: int) -> type[UploadBodyValidator]:
        return type(cls.__name__, (cls,), {"store": store, "max_bytes": max_bytes})

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        headers = MutableHeaders(scope=scope)
        reader = UploadReader(self.store, self.max_bytes)
        if headers.get("content-length") == "0":
            raise NoFiles()
        staged = await reader.read(receive, headers.get("content-type", ""))

        # The handler gets the staged files, and an empty body where the multipart one was.
        new_scope = dict(scope)
        new_scope["headers"] = copy.copy(scope["headers"])
        new_headers = MutableHeaders(scope=new_scope)
        new_headers["content-type"] = "application/octet-stream"
        new_headers["content-length"] = "0"
        new_scope[STAGED_SCOPE_KEY] = staged
        sent_empty_body = False

        async def receive_rest() -> Message:
            nonlocal sent_empty_body
            if not sent_empty_body:
                sent_empty_body = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return await receive()

        return receive_rest, new_scope
