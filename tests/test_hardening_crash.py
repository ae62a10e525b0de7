"""Crash safety: SIGKILL while uploads are streaming, then a restart on the same data folder."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.hardening_checks import all_uploads, assert_serving, leftovers
from tests.mock_helpers import REFERENCE_TOKEN, client, path_of, png_bytes, wait_until
from tests.server_process import ServerProcess

TOKEN = "crash-test-token"
UPLOADERS = 6
ANSWERED_BEFORE_KILL = 15
CHUNKS = 16
BOUNDARY = "crash-boundary"


class Uploader(threading.Thread):
    """Uploads one file after another, each body trickled in chunks so that some are always
    mid-stream; remembers what was sent and what was answered."""

    def __init__(self, server: ServerProcess, number: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.number = number
        self.stop = stop
        self.sent: dict[str, bytes] = {}
        self.answered: list[tuple[dict[str, object], bytes]] = []
        self.refused: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.server.base_url, timeout=30) as http:
            for n in range(1000):
                if self.stop.is_set():
                    return
                if n % 4 == 0:
                    name, content = "pic.png", png_bytes((50 + n, 40), f"#{self.number:02x}{n:04x}")
                else:
                    name, content = "blob.bin", os.urandom(200_000 + n)
                self.sent[hashlib.md5(content).hexdigest()] = content
                try:
                    response = http.post(
                        "/api/upload",
                        content=_trickle(name, content),
                        headers={
                            "token": TOKEN,
                            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                            "content-length": str(len(_head(name)) + len(content) + len(_TAIL)),
                        },
                    )
                except httpx.TransportError:
                    return  # the server is gone
                body = response.json()
                if body.get("success") is not True:
                    self.refused.append(response.text)
                    return
                self.answered.append((body["files"][0], content))


def _head(name: str) -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files[]"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


_TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


def _trickle(name: str, content: bytes) -> Iterator[bytes]:
    yield _head(name)
    step = -(-len(content) // CHUNKS)
    for start in range(0, len(content), step):
        time.sleep(0.003)
        yield content[start : start + step]
    yield _TAIL


def test_sigkill_mid_upload_then_restart_keeps_every_answered_upload(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", args=["--token", TOKEN]).start()
    try:
        with client(server, REFERENCE_TOKEN) as http:
            seeded = all_uploads(http)
        stop = threading.Event()
        uploaders = [Uploader(server, n, stop) for n in range(UPLOADERS)]
        for uploader in uploaders:
            uploader.start()

        def answered() -> int:
            return sum(len(u.answered) for u in uploaders)

        assert wait_until(lambda: answered() >= ANSWERED_BEFORE_KILL, 60), "uploads too slow"
        # Kill at a moment a body is being written to disk.
        assert wait_until(lambda: len(leftovers(server)) >= 2, 10)
        assert server.process is not None
        server.process.kill()
        server.process.wait()
        stop.set()
        for uploader in uploaders:
            uploader.join(30)
        assert [r for u in uploaders for r in u.refused] == []
        interrupted = leftovers(server)
        assert interrupted, "the kill should have caught an upload mid-stream"

        server.start()  # the same data folder, the same options
        assert leftovers(server) == [], "the restart must remove what the crash left"
        assert_serving(server)
        with client(server, TOKEN) as http:
            listed = all_uploads(http)
            by_name = {entry["name"]: entry for entry in listed}
            assert len(by_name) == len(listed), "an upload is listed twice"

            # Every upload answered with success is there, listed once and intact.
            for uploader in uploaders:
                for answer, content in uploader.answered:
                    entry = by_name[str(answer["name"])]
                    assert entry["size"] and int(answer["size"]) == len(content)  # type: ignore[call-overload]
                    assert http.get(path_of(entry["file"])).content == content
                    if "thumb" in entry:
                        assert http.get(path_of(entry["thumb"])).status_code == 200

            # Anything else listed was committed just before the kill: whole, never partial.
            sent = {k: v for u in uploaders for k, v in u.sent.items()}
            for entry in listed:
                served = http.get(path_of(entry["file"])).content
                assert hashlib.md5(served).hexdigest() in sent, entry

        # On disk: exactly the listed files, nothing half-written and nothing orphaned.
        with client(server, REFERENCE_TOKEN) as http:
            assert all_uploads(http) == seeded
        on_disk = {p.name for p in (server.data_dir / "files").iterdir()}
        assert on_disk == set(by_name) | {entry["name"] for entry in seeded}
        assert "Traceback" not in server.log()
    finally:
        server.stop()
