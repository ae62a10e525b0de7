"""Auth: tokens are compared in constant time and never written down in clear (not in the
database, not in the log), and no token can list, delete or otherwise reach another account's
uploads. The mock has no admin view: every token sees only its own account."""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.hardening_checks import StoreSnapshot, all_uploads, assert_api_error, assert_serving
from tests.mock_helpers import REFERENCE_TOKEN, client, path_of, png_bytes, unique_bytes, upload
from tests.server_process import ServerProcess

OWNER = "owner-secret-7f3a9c1e5b"
INTRUDER = "intruder-secret-2d8e4b6a0c"
GUESSES = ["owner-secret-7f3a9c1e5", "owner-secret-7f3a9c1e5bX", "OWNER-SECRET-7F3A9C1E5B"]


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("hardening-auth") / "data"
    with ServerProcess(data, args=["--token", OWNER, "--token", INTRUDER]) as process:
        yield process


def test_tokens_are_compared_in_constant_time() -> None:
    # Timing cannot be measured reliably in a test; what the code does can be read. A token
    # is only ever hashed, and the digest compared with hmac.compare_digest: no comparison
    # of a client's token stops early at its first wrong character.
    storage = _mock_source("storage.py")
    lookup = next(
        ast.get_source_segment(storage, node) or ""
        for node in ast.walk(ast.parse(storage))
        if isinstance(node, ast.FunctionDef) and node.name == "user_for_token"
    )
    assert "compare_digest" in lookup and "token_digest(token)" in lookup
    for source in (storage, _mock_source("auth.py")):
        assert "token ==" not in source and "== token" not in source
        assert "token_hash ==" not in source and "startswith(token" not in source


def _mock_source(module: str) -> str:
    # Read, not imported: the server's code is only ever run as the server process.
    spec = importlib.util.find_spec("discord_images_mock")
    assert spec is not None and spec.origin is not None
    return (Path(spec.origin).parent / module).read_text()


def test_tokens_are_never_stored_in_clear(accounts: ServerProcess) -> None:
    with client(accounts, OWNER) as http:
        assert http.get("/api/uploads").status_code == 200
    for path in accounts.data_dir.glob("discord-images.sqlite3*"):
        content = path.read_bytes()
        assert OWNER.encode() not in content and INTRUDER.encode() not in content, path.name


def test_tokens_never_reach_the_log(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", args=["--token", OWNER, "--token", INTRUDER])
    with server:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            for token in [OWNER, INTRUDER, *GUESSES, "x" * 5000]:
                http.get("/api/uploads", headers={"token": token})
                http.get("/api/uploads/-1", headers={"token": token})
                http.post("/api/tokens/verify", json={"token": token})
                http.post("/api/upload", headers={"token": token}, content=b"junk")
                http.post("/api/upload/delete", headers={"token": token}, json={"id": "x"})
                http.post(
                    "/api/upload",
                    headers={"token": token, "content-type": "multipart/form-data; boundary=b"},
                    content=b"--b\r\nbroken",
                )
    log = server.log()
    assert log, "the server's output is captured"
    for secret in [OWNER, INTRUDER, *GUESSES, "x" * 100]:
        assert secret not in log, f"a token reached the log:\n{log[-2000:]}"


def test_no_token_reaches_another_accounts_uploads(accounts: ServerProcess) -> None:
    shared_content = unique_bytes("both-accounts-upload-this")
    with client(accounts, OWNER) as owner, client(accounts, INTRUDER) as intruder:
        mine = upload(owner, ("private.png", png_bytes()), ("notes.txt", shared_content)).json()
        assert mine["success"] is True, mine
        before = StoreSnapshot.take(accounts, [OWNER, REFERENCE_TOKEN])
        owned = before.listings[OWNER] + before.listings[REFERENCE_TOKEN]

        # Listing: every page of the intruder's list holds none of it.
        assert all_uploads(intruder) == []
        for page in range(3):
            assert intruder.get(f"/api/uploads/{page}").json() == {"success": True, "files": []}

        # Deleting: every id of the other accounts is answered like an unknown one.
        for entry in owned:
            refused = intruder.post("/api/upload/delete", json={"id": entry["id"]})
            assert assert_api_error(refused, 200) == "Could not delete any files."

        # The same content is the intruder's own upload, under its own name: deleting it
        # leaves the owner's copy alone (the duplicate rule is per account).
        copy = upload(intruder, ("notes.txt", shared_content)).json()["files"][0]
        assert isinstance(copy["size"], int), "not answered as the owner's duplicate"
        owner_copy = next(f for f in before.listings[OWNER] if f["name"].endswith(".txt"))
        assert copy["name"] != owner_copy["name"]
        (listed_copy,) = all_uploads(intruder)
        assert intruder.post("/api/upload/delete", json={"id": listed_copy["id"]}).json()["success"]
        assert owner.get(path_of(owner_copy["file"])).content == shared_content

        # Verifying a token names only that token's account.
        names = {
            token: httpx.post(
                f"{accounts.base_url}/api/tokens/verify", json={"token": token}
            ).json()["username"]
            for token in (OWNER, INTRUDER, REFERENCE_TOKEN)
        }
        assert len(set(names.values())) == 3, names

        before.assert_unchanged(accounts)
        assert_serving(accounts)


@pytest.mark.parametrize("token", [None, "", *GUESSES])
def test_missing_or_wrong_tokens_reach_nothing(accounts: ServerProcess, token: str | None) -> None:
    headers = {} if token is None else {"token": token}
    before = StoreSnapshot.take(accounts, [OWNER, REFERENCE_TOKEN])
    with httpx.Client(base_url=accounts.base_url, headers=headers, timeout=10) as http:
        for response in (
            http.get("/api/uploads"),
            http.get("/api/uploads/0"),
            http.post("/api/upload/delete", json={"id": before.listings[OWNER][0]["id"]}),
            upload(http, ("sneaky.txt", unique_bytes("sneaky"))),
        ):
            description = assert_api_error(response, 401)
            assert description in ("No token provided.", "Invalid token.")
    before.assert_unchanged(accounts)


def test_anonymous_uploads_of_a_public_server_belong_to_no_account(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data", args=["--public", "--token", OWNER]) as server:
        with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
            answer = upload(anonymous, ("anon.txt", unique_bytes("anonymous"))).json()
            assert answer["success"] is True, answer
            # Anonymous clients can upload, but list or delete nothing.
            assert_api_error(anonymous.get("/api/uploads"), 401)
            assert_api_error(anonymous.post("/api/upload/delete", json={"id": 1}), 401)
        for token in (OWNER, REFERENCE_TOKEN):
            with client(server, token) as http:
                names = [f["name"] for f in all_uploads(http)]
                assert answer["files"][0]["name"] not in names
