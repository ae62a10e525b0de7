"""Auth on every protected operation: no token is 401 "No token provided.", a wrong one is 401
"Invalid token."; and the token check endpoint itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from discord_images_contract.client import ApiClient, Exchange, expect
from discord_images_contract.options import Target
from discord_images_contract.payloads import text_file
from discord_images_contract.spec import spec_path

NO_TOKEN = "No token provided."
INVALID_TOKEN = "Invalid token."
WRONG_TOKEN = "not-a-real-token-discord-images-contract"
METHODS = ("get", "post", "put", "delete", "patch")

# How to call each operation harmlessly; id 0 names no upload, so nothing can be deleted.
CALLS: dict[str, Callable[[ApiClient, bool], Exchange]] = {
    "list_uploads": lambda api, auth: api.request("GET", "/api/uploads", authenticated=auth),
    "list_uploads_page": lambda api, auth: api.request("GET", "/api/uploads/0", authenticated=auth),
    "upload_files": lambda api, auth: api.request(
        "POST", "/api/upload", files=[("files[]", *text_file("auth"))], authenticated=auth
    ),
    "delete_upload": lambda api, auth: api.request(
        "POST", "/api/upload/delete", json_body={"id": 0}, authenticated=auth
    ),
}
WRITING = {"upload_files"}


def protected_operations() -> list[str]:
    """Operations that need a token, as openapi.yaml declares them."""
    spec: dict[str, Any] = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    default = spec.get("security", [])
    found = []
    for item in spec["paths"].values():
        for method in METHODS:
            operation = item.get(method)
            if operation is not None and operation.get("security", default):
                found.append(operation["operationId"])
    return found


def _refused(exchange: Exchange, message: str) -> bool:
    payload = exchange.json()
    return exchange.status == 401 and payload == {"success": False, "description": message}


@pytest.mark.parametrize("operation_id", protected_operations())
def test_auth_enforced(
    operation_id: str, api: ApiClient, target: Target, limits: dict[str, Any]
) -> None:
    if operation_id not in CALLS:
        pytest.fail(f"no harmless call known for the protected operation {operation_id}")
    if operation_id in WRITING and target.read_only:
        pytest.skip("--read-only: a server that ignores auth would store the file")
    if operation_id in WRITING and limits.get("private") is False:
        # A file stored anonymously could not be deleted with the run's token.
        pytest.skip("GET /api/check says this deployment accepts uploads without a token")
    call = CALLS[operation_id]
    wrong = api.with_token(WRONG_TOKEN, "wrong")
    invalid = call(wrong, True)
    expect(
        _refused(invalid, INVALID_TOKEN),
        f'{operation_id} with an unknown token must answer 401 "{INVALID_TOKEN}"',
        invalid,
    )
    anonymous = call(api, False)
    expect(
        _refused(anonymous, NO_TOKEN),
        f'{operation_id} without a token must answer 401 "{NO_TOKEN}"',
        anonymous,
    )


def test_token_verify_names_the_account(api: ApiClient) -> None:
    good = api.request("POST", "/api/tokens/verify", json_body={"token": api.token})
    payload = good.json()
    expect(
        isinstance(payload, dict)
        and payload.get("success") is True
        and isinstance(payload.get("username"), str),
        "POST /api/tokens/verify with the token did not answer success: true with a username",
        good,
    )
    wrong = api.request("POST", "/api/tokens/verify", json_body={"token": WRONG_TOKEN})
    expect(
        _refused(wrong, INVALID_TOKEN),
        f'POST /api/tokens/verify with an unknown token must answer 401 "{INVALID_TOKEN}"',
        wrong,
    )


def test_check_reports_the_upload_limits(api: ApiClient, limits: dict[str, Any]) -> None:
    expect(
        isinstance(limits.get("private"), bool) and isinstance(limits.get("maxFileSize"), str),
        f"GET /api/check should give `private` (boolean) and `maxFileSize`; got {limits}",
        api.check(),
    )
