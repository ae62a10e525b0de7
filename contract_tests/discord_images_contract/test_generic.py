"""Everything Schemathesis checks, one test per operation of openapi.yaml.

Status codes, content types, response schemas, no server errors, auth enforced (`ignored_auth`),
invalid input refused the API's way, plus the stateful run that follows the spec's links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
import pytest
from schemathesis import Case, Response

from discord_images_contract.options import Target
from discord_images_contract.safety import make_safe
from discord_images_contract.schema import (
    HygieneFindings,
    call_and_check,
    load_schema,
    operation_ids,
    validate,
)
from discord_images_contract.session import GuardedSession

TARGET = Target.from_env()
SCHEMA = load_schema(TARGET)


@pytest.fixture
def findings(request: pytest.FixtureRequest) -> Iterator[HygieneFindings]:
    collected = HygieneFindings()
    yield collected
    for text in collected.found.values():
        request.node.user_properties.append(("hygiene", text))


def _operation_test(operation_id: str) -> Callable[..., None]:
    @SCHEMA.include(operation_id=operation_id).parametrize()
    def test(
        case: Case, guarded_session: GuardedSession, target: Target, findings: HygieneFindings
    ) -> None:
        __tracebackhide__ = True
        call_and_check(case, guarded_session, target, findings)

    test.__name__ = f"test_schemathesis_{operation_id}"
    return test


# One named test per operation, so a report says which operation broke the contract.
for _operation_id in operation_ids(SCHEMA):
    globals()[f"test_schemathesis_{_operation_id}"] = _operation_test(_operation_id)


class SafeStateMachine(SCHEMA.as_state_machine()):  # type: ignore[misc]
    session: GuardedSession
    target: Target
    findings: HygieneFindings

    def before_call(self, case: Case) -> None:
        make_safe(case)

    def get_call_kwargs(self, case: Case) -> dict[str, Any]:
        return {"session": self.session}

    def validate_response(
        self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        __tracebackhide__ = True
        validate(case, response, self.session, self.target, self.findings)


def test_schemathesis_stateful_links(
    guarded_session: GuardedSession, target: Target, findings: HygieneFindings
) -> None:
    """Upload, then fetch the file the answer names: the links of openapi.yaml. Operations
    left out of the schema (see `load_schema`) are left out here too."""
    if target.read_only:
        pytest.skip("--read-only: the stateful run uploads files")
    SafeStateMachine.session = guarded_session
    SafeStateMachine.target = target
    SafeStateMachine.findings = findings
    SafeStateMachine.run(
        settings=hypothesis.settings(
            max_examples=target.max_examples,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.generate],
            stateful_step_count=5,
        )
    )
