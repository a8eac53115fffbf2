"""Nested data decoded to pandas keeps the types ``Schema.to_arrow`` promises, in both backends.

A data engineer's first surprise was a nullable record's ``long`` coming back as ``2.0`` in
pandas while ``output="arrow"`` gave ``2``: pandas converts a child column as a whole, so one
null under a null parent (or a genuinely null child) turned every value of it into float.
Tables of nullable records, lists of records and maps of records go through
``sk.encode`` → ``sk.decode`` into pandas with ``dtype_backend="numpy_nullable"`` (top-level
columns of pandas' nullable dtypes, nested values as Python objects whose integers are ``int``)
and ``"pyarrow"`` (``pd.ArrowDtype`` of exactly the promised Arrow type, no null where it
says never null).
"""

from __future__ import annotations

import decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemakit as sk
from tests.codec._nulls import required_nulls

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Top-level columns of ``dtype_backend="numpy_nullable"``, by Arrow type; nested → object.
NUMPY_NULLABLE: list[tuple[pa.DataType, Any]] = [
    (pa.int32(), pd.Int32Dtype()),
    (pa.int64(), pd.Int64Dtype()),
    (pa.bool_(), pd.BooleanDtype()),
    (pa.float64(), pd.Float64Dtype()),
    (pa.string(), pd.StringDtype("pyarrow")),
]


def expected_numpy_dtype(dtype: pa.DataType) -> Any:
    return dict(NUMPY_NULLABLE).get(dtype, np.dtype(object))


def typed(value: Any) -> Any:
    """``value`` with every scalar tagged by its Python type (``2`` and ``2.0`` differ);
    numpy arrays and scalars as the Python values they hold, pandas' NA as None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.ndarray):
        return [typed(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return typed(value.item())
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, tuple):
        return tuple(typed(v) for v in value)
    return (type(value).__name__, value)


# -- random tables: nullable records, lists and maps of records, around every leaf -----------

NAME = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)
LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(-(2**31), 2**31 - 1),
    "long": st.integers(-(2**63), 2**63 - 1),
    "boolean": st.booleans(),
    "double": st.floats(allow_nan=False),
    "string": st.text(max_size=6),
    "bytes": st.binary(max_size=6),
}


class _Names:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


@st.composite
def child_types(draw: st.DrawFn, names: _Names, depth: int) -> Any:
    kinds = ["leaf", "leaf", "leaf", "nullable leaf", "enum", "decimal", "long list"]
    if depth < 2:
        kinds += ["record", "nullable record", "record list", "record map"]
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return draw(st.sampled_from(sorted(LEAVES)))
    if kind == "nullable leaf":
        return ["null", draw(st.sampled_from(["int", "long"]))]
    if kind == "enum":
        return {"type": "enum", "name": names("E"), "symbols": ["A", "B", "C"]}
    if kind == "decimal":
        return {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2}
    if kind == "long list":
        return {"type": "array", "items": draw(st.sampled_from(["long", ["null", "long"]]))}
    inner = draw(records(names, depth + 1))
    item = ["null", inner] if draw(st.booleans()) else inner
    return {
        "record": inner,
        "nullable record": ["null", inner],
        "record list": {"type": "array", "items": item},
        "record map": {"type": "map", "values": item},
    }[kind]


@st.composite
def records(draw: st.DrawFn, names: _Names, depth: int) -> Any:
    field_names = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))
    fields = [{"name": f, "type": draw(child_types(names, depth))} for f in field_names]
    return {"type": "record", "name": names("R"), "fields": fields}


@st.composite
def nested_tables(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A record of one nullable record, one list and one map of (nullable) records, and
    random rows of it: nulls at every level, records empty and full."""
    names = _Names()
    inner = [draw(records(names, 1)) for _ in range(3)]
    fields = [
        {"name": "id", "type": "long"},
        {"name": "rec", "type": ["null", inner[0]], "default": None},
        {"name": "items", "type": {"type": "array", "items": ["null", inner[1]]}},
        {"name": "by_key", "type": {"type": "map", "values": ["null", inner[2]]}},
    ]
    schema = {"type": "record", "name": "Top", "fields": fields}
    rows = draw(st.lists(row_values(schema), min_size=1, max_size=8))
    return schema, [{**row, "id": i} for i, row in enumerate(rows)]


