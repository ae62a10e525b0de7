"""The `Prefer` request header, for client developers: `code=401` or `example=NAME` answers with
an example documented in openapi.yaml, `delay=MS` adds latency; the store is never touched.
Same header as Prism's."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from discord_images_mock.spec import deref

MAX_DELAY_MS = 60_000
_PREFERENCE = re.compile(r"([a-zA-Z-]+)\s*=\s*\"?([^\s,;\"]+)\"?")

Examples = dict[str, list[tuple[int, str, Any]]]
"""operationId -> [(status, example name, value)], in spec order."""


def documented_examples(spec: dict[str, Any]) -> Examples:
    found: Examples = {}
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            entries = found.setdefault(operation["operationId"], [])
            for status, response in deref(spec, operation.get("responses", {})).items():
                media = response.get("content", {}).get("application/json", {})
                for name, example in media.get("examples", {}).items():
                    entries.append((int(status), name, example["value"]))
    return found


class PreferMiddleware:
    def __init__(
        self, app: ASGIApp, *, examples: Examples, documented_host: str, base_url: str
    ) -> None:
        self.app = app
        self.examples = examples
        # Examples name the spec's production server; answers name this server instead.
        self.documented_host = documented_host
        self.base_url = base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefer = _header(scope, b"prefer") if scope["type"] == "http" else None
        if not prefer:
            await self.app(scope, receive, send)
            return
        wanted = {key.lower(): value for key, value in _PREFERENCE.findall(prefer)}
        if "delay" in wanted and wanted["delay"].isdigit():
            await asyncio.sleep(min(int(wanted["delay"]), MAX_DELAY_MS) / 1000)
        operation_id = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        if operation_id is None or not ({"code", "example"} & wanted.keys()):
            await self.app(scope, receive, send)
            return
        status, body = self._choose(operation_id, wanted.get("code"), wanted.get("example"))
        text = json.dumps(body).replace(self.documented_host, self.base_url)
        await _send_json(send, status, text.encode())

    def _choose(self, operation_id: str, code: str | None, name: str | None) -> tuple[int, Any]:
        candidates = self.examples.get(operation_id, [])
        if code is not None:
            candidates = [c for c in candidates if str(c[0]) == code]
        if name is not None:
            candidates = [c for c in candidates if c[1] == name]
        if not candidates:
            listed = ", ".join(f"code={s} example={n}" for s, n, _ in self.examples[operation_id])
            wanted = " ".join(f"{k}={v}" for k, v in (("code", code), ("example", name)) if v)
            description = f"Prefer: no documented example matches {wanted}"
            description += f"; this operation has: {listed}." if listed else "."
            return 400, {"success": False, "description": description}
        status, _, value = candidates[0]
        return status, value


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _send_json(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
