"""Finding and reading openapi.yaml, the one source of truth the server is built from."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC_NAME = "openapi.yaml"


def spec_path() -> Path:
    """The spec inside the installed package (a wheel carries a copy), else the checkout's."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / SPEC_NAME, package_dir.parent.parent / SPEC_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{SPEC_NAME} is neither in {package_dir} nor in the checkout")


@cache
def load_spec() -> dict[str, Any]:
    return yaml.safe_load(spec_path().read_text())


def deref(spec: dict[str, Any], node: Any) -> Any:
    """`node` with every local `$ref` replaced by what it points at (the spec has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return deref(spec, target)
        return {key: deref(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [deref(spec, item) for item in node]
    return node
