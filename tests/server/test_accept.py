"""``Accept`` negotiation as Confluent's resources do it: three JSON media types, else 406."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schemakit.server._middleware import ANSWER_TYPES, negotiate
from tests._serve import serve

V1, PLAIN_REGISTRY, JSON = ANSWER_TYPES


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, V1),
        ("", V1),
        ("*/*", V1),
        ("application/*", V1),
        ("application/json", JSON),
        ("application/vnd.schemaregistry+json", PLAIN_REGISTRY),
        (f"{V1}, {PLAIN_REGISTRY}, {JSON}", V1),  # what confluent-kafka sends
        ("application/json;q=0.9, application/vnd.schemaregistry+json", PLAIN_REGISTRY),
        ("application/json, */*;q=0.1", JSON),
        ("text/html, */*;q=0.8", V1),
        ("*/*, application/json;q=0", V1),
        ("text/html", None),
        ("application/xml, text/plain", None),
        ("application/json;q=0", None),
        ("application/json;q=oops", None),
    ],
)
def test_negotiation_rules(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(Path(tmp_path_factory.mktemp("accept")) / "registry.duckdb") as base_url:
        yield base_url


@pytest.mark.parametrize("accept", [V1, PLAIN_REGISTRY, JSON])
def test_answers_come_in_the_type_asked_for(url: str, accept: str) -> None:
    for path in ("/subjects", "/config", "/schemas/ids/99"):
        answer = httpx.get(url + path, headers={"Accept": accept})
        assert answer.headers["content-type"] == accept
        answer.json()  # still JSON, errors included


def test_an_unacceptable_type_is_406_with_a_confluent_body(url: str) -> None:
    answer = httpx.get(url + "/subjects", headers={"Accept": "text/html"})
    assert answer.status_code == 406
    assert answer.json() == {"error_code": 406, "message": "HTTP 406 Not Acceptable"}
    assert httpx.get(url + "/openapi.json", headers={"Accept": "text/html"}).status_code == 200
