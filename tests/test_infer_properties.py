"""Properties of inference over generated Arrow tables, with fastavro as the oracle.

For any table of supported types (nested, with nulls): the inferred Avro schema parses with
fastavro, fastavro validates every row against it, and converting the schema back to Arrow gives
the table's schema up to the documented widenings (:func:`widen`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import fastavro
import fastavro.validation
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from schemakit._arrow_types import avro_to_arrow_schema
from schemakit.infer import infer

settings.register_profile("schemakit-infer", max_examples=50, deadline=None)
PROFILE = settings.get_profile("schemakit-infer")

# Leaf types and their values. Excluded: timestamp[ns] (Avro timestamp-nanos and
# local-timestamp-nanos), which fastavro 1.13 does not support as logical types — see DESIGN.md,
# "Where fastavro and the specification disagree"; the type-map table tests cover them instead.
_INT_RANGES = {
    pa.int8(): (-(2**7), 2**7 - 1),
    pa.int16(): (-(2**15), 2**15 - 1),
    pa.int32(): (-(2**31), 2**31 - 1),
    pa.int64(): (-(2**63), 2**63 - 1),
    pa.uint8(): (0, 2**8 - 1),
    pa.uint16(): (0, 2**16 - 1),
    pa.uint32(): (0, 2**32 - 1),
    # uint64 values above 2**63 - 1 are an encode-time error (DESIGN.md type map).
    pa.uint64(): (0, 2**63 - 1),
}

_datetimes = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))


def _leaf() -> st.SearchStrategy[tuple[pa.DataType, st.SearchStrategy[Any]]]:
    options: list[tuple[pa.DataType, st.SearchStrategy[Any]]] = [
        (t, st.integers(lo, hi)) for t, (lo, hi) in _INT_RANGES.items()
    ]
    options += [
        (pa.float32(), st.floats(width=32, allow_nan=False)),
        (pa.float64(), st.floats(allow_nan=False)),
        (pa.bool_(), st.booleans()),
        (pa.string(), st.text(max_size=5)),
        (pa.large_string(), st.text(max_size=5)),
        (pa.binary(), st.binary(max_size=5)),
        (pa.large_binary(), st.binary(max_size=5)),
        (pa.binary(3), st.binary(min_size=3, max_size=3)),
        (pa.date32(), st.dates(min_value=dt.date(1900, 1, 1))),
        (
            pa.time32("ms"),
            st.times().map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)),
        ),
        (pa.time64("us"), st.times()),
        (
            pa.timestamp("ms", tz="UTC"),
            _datetimes.map(
                lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000, tzinfo=dt.UTC)
            ),
        ),
        (pa.timestamp("us", tz="UTC"), _datetimes.map(lambda d: d.replace(tzinfo=dt.UTC))),
        (
            pa.timestamp("ms"),
            _datetimes.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)),
        ),
        (pa.timestamp("us"), _datetimes),
        (
            pa.decimal128(9, 2),
            st.decimals(
                min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False
            ),
        ),
        (pa.null(), st.none()),
    ]
    return st.sampled_from(options)


_names = st.lists(
    st.from_regex(r"[a-z][a-z0-9_]{0,4}", fullmatch=True), min_size=1, max_size=3, unique=True
)


def _extend(
    children: st.SearchStrategy[tuple[pa.DataType, st.SearchStrategy[Any]]],
) -> st.SearchStrategy[tuple[pa.DataType, st.SearchStrategy[Any]]]:
    def as_list(child: tuple[pa.DataType, st.SearchStrategy[Any]]) -> tuple[pa.DataType, Any]:
        dtype, values = child
        return pa.list_(dtype), st.lists(st.none() | values, max_size=3)

    def as_map(child: tuple[pa.DataType, st.SearchStrategy[Any]]) -> tuple[pa.DataType, Any]:
        dtype, values = child
        pairs = st.dictionaries(st.text(max_size=3), st.none() | values, max_size=3)
        return pa.map_(pa.string(), dtype), pairs.map(lambda d: list(d.items()))

    def as_struct(
        pair: tuple[list[str], list[tuple[pa.DataType, st.SearchStrategy[Any]]]],
    ) -> tuple[pa.DataType, Any]:
        names, kids = pair
        dtype = pa.struct([pa.field(n, k[0]) for n, k in zip(names, kids, strict=False)])
        values = st.fixed_dictionaries(
            {n: st.none() | k[1] for n, k in zip(names, kids, strict=False)}
        )
        return dtype, values

    structs = _names.flatmap(
        lambda names: st.tuples(
            st.just(names), st.lists(children, min_size=len(names), max_size=len(names))
        )
    )
    return children.map(as_list) | children.map(as_map) | structs.map(as_struct)


_types = st.recursive(_leaf(), _extend, max_leaves=4)


@st.composite
def tables(draw: st.DrawFn) -> pa.Table:
    names = draw(_names)
    rows = draw(st.integers(0, 4))
    columns = {}
    for name in names:
        dtype, values = draw(_types)
        column = draw(st.lists(st.none() | values, min_size=rows, max_size=rows))
        columns[name] = pa.array(column, dtype)
    return pa.table(columns)


def widen(dtype: pa.DataType) -> pa.DataType:
    """The Arrow type that reads back from the inferred Avro type (docs/inference.md)."""
    t = pa.types
    if t.is_int8(dtype) or t.is_int16(dtype) or t.is_uint8(dtype) or t.is_uint16(dtype):
        return pa.int32()
    if t.is_uint32(dtype) or t.is_uint64(dtype):
        return pa.int64()
    if t.is_float16(dtype):
        return pa.float32()
    if t.is_large_string(dtype) or t.is_string_view(dtype):
        return pa.string()
    if t.is_large_binary(dtype) or t.is_binary_view(dtype):
        return pa.binary()
    if t.is_date64(dtype):
        return pa.date32()
    if t.is_time32(dtype):
        return pa.time32("ms")
    if t.is_time64(dtype):
        return pa.time64("us")
    if t.is_timestamp(dtype):
        unit = "ms" if dtype.unit == "s" else dtype.unit
        return pa.timestamp(unit, tz="UTC" if dtype.tz is not None else None)
    if t.is_decimal(dtype):
        maker = pa.decimal128 if dtype.precision <= 38 else pa.decimal256
        return maker(dtype.precision, dtype.scale)
    if t.is_list(dtype) or t.is_large_list(dtype) or t.is_fixed_size_list(dtype):
        return pa.list_(pa.field("item", widen(dtype.value_type)))
    if t.is_map(dtype):
        return pa.map_(widen(dtype.key_type), pa.field("value", widen(dtype.item_type)))
    if t.is_struct(dtype):
        return pa.struct([pa.field(f.name, widen(f.type)) for f in dtype])
    return dtype


def relax(dtype: pa.DataType) -> pa.DataType:
    """``dtype`` with every field nullable: nullability follows the data, checked elsewhere."""
    t = pa.types
    if t.is_list(dtype):
        return pa.list_(pa.field("item", relax(dtype.value_type)))
    if t.is_map(dtype):
        return pa.map_(dtype.key_type, pa.field("value", relax(dtype.item_type)))
    if t.is_struct(dtype):
        return pa.struct([pa.field(f.name, relax(f.type)) for f in dtype])
    return dtype


def _avro_value(value: Any, dtype: pa.DataType) -> Any:
    """A ``to_pylist`` value as fastavro expects it: maps as dicts."""
    if value is None:
        return None
    if pa.types.is_map(dtype):
        return {k: _avro_value(v, dtype.item_type) for k, v in value}
    if pa.types.is_list(dtype):
        return [_avro_value(v, dtype.value_type) for v in value]
    if pa.types.is_struct(dtype):
        return {f.name: _avro_value(value[f.name], f.type) for f in dtype}
    return value


@settings(PROFILE)
@given(tables())
def test_inferred_schema_parses_and_validates_every_row(table: pa.Table) -> None:
    schema = infer(table, name="Row").to_dict()
    parsed = fastavro.parse_schema(schema)
    rows = [
        {name: _avro_value(row[name], table.schema.field(name).type) for name in table.column_names}
        for row in table.to_pylist()
    ]
    assert fastavro.validation.validate_many(rows, parsed)


@settings(PROFILE)
@given(tables())
def test_round_trip_to_arrow_is_the_widened_schema(table: pa.Table) -> None:
    back = avro_to_arrow_schema(infer(table, name="Row").to_dict())
    assert [f.name for f in back] == table.column_names
    for original, read in zip(table.schema, back, strict=True):
        assert relax(read.type) == relax(widen(original.type)), original.name


@settings(PROFILE)
@given(tables())
def test_nullable_fields_are_exactly_the_columns_with_nulls(table: pa.Table) -> None:
    back = avro_to_arrow_schema(infer(table, name="Row").to_dict())
    for column, field in zip(table.columns, back, strict=True):
        assert field.nullable == (column.null_count > 0 or pa.types.is_null(column.type))
