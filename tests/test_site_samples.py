"""Every Shell and JavaScript sample on the built site, run as pasted against the mock.

Only the host (any server the spec lists) and the token are substituted; the output must match
the schema of the example response the reference shows beside the sample.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.built_site import BuiltSite, Sample, substituted
from tests.openapi_walk import deref, load_spec, operations, validation_errors
from tests.server_process import ServerProcess

SPEC = load_spec()
OPERATIONS = {op["operationId"]: (path, method) for path, method, op in operations(SPEC)}
LANGUAGES = ("Shell", "JavaScript")
SAMPLE_FILE = "image.jpg"

needs_tools = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("node") and shutil.which("bash")),
    reason="running the samples needs curl, node and bash on PATH",
)


def run(sample: Sample, base_url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    code = substituted(sample.code, base_url)
    if sample.language == "Shell":
        command = ["bash", "-c", code]
    else:
        (workdir / "example.js").write_text(code)
        command = ["node", "example.js"]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=30)


def write_image(path: Path) -> None:
    # A new picture each time, so an upload is never answered as a duplicate by accident.
    color = tuple(random.randrange(256) for _ in range(3))
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())


def documented_schemas(operation_id: str, example: Any) -> list[dict[str, Any]]:
    """The branches of the 200 response schema that the shown example is an instance of."""
    path, method = OPERATIONS[operation_id]
    response = deref(SPEC, SPEC["paths"][path][method])["responses"]["200"]
    schema = response["content"]["application/json"]["schema"]
    branches = schema.get("oneOf") or schema.get("anyOf") or [schema]
    matching = [branch for branch in branches if not validation_errors(branch, example)]
    assert matching, f"{operation_id}: the shown example fits none of its own schema"
    return matching


def test_every_sample_is_found(built_site: BuiltSite) -> None:
    """No tab set escapes the runner, and every operation has a sample in each language."""
    tab_sets = sum(len(page.by_class("tabbed-set")) for page in built_site.pages.values())
    assert len(built_site.samples) == tab_sets * len(LANGUAGES)
    found = {(sample.operation, sample.language) for sample in built_site.samples}
    assert found == {(op, language) for op in OPERATIONS for language in LANGUAGES}


@needs_tools
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_sample_runs_against_the_mock(
    built_site: BuiltSite,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    operation_id: str,
    language: str,
) -> None:
    _, method = OPERATIONS[operation_id]
    # Requests that change state get a server of their own, seeded like the reference.
    mock: ServerProcess = request.getfixturevalue("shared_server" if method == "get" else "server")
    samples = [
        s for s in built_site.samples if s.operation == operation_id and s.language == language
    ]
    assert samples
    example = built_site.example_response(operation_id)
    for sample in samples:
        workdir = tmp_path / f"{len(list(tmp_path.iterdir()))}"
        workdir.mkdir()
        write_image(workdir / SAMPLE_FILE)
        result = run(sample, mock.base_url, workdir)
        where = f"{language} sample for {operation_id} on {sample.page}"
        assert result.returncode == 0, f"{where} failed:\n{result.stdout}\n{result.stderr}"
        if example is not None:
            output = json.loads(result.stdout)
            branches = documented_schemas(operation_id, example)
            errors = [validation_errors(branch, output) for branch in branches]
            assert any(not found for found in errors), f"{where} printed {output}: {errors}"
        else:
            check_download(built_site, sample, mock, workdir)


def check_download(site: BuiltSite, sample: Sample, mock: ServerProcess, workdir: Path) -> None:
    """A file-serving sample saved exactly the bytes the server serves at the sample's URL."""
    name = site.download_name(sample.operation)
    assert name, f"{sample.operation}: no example response and no file it saves"
    saved = (workdir / name).read_bytes()
    url = re.search(r"[\"'](http[^\"']+)[\"']", substituted(sample.code, mock.base_url))
    assert url, f"no URL in {sample.code}"
    served = httpx.get(url.group(1))
    assert served.status_code == 200 and saved == served.content
    path, _ = OPERATIONS[sample.operation]
    media_types = SPEC["paths"][path]["get"]["responses"]["200"]["content"]
    if "image/png" in media_types:
        assert saved.startswith(b"\x89PNG\r\n\x1a\n")
