"""Request-validation messages in the API's voice: short, one line, naming the parameter
(`-1 is less than the minimum of 0 (page)`), as the spec's examples show them."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import AsyncGenerator
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft4Validator, ValidationError
from jsonschema.exceptions import best_match
from starlette.types import Scope, Send

from discord_images_mock.spec import deref

_TEMPLATE_PARAMETER = re.compile(r"\{([^}]+)\}")
MAX_JSON_BODY = 64 * 1024


class ApiParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            if param.get("required"):
                return f"Missing {parameter_type} parameter '{param['name']}'"
            return None
        schema = copy.deepcopy(param.get("schema", param))
        try:
            Draft4Validator(schema).validate(value)
        except ValidationError as exc:
            return f"{exc.message} ({param['name']})"
        return None


class TypedPathMismatch:
    """Tells, for a path no route matched, whether it is an operation's path with a path
    parameter of the wrong type (`/api/uploads/abc`): that is a bad request, not a missing
    resource, since Connexion's routing only matches typed parameters of the right type."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.templates: list[tuple[re.Pattern[str], dict[str, str]]] = []
        for path, item in spec["paths"].items():
            for operation in item.values():
                if not isinstance(operation, dict):
                    continue
                types = {
                    p["name"]: p.get("schema", {}).get("type", "string")
                    for p in deref(spec, operation.get("parameters", []))
                    if p.get("in") == "path"
                }
                if any(kind != "string" for kind in types.values()):
                    pieces = _TEMPLATE_PARAMETER.split(path)
                    # split() alternates literal text and parameter names.
                    pattern = "".join(
                        f"(?P<{piece}>[^/]+)" if odd else re.escape(piece)
                        for odd, piece in ((i % 2 == 1, p) for i, p in enumerate(pieces))
                    )
                    self.templates.append((re.compile(f"^{pattern}$"), types))

    def describe(self, path: str) -> str | None:
        for pattern, types in self.templates:
            match = pattern.match(path)
            if match:
                for name, value in match.groupdict().items():
                    if types.get(name) in ("integer", "number"):
                        return f"'{value}' is not of type '{types[name]}' ({name})"
        return None


class _PassBinary:
    """Response validation that lets file bodies through: an upload served back is whatever
    its owner sent (a `.json` file need not be JSON), and buffering it to check it would hold
    a whole download in memory."""

    _schema: dict[str, Any]

    def wrap_send(self, send: Send) -> Send:
        # Connexion gives an empty schema where a `*/*` response meets a concrete type.
        if not self._schema or self._schema.get("format") == "binary":
            return send
        return super().wrap_send(send)  # type: ignore[misc]


class ApiJSONResponseValidator(_PassBinary, JSONResponseBodyValidator):
    pass


class ApiTextResponseValidator(_PassBinary, TextResponseBodyValidator):
    pass


def response_validators() -> MediaTypeDict:
    return MediaTypeDict(
        {"*/*json": ApiJSONResponseValidator, "text/plain": ApiTextResponseValidator}
    )


class ApiJSONRequestValidator(JSONRequestBodyValidator):
    """JSON bodies: small (the API's are a few bytes), UTF-8, and their errors one line that
    names the field (`'x' is not of type 'integer' (id)`)."""

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        chunks = []
        size = 0
        async for chunk in stream:
            size += len(chunk)
            if size > MAX_JSON_BODY:
                raise BadRequestProblem(detail=f"JSON body over {MAX_JSON_BODY} bytes")
            chunks.append(chunk)
        try:
            text = b"".join(chunks).decode(self._encoding)
            return json.loads(text) if text else None
        except (UnicodeDecodeError, LookupError) as exc:
            raise BadRequestProblem(detail=f"body is not {self._encoding} text") from exc
        except (ValueError, RecursionError) as exc:
            raise BadRequestProblem(detail=f"body is not JSON: {exc}") from exc

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if not self._nullable and body is None:
            raise BadRequestProblem(detail="Request body must not be empty")
        error = best_match(self._validator.iter_errors(body))
        if error is None:
            return None
        where = ".".join(str(part) for part in error.absolute_path)
        raise BadRequestProblem(detail=f"{error.message} ({where})" if where else error.message)
