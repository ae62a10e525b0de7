"""Small helpers for the mock server's tests: real multipart uploads and store inspection."""

from __future__ import annotations

import io
import itertools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.server_process import ServerProcess

REFERENCE_TOKEN = "images_api"
# Accounts the module servers are started with; each test takes its own, so tests that
# upload never see each other's files.
EXTRA_TOKENS = [f"mock-test-token-{n:02d}" for n in range(24)]
_next_token = itertools.count()


def fresh_token() -> str:
    return EXTRA_TOKENS[next(_next_token) % len(EXTRA_TOKENS)]


def token_args() -> list[str]:
    return [arg for token in EXTRA_TOKENS for arg in ("--token", token)]


def client(server: ServerProcess, token: str | None = None) -> httpx.Client:
    headers = {"token": token} if token else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=30)


def upload(
    http: httpx.Client, *files: tuple[str, bytes], field: str = "files[]", **kwargs: Any
) -> httpx.Response:
    parts = [(field, (name, data, "application/octet-stream")) for name, data in files]
    return http.post("/api/upload", files=parts, **kwargs)


def listed(http: httpx.Client, page: int | None = None) -> list[dict[str, Any]]:
    response = http.get("/api/uploads" if page is None else f"/api/uploads/{page}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["files"]


def png_bytes(size: tuple[int, int] = (300, 150), color: str = "#3366cc") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def unique_bytes(label: str, size: int = 64) -> bytes:
    """Content no other test uploads (the duplicate rule would otherwise merge them)."""
    return (label.encode() + os.urandom(16)).ljust(size, b".")


def stored_files(server: ServerProcess) -> set[str]:
    """Every file in the data folder's files and thumbnails, partial ones included."""
    return {
        f"{folder}/{path.name}"
        for folder in ("files", "thumbs")
        for path in (server.data_dir / folder).iterdir()
    }


def path_of(url: str) -> str:
    """The path of a URL the server built from its public URL."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def data_file(server: ServerProcess, name: str) -> Path:
    return server.data_dir / "files" / name


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Polls `condition` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


RAW_BOUNDARY = b"raw-upload-boundary"


def raw_upload(token: str, file_size: int, *, chunked: bool = False) -> tuple[bytes, bytes, bytes]:
    """An upload of one `file_size`-byte file as bytes for a raw socket: (request head, the file
    part's head, the closing boundary). The file's bytes go between the last two."""
    part = (
        b"--" + RAW_BOUNDARY + b"\r\n"
        b'Content-Disposition: form-data; name="files[]"; filename="raw.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    tail = b"\r\n--" + RAW_BOUNDARY + b"--\r\n"
    length = (
        b"Transfer-Encoding: chunked"
        if chunked
        else b"Content-Length: %d" % (len(part) + file_size + len(tail))
    )
    head = (
        b"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\ntoken: " + token.encode() + b"\r\n"
        b"Content-Type: multipart/form-data; boundary="
        + RAW_BOUNDARY
        + b"\r\n"
        + length
        + b"\r\n\r\n"
    )
    return head, part, tail
