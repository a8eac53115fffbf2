"""Property: random schemas and data encode byte-identical to ``fastavro.schemaless_writer``.

Not generated, because fastavro cannot be the oracle there (DESIGN.md, last section: "Where
fastavro and the specification disagree"): ``timestamp-nanos`` and ``local-timestamp-nanos``
(fastavro has no nanosecond types) and ``duration`` (fastavro has no support); those follow
the specification and are covered by the table tests and docs/wire-format.md.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemakit import Schema
from schemakit.codec import encode_bodies

from ._oracle import fastavro_bodies

NAME = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
SETTINGS = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Names:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def _fixed_decimal_max_precision(size: int) -> int:
    return math.floor(math.log10(2) * (8 * size - 1))


@st.composite
def leaf_types(draw: st.DrawFn, names: _Names) -> Any:
    kind = draw(
        st.sampled_from(
            [
                "null",
                "boolean",
                "int",
                "long",
                "float",
                "double",
                "bytes",
                "string",
                "enum",
                "fixed",
                "date",
                "time-millis",
                "time-micros",
                "timestamp-millis",
                "timestamp-micros",
                "local-timestamp-millis",
                "local-timestamp-micros",
                "decimal-bytes",
                "decimal-fixed",
                "uuid",
            ]
        )
    )
    if kind == "enum":
        symbols = draw(st.lists(NAME.map(str.upper), min_size=1, max_size=5, unique=True))
        return {"type": "enum", "name": names("E"), "symbols": symbols}
    if kind == "fixed":
        return {"type": "fixed", "name": names("F"), "size": draw(st.integers(0, 6))}
    if kind == "date" or kind == "time-millis":
        return {"type": "int", "logicalType": kind}
    if kind in ("time-micros", "timestamp-millis", "timestamp-micros") or kind.startswith("local"):
        return {"type": "long", "logicalType": kind}
    if kind == "decimal-bytes":
        precision = draw(st.integers(1, 40))
        scale = draw(st.integers(0, precision))
        return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}
    if kind == "decimal-fixed":
        size = draw(st.integers(1, 18))
        precision = draw(st.integers(1, _fixed_decimal_max_precision(size)))
        scale = draw(st.integers(0, precision))
        return {
            "type": "fixed",
            "name": names("D"),
            "size": size,
            "logicalType": "decimal",
            "precision": precision,
            "scale": scale,
        }
    if kind == "uuid":
        return {"type": "string", "logicalType": "uuid"}
    return kind


@st.composite
def avro_types(draw: st.DrawFn, names: _Names, depth: int = 0) -> Any:
    choices = ["leaf", "leaf", "nullable"]
    if depth < 3:
        choices += ["record", "array", "map"]
    choice = draw(st.sampled_from(choices))
    if choice == "leaf":
        return draw(leaf_types(names))
    if choice == "nullable":
        inner = draw(avro_types(names, depth + 1))
        if inner == "null" or isinstance(inner, list):
            return inner
        return ["null", inner] if draw(st.booleans()) else [inner, "null"]
    if choice == "array":
        return {"type": "array", "items": draw(avro_types(names, depth + 1))}
    if choice == "map":
        return {"type": "map", "values": draw(avro_types(names, depth + 1))}
    return draw(records(names, depth + 1))


@st.composite
def records(draw: st.DrawFn, names: _Names, depth: int = 0) -> Any:
    field_names = draw(st.lists(NAME, min_size=0 if depth else 1, max_size=4, unique=True))
    fields = [{"name": f, "type": draw(avro_types(names, depth))} for f in field_names]
    return {"type": "record", "name": names("R"), "fields": fields}


_EPOCH = dt.datetime(1970, 1, 1)


def values(schema: Any) -> st.SearchStrategy[Any]:
    """Python values of ``schema`` that both pyarrow and fastavro take."""
    if isinstance(schema, list):
        return st.one_of(*[values(b) for b in schema])
    if isinstance(schema, str):
        return {
            "null": st.none(),
            "boolean": st.booleans(),
            "int": st.integers(-(2**31), 2**31 - 1),
            "long": st.integers(-(2**63), 2**63 - 1),
            "float": st.floats(width=32),
            "double": st.floats(),
            "bytes": st.binary(max_size=20),
            "string": st.text(max_size=12),
        }[schema]
    kind, logical = schema["type"], schema.get("logicalType")
    if logical == "decimal":
        p, s = schema["precision"], schema["scale"]
        unscaled = st.integers(-(10**p) + 1, 10**p - 1)
        exact = decimal.Context(prec=100)
        return unscaled.map(lambda u: decimal.Decimal(u).scaleb(-s, context=exact))
    if logical == "date":
        return st.dates()
    if logical == "time-millis":
        return st.times().map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))
    if logical == "time-micros":
        return st.times()
    if logical in ("timestamp-millis", "local-timestamp-millis"):
        naive = st.datetimes().map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
    elif logical in ("timestamp-micros", "local-timestamp-micros"):
        naive = st.datetimes()
    else:
        naive = None
    if naive is not None:
        if logical.startswith("local"):
            return naive
        return naive.map(lambda d: d.replace(tzinfo=dt.UTC))
    if logical == "uuid":
        return st.uuids().map(str)
    if kind == "enum":
        return st.sampled_from(schema["symbols"])
    if kind == "fixed":
        return st.binary(min_size=schema["size"], max_size=schema["size"])
    if kind == "array":
        return st.lists(values(schema["items"]), max_size=4)
    if kind == "map":
        return st.dictionaries(st.text(max_size=5), values(schema["values"]), max_size=3)
    if kind == "record":
        return st.fixed_dictionaries({f["name"]: values(f["type"]) for f in schema["fields"]})
    return values(kind)


@st.composite
def schema_and_rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    schema = draw(records(_Names()))
    rows = draw(st.lists(values(schema), min_size=0, max_size=8))
    return schema, rows


@SETTINGS
@given(schema_and_rows(), st.integers(1, 5))
def test_random_schemas_match_fastavro(
    case: tuple[dict[str, Any], list[dict[str, Any]]], chunk_rows: int
) -> None:
    schema, rows = case
    parsed = Schema.parse(schema)
    table = pa.Table.from_pylist(rows, schema=parsed.to_arrow())
    got = encode_bodies(table, parsed, chunk_rows=chunk_rows).to_pylist()
    assert got == fastavro_bodies(schema, rows)


@st.composite
def general_unions(draw: st.DrawFn) -> tuple[list[Any], list[tuple[int, Any]]]:
    names = _Names()
    pool = ["boolean", "int", "long", "float", "double", "bytes", "string"]
    kinds = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=4, unique=True))
    branches: list[Any] = list(kinds)
    if draw(st.booleans()):
        branches.append("null")
    if draw(st.booleans()):
        branches.append(draw(records(names, 2)))
    if draw(st.booleans()):
        branches.append({"type": "array", "items": draw(leaf_types(names))})
    branches = draw(st.permutations(branches))
    chosen = draw(
        st.lists(
            st.integers(0, len(branches) - 1).flatmap(
                lambda i: st.tuples(st.just(i), values(branches[i]))
            ),
            max_size=8,
        )
    )
    return branches, chosen


def _tuple_name(branch: Any) -> str:
    if isinstance(branch, str):
        return branch
    return str(branch["name"] if branch["type"] == "record" else branch["type"])


@SETTINGS
@given(general_unions())
def test_dense_unions_match_fastavro(case: tuple[list[Any], list[tuple[int, Any]]]) -> None:
    branches, chosen = case
    schema = {"type": "record", "name": "U", "fields": [{"name": "u", "type": branches}]}
    parsed = Schema.parse(schema)
    union_type = parsed.to_arrow().field("u").type
    per_child: list[list[Any]] = [[] for _ in branches]
    offsets = []
    for index, value in chosen:
        offsets.append(len(per_child[index]))
        per_child[index].append(value)
    children = [pa.array(vals, type=union_type.field(i).type) for i, vals in enumerate(per_child)]
    union = pa.UnionArray.from_dense(
        pa.array([i for i, _ in chosen], pa.int8()),
        pa.array(offsets, pa.int32()),
        children,
        [union_type.field(i).name for i in range(len(branches))],
    )
    got = encode_bodies(pa.table({"u": union}), parsed).to_pylist()
    rows = [
        {"u": None if branches[i] == "null" else (_tuple_name(branches[i]), v)} for i, v in chosen
    ]
    assert got == fastavro_bodies(schema, rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema_and_rows())
def test_random_schemas_numpy_path(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    """The same property without the compiled kernels (as when numba is not installed)."""
    from schemakit.codec import _writer

    schema, rows = case
    parsed = Schema.parse(schema)
    table = pa.Table.from_pylist(rows, schema=parsed.to_arrow())
    saved = _writer.USE_NUMBA
    _writer.USE_NUMBA = False
    try:
        got = encode_bodies(table, parsed, chunk_rows=3).to_pylist()
    finally:
        _writer.USE_NUMBA = saved
    assert got == fastavro_bodies(schema, rows)
