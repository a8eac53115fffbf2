"""Listings as Confluent pages and filters them, and checks before the first version.

Run on every backend (``":memory:"``, a file, a served registry through ``Registry(url)``):
``deleted_only`` never lists a subject with a live version, ``prefix``/``offset``/``limit``
page the sorted list, and checking against ``latest`` of a subject with no versions is
compatible while a numbered version is 40402.
"""

from __future__ import annotations

import pytest

import schemakit as sk
from schemakit import Registry

A = sk.Schema.parse({"type": "record", "name": "A", "fields": [{"name": "a", "type": "long"}]})
B = sk.Schema.parse({"type": "record", "name": "B", "fields": [{"name": "b", "type": "string"}]})


@pytest.fixture
def listed(registry: Registry) -> Registry:
    """a-value live; b-value soft-deleted; c-key live with version 1 soft-deleted."""
    registry.register("a-value", A)
    registry.register("b-value", A)
    registry.delete_subject("b-value")
    registry.register("c-key", A)
    registry.register("c-key", B)
    registry.delete_version("c-key", 1)
    return registry


def test_deleted_only_never_lists_a_live_subject(listed: Registry) -> None:
    assert listed.subjects() == ["a-value", "c-key"]
    assert listed.subjects(deleted=True) == ["a-value", "b-value", "c-key"]
    assert listed.subjects(deleted_only=True) == ["b-value"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"prefix": "c"}, ["c-key"]),
        ({"prefix": "z"}, []),
        ({"offset": 1}, ["c-key"]),
        ({"limit": 1}, ["a-value"]),
        ({"offset": 1, "limit": 1, "deleted": True}, ["b-value"]),
        ({"limit": -1}, ["a-value", "c-key"]),
        ({"offset": 5}, []),
    ],
)
def test_subjects_page_and_filter(
    listed: Registry, options: dict[str, object], expected: list[str]
) -> None:
    assert listed.subjects(**options) == expected  # type: ignore[arg-type]


def test_versions_deleted_only_and_pages(listed: Registry) -> None:
    assert listed.versions("c-key") == [2]
    assert listed.versions("c-key", deleted=True) == [1, 2]
    assert listed.versions("c-key", deleted_only=True) == [1]
    assert listed.versions("c-key", deleted=True, offset=1) == [2]
    assert listed.versions("c-key", deleted=True, limit=1) == [1]


def test_check_before_the_first_version(registry: Registry) -> None:
    assert registry.check("new-value", A)
    assert registry.check("new-value", A, version="latest")
    with pytest.raises(sk.VersionNotFoundError) as caught:
        registry.check("new-value", A, version=1)
    assert caught.value.error_code == 40402


def test_schemas_lists_every_version_by_subject(listed: Registry) -> None:
    def keys(found: list[sk.RegisteredSchema]) -> list[tuple[str, int, int]]:
        return [(r.subject, r.version, r.id) for r in found]

    a, b = listed.lookup("a-value", A).id, listed.get_version("c-key", 2).id
    assert keys(listed.schemas()) == [("a-value", 1, a), ("c-key", 2, b)]
    assert keys(listed.schemas(deleted=True)) == [
        ("a-value", 1, a),
        ("b-value", 1, a),
        ("c-key", 1, a),
        ("c-key", 2, b),
    ]
    assert keys(listed.schemas(deleted=True, latest_only=True)) == [
        ("a-value", 1, a),
        ("b-value", 1, a),
        ("c-key", 2, b),
    ]
    assert keys(listed.schemas(prefix="c", deleted=True, offset=1)) == [("c-key", 2, b)]
    assert listed.schemas()[1].schema == B


def test_deleting_the_global_mode_goes_back_to_readwrite(registry: Registry) -> None:
    assert registry.delete_mode() == "READWRITE"  # never set: the default
    registry.set_mode("READONLY")
    assert registry.delete_mode() == "READONLY"
    assert registry.mode() == "READWRITE"
