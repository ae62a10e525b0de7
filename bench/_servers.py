"""Starting the servers the benchmarks compare, on free loopback ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
PRISM_VERSION = "5"
PRISM_HOME = Path.home() / ".cache" / "discord-images-kit" / "prism"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{process.args[0]} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    sys.exit(f"{url} did not answer within {timeout}s")


def start_mock(data_dir: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "discord_images_mock",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--fresh",
        *args,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    wait_until_ready(f"{base_url}/api/check", process)
    return process, base_url


def prism_command() -> Path:
    """Prism from the npm registry, installed once into a cache folder outside the checkout."""
    binary = PRISM_HOME / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm is needed to install Prism")
        PRISM_HOME.mkdir(parents=True, exist_ok=True)
        print(f"installing @stoplight/prism-cli@{PRISM_VERSION} into {PRISM_HOME}", flush=True)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(PRISM_HOME),
                "--no-audit",
                "--no-fund",
                f"@stoplight/prism-cli@{PRISM_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


def start_prism() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [str(prism_command()), "mock", str(SPEC), "-h", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    wait_until_ready(f"{base_url}/api/check", process)
    return process, base_url


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
