"""The registry contract suite: Confluent Schema Registry semantics, run against every backend.

Each test runs against ``":memory:"``, a DuckDB file and a served registry over REST (the
``registry`` fixture, tests/registry/conftest.py). Rules and
their sources are listed in docs/registry.md.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from schemakit.errors import (
    DefaultRegistryWarning,
    IncompatibleSchemaError,
    InvalidCompatibilityLevelError,
    InvalidSubjectError,
    InvalidVersionError,
    SchemakitError,
    SchemaNotFoundError,
    SchemaParseError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from schemakit.registry import IntegrityReport, RegisteredSchema, Registry
from schemakit.schema import Schema

LEVELS = (
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
)


def record(
    name: str = "Order", fields: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """An Avro record schema document."""
    doc: dict[str, Any] = {"type": "record", "name": name}
    doc.update(extra)
    doc["fields"] = fields if fields is not None else [{"name": "id", "type": "long"}]
    return doc


V1 = record(fields=[{"name": "id", "type": "long"}])
V2 = record(
    fields=[{"name": "id", "type": "long"}, {"name": "note", "type": "string", "default": ""}]
)
V3 = record(
    fields=[
        {"name": "id", "type": "long"},
        {"name": "note", "type": "string", "default": ""},
        {"name": "qty", "type": "int", "default": 0},
    ]
)
JSON_V1 = {"type": "object", "properties": {"id": {"type": "integer"}}}


def state(reg: Registry) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the store holds (one read), for "nothing was written" checks."""
    return reg._backend.dump()  # type: ignore[attr-defined, no-any-return]


