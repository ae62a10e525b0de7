"""Peak memory of the mock while a 1 GB file streams in: the upload goes to disk in chunks,
never into memory.

    .venv/bin/python bench/upload_memory.py [--size-mb 1000]

Target: the server's peak RSS stays under 150 MB. Needs about twice the size in free disk
space in the temporary folder. The server's peak is read from /proc (VmHWM), so this runs on
Linux only.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import start_mock, stop  # noqa: E402

TOKEN = "images_api"
CHUNK = 1024 * 1024
BOUNDARY = "bench-upload-boundary"
TARGET_MB = 150


def status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def body(size: int, digest: hashlib._Hash) -> tuple[int, Iterator[bytes]]:
    """A multipart body with one `files[]` part of `size` bytes, generated as it is sent."""
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="files[]"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = bytes(range(256)) * (CHUNK // 256)

    def chunks() -> Iterator[bytes]:
        yield head
        left = size
        counter = 0
        while left:
            piece = (counter.to_bytes(8, "big") + block)[: min(CHUNK, left)]
            digest.update(piece)
            left -= len(piece)
            counter += 1
            yield piece
        yield tail

    return len(head) + size + len(tail), chunks()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1000, help="file size in MB (10^6)")
    args = parser.parse_args()
    size = args.size_mb * 1000 * 1000

    with tempfile.TemporaryDirectory() as folder:
        if shutil.disk_usage(folder).free < 2.2 * size:
            sys.exit(f"not enough free disk space in {folder} for a {args.size_mb} MB upload")
        limit = f"{args.size_mb + 1}MB"
        server, base_url = start_mock(Path(folder) / "data", "--max-size", limit)
        try:
            idle = status_mb(server.pid, "VmRSS")
            digest = hashlib.md5()
            length, chunks = body(size, digest)
            started = time.monotonic()
            answer = httpx.post(
                f"{base_url}/api/upload",
                content=chunks,
                headers={
                    "token": TOKEN,
                    "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                    "content-length": str(length),
                },
                timeout=600,
            ).json()
            elapsed = time.monotonic() - started
            peak = status_mb(server.pid, "VmHWM")
            after = status_mb(server.pid, "VmRSS")
            assert answer["success"] is True, answer
            stored = answer["files"][0]
            assert stored["size"] == size, stored
            on_disk = Path(folder) / "data" / "files" / stored["name"]
            check = hashlib.md5()
            with on_disk.open("rb") as file:
                while block := file.read(CHUNK):
                    check.update(block)
            assert check.hexdigest() == digest.hexdigest(), "stored bytes differ"
        finally:
            stop(server)

    print(
        f"{args.size_mb} MB upload in {elapsed:.1f} s ({args.size_mb / elapsed:.0f} MB/s):"
        f" server RSS idle {idle:.1f} MB, peak {peak:.1f} MB, after {after:.1f} MB;"
        " stored bytes verified (MD5)"
    )
    passed = peak < TARGET_MB
    print(f"target (peak RSS < {TARGET_MB} MB):", "met" if passed else "MISSED")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
