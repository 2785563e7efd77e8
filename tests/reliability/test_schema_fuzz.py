"""Schemathesis against the OpenAPI schema of every route: no 5xx, no response off the schema.

A short run for the default suite (a few generated requests per operation, in process, on
SQLite and PostgreSQL); the long run, 10,000 requests and more against a real server, is
``bench/fuzz_api.py``. Every check runs except "schema-valid data is accepted": the schema cannot
say that an upload must be a picture or that a case number must exist, so valid-looking requests
are rightly refused with a 4xx.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.conftest import Api, make_api
from conftest import POSTGRES_ENV, _postgres_schema

EXAMPLES = 8
GOOD = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
NO_LIMITS = {
    "case_creates_per_hour": 0,
    "case_pin_tries_per_hour": 0,
    "partner_hashes_per_minute": 0,
}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzzed_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{folder / 'bank.db'}"])
    else:
        urls = _postgres_schema(os.environ[POSTGRES_ENV])
    for url in urls:
        for api in make_api(url, folder, **NO_LIMITS):
            api.keys["all"] = api.bank.create_partner(
                "all", ["match", "feed", "feedback", "helpline"]
            )[1]
            api.client.post("/v1/cases", json={"signals": [{"hash": GOOD}]})
            api.sync()
            yield api


def test_generated_requests_get_no_5xx_and_match_the_schema(fuzzed_api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_api.client.app)
    headers = fuzzed_api.auth("all")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # every failure is reported below
            failures[operation.label] = f"{type(failure).__name__}: {failure}"[:3000]
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())


#: Requests the fuzzers found a 500 or a wrongly accepted body for; each must now be a 422.
FOUND_BY_FUZZING = [
    ("POST", "/v1/match", {"hashes": [GOOD], "action": {}}),
    ("POST", "/v1/match", {"hashes": [""], "action": []}),
    ("POST", "/v1/cases", {"signals": [{"hash": GOOD, "quality": False}]}),
    ("GET", f"/v1/helpline/review?after_id={2**70}", None),
    ("POST", f"/v1/helpline/review/-{2**70}", {"decision": "confirmed"}),
    ("GET", f"/v1/helpline/audit?before={2**64}", None),
    ("GET", f"/v1/feed?after={2**64}", None),
    ("POST", "/v1/feedback", {"match_event_id": 2**64, "verdict": "blocked"}),
]


@pytest.mark.parametrize(("method", "url", "body"), FOUND_BY_FUZZING)
def test_what_the_fuzzers_found_is_a_422(
    fuzzed_api: Api, method: str, url: str, body: object
) -> None:
    answer = fuzzed_api.client.request(method, url, json=body, headers=fuzzed_api.auth("all"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_request"


def test_a_nul_in_a_note_is_a_422_not_a_database_error(fuzzed_api: Api) -> None:
    case = fuzzed_api.client.post("/v1/cases", json={"signals": [{"hash": GOOD}]}).json()
    answer = fuzzed_api.client.post(
        f"/v1/helpline/cases/{case['case_number']}/notes",
        json={"body": "a\u0000b"},
        headers=fuzzed_api.auth("all"),
    )
    assert answer.status_code == 422


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/v1/helpline/cases", "GET, POST"), ("/v1/helpline/cases/ABCD-EFGH-JKLM/notes", "GET, POST")],
)
def test_a_405_names_every_method_of_the_path(fuzzed_api: Api, path: str, allowed: str) -> None:
    # schemathesis: two routes on one path, and Starlette's 405 named only the first's methods.
    answer = fuzzed_api.client.request("DELETE", path)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == allowed
