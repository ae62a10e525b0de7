"""ShareX custom uploaders (.sxcu), one per server in the spec, derived from the multipart upload
operation: its URL, token header, file field, and where its answer puts the URL or the error."""

from __future__ import annotations

import json
from typing import Any

from .spec import Operation, base_url, documentation_token, operations, slug, token_scheme

# ShareX 14 reads `{json:...}` placeholders; older releases used `$json:...$`.
SHAREX_VERSION = "14.0.0"


def upload_operation(spec: dict[str, Any]) -> Operation:
    for operation in operations(spec):
        content = operation.resolved.get("requestBody", {}).get("content", {})
        if operation.method == "post" and "multipart/form-data" in content:
            return operation
    raise ValueError("openapi.yaml has no multipart upload operation")


def _file_field(operation: Operation) -> str:
    schema = operation.resolved["requestBody"]["content"]["multipart/form-data"]["schema"]
    for name, prop in schema["properties"].items():
        if prop.get("items", prop).get("format") == "binary":
            return str(name)
    raise ValueError(f"{operation.operation_id} takes no file")


def _json_path_to_uri(schema: dict[str, Any], prefix: str = "") -> str | None:
    """Where the first `format: uri` string sits in a success body, in ShareX's path syntax."""
    if schema.get("type") == "array":
        return _json_path_to_uri(schema.get("items", {}), prefix + "[0]")
    for name, prop in schema.get("properties", {}).items():
        here = f"{prefix}.{name}" if prefix else name
        if prop.get("type") == "string" and prop.get("format") == "uri":
            return here
        found = _json_path_to_uri(prop, here)
        if found:
            return found
    return None


def _success_and_error(operation: Operation) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = operation.resolved["responses"]["200"]["content"]["application/json"]["schema"]
    options = schema.get("oneOf") or schema.get("anyOf") or [schema]

    def says_success(option: dict[str, Any], value: bool) -> bool:
        return option.get("properties", {}).get("success", {}).get("enum") == [value]

    success = next(option for option in options if says_success(option, True))
    error = next(option for option in options if says_success(option, False))
    return success, error


def uploader(spec: dict[str, Any], server_index: int) -> dict[str, Any]:
    operation = upload_operation(spec)
    header = token_scheme(spec)[1]["name"]
    success, error = _success_and_error(operation)
    url_path = _json_path_to_uri(success)
    message = next(
        name for name, prop in error["properties"].items() if prop.get("type") == "string"
    )
    server = spec["servers"][server_index]
    return {
        "Version": SHAREX_VERSION,
        "Name": f"{spec['info']['title']} ({_server_words(server)})",
        "DestinationType": "ImageUploader, TextUploader, FileUploader",
        "RequestMethod": operation.method.upper(),
        "RequestURL": base_url(spec, server_index) + operation.path,
        "Headers": {header: documentation_token(spec)},
        "Body": "MultipartFormData",
        "FileFormName": _file_field(operation),
        "URL": f"{{json:{url_path}}}",
        "ErrorMessage": f"{{json:{message}}}",
    }


def file_name(spec: dict[str, Any], server_index: int) -> str:
    words = _server_words(spec["servers"][server_index])
    return f"sharex/{slug(spec['info']['title'])}-{slug(words)}.sxcu"


def _server_words(server: dict[str, Any]) -> str:
    """A server's description without its parenthesised detail, as "Local mock server"."""
    return str(server.get("description") or server["url"]).split("(")[0].strip()


def files(spec: dict[str, Any]) -> dict[str, str]:
    """Site path to file content, for every server."""
    return {
        file_name(spec, index): json.dumps(uploader(spec, index), indent=2) + "\n"
        for index in range(len(spec.get("servers", [])))
    }
