"""Subjects that are dot segments (``.``, ``..``) reach a real ``schemakit serve`` intact.

An HTTP client removes ``.`` and ``..`` path segments (RFC 3986 5.2.4) before sending, so
``/subjects/../versions`` would become ``/versions``. The REST client percent-encodes them;
the server decodes them back to the subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from schemakit.registry import Registry
from tests._serve import CONTENT_TYPE, serve

SCHEMA = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}
ADDED = {
    "type": "record",
    "name": "R",
    "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "long", "default": 0}],
}
# Dot segments, and names around them that were never at risk (they must stay as they were).
SUBJECTS = [".", "..", "...", ".a", "a.", "./..", "%2E", "%2e%2E"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Registry]]:
    path: Path = tmp_path_factory.mktemp("dots") / "registry.duckdb"
    with serve(path) as base_url:
        registry = Registry(base_url)
        try:
            yield base_url, registry
        finally:
            registry.close()


@pytest.mark.parametrize("subject", SUBJECTS)
def test_dot_subjects_round_trip_through_the_server(
    served: tuple[str, Registry], subject: str
) -> None:
    base_url, registry = served
    first = registry.register(subject, SCHEMA)
    second = registry.register(subject, ADDED)
    assert (first.subject, first.version, second.version) == (subject, 1, 2)
    assert registry.versions(subject) == [1, 2]
    assert registry.get_version(subject, 1).schema == first.schema
    assert registry.get_latest(subject).id == second.id
    assert registry.lookup(subject, SCHEMA).version == 1
    assert registry.check(subject, ADDED).is_compatible
    registry.set_compatibility("FULL", subject=subject)
    assert registry.compatibility(subject) == "FULL"
    assert subject in registry.subjects()
    # What the server stored, asked without the client: the subject, not a neighbour path.
    listed = httpx.get(f"{base_url}/subjects", headers={"Accept": CONTENT_TYPE}).json()
    assert subject in listed
    assert registry.delete_version(subject, 2) == 2
    assert registry.versions(subject) == [1]
    assert 1 in registry.delete_subject(subject)
    assert 1 in registry.delete_subject(subject, permanent=True)
    assert subject not in registry.subjects(deleted=True)


@settings(max_examples=25, deadline=None)
@given(subject=st.text(alphabet="./%2Ee", min_size=1, max_size=5))
def test_any_subject_of_dots_slashes_and_escapes_is_addressed_as_itself(
    served: tuple[str, Registry], subject: str
) -> None:
    base_url, registry = served
    done = registry.register(subject, SCHEMA)
    assert done.subject == subject
    assert done.version in registry.versions(subject)
    assert registry.get_version(subject, done.version).id == done.id
    assert subject in httpx.get(f"{base_url}/subjects", headers={"Accept": CONTENT_TYPE}).json()
