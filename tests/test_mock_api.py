"""The mock server's API against a real process: the reference's example, listing, accounts,
deleting, errors in the API's own shape, the Prefer header, CORS and the Swagger UI."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.mock_helpers import (
    REFERENCE_TOKEN,
    client,
    fresh_token,
    listed,
    path_of,
    png_bytes,
    token_args,
    unique_bytes,
    upload,
)
from tests.openapi_walk import load_spec, operations
from tests.server_process import ServerProcess

SPEC = load_spec()
PUBLIC_URL = "https://discordimages.com"


def example(response: str, name: str) -> Any:
    content = SPEC["components"]["responses"][response]["content"]["application/json"]
    return content["examples"][name]["value"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose URLs start with the reference's host, with one account per test."""
    data = tmp_path_factory.mktemp("mock-api") / "data"
    # No site folder, whether or not this checkout has a built one.
    args = ["--public-url", PUBLIC_URL, "--site-dir", str(data.parent / "no-site"), *token_args()]
    with ServerProcess(data, args=args) as process:
        yield process


@pytest.fixture
def account(api: ServerProcess) -> Iterator[httpx.Client]:
    with client(api, fresh_token()) as http:
        yield http


@pytest.fixture
def reference(api: ServerProcess) -> Iterator[httpx.Client]:
    with client(api, REFERENCE_TOKEN) as http:
        yield http


# The reference's example ---------------------------------------------------------------


def test_reference_curl_example_returns_the_references_example_response(
    reference: httpx.Client,
) -> None:
    response = reference.get("/api/uploads")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == example("UploadList", "reference")
    # Key order too: readers compare it with the real server's answers.
    expected_order = [list(f) for f in example("UploadList", "reference")["files"]]
    assert [list(f) for f in response.json()["files"]] == expected_order


def test_seeded_files_are_real_and_served_with_their_type(reference: httpx.Client) -> None:
    for entry in listed(reference):
        served = reference.get(path_of(entry["file"]))
        assert served.status_code == 200, entry
        kind = served.headers["content-type"]
        if entry["extname"] == ".txt":
            assert kind.startswith("text/plain")
        else:
            assert kind.startswith("image/"), kind
        if "thumb" in entry:
            thumb = reference.get(path_of(entry["thumb"]))
            assert thumb.status_code == 200
            assert thumb.headers["content-type"] == "image/png"
            assert thumb.content.startswith(b"\x89PNG")


def test_first_page_is_the_same_as_page_zero(reference: httpx.Client) -> None:
    assert listed(reference) == listed(reference, 0)
    assert listed(reference, 1) == []


# Listing and accounts ---------------------------------------------------------------------


def test_pagination_at_0_25_and_26_files(account: httpx.Client) -> None:
    assert listed(account) == []
    files = [(f"f{n}.txt", unique_bytes(f"page-{n}")) for n in range(25)]
    answer = upload(account, *files).json()
    assert answer["success"] is True and len(answer["files"]) == 25
    first = listed(account, 0)
    assert len(first) == 25
    assert listed(account, 1) == []

    upload(account, ("last.txt", unique_bytes("page-last")))
    first, second = listed(account, 0), listed(account, 1)
    assert (len(first), len(second)) == (25, 1)
    ids = [entry["id"] for entry in first + second]
    assert ids == sorted(ids, reverse=True), "newest first"
    assert first[0]["name"] == listed(account)[0]["name"]
    assert listed(account, 2) == []


def test_new_uploads_get_ids_above_the_seeded_ones(account: httpx.Client) -> None:
    upload(account, ("a.txt", unique_bytes("ids")))
    assert listed(account)[0]["id"] > 1222


