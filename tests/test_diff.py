"""diff(): every change kind, nested paths, to_frame, HTML escaping."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

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
    assert list(result.to_frame().columns) == ["path", "kind", "old", "new"]
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
        FieldChange("address.zip", "added", None, "string"),
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
        {"path": "b", "kind": "removed", "old": "int", "new": None},
        {"path": "a", "kind": "type", "old": "int", "new": "long"},
        {"path": "c", "kind": "added", "old": None, "new": "int"},
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
