"""Fuzzing: the contract suite with thousands of generated requests per operation against the
mock. Slow, so `make test` skips it (`-m 'not slow'`) and `make fuzz` runs it.

FUZZ_EXAMPLES sets the examples per operation and phase (default 2000).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.contract_runner import SECOND_TOKEN, failed_checks, run_contract
from tests.hardening_checks import assert_serving, leftovers
from tests.server_process import ServerProcess

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))


def test_contract_suite_with_thousands_of_examples_finds_nothing(tmp_path: Path) -> None:
    # --validate-responses (on in every test server) turns a schema-violating answer into a
    # server error, so "no server error" also means "no answer outside the contract".
    args = ["--fresh", "--token", SECOND_TOKEN]
    with ServerProcess(tmp_path / "data", args=args) as mock:
        # A later --max-examples wins over the runner's small default.
        result = run_contract(mock.base_url, "--max-examples", str(EXAMPLES), timeout=4 * 3600)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-8000:]
        assert failed_checks(output) == []
        assert "Server error" not in output and "Response violates schema" not in output
        assert_serving(mock)
        assert leftovers(mock) == []
        log = mock.log()
        assert "Traceback" not in log and "unexpected error" not in log, log[-4000:]
