"""The ShareX uploaders on the site perform, against the mock, the upload they describe."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.built_site import SERVERS, BuiltSite, substituted
from tests.openapi_walk import load_spec
from tests.server_process import ServerProcess

SPEC = load_spec()


def uploaders(site: BuiltSite) -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in sorted(site.path.rglob("*.sxcu"))}


def sharex_value(template: str, body: Any) -> str:
    """ShareX's `{json:path}` syntax (dots and `[n]` indexes) read against a JSON answer."""

    def lookup(match: re.Match[str]) -> str:
        value = body
        for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", match.group(1)):
            value = value[int(index)] if index else value[key]
        return str(value)

    return re.sub(r"\{json:([^}]+)\}", lookup, template)


def upload(uploader: dict[str, Any], mock: ServerProcess, name: str, data: bytes) -> Any:
    url = substituted(uploader["RequestURL"], mock.base_url)
    headers = {key: substituted(value, mock.base_url) for key, value in uploader["Headers"].items()}
    assert uploader["Body"] == "MultipartFormData"
    response = httpx.request(
        uploader["RequestMethod"],
        url,
        headers=headers,
        files=[(uploader["FileFormName"], (name, data, "application/octet-stream"))],
    )
    return response.json()


def test_there_is_an_uploader_per_server(built_site: BuiltSite) -> None:
    found = uploaders(built_site)
    assert sorted(u["RequestURL"].split("/api/")[0] for u in found.values()) == sorted(SERVERS)


@pytest.mark.parametrize("index", range(len(SERVERS)))
def test_uploader_uploads_and_links_the_file(
    built_site: BuiltSite, server: ServerProcess, index: int
) -> None:
    uploader = next(u for u in uploaders(built_site).values() if SERVERS[index] in u["RequestURL"])
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (index * 90, 120, 200)).save(buffer, "PNG")
    data = buffer.getvalue()

    body = upload(uploader, server, "screenshot.png", data)
    link = sharex_value(uploader["URL"], body)
    fetched = httpx.get(link)
    assert fetched.status_code == 200 and fetched.content == data, link

    refused = upload(uploader, server, "setup.exe", b"MZ")
    message = sharex_value(uploader["ErrorMessage"], refused)
    assert refused["success"] is False and message == refused["description"] and message


def test_sharex_value_reads_nested_paths() -> None:
    body = {"files": [{"url": "u0"}, {"url": "u1"}], "description": "d"}
    assert sharex_value("{json:files[1].url}", body) == "u1"
    assert sharex_value("x {json:description}", body) == "x d"
    with pytest.raises(KeyError):
        sharex_value("{json:nothing}", body)


def test_uploader_files_are_in_the_site(built_site: BuiltSite) -> None:
    assert all(Path(name).suffix == ".sxcu" for name in uploaders(built_site))
