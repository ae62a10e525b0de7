"""Spec-derived blocks that hand-written pages pull in with a `<!-- openapi:NAME -->` marker, so
their prose never has to repeat what openapi.yaml says."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import reference, samples, sharex
from .spec import Operation, base_url, documentation_token, operations, token_scheme

MARKER = re.compile(r"<!--\s*openapi:([a-z-]+)\s*-->")
SPEC_FILE = "openapi.yaml"


@dataclass(frozen=True)
class Context:
    spec: dict[str, Any]
    page_uri: str  # the page the block lands on, for relative links

    def link(self, target_uri: str) -> str:
        return reference.relative_link(self.page_uri, target_uri)

    def operation_link(self, operation: Operation) -> str:
        return f"[{operation.summary}]({self.link(operation.page_uri)})"


def introduction(ctx: Context) -> str:
    info = ctx.spec["info"]
    out = [info.get("description", "").strip() + "\n"]
    out.append("| Server | Base URL |\n| --- | --- |")
    for server in ctx.spec.get("servers", []):
        out.append(f"| {server.get('description', '')} | `{server['url']}` |")
    out.append("")
    out.append(
        f"The contract itself, {info['title']} {info['version']}: "
        f"[{SPEC_FILE}]({ctx.link(SPEC_FILE)}){{ download }} (OpenAPI {ctx.spec['openapi']}).\n"
    )
    return "\n".join(out)


def authentication(ctx: Context) -> str:
    spec = ctx.spec
    name, scheme = token_scheme(spec)
    token = documentation_token(spec)
    needing = [op for op in operations(spec) if op.needs_token]
    open_ops = [op for op in operations(spec) if not op.needs_token]
    out: list[str] = []
    if needing:
        request = samples.build_request(needing[0], base_url(spec), scheme["name"], token)
        out.append("> To authorize, use this code:\n")
        out.append(samples.tabs(request, needing[0].operation_id))
        out.append(
            f'<div class="api-code" markdown>\n\n> Make sure to replace `{token}` with your '
            "API key.\n\n</div>\n"
        )
    out.append(scheme.get("description", "").strip() + "\n")
    out.append(
        f'!!! note ""\n    You must replace <code>{token}</code> with your personal API key.\n'
    )
    out.append("| Scheme | Type | Sent in | Name |\n| --- | --- | --- | --- |")
    out.append(f"| `{name}` | {scheme['type']} | {scheme['in']} | `{scheme['name']}` |\n")
    if open_ops:
        out.append(f"These requests need no `{scheme['name']}` header:\n")
        out += [f"- {ctx.operation_link(op)}" for op in open_ops]
        out.append("")
    return "\n".join(out)


def errors(ctx: Context) -> str:
    spec = ctx.spec
    error_schema = spec["components"]["schemas"]["Error"]
    out = ["## Error body\n", error_schema.get("description", "").strip() + "\n"]
    if "example" in error_schema:
        out.append("```json\n" + json.dumps(error_schema["example"], indent=2) + "\n```\n")
    out.append("## Status codes\n")
    out.append("| Status | Meaning | Operations | Messages |\n| --- | --- | --- | --- |")
    by_status: dict[str, list[tuple[Operation, dict[str, Any]]]] = {}
    for operation in operations(spec):
        for status, node in operation.raw["responses"].items():
            by_status.setdefault(status, []).append(
                (operation, reference.response_object(spec, node))
            )
    for status in sorted(by_status):
        ops = by_status[status]
        messages: list[str] = []
        for _, response in ops:
            for _, _, value in reference.examples(response):
                if isinstance(value, dict) and value.get("success") is False:
                    message = f"`{value.get('description')}`"
                    if message not in messages:
                        messages.append(message)
        links = ", ".join(ctx.operation_link(op) for op, _ in ops)
        out.append(
            f"| {status} | {reference.status_phrase(status)} | {links} | "
            f"{', '.join(messages) or 'none: a success'} |"
        )
    out.append("")
    return "\n".join(out)


def servers(ctx: Context) -> str:
    out = ["| Server | Base URL |\n| --- | --- |"]
    for server in ctx.spec.get("servers", []):
        out.append(f"| {server.get('description', '')} | `{server['url']}` |")
    return "\n".join(out) + "\n"


def local_server_index(spec: dict[str, Any]) -> int:
    for index, server in enumerate(spec.get("servers", [])):
        if urlsplit(server["url"]).hostname in ("127.0.0.1", "localhost", "::1"):
            return index
    raise ValueError("openapi.yaml lists no local server")


def mock_samples(ctx: Context) -> str:
    """The reference's samples for a token-free and a token request, aimed at the local mock."""
    spec = ctx.spec
    header = token_scheme(spec)[1]["name"]
    local = base_url(spec, local_server_index(spec))
    out = []
    ops = operations(spec)
    for operation in [
        next(op for op in ops if not op.needs_token),
        next(op for op in ops if op.needs_token),
    ]:
        request = samples.build_request(operation, local, header, documentation_token(spec))
        out.append(f"{ctx.operation_link(operation)}:\n")
        out.append(samples.tabs(request, operation.operation_id))
    return "\n".join(out)


def sharex_files(ctx: Context) -> str:
    spec = ctx.spec
    out = ['<div class="api-code" markdown>\n']
    out.append("> The uploader for the first server:\n")
    out.append("```json\n" + json.dumps(sharex.uploader(spec, 0), indent=2) + "\n```\n")
    out.append("</div>\n")
    out.append("| Server | Uploader |\n| --- | --- |")
    for index, server in enumerate(spec.get("servers", [])):
        path = sharex.file_name(spec, index)
        out.append(
            f"| {server.get('description', '')} | "
            f"[{path.rsplit('/', 1)[-1]}]({ctx.link(path)}){{ download }} |"
        )
    out.append("")
    out.append(
        f"It sends to {ctx.operation_link(sharex.upload_operation(spec))}, with "
        f"`{documentation_token(spec)}` as the key.\n"
    )
    return "\n".join(out)


BLOCKS: dict[str, Callable[[Context], str]] = {
    "introduction": introduction,
    "authentication": authentication,
    "errors": errors,
    "servers": servers,
    "mock-samples": mock_samples,
    "sharex": sharex_files,
}


def expand(markdown: str, ctx: Context) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in BLOCKS:
            raise ValueError(f"{ctx.page_uri}: unknown marker openapi:{name}")
        return BLOCKS[name](ctx)

    return MARKER.sub(replace, markdown)
