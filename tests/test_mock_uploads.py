"""Uploading to the mock server: real multipart bodies, real files, the real server's answers,
and nothing left behind by a failure or a dropped connection."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from tests.mock_helpers import (
    client,
    fresh_token,
    listed,
    path_of,
    png_bytes,
    raw_upload,
    stored_files,
    token_args,
    unique_bytes,
    upload,
    wait_until,
)
from tests.server_process import ServerProcess

MAX_SIZE = 64_000


@pytest.fixture(scope="module")
def uploads_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("mock-uploads") / "data"
    with ServerProcess(data, args=["--max-size", "64kB", *token_args()]) as process:
        yield process


@pytest.fixture
def account(uploads_server: ServerProcess) -> Iterator[httpx.Client]:
    with client(uploads_server, fresh_token()) as http:
        yield http


def failure(description: str) -> dict[str, object]:
    return {"success": False, "description": description}


def test_multi_file_upload_then_list_then_download(account: httpx.Client) -> None:
    sent = [
        ("notes.txt", unique_bytes("notes", 300)),
        ("picture.png", png_bytes(color="#aa0000")),
        ("archive.bin", unique_bytes("bin", 5000)),
    ]
    answer = upload(account, *sent)
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True
    files = body["files"]
    assert [f["size"] for f in files] == [len(data) for _, data in sent], "in request order"
    for entry, (original, data) in zip(files, sent, strict=True):
        base, ext = entry["name"].split(".", 1)
        assert len(base) == 5 and base.isalnum() and base.isascii()
        assert f".{ext}" == original[original.index(".") :]
        assert entry["url"] == f"{account.base_url}/{entry['name']}"
        served = account.get(path_of(entry["url"]))
        assert served.content == data
    assert account.get(path_of(files[1]["url"])).headers["content-type"] == "image/png"
    listing = listed(account)
    assert [e["name"] for e in listing] == [f["name"] for f in reversed(files)]


def test_image_uploads_get_a_200x200_png_thumbnail(account: httpx.Client) -> None:
    import io

    upload(account, ("wide.png", png_bytes((640, 120), "#00aa55")), ("a.txt", b"text only"))
    text, image = listed(account)
    assert "thumb" not in text
    thumb = account.get(path_of(image["thumb"]))
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(thumb.content)) as picture:
        assert picture.format == "PNG"
        assert picture.size == (200, 200)


def test_a_file_that_only_claims_to_be_an_image_has_no_thumbnail(account: httpx.Client) -> None:
    answer = upload(account, ("fake.png", b"this is not a PNG at all"))
    assert answer.json()["success"] is True
    entry = listed(account)[0]
    assert account.get(path_of(entry["thumb"])).json() == failure("File not found.")
    assert account.get(path_of(entry["file"])).content == b"this is not a PNG at all"


def test_duplicates_return_the_existing_entry_with_size_as_string(account: httpx.Client) -> None:
    data = unique_bytes("dup", 2069)
    first = upload(account, ("one.jpg", data)).json()["files"][0]
    second = upload(account, ("other-name.txt", data)).json()
    assert second == {
        "success": True,
        "files": [{"name": first["name"], "size": "2069", "url": first["url"]}],
    }
    assert len(listed(account)) == 1


def test_same_content_twice_in_one_request_is_stored_once(account: httpx.Client) -> None:
    data = unique_bytes("twice")
    files = upload(account, ("a.txt", data), ("b.txt", data)).json()["files"]
    assert files[0]["name"] == files[1]["name"]
    assert (files[0]["size"], files[1]["size"]) == (len(data), str(len(data)))
    assert len(listed(account)) == 1


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("setup.exe", "EXE files are not permitted due to security reasons."),
        ("SETUP.EXE", "EXE files are not permitted due to security reasons."),
        ("run.Bat", "BAT files are not permitted due to security reasons."),
        ("x.bash_profile", "BASH_PROFILE files are not permitted due to security reasons."),
        ("tool.jar", "JAR files are not permitted due to security reasons."),
    ],
)
def test_blocked_extensions(
    uploads_server: ServerProcess, account: httpx.Client, filename: str, message: str
) -> None:
    before = stored_files(uploads_server)
    answer = upload(account, ("fine.txt", unique_bytes("ok")), (filename, b"MZ..."))
    assert (answer.status_code, answer.json()) == (200, failure(message))
    assert listed(account) == [], "the whole request fails, like the real server's"
    assert stored_files(uploads_server) == before


def test_no_files(account: httpx.Client) -> None:
    assert account.post("/api/upload").json() == failure("No files.")
    text_field = account.post("/api/upload", files={"files[]": (None, "just text")})
    assert text_field.json() == failure("No files.")
    nameless = account.post("/api/upload", data={"other": "field"}, files={"x": (None, "y")})
    assert nameless.json() == failure("No files.")


def test_unexpected_field(account: httpx.Client) -> None:
    answer = upload(account, ("a.txt", b"abc"), field="file")
    assert (answer.status_code, answer.json()) == (200, failure("Error: Unexpected field"))


def test_size_limit(uploads_server: ServerProcess, account: httpx.Client) -> None:
    before = stored_files(uploads_server)
    too_large = upload(account, ("big.bin", unique_bytes("big", MAX_SIZE + 1)))
    assert (too_large.status_code, too_large.json()) == (200, failure("Error: File too large"))
    assert stored_files(uploads_server) == before
    assert listed(account) == []
    at_limit = upload(account, ("max.bin", unique_bytes("max", MAX_SIZE)))
    assert at_limit.json()["files"][0]["size"] == MAX_SIZE
    assert account.get("/api/check").json()["maxFileSize"] == "64KB"


def test_client_file_names_never_become_paths(
    uploads_server: ServerProcess, account: httpx.Client
) -> None:
    hostile = ["../../escape.txt", "..\\..\\win.txt", "/etc/passwd", "a/../../b.png", "x.\x01y"]
    files = upload(account, *[(name, unique_bytes(name)) for name in hostile]).json()["files"]
    names = [f["name"] for f in files]
    assert all("/" not in n and "\\" not in n and ".." not in n for n in names), names
    assert not (uploads_server.data_dir.parent / "escape.txt").exists()
    assert {f"files/{n}" for n in names} <= stored_files(uploads_server)


def _start_upload(server: ServerProcess, token: str, promised: int, sent: int) -> socket.socket:
    """A multipart upload that promises `promised` bytes of file and sends `sent` of them."""
    head, part, _ = raw_upload(token, promised)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(head + part + b"\0" * sent)
    return sock


def test_dropped_connection_mid_upload_leaves_nothing_behind(tmp_path: object) -> None:
    from pathlib import Path

    token = "dropping-client"
    data = Path(str(tmp_path)) / "data"
    with ServerProcess(data, args=["--token", token]) as server:
        before = stored_files(server)
        sock = _start_upload(server, token, promised=20_000_000, sent=2_000_000)
        # The part is streamed to disk as it arrives...
        assert wait_until(lambda: any(".partial-" in f for f in stored_files(server)))
        sock.close()
        # ...and removed once the client is gone.
        assert wait_until(lambda: stored_files(server) == before), stored_files(server)
        with client(server, token) as http:
            assert listed(http) == []
            assert http.get("/api/check").status_code == 200, "still serving"


def test_uploads_survive_a_restart(server: ServerProcess) -> None:
    data = unique_bytes("persist", 4000)
    with client(server, "images_api") as http:
        stored = upload(http, ("kept.txt", data)).json()["files"][0]
    server.restart()
    with client(server, "images_api") as http:
        listing = listed(http)
        assert listing[0]["name"] == stored["name"]
        assert len(listing) == 7
        assert http.get(f"/{stored['name']}").content == data
        duplicate = upload(http, ("again.txt", data)).json()["files"][0]
        assert duplicate["size"] == str(len(data)), "the restarted store still knows its hashes"
        newer = upload(http, ("new.txt", unique_bytes("after-restart"))).json()["files"][0]
        assert listed(http)[0]["name"] == newer["name"]


def test_public_mode_accepts_anonymous_uploads(tmp_path: object) -> None:
    from pathlib import Path

    with ServerProcess(Path(str(tmp_path)) / "data", args=["--public"]) as server:
        with client(server) as anonymous:
            assert anonymous.get("/api/check").json()["private"] is False
            data = unique_bytes("anonymous")
            answer = upload(anonymous, ("anon.txt", data)).json()
            assert answer["success"] is True
            assert anonymous.get(f"/{answer['files'][0]['name']}").content == data
            assert anonymous.get("/api/uploads").status_code == 401, "listing still needs a token"
        with client(server, "images_api") as owner:
            assert answer["files"][0]["name"] not in {e["name"] for e in listed(owner)}


def test_private_mode_refuses_anonymous_uploads(account: httpx.Client) -> None:
    anonymous = httpx.post(
        f"{account.base_url}/api/upload", files={"files[]": ("a.txt", b"anonymous")}
    )
    assert (anonymous.status_code, anonymous.json()) == (401, failure("No token provided."))


def test_upload_md5_is_of_the_whole_streamed_file(account: httpx.Client) -> None:
    # Bigger than one network read, so the hash spans many chunks.
    data = hashlib.sha512(b"seed").digest() * 900
    first = upload(account, ("chunks.bin", data)).json()["files"][0]
    changed = data[:-1] + b"!"
    second = upload(account, ("chunks.bin", changed)).json()["files"][0]
    assert first["name"] != second["name"], "a different last byte is different content"
    assert upload(account, ("again.bin", data)).json()["files"][0]["name"] == first["name"]
