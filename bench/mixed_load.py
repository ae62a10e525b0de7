"""Sustained mixed load on the mock server: uploads and lists from several keep-alive clients
for a few minutes, on loopback. Reports throughput, latency percentiles per operation, and the
server's RSS at start and end (it should not grow beyond a few MB).

    .venv/bin/python bench/mixed_load.py                  # 3 minutes, 8 clients
    .venv/bin/python bench/mixed_load.py --duration 30    # a quick look

The server runs as its own process with a throwaway data folder, exactly as `make serve`
starts it. The clients are plain asyncio sockets, so that on a small machine the load
generator takes as little of the CPU the server needs as possible. Every run is bounded by
both --duration and --max-requests.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import shutil
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import start_mock, stop  # noqa: E402

TOKEN = "mixed-load-token"
BOUNDARY = "mixed-load-boundary"


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"upload": [], "list": []})
    errors: list[str] = field(default_factory=list)
    new_uploads: int = 0


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {
        line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if "kB" in line
    }
    return values["VmRSS"] / 1024, values["VmHWM"] / 1024


def png_template() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "#336699").save(buffer, "PNG")
    return buffer.getvalue()


def upload_request(port: int, rng: random.Random, png: bytes, max_file: int) -> bytes:
    # Every file is new content (the duplicate rule would otherwise make uploads no-ops);
    # one in ten is an image, so thumbnails are part of the load. Bytes after a PNG's end
    # are ignored by decoders.
    if rng.random() < 0.1:
        name, content = "load.png", png + rng.randbytes(16)
    else:
        name, content = "load.bin", rng.randbytes(rng.randint(1024, max_file))
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files[]"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{BOUNDARY}--\r\n".encode()
    head = (
        f"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ntoken: {TOKEN}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


def list_request(port: int, page: int) -> bytes:
    path = "/api/uploads" if page == 0 else f"/api/uploads/{page}"
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ntoken: {TOKEN}\r\n\r\n".encode()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    return status, await reader.readexactly(length)


async def client(
    number: int,
    args: argparse.Namespace,
    port: int,
    deadline: float,
    budget: list[int],
    results: Results,
    png: bytes,
) -> None:
    rng = random.Random(f"{args.seed}-{number}-{deadline}")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            if rng.random() < args.upload_share:
                kind, request = "upload", upload_request(port, rng, png, args.max_file)
            else:
                pages = max(1, results.new_uploads // 25)
                kind, request = (
                    "list",
                    list_request(port, 0 if rng.random() < 0.7 else rng.randrange(pages)),
                )
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status, body = await read_response(reader)
            results.latencies[kind].append(time.perf_counter() - started)
            if status != 200 or b'"success": true' not in body:
                results.errors.append(f"{kind}: {status} {body[:200]!r}")
            elif kind == "upload" and b'"size": "' not in body:
                results.new_uploads += 1  # a duplicate's size is a string
    finally:
        writer.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def count_listed(port: int) -> int:
    total, page = 0, 0
    while True:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/uploads/{page}", headers={"token": TOKEN}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            files = json.load(response)["files"]
        total += len(files)
        if len(files) < 25:
            return total
        page += 1


async def run_load(
    args: argparse.Namespace, port: int, seconds: float, requests: int
) -> tuple[Results, float]:
    results = Results()
    png = png_template()
    started = time.monotonic()
    budget = [requests]
    await asyncio.gather(
        *(
            client(n, args, port, started + seconds, budget, results, png)
            for n in range(args.clients)
        )
    )
    return results, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load (180)")
    parser.add_argument("--max-requests", type=int, default=300_000, help="stop after (300000)")
    parser.add_argument("--clients", type=int, default=8, help="keep-alive connections (8)")
    parser.add_argument("--upload-share", type=float, default=0.25, help="share of uploads (0.25)")
    parser.add_argument("--max-file", type=int, default=16_384, help="largest file, bytes")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds before measuring")
    parser.add_argument("--seed", default="mixed", help="for the generated content")
    parser.add_argument("--validate-responses", action="store_true", help="as the tests run it")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mixed-load-"))
    extra = ["--validate-responses"] if args.validate_responses else []
    server, base_url = start_mock(work / "data", "--token", TOKEN, *extra)
    port = urlsplit(base_url).port or 80
    try:
        idle_rss, _ = rss_mb(server.pid)
        warmup, _ = asyncio.run(run_load(args, port, args.warmup, args.max_requests))
        start_rss, _ = rss_mb(server.pid)
        results, elapsed = asyncio.run(run_load(args, port, args.duration, args.max_requests))
        end_rss, peak_rss = rss_mb(server.pid)
        listed = count_listed(port)
        leftovers = [p.name for p in (work / "data").rglob(".partial-*")]
        alive = server.poll() is None
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)

    total = sum(len(v) for v in results.latencies.values())
    summary = {
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "requests": total,
        "requests_per_second": round(total / elapsed, 1),
        "errors": len(results.errors),
        "server_rss_mb": {
            "idle": round(idle_rss, 1),
            "start_after_warmup": round(start_rss, 1),
            "end": round(end_rss, 1),
            "growth": round(end_rss - start_rss, 1),
            "peak": round(peak_rss, 1),
        },
        "uploads_listed_at_end": listed,
        "uploads_answered": warmup.new_uploads + results.new_uploads,
        "partial_files_left": len(leftovers),
        "server_alive": alive,
    }
    for kind, values in results.latencies.items():
        summary[kind] = {
            "count": len(values),
            "per_second": round(len(values) / elapsed, 1),
            "p50_ms": round(percentile(values, 0.50) * 1000, 2),
            "p99_ms": round(percentile(values, 0.99) * 1000, 2),
            "max_ms": round(max(values, default=0) * 1000, 2),
        }
    print(json.dumps(summary, indent=2))
    for error in results.errors[:5]:
        print("error:", error, file=sys.stderr)
    consistent = summary["uploads_listed_at_end"] == summary["uploads_answered"]
    ok = not results.errors and consistent and not leftovers and alive
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
