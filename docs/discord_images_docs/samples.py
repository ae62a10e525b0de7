"""Code samples for one operation: a curl command and a whole Node 18+ program, both runnable as
pasted (the upload reads `image.jpg` from the current directory)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from .spec import Operation, first_example

# The file the upload samples send; readers keep any small image under this name beside them.
SAMPLE_FILE = "image.jpg"


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    token_header: str | None
    token: str
    json_body: Any | None
    file_fields: list[str]
    download_as: str | None  # the response is a file, saved under this name


def build_request(operation: Operation, base_url: str, token_header: str, token: str) -> Request:
    resolved = operation.resolved
    path = operation.path
    query: list[str] = []
    for parameter in resolved.get("parameters", []):
        value = parameter.get("example", parameter.get("schema", {}).get("example"))
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", str(value))
        elif parameter["in"] == "query" and parameter.get("required"):
            query.append(f"{parameter['name']}={value}")
    url = base_url + path + ("?" + "&".join(query) if query else "")

    json_body: Any | None = None
    file_fields: list[str] = []
    content = resolved.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        example = first_example(content["application/json"])
        json_body = example[1] if example else {}
    elif "multipart/form-data" in content:
        schema = content["multipart/form-data"].get("schema", {})
        for name, prop in schema.get("properties", {}).items():
            items = prop.get("items", prop)
            if items.get("format") == "binary" and name in schema.get("required", []):
                file_fields.append(name)

    ok = resolved["responses"].get("200", {}).get("content", {})
    download_as = None if not ok or "application/json" in ok else path.rsplit("/", 1)[-1]
    return Request(
        method=operation.method.upper(),
        url=url,
        token_header=token_header if operation.needs_token else None,
        token=token,
        json_body=json_body,
        file_fields=file_fields,
        download_as=download_as,
    )


def shell(request: Request) -> str:
    lines = [f"curl {_double_quoted(request.url)}"]
    if request.download_as:
        lines[0] = f"curl --fail {_double_quoted(request.url)}"
        lines.append(f"-o {shlex.quote(request.download_as)}")
    if request.method != "GET" and not (request.json_body is not None or request.file_fields):
        lines.append(f"-X {request.method}")
    if request.token_header:
        lines.append(f"-H {_double_quoted(f'{request.token_header}: {request.token}')}")
    if request.json_body is not None:
        lines.append('-H "Content-Type: application/json"')
        lines.append(f"-d {shlex.quote(json.dumps(request.json_body))}")
    for field in request.file_fields:
        lines.append(f"-F {_double_quoted(f'{field}=@{SAMPLE_FILE}')}")
    return " \\\n  ".join(lines)


def javascript(request: Request) -> str:
    requires: list[str] = []
    if request.file_fields:
        requires.append("readFile")
    if request.download_as:
        requires.append("writeFile")
    out: list[str] = ["// Node 18 or later, no packages. Save as example.js, run: node example.js"]
    if requires:
        out.append(f'const {{ {", ".join(requires)} }} = require("node:fs/promises");')
    if request.token_header:
        out += ["", f"const token = {json.dumps(request.token)};"]
    out += ["", "async function main() {"]

    options: list[str] = []
    if request.method != "GET":
        options.append(f'method: "{request.method}",')
    headers: list[str] = []
    if request.token_header:
        headers.append(f"{json.dumps(request.token_header)}: token")
    if request.json_body is not None:
        headers.append('"Content-Type": "application/json"')
        options.append(f"headers: {{ {', '.join(headers)} }},")
        options.append(f"body: JSON.stringify({json.dumps(request.json_body)}),")
    elif request.file_fields:
        out.append("  const form = new FormData();")
        name = json.dumps(SAMPLE_FILE)
        out.append(f"  const file = new Blob([await readFile({name})]);")
        for field in request.file_fields:
            out.append(f"  form.append({json.dumps(field)}, file, {name});")
        if headers:
            options.append(f"headers: {{ {', '.join(headers)} }},")
        options.append("body: form,")
    elif headers:
        options.append(f"headers: {{ {', '.join(headers)} }},")

    if options:
        out.append(f"  const response = await fetch({json.dumps(request.url)}, {{")
        out += [f"    {option}" for option in options]
        out.append("  });")
    else:
        out.append(f"  const response = await fetch({json.dumps(request.url)});")

    if request.download_as:
        name = json.dumps(request.download_as)
        out += [
            "  if (!response.ok) throw new Error(`HTTP ${response.status}`);",
            "  const bytes = Buffer.from(await response.arrayBuffer());",
            f"  await writeFile({name}, bytes);",
            f"  console.log(`Saved ${{{name}}} (${{bytes.length}} bytes)`);",
        ]
    else:
        out += [
            "  const body = await response.json();",
            "  console.log(JSON.stringify(body, null, 2));",
            "  // `success` is false on a failure, whatever the HTTP status.",
            "  if (body.success === false) process.exitCode = 1;",
        ]
    out += [
        "}",
        "",
        "main().catch((error) => {",
        "  console.error(error);",
        "  process.exitCode = 1;",
        "});",
    ]
    return "\n".join(out)


def _double_quoted(text: str) -> str:
    # Double quotes read like the reference's samples; nothing in a URL or header needs $ or `.
    if any(char in text for char in '"$`\\'):
        return shlex.quote(text)
    return f'"{text}"'


def tabs(request: Request, operation_id: str) -> str:
    """Linked Shell and JavaScript tabs in the dark column; the data attribute names the
    operation so a test can check each sample's output against what it documents."""
    return "\n".join(
        [
            f'<div class="api-code" data-operation="{operation_id}" data-search-exclude markdown>',
            "",
            '=== "Shell"',
            "",
            _indented("```shell\n" + shell(request) + "\n```"),
            "",
            '=== "JavaScript"',
            "",
            _indented("```javascript\n" + javascript(request) + "\n```"),
            "",
            "</div>",
            "",
        ]
    )


def _indented(block: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in block.splitlines())
