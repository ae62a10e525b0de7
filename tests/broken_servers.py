"""Deliberately broken variants of the mock server, to prove the contract suite bites.

`python -m tests.broken_servers --port P --data-dir D [--token T]` serves, under
`http://127.0.0.1:P/<variant>/`, the real mock app (`create_app`) behind an ASGI middleware
that breaks exactly one rule of the contract; the mock's own code is untouched: each break is
made on the wire. Deployments behind a path prefix are what operators with a reverse proxy
have, so the suite meets that too.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from discord_images_mock.app import create_app
from discord_images_mock.settings import REFERENCE_TOKEN, Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Json = Any


@dataclass
class Exchange:
    """One request as the middleware sees it; a variant may change any part."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytes = b""

    def json(self) -> Json:
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def set_json(self, payload: Json) -> None:
        self.response_body = json.dumps(payload).encode()


class Variant:
    """Override `request` (before the app; return True to answer without it) or `response`."""

    def request(self, exchange: Exchange) -> bool:
        return False

    def response(self, exchange: Exchange) -> None:
        return None


def is_list(exchange: Exchange) -> bool:
    return (
        exchange.method == "GET" and re.fullmatch(r"/api/uploads(/\d+)?", exchange.path) is not None
    )


def is_upload(exchange: Exchange) -> bool:
    return exchange.method == "POST" and exchange.path == "/api/upload"


def listed(exchange: Exchange) -> list[dict[str, Any]]:
    payload = exchange.json()
    if is_list(exchange) and isinstance(payload, dict) and isinstance(payload.get("files"), list):
        return payload["files"]
    return []


class AuthIgnored(Variant):
    """Any token, or none, is taken as the reference account's."""

    def request(self, exchange: Exchange) -> bool:
        if exchange.headers.get("token") not in (REFERENCE_TOKEN, SECOND_TOKEN[0]):
            exchange.headers["token"] = REFERENCE_TOKEN
        return False


class IsolationBroken(Variant):
    """Every account's list shows the reference account's files."""

    def request(self, exchange: Exchange) -> bool:
        if is_list(exchange) and "token" in exchange.headers:
            exchange.headers["token"] = REFERENCE_TOKEN
        return False


class FieldMistyped(Variant):
    """`timestamp` in the list is a string."""

    def response(self, exchange: Exchange) -> None:
        files = listed(exchange)
        for entry in files:
            entry["timestamp"] = str(entry["timestamp"])
        if files:
            exchange.set_json({"success": True, "files": files})


class BytesAltered(Variant):
    """Files are served with their last byte changed."""

    def response(self, exchange: Exchange) -> None:
        if exchange.method == "GET" and not exchange.path.startswith(("/api/", "/thumbs/")):
            if exchange.status == 200 and exchange.response_body:
                body = bytearray(exchange.response_body)
                body[-1] ^= 0xFF
                exchange.response_body = bytes(body)


class NewFileMissing(Variant):
    """The newest upload is left out of the list."""

    def response(self, exchange: Exchange) -> None:
        files = listed(exchange)
        if files and exchange.path in ("/api/uploads", "/api/uploads/0"):
            exchange.set_json({"success": True, "files": files[1:]})


