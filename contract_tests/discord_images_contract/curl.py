"""A request as a curl line an operator can paste; tokens stay environment variables."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from discord_images_contract.options import ENV_SECOND_TOKEN, ENV_TOKEN


def curl_line(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    files: Sequence[tuple[str, str, bytes]] = (),
    token_env: str | None = None,
) -> str:
    """`files` are (field, filename, content); each is written by a `printf` first, so the line
    reproduces the request byte for byte."""
    writes = [
        f"printf {printf_format(content)} > {shlex.quote(name)}" for _, name, content in files
    ]
    parts = ["curl", "-sS", "-X", method.upper()]
    if token_env is not None:
        # Double quotes so the shell expands the variable; the secret never appears in the report.
        parts.append(f'-H "token: ${token_env}"')
    for key, value in (headers or {}).items():
        parts.append("-H " + shlex.quote(f"{key}: {value}"))
    if json_body is not None:
        parts.append("-H 'Content-Type: application/json'")
        parts.append("--data " + shlex.quote(json.dumps(json_body)))
    for field, filename, _ in files:
        parts.append("-F " + shlex.quote(f"{field}=@{filename}"))
    parts.append(shlex.quote(url))
    return " && ".join([*writes, " ".join(parts)])


def printf_format(content: bytes) -> str:
    """A single-quoted printf format that prints exactly `content`, NUL bytes included."""
    out = []
    for byte in content:
        char = chr(byte)
        if 32 <= byte < 127 and char not in "'\\%":
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "'" + "".join(out) + "'"


def token_env_for(which: str) -> str:
    return ENV_SECOND_TOKEN if which == "second" else ENV_TOKEN
