"""The Schemathesis schema of openapi.yaml, configured for the target under test."""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from schemathesis import Case, Response
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import BaseSchema

from discord_images_contract import checks
from discord_images_contract.options import Target
from discord_images_contract.safety import make_safe
from discord_images_contract.session import GuardedSession
from discord_images_contract.spec import spec_path

READ_ONLY_EXCLUDED = ["upload_files", "delete_upload"]
ANONYMOUS_EXCLUDED = ["upload_files"]


def anonymous_uploads(target: Target) -> bool:
    """Whether GET /api/check says the deployment takes uploads without a token."""
    try:
        answer = requests.get(f"{target.base_url}/api/check", timeout=target.timeout).json()
    except (requests.RequestException, ValueError):
        return False
    return isinstance(answer, dict) and answer.get("private") is False


def build_config(target: Target) -> SchemathesisConfig:
    config: dict[str, Any] = {
        "base-url": target.base_url,
        "auth": {"openapi": {"token": {"api_key": target.token}}},
        "request-timeout": target.timeout,
        # No example database: it would write a `.hypothesis` folder wherever the run starts.
        "generation": {"mode": "all", "max-examples": target.max_examples, "database": "none"},
        "phases": {
            # Only TRACE: other unknown methods (PUT, DELETE, PATCH) could change data on a
            # misconfigured production server, and the session refuses to send them.
            "coverage": {"unexpected-methods": ["TRACE"]},
        },
        "suppress-health-check": ["all"],
    }
    return SchemathesisConfig.from_dict(config)


def load_schema(target: Target) -> BaseSchema:
    schema = schemathesis.openapi.from_path(spec_path(), config=build_config(target))
    if target.read_only:
        schema = schema.exclude(operation_id=READ_ONLY_EXCLUDED)
    elif anonymous_uploads(target):
        # Generated requests without a token (auth checks, missing-header cases) would store
        # files anonymously, which the run's token could not delete afterwards.
        schema = schema.exclude(operation_id=ANONYMOUS_EXCLUDED)
    return schema


def operation_ids(schema: BaseSchema) -> list[str]:
    ids = []
    for result in schema.get_all_operations():
        operation = result.ok()
        ids.append(str(operation.definition.raw["operationId"]))
    return ids


class HygieneFindings:
    """HTTP-hygiene findings, one example per operation and check, reported but not failed."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], str] = {}

    def add(self, case: Case, group: FailureGroup) -> None:
        for failure in group.exceptions:
            key = (case.operation.label, failure.title)
            if key not in self.found:
                curl = case.as_curl_command()
                self.found[key] = f"{case.operation.label}: {failure.title}\n  {curl}"


def call_and_check(
    case: Case, session: GuardedSession, target: Target, findings: HygieneFindings
) -> None:
    __tracebackhide__ = True
    make_safe(case)
    response = case.call(session=session)
    validate(case, response, session, target, findings)


def validate(
    case: Case,
    response: Response,
    session: GuardedSession,
    target: Target,
    findings: HygieneFindings,
) -> None:
    """All checks; HTTP-hygiene ones are only recorded unless the run is strict."""
    __tracebackhide__ = True
    transport_kwargs = {"session": session}
    if target.strict:
        case.validate_response(response, transport_kwargs=transport_kwargs)
        return
    case.validate_response(
        response, excluded_checks=checks.HYGIENE_CHECKS, transport_kwargs=transport_kwargs
    )
    try:
        case.validate_response(
            response, checks=checks.HYGIENE_CHECKS, transport_kwargs=transport_kwargs
        )
    except FailureGroup as group:
        findings.add(case, group)