class DuplicatesStoredTwice(Variant):
    """Content uploaded before is made unique, so the server stores it again."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def request(self, exchange: Exchange) -> bool:
        match = re.search(r"boundary=([^;]+)", exchange.headers.get("content-type", ""))
        if not is_upload(exchange) or match is None:
            return False
        delimiter = b"--" + match.group(1).strip('"').encode()
        parts = exchange.body.split(delimiter)
        for index, part in enumerate(parts):
            head, separator, content = part.partition(b"\r\n\r\n")
            if not separator or not content.endswith(b"\r\n"):
                continue
            digest = hashlib.md5(content).hexdigest()
            if digest in self.seen:
                parts[index] = head + separator + content[:-2] + uuid.uuid4().bytes + b"\r\n"
            self.seen.add(digest)
        exchange.body = delimiter.join(parts)
        return False


class DeleteNotDeleting(Variant):
    """Delete answers success and keeps the file."""

    def request(self, exchange: Exchange) -> bool:
        if exchange.method == "POST" and exchange.path == "/api/upload/delete":
            exchange.status = 200
            exchange.response_headers = [(b"content-type", b"application/json")]
            exchange.set_json({"success": True, "failed": []})
            return True
        return False


class BlockedAccepted(Variant):
    """Blocked extensions get a harmless suffix, so they are stored."""

    def request(self, exchange: Exchange) -> bool:
        if is_upload(exchange):
            exchange.body = re.sub(
                rb'filename="([^"]*\.(exe|sh|bat|jar|ps1|cmd|com|msi|scr|nt|exec|psm1|bash|bsh'
                rb'|csh|bash_profile|bashrc|profile))"',
                rb'filename="\1_"',
                exchange.body,
                flags=re.IGNORECASE,
            )
        return False


class FilesReordered(Variant):
    """Several files in one upload come back in reverse order."""

    def response(self, exchange: Exchange) -> None:
        payload = exchange.json()
        if is_upload(exchange) and isinstance(payload, dict) and len(payload.get("files", [])) > 1:
            payload["files"].reverse()
            exchange.set_json(payload)


class DateWrong(Variant):
    """`date` is seven minutes off `timestamp`."""

    def response(self, exchange: Exchange) -> None:
        files = listed(exchange)
        for entry in files:
            date, _, clock = entry["date"].partition(" ")
            hours, minutes, seconds = clock.split(":")
            entry["date"] = f"{date} {hours}:{(int(minutes) + 7) % 60:02d}:{seconds}"
        if files:
            exchange.set_json({"success": True, "files": files})


class SizeWrong(Variant):
    """The listed size of small files is one byte too many."""

    def response(self, exchange: Exchange) -> None:
        files = listed(exchange)
        for entry in files:
            number, _, unit = entry["size"].partition(" ")
            if unit == "B":
                entry["size"] = f"{int(number) + 1} B"
        if files:
            exchange.set_json({"success": True, "files": files})


class ThumbMissing(Variant):
    """Images are listed without `thumb`."""

    def response(self, exchange: Exchange) -> None:
        files = listed(exchange)
        for entry in files:
            entry.pop("thumb", None)
        if files:
            exchange.set_json({"success": True, "files": files})


class PagesOfTwenty(Variant):
    """Pages hold 20 files, not 25."""

    def response(self, exchange: Exchange) -> None:
        files = listed(exchange)
        if len(files) > 20:
            exchange.set_json({"success": True, "files": files[:20]})


class PastTheEndRepeats(Variant):
    """Pages from 2 on answer with page 0."""

    def request(self, exchange: Exchange) -> bool:
        match = re.fullmatch(r"/api/uploads/(\d+)", exchange.path)
        if exchange.method == "GET" and match and int(match.group(1)) >= 2:
            exchange.path = "/api/uploads/0"
        return False


class ErrorBodyWrong(Variant):
    """401 answers do not use the API's error body."""

    def response(self, exchange: Exchange) -> None:
        if exchange.status == 401:
            exchange.set_json({"error": "unauthorized"})


class EmptyUploadAccepted(Variant):
    """An upload without files answers success with no files."""

    def response(self, exchange: Exchange) -> None:
        payload = exchange.json()
        if is_upload(exchange) and isinstance(payload, dict) and payload.get("success") is False:
            if payload.get("description") == "No files.":
                exchange.set_json({"success": True, "files": []})


class LolisafeHygiene(Variant):
    """Not broken: the HTTP habits real lolisafe deployments are documented to have.

    A page that is not a whole number is read as page 0, bad upload and delete requests are
    answered 200 with the error body instead of 400, an unknown file or method gets an HTML 404.
    The suite must pass on this by default and fail on it only with --strict.
    """

    def request(self, exchange: Exchange) -> bool:
        page = re.fullmatch(r"/api/uploads/(.*)", exchange.path)
        if exchange.method == "GET" and page and not page.group(1).isdigit():
            exchange.path = "/api/uploads/0"
        if exchange.method not in ("GET", "HEAD", "POST", "OPTIONS"):
            self._html_404(exchange)
            return True
        return False

    def response(self, exchange: Exchange) -> None:
        if exchange.method == "POST" and exchange.status == 400:
            if exchange.path in ("/api/upload", "/api/upload/delete"):
                exchange.status = 200
        if exchange.method == "GET" and exchange.status == 404:
            self._html_404(exchange)

    @staticmethod
    def _html_404(exchange: Exchange) -> None:
        exchange.status = 404
        exchange.response_headers = [(b"content-type", b"text/html; charset=utf-8")]
        exchange.response_body = b"<!DOCTYPE html><html><body>Not found</body></html>"


