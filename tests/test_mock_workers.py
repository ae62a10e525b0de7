"""`--workers 2`: two server processes on one store answer as one server."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.mock_helpers import unique_bytes
from tests.server_process import ServerProcess


def fresh_list(server: ServerProcess) -> list[str]:
    # A new connection each time, so requests spread over both worker processes.
    answer = httpx.get(
        f"{server.base_url}/api/uploads", headers={"token": "images_api"}, timeout=10
    )
    return [entry["name"] for entry in answer.json()["files"]]


def test_every_worker_sees_every_write_at_once(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data", args=["--workers", "2"]) as server:
        for n in range(6):
            with httpx.Client(base_url=server.base_url, headers={"token": "images_api"}) as http:
                files = {"files[]": (f"{n}.txt", unique_bytes(f"worker-{n}"))}
                name = http.post("/api/upload", files=files).json()["files"][0]["name"]
            for _ in range(8):
                listing = fresh_list(server)
                assert listing[0] == name and len(listing) == 7 + n, (n, listing[:2])
        with httpx.Client(base_url=server.base_url, headers={"token": "images_api"}) as http:
            newest = http.get("/api/uploads").json()["files"][0]
            assert http.post("/api/upload/delete", json={"id": newest["id"]}).json()["success"]
        for _ in range(8):
            assert newest["name"] not in fresh_list(server)