def row_values(schema: Any) -> st.SearchStrategy[Any]:
    if isinstance(schema, list):
        return st.one_of(*[row_values(b) for b in schema])
    if isinstance(schema, str):
        return st.none() if schema == "null" else LEAVES[schema]
    kind = schema["type"]
    if schema.get("logicalType") == "decimal":
        return st.integers(-(10**6) + 1, 10**6 - 1).map(lambda u: decimal.Decimal(u).scaleb(-2))
    if kind == "enum":
        return st.sampled_from(schema["symbols"])
    if kind == "array":
        return st.lists(row_values(schema["items"]), max_size=3)
    if kind == "map":
        return st.dictionaries(st.text(max_size=3), row_values(schema["values"]), max_size=3)
    return st.fixed_dictionaries({f["name"]: row_values(f["type"]) for f in schema["fields"]})


def _encoded(schema: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[sk.Registry, Any, Any]:
    parsed = sk.Schema.parse(schema)
    table = pa.Table.from_pylist(rows, schema=parsed.to_arrow())
    registry = sk.Registry(":memory:")
    records = sk.encode(table, "t-value", registry=registry, schema=parsed, progress=False)
    return registry, records, table


@SETTINGS
@given(nested_tables())
def test_nested_tables_round_trip_to_pandas_with_the_promised_dtypes(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    schema, rows = case
    registry, records, table = _encoded(schema, rows)
    promised = sk.Schema.parse(schema).to_arrow()

    arrow = sk.decode(records, registry, output="arrow", progress=False)
    assert arrow.schema == promised
    for f in promised:
        for chunk in arrow.column(f.name).chunks:
            assert required_nulls(chunk, f.nullable, f.name) == []

    frame = sk.decode(records, registry, progress=False)
    for f in promised:
        assert frame.dtypes[f.name] == expected_numpy_dtype(f.type), f.name
        assert typed(frame[f.name].tolist()) == typed(table.column(f.name).to_pylist()), f.name

    frame = sk.decode(records, registry, dtype_backend="pyarrow", progress=False)
    for f in promised:
        assert frame.dtypes[f.name] == pd.ArrowDtype(f.type), f.name
        column = pa.array(frame[f.name])
        assert required_nulls(column, f.nullable, f.name) == []
        assert typed(column.to_pylist()) == typed(table.column(f.name).to_pylist()), f.name


ORDER = {
    "type": "record",
    "name": "Order",
    "fields": [
        {"name": "id", "type": "long"},
        {
            "name": "line",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Line",
                    "fields": [
                        {"name": "qty", "type": "long"},
                        {"name": "note", "type": ["null", "long"], "default": None},
                    ],
                },
            ],
            "default": None,
        },
    ],
}
LINES = [{"qty": 2, "note": None}, None, {"qty": 3, "note": 7}]


def test_the_issue_case_a_nullable_records_long_stays_an_int() -> None:
    """The issue's case, from a DataFrame: ``{"qty": 2}``, never ``{"qty": 2.0}``."""
    registry = sk.Registry(":memory:")
    frame = pd.DataFrame({"id": [1, 2, 3], "line": LINES})
    records = sk.encode(frame, "orders-value", registry=registry, schema=ORDER, progress=False)
    for backend in ("numpy_nullable", "pyarrow"):
        got = sk.decode(records, registry, dtype_backend=backend, progress=False)["line"]
        assert typed(got.tolist()) == typed(LINES), backend


@pytest.mark.parametrize(
    ("label", "spoil"),
    [
        ("truncated body", lambda b: b[:-1]),
        ("trailing bytes", lambda b: b + b"\x00"),
        ("bad magic byte", lambda b: b"\x07" + b[1:]),
        ("unknown schema id", lambda b: b[:1] + (999).to_bytes(4, "big") + b[5:]),
    ],
)
@pytest.mark.parametrize("backend", ["numpy_nullable", "pyarrow"])
def test_rows_nulled_by_errors_leave_the_other_rows_ints(
    label: str, spoil: Any, backend: str
) -> None:
    """errors="null": the bad row is null; every other row's nested long is still an int."""
    registry = sk.Registry(":memory:")
    frame = pd.DataFrame({"id": [1, 2, 3], "line": LINES})
    records = sk.encode(frame, "orders-value", registry=registry, schema=ORDER, progress=False)
    values = records.tolist()
    values[0] = spoil(values[0])
    got = sk.decode(values, registry, errors="null", dtype_backend=backend, progress=False)
    assert got.attrs["decode_errors"]["row"].tolist() == [0]
    assert typed(got["line"].tolist()) == typed([None, *LINES[1:]])
    assert typed(got["id"].tolist()) == typed([None, 2, 3])
