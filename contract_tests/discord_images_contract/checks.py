"""How Schemathesis' generic checks are applied to this API.

Two decisions live here:
- the API's failure convention: apart from 401, a refused request is answered with HTTP 200 and
  `{"success": false, ...}`; `invalid_data_refused_the_api_way` accepts that as a refusal;
- HTTP hygiene versus contract: the checks in `HYGIENE_CHECKS` expect plain HTTP semantics (4xx
  for bad input, 405 for unknown methods) that real deployments are documented not to follow.
  Their findings are reported, and fail the run only with `--strict`.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    negative_data_rejection,
    unsupported_method,
)

HYGIENE_CHECKS = [negative_data_rejection, unsupported_method, allow_header_conformance]
# Operations that store or delete files: accepting invalid input there can lose or create data.
WRITING_OPERATIONS = {"upload_files", "delete_upload"}


def _json(response: Response) -> Any:
    try:
        return response.json()
    except Exception:  # any undecodable body simply is not the API's JSON
        return None


def is_api_refusal(response: Response) -> bool:
    """A refusal in the API's own way: a 4xx, or HTTP 200 with `success: false`."""
    if 400 <= response.status_code < 500:
        return True
    payload = _json(response)
    return (
        response.status_code == 200
        and isinstance(payload, dict)
        and payload.get("success") is False
    )


def sends_a_file(case: Case) -> bool:
    body = case.body
    if not isinstance(body, dict):
        return False
    files = body.get("files[]")
    return isinstance(files, list) and any(isinstance(item, bytes | str) for item in files)


@schemathesis.check
def invalid_data_refused_the_api_way(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative or is_api_refusal(response):
        return None
    if case.operation.definition.raw.get("operationId") not in WRITING_OPERATIONS:
        # Reads that ignore a bad value (a negative page read as page 0) are HTTP hygiene,
        # reported by `negative_data_rejection`.
        return None
    if sends_a_file(case):
        # Schemathesis may call a multipart body "negative" for an extra field or an unusual
        # array size; a request that carries a `files[]` file is a valid upload all the same.
        return None
    # The built-in check knows when a "negative" case is valid once serialized; reuse that.
    try:
        negative_data_rejection(ctx, response, case)
    except Failure as exc:
        raise AssertionError(
            f"{case.operation.label} accepted invalid input with success: true instead of"
            " refusing it (HTTP 4xx, or HTTP 200 with success: false)\n" + str(exc)
        ) from None
    return None
