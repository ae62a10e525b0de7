"""openapi.yaml as the site reads it: operations in reference order, with every $ref resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def deref(spec: dict[str, Any], node: Any) -> Any:
    """The node with every local $ref replaced by what it points at (the spec has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return deref(spec, resolve(spec, node["$ref"]))
        return {key: deref(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [deref(spec, item) for item in node]
    return node


def resolve(spec: dict[str, Any], ref: str) -> Any:
    target: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def ref_name(node: Any) -> str | None:
    """The component name a `$ref` points at, which the reference uses as a schema's title."""
    if isinstance(node, dict) and "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    raw: dict[str, Any]  # as written, so a schema's $ref still names it
    resolved: dict[str, Any]
    tag: str
    security: list[dict[str, list[str]]]

    @property
    def operation_id(self) -> str:
        return str(self.raw["operationId"])

    @property
    def summary(self) -> str:
        return str(self.raw.get("summary") or self.operation_id)

    @property
    def needs_token(self) -> bool:
        return any(requirement for requirement in self.security)

    @property
    def page_uri(self) -> str:
        return f"reference/{slug(self.tag)}/{slug(self.operation_id)}.md"


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation, grouped by its first tag in the order `tags` lists them."""
    tag_order = [tag["name"] for tag in spec.get("tags", [])]
    found: list[Operation] = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            raw = item[method]
            tag = (raw.get("tags") or ["Reference"])[0]
            found.append(
                Operation(
                    path=path,
                    method=method,
                    raw=raw,
                    resolved=deref(spec, raw),
                    tag=tag,
                    security=raw.get("security", spec.get("security", [])),
                )
            )

    def position(operation: Operation) -> int:
        return tag_order.index(operation.tag) if operation.tag in tag_order else len(tag_order)

    return sorted(found, key=position)  # sorted() is stable: path order within a tag stays


def base_url(spec: dict[str, Any], index: int = 0) -> str:
    return str(spec["servers"][index]["url"]).rstrip("/")


def token_scheme(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The API key scheme: (its name, the scheme)."""
    for name, scheme in spec["components"]["securitySchemes"].items():
        if scheme.get("type") == "apiKey":
            return str(name), scheme
    raise ValueError("openapi.yaml declares no apiKey security scheme")


def documentation_token(spec: dict[str, Any]) -> str:
    """The key the documentation uses, as the scheme's description shows the header with it."""
    _, scheme = token_scheme(spec)
    header = re.escape(scheme["name"])
    found = re.search(rf"`{header}:\s*([^`\s]+)`", scheme.get("description", ""))
    if not found:
        raise ValueError(f"the {scheme['name']} scheme's description shows no example header")
    return found.group(1)


def first_example(media: dict[str, Any]) -> tuple[str | None, Any] | None:
    """The (summary, value) a media type documents first, if any."""
    if "example" in media:
        return None, media["example"]
    for example in media.get("examples", {}).values():
        return example.get("summary"), example.get("value")
    schema = media.get("schema", {})
    if "example" in schema:
        return None, schema["example"]
    return None