def test_listed_fields_are_formatted_like_the_real_server(account: httpx.Client) -> None:
    before = int(time.time())
    upload(account, ("Photo.Tar.GZ", unique_bytes("fmt", 2069)))
    entry = listed(account)[0]
    assert entry["size"] == "2.07 kB"
    assert entry["extname"] == ".tar.gz"
    assert entry["name"].endswith(".Tar.GZ"), "the name keeps the extension's case"
    assert entry["file"] == f"{PUBLIC_URL}/{entry['name']}"
    assert "thumb" not in entry
    assert before <= entry["timestamp"] <= time.time() + 1
    assert entry["albumid"] is None and entry["album"] == ""


def test_accounts_are_isolated(api: ServerProcess) -> None:
    with client(api, fresh_token()) as alice, client(api, fresh_token()) as bob:
        answer = upload(alice, ("secret.txt", b"alice's bytes")).json()
        assert answer["success"] is True
        assert listed(bob) == []
        entry = listed(alice)[0]
        refused = bob.post("/api/upload/delete", json={"id": entry["id"]})
        assert refused.json() == {"success": False, "description": "Could not delete any files."}
        assert listed(alice) == [entry]
        # The same content from another account is that account's own new upload.
        again = upload(bob, ("secret.txt", b"alice's bytes")).json()["files"][0]
        assert isinstance(again["size"], int) and again["name"] != entry["name"]


def test_delete_removes_the_entry_the_file_and_the_thumbnail(
    api: ServerProcess, account: httpx.Client
) -> None:
    name = upload(account, ("pic.png", png_bytes(color="#123456"))).json()["files"][0]["name"]
    entry = listed(account)[0]
    assert account.get(path_of(entry["thumb"])).status_code == 200
    deleted = account.post("/api/upload/delete", json={"id": entry["id"]})
    assert deleted.json() == {"success": True, "failed": []}
    assert listed(account) == []
    assert account.get(f"/{name}").json() == {"success": False, "description": "File not found."}
    assert account.get(path_of(entry["thumb"])).status_code == 404
    assert not (api.data_dir / "files" / name).exists()
    again = account.post("/api/upload/delete", json={"id": entry["id"]})
    assert again.json() == {"success": False, "description": "Could not delete any files."}


def test_delete_without_an_id(account: httpx.Client) -> None:
    answer = account.post("/api/upload/delete", json={})
    assert answer.status_code == 200
    assert answer.json() == {"success": False, "description": "No array of files specified."}


def test_check_needs_no_token(api: ServerProcess) -> None:
    with client(api) as anonymous:
        answer = anonymous.get("/api/check")
    assert answer.json() == {"private": True, "maxFileSize": "512MB", "chunkedUploads": False}


def test_verify_token(api: ServerProcess) -> None:
    with client(api) as anonymous:
        valid = anonymous.post("/api/tokens/verify", json={"token": REFERENCE_TOKEN})
        assert valid.json() == {"success": True, "username": "tester"}
        unknown = anonymous.post("/api/tokens/verify", json={"token": "nope"})
        assert unknown.status_code == 401
        assert unknown.json() == {"success": False, "description": "Invalid token."}
        missing = anonymous.post("/api/tokens/verify", json={})
        assert missing.status_code == 401
        assert missing.json() == {"success": False, "description": "No token provided."}


# Auth: the real 401 bodies on every protected operation -------------------------------

PROTECTED = [
    ("GET", "/api/uploads", {}),
    ("GET", "/api/uploads/0", {}),
    ("POST", "/api/upload", {"files": [("files[]", ("a.txt", b"x"))]}),
    ("POST", "/api/upload/delete", {"json": {"id": 1222}}),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=[p[1] for p in PROTECTED])
@pytest.mark.parametrize(
    ("token", "description"),
    [(None, "No token provided."), ("not-a-token", "Invalid token."), ("", "No token provided.")],
    ids=["missing", "unknown", "empty"],
)
def test_401_bodies_are_the_real_servers(
    api: ServerProcess,
    method: str,
    path: str,
    body: dict[str, Any],
    token: str | None,
    description: str,
) -> None:
    with client(api, token) as http:
        if token == "":
            http.headers["token"] = ""
        answer = http.request(method, path, **body)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"success": False, "description": description}


