"""Schemathesis against the app, on both databases: what the OpenAPI document promises is
what the server does, and no input makes it fail.

Every operation gets valid and invalid cases generated from ``openapi/openapi.json`` (as the
app serves it), sent with an admin's token that reaches Kota Banjar, and every answer is
checked: no 5xx, a documented status, a documented media type, a body that fits the
documented schema, the documented headers. The budget (cases per operation and mode) fits
CI; ``make fuzz`` runs a longer, randomised one (``TUMBUH_TEST_FUZZ_EXAMPLES``,
``TUMBUH_TEST_FUZZ_RANDOM``).
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

import hypothesis
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from domain.access import Role
from domain.child.decider import stream_id as child_stream
from tests.api.test_area_stats import HEGARSARI, World, world
from tests.api.tokens import Minter, bearer

EXAMPLES = int(os.environ.get("TUMBUH_TEST_FUZZ_EXAMPLES", "10"))
RANDOM = os.environ.get("TUMBUH_TEST_FUZZ_RANDOM", "") not in ("", "0", "false")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# The long-poll of GET /v1/events waits up to 30 s for a new event: sent without waiting,
# so that the budget goes to other cases (the long-poll has tests of its own).
FIXED_QUERY = {"wait": 0}
Operation = APIOperation[Any, Any, Any, Any]
__all__ = ["world"]  # the fixture, used by name


@dataclass
class Run:
    """What a run did: cases sent, answers by status, distinct failures with a reproduction."""

    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)

    def report(self) -> str:
        """The failures, one paragraph each."""
        found = [f"{op}: {title}\n{text}" for (op, title), text in self.failures.items()]
        return f"{self.cases} cases, {len(found)} failures\n\n" + "\n\n".join(found)


@dataclass(frozen=True)
class Target:
    """Where the cases go: the app, through Schemathesis's in-process client, as a caller."""

    session: asgi.ASGIClient
    headers: dict[str, str]
    examples: int


def fuzz(client: TestClient, headers: dict[str, str], examples: int, known: dict[str, str]) -> Run:
    """Send ``examples`` cases per operation and generation mode, and again with the path
    parameters ``known`` (of resources that exist); collect every failure."""
    app = client.app
    assert isinstance(app, FastAPI)
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    # Not entered: the test client runs the app's lifespan; this client only sends.
    target = Target(asgi.get_client(cast(Any, app)), headers, examples)
    run = Run()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            run.failures[("schema", "invalid operation")] = str(result.err())
            continue
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _operation(run, target, operation, mode)
        names = {p.name for p in operation.iter_parameters() if p.location == "path"}
        if names and names <= known.keys():  # and on resources that exist, to reach the rules
            known_here = {name: known[name] for name in names}
            _operation(run, target, operation, GenerationMode.POSITIVE, known_here)
    return run


def _operation(
    run: Run,
    target: Target,
    operation: Operation,
    mode: GenerationMode,
    path: dict[str, str] | None = None,
) -> None:
    fixed = {k: v for k, v in FIXED_QUERY.items() if _has_query(operation, k)}
    strategy = operation.as_strategy(
        generation_mode=mode, query=fixed or None, path_parameters=path
    )

    @hypothesis.given(strategy)
    @settings(
        max_examples=target.examples,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Case[Any]) -> None:
        run.cases += 1
        try:
            answer = case.call_and_validate(
                session=target.session, headers=target.headers, checks=CHECKS
            )
        except FailureGroup as found:
            _note(run, operation, found.exceptions)
            return
        except Failure as found:
            _note(run, operation, (found,))
            return
        except Exception as crashed:  # the app raised: a 500, re-raised by the client
            run.failures.setdefault(
                (operation.label, f"server error: {type(crashed).__name__}"),
                f"{str(crashed)[:500]}\n{case.as_curl_command()}",
            )
            return
        run.statuses[answer.status_code] += 1

    # No invalid case exists for an operation that takes nothing.
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        send()


def _has_query(operation: Operation, name: str) -> bool:
    return any(p.location == "query" and p.name == name for p in operation.iter_parameters())


def _note(run: Run, operation: Operation, failures: tuple[Failure, ...]) -> None:
    for failure in failures:
        run.failures.setdefault((operation.label, failure.title), str(failure.message)[:2000])


def test_schemathesis_finds_nothing_in_any_operation(world: World, mint: Minter) -> None:
    admin = bearer(mint(Role.ADMIN, "32.79"))
    child = world.ids["A"]
    known = {
        "code": HEGARSARI,
        "year": "2025",
        "child_id": child,
        "measurement_id": world.measured[("A", "2025-04-10")],
        "stream_id": child_stream(child),
    }

    run = fuzz(world.client, admin, EXAMPLES, known)

    print(
        f"\nschemathesis: {run.cases} cases, {len(run.failures)} failures, "
        f"answers {sorted(run.statuses.items())}"
    )
    assert run.cases > 0
    assert not run.failures, run.report()
