"""One reference page per operation, laid out like a Slate/Widdershins section: samples and
example responses for the dark column, then request, parameters, body, responses, schemas."""

from __future__ import annotations

import json
import posixpath
import re
from http import HTTPStatus
from typing import Any

from . import samples, schemas
from .spec import Operation, base_url, documentation_token, resolve, token_scheme


def response_object(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A response as written, with a `$ref` to `components/responses` followed, so the schema
    inside keeps its own `$ref` (and so its name)."""
    while "$ref" in node:
        node = resolve(spec, node["$ref"])
    return node


def status_phrase(status: str) -> str:
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return status


def relative_link(from_uri: str, to_uri: str) -> str:
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def examples(response: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    """(media type, summary, value) for each example a response documents."""
    found: list[tuple[str, str | None, Any]] = []
    for media_type, media in response.get("content", {}).items():
        if "example" in media:
            found.append((media_type, None, media["example"]))
        for example in media.get("examples", {}).values():
            found.append((media_type, example.get("summary"), example.get("value")))
    return found


def _json_block(value: Any) -> str:
    return "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```"


def _indented(block: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in block.splitlines())


def dark_column(spec: dict[str, Any], operation: Operation) -> str:
    token_header = token_scheme(spec)[1]["name"]
    request = samples.build_request(
        operation, base_url(spec), token_header, documentation_token(spec)
    )
    out = [samples.tabs(request, operation.operation_id)]
    out.append(
        # The folded examples would crowd the search excerpts; the prose says what they are.
        f'<div class="api-code api-response" data-operation="{operation.operation_id}" '
        "data-search-exclude markdown>\n"
    )
    shown: list[tuple[str, str | None, Any]] = []
    for status, node in operation.raw["responses"].items():
        for media_type, summary, value in examples(response_object(spec, node)):
            if media_type == "application/json":
                shown.append((status, summary, value))
    # The headline is what a working request gives: the first success example, or the file.
    headline = next((item for item in shown if item[0].startswith("2")), None)
    if headline:
        status, summary, value = headline
        title = f"HTTP {status}" + (f": {summary}" if summary else "")
        out.append(f"> The above command returns JSON structured like this ({title}):\n")
        out.append(_json_block(value) + "\n")
    elif request.download_as:
        out.append(f"> The above command saves the response body to `{request.download_as}`.\n")
    for status, summary, value in shown:
        if (status, summary, value) == headline:
            continue
        title = f"HTTP {status}" + (f": {summary}" if summary else "")
        out.append(f'??? example "{title}"\n')
        out.append(_indented(_json_block(value)) + "\n")
    out.append("</div>\n")
    return "\n".join(out)


def page(spec: dict[str, Any], operation: Operation, by_id: dict[str, Operation]) -> str:
    resolved = operation.resolved
    here = operation.page_uri
    auth_page = relative_link(here, "authentication.md")
    # Readers search for operations: rank their pages above pages that only mention them.
    out = [
        "---\nsearch:\n  boost: 2\n---\n",
        f"# {operation.summary}\n",
        dark_column(spec, operation),
    ]
    if resolved.get("description"):
        out.append(resolved["description"].strip() + "\n")

    out.append("## HTTP request\n")
    out.append(
        f"`{operation.method.upper()} {base_url(spec)}{operation.path}`{{ .http-request }}\n"
    )
    header = token_scheme(spec)[1]["name"]
    if operation.needs_token:
        out.append(
            f'!!! note "Authentication"\n    Send your key in the `{header}` header: '
            f"see [Authentication]({auth_page}).\n"
        )
    else:
        out.append(f'!!! info "No token needed"\n    This request needs no `{header}` header.\n')

    parameters = resolved.get("parameters", [])
    if parameters:
        out.append("## Parameters\n")
        out.append("| Name | In | Type | Required | Description |\n| --- | --- | --- | --- | --- |")
        for parameter in parameters:
            schema = parameter.get("schema", {})
            text = schemas.one_line(parameter.get("description", ""))
            extra = schemas.constraints(schema)
            if "example" in parameter:
                extra.append(f"example `{parameter['example']}`")
            if extra:
                text += " (" + "; ".join(extra) + ")"
            out.append(
                f"| `{parameter['name']}` | {parameter['in']} | {schemas.type_label(spec, schema)}"
                f" | {'yes' if parameter.get('required') else 'no'} | {text} |"
            )
        out.append("")

    body = operation.raw.get("requestBody")
    if body:
        body = response_object(spec, body)
        out.append("## Request body\n")
        if body.get("description"):
            out.append(body["description"].strip() + "\n")
        for media_type, media in body.get("content", {}).items():
            required = "required" if body.get("required") else "optional"
            out.append(f"Content type `{media_type}`, {required}.\n")
            schema_node = media.get("schema", {})
            out.append(schemas.table(spec, schema_node))
            for field, encoding in media.get("encoding", {}).items():
                if "contentType" in encoding:
                    out.append(f"Each `{field}` part is sent as `{encoding['contentType']}`.\n")

    out.append("## Responses\n")
    out.append("| Status | Meaning | Description | Schema |\n| --- | --- | --- | --- |")
    named: list[tuple[str, dict[str, Any]]] = []
    link_notes: list[str] = []
    for status, node in operation.raw["responses"].items():
        response = response_object(spec, node)
        kinds = []
        for media_type, media in response.get("content", {}).items():
            schema_node = media.get("schema", {})
            label = schemas.type_label(spec, schema_node, link=True)
            kinds.append(f"{label} (`{media_type}`)")
            for name, found in schemas.named(spec, schema_node):
                if name not in [known for known, _ in named]:
                    named.append((name, found))
        out.append(
            f"| {status} | {status_phrase(status)} | "
            f"{schemas.one_line(response.get('description', ''))} | "
            f"{'<br>'.join(kinds) or 'none'} |"
        )
        for link in response.get("links", {}).values():
            target = by_id.get(link.get("operationId", ""))
            if target:
                link_notes.append(
                    f"- After a {status}: [{target.summary}]"
                    f"({relative_link(here, target.page_uri)}). "
                    + re.sub(r"\s+", " ", link.get("description", "")).strip()
                )
    out.append("")
    if link_notes:
        out.append("What to do next with a response:\n")
        out += link_notes
        out.append("")

    if named:
        out.append("## Response schemas\n")
        for _, node in named:
            out.append(schemas.section(spec, node, 3))
    return "\n".join(out)
