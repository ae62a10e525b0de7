"""`discord-images-mock` as operators run it: options, environment variables, and one-line
errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mock_helpers import client, listed, unique_bytes, upload
from tests.server_process import ServerProcess, free_port

COMMAND = [sys.executable, "-m", "discord_images_mock"]


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=30,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--no-such-option"], "--no-such-option"),
        (["--port", "70000"], "70000"),
        (["--max-size", "lots"], "lots"),
        (["--timezone", "Mars/Olympus"], "Mars/Olympus"),
        (["--name-length", "0"], "--name-length"),
    ],
)
def test_a_bad_option_is_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    assert_one_line_error(run(*args, cwd=tmp_path), needle)


def test_a_bad_environment_variable_is_one_line(tmp_path: Path) -> None:
    result = run(cwd=tmp_path, env={"DISCORD_IMAGES_MOCK_PORT": "not-a-port"})
    assert_one_line_error(result, "not-a-port")


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run("--port", port, "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert_one_line_error(result, port)


def test_an_unwritable_data_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    result = run("--port", str(free_port()), "--data-dir", "blocker/data", cwd=tmp_path)
    assert_one_line_error(result, "blocker")


def test_it_prints_where_it_listens_and_the_token(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data") as server:
        with client(server, "images_api") as http:
            assert http.get("/api/check").status_code == 200
    printed = server.log()
    assert f"http://127.0.0.1:{server.port}" in printed
    assert "images_api" in printed


def test_options_from_environment_variables(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "DISCORD_IMAGES_MOCK_PUBLIC_URL": "https://files.example.test",
        "DISCORD_IMAGES_MOCK_TOKEN": "env-token-one, env-token-two",
        "DISCORD_IMAGES_MOCK_NAME_LENGTH": "9",
        "DISCORD_IMAGES_MOCK_MAX_SIZE": "2MB",
        "DISCORD_IMAGES_MOCK_TIMEZONE": "UTC",
        "DISCORD_IMAGES_MOCK_PUBLIC": "1",
    }
    # ServerProcess passes --host/--port/--data-dir; the rest only through the environment.
    with ServerProcess(tmp_path / "data", env=env, port=port) as server:
        with client(server, "env-token-two") as http:
            assert http.get("/api/check").json() == {
                "private": False,
                "maxFileSize": "2MB",
                "chunkedUploads": False,
            }
            name = upload(http, ("a.txt", unique_bytes("env"))).json()["files"][0]["name"]
            assert len(name.split(".")[0]) == 9
            entry = listed(http)[0]
            assert entry["file"] == f"https://files.example.test/{name}"
        with client(server, "images_api") as http:
            assert listed(http)[0]["date"] == "2018-12-4 21:23:22", "UTC, not New York"


def test_tokens_never_reach_the_log(tmp_path: Path) -> None:
    secret = "super-secret-token-value"
    with ServerProcess(tmp_path / "data", args=["--token", secret]) as server:
        with client(server, secret) as http:
            upload(http, ("a.txt", b"x"))
        with client(server, "wrong-" + secret) as http:
            assert http.get("/api/uploads").status_code == 401
    assert secret not in server.log()


def test_fresh_discards_uploads_and_reseeds(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data") as server:
        with client(server, "images_api") as http:
            upload(http, ("a.txt", unique_bytes("fresh")))
            deleted = http.post("/api/upload/delete", json={"id": 1222}).json()
            assert deleted["success"] is True
            assert len(listed(http)) == 6
        server.stop()
        server.args = ["--fresh"]
        server.start()
        with client(server, "images_api") as http:
            assert [e["id"] for e in listed(http)] == [1222, 1180, 1142, 1126, 1125, 1080]
    leftovers = {p.name for p in (tmp_path / "data" / "files").iterdir()}
    assert leftovers == {
        "UGRmm.jpg",
        "3y8qD.txt",
        "PpuoP.jpeg",
        "Q6lM7.png",
        "zfhFD.png",
        "yQyXo.jpeg",
    }


def test_a_deleted_seed_upload_stays_deleted_after_a_restart(server: ServerProcess) -> None:
    with client(server, "images_api") as http:
        assert http.post("/api/upload/delete", json={"id": 1180}).json()["success"] is True
    server.restart()
    with client(server, "images_api") as http:
        assert 1180 not in [e["id"] for e in listed(http)]


def test_a_data_folder_that_is_not_a_store_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "discord-images.sqlite3").write_bytes(b"not a database, just bytes" * 100)
    result = run("--port", str(free_port()), "--data-dir", str(data), cwd=tmp_path)
    assert_one_line_error(result, "discord-images.sqlite3")
