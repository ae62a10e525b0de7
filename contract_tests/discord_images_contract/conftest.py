"""Fixtures shared by the contract checks: the target, one guarded HTTP session, cleanup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from discord_images_contract.client import ApiClient, cleanup, expect
from discord_images_contract.ledger import Ledger
from discord_images_contract.options import Target
from discord_images_contract.session import GuardedSession

CLEANUP_KEY = pytest.StashKey[tuple[list[str], list[str]]]()
SENT_KEY = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def target() -> Target:
    return Target.from_env()


@pytest.fixture(scope="session")
def ledger(target: Target) -> Ledger:
    return Ledger(target.ledger_path)


@pytest.fixture(scope="session")
def guarded_session(
    target: Target, ledger: Ledger, pytestconfig: pytest.Config
) -> Iterator[GuardedSession]:
    session = GuardedSession(ledger, timeout=target.timeout)
    try:
        yield session
    finally:
        # Runs on failures and on Ctrl-C too: pytest tears session fixtures down either way.
        client = ApiClient(target.base_url, target.token, session)
        pytestconfig.stash[CLEANUP_KEY] = cleanup(client)
        pytestconfig.stash[SENT_KEY] = session.sent
        session.close()


@pytest.fixture(scope="session")
def api(target: Target, guarded_session: GuardedSession) -> ApiClient:
    return ApiClient(target.base_url, target.token, guarded_session)


@pytest.fixture(scope="session")
def second_api(target: Target, api: ApiClient) -> ApiClient:
    if not target.second_token:
        pytest.skip("no second token given (--second-token or DISCORD_IMAGES_SECOND_TOKEN)")
    return api.with_token(target.second_token, "second")


@pytest.fixture(scope="session")
def limits(api: ApiClient) -> dict[str, Any]:
    exchange = api.check()
    payload = exchange.json()
    expect(
        exchange.status == 200 and isinstance(payload, dict),
        "GET /api/check did not answer with a JSON object",
        exchange,
    )
    return payload


@pytest.fixture(scope="session")
def writable(target: Target) -> None:
    if target.read_only:
        pytest.skip("--read-only: this check uploads or deletes files")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    result = config.stash.get(CLEANUP_KEY, None)
    if result is None:
        return
    deleted, left = result
    sent = config.stash.get(SENT_KEY, 0)
    terminalreporter.write_line(
        f"{sent} requests sent; cleanup deleted the {len(deleted)} file(s) this run uploaded"
    )
    if left:
        terminalreporter.write_line(
            "cleanup: could NOT delete these uploads of this run: " + ", ".join(left), red=True
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed and call.excinfo is not None:
        # The exception's own message (with its curl lines), without pytest's traceback, is what
        # the command's summary prints; it travels with the report, also from worker processes.
        report.user_properties.append(("failure", str(call.excinfo.value)))
    return report
