"""The contract suite against the mock: it passes, cleans up after itself, and reports well."""

from __future__ import annotations

import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.contract_runner import (
    SECOND_TOKEN,
    TOKEN,
    contract_command,
    contract_env,
    failed_checks,
    run_contract,
)
from tests.server_process import ServerProcess, free_port


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One mock for the module: every run must leave it as it found it anyway."""
    data = tmp_path_factory.mktemp("contract") / "data"
    with ServerProcess(data, args=["--fresh", "--token", SECOND_TOKEN]) as process:
        yield process


def listed_names(server: ServerProcess, token: str = TOKEN) -> list[str]:
    names: list[str] = []
    page = 0
    while True:
        files = httpx.get(f"{server.base_url}/api/uploads/{page}", headers={"token": token})
        batch = [entry["name"] for entry in files.json()["files"]]
        names += batch
        if len(batch) < 25:
            return names
        page += 1


def test_suite_passes_against_the_mock_and_leaves_nothing_behind(
    mock: ServerProcess, tmp_path: Path
) -> None:
    before = listed_names(mock)
    junit = tmp_path / "contract.xml"
    result = run_contract(mock.base_url, "--junit-xml", str(junit))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert listed_names(mock) == before
    assert listed_names(mock, SECOND_TOKEN) == []
    assert "cleanup deleted the" in result.stdout
    # The mock answers an upload without a body as real servers do: reported, not failed.
    assert "HTTP-hygiene findings" in result.stdout
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    names = {case.get("name", "").split("[")[0] for case in cases}
    assert {"test_schemathesis_upload_files", "test_auth_enforced"} <= names
    assert {
        "test_second_token_never_sees_a_new_upload",
        "test_pages_hold_25_newest_first_and_are_disjoint",
    } <= names
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    # Isolation ran: it is skipped only without a second token.
    assert "SKIPPED" not in result.stdout
    assert SECOND_TOKEN not in output


def test_read_only_changes_nothing(mock: ServerProcess) -> None:
    before = listed_names(mock)
    result = run_contract(mock.base_url, "--read-only", second_token=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert listed_names(mock) == before
    assert "--read-only" in result.stdout  # the skipped checks say why
    assert "no second token given" in result.stdout


def test_strict_fails_on_http_hygiene_that_the_default_only_reports(mock: ServerProcess) -> None:
    selection = ("-k", "test_schemathesis_upload_files")
    # The no-body upload comes from Schemathesis' coverage phase, whatever the example count.
    strict = run_contract(mock.base_url, "--strict", *selection, max_examples="2")
    assert strict.returncode == 1, strict.stdout
    assert failed_checks(strict.stdout) == ["test_schemathesis_upload_files"]


def test_an_interrupted_run_still_deletes_its_uploads(mock: ServerProcess) -> None:
    before = listed_names(mock)
    # Many examples, so the run is still uploading when it is stopped as a cancelled CI job is.
    command = contract_command(mock.base_url, "-k", "upload_files", max_examples="2000")
    process = subprocess.Popen(
        command, env=contract_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while len(listed_names(mock)) <= len(before) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(listed_names(mock)) > len(before), "the run never uploaded anything"
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, output
    assert listed_names(mock) == before, output


def test_unreachable_target_is_one_clear_line() -> None:
    result = run_contract(f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "cannot reach" in result.stderr


def test_a_token_the_target_refuses_is_one_clear_line(mock: ServerProcess) -> None:
    result = run_contract(mock.base_url, second_token="not-an-account")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "does not accept the --second-token" in result.stderr
    assert "not-an-account" not in result.stdout + result.stderr


def test_help_explains_the_environment_variables() -> None:
    result = run_contract("http://127.0.0.1:1", "--help")
    assert result.returncode == 0
    for word in ("DISCORD_IMAGES_TOKEN", "DISCORD_IMAGES_SECOND_TOKEN", "--read-only", "--strict"):
        assert word in result.stdout
