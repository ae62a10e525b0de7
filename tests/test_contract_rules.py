"""The suite's own rules and safety guards, on known values (the reference's examples)."""

from __future__ import annotations

import json
import signal

import pytest
import requests
from discord_images_contract.ledger import Ledger
from discord_images_contract.rules import blocked_extensions, date_problem, size_problem
from discord_images_contract.safety import neutralize_ids
from discord_images_contract.session import (
    GuardedSession,
    UnsafeRequest,
    check_delete_body,
    record_created,
)


@pytest.mark.parametrize(
    ("date", "timestamp"),
    [
        ("2018-12-4 16:23:22", 1543958602),  # the reference: America/New_York
        ("2018-12-4 21:23:22", 1543958602),  # UTC
        ("2018-12-5 02:53:22", 1543958602),  # India, +5:30
        ("2018-12-5 11:08:22", 1543958602),  # Chatham Islands, +13:45
    ],
)
def test_date_in_any_real_time_zone_is_accepted(date: str, timestamp: int) -> None:
    assert date_problem(date, timestamp) is None


@pytest.mark.parametrize(
    ("date", "why"),
    [
        ("2018-12-04 16:23:22", "zero-padded"),
        ("2018-12-4 16:30:22", "away"),  # seven minutes off any zone
        ("2018-12-6 16:23:22", "away"),  # 43 hours off
        ("2018-12-4T16:23:22", "Y-M-D"),
    ],
)
def test_date_that_is_no_rendering_of_the_timestamp_is_refused(date: str, why: str) -> None:
    problem = date_problem(date, 1543958602)
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    ("size", "length"),
    [
        ("14 B", 14),
        ("508 kB", 508_000),
        ("8.12 kB", 8_120),
        ("2.07 kB", 2069),
        ("1.5 MB", 1_500_000),
    ],
)
def test_size_in_si_units_is_accepted(size: str, length: int) -> None:
    assert size_problem(size, length) is None


@pytest.mark.parametrize(
    ("size", "length"),
    [
        ("15 B", 14),
        ("14", 14),
        ("8.12 KiB", 8_120),
        ("9.12 kB", 8_120),
        ("508 MB", 508_000),
        (14, 14),
    ],
)
def test_size_that_does_not_describe_the_bytes_is_refused(size: object, length: int) -> None:
    assert size_problem(size, length) is not None


def test_blocked_extensions_come_from_the_spec() -> None:
    blocked = blocked_extensions()
    assert ".exe" in blocked and ".bash_profile" in blocked and len(blocked) == 18


def test_generated_delete_bodies_can_name_no_upload() -> None:
    generated = {"id": [7, 2.5, True, "12", "TrUe"], "1": {"x": 99}}
    safe = json.dumps(neutralize_ids(generated))
    check_delete_body(safe, Ledger())  # does not raise
    assert not any(digit in safe for digit in "123456789")


@pytest.mark.parametrize(
    "body",
    ['{"id": 5}', '{"id": "5"}', '{"id": "\\u0035"}', "id=5", '{"id": true}', b'{"id": [3]}'],
)
def test_delete_naming_a_file_the_run_did_not_upload_is_never_sent(body: str | bytes) -> None:
    with pytest.raises(UnsafeRequest):
        check_delete_body(body, Ledger())


def test_delete_of_an_upload_of_the_run_is_allowed(tmp_path: object) -> None:
    ledger = Ledger()
    ledger.record_name("abcde.txt")
    ledger.record_id("abcde.txt", 1234)
    ledger.record_id("operator.txt", 77)  # never recorded as created: stays undeletable
    check_delete_body('{"id": 1234}', ledger)
    with pytest.raises(UnsafeRequest):
        check_delete_body('{"id": 77}', ledger)


def test_unknown_methods_are_never_sent() -> None:
    session = GuardedSession(Ledger(), timeout=1)
    for method in ("PUT", "DELETE", "PATCH"):
        with pytest.raises(UnsafeRequest):
            session.request(method, "http://127.0.0.1:9/anything")


def test_only_new_files_are_recorded_for_cleanup() -> None:
    response = requests.Response()
    response._content = json.dumps(
        {
            "success": True,
            "files": [
                {"name": "new.txt", "size": 3, "url": "u"},
                # A duplicate answer names an existing file, maybe the operator's own.
                {"name": "theirs.txt", "size": "3", "url": "u"},
            ],
        }
    ).encode()
    ledger = Ledger()
    record_created(response, ledger)
    assert ledger.names() == {"new.txt"}


def test_an_interruption_waits_for_the_request_under_way() -> None:
    from discord_images_contract.interruption import Interruption

    answered = False
    with pytest.raises(KeyboardInterrupt):
        with Interruption.deferred():
            Interruption.handle(signal.SIGTERM, None)  # arrives mid-request: held back
            answered = True
    assert answered
    with pytest.raises(KeyboardInterrupt):
        Interruption.handle(signal.SIGTERM, None)  # between requests: at once
