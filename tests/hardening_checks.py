"""What every hardening test asserts after provoking the server: the answer is in the API's
error shape, the server still serves, and nothing it had stored was lost or left half-written.
"""

from __future__ import annotations

import hashlib
import select
import socket
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.mock_helpers import REFERENCE_TOKEN, path_of
from tests.server_process import ServerProcess

PARTIAL_PREFIX = ".partial-"


def assert_api_error(response: httpx.Response, status: int | None = None) -> str:
    """The answer is `{"success": false, "description": "..."}` and not a server error."""
    assert response.status_code < 500, (response.status_code, response.text)
    if status is not None:
        assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"success", "description"}, body
    assert body["success"] is False
    assert isinstance(body["description"], str) and body["description"].strip(), body
    return str(body["description"])


def all_uploads(http: httpx.Client) -> list[dict[str, Any]]:
    """Every upload of the client's account, page after page."""
    found: list[dict[str, Any]] = []
    for page in range(1000):
        response = http.get(f"/api/uploads/{page}")
        assert response.status_code == 200, response.text
        files = response.json()["files"]
        found += files
        if len(files) < 25:
            return found
    raise AssertionError("more than 1000 pages of uploads")


def leftovers(server: ServerProcess) -> list[str]:
    """Partial files anywhere in the data folder: never there once no upload is in flight."""
    return sorted(
        str(path.relative_to(server.data_dir))
        for path in server.data_dir.rglob("*")
        if path.name.startswith(PARTIAL_PREFIX)
    )


def wait_for_no_leftovers(server: ServerProcess, within: float = 10.0) -> None:
    # A dropped request is cleaned up when the server notices the drop, a moment later.
    deadline = time.monotonic() + within
    while leftovers(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers(server) == []


def assert_serving(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        check = http.get("/api/check")
        assert check.status_code == 200 and "maxFileSize" in check.json(), check.text
        listing = http.get("/api/uploads", headers={"token": REFERENCE_TOKEN})
        assert listing.status_code == 200 and listing.json()["success"] is True, listing.text


@dataclass
class StoreSnapshot:
    """What some accounts have stored: their listings and the digest of every file."""

    listings: dict[str, list[dict[str, Any]]]
    digests: dict[str, str]

    @classmethod
    def take(cls, server: ServerProcess, tokens: list[str]) -> StoreSnapshot:
        listings: dict[str, list[dict[str, Any]]] = {}
        digests: dict[str, str] = {}
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            for token in tokens:
                http.headers["token"] = token
                listings[token] = all_uploads(http)
                for entry in listings[token]:
                    served = http.get(path_of(entry["file"]))
                    assert served.status_code == 200, entry
                    digests[entry["name"]] = hashlib.md5(served.content).hexdigest()
        return cls(listings, digests)

    def assert_unchanged(self, server: ServerProcess) -> None:
        now = StoreSnapshot.take(server, list(self.listings))
        assert now.listings == self.listings
        assert now.digests == self.digests


def raw_request(server: ServerProcess, head: bytes, body: bytes = b"") -> bytes:
    """Send bytes no HTTP client library would (raw `..` and control characters in the
    path); return everything the server answers before it closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        data = head + body
        # In pieces, stopping once the server answers: it may refuse before reading it all.
        for start in range(0, len(data), 65536):
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(data[start : start + 65536])
            except (BrokenPipeError, ConnectionResetError):
                break
        return read_answer(sock)


def read_answer(sock: socket.socket) -> bytes:
    """One whole answer (by its Content-Length), or what came before the server closed."""
    answer = b""
    try:
        while not _complete(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return answer


def _complete(answer: bytes) -> bool:
    head, separator, body = answer.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def parse_raw(answer: bytes) -> httpx.Response:
    """A raw answer as an httpx.Response, so the same assertions apply to it."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0].startswith(b"HTTP/1.1 "), answer[:200]
    status = int(lines[0].split()[1])
    headers = [tuple(line.split(b":", 1)) for line in lines[1:] if b":" in line]
    return httpx.Response(
        status, headers=[(k.strip(), v.strip()) for k, v in headers], content=body
    )
