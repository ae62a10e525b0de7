"""The one HTTP session every request of the suite goes through, Schemathesis' included.

It enforces production safety where it cannot be bypassed: a delete request is sent only when
every number in its body is the id of an upload this run created, and state-changing methods the
API does not have are never sent. It also records every file an upload answer says was created.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from discord_images_contract.interruption import Interruption
from discord_images_contract.ledger import Ledger

NUMBER = re.compile(r"\d+")
TRUE_WORD = re.compile(r"true", re.IGNORECASE)
FORBIDDEN_METHODS = {"DELETE", "PUT", "PATCH"}


class UnsafeRequest(RuntimeError):
    """A request that could change a file this run did not upload; it was not sent."""


def is_delete_request(method: str, url: str) -> bool:
    path = unquote(urlsplit(url).path).rstrip("/")
    return method.upper() not in {"GET", "HEAD", "OPTIONS", "TRACE"} and path.endswith(
        "/upload/delete"
    )


def is_upload_request(method: str, url: str) -> bool:
    return method.upper() == "POST" and urlsplit(url).path.rstrip("/").endswith("/api/upload")


def body_text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("latin-1")
    if isinstance(body, str):
        return body
    raise UnsafeRequest("a streamed delete request cannot be checked, so it was not sent")


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


def check_delete_body(body: Any, ledger: Ledger) -> None:
    text = body_text(body)
    try:
        # Read JSON as the server would: escapes such as \u0031 are digits too.
        values = [str(value) for value in _scalars(json.loads(text))]
    except ValueError:
        values = [unquote(text)]
    for value in values:
        for match in NUMBER.finditer(value):
            number = int(match.group())
            if number != 0 and not ledger.owns_id(number):
                raise UnsafeRequest(
                    f"refused to send a delete request naming {number}, which is not the id of"
                    " a file this run uploaded"
                )
        if TRUE_WORD.search(value):
            # Some databases compare `true` equal to id 1.
            raise UnsafeRequest("refused to send a delete request containing `true`")


def record_created(response: requests.Response, ledger: Ledger) -> None:
    try:
        payload = response.json()
    except ValueError:
        return
    if not isinstance(payload, dict) or payload.get("success") is not True:
        return
    for entry in payload.get("files") or []:
        # A new file has a numeric size; a string size is an existing file answered as a
        # duplicate, which may belong to the operator and must never be cleaned up.
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            if isinstance(entry.get("size"), int) and not isinstance(entry.get("size"), bool):
                ledger.record_name(entry["name"])


class GuardedSession(requests.Session):
    def __init__(self, ledger: Ledger, timeout: float) -> None:
        super().__init__()
        self.ledger = ledger
        self.timeout = timeout
        self.sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method = (request.method or "GET").upper()
        url = request.url or ""
        if method in FORBIDDEN_METHODS:
            raise UnsafeRequest(f"refused to send {method} {url}: the API has no such operation")
        if is_delete_request(method, url):
            check_delete_body(request.body, self.ledger)
        if not kwargs.get("timeout"):
            kwargs["timeout"] = self.timeout
        self.sent += 1
        with Interruption.deferred():
            response = super().send(request, **kwargs)
            if is_upload_request(method, url):
                record_created(response, self.ledger)
        return response
