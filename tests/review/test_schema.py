"""Schemathesis over the API's OpenAPI schema, in-process on a seeded SQLite file:
no 500s, and every answer (errors included) matches the schema. Each operation gets
a bounded number of generated examples, sent with a reviewer's bearer token."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.review.conftest import Site

MAX_EXAMPLES = 30
CHECKS = [not_a_server_error, response_schema_conformance]


def _exercise(operation: Any, headers: dict[str, str]) -> int:
    """Run the operation's examples; the number of calls made."""
    calls = 0

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        nonlocal calls
        calls += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
    return calls


def test_the_api_keeps_its_openapi_schema(site: Site) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", site.app)
    headers = {"Authorization": f"Bearer {site.seeded.reviewer_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 9
    calls = sum(_exercise(operation, headers) for operation in operations)
    print(f"schemathesis: {len(operations)} operations, {calls} examples, no failure")
    assert calls >= len(operations)
