"""openapi.yaml is valid, its examples are true, and it agrees with the reference and the real
server."""

from __future__ import annotations

import json
import keyword
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.openapi_walk import (
    FIXTURES,
    deref,
    load_spec,
    operations,
    response_schemas,
    validation_errors,
)

SPEC = load_spec()


def test_spec_is_valid_openapi_3_0() -> None:
    assert SPEC["openapi"].startswith("3.0.")
    validate(SPEC)


def _examples() -> list[tuple[str, dict[str, Any], Any]]:
    """(where, schema, value) for every example in the spec."""
    found: list[tuple[str, dict[str, Any], Any]] = []

    def media(where: str, content: dict[str, Any]) -> None:
        for media_type, obj in content.items():
            schema = obj.get("schema")
            if schema is None:
                continue
            if "example" in obj:
                found.append((f"{where} {media_type}", schema, obj["example"]))
            for name, example in obj.get("examples", {}).items():
                found.append((f"{where} {media_type} {name}", schema, example["value"]))

    for path, method, op in operations(SPEC):
        where = f"{method.upper()} {path}"
        for param in deref(SPEC, op.get("parameters", [])):
            if "example" in param:
                found.append((f"{where} param {param['name']}", param["schema"], param["example"]))
        if "requestBody" in op:
            media(f"{where} request", deref(SPEC, op["requestBody"])["content"])
        for status, response in op["responses"].items():
            media(f"{where} {status}", deref(SPEC, response).get("content", {}))
    for name, schema in SPEC["components"]["schemas"].items():
        if "example" in schema:
            found.append((f"schema {name}", schema, schema["example"]))
    return found


EXAMPLES = _examples()


def test_the_spec_has_examples_for_every_json_response() -> None:
    # Guards the walk below: an empty walk would make the next test pass vacuously.
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(("where", "schema", "value"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_validates_against_its_schema(where: str, schema: dict, value: Any) -> None:
    assert validation_errors(deref(SPEC, schema), value) == []


def _reference_list_example() -> dict[str, Any]:
    text = (FIXTURES / "seed-api-reference.md").read_text()
    section = text.split("## Get All Uploads", 1)[1]
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert block, "the reference's list example was not found"
    return json.loads(block.group(1))


def test_list_example_is_exactly_the_references_six_files() -> None:
    reference = _reference_list_example()
    example = SPEC["components"]["responses"]["UploadList"]["content"]["application/json"][
        "examples"
    ]["reference"]["value"]
    assert len(reference["files"]) == 6
    assert example == reference
    # Key order matters to readers comparing with the real server's answers.
    assert [list(f) for f in example["files"]] == [list(f) for f in reference["files"]]


# Which operations each section of real-server.md speaks of.
SECTION_OPERATIONS = {
    "Auth": [("/api/uploads", "get"), ("/api/check", "get"), ("/api/upload", "post")],
    "POST /api/upload": [("/api/upload", "post")],
    "GET /api/uploads and GET /api/uploads/{page}": [("/api/uploads/{page}", "get")],
    "POST /api/upload/delete": [("/api/upload/delete", "post")],
    "POST /api/tokens/verify": [("/api/tokens/verify", "post")],
    "What generic contract testing says about the real server": [("/api/upload", "post")],
}


def _real_server_bodies() -> list[tuple[str, Any]]:
    text = (FIXTURES / "real-server.md").read_text()
    bodies = []
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        for snippet in re.findall(r"`(\{.*?\})`", body):
            # The reference elides the rest of an object or a list with "...".
            snippet = snippet.replace(", ...", "").replace("[...]", "[]")
            bodies.append((title.strip(), json.loads(snippet)))
    return bodies


REAL_BODIES = _real_server_bodies()


def test_real_server_document_yields_its_bodies() -> None:
    assert {title for title, _ in REAL_BODIES} == set(SECTION_OPERATIONS)
    assert len(REAL_BODIES) >= 7


def _request_schemas(spec: dict[str, Any], path: str, method: str) -> list[dict[str, Any]]:
    body = deref(spec, spec["paths"][path][method]).get("requestBody", {})
    media = body.get("content", {}).get("application/json")
    return [media["schema"]] if media else []


@pytest.mark.parametrize(
    ("section", "body"), REAL_BODIES, ids=[json.dumps(b) for _, b in REAL_BODIES]
)
def test_real_server_body_validates_for_its_operation(section: str, body: Any) -> None:
    # Answers carry `success` (or, for /api/check, `private`); the rest are request bodies.
    is_answer = "success" in body or "private" in body
    schemas = [
        deref(SPEC, schema)
        for path, method in SECTION_OPERATIONS[section]
        for schema in (response_schemas if is_answer else _request_schemas)(SPEC, path, method)
    ]
    assert schemas, section
    assert any(validation_errors(schema, body) == [] for schema in schemas), body


def test_real_server_messages_are_all_listed_in_the_error_schema() -> None:
    text = (FIXTURES / "real-server.md").read_text()
    messages = set(re.findall(r'"description":\s*"([^"<]+)"', text))
    messages |= set(re.findall(r'`"([^"`]+\.)"`', text))
    described = SPEC["components"]["schemas"]["Error"]["description"]
    assert messages, "no messages found in real-server.md"
    for message in messages:
        assert f"`{message}`" in described, message


def test_operation_ids_are_unique_python_names() -> None:
    ids = [op["operationId"] for _, _, op in operations(SPEC)]
    assert len(ids) == len(set(ids))
    for op_id in ids:
        assert op_id.isidentifier() and not keyword.iskeyword(op_id), op_id


def test_every_protected_operation_declares_401_and_every_operation_has_docs() -> None:
    default_security = SPEC["security"]
    for path, method, op in operations(SPEC):
        assert op.get("summary") and op.get("description") and op.get("tags"), (method, path)
        if op.get("security", default_security):
            assert "401" in op["responses"], (method, path)