def test_seeded_upload_survives_another_accounts_delete(reference: httpx.Client) -> None:
    assert [e["id"] for e in listed(reference)] == [1222, 1180, 1142, 1126, 1125, 1080]


# Errors in the API's shape ------------------------------------------------------------


def assert_api_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"success", "description"} and body["success"] is False
    assert "Traceback" not in body["description"]
    return str(body["description"])


def test_page_validation_errors(reference: httpx.Client) -> None:
    negative = assert_api_error(reference.get("/api/uploads/-1"), 400)
    documented = SPEC["paths"]["/api/uploads/{page}"]["get"]["responses"]["400"]
    assert (
        negative
        == documented["content"]["application/json"]["examples"]["badPage"]["value"]["description"]
    )
    assert "page" in assert_api_error(reference.get("/api/uploads/abc"), 400)
    assert listed(reference, 10**30) == []


def test_unknown_paths_and_methods(reference: httpx.Client) -> None:
    assert assert_api_error(reference.get("/no/such/path"), 404)
    assert assert_api_error(reference.get("/NoSuchFile.jpg"), 404) == "File not found."
    assert assert_api_error(reference.get("/thumbs/NoSuch.png"), 404) == "File not found."
    wrong = reference.put("/api/uploads")
    assert_api_error(wrong, 405)
    assert "GET" in wrong.headers["allow"]
    assert_api_error(reference.request("TRACE", "/api/uploads"), 405)


