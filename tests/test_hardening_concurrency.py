"""Many clients at once: 200 uploads from 20 concurrent clients over four accounts, a third of
them content another client of the same account is uploading too."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.hardening_checks import all_uploads, assert_serving, leftovers
from tests.mock_helpers import client, path_of, png_bytes, unique_bytes
from tests.server_process import ServerProcess

CLIENTS = 20
UPLOADS_PER_CLIENT = 10
TOKENS = [f"concurrency-token-{n}" for n in range(4)]
# Content several clients of one account send at the same time: the duplicate rule must
# give them all one stored file.
SHARED = [unique_bytes(f"shared-{n}", 2000) for n in range(4)] + [png_bytes((64, 48), "#aa3300")]


def _plan(worker: int) -> list[tuple[str, str, bytes]]:
    """(token, file name, content) for one client: mostly unique files, some shared ones."""
    rng = random.Random(worker)
    token = TOKENS[worker % len(TOKENS)]
    plan = []
    for n in range(UPLOADS_PER_CLIENT):
        if n % 3 == 0:
            content = rng.choice(SHARED)
            name = "shared.png" if content.startswith(b"\x89PNG") else "shared.bin"
        elif n % 3 == 1:
            content, name = png_bytes((40 + worker, 30 + n), f"#{worker:02x}{n:02x}80"), "img.png"
        else:
            content, name = unique_bytes(f"w{worker}-{n}", rng.randint(1, 30_000)), "file.txt"
        plan.append((token, name, content))
    return plan


def _run(server: ServerProcess, worker: int) -> list[tuple[str, bytes, httpx.Response]]:
    done = []
    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        for token, name, content in _plan(worker):
            response = http.post(
                "/api/upload", headers={"token": token}, files=[("files[]", (name, content))]
            )
            done.append((token, content, response))
            # Lists interleave with the uploads, as real clients' do, and a new upload is on
            # the first page its client asks for right after (whichever worker answers).
            listing = http.get("/api/uploads", headers={"token": token})
            assert listing.status_code == 200, listing.text
            entry = response.json()["files"][0]
            if isinstance(entry["size"], int):
                assert entry["name"] in [f["name"] for f in listing.json()["files"]]
    return done


@pytest.mark.parametrize("workers", [1, 2])
def test_200_concurrent_uploads_are_each_stored_once_and_served_intact(
    tmp_path: Path, workers: int
) -> None:
    # Two workers are two processes on one store: what one caches, the other changes.
    args = [arg for token in TOKENS for arg in ("--token", token)] + ["--workers", str(workers)]
    with ServerProcess(tmp_path / "data", args=args) as server:
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = [
                r for batch in pool.map(lambda w: _run(server, w), range(CLIENTS)) for r in batch
            ]
        assert len(results) == CLIENTS * UPLOADS_PER_CLIENT

        # Every answer is a success (no 5xx, no error body).
        names_by_content: dict[tuple[str, str], set[str]] = defaultdict(set)
        new_answers: dict[tuple[str, str], int] = defaultdict(int)
        for token, content, response in results:
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["success"] is True, body
            (entry,) = body["files"]
            key = (token, hashlib.md5(content).hexdigest())
            names_by_content[key].add(entry["name"])
            # A new file's size is a number; a duplicate's, the real server's string.
            new_answers[key] += isinstance(entry["size"], int)

        # The duplicate rule held under contention: one name, one new upload, per content.
        assert all(len(names) == 1 for names in names_by_content.values()), names_by_content
        assert all(count == 1 for count in new_answers.values()), new_answers

        # Each account lists each of its files exactly once, and only its own.
        listed_names: list[str] = []
        for token in TOKENS:
            with client(server, token) as http:
                entries = all_uploads(http)
            names = [entry["name"] for entry in entries]
            assert len(names) == len(set(names)), "an upload is listed twice"
            expected = {next(iter(n)) for (t, _), n in names_by_content.items() if t == token}
            assert set(names) == expected
            ids = [entry["id"] for entry in entries]
            assert ids == sorted(ids, reverse=True), "not newest first"
            listed_names += names

        # Names never collide, across accounts too.
        assert len(listed_names) == len(set(listed_names)) == len(names_by_content)

        # Every file URL serves its own bytes.
        contents = {hashlib.md5(c).hexdigest(): c for _, c, _ in results}
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            for (_, digest), names in names_by_content.items():
                served = http.get(path_of(f"{server.base_url}/{next(iter(names))}"))
                assert served.status_code == 200
                assert served.content == contents[digest]

        assert leftovers(server) == []
        stored = {p.name for p in (server.data_dir / "files").iterdir()}
        assert set(listed_names) <= stored
        assert_serving(server)
        assert "Traceback" not in server.log()
