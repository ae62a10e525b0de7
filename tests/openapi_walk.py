"""Reading openapi.yaml in tests: loading, resolving $refs, and walking its examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from discord_images_mock.spec import deref
from openapi_schema_validator import OAS30Validator

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
__all__ = ["deref", "load_spec", "operations", "response_schemas", "validation_errors"]

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def load_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def validation_errors(schema: dict[str, Any], value: Any) -> list[str]:
    validator = OAS30Validator(schema)
    return [error.message for error in validator.iter_errors(value)]


def response_schemas(spec: dict[str, Any], path: str, method: str) -> list[dict[str, Any]]:
    """Every JSON schema one operation's responses may carry."""
    op = deref(spec, spec["paths"][path][method])
    schemas = []
    for response in op["responses"].values():
        media = response.get("content", {}).get("application/json")
        if media:
            schemas.append(media["schema"])
    return schemas
