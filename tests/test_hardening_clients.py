"""Clients that misbehave on the wire: dropping the connection at any point of a request,
trickling a body, or promising a body and then sending nothing more. None of them leaves a
partial file behind or holds up the other clients."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening_checks import (
    StoreSnapshot,
    assert_api_error,
    assert_serving,
    leftovers,
    parse_raw,
    read_answer,
    wait_for_no_leftovers,
)
from tests.mock_helpers import REFERENCE_TOKEN, client, listed, raw_upload, unique_bytes, upload
from tests.server_process import ServerProcess

DROPPER = "dropping-client-token"
BYSTANDER = "bystander-client-token"
# The server drops a body silent for 30 s, and a head not complete within 30 s; this is how
# long the test waits for either.
STALL_WAIT = 60.0


@pytest.fixture(scope="module")
def wire_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("hardening-clients") / "data"
    with ServerProcess(data, args=["--token", DROPPER, "--token", BYSTANDER]) as process:
        yield process


def _request(file_size: int, chunked: bool = False) -> tuple[bytes, bytes, bytes]:
    return raw_upload(DROPPER, file_size, chunked=chunked)


def _drop_points() -> dict[str, bytes]:
    size = 2_000_000
    head, part, tail = _request(size)
    chunked_head, _, _ = _request(size, chunked=True)
    data = b"\x07" * size
    return {
        "mid-request-head": head[: len(head) // 2],
        "after-request-head": head,
        "mid-part-headers": head + part[:40],
        "mid-file-data": head + part + data[: size // 4],
        "end-of-data-before-closing-boundary": head + part + data,
        "mid-closing-boundary": head + part + data + tail[:6],
        "mid-chunked-body": chunked_head + b"%x\r\n" % (len(part) + 5000) + part + data[:5000],
        "inside-a-chunk": chunked_head + b"fffff\r\n" + part + data[:1000],
    }


def test_clients_dropping_at_any_point_leave_nothing_behind(wire_server: ServerProcess) -> None:
    before = StoreSnapshot.take(wire_server, [REFERENCE_TOKEN, DROPPER])
    sockets = []
    for sent in _drop_points().values():
        sock = socket.create_connection(("127.0.0.1", wire_server.port))
        sock.sendall(sent)
        sockets.append(sock)
    # While they hang there, another client is served as usual.
    with client(wire_server, BYSTANDER) as http:
        answer = upload(http, ("bystander.txt", unique_bytes("bystander"))).json()
        assert answer["success"] is True
        assert [f["name"] for f in listed(http)] == [answer["files"][0]["name"]]
        http.post("/api/upload/delete", json={"id": listed(http)[0]["id"]})
    for sock in sockets:
        sock.close()
    wait_for_no_leftovers(wire_server)
    before.assert_unchanged(wire_server)
    assert_serving(wire_server)


def test_a_trickling_body_holds_up_no_one(wire_server: ServerProcess) -> None:
    size = 40 * 1024
    head, part, tail = _request(size)
    content = unique_bytes("trickled", size)
    answer = bytearray()
    others_done = threading.Event()
    sent = 0

    def trickle() -> None:
        nonlocal sent
        with socket.create_connection(("127.0.0.1", wire_server.port), timeout=60) as sock:
            sock.sendall(head + part)
            # A byte every 50 ms until the other client is done (bounded by the body's size),
            # then the rest at once.
            while not others_done.is_set() and sent < size - 1:
                sock.sendall(content[sent : sent + 1])
                sent += 1
                time.sleep(0.05)
            sock.sendall(content[sent:] + tail)
            answer.extend(read_answer(sock))

    slow = threading.Thread(target=trickle)
    slow.start()
    try:
        with client(wire_server, BYSTANDER) as http:
            # Served while the slow body is still arriving; a server that waited for it would
            # time these requests out.
            for n in range(20):
                response = upload(http, (f"quick-{n}.txt", unique_bytes(f"quick-{n}")))
                assert response.json()["success"] is True
                assert len(listed(http)) == n + 1
            assert 0 < sent < size - 1, "the slow body was not in flight meanwhile"
            for entry in listed(http):
                http.post("/api/upload/delete", json={"id": entry["id"]})
    finally:
        others_done.set()
        slow.join(60)
    # The slow upload itself is stored whole.
    response = parse_raw(bytes(answer))
    stored = response.json()
    assert stored["success"] is True, stored
    with client(wire_server, DROPPER) as http:
        name = stored["files"][0]["name"]
        assert http.get(f"/{name}").content == content
        http.post("/api/upload/delete", json={"id": listed(http)[0]["id"]})
    assert leftovers(wire_server) == []


def test_stalled_bodies_and_heads_are_dropped_and_leave_nothing(tmp_path: Path) -> None:
    # One wait covers all three: the server allows 30 s of silence in a body, and 30 s for a
    # request head however it trickles in.
    with ServerProcess(tmp_path / "data", args=["--token", DROPPER]) as server:
        silent = socket.create_connection(("127.0.0.1", server.port), timeout=STALL_WAIT)
        slow_head = socket.create_connection(("127.0.0.1", server.port), timeout=STALL_WAIT)
        slow_head.sendall(b"GET /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        head_answer = bytearray()

        def trickle_head() -> None:
            # A byte a second, never finishing the head (bounded by STALL_WAIT bytes).
            for _ in range(int(STALL_WAIT)):
                if select.select([slow_head], [], [], 1.0)[0]:
                    head_answer.extend(read_answer(slow_head))
                    return
                try:
                    slow_head.sendall(b"z")
                except OSError:
                    return

        trickler = threading.Thread(target=trickle_head)
        trickler.start()
        head, part, _ = _request(5_000_000)
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            # Promises 5 MB, sends 100 kB, then nothing.
            sock.sendall(head + part + b"\x01" * 100_000)
            deadline = time.monotonic() + 10
            while not leftovers(server) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert leftovers(server), "the part should be streaming to disk"
            # Meanwhile everyone else is served.
            assert_serving(server)
            sock.settimeout(STALL_WAIT)
            answer = read_answer(sock)
        assert "stalled" in assert_api_error(parse_raw(answer), 400)
        trickler.join(STALL_WAIT)
        with silent, slow_head:
            assert "in time" in assert_api_error(parse_raw(bytes(head_answer)), 408)
            assert "in time" in assert_api_error(parse_raw(read_answer(silent)), 408)
        wait_for_no_leftovers(server)
        with client(server, DROPPER) as http:
            assert listed(http) == []
        assert_serving(server)
