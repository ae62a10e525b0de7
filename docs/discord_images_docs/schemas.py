"""Schemas as Widdershins shows them: one table row per property, nested ones marked with »."""

from __future__ import annotations

import json
import re
from typing import Any

from .spec import ref_name, resolve


def one_line(text: str) -> str:
    """Text for a table cell: one line, its pipes escaped except in code spans (where the
    table extension already leaves them alone and a backslash would show)."""
    parts = re.split(r"(`[^`]*`)", re.sub(r"\s+", " ", text).strip())
    return "".join(part if part.startswith("`") else part.replace("|", "\\|") for part in parts)


def is_block(text: str) -> bool:
    """Text a table cell cannot hold: paragraphs, lists or a table of its own."""
    return "\n\n" in text.strip() or bool(re.search(r"^\s*([|*-]|\d+\.)\s", text, re.M))


def _deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = resolve(spec, node["$ref"])
    return node


def type_label(spec: dict[str, Any], node: dict[str, Any], link: bool = False) -> str:
    """The type in words; with `link`, a named schema links to its section on the page."""
    name = ref_name(node)
    schema = _deref(spec, node)
    for combinator, joiner in (("oneOf", " or "), ("anyOf", " or "), ("allOf", " and ")):
        if combinator in schema:
            return joiner.join(type_label(spec, option, link) for option in schema[combinator])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        label = f"array of {type_label(spec, schema.get('items', {}), link)}"
    elif name and kind == "object":
        label = f"[{name}](#{name.lower()})" if link else name
    else:
        label = kind
        if "format" in schema:
            label += f"({schema['format']})"
    if schema.get("nullable"):
        label += " or null"
    return label


def constraints(schema: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if "enum" in schema:
        found.append("only " + ", ".join(f"`{json.dumps(value)}`" for value in schema["enum"]))
    for key, word in (
        ("minimum", "at least"),
        ("maximum", "at most"),
        ("minLength", "characters: at least"),
        ("maxLength", "characters: at most"),
        ("minItems", "items: at least"),
        ("maxItems", "items: at most"),
    ):
        if key in schema:
            found.append(f"{word} {schema[key]}")
    if "pattern" in schema:
        found.append(f"pattern `{schema['pattern']}`")
    return found


def rows(
    spec: dict[str, Any], node: dict[str, Any], depth: int = 0
) -> list[tuple[str, str, str, str]]:
    """(name, type, required, description) for each property under `node`, depth first."""
    schema = _deref(spec, node)
    if schema.get("type") == "array":
        return rows(spec, schema.get("items", {}), depth)
    found: list[tuple[str, str, str, str]] = []
    required = set(schema.get("required", []))
    for name, prop_node in schema.get("properties", {}).items():
        prop = _deref(spec, prop_node)
        text = prop_node.get("description") or prop.get("description", "")
        if "anyOf" in prop or "oneOf" in prop:
            options = prop.get("anyOf") or prop.get("oneOf")
            extra = [
                f"{type_label(spec, o)}: {', '.join(constraints(_deref(spec, o)))}" for o in options
            ]
            extra = [e for e in extra if not e.endswith(": ")]
        else:
            extra = constraints(prop)
        cell = one_line(text) if not is_block(text) else ""
        if extra:
            cell = (cell + " " if cell else "") + one_line("(" + "; ".join(extra) + ")")
        found.append(
            (
                "» " * depth + f"`{name}`",
                type_label(spec, prop_node),
                "yes" if name in required else "no",
                cell,
            )
        )
        inner = _deref(spec, prop.get("items", {})) if prop.get("type") == "array" else prop
        if inner.get("properties"):
            found += rows(spec, prop, depth + 1)
    return found


def table(spec: dict[str, Any], node: dict[str, Any]) -> str:
    found = rows(spec, node)
    if not found:
        return ""
    lines = ["| Name | Type | Required | Description |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {kind} | {required} | {text} |" for name, kind, required, text in found]
    return "\n".join(lines) + "\n"


def section(spec: dict[str, Any], node: dict[str, Any], level: int) -> str:
    """A schema under a heading of its own, or each alternative of a oneOf under one each."""
    schema = _deref(spec, node)
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        return "\n".join(section(spec, option, level) for option in alternatives)
    name = ref_name(node)
    out: list[str] = []
    if name:
        out.append(f"{'#' * level} {name}\n")
    if schema.get("description"):
        out.append(schema["description"].strip() + "\n")
    out.append(table(spec, node) or f"Type: {type_label(spec, node)}\n")
    return "\n".join(out)


def named(spec: dict[str, Any], node: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The named schemas a response may carry: the schema itself or each of its alternatives."""
    name = ref_name(node)
    if name and _deref(spec, node).get("type") == "object":
        return [(name, node)]
    schema = _deref(spec, node)
    found: list[tuple[str, dict[str, Any]]] = []
    for option in schema.get("oneOf") or schema.get("anyOf") or []:
        found += named(spec, option)
    return found
