"""Fuzz the OpenAPI document ``schemakit serve`` publishes, with schemathesis, over HTTP.

Every operation gets a bounded number of generated requests (valid and invalid bodies, paths,
query strings) against a real server on 127.0.0.1. Checked: no 5xx; every status, media type and
body is one the document declares; every 4xx body is ``{"error_code": int, "message": str}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests._serve import CONTENT_TYPE, serve

#: Generated examples per operation (about 30 operations), plus the cases aimed at seeded data.
MAX_EXAMPLES = 25

SEED = json.dumps({"type": "record", "name": "Seed", "fields": [{"name": "a", "type": "int"}]})


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("fuzz") / "registry.duckdb") as url:
        # Some data, so that ids and versions the fuzzer guesses (1, 2, …) can be found.
        import httpx

        for subject in ("a", "b"):
            answer = httpx.post(
                f"{url}/subjects/{subject}/versions",
                json={"schema": SEED},
                headers={"Content-Type": CONTENT_TYPE},
            )
            answer.raise_for_status()
        yield url


def _served_document() -> dict[str, Any]:
    """The OpenAPI document the server serves (the same app, built in-process)."""
    from schemakit.server import create_app

    app = create_app(":memory:")
    return app.openapi()


# The document is loaded at collection so each operation is a test of its own; the requests go
# to the real server of the fixture, and test_openapi_document_is_the_one_served checks that the
# two documents are the same.
DOCUMENT = _served_document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = [
    (method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in sorted(item)
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_openapi_document_is_the_one_served(fuzzed_server: str) -> None:
    import httpx

    assert httpx.get(f"{fuzzed_server}/openapi.json").json() == DOCUMENT
    assert len(OPERATIONS) == 33  # every endpoint of docs/server.md


#: Valid bodies for the operations that take a schema: random strings are almost never schemas.
VALID_BODIES = [
    {"schema": SEED},
    {"schema": json.dumps({"type": "record", "name": "Seed", "fields": []})},
    {"schema": '"string"'},
    {"schema": json.dumps({"type": "object"}), "schemaType": "JSON"},
]


def _strategies(method: str, path: str) -> list[st.SearchStrategy[Any]]:
    """Generated cases (valid and invalid), plus cases aimed at the seeded data."""
    operation = SCHEMA[path][method]
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    takes_schema = method == "POST" and ("/subjects/" in path or "/compatibility/" in path)
    seeded = {"subject": "a"} if "{subject}" in path else None
    if seeded is not None:
        strategies.append(operation.as_strategy(path_parameters=seeded))
    if takes_schema:
        for subject in (None, seeded):
            strategies.append(
                st.sampled_from(VALID_BODIES).flatmap(
                    lambda body, subject=subject: operation.as_strategy(
                        body=body, path_parameters=subject
                    )
                )
            )
    return strategies


def _well_formed_error(response: Any) -> None:
    if response.status_code < 400:
        return
    assert response.headers["content-type"][0].startswith(CONTENT_TYPE), response.headers
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    assert set(body) == {"error_code", "message"}, body
    assert type(body["error_code"]) is int, body
    assert isinstance(body["message"], str), body
    assert body["message"], body


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_fuzz_the_served_openapi_document(method: str, path: str, fuzzed_server: str) -> None:
    cases = st.one_of(*_strategies(method, path))

    @given(case=cases)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        response = case.call_and_validate(base_url=fuzzed_server, checks=CHECKS, timeout=30)
        assert response.status_code < 500, response.text
        _well_formed_error(response)

    fuzz()