VARIANTS: dict[str, type[Variant]] = {
    "lolisafe-hygiene": LolisafeHygiene,
    "auth-ignored": AuthIgnored,
    "isolation-broken": IsolationBroken,
    "field-mistyped": FieldMistyped,
    "bytes-altered": BytesAltered,
    "new-file-missing": NewFileMissing,
    "duplicates-stored-twice": DuplicatesStoredTwice,
    "delete-not-deleting": DeleteNotDeleting,
    "blocked-accepted": BlockedAccepted,
    "files-reordered": FilesReordered,
    "date-wrong": DateWrong,
    "size-wrong": SizeWrong,
    "thumb-missing": ThumbMissing,
    "pages-of-twenty": PagesOfTwenty,
    "past-the-end-repeats": PastTheEndRepeats,
    "error-body-wrong": ErrorBodyWrong,
    "empty-upload-accepted": EmptyUploadAccepted,
}
SECOND_TOKEN: list[str] = [""]


class Breaking:
    """ASGI middleware: buffers each HTTP exchange so a variant can rewrite it."""

    def __init__(self, app: ASGIApp, variant: Variant) -> None:
        self.app = app
        self.variant = variant

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        exchange = Exchange(scope["method"], scope["path"], headers, body)
        if not self.variant.request(exchange):
            await self._forward(scope, exchange)
            self.variant.response(exchange)
        response_headers = [
            (key, value)
            for key, value in exchange.response_headers
            if key.lower() != b"content-length"
        ]
        response_headers.append((b"content-length", str(len(exchange.response_body)).encode()))
        await send(
            {"type": "http.response.start", "status": exchange.status, "headers": response_headers}
        )
        await send({"type": "http.response.body", "body": exchange.response_body})

    async def _forward(self, scope: Scope, exchange: Exchange) -> None:
        headers = {key: value for key, value in exchange.headers.items() if key != "content-length"}
        headers["content-length"] = str(len(exchange.body))
        inner_scope = dict(scope)
        inner_scope["path"] = exchange.path
        inner_scope["raw_path"] = exchange.path.encode()
        inner_scope["headers"] = [
            (key.encode("latin-1"), value.encode("latin-1")) for key, value in headers.items()
        ]
        sent = False

        async def inner_receive() -> Message:
            nonlocal sent
            if sent:
                # Streaming responses stop when told the client left: never say so.
                await asyncio.Event().wait()
            sent = True
            return {"type": "http.request", "body": exchange.body, "more_body": False}

        async def inner_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                exchange.response_body += message.get("body", b"")

        await self.app(inner_scope, inner_receive, inner_send)


class ByPrefix:
    """Routes `/<variant>/...` to that variant's app, anything else to the correct mock.

    One process serves every variant, each with its own data folder: starting a server per
    variant would cost more than the contract runs themselves.
    """

    def __init__(self, correct: ASGIApp, variants: dict[str, ASGIApp]) -> None:
        self.correct = correct
        self.variants = variants

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            prefix, _, rest = scope["path"].lstrip("/").partition("/")
            if prefix in self.variants:
                inner = dict(scope)
                inner["path"] = "/" + rest
                inner["raw_path"] = inner["path"].encode()
                await self.variants[prefix](inner, receive, send)
                return
        await self.correct(scope, receive, send)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--token", action="append", default=[])
    parser.add_argument("--validate-responses", action="store_true")
    args = parser.parse_args()
    SECOND_TOKEN[0] = args.token[0] if args.token else ""

    def app_in(folder: str) -> ASGIApp:
        settings = Settings(
            data_dir=args.data_dir / folder,
            host=args.host,
            port=args.port,
            tokens=args.token,
            fresh=True,
        )
        return create_app(settings)

    variants = {name: Breaking(app_in(name), variant()) for name, variant in VARIANTS.items()}
    app = ByPrefix(app_in("correct"), variants)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
