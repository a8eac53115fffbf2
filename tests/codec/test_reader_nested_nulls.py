"""Children under a null parent: a field the Arrow type says is never null holds no null.

A null record (``["null", R]``), a null item of an array or map, a null default and a row that
failed under ``errors="null"`` all leave their children's slots without a value. Arrow ignores
those slots under the parent's null, but pandas converts a child as a whole (a ``long`` child
with one null there comes back as float in every row) and the type promises no null: the
reader puts the type's zero value there. fastavro is the oracle for the values.
"""

from __future__ import annotations

import decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemakit import Schema
from schemakit.codec._reader import decode_bodies

from ._nulls import required_nulls
from ._oracle import fastavro_bodies, record
from .test_reader import kernels, normalize, oracle
from .test_writer_properties import _Names, records, values

__all__ = ["kernels"]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def table_required_nulls(table: pa.Table) -> list[str]:
    return [
        p
        for f in table.schema
        for chunk in table.column(f.name).chunks
        for p in required_nulls(chunk, f.nullable, f.name)
    ]


ITEM = record(
    {"name": "qty", "type": "long"},
    {"name": "n", "type": "int"},
    {"name": "s", "type": "string"},
    {"name": "ok", "type": "boolean"},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
    {"name": "f", "type": {"type": "fixed", "name": "F", "size": 3}},
    {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "tags", "type": {"type": "array", "items": "long"}},
    {"name": "attrs", "type": {"type": "map", "values": "int"}},
    {"name": "sub", "type": record({"name": "x", "type": "long"}, name="Sub")},
    name="Item",
)
FULL = {
    "qty": 2,
    "n": -3,
    "s": "ab",
    "ok": True,
    "e": "B",
    "f": b"xyz",
    "d": decimal.Decimal("1.25"),
    "ts": 1_700_000_000_000_000,
    "tags": [1, 2],
    "attrs": {"a": 1},
    "sub": {"x": 7},
}

#: (field type, rows): every kind of null parent, every kind of child under it.
CASES: list[tuple[str, Any, list[Any]]] = [
    ("nullable record", ["null", ITEM], [FULL, None, FULL, None]),
    ("record, null first", [ITEM, "null"], [None, FULL]),
    ("array of nullable records", {"type": "array", "items": ["null", ITEM]}, [[FULL, None], []]),
    ("map of nullable records", {"type": "map", "values": ["null", ITEM]}, [{"a": None}, {}]),
    (
        "nullable array of records",
        ["null", {"type": "array", "items": ITEM}],
        [None, [FULL], None],
    ),
    ("nullable map of records", ["null", {"type": "map", "values": ITEM}], [{"k": FULL}, None]),
    (
        "nullable record in a nullable record",
        ["null", record({"name": "inner", "type": ["null", ITEM]}, name="Outer")],
        [None, {"inner": None}, {"inner": FULL}],
    ),
    (
        "union with a record branch",
        ["null", ITEM, "string"],
        [None, FULL, "text"],
    ),
]


@pytest.mark.parametrize(("label", "ftype", "rows"), CASES, ids=[c[0] for c in CASES])
def test_children_of_null_parents_are_valid(
    label: str, ftype: Any, rows: list[Any], kernels: str
) -> None:
    schema = record({"name": "id", "type": "long"}, {"name": "v", "type": ftype})
    data = [{"id": i, "v": v} for i, v in enumerate(rows)]
    bodies = fastavro_bodies(schema, data)
    table = decode_bodies(pa.array(bodies, pa.binary()), Schema.parse(schema))
    assert table.schema == Schema.parse(schema).to_arrow()
    assert table_required_nulls(table) == []
    assert [normalize(r) for r in table.to_pylist()] == oracle(schema, schema, bodies)


def test_a_null_default_of_an_added_record_field_has_valid_children(kernels: str) -> None:
    """Reader evolution: a record field the writer lacks, default null."""
    writer = record({"name": "id", "type": "long"})
    reader = record(
        {"name": "id", "type": "long"},
        {"name": "v", "type": ["null", ITEM], "default": None},
    )
    bodies = fastavro_bodies(writer, [{"id": 1}, {"id": 2}])
    table = decode_bodies(pa.array(bodies, pa.binary()), Schema.parse(writer), Schema.parse(reader))
    assert table_required_nulls(table) == []
    assert table.to_pylist() == [{"id": 1, "v": None}, {"id": 2, "v": None}]


@pytest.mark.parametrize(("label", "ftype", "rows"), CASES, ids=[c[0] for c in CASES])
def test_rows_nulled_by_errors_keep_valid_children(
    label: str, ftype: Any, rows: list[Any], kernels: str
) -> None:
    """errors="null": a failed row is null; below it, non-nullable fields still hold values."""
    schema = record({"name": "v", "type": ftype}, {"name": "id", "type": "long"})
    data = [{"id": i, "v": v} for i, v in enumerate(rows)]
    bodies = fastavro_bodies(schema, data)
    # every row cut short at every length: the failure lands inside each child in turn
    cut = [b[:k] for b in bodies for k in range(len(b))]
    table, bad = decode_bodies(
        pa.array(cut + bodies, pa.binary()), Schema.parse(schema), errors="null"
    )
    assert [row for row, _, _ in bad] == list(range(len(cut)))
    assert table_required_nulls(table) == []
    got = [normalize(r) for r in table.to_pylist()]
    assert got[: len(cut)] == [{"v": None, "id": None}] * len(cut)
    assert got[len(cut) :] == oracle(schema, schema, bodies)


