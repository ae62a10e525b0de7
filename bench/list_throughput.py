"""`GET /api/uploads` throughput and p99 latency: the mock (request validation on, as always)
against Prism mocking the same openapi.yaml, with wrk, in the same run, on loopback.

    .venv/bin/python bench/list_throughput.py [--duration 10] [--workers 1] [--rounds 2]

Target: at least 1.5x Prism's requests per second, and a p99 no worse than Prism's.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import start_mock, start_prism, stop  # noqa: E402

TOKEN = "images_api"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Run:
    requests_per_second: float
    p99_ms: float
    errors: int


def wrk(url: str, seconds: int, connections: int, threads: int) -> Run:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"token: {TOKEN}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    if socket_errors:
        print(f"  {url}: {socket_errors.group(0)}")
    return Run(rps, float(value) * _UNITS[unit], int(errors.group(1)) if errors else 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per server")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="the mock's --workers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian: apt-get install wrk)")

    with tempfile.TemporaryDirectory() as folder:
        mock, mock_url = start_mock(Path(folder) / "data", "--workers", str(args.workers))
        prism, prism_url = start_prism()
        try:
            servers = {"mock": f"{mock_url}/api/uploads", "prism": f"{prism_url}/api/uploads"}
            for url in servers.values():
                wrk(url, 3, args.connections, args.threads)  # warm-up (Node's JIT, caches)
            runs: dict[str, list[Run]] = {name: [] for name in servers}
            for round_number in range(1, args.rounds + 1):
                for name, url in servers.items():
                    run = wrk(url, args.duration, args.connections, args.threads)
                    runs[name].append(run)
                    print(
                        f"round {round_number} {name:5}: {run.requests_per_second:8.0f} req/s"
                        f"  p99 {run.p99_ms:7.1f} ms  non-2xx {run.errors}",
                        flush=True,
                    )
        finally:
            stop(mock)
            stop(prism)

    def mean(name: str, attribute: str) -> float:
        return sum(getattr(run, attribute) for run in runs[name]) / len(runs[name])

    mock_rps, prism_rps = mean("mock", "requests_per_second"), mean("prism", "requests_per_second")
    mock_p99, prism_p99 = mean("mock", "p99_ms"), mean("prism", "p99_ms")
    ratio = mock_rps / prism_rps
    print(
        f"mean  mock {mock_rps:.0f} req/s p99 {mock_p99:.1f} ms | prism {prism_rps:.0f} req/s"
        f" p99 {prism_p99:.1f} ms | ratio {ratio:.2f}x"
        f" (workers {args.workers}, wrk -t{args.threads} -c{args.connections})"
    )
    errors = sum(run.errors for run in runs["mock"])
    passed = ratio >= 1.5 and mock_p99 <= prism_p99 and errors == 0
    print("target (>= 1.5x, p99 no worse, no errors):", "met" if passed else "MISSED")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
