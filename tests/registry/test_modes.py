"""Contract tests for modes (READWRITE, READONLY, IMPORT), config deletion and ids → versions.

They use the public Registry API only, so they run against every backend the ``registry``
fixture provides (``":memory:"``, a DuckDB file, a served registry). Semantics follow
Confluent's ``/mode`` and ``/config`` endpoints; docs/server.md lists the rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schemakit.errors import (
    InvalidModeError,
    InvalidVersionError,
    ModeNotConfiguredError,
    OperationNotPermittedError,
    SchemaIdConflictError,
    SchemaNotFoundError,
    SubjectNotFoundError,
)
from schemakit.registry import Registry


def record(*fields: str, doc: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "record", "name": "Order"}
    if doc is not None:
        schema["doc"] = doc
    schema["fields"] = [{"name": f, "type": "long"} for f in fields]
    return schema


V1 = record("id")
V2 = record("id", "qty")  # no default: BACKWARD-incompatible with V1
V3 = record("code")


# -- modes ------------------------------------------------------------------------------------


def test_the_default_mode_is_readwrite(registry: Registry) -> None:
    assert registry.mode() == "READWRITE"
    assert registry.mode("s") == "READWRITE"
    assert registry.mode(fallback=False) == "READWRITE"  # the global mode always has a value
    assert registry.mode("s", fallback=False) is None


def test_set_mode_returns_upper_case_and_a_subject_mode_wins(registry: Registry) -> None:
    assert registry.set_mode("readonly") == "READONLY"
    assert registry.mode() == "READONLY"
    assert registry.mode("s") == "READONLY"
    assert registry.set_mode("ReadWrite", "s") == "READWRITE"
    assert registry.mode("s") == "READWRITE"
    assert registry.mode("s", fallback=False) == "READWRITE"
    assert registry.mode("t") == "READONLY"


@pytest.mark.parametrize("mode", ["WRITEONLY", "", "read only", None, 1])
def test_an_invalid_mode_is_refused(registry: Registry, mode: Any) -> None:
    with pytest.raises(InvalidModeError, match="READWRITE, READONLY, IMPORT") as info:
        registry.set_mode(mode)
    assert info.value.error_code == 42204
    assert registry.mode() == "READWRITE"


def test_delete_mode_returns_the_mode_and_falls_back(registry: Registry) -> None:
    registry.set_mode("READONLY", "s")
    assert registry.delete_mode("s") == "READONLY"
    assert registry.mode("s") == "READWRITE"
    with pytest.raises(ModeNotConfiguredError, match="'s'") as info:
        registry.delete_mode("s")
    assert info.value.error_code == 40409


def test_readonly_refuses_registrations_and_deletes(registry: Registry) -> None:
    registry.register("s", V1)
    registry.set_mode("READONLY")
    assert registry.register("s", V1).version == 1  # nothing to write: answered, as Confluent
    for attempt in (
        lambda: registry.register("s", V3),
        lambda: registry.register("new", V1),
        lambda: registry.delete_version("s", 1),
        lambda: registry.delete_subject("s"),
    ):
        with pytest.raises(OperationNotPermittedError, match="READONLY") as info:
            attempt()
        assert info.value.error_code == 42205
    # Reads, lookups, checks and configuration still work.
    assert registry.versions("s") == [1]
    assert registry.lookup("s", V1).version == 1
    assert registry.check("s", V3)
    assert registry.set_compatibility("FULL", "s") == "FULL"
    registry.set_mode("READWRITE")
    registry.delete_compatibility("s")
    assert registry.register("s", V3).version == 2


def test_readonly_on_one_subject_leaves_the_others_writable(registry: Registry) -> None:
    registry.set_mode("READONLY", "frozen")
    with pytest.raises(OperationNotPermittedError):
        registry.register("frozen", V1)
    assert registry.register("open", V1).version == 1
    assert registry.subjects() == ["open"]


# -- IMPORT -----------------------------------------------------------------------------------


def test_import_keeps_the_ids_and_versions_given(registry: Registry) -> None:
    registry.set_compatibility("BACKWARD")
    registry.set_mode("IMPORT")
    first = registry.register("s", V1, schema_id=100, version=3)
    assert (first.id, first.version) == (100, 3)
    # Incompatible under BACKWARD, but IMPORT does not check.
    second = registry.register("s", V2, schema_id=7)
    assert (second.id, second.version) == (7, 4)
    assert registry.register("t", V1, schema_id=100).version == 1
    assert registry.versions("s") == [3, 4]
    assert registry.get_by_id(100) == registry.get_version("s", 3).schema
    assert registry.schema_versions(100) == [("s", 3), ("t", 1)]
    registry.set_mode("READWRITE")
    # Back to normal: new ids continue after the highest one.
    assert registry.register("u", V3).id == 101
    assert registry.verify().ok


def test_import_is_idempotent_for_the_same_schema_and_id(registry: Registry) -> None:
    registry.set_mode("IMPORT")
    registry.register("s", V1, schema_id=5, version=1)
    again = registry.register("s", V1, schema_id=5)
    assert (again.id, again.version) == (5, 1)
    assert registry.versions("s") == [1]


@pytest.mark.parametrize(
    ("schema", "schema_id", "version", "fragment"),
    [
        (V2, 5, None, "already bound to another schema"),  # id 5 is V1
        (V1, 6, None, "already has id 5"),  # V1 has id 5
        (V2, 6, 1, "already has a version 1"),  # version 1 is taken
        (V1, 5, 2, "already has this schema as version 1"),
    ],
)
def test_import_conflicts_are_refused_and_write_nothing(
    registry: Registry, schema: dict[str, Any], schema_id: int, version: int | None, fragment: str
) -> None:
    registry.set_mode("IMPORT")
    registry.register("s", V1, schema_id=5, version=1)
    with pytest.raises(SchemaIdConflictError, match=fragment) as info:
        registry.register("s", schema, schema_id=schema_id, version=version)
    assert info.value.error_code == 42207
    assert registry.versions("s") == [1]
    with pytest.raises(SchemaNotFoundError):
        registry.get_by_id(6)


def test_import_needs_the_schema_id(registry: Registry) -> None:
    registry.set_mode("IMPORT", "s")
    with pytest.raises(OperationNotPermittedError, match="IMPORT mode"):
        registry.register("s", V1)
    with pytest.raises(OperationNotPermittedError, match="IMPORT mode"):
        registry.register("s", V1, version=2)


def test_ids_are_refused_outside_import(registry: Registry) -> None:
    with pytest.raises(OperationNotPermittedError, match="only be given in IMPORT mode"):
        registry.register("s", V1, schema_id=9)
    assert registry.subjects() == []
    first = registry.register("s", V1)
    # The schema it already has, with its own id: answered; with another id: refused.
    assert registry.register("s", V1, schema_id=first.id) == first
    with pytest.raises(OperationNotPermittedError, match="only be given in IMPORT mode"):
        registry.register("s", V1, schema_id=first.id + 1)


def test_a_version_outside_import_must_be_the_next_one(registry: Registry) -> None:
    from schemakit.errors import SchemaParseError

    with pytest.raises(SchemaParseError, match="not one more than the latest") as info:
        registry.register("s", V1, version=2)
    assert info.value.error_code == 42201
    assert registry.register("s", V1, version=1).version == 1
    assert registry.register("s", V1, version=1).version == 1  # already there
    with pytest.raises(SchemaParseError, match="not one more than the latest"):
        registry.register("s", V3, version=3)
    assert registry.register("s", V3, version=2).version == 2


@pytest.mark.parametrize(
    ("keyword", "value", "error"),
    [
        ("schema_id", 0, SchemaIdConflictError),
        ("schema_id", -3, SchemaIdConflictError),
        ("schema_id", 2**31, SchemaIdConflictError),
        ("version", 0, InvalidVersionError),
        ("version", 2**31, InvalidVersionError),
        ("version", "2", InvalidVersionError),
    ],
)
def test_ids_and_versions_to_keep_are_bounded(
    registry: Registry, keyword: str, value: Any, error: type[Exception]
) -> None:
    registry.set_mode("IMPORT")
    arguments = {"schema_id": 1, keyword: value}
    with pytest.raises(error):
        registry.register("s", V1, **arguments)
    assert registry.subjects() == []


def test_import_on_a_registry_with_versions_needs_force(registry: Registry) -> None:
    registry.register("s", V1)
    with pytest.raises(OperationNotPermittedError, match="force"):
        registry.set_mode("IMPORT")
    with pytest.raises(OperationNotPermittedError, match="force"):
        registry.set_mode("IMPORT", "s")
    assert registry.mode() == "READWRITE"
    assert registry.set_mode("IMPORT", "empty") == "IMPORT"  # no versions there
    assert registry.set_mode("IMPORT", "s", force=True) == "IMPORT"
    assert registry.set_mode("IMPORT", force=True) == "IMPORT"
    assert registry.set_mode("IMPORT") == "IMPORT"  # already IMPORT


def test_soft_deleted_versions_do_not_block_import(registry: Registry) -> None:
    registry.register("s", V1)
    registry.delete_subject("s")
    assert registry.set_mode("IMPORT", "s") == "IMPORT"
    assert registry.set_mode("IMPORT") == "IMPORT"


def test_a_permanent_subject_delete_drops_its_mode(registry: Registry) -> None:
    registry.register("s", V1)
    registry.set_mode("READWRITE", "s")
    registry.delete_subject("s")
    registry.delete_subject("s", permanent=True)
    assert registry.mode("s", fallback=False) is None


# -- ids → versions ---------------------------------------------------------------------------


def test_schema_versions_lists_every_subject_version(registry: Registry) -> None:
    schema_id = registry.register("b", V1).id
    registry.register("a", V1)
    registry.register("a", V3)
    registry.register("a", V1)  # the same live version again: no new version
    assert registry.schema_versions(schema_id) == [("a", 1), ("b", 1)]
    registry.delete_version("b", 1)
    assert registry.schema_versions(schema_id) == [("a", 1)]
    assert registry.schema_versions(schema_id, deleted=True) == [("a", 1), ("b", 1)]


def test_schema_versions_of_an_unknown_id(registry: Registry) -> None:
    with pytest.raises(SchemaNotFoundError) as info:
        registry.schema_versions(12345)
    assert info.value.error_code == 40403
    with pytest.raises(TypeError):
        registry.schema_versions("1")  # type: ignore[arg-type]


# -- config -----------------------------------------------------------------------------------


def test_compatibility_without_fallback(registry: Registry) -> None:
    assert registry.compatibility(fallback=False) == "NONE"  # the fixture sets it globally
    assert registry.compatibility("s", fallback=False) is None
    registry.set_compatibility("full", "s")
    assert registry.compatibility("s", fallback=False) == "FULL"


def test_delete_compatibility_of_a_subject(registry: Registry) -> None:
    registry.set_compatibility("FORWARD", "s")
    assert registry.delete_compatibility("s") == "FORWARD"
    assert registry.compatibility("s") == "NONE"  # the global level again
    with pytest.raises(SubjectNotFoundError) as info:
        registry.delete_compatibility("s")
    assert info.value.error_code == 40401


def test_delete_compatibility_resets_the_global_level(registry: Registry) -> None:
    assert registry.delete_compatibility() == "NONE"
    assert registry.compatibility() == "BACKWARD"
    assert registry.compatibility(fallback=False) == "BACKWARD"  # the global level always has one
    assert registry.delete_compatibility() == "BACKWARD"  # nothing set: the default


# -- file layout ------------------------------------------------------------------------------


def test_a_layout_1_file_opens_and_gains_modes(tmp_path: Path) -> None:
    """A file written before modes existed (layout 1) is migrated when opened, data intact."""
    import duckdb

    path = tmp_path / "old.duckdb"
    with Registry(path) as reg:
        reg.set_compatibility("FULL", "s")
        first = reg.register("s", V1)
    conn = duckdb.connect(str(path))  # take it back to layout 1, as an older schemakit wrote it
    conn.execute("DROP TABLE modes")
    conn.execute("DELETE FROM schemakit_migrations WHERE version = 2")
    conn.execute("UPDATE schemakit_meta SET value = '1' WHERE key = 'layout_version'")
    conn.close()
    with Registry(path) as reg:
        assert reg.get_version("s", 1) == first
        assert reg.compatibility("s") == "FULL"
        assert reg.mode() == "READWRITE"
        reg.set_mode("READONLY", "s")
        report = reg.verify()
    assert report.ok, report.problems
    assert report.layout_version == 2
    with Registry(path) as reg:
        assert reg.mode("s") == "READONLY"


# -- checks against one version ---------------------------------------------------------------


def test_check_against_one_version(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V3)
    registry.set_compatibility("BACKWARD_TRANSITIVE", "s")
    assert registry.check("s", V3, version=2)
    assert registry.check("s", V3, version="latest")
    result = registry.check("s", V3, version=1)
    assert not result
    assert result.messages
    assert not registry.check("s", V3)  # transitive: against both


def test_check_against_a_missing_version(registry: Registry) -> None:
    from schemakit.errors import VersionNotFoundError

    # As Confluent: "latest" of a subject without versions has nothing to break; a number is 40402
    assert registry.check("s", V1, version="latest")
    with pytest.raises(VersionNotFoundError):
        registry.check("s", V1, version=1)
    registry.register("s", V1)
    with pytest.raises(VersionNotFoundError):
        registry.check("s", V1, version=5)
    with pytest.raises(InvalidVersionError):
        registry.check("s", V1, version=0)
    assert registry.check("nobody", V1)  # no version given: an empty subject accepts anything


def test_check_of_another_schema_type_is_incompatible(registry: Registry) -> None:
    registry.register("s", V1)
    json_schema = {"type": "object"}
    for version in (None, 1):
        result = registry.check("s", json_schema, schema_type="JSON", version=version)
        assert not result
        assert "JSON" in result.messages[0]


# -- schema text that JSON cannot store -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "schema_type", "fragment"),
    [
        ("1e999", "AVRO", "not finite"),
        ("NaN", "JSON", "not finite"),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double", '
            '"default": -Infinity}]}',
            "AVRO",
            "/fields/0/default",
        ),
        ('{"type": "object", "minimum": 1e400}', "JSON", "/minimum"),
        ('{"type": "string", "doc": "\\udc80"}', "AVRO", "lone surrogate"),
        ('{"type": "object", "description": "\\ud800"}', "JSON", "lone surrogate"),
        ('"\udc80"', "AVRO", "lone surrogate"),
    ],
)
def test_schema_text_json_cannot_store_is_invalid(
    registry: Registry, text: str, schema_type: str, fragment: str
) -> None:
    from schemakit.errors import SchemaParseError

    for attempt in (registry.register, registry.lookup, registry.check):
        with pytest.raises(SchemaParseError, match=fragment) as info:
            attempt("s", text, schema_type=schema_type)
        assert info.value.error_code == 42201
    assert registry.subjects() == []
