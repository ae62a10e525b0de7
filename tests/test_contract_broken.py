"""The contract suite fails on servers that break one rule each, and names the broken check.

Each variant (tests/broken_servers.py) is the real mock app behind a middleware that breaks
one rule; one real process serves them all, each under its own path prefix. Most runs select
only the checks that matter (`-k`) to stay fast; `field-mistyped` runs the whole default suite.
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.contract_runner import SECOND_TOKEN, failed_checks, run_contract
from tests.server_process import ServerProcess

ROOT = Path(__file__).resolve().parent.parent

# variant -> (checks selected with -k, or None for the full run; the check that must fail)
VARIANTS: dict[str, tuple[str | None, str]] = {
    "auth-ignored": ("test_auth_enforced", "test_auth_enforced"),
    "error-body-wrong": ("test_auth_enforced", "test_auth_enforced"),
    "isolation-broken": ("isolation", "test_second_token_lists_none_of_the_first_tokens_files"),
    "field-mistyped": (None, "test_schemathesis_list_uploads"),
    "bytes-altered": ("test_file_serves", "test_file_serves_the_uploaded_bytes"),
    "new-file-missing": ("listed_first", "test_new_upload_is_listed_first"),
    "duplicates-stored-twice": ("duplicate", "test_duplicate_upload_returns_the_original_entry"),
    "delete-not-deleting": (
        "test_delete_removes",
        "test_delete_removes_the_file_from_the_list_and_its_url",
    ),
    "blocked-accepted": ("blocked", "test_blocked_extensions_are_refused"),
    "files-reordered": ("several_files", "test_several_files_in_one_request_come_back_in_order"),
    "date-wrong": ("date", "test_listed_date_renders_the_timestamp"),
    "size-wrong": ("size_matches", "test_listed_size_matches_the_bytes"),
    "thumb-missing": ("thumbnail", "test_thumbnail_exactly_for_images"),
    "pages-of-twenty": ("pages_hold", "test_pages_hold_25_newest_first_and_are_disjoint"),
    "past-the-end-repeats": ("past_the_end", "test_page_past_the_end_is_empty"),
    "empty-upload-accepted": ("test_schemathesis_upload_files", "test_schemathesis_upload_files"),
}


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("broken") / "data",
        args=["--token", SECOND_TOKEN],
        env={
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        },
        module="tests.broken_servers",
    )
    with server:
        yield server


@dataclass
class Run:
    result: subprocess.CompletedProcess[str]
    junit: Path


@pytest.fixture(scope="module")
def runs(variants: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every variant's contract run, a few at a time: the variants share nothing but the process."""
    reports = tmp_path_factory.mktemp("reports")

    def run(variant: str) -> Run:
        selection, _ = VARIANTS[variant]
        junit = reports / f"{variant}.xml"
        args = ["--junit-xml", str(junit)] + (["-k", selection] if selection else [])
        examples = "4" if selection else "8"
        result = run_contract(f"{variants.base_url}/{variant}", *args, max_examples=examples)
        return Run(result, junit)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(VARIANTS, pool.map(run, VARIANTS), strict=True))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_suite_fails_on_a_broken_server(variant: str, runs: dict[str, Run]) -> None:
    _, expected = VARIANTS[variant]
    result = runs[variant].result
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [name.split("[")[0] for name in failed_checks(result.stdout)]
    assert expected in failed, result.stdout
    # The report says what broke and how to reproduce it.
    summary = result.stdout.split("contract failures", 1)[1]
    assert "curl" in summary
    suite = ET.parse(runs[variant].junit).getroot().find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) >= 1


def test_real_server_habits_pass_by_default_and_fail_only_when_strict(
    variants: ServerProcess,
) -> None:
    """Negative page read as page 0, bad input answered 200, TRACE answered with an HTML 404."""
    base_url = f"{variants.base_url}/lolisafe-hygiene"
    relaxed = run_contract(base_url)
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    findings = relaxed.stdout.split("HTTP-hygiene findings", 1)[1]
    assert "GET /api/uploads/{page}: Schema-violating request accepted" in findings
    assert "Wrong response to undeclared method" in findings
    strict = run_contract(
        base_url, "--strict", "-k", "test_schemathesis_list_uploads_page", max_examples="3"
    )
    assert strict.returncode == 1, strict.stdout
    assert failed_checks(strict.stdout) == ["test_schemathesis_list_uploads_page"]
