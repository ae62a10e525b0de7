"""Making generated requests safe to send to a production deployment.

Generated delete requests could name a real file: every number in their body becomes 0 (no
upload has id 0) and `true` becomes `false`, which keeps each value's JSON type, so a positive
case stays positive and a negative one negative. Generated uploads get a unique suffix so they
can never be answered as a duplicate of someone else's file (which cleanup would then delete),
and are cut to 1 kB.
The session refuses anything that slips through (`session.check_delete_body`).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemathesis import Case

DIGITS = re.compile(r"[^\D0]")
TRUE_WORD = re.compile("true", re.IGNORECASE)
# Generated files are cut to this many bytes: uploads to production stay tiny.
MAX_GENERATED_FILE = 1024


def neutralize_ids(value: Any) -> Any:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0
    if isinstance(value, float):
        return 0.0
    if isinstance(value, str):
        return TRUE_WORD.sub("nope", DIGITS.sub("x", value))
    if isinstance(value, bytes):
        return neutralize_ids(value.decode("latin-1")).encode("latin-1")
    if isinstance(value, list):
        return [neutralize_ids(item) for item in value]
    if isinstance(value, dict):
        return {neutralize_ids(key): neutralize_ids(item) for key, item in value.items()}
    return value


def unique_content(value: Any, marker: bytes) -> Any:
    if isinstance(value, bytes):
        return value[:MAX_GENERATED_FILE] + marker
    if isinstance(value, list):
        return [unique_content(item, marker) for item in value]
    return value


def make_safe(case: Case) -> None:
    operation_id = case.operation.definition.raw.get("operationId")
    if operation_id == "delete_upload":
        case.body = neutralize_ids(case.body)
        case.query = neutralize_ids(case.query) if case.query else case.query
    elif operation_id == "upload_files" and isinstance(case.body, dict):
        marker = b" discord-images-contract " + uuid.uuid4().hex.encode()
        case.body = {
            key: unique_content(value, marker) if key == "files[]" else value
            for key, value in case.body.items()
        }