def _raises(cls: type[SchemakitError], code: int, call: Any, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(cls) as info:
        call(*args, **kwargs)
    assert type(info.value) is cls
    assert info.value.error_code == code
    return info.value


# ---------------------------------------------------------------------------------------------
# register: ids and versions
# ---------------------------------------------------------------------------------------------


def test_register_returns_version_one_and_id_one(registry: Registry) -> None:
    got = registry.register("orders-value", V1)
    assert got == RegisteredSchema("orders-value", 1, 1, Schema.parse(V1))
    assert got.schema.text == Schema.parse(V1).text
    assert registry.subjects() == ["orders-value"]
    assert registry.versions("orders-value") == [1]


def test_registered_schema_is_frozen_one_line_and_renders(registry: Registry) -> None:
    got = registry.register("<b>orders</b>", V1)
    with pytest.raises(AttributeError):
        got.version = 2  # type: ignore[misc]
    assert "\n" not in repr(got)
    assert repr(got).startswith("RegisteredSchema(subject='<b>orders</b>', version=1, id=1")
    html = got._repr_html_()
    assert "&lt;b&gt;orders&lt;/b&gt;" in html
    assert "<b>orders" not in html
    assert pickle.loads(pickle.dumps(got)) == got


def test_same_schema_same_subject_is_idempotent_and_writes_nothing(registry: Registry) -> None:
    first = registry.register("s", V1)
    before = state(registry)
    again = registry.register("s", json.dumps(V1, indent=2))  # same schema, other whitespace
    assert again == first
    assert (again.version, again.id) == (1, 1)
    assert state(registry) == before


def test_idempotent_register_skips_the_compatibility_check(registry: Registry) -> None:
    # Under FULL_TRANSITIVE a type change would break; re-registering v1 is still a no-op.
    registry.set_compatibility("NONE", "s")
    registry.register("s", record(fields=[{"name": "id", "type": "string"}]))
    registry.register("s", V1)
    registry.set_compatibility("FULL_TRANSITIVE", "s")
    assert registry.register("s", V1).version == 2


def test_same_schema_under_another_subject_gets_the_same_id(registry: Registry) -> None:
    a = registry.register("a", V1)
    b = registry.register("b", V1)
    assert (b.subject, b.version, b.id) == ("b", 1, a.id)
    other = registry.register("b", V2)
    assert other.id == 2
    assert registry.register("a", V2).id == 2


def test_a_changed_doc_or_field_order_is_a_new_schema(registry: Registry) -> None:
    registry.set_compatibility("NONE")
    base = registry.register("s", V1)
    documented = registry.register("s", record(doc="orders placed", fields=V1["fields"]))
    assert (documented.version, documented.id) == (2, 2)
    two = [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]
    first = registry.register("t", record(fields=two))
    swapped = registry.register("t", record(fields=list(reversed(two))))
    assert swapped.id != first.id
    assert len({base.id, documented.id, first.id, swapped.id}) == 4


def test_normalize_identifies_schemas_by_their_normalized_form(registry: Registry) -> None:
    registry.set_compatibility("NONE")
    plain = registry.register("s", V1)
    documented = record(doc="orders placed", fields=V1["fields"])
    # Without normalize a doc change is a new schema; with it, the same one.
    assert registry.register("s", documented, normalize=True) == plain
    assert registry.lookup("s", documented, normalize=True) == plain
    _raises(SchemaNotFoundError, 40403, registry.lookup, "s", documented)
    # Key order does not matter when normalizing.
    reordered = {"fields": V1["fields"], "name": "Order", "type": "record"}
    assert registry.register("t", reordered, normalize=True).id == plain.id
    # The text kept is the first one registered, whatever text matched it.
    again = registry.register("u", documented, normalize=True)
    assert (again.version, again.id) == (1, plain.id)
    assert again.schema.text == plain.schema.text
    assert registry.get_version("u", 1).schema.text == plain.schema.text
    assert registry.get_by_id(plain.id).text == plain.schema.text
    # Without normalize, the documented text is a schema of its own.
    assert registry.register("u", documented).id == plain.id + 1


def test_new_version_follows_the_highest_ever_used_soft_deleted_included(
    registry: Registry,
) -> None:
    registry.set_compatibility("NONE")
    registry.register("s", V1)
    registry.register("s", V2)
    registry.delete_version("s", 2)
    assert registry.register("s", V3).version == 3
    registry.delete_subject("s")
    assert registry.register("s", V1).version == 4  # soft-deleted v1 does not count as live
    assert registry.versions("s") == [4]


def test_a_permanently_deleted_subject_starts_again_at_version_one(registry: Registry) -> None:
    registry.register("s", V1)
    registry.delete_subject("s")
    registry.delete_subject("s", permanent=True)
    again = registry.register("s", V1)
    assert (again.version, again.id) == (1, 1)  # ids are never reused: the schema keeps its id


def test_registering_a_soft_deleted_schema_makes_a_new_version_with_the_same_id(
    registry: Registry,
) -> None:
    first = registry.register("s", V1)
    registry.register("s", V2)
    registry.delete_version("s", 1)
    again = registry.register("s", V1)
    assert (again.version, again.id) == (3, first.id)


def test_ids_are_global_and_sequential(registry: Registry) -> None:
    registry.set_compatibility("NONE")
    ids = [registry.register(f"s{i}", record(name=f"R{i}")).id for i in range(5)]
    assert ids == [1, 2, 3, 4, 5]


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------


def test_get_by_id_and_soft_deleted_ids_still_resolve(registry: Registry) -> None:
    got = registry.register("s", V1)
    assert registry.get_by_id(got.id) == Schema.parse(V1)
    assert registry.get_by_id(got.id).text == got.schema.text
    registry.delete_subject("s")
    assert registry.get_by_id(got.id) == Schema.parse(V1)


def test_get_by_id_of_a_permanently_deleted_schema_is_not_found(registry: Registry) -> None:
    got = registry.register("s", V1)
    registry.register("t", V2)
    registry.delete_subject("s")
    registry.delete_subject("s", permanent=True)
    error = _raises(SchemaNotFoundError, 40403, registry.get_by_id, got.id)
    assert error.schema_id == got.id
    assert registry.get_by_id(2) == Schema.parse(V2)


def test_get_by_id_unknown(registry: Registry) -> None:
    registry.register("s", V1)
    for bad in (0, -1, 2, 10**9, 10**30):
        error = _raises(SchemaNotFoundError, 40403, registry.get_by_id, bad)
        assert str(bad) in str(error)
    for bad in ("1", 1.0, True, None):
        with pytest.raises(TypeError, match="int"):
            registry.get_by_id(bad)  # type: ignore[arg-type]


def test_numpy_integers_are_ids_and_versions(registry: Registry) -> None:
    import numpy as np

    registry.register("s", V1)
    frame = registry.history("s")
    version, schema_id = frame["version"].iloc[0], frame["id"].iloc[0]
    assert isinstance(version, np.integer)
    assert registry.get_version("s", version).version == 1
    assert registry.get_by_id(schema_id) == Schema.parse(V1)
    assert registry.get_by_id(np.int32(1)) == Schema.parse(V1)


def test_get_version_and_latest(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    assert registry.get_version("s", 1).schema == Schema.parse(V1)
    assert registry.get_version("s", "latest").version == 2
    assert registry.get_version("s", "LATEST").version == 2
    assert registry.get_latest("s") == registry.get_version("s", 2)
    _raises(VersionNotFoundError, 40402, registry.get_version, "s", 3)
    _raises(SubjectNotFoundError, 40401, registry.get_version, "nope", 1)
    _raises(SubjectNotFoundError, 40401, registry.get_latest, "nope")


def test_versions_and_subjects(registry: Registry) -> None:
    assert registry.subjects() == []
    registry.register("b", V1)
    registry.register("a", V1)
    registry.register("a", V2)
    assert registry.subjects() == ["a", "b"]
    assert registry.versions("a") == [1, 2]
    _raises(SubjectNotFoundError, 40401, registry.versions, "c")


def test_lookup(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    registry.register("t", V2)
    found = registry.lookup("s", V2)
    assert (found.subject, found.version, found.id) == ("s", 2, 2)
    assert registry.lookup("t", Schema.parse(V2)).version == 1
    assert registry.lookup("s", json.dumps(V1, indent=4)).version == 1
    error = _raises(SchemaNotFoundError, 40403, registry.lookup, "t", V1)
    assert error.subject == "t"
    _raises(SubjectNotFoundError, 40401, registry.lookup, "nope", V1)


def test_lookup_of_soft_deleted_versions(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    registry.lookup("s", V1)  # warm the cache: deleting must invalidate it
    registry.delete_version("s", 1)
    _raises(SchemaNotFoundError, 40403, registry.lookup, "s", V1)
    assert registry.lookup("s", V1, deleted=True).version == 1
    registry.delete_subject("s")
    _raises(SubjectNotFoundError, 40401, registry.lookup, "s", V2)
    assert registry.lookup("s", V2, deleted=True).version == 2


# ---------------------------------------------------------------------------------------------
# deleting
# ---------------------------------------------------------------------------------------------


def test_soft_delete_version_hides_it(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    assert registry.delete_version("s", 1) == 1
    assert registry.versions("s") == [2]
    assert registry.versions("s", deleted=True) == [1, 2]
    _raises(VersionNotFoundError, 40402, registry.get_version, "s", 1)
    assert registry.get_version("s", 1, deleted=True).id == 1
    _raises(VersionSoftDeletedError, 40406, registry.delete_version, "s", 1)
    assert registry.delete_version("s", "latest") == 2
    _raises(SubjectNotFoundError, 40401, registry.get_latest, "s")
    assert registry.subjects() == []
    assert registry.subjects(deleted=True) == ["s"]


def test_permanent_version_delete_only_after_soft_delete(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    before = state(registry)
    error = _raises(
        VersionNotSoftDeletedError, 40407, registry.delete_version, "s", 1, permanent=True
    )
    assert (error.subject, error.version) == ("s", 1)
    assert state(registry) == before
    registry.delete_version("s", 1)
    assert registry.delete_version("s", 1, permanent=True) == 1
    assert registry.versions("s", deleted=True) == [2]
    _raises(VersionNotFoundError, 40402, registry.get_version, "s", 1, deleted=True)
    _raises(VersionNotFoundError, 40402, registry.delete_version, "s", 1, permanent=True)
    _raises(VersionNotFoundError, 40402, registry.delete_version, "s", 9)
    _raises(SubjectNotFoundError, 40401, registry.delete_version, "nope", 1)


def test_permanent_delete_of_latest_takes_the_newest_soft_deleted(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    registry.delete_version("s", "latest")
    assert registry.delete_version("s", "latest", permanent=True) == 2
    assert registry.versions("s", deleted=True) == [1]


def test_soft_and_permanent_subject_delete(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    registry.register("t", V1)
    before = state(registry)
    error = _raises(SubjectNotSoftDeletedError, 40405, registry.delete_subject, "s", permanent=True)
    assert error.subject == "s"
    assert state(registry) == before
    assert registry.delete_subject("s") == [1, 2]
    assert registry.subjects() == ["t"]
    assert registry.subjects(deleted=True) == ["s", "t"]
    _raises(SubjectNotFoundError, 40401, registry.versions, "s")
    _raises(SubjectSoftDeletedError, 40404, registry.delete_subject, "s")
    assert registry.delete_subject("s", permanent=True) == [1, 2]
    assert registry.subjects(deleted=True) == ["t"]
    _raises(SubjectNotFoundError, 40401, registry.delete_subject, "s")
    _raises(SubjectNotFoundError, 40401, registry.delete_subject, "s", permanent=True)
    assert registry.get_by_id(1) == Schema.parse(V1)  # still used by "t"


def test_subject_delete_returns_only_the_versions_it_deleted(registry: Registry) -> None:
    for schema in (V1, V2, V3):
        registry.register("s", schema)
    registry.delete_version("s", 2)
    assert registry.delete_subject("s") == [1, 3]


def test_partially_soft_deleted_subject_is_not_permanently_deletable(registry: Registry) -> None:
    registry.register("s", V1)
    registry.register("s", V2)
    registry.delete_version("s", 1)
    _raises(SubjectNotSoftDeletedError, 40405, registry.delete_subject, "s", permanent=True)


def test_permanent_subject_delete_drops_its_level(registry: Registry) -> None:
    registry.register("s", V1)
    registry.set_compatibility("full", "s")
    registry.delete_subject("s")
    assert registry.compatibility("s") == "FULL"
    registry.delete_subject("s", permanent=True)
    assert registry.compatibility("s") == registry.compatibility() == "NONE"


# ---------------------------------------------------------------------------------------------
# compatibility levels
# ---------------------------------------------------------------------------------------------


def test_levels_default_fall_back_and_override(location: str) -> None:
    with Registry(location) as registry:
        _levels_default_fall_back_and_override(registry)


def _levels_default_fall_back_and_override(registry: Registry) -> None:
    assert registry.compatibility() == "BACKWARD"
    assert registry.compatibility("s") == "BACKWARD"
    assert registry.set_compatibility("forward") == "FORWARD"
    assert registry.compatibility() == "FORWARD"
    assert registry.compatibility("s") == "FORWARD"
    assert registry.set_compatibility("Full_Transitive", "s") == "FULL_TRANSITIVE"
    assert registry.compatibility("s") == "FULL_TRANSITIVE"
    assert registry.compatibility("t") == "FORWARD"
    assert registry.compatibility() == "FORWARD"


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_can_be_set(registry: Registry, level: str) -> None:
    assert registry.set_compatibility(level.lower(), "s") == level
    assert registry.compatibility("s") == level


@pytest.mark.parametrize("bad", ["", "BACKWARDS", "full transitive", None, 3])
def test_unknown_level_is_rejected_and_nothing_written(registry: Registry, bad: Any) -> None:
    registry.register("s", V1)
    before = state(registry)
    error = _raises(InvalidCompatibilityLevelError, 42203, registry.set_compatibility, bad)
    for level in LEVELS:
        assert level in str(error)
    _raises(InvalidCompatibilityLevelError, 42203, registry.set_compatibility, bad, "s")
    assert state(registry) == before


# ---------------------------------------------------------------------------------------------
# compatibility on register and check (these use schemakit.compat)
# ---------------------------------------------------------------------------------------------

TYPE_CHANGED = record(fields=[{"name": "id", "type": "string"}])


def test_compatible_evolution_registers(registry: Registry) -> None:
    registry.set_compatibility("BACKWARD")
    registry.register("s", V1)
    assert registry.check("s", V2)
    assert registry.register("s", V2).version == 2
    assert registry.register("s", V3).version == 3


def test_incompatible_schema_is_rejected_with_every_message_and_nothing_written(
    registry: Registry,
) -> None:
    registry.set_compatibility("BACKWARD")
    registry.register("s", V1)
    before = state(registry)
    error = _raises(IncompatibleSchemaError, 409, registry.register, "s", TYPE_CHANGED)
    assert error.subject == "s"
    assert error.level == "BACKWARD"
    assert error.messages
    for message in error.messages:
        assert message in str(error)
    assert state(registry) == before
    result = registry.check("s", TYPE_CHANGED)
    assert not result
    assert tuple(result.messages) == error.messages


def test_incompatible_schema_under_none_registers(registry: Registry) -> None:
    registry.set_compatibility("BACKWARD")
    registry.register("s", V1)
    registry.set_compatibility("NONE", "s")
    assert registry.register("s", TYPE_CHANGED).version == 2


def test_compatibility_checks_only_live_versions(registry: Registry) -> None:
    registry.set_compatibility("FULL_TRANSITIVE")
    registry.register("s", V1)
    registry.delete_version("s", 1)
    # The only version is soft-deleted: nothing to be compatible with.
    assert registry.register("s", TYPE_CHANGED).version == 2


def test_transitive_levels_check_every_live_version(registry: Registry) -> None:
    with_default = record(fields=[{"name": "id", "type": "string", "default": ""}])
    # v1 {id: long}, v2 {} (dropping a field is BACKWARD-compatible), then
    # v3 {id: string = ""}: compatible with v2 alone, not with v1.
    registry.set_compatibility("BACKWARD")
    registry.register("s", V1)
    registry.register("s", record(fields=[]))
    assert registry.check("s", with_default)
    registry.set_compatibility("BACKWARD_TRANSITIVE", "s")
    assert not registry.check("s", with_default)
    _raises(IncompatibleSchemaError, 409, registry.register, "s", with_default)
    registry.set_compatibility("BACKWARD", "s")
    assert registry.register("s", with_default).version == 3


def test_check_of_an_unknown_subject_is_compatible(registry: Registry) -> None:
    registry.set_compatibility("FULL_TRANSITIVE")
    assert registry.check("nope", V1)
    assert registry.subjects(deleted=True) == []


# ---------------------------------------------------------------------------------------------
# JSON schemas
# ---------------------------------------------------------------------------------------------


def test_json_schemas_register_with_type_json(registry: Registry) -> None:
    got = registry.register("j", JSON_V1, schema_type="JSON")
    assert got.schema.schema_type == "JSON"
    assert registry.get_by_id(got.id).schema_type == "JSON"
    assert registry.lookup("j", JSON_V1, schema_type="json") == got
    assert registry.register("j", Schema.parse(JSON_V1, schema_type="JSON")) == got
    # An Avro schema with the same text is another schema.
    avro_string = registry.register("a", '"string"')
    json_string = registry.register("b", '{"type": "string"}', schema_type="JSON")
    assert len({got.id, avro_string.id, json_string.id}) == 3


def test_a_subject_does_not_mix_schema_types(registry: Registry) -> None:
    registry.set_compatibility("BACKWARD", "s")
    registry.register("s", V1)
    before = state(registry)
    error = _raises(
        IncompatibleSchemaError, 409, registry.register, "s", JSON_V1, schema_type="JSON"
    )
    assert "JSON" in error.messages[0]
    assert state(registry) == before
    registry.set_compatibility("NONE", "s")
    assert registry.register("s", JSON_V1, schema_type="JSON").version == 2


# ---------------------------------------------------------------------------------------------
# bad input: a clear error, nothing written
# ---------------------------------------------------------------------------------------------

BAD_SUBJECTS = ["", "a\x00b", "line\nbreak", "tab\there", "\x7f", "bell\x07", "\ud800"]


@pytest.mark.parametrize("bad", BAD_SUBJECTS)
def test_bad_subjects_are_rejected_everywhere(registry: Registry, bad: str) -> None:
    registry.register("s", V1)
    before = state(registry)
    calls: list[tuple[Any, tuple[Any, ...]]] = [
        (registry.register, (bad, V1)),
        (registry.get_version, (bad, 1)),
        (registry.get_latest, (bad,)),
        (registry.versions, (bad,)),
        (registry.lookup, (bad, V1)),
        (registry.check, (bad, V1)),
        (registry.set_compatibility, ("NONE", bad)),
        (registry.compatibility, (bad,)),
        (registry.delete_version, (bad, 1)),
        (registry.delete_subject, (bad,)),
        (registry.history, (bad,)),
    ]
    for call, args in calls:
        error = _raises(InvalidSubjectError, 42208, call, *args)
        assert "subject" in str(error)
    assert state(registry) == before


@pytest.mark.parametrize("bad", [None, 5, b"bytes", ["s"]])
def test_non_string_subjects_are_rejected(registry: Registry, bad: Any) -> None:
    error = _raises(InvalidSubjectError, 42208, registry.register, bad, V1)
    assert "str" in str(error)
    assert registry.subjects(deleted=True) == []


@pytest.mark.parametrize("bad", [0, -1, 1.0, 1.5, "1", "", "newest", True, False, None, [1]])
def test_bad_versions_are_rejected(registry: Registry, bad: Any) -> None:
    registry.register("s", V1)
    before = state(registry)
    for call in (registry.get_version, registry.delete_version):
        error = _raises(InvalidVersionError, 42202, call, "s", bad)
        assert "positive int or 'latest'" in str(error)
    _raises(InvalidVersionError, 42202, registry.delete_version, "s", bad, permanent=True)
    assert state(registry) == before


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        {"type": "record", "name": "R"},
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": "Unknown"}]},
        '["int", "int"]',
    ],
)
def test_unparseable_schemas_are_rejected_and_nothing_written(registry: Registry, bad: Any) -> None:
    registry.register("s", V1)
    before = state(registry)
    _raises(SchemaParseError, 42201, registry.register, "s", bad)
    _raises(SchemaParseError, 42201, registry.register, "new", bad)
    _raises(SchemaParseError, 42201, registry.lookup, "s", bad)
    _raises(SchemaParseError, 42201, registry.check, "s", bad)
    assert state(registry) == before


def test_unknown_subjects_are_not_found_and_nothing_written(registry: Registry) -> None:
    registry.register("s", V1)
    before = state(registry)
    for call, args in [
        (registry.get_version, ("nope", 1)),
        (registry.versions, ("nope",)),
        (registry.lookup, ("nope", V1)),
        (registry.delete_version, ("nope", 1)),
        (registry.delete_subject, ("nope",)),
        (registry.history, ("nope",)),
    ]:
        error = _raises(SubjectNotFoundError, 40401, call, *args)
        assert error.subject == "nope"
        assert "'nope'" in str(error)
    assert state(registry) == before


# ---------------------------------------------------------------------------------------------
# subject names are data
# ---------------------------------------------------------------------------------------------

HOSTILE_SUBJECTS = [
    "x'; DROP TABLE schemas; --",
    'x"; DROP TABLE subject_versions; --',
    "Robert'); DELETE FROM config; --",
    "注文-value",
    "заказы-value",
    "🦆-value",
    "a\\b%_*?",
    " leading and trailing ",
    "<script>alert(1)</script>",
    "é" * 500,
]


@pytest.mark.parametrize("subject", HOSTILE_SUBJECTS)
def test_hostile_and_unicode_subjects_are_data(registry: Registry, subject: str) -> None:
    registry.register("other", V1)
    got = registry.register(subject, V1)
    assert (got.subject, got.version, got.id) == (subject, 1, 1)
    registry.set_compatibility("NONE", subject)
    assert registry.register(subject, TYPE_CHANGED).version == 2
    assert registry.subjects() == sorted(["other", subject])
    assert registry.versions(subject) == [1, 2]
    assert registry.get_version(subject, 2).schema == Schema.parse(TYPE_CHANGED)
    assert registry.lookup(subject, V1).version == 1
    assert registry.compatibility(subject) == "NONE"
    assert list(registry.history(subject)["version"]) == [1, 2]
    assert registry.delete_version(subject, 1) == 1
    assert registry.delete_subject(subject) == [2]
    assert registry.delete_subject(subject, permanent=True) == [1, 2]
    assert registry.subjects(deleted=True) == ["other"]
    assert registry.versions("other") == [1]
    assert registry.verify()


def test_subjects_differing_by_case_or_normalization_are_distinct(registry: Registry) -> None:
    for subject in ("Orders", "orders", "caf\u00e9", "cafe\u0301"):
        assert registry.register(subject, V1).version == 1
    assert len(registry.subjects()) == 4


# ---------------------------------------------------------------------------------------------
# history, verify, display, lifecycle
# ---------------------------------------------------------------------------------------------


def test_history(registry: Registry) -> None:
    registry.set_compatibility("NONE", "s")
    registry.register("s", V1)
    registry.register("s", V2)
    registry.register("s", TYPE_CHANGED)
    registry.delete_version("s", 2)
    frame = registry.history("s")
    assert list(frame.columns) == [
        "version",
        "id",
        "registered_at",
        "fields",
        "compatible_with_previous",
        "deleted",
    ]
    assert list(frame["version"]) == [1, 2, 3]
    assert list(frame["id"]) == [1, 2, 3]
    assert list(frame["fields"]) == [1, 2, 1]
    assert list(frame["deleted"]) == [False, True, False]
    assert frame["compatible_with_previous"].isna().tolist() == [True, False, False]
    assert frame["compatible_with_previous"].tolist()[1:] == [True, True]  # level NONE
    assert str(frame["registered_at"].dtype).endswith("UTC]")
    if registry.location.startswith("http"):  # REST has no registration time
        assert frame["registered_at"].isna().all()
        return
    now = pd.Timestamp.now(tz="UTC")
    assert ((now - frame["registered_at"]) < pd.Timedelta(minutes=5)).all()
    assert frame["registered_at"].is_monotonic_increasing


def test_history_judges_under_the_subject_level(registry: Registry) -> None:
    registry.set_compatibility("NONE", "s")
    registry.register("s", V1)
    registry.register("s", V2)
    registry.register("s", TYPE_CHANGED)
    registry.set_compatibility("BACKWARD", "s")
    frame = registry.history("s")
    assert frame["compatible_with_previous"].tolist()[1:] == [True, False]


def test_verify_reports_ok(registry: Registry) -> None:
    report = registry.verify()
    assert isinstance(report, IntegrityReport)
    assert report.ok
    assert bool(report)
    assert report.problems == ()
    registry.set_compatibility("NONE")
    registry.register("s", V1)
    registry.register("s", V2)
    registry.register("t", V1)
    registry.delete_version("s", 1)
    report = registry.verify()
    assert (report.schemas, report.subjects, report.versions) == (2, 2, 3)
    # 1: schemas, versions, config; 2: modes. A remote registry's layout is out of reach: 0.
    assert report.layout_version == (0 if registry.location.startswith("http") else 2)
    assert "ok" in repr(report)
    assert "no problems" in report._repr_html_()


def test_registry_html_lists_subjects_with_counts_and_levels(registry: Registry) -> None:
    registry.register("<i>s</i>", V1)
    registry.register("<i>s</i>", V2)
    registry.register("t", V1)
    registry.set_compatibility("FULL", "t")
    registry.set_compatibility("FORWARD")
    html = registry._repr_html_()
    assert "&lt;i&gt;s&lt;/i&gt;" in html
    assert "<i>" not in html
    assert "FULL" in html
    assert "FORWARD (global)" in html
    assert "2 subjects" in html


def test_repr_is_one_line(registry: Registry) -> None:
    assert repr(registry) == f"Registry({registry.location!r})"


@pytest.mark.parametrize("bad", [-1, "30", None, True])
def test_bad_timeouts_are_rejected(bad: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        Registry(":memory:", timeout=bad)


def test_errors_from_the_registry_pickle_with_their_data(registry: Registry) -> None:
    registry.set_compatibility("BACKWARD")
    registry.register("s", V1)
    caught: list[SchemakitError] = []
    for call, args in [
        (registry.register, ("", V1)),
        (registry.register, ("s", TYPE_CHANGED)),
        (registry.get_version, ("s", 9)),
        (registry.get_by_id, (9,)),
        (registry.set_compatibility, ("SIDEWAYS",)),
        (registry.delete_subject, ("nope",)),
    ]:
        with pytest.raises(SchemakitError) as info:
            call(*args)
        caught.append(info.value)
    for error in caught:
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert clone.__dict__ == error.__dict__


def test_closed_registry_refuses_calls(location: str) -> None:
    reg = Registry(location)
    reg.register("s", V1)
    with reg:
        pass
    with pytest.raises(SchemakitError, match="closed"):
        reg.subjects()
    with pytest.raises(SchemakitError, match="closed"):
        reg.register("t", V2)


# ---------------------------------------------------------------------------------------------
# locations
# ---------------------------------------------------------------------------------------------


def test_a_file_registry_persists_across_objects(tmp_path: Path) -> None:
    path = tmp_path / "reg.duckdb"
    with Registry(path) as reg:
        reg.set_compatibility("NONE")
        reg.register("s", V1)
        reg.register("s", V2)
        reg.set_compatibility("FULL")
        reg.delete_version("s", 1)
    with Registry(str(path)) as reg:
        assert reg.location == str(path)
        assert reg.compatibility() == "FULL"
        assert reg.versions("s", deleted=True) == [1, 2]
        assert reg.versions("s") == [2]
        assert reg.get_by_id(1) == Schema.parse(V1)
        assert reg.verify()


def test_location_defaults_to_the_environment_then_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCHEMAKIT_REGISTRY", raising=False)
    monkeypatch.setattr("schemakit.registry.registry._DEFAULT_CREATED_WARNED", False)
    with pytest.warns(DefaultRegistryWarning, match="schemakit.duckdb"), Registry() as reg:
        assert reg.location == str(tmp_path / "schemakit.duckdb")
    assert (tmp_path / "schemakit.duckdb").exists()
    monkeypatch.setenv("SCHEMAKIT_REGISTRY", str(tmp_path / "env.duckdb"))
    with Registry() as reg:
        assert reg.location == str(tmp_path / "env.duckdb")
    monkeypatch.setenv("SCHEMAKIT_REGISTRY", ":memory:")
    with Registry() as reg:
        assert reg.location == ":memory:"


def test_relative_paths_are_resolved_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Registry("rel.duckdb") as reg:
        assert reg.location == str(tmp_path / "rel.duckdb")


@pytest.mark.parametrize("url", ["http://localhost:8081", "HTTPS://registry.example.com"])
def test_rest_locations_select_the_rest_backend(url: str) -> None:
    with Registry(url) as reg:  # no request is sent before the first call
        assert type(reg._backend).__name__ == "RestBackend"
        assert reg.location == url


def test_memory_registries_are_independent() -> None:
    with Registry(":memory:") as a, Registry(":memory:") as b:
        a.register("s", V1)
        assert b.subjects() == []


def test_a_file_that_is_not_a_registry_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database")
    with pytest.raises(SchemakitError, match=r"notes\.duckdb") as info:
        Registry(path)
    assert type(info.value) is SchemakitError
    assert info.value.__cause__ is not None


@pytest.mark.parametrize("where", ["missing/dir/reg.duckdb", "."])
def test_an_unopenable_path_is_a_clear_error(tmp_path: Path, where: str) -> None:
    path = tmp_path / where
    with pytest.raises(SchemakitError) as info:
        Registry(path)
    assert type(info.value) is SchemakitError
    assert str(path.resolve()) in str(info.value)
    assert info.value.__cause__ is not None


def test_a_file_from_a_newer_layout_is_refused(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "future.duckdb"
    Registry(path).close()
    conn = duckdb.connect(str(path))
    conn.execute("UPDATE schemakit_meta SET value = '99' WHERE key = 'layout_version'")
    conn.close()
    with pytest.raises(SchemakitError, match="layout version 99"):
        Registry(path)


def test_the_file_layout_is_versioned(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "layout.duckdb"
    with Registry(path) as reg:
        reg.register("s", V1)
    conn = duckdb.connect(str(path), read_only=True)
    try:
        meta = conn.execute("SELECT key, value FROM schemakit_meta").fetchall()
        migrations = conn.execute("SELECT version FROM schemakit_migrations").fetchall()
        tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        conn.close()
    assert ("layout_version", "2") in meta
    assert migrations == [(1,), (2,)]
    assert {"schemas", "subject_versions", "config", "modes"} <= tables


def test_verify_finds_a_damaged_file(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "damaged.duckdb"
    with Registry(path) as reg:
        reg.set_compatibility("NONE")
        reg.register("s", V1)
        reg.register("s", V2)
    conn = duckdb.connect(str(path))
    conn.execute("INSERT INTO subject_versions VALUES ('s', 3, 42, FALSE, now()::TIMESTAMP)")
    conn.execute('UPDATE schemas SET text = \'{"type": "int"}\' WHERE id = 2')
    conn.execute("INSERT INTO config VALUES ('s', 'SIDEWAYS')")
    conn.close()
    with Registry(path) as reg:
        report = reg.verify()
    assert not report
    joined = "\n".join(report.problems)
    assert "schema id 42, which does not exist" in joined
    assert "schema id 2: stored identity digests do not match" in joined
    assert "'SIDEWAYS'" in joined
    assert "3 problems" in repr(report)


def test_the_doctest_examples_run() -> None:
    import doctest

    import schemakit.registry.registry as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
