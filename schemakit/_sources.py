"""Every input kind → a :class:`~schemakit._profile.Profile` (the Arrow types, where nulls are).

Accepted inputs: a pandas DataFrame, a pyarrow Table or RecordBatch, a polars DataFrame (only if
polars is already imported), a DuckDB relation (streamed in record batches), and a path or glob
of Parquet / CSV / JSON-lines files (delegated to ``_datasets.profile_dataset``).

Choices (documented in docs/inference.md):

- ``sample=n`` profiles the first ``n`` rows; ``None`` profiles every row.
- The pandas index is ignored, as ``pa.Table.from_pandas(preserve_index=False)`` does. NaN in a
  float column is a null (pandas' missing value), as pyarrow's ``from_pandas`` conversion says.
- Non-string column labels are stringified (``0`` → ``"0"``); the original label is kept in
  ``Profile.original_names``. Two labels with the same string form are an error.
- pandas object columns are classified with ``pandas.api.types.infer_dtype``: str, bytes,
  bool, int, float (ints and floats together → float), Decimal, date, time, datetime, dict
  (→ struct), list/tuple (→ list) and ``uuid.UUID`` (→ Arrow's uuid extension type) convert
  with pyarrow; an all-null object column has the null type. Values of several Python types
  raise :class:`~schemakit.errors.InferenceError` naming the column, two of the types and the
  row where the second appears — unless ``mixed="union"``, which makes the column a dense union
  with one child per Python type (in order of first appearance; a ``"null"`` child first when
  the column has nulls).
- Null detection is columnar (Arrow null bitmaps and compute kernels). Nested nulls are
  reported where the enclosing value is present (a child of a null struct is not a null of the
  child) with the top-level row index. Inside a union, the path step is the union child's
  field name, and a null in any child is a null of the union itself.
- ``parse_dates`` (pandas DataFrames, Arrow tables and record batches, polars DataFrames):
  ``True`` turns every text column whose values all parse as ISO-8601 dates or timestamps into
  that Arrow type by :mod:`schemakit._iso8601`'s rule, others stay text; a list names the
  columns to turn, and one that does not parse raises :class:`~schemakit.errors.InferenceError`
  naming the column, row and value. Paths and DuckDB relations are typed by DuckDB, which
  already recognizes ISO dates, so the option is refused there.
- Dictionary-typed paths with string values record their dictionary (categories, in order,
  merged across chunks in order of first appearance) in ``Profile.symbols``.

:func:`pandas_table` is the DataFrame → Arrow conversion of the encoder: pyarrow's
``Table.from_pandas`` (index dropped), with what it raises (``OverflowError`` for an int beyond
64 bits, ``UnicodeEncodeError`` for a lone surrogate, ``TypeError`` for ``Decimal("Infinity")``,
``ArrowInvalid`` for a column of mixed Python types, ``ValueError`` for duplicate names)
turned into :class:`~schemakit.errors.EncodeError` naming the column, row and value.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemakit._arrow_types import is_string_like
from schemakit._deps import is_available
from schemakit._iso8601 import first_unparsed, recognize
from schemakit._profile import LIST_ITEM, MAP_VALUE, NullSite, Path, Profile
from schemakit._typing import Mixed
from schemakit.errors import EncodeError, InferenceError

__all__ = ["pandas_table", "profile"]

_ACCEPTED = (
    "a pandas DataFrame, a pyarrow Table or RecordBatch, a polars DataFrame, a DuckDB relation, "
    "or a path or glob of Parquet, CSV or JSON-lines files"
)

#: Rows fetched per batch from a DuckDB relation.
_DUCKDB_BATCH_ROWS = 131_072

RowMap = Callable[[int], int | None]

#: ``infer(parse_dates=...)``: all text columns (``True``), none (``False``), or those named.
ParseDates: TypeAlias = bool | Sequence[str]


def profile(
    data: Any,
    *,
    sample: int | None = None,
    mixed: Mixed = "error",
    parse_dates: ParseDates = False,
) -> Profile:
    """Reduce ``data`` to a :class:`Profile`: its Arrow schema, nulls and categories.

    Parameters
    ----------
    data
        One of the accepted input kinds (see the module docstring).
    sample : int, optional
        Profile only the first ``sample`` rows.
    mixed : {"error", "union"}
        What a pandas object column holding several Python types becomes.
    parse_dates : bool or sequence of str
        Which text columns to read as ISO-8601 dates and timestamps (see the module docstring).

    Raises
    ------
    TypeError
        For an input of another kind, naming it and the accepted kinds.
    InferenceError
        For a column whose values cannot be typed, naming the column.
    ValueError
        An option out of its values; ``parse_dates`` naming a column the data lacks, or given
        for a path or a DuckDB relation.
    """
    if sample is not None and (
        isinstance(sample, bool) or not isinstance(sample, int) or sample < 0
    ):
        raise ValueError(f"sample={sample!r} is not valid; expected None or an integer >= 0")
    dates = _date_columns(parse_dates)
    if isinstance(data, (str, os.PathLike)):
        from schemakit._datasets import profile_dataset

        _refuse_dates(dates, "a path: DuckDB's reader types ISO dates in files itself")
        return profile_dataset(data, sample=sample)
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
        table = _parse_dates(data.slice(0, sample) if sample is not None else data, dates)
        return _profile_batches(_head_batches(table, None), table.schema, "pyarrow RecordBatch")
    if isinstance(data, pa.Table):
        table = _parse_dates(data.slice(0, sample) if sample is not None else data, dates)
        return _profile_batches(_head_batches(table, None), table.schema, "pyarrow Table")
    if is_available("pandas"):
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return _profile_pandas(data, sample=sample, mixed=mixed, dates=dates)
    if is_available("polars"):
        polars = sys.modules["polars"]
        if isinstance(data, polars.DataFrame):
            frame = data.head(sample) if sample is not None else data
            table = _parse_dates(frame.to_arrow(), dates)
            return _profile_batches(_head_batches(table, None), table.schema, "polars DataFrame")
    if is_available("duckdb"):
        duckdb = sys.modules["duckdb"]
        if isinstance(data, duckdb.DuckDBPyRelation):
            _refuse_dates(dates, "a DuckDB relation: DuckDB types its columns itself")
            return _profile_duckdb(data, sample=sample)
    raise TypeError(
        f"cannot infer a schema from {type(data).__module__}.{type(data).__qualname__}; "
        f"expected {_ACCEPTED}"
    )


# --------------------------------------------------------------------------------------------
# input kinds


def _head_batches(table: pa.Table, sample: int | None) -> list[pa.RecordBatch]:
    if sample is not None:
        table = table.slice(0, sample)
    return list(table.to_batches())


def _profile_duckdb(relation: Any, *, sample: int | None) -> Profile:
    import duckdb

    try:
        if sample is not None:
            relation = relation.limit(sample)
        reader = relation.to_arrow_reader(_DUCKDB_BATCH_ROWS)
        schema = reader.schema
        walker = _NullWalker()
        rows = 0
        for batch in reader:
            walker.batch(batch, rows)
            rows += batch.num_rows
    except duckdb.Error as exc:
        raise InferenceError(f"DuckDB could not run the relation: {exc}") from exc
    return walker.profile(schema, rows, "DuckDB relation", {})


def _profile_batches(batches: Iterable[pa.RecordBatch], schema: pa.Schema, source: str) -> Profile:
    _check_unique(schema.names)
    walker = _NullWalker()
    rows = 0
    for batch in batches:
        walker.batch(batch, rows)
        rows += batch.num_rows
    return walker.profile(schema, rows, source, {})


def _check_unique(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InferenceError(f"column name {name!r} appears twice", column=name)
        seen.add(name)


# --------------------------------------------------------------------------------------------
# parse_dates

#: ``True`` (every text column), or the names of the columns to parse.
_Dates: TypeAlias = bool | frozenset[str]


def _date_columns(parse_dates: object) -> _Dates:
    if isinstance(parse_dates, bool):
        return parse_dates
    if isinstance(parse_dates, Sequence) and not isinstance(parse_dates, (str, bytes)):
        names = list(parse_dates)
        if all(isinstance(n, str) for n in names):
            return frozenset(names) if names else False
    raise ValueError(
        f"parse_dates={parse_dates!r} is not valid; expected True, False or a list of column names"
    )


def _refuse_dates(dates: _Dates, why: str) -> None:
    if dates is not False:
        raise ValueError(f"parse_dates does not apply to {why}")


def _check_listed(dates: _Dates, names: Sequence[str]) -> None:
    if isinstance(dates, frozenset):
        missing = sorted(dates.difference(names))
        if missing:
            raise ValueError(
                f"parse_dates names {', '.join(map(repr, missing))}, which the data does not "
                f"have (its columns: {', '.join(map(repr, names))})"
            )


def _parse_dates(table: pa.Table, dates: _Dates) -> pa.Table:
    """``table`` with the text columns ``dates`` asks for parsed as dates or timestamps."""
    if dates is False:
        return table
    _check_listed(dates, table.schema.names)
    for position, name in enumerate(table.schema.names):
        column = _dates_column(table.column(position), name, dates)
        if column is not None:
            table = table.set_column(
                position, table.schema.field(position).with_type(column.type), column
            )
    return table


def _dates_column(
    arr: pa.Array | pa.ChunkedArray, name: str, dates: _Dates
) -> pa.Array | pa.ChunkedArray | None:
    """The column parsed as ISO-8601 dates or timestamps, or ``None`` to keep it as it is."""
    listed = isinstance(dates, frozenset) and name in dates
    if not (dates is True or listed):
        return None
    t = arr.type
    if pa.types.is_dictionary(t) and is_string_like(t.value_type):
        arr = arr.cast(t.value_type)
    elif not is_string_like(t):
        if listed and not pa.types.is_temporal(t):
            raise InferenceError(
                f"column {name!r} is listed in parse_dates but holds {t}, not text",
                column=name,
            )
        return None
    parsed = recognize(arr)
    if parsed is None and listed and arr.null_count < len(arr):
        row = first_unparsed(arr)
        value = arr[row].as_py()
        raise InferenceError(
            f"column {name!r} is listed in parse_dates, but its value {value!r} at row {row} "
            "is not an ISO-8601 date or timestamp of the same kind as the values before it "
            "(all dates, all without a time zone, or all with one)",
            column=name,
            row=row,
        )
    return parsed


def _profile_pandas(df: Any, *, sample: int | None, mixed: Mixed, dates: _Dates) -> Profile:
    _check_listed(dates, [c if isinstance(c, str) else str(c) for c in df.columns])
    if sample is not None:
        df = df.iloc[:sample]
    names: list[str] = []
    originals: dict[str, object] = {}
    arrays: list[pa.Array | pa.ChunkedArray] = []
    for position, label in enumerate(df.columns):
        name = label if isinstance(label, str) else str(label)
        if name != label:
            originals[name] = label
        names.append(name)
        column = _pandas_column(df.iloc[:, position], name, mixed)
        parsed = _dates_column(column, name, dates) if dates is not False else None
        arrays.append(column if parsed is None else parsed)
    _check_unique(names)
    table = pa.table(arrays, names=names) if arrays else pa.table({})
    walker = _NullWalker()
    rows = 0
    for batch in table.to_batches():
        walker.batch(batch, rows)
        rows += batch.num_rows
    return walker.profile(table.schema, len(df), "pandas DataFrame", originals)


#: What pyarrow raises for a pandas value it cannot convert (``UnicodeEncodeError`` is a
#: ``ValueError``, the Arrow errors subclass ``ValueError`` or ``TypeError``).
_CONVERSION_ERRORS = (pa.ArrowException, ValueError, TypeError, OverflowError)


def pandas_table(frame: Any) -> pa.Table:
    """A pandas DataFrame as the Arrow table the encoder reads (``preserve_index=False``).

    The conversion is pyarrow's, in one call; only when it fails is each column converted on
    its own to find the one at fault, and the first row that does not convert found by
    bisection over prefixes of that column (a few conversions, not one per row).

    Raises
    ------
    EncodeError
        Two columns with one name (``column`` and ``value`` the name; no row is at fault),
        or a value pyarrow cannot convert, naming the column, its row (position) and value.
    """
    names = [label if isinstance(label, str) else str(label) for label in frame.columns]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise EncodeError(
                f"column name {name!r} appears twice in the DataFrame; rename or drop one",
                column=name,
                value=name,
            )
        seen.add(name)
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except _CONVERSION_ERRORS as exc:
        failure = exc
    for position, name in enumerate(names):
        series = frame.iloc[:, position]
        if _converts(series):
            continue
        row = _first_unconvertible(series)
        value = series.iloc[row]
        try:
            pa.array(series.iloc[: row + 1], from_pandas=True)
        except _CONVERSION_ERRORS as exc:
            failure = exc
        raise EncodeError(
            f"cannot encode column {name!r} at row {row}: value {value!r} does not convert "
            f"to Arrow ({type(failure).__name__}: {failure})",
            column=name,
            row=row,
            value=value,
        ) from failure
    raise EncodeError(
        f"cannot turn the DataFrame into Arrow columns: {failure}", column=None
    ) from failure


def _converts(series: Any) -> bool:
    try:
        pa.array(series, from_pandas=True)
    except _CONVERSION_ERRORS:
        return False
    return True


def _first_unconvertible(series: Any) -> int:
    """The first position ``k`` whose prefix ``[0, k]`` does not convert (the whole does not).

    By prefixes, not slices: pyarrow infers one type from all the values it is given, so a
    value may fail only after the values before it (``1`` then ``"x"``).
    """
    good, bad = 0, len(series)  # series[:good] converts, series[:bad] does not
    while bad - good > 1:
        middle = (good + bad) // 2
        if _converts(series.iloc[:middle]):
            good = middle
        else:
            bad = middle
    return bad - 1


_OBJECT_KINDS_UNSUPPORTED = {"complex", "period", "interval", "timedelta", "unknown-array"}


def _family(kind: type) -> str:
    """The group a Python type converts with: subclasses of one container convert together."""
    import datetime as dt
    import uuid
    from collections.abc import Mapping

    if issubclass(kind, Mapping):
        return "dict"
    if issubclass(kind, (list, tuple, np.ndarray)):
        return "list"
    if issubclass(kind, uuid.UUID):
        return "UUID"
    if issubclass(kind, dt.datetime):
        return "datetime"
    if issubclass(kind, (bool, np.bool_)):
        return "bool"
    if issubclass(kind, str):
        return "str"
    if issubclass(kind, (int, np.integer)):
        return "int"
    if issubclass(kind, (float, np.floating)):
        return "float"
    return kind.__name__


def _pandas_column(series: Any, name: str, mixed: Mixed) -> pa.Array | pa.ChunkedArray:
    import pandas as pd

    if series.dtype == object:
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind == "empty":
            return pa.nulls(len(series))
        if kind in _OBJECT_KINDS_UNSUPPORTED:
            raise InferenceError(
                f"column {name!r} holds Python values of kind {kind!r}, which have no Avro type",
                column=name,
            )
        if kind in ("mixed", "mixed-integer"):
            values = series.to_numpy(dtype=object)
            present = ~pd.isna(series).to_numpy()
            families = sorted({_family(t) for t in map(type, values[present])})
            if len(families) > 1:
                if mixed == "union":
                    return _union_column(values, present, name)
                raise _mixed_error(values, present, name)
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise InferenceError(
            f"column {name!r} (dtype {series.dtype}) cannot be converted to Arrow: {exc}",
            column=name,
        ) from exc


def _mixed_error(
    values: np.ndarray[Any, Any], present: np.ndarray[Any, Any], name: str
) -> InferenceError:
    rows = np.flatnonzero(present)
    first = type(values[rows[0]])
    first_family = _family(first)
    for row in rows:
        other = type(values[row])
        if _family(other) != first_family:
            return InferenceError(
                f"column {name!r} mixes Python types {first.__name__} and {other.__name__} "
                f"(first {other.__name__} at row {int(row)}); convert it to one type, "
                "or pass mixed='union'",
                column=name,
                row=int(row),
            )
    raise AssertionError("unreachable: the column has a single type")  # pragma: no cover


def _union_column(
    values: np.ndarray[Any, Any], present: np.ndarray[Any, Any], name: str
) -> pa.Array:
    families = np.array([_family(type(v)) for v in values], dtype=object)
    order: list[str] = []
    if not present.all():
        order.append("null")
    for family in families[present]:
        if family not in order:
            order.append(family)
    codes = np.empty(len(values), dtype=np.int8)
    offsets = np.empty(len(values), dtype=np.int32)
    children: list[pa.Array] = []
    for code, family in enumerate(order):
        mask = ~present if family == "null" else (families == family) & present
        codes[mask] = code
        offsets[mask] = np.arange(int(mask.sum()), dtype=np.int32)
        if family == "null":
            children.append(pa.nulls(int(mask.sum())))
            continue
        try:
            children.append(pa.array(values[mask], from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise InferenceError(
                f"column {name!r}: its {family} values cannot be converted to Arrow: {exc}",
                column=name,
            ) from exc
    return pa.UnionArray.from_dense(
        pa.array(codes), pa.array(offsets), children, order, list(range(len(order)))
    )


# --------------------------------------------------------------------------------------------
# columnar null detection


def _first_true(mask: pa.Array) -> int | None:
    index = pc.index(mask, True).as_py()
    return None if index is None or index < 0 else int(index)


class _NullWalker:
    """Collect the first null of every path, and dictionaries, batch by batch."""

    def __init__(self) -> None:
        self.nulls: dict[Path, NullSite] = {}
        self.symbols: dict[Path, dict[str, None]] = {}

    def profile(
        self, schema: pa.Schema, rows: int, source: str, originals: dict[str, object]
    ) -> Profile:
        return Profile(
            schema=schema,
            nulls=dict(self.nulls),
            symbols={path: tuple(seen) for path, seen in self.symbols.items()},
            original_names=originals,
            num_rows=rows,
            source=source,
        )

    def batch(self, batch: pa.RecordBatch, offset: int) -> None:
        def rows(index: int) -> int | None:
            return offset + index

        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            self.walk(column, (name,), rows, None, record=True)

    def record(self, path: Path, mask: pa.Array, rows: RowMap) -> None:
        if path in self.nulls:
            return
        index = _first_true(mask)
        if index is not None:
            self.nulls[path] = NullSite(row=rows(index))

    def walk(
        self,
        arr: pa.Array,
        path: Path,
        rows: RowMap,
        valid: pa.Array | None,
        *,
        record: bool,
    ) -> None:
        """Record nulls of ``arr`` (where ``valid``) at ``path``, then walk its children."""
        dtype = arr.type
        if isinstance(dtype, pa.BaseExtensionType):
            if record and arr.null_count:
                self.record(path, _where(arr.is_null(), valid), rows)
            arr = arr.storage
            dtype = arr.type
            record = False
        is_union = pa.types.is_union(dtype)
        if record and (arr.null_count or is_union) and path not in self.nulls:
            self.record(path, _where(arr.is_null(), valid), rows)
        t = pa.types
        if t.is_struct(dtype):
            inner = arr.is_valid() if arr.null_count else None
            inner = _and(inner, valid)
            for i in range(dtype.num_fields):
                child = arr.field(i)
                self.walk(child, (*path, dtype.field(i).name), rows, inner, record=True)
        elif t.is_map(dtype):
            values, value_rows = _map_values(arr, rows)
            self.walk(values, (*path, MAP_VALUE), value_rows, None, record=True)
        elif t.is_list(dtype) or t.is_large_list(dtype) or t.is_fixed_size_list(dtype):
            self.walk(arr.flatten(), (*path, LIST_ITEM), _child_rows(arr, rows), None, record=True)
        elif t.is_list_view(dtype) or t.is_large_list_view(dtype):
            self.walk(arr.flatten(), (*path, LIST_ITEM), _no_rows, None, record=True)
        elif t.is_dictionary(dtype):
            if is_string_like(dtype.value_type):
                seen = self.symbols.setdefault(path, {})
                for symbol in arr.dictionary.to_pylist():
                    if symbol is not None:
                        seen.setdefault(symbol, None)
        elif is_union:
            self.walk_union(arr, path, rows)

    def walk_union(self, arr: pa.Array, path: Path, rows: RowMap) -> None:
        dtype = arr.type
        codes = arr.type_codes.to_numpy(zero_copy_only=False)
        dense = dtype.mode == "dense"
        offsets = arr.offsets.to_numpy(zero_copy_only=False) if dense else None
        for i in range(dtype.num_fields):
            child = arr.field(i)
            code = dtype.type_codes[i]

            def child_rows(k: int, code: int = code) -> int | None:
                if offsets is None:
                    return rows(k)
                hits = np.flatnonzero((codes == code) & (offsets == k))
                return rows(int(hits[0])) if len(hits) else None

            self.walk(child, (*path, dtype.field(i).name), child_rows, None, record=False)


def _where(mask: pa.Array, valid: pa.Array | None) -> pa.Array:
    return mask if valid is None else pc.and_(mask, valid)


def _and(a: pa.Array | None, b: pa.Array | None) -> pa.Array | None:
    if a is None:
        return b
    if b is None:
        return a
    return pc.and_(a, b)


def _no_rows(_index: int) -> int | None:
    return None


def _map_values(arr: pa.MapArray, rows: RowMap) -> tuple[pa.Array, RowMap]:
    """The values of a (possibly sliced) map array and their top-level rows.

    ``pc.list_parent_indices`` aborts the process on map arrays in pyarrow 26 and casting a map
    to a list of entries can build an invalid array, so parents come from the offsets. Values
    behind null maps are included: at worst a value is called nullable that need not be.
    """
    offsets = arr.offsets.to_numpy(zero_copy_only=False)
    start = int(offsets[0])
    values = arr.items.slice(start, int(offsets[-1]) - start)

    def mapped(index: int) -> int | None:
        parent = int(np.searchsorted(offsets, start + index, side="right")) - 1
        return rows(parent)

    return values, mapped


def _child_rows(arr: pa.Array, rows: RowMap) -> RowMap:
    """Map an index into ``arr.flatten()`` to a top-level row, computing parents only if asked."""
    cache: list[np.ndarray[Any, Any]] = []

    def mapped(index: int) -> int | None:
        if not cache:
            cache.append(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))
        return rows(int(cache[0][index]))

    return mapped
