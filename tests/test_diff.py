"""diff(): every change kind, nested paths, to_frame, HTML escaping."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemakit.diff import FieldChange, SchemaDiff, diff
from schemakit.schema import Schema


def rec(*fields: dict[str, Any], name: str = "R") -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields)}


def fld(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


KINDS = [
    pytest.param(
        rec(fld("a", "int")), rec(), FieldChange("a", "removed", "int", None), id="removed"
    ),
    pytest.param(rec(), rec(fld("a", "int")), FieldChange("a", "added", None, "int"), id="added"),
    pytest.param(
        rec(fld("a", "int")),
        rec(fld("a", "string")),
        FieldChange("a", "type", "int", "string"),
        id="type",
    ),
    pytest.param(
        rec(fld("a", "int", default=1)),
        rec(fld("a", "int", default=2)),
        FieldChange("a", "default", "1", "2"),
        id="default",
    ),
    pytest.param(
        rec(fld("a", "int")),
        rec(fld("a", "int", default=0)),
        FieldChange("a", "default", None, "0"),
        id="default-added",
    ),
    pytest.param(
        rec(fld("a", "int")),
        rec(fld("a", ["null", "int"])),
        FieldChange("a", "nullability", False, True),
        id="nullability",
    ),
    pytest.param(
        rec(fld("a", "int", doc="old")),
        rec(fld("a", "int", doc="new")),
        FieldChange("a", "doc", "old", "new"),
        id="doc",
    ),
    pytest.param(
        rec(fld("a", "int")),
        rec(fld("a", "int", order="descending")),
        FieldChange("a", "order", "ascending", "descending"),
        id="order",
    ),
    pytest.param(
        rec(fld("a", {"type": "enum", "name": "E", "symbols": ["X"]})),
        rec(fld("a", {"type": "enum", "name": "E", "symbols": ["X", "Y"]})),
        FieldChange("a", "enum_symbols", ["X"], ["X", "Y"]),
        id="enum-symbols",
    ),
    pytest.param(
        rec(fld("t", {"type": "long", "logicalType": "timestamp-millis"})),
        rec(fld("t", {"type": "long", "logicalType": "timestamp-micros"})),
        FieldChange("t", "logical_type", "timestamp-millis", "timestamp-micros"),
        id="logical-type",
    ),
    pytest.param(
        rec(fld("d", {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2})),
        rec(fld("d", {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2})),
        FieldChange("d", "logical_type", "decimal(4,2)", "decimal(6,2)"),
        id="decimal",
    ),
]


@pytest.mark.parametrize(("old", "new", "change"), KINDS)
def test_each_kind(old: Any, new: Any, change: FieldChange) -> None:
    result = diff(old, new)
    assert result.changes == (change,)
    assert bool(result)
    assert len(result) == 1


def test_no_changes() -> None:
    schema = rec(fld("a", "int"))
    result = diff(schema, Schema.parse(schema))
    assert not result
    assert result == SchemaDiff()
    assert repr(result) == "SchemaDiff(no changes)"
    assert list(result.to_frame().columns) == ["path", "kind", "old", "new", "default"]
    assert result.to_frame().empty


def test_nested_paths() -> None:
    address_old = rec(fld("city", "string"), name="Address")
    address_new = rec(fld("city", "string"), fld("zip", "string", default=""), name="Address")
    tag_old = rec(fld("label", "string"), name="Tag")
    tag_new = rec(fld("label", "bytes"), name="Tag")
    old = rec(
        fld("address", ["null", address_old]),
        fld("tags", {"type": "array", "items": tag_old}),
        fld("m", {"type": "map", "values": "int"}),
    )
    new = rec(
        fld("address", ["null", address_new]),
        fld("tags", {"type": "array", "items": tag_new}),
        fld("m", {"type": "map", "values": "long"}),
    )
    assert diff(old, new).changes == (
        FieldChange("address.zip", "added", None, "string", '""'),
        FieldChange("tags[].label", "type", "string", "bytes"),
        FieldChange("m{}", "type", "int", "long"),
    )


def test_recursive_schema_terminates() -> None:
    node = rec(fld("v", "int"), fld("next", ["null", "Node"]), name="Node")
    node2 = rec(fld("v", "long"), fld("next", ["null", "Node"]), name="Node")
    assert diff(node, node2).changes == (FieldChange("v", "type", "int", "long"),)


def test_to_frame_and_repr() -> None:
    result = diff(rec(fld("a", "int"), fld("b", "int")), rec(fld("a", "long"), fld("c", "int")))
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame.to_dict("records") == [
        {"path": "b", "kind": "removed", "old": "int", "new": None, "default": None},
        {"path": "a", "kind": "type", "old": "int", "new": "long", "default": None},
        {"path": "c", "kind": "added", "old": None, "new": "int", "default": None},
    ]
    assert repr(result) == "SchemaDiff(3 changes: 1 removed, 1 type, 1 added)"


def test_html_is_escaped() -> None:
    result = diff(
        rec(fld("a", "int", doc="<b>old</b>")),
        rec(fld("a", {"type": "array", "items": "int"}, doc="<script>x</script>")),
    )
    html = result._repr_html_()
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "array&lt;int&gt;" in html
    assert "2 changes" in html


def test_schema_type_change() -> None:
    result = diff(Schema.parse('"int"'), Schema.parse({"type": "integer"}, schema_type="JSON"))
    assert result.changes == (FieldChange("", "schema_type", "AVRO", "JSON"),)


def test_json_schema_diff() -> None:
    old = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "required": ["a"],
    }
    new = {
        "type": "object",
        "properties": {
            "a": {"type": ["integer", "null"], "description": "A"},
            "c": {"type": "string", "enum": ["x"]},
        },
    }
    result = diff(old, new, schema_type="JSON")
    assert result.changes == (
        FieldChange("b", "removed", "string", None),
        FieldChange("a", "required", True, False),
        FieldChange("a", "nullability", False, True),
        FieldChange("a", "doc", None, "A"),
        FieldChange("c", "added", None, "string"),
    )


# -- defaults of added and removed fields, renames through an alias ------------------------------

DEFAULTS = [
    pytest.param(
        rec(), rec(fld("c", "string", default="EUR")), ("added", '"EUR"'), id="added-string"
    ),
    pytest.param(
        rec(),
        rec(fld("n", ["null", "string"], default=None)),
        ("added", "null"),
        id="added-null-default",
    ),
    pytest.param(rec(), rec(fld("n", "int")), ("added", None), id="added-without-default"),
    pytest.param(
        rec(fld("r", "long", default=7)), rec(), ("removed", "7"), id="removed-with-default"
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), DEFAULTS)
def test_an_added_or_removed_field_carries_its_default(
    old: Any, new: Any, expected: tuple[str, str | None]
) -> None:
    (change,) = diff(old, new).changes
    assert (change.kind, change.default) == expected


def test_the_default_is_shown() -> None:
    result = diff(rec(), rec(fld("c", "string", default="EUR")))
    assert result.to_frame().loc[0, "default"] == '"EUR"'
    html = result._repr_html_()
    assert ">default</th>" in html
    assert "&quot;EUR&quot;" in html


def renamed(name: str, type_: Any, *aliases: str, **extra: Any) -> dict[str, Any]:
    return {**fld(name, type_, **extra), "aliases": list(aliases)}


RENAMES = [
    pytest.param(
        rec(fld("id", "int"), fld("dep_delay", "int")),
        rec(fld("id", "int"), renamed("departure_delay", "int", "dep_delay")),
        (FieldChange("departure_delay", "renamed", "dep_delay", "departure_delay"),),
        id="reader-alias",
    ),
    pytest.param(
        rec(renamed("dep_delay", "int", "departure_delay")),
        rec(fld("departure_delay", "int")),
        (FieldChange("departure_delay", "renamed", "dep_delay", "departure_delay"),),
        id="old-field-names-the-new-one",
    ),
    pytest.param(
        rec(fld("dep_delay", "int")),
        rec(renamed("departure_delay", "long", "dep_delay", default=0)),
        (
            FieldChange("departure_delay", "renamed", "dep_delay", "departure_delay"),
            FieldChange("departure_delay", "type", "int", "long"),
            FieldChange("departure_delay", "default", None, "0"),
        ),
        id="renamed-and-changed",
    ),
    pytest.param(
        rec(fld("a", rec(fld("zip", "string"), name="Address"))),
        rec(fld("a", rec(renamed("postcode", "string", "zip"), name="Address"))),
        (FieldChange("a.postcode", "renamed", "zip", "postcode"),),
        id="nested",
    ),
    pytest.param(
        rec(fld("a", "int"), fld("b", "int")),
        rec(fld("a", "int"), renamed("c", "int", "a")),
        (
            FieldChange("b", "removed", "int", None),
            FieldChange("c", "added", None, "int"),
        ),
        id="alias-of-a-field-still-there-is-no-rename",
    ),
]


@pytest.mark.parametrize(("old", "new", "changes"), RENAMES)
def test_a_rename_through_an_alias_is_one_row(
    old: Any, new: Any, changes: tuple[FieldChange, ...]
) -> None:
    assert diff(old, new).changes == changes


def test_a_rename_reads_renamed_alias_in_the_html() -> None:
    result = diff(rec(fld("x", "int")), rec(renamed("y", "int", "x")))
    assert "renamed (alias)" in result._repr_html_()
    assert result.to_frame().loc[0, "kind"] == "renamed"


_NAMES = st.lists(
    st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), min_size=1, max_size=8, unique=True
)


@settings(max_examples=60, deadline=None)
@given(names=_NAMES, data=st.data())
def test_renames_through_aliases_are_one_row_each(names: list[str], data: st.DataObject) -> None:
    # rename a random subset of the fields to fresh names, each keeping its old name as alias
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True))
    old = rec(*(fld(n, "int") for n in names))
    new_fields = [
        renamed(f"{n}_renamed", "int", n) if n in chosen else fld(n, "int") for n in names
    ]
    if any(f["name"] in names for f in new_fields if f["name"].endswith("_renamed")):
        return  # a fresh name that collides with an old one is no rename
    result = diff(old, rec(*new_fields))
    assert result.changes == tuple(
        FieldChange(f"{n}_renamed", "renamed", n, f"{n}_renamed") for n in names if n in chosen
    )