def test_bad_bodies(reference: httpx.Client) -> None:
    not_json = reference.post(
        "/api/upload/delete", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert_api_error(not_json, 400)
    wrong_type = reference.post("/api/upload/delete", json={"id": "twelve"})
    assert "id" in assert_api_error(wrong_type, 400)
    json_upload = reference.post("/api/upload", json={"files[]": ["x"]})
    assert_api_error(json_upload, 400)
    no_boundary = reference.post(
        "/api/upload", content=b"xx", headers={"content-type": "multipart/form-data"}
    )
    assert_api_error(no_boundary, 400)
    garbage = reference.post(
        "/api/upload",
        content=b"this is not multipart",
        headers={"content-type": "multipart/form-data; boundary=abc"},
    )
    assert_api_error(garbage, 400)


# For client developers: Prefer, CORS, Swagger UI ----------------------------------------


def test_prefer_code_answers_the_documented_example(api: ServerProcess) -> None:
    with client(api) as anonymous:
        forced = anonymous.get("/api/uploads", headers={"Prefer": "code=401"})
    assert forced.status_code == 401
    assert forced.json() == example("Unauthorized", "noToken")


def test_prefer_example_by_name(reference: httpx.Client) -> None:
    invalid = reference.get("/api/uploads", headers={"Prefer": "example=invalidToken"})
    assert (invalid.status_code, invalid.json()) == (401, example("Unauthorized", "invalidToken"))
    empty = reference.get("/api/uploads", headers={"Prefer": "code=200, example=empty"})
    assert (empty.status_code, empty.json()) == (200, {"success": True, "files": []})


def test_prefer_examples_name_this_server(shared_server: ServerProcess) -> None:
    with client(shared_server, REFERENCE_TOKEN) as http:
        forced = http.get("/api/uploads", headers={"Prefer": "example=reference"})
    files = forced.json()["files"]
    assert len(files) == len(example("UploadList", "reference")["files"])
    assert all(f["file"].startswith(shared_server.base_url + "/") for f in files), files


def test_prefer_never_touches_the_store(account: httpx.Client) -> None:
    prefer = {"Prefer": "example=tooLarge"}
    forced = upload(account, ("kept.txt", unique_bytes("prefer")), headers=prefer)
    assert forced.json() == {"success": False, "description": "Error: File too large"}
    assert listed(account) == []
    pretend = upload(account, ("kept.txt", b"x"), headers={"Prefer": "example=uploaded"})
    assert pretend.json()["files"][0]["url"] == f"{PUBLIC_URL}/ip2jx.jpg"
    assert listed(account) == []


def test_prefer_unknown_example_is_an_api_error(reference: httpx.Client) -> None:
    answer = reference.get("/api/uploads", headers={"Prefer": "example=noSuchExample"})
    assert "reference" in assert_api_error(answer, 400)


def test_prefer_delay(reference: httpx.Client) -> None:
    started = time.monotonic()
    answer = reference.get("/api/uploads", headers={"Prefer": "delay=400"})
    assert time.monotonic() - started >= 0.4
    assert answer.json() == example("UploadList", "reference")


def test_cors_preflight_and_simple_requests(reference: httpx.Client) -> None:
    preflight = reference.options(
        "/api/upload",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "token, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "token" in preflight.headers["access-control-allow-headers"].lower()
    simple = reference.get("/api/uploads", headers={"Origin": "http://localhost:3000"})
    assert simple.headers["access-control-allow-origin"] == "*"
    refused = reference.get("/api/uploads", headers={"Origin": "http://x", "token": "bad"})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*", "errors are readable too"


def test_swagger_ui_and_the_spec_are_served(reference: httpx.Client) -> None:
    ui = reference.get("/api/ui/")
    assert ui.status_code == 200
    assert "swagger-ui" in ui.text
    spec = reference.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["paths"].keys() == SPEC["paths"].keys()


def test_every_operation_id_resolves_to_a_handler() -> None:
    from discord_images_mock.handlers import RESOURCES

    handled = [op for resource in RESOURCES for op in resource.OPERATIONS]
    assert sorted(handled) == sorted(op["operationId"] for _, _, op in operations(SPEC))
    for resource in RESOURCES:
        for operation_id in resource.OPERATIONS:
            assert callable(getattr(resource, operation_id)), operation_id


def test_site_is_served_at_docs_when_built(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>reference</h1>")
    (site / "404.html").write_text("missing")
    args = ["--site-dir", str(site)]
    with ServerProcess(tmp_path / "data", args=args) as process, client(process) as http:
        assert http.get("/").headers["location"] == "/docs/"
        assert http.get("/docs/").text == "<h1>reference</h1>"
        assert http.get("/docs", follow_redirects=True).text == "<h1>reference</h1>"
        assert http.get("/api/check").status_code == 200
        assert http.get("/api/ui/").status_code == 200


def test_front_page_and_docs_without_a_built_site(reference: httpx.Client) -> None:
    front = reference.get("/")
    assert (front.status_code, front.headers["location"]) == (307, "/api/ui/")
    assert_api_error(reference.get("/docs/"), 404)
    assert_api_error(reference.get("/docs/index.html"), 404)


def test_every_message_the_mock_can_give_is_listed_in_the_spec() -> None:
    from discord_images_mock import errors

    listed = load_spec()["components"]["schemas"]["Error"]["description"]
    fixed = [
        cls.description
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.ApiError)
        and cls is not errors.ApiError
        # 400s say what is wrong with the request in their own words (the spec says so).
        and cls.status_code != 400
        and "description" in vars(cls)
    ]
    assert len(fixed) >= 10
    for message in fixed:
        assert f"`{message}`" in listed, message


# What each documented 400 example is the answer to.
BAD_REQUESTS = {
    ("/api/tokens/verify", "tokenNotString"): {"json": {"token": 5}},
    ("/api/upload/delete", "idNotInteger"): {"json": {"id": "abc"}},
    ("/api/upload", "notMultipart"): {"json": {}},
}


@pytest.mark.parametrize(("path", "name"), list(BAD_REQUESTS), ids=[n for _, n in BAD_REQUESTS])
def test_documented_400_examples_are_what_the_mock_answers(
    reference: httpx.Client, path: str, name: str
) -> None:
    documented = SPEC["paths"][path]["post"]["responses"]["400"]["content"]["application/json"]
    answer = assert_api_error(reference.post(path, **BAD_REQUESTS[(path, name)]), 400)
    assert answer == documented["examples"][name]["value"]["description"]