@st.composite
def schema_and_rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Random records (every type, any nesting), with a nullable record somewhere."""
    names = _Names()
    schema = draw(records(names))
    holder = draw(records(names, 1))
    wrap = draw(st.sampled_from(["nullable", "array", "map"]))
    shape: Any = {
        "nullable": ["null", holder],
        "array": {"type": "array", "items": ["null", holder]},
        "map": {"type": "map", "values": ["null", holder]},
    }[wrap]
    schema["fields"].append({"name": "nested_holder", "type": shape})
    rows = draw(st.lists(values(schema), min_size=1, max_size=8))
    return schema, rows


@SETTINGS
@given(schema_and_rows(), st.data())
def test_random_nesting_has_no_nulls_where_the_type_forbids_them(
    case: tuple[dict[str, Any], list[dict[str, Any]]], data: st.DataObject
) -> None:
    schema, rows = case
    bodies = fastavro_bodies(schema, rows)
    parsed = Schema.parse(schema)
    table = decode_bodies(pa.array(bodies, pa.binary()), parsed)
    assert table.schema == parsed.to_arrow()
    assert table_required_nulls(table) == []
    assert [normalize(r) for r in table.to_pylist()] == oracle(schema, schema, bodies)
    # the same rows, some cut short: the rest as before, the cut ones null, nothing required null
    cuts = data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=4, unique=True))
    hurt = [
        b[: data.draw(st.integers(0, len(b) - 1))] if i in cuts and b else b
        for i, b in enumerate(bodies)
    ]
    hurt_table, bad = decode_bodies(pa.array(hurt, pa.binary()), parsed, errors="null")
    assert table_required_nulls(hurt_table) == []
    failed = {row for row, _, _ in bad}
    expected = oracle(schema, schema, bodies)
    for i, row in enumerate(hurt_table.to_pylist()):
        if i in failed:
            assert all(v is None for v in row.values())
        else:
            assert normalize(row) == expected[i]


# -- Arrow layouts the reader itself does not make (sliced arrays, null slots over items) -----

_R = {"type": "record", "name": "P", "fields": [{"name": "q", "type": "long"}]}
_P = pa.struct([pa.field("q", pa.int64(), nullable=False)])


def _list_over_items() -> pa.Array:
    """[[{q: 0}, {q: 1}], null over [{q: 2}, {q: null}], [{q: 3}]]."""
    values = pa.StructArray.from_arrays([pa.array([0, 1, 2, None, 3])], fields=list(_P))
    validity = pa.py_buffer(bytes([0b101]))
    offsets = pa.array([0, 2, 4, 5], pa.int32()).buffers()[1]
    dtype = pa.list_(pa.field("item", _P, nullable=False))
    return pa.Array.from_buffers(dtype, 3, [validity, offsets], children=[values])


LAYOUTS: list[tuple[str, pa.Array, bool, Any, list[Any]]] = [
    (
        "list whose null slot spans items, not nullable",
        _list_over_items(),
        False,
        {"type": "array", "items": _R},
        [[{"q": 0}, {"q": 1}], [], [{"q": 3}]],
    ),
    (
        "the same, nullable: the null stays, its items are valid",
        _list_over_items(),
        True,
        {"type": "array", "items": _R},
        [[{"q": 0}, {"q": 1}], None, [{"q": 3}]],
    ),
    (
        "sliced nullable struct",
        pa.StructArray.from_arrays(
            [pa.array([9, None, 5])], fields=list(_P), mask=pa.array([False, True, False])
        ).slice(1),
        True,
        _R,
        [None, {"q": 5}],
    ),
    (
        "sliced union without a null branch",
        pa.UnionArray.from_dense(
            pa.array([1, 0, 1], pa.int8()),
            pa.array([0, 0, 1], pa.int32()),
            [pa.array([None], pa.int64()), pa.array(["a", "b"])],
            ["long", "string"],
            [0, 1],
        ).slice(1),
        False,
        ["long", "string"],
        [0, "b"],
    ),
]


@pytest.mark.parametrize(
    ("label", "arr", "nullable", "rnode", "expected"), LAYOUTS, ids=[c[0] for c in LAYOUTS]
)
def test_settle_on_layouts_arrow_allows(
    label: str, arr: pa.Array, nullable: bool, rnode: Any, expected: list[Any]
) -> None:
    from schemakit.codec._reader import _settle

    settled = _settle(arr, nullable, rnode, {})
    settled.validate(full=True)
    assert settled.type == arr.type
    assert required_nulls(settled, nullable) == []
    assert settled.to_pylist() == expected
