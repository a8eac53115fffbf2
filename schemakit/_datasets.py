"""Datasets on disk (Parquet, CSV, JSON lines) reduced to a :class:`~schemakit._profile.Profile`.

A path names one file, a directory, or a glob. Every file is profiled on its own, then the
per-file profiles are merged into one, widening types where they unify. Nothing is ever loaded
whole into memory:

* **Parquet** is profiled from the file footer only: the Arrow schema stored in it, the row count
  and the ``null_count`` statistics of each column chunk. Data pages are never read.
* **CSV / TSV and JSON lines** go through DuckDB's readers on a private in-memory connection:
  types from DuckDB's sniffer; one streaming aggregate per file that counts the rows and tells
  which paths hold a null; then, for those paths only, a ``LIMIT 1`` query for the first row
  holding one, which stops reading there.

The rules (which files a directory holds, how types widen, what happens without statistics) are
listed in :func:`profile_dataset`.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from schemakit._profile import LIST_ITEM, MAP_VALUE, NullSite, Path, Profile
from schemakit.errors import InferenceError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

__all__ = ["profile_dataset"]

Kind = Literal["parquet", "csv", "json"]

#: File name suffix (lower case, after removing a trailing ``.gz``) → file kind.
_SUFFIXES: dict[str, Kind] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}
_KIND_NAMES: dict[Kind, str] = {"parquet": "Parquet", "csv": "CSV", "json": "JSON-lines"}

#: The private DuckDB connection's settings. Inference runs streaming aggregates (counts and
#: minimums), which need a few megabytes per thread; the cap keeps a misbehaving file from
#: taking the notebook's memory. DuckDB's global default connection is never touched.
_DUCKDB_MEMORY_LIMIT = "1GB"


def profile_dataset(path_or_glob: str | os.PathLike[str], *, sample: int | None = None) -> Profile:
    """Profile a Parquet, CSV or JSON-lines dataset on disk without loading it.

    Parameters
    ----------
    path_or_glob : str or os.PathLike
        One file; a directory, searched recursively; or a glob (``data/*.parquet``,
        ``data/**/*.csv``; ``**`` crosses directories).
    sample : int, optional
        Look at the first ``sample`` rows only (in file order, across the files in sorted order;
        files after the sample is full are not opened). CSV and JSON only: a Parquet file's
        footer already describes every row, so ``sample`` does not change a Parquet profile.
        ``sample=0`` takes the types DuckDB sniffs from the first file and counts no rows.

    Returns
    -------
    Profile
        ``schema`` widened across files, ``nulls`` with the first null of every path,
        ``num_rows``, and ``source`` = ``path_or_glob`` as given. ``symbols`` is always empty
        (see Notes).

    Raises
    ------
    InferenceError
        No file matches; a file of an unknown kind, or files of several kinds; a file that cannot
        be read (named, with the reason); a column whose types in two files do not unify (naming
        the column, both files and both types).
    ValueError
        ``sample`` is not ``None`` or an integer >= 0.

    Notes
    -----
    Which files:

    * A directory is searched recursively; files whose suffix is not a known kind are ignored.
      A glob is taken as written (``recursive=True``); every file it matches must be of a known
      kind. In both, names starting with ``.`` or ``_`` (``_SUCCESS``, ``_metadata``,
      ``.crc``) are skipped, and files are taken in sorted path order. Hive partition
      directories (``year=2024/``) do not become columns.
    * Kinds by suffix, ignoring case and a trailing ``.gz``: ``.parquet``/``.pq``;
      ``.csv``/``.tsv``; ``.jsonl``/``.ndjson``/``.json`` (``.json`` may also hold one
      top-level array of objects). CSV and TSV may be mixed; other kinds may not.

    Parquet, from the footer only (``sample`` does not apply; ``num_rows`` is exact):

    * Dictionary columns are profiled as their value type (``string``), since the categories
      live in data pages; inference gives ``string``, not an enum.
    * Nulls come from the column-chunk ``null_count`` statistics, so the first null row is
      unknown (``NullSite(row=None, file=...)``). A nested leaf's count also counts nulls of its
      ancestors and empty lists, so a non-zero count marks every nullable level on that leaf's
      path (struct field, list, list item, map, map value). A chunk without a null count is
      treated as holding nulls. A level declared ``required`` in the file never holds nulls.
    * pandas' unnamed index columns (``__index_level_0__``) are dropped, as
      ``pandas.read_parquet`` turns them back into the index.

    CSV and JSON lines, through DuckDB:

    * Types are DuckDB's sniffer's, converted to Arrow (``BIGINT`` → ``int64``, ``DOUBLE`` →
      ``float64``, ``VARCHAR``/``UUID``/``JSON`` → ``string``, ``TIMESTAMP`` →
      ``timestamp[us]``, ``TIMESTAMP WITH TIME ZONE`` → ``timestamp[us, tz=UTC]``,
      JSON objects → ``struct``, arrays → ``list``). With ``sample=N`` the sniffer reads those
      ``N`` rows; otherwise DuckDB's default sample, and if a later row does not fit the sniffed
      types, the file is sniffed again in full.
    * Names are the file's, exactly: a CSV header row is read as written (DuckDB would trim
      ``" amount "``), the first row is always the header, and empty or repeated cells are
      named as ``pandas.read_csv`` names them (``Unnamed: 3``; ``a``, ``a.1``).
    * CSV cells are read as ``pandas.read_csv`` reads them where DuckDB's reader differs: a
      cell spelled as in :data:`CSV_NULL_SPELLINGS` is null, and a column DuckDB sniffs as
      BOOLEAN is boolean only when every cell is ``true``/``false`` in any case
      (:data:`CSV_BOOLEAN_SPELLINGS`; the check is part of the counting pass), text otherwise
      (``yes``/``no``, ``t``/``f``). ISO dates and timestamps keep DuckDB's types.
    * Row numbers in ``NullSite`` are 0-based data rows within the file (a CSV header is not a
      row). A null inside a nested value counts where its parent is present: a field of a null
      struct is not a null of the field.
    * Local paths only; DuckDB reads a file name holding ``*``, ``?`` or ``[`` as a pattern.
      The private DuckDB connection has a 1 GB memory limit and the UTC time zone; no global
      setting is changed.

    Across files:

    * Equal types stay; ``null`` takes the other type; integers widen to the wider integer
      (signed and unsigned mixed → the signed type that holds both, ``int64`` at most); floats
      to the wider float; an integer and a float → ``float64``; timestamps with different units →
      the finer unit (time zones must agree); ``string`` + ``large_string`` → ``large_string``;
      decimals widen; structs merge field by field (recursively), lists by item type, maps by
      key and value type. Anything else is an error.
    * A column (or struct field) missing from a file that has rows is nullable, with
      ``NullSite(file=<the first file lacking it>)``.
    * Column order is first-seen order.
    """
    if sample is not None and (
        isinstance(sample, bool) or not isinstance(sample, int) or sample < 0
    ):
        raise ValueError(f"sample={sample!r} is not valid; expected None or an integer >= 0")
    source = os.fspath(path_or_glob)
    files, kind = _resolve_files(source)
    profiles: list[_FileProfile] = []
    if kind == "parquet":
        profiles = [_profile_parquet(file) for file in files]
    else:
        import duckdb

        con = duckdb.connect(":memory:", config={"memory_limit": _DUCKDB_MEMORY_LIMIT})
        try:
            _in_utc(con)
            remaining = sample
            for i, file in enumerate(files):
                if remaining is not None and remaining <= 0 and i > 0:
                    break
                prof = _profile_text(con, file, kind, limit=remaining)
                profiles.append(prof)
                if remaining is not None and prof.num_rows is not None:
                    remaining -= prof.num_rows
        finally:
            con.close()
    merged = _Merged()
    for prof in profiles:
        merged.add(prof)
    return Profile(
        schema=merged.schema(),
        nulls=dict(merged.nulls),
        symbols={},
        num_rows=merged.num_rows,
        source=source,
    )


# --------------------------------------------------------------------------------------------
# Which files


def _kind_of(file: str) -> Kind | None:
    name = os.path.basename(file).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _SUFFIXES.get(os.path.splitext(name)[1])


def _skipped(name: str) -> bool:
    return name.startswith((".", "_"))


def _resolve_files(source: str) -> tuple[list[str], Kind]:
    files: list[str] = []
    if os.path.isdir(source):
        for root, dirs, names in os.walk(source):
            dirs[:] = sorted(d for d in dirs if not _skipped(d))
            files.extend(os.path.join(root, n) for n in names if not _skipped(n) and _kind_of(n))
        if not files:
            raise InferenceError(
                f"no Parquet, CSV or JSON-lines files in directory {source!r} "
                f"(known suffixes: {', '.join(_SUFFIXES)})"
            )
    elif os.path.isfile(source):
        files = [source]
    elif any(c in source for c in "*?["):
        files = [
            f
            for f in glob.glob(source, recursive=True)
            if os.path.isfile(f) and not _skipped(os.path.basename(f))
        ]
        if not files:
            raise InferenceError(f"no file matches the pattern {source!r}")
    else:
        raise InferenceError(f"no such file or directory: {source!r}")
    files.sort()
    kinds: dict[Kind, str] = {}
    for file in files:
        kind = _kind_of(file)
        if kind is None:
            raise InferenceError(
                f"cannot tell the kind of {file!r} from its name; expected one of "
                f"{', '.join(_SUFFIXES)} (optionally followed by .gz)"
            )
        kinds.setdefault(kind, file)
    if len(kinds) > 1:
        listed = ", ".join(f"{_KIND_NAMES[k]} ({f!r})" for k, f in kinds.items())
        raise InferenceError(
            f"{source!r} mixes file kinds: {listed}; select one kind, e.g. with a glob "
            f"such as '*.parquet'"
        )
    return files, next(iter(kinds))


# --------------------------------------------------------------------------------------------
# One file → _FileProfile


@dataclass
class _FileProfile:
    file: str
    schema: pa.Schema
    nulls: dict[Path, NullSite] = field(default_factory=dict)
    num_rows: int | None = None


def _display(path: Sequence[str]) -> str:
    """``("s", "x", "[]")`` → ``"s.x[]"``, for messages."""
    out = path[0]
    for step in path[1:]:
        out += step if step in (LIST_ITEM, MAP_VALUE) else f".{step}"
    return out


def _is_list(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_list(t)
        or pa.types.is_large_list(t)
        or pa.types.is_fixed_size_list(t)
        or pa.types.is_list_view(t)
        or pa.types.is_large_list_view(t)
    )


def _decode_dictionaries(t: pa.DataType) -> pa.DataType:
    """``t`` with every dictionary type replaced by its value type."""
    if pa.types.is_dictionary(t):
        return _decode_dictionaries(t.value_type)
    if pa.types.is_struct(t):
        return pa.struct([_decode_field(t.field(i)) for i in range(t.num_fields)])
    if pa.types.is_map(t):
        return pa.map_(_decode_field(t.key_field), _decode_field(t.item_field), t.keys_sorted)
    if pa.types.is_large_list(t):
        return pa.large_list(_decode_field(t.value_field))
    if pa.types.is_fixed_size_list(t):
        return pa.list_(_decode_field(t.value_field), t.list_size)
    if _is_list(t):
        return pa.list_(_decode_field(t.value_field))
    return t


def _decode_field(f: pa.Field) -> pa.Field:
    return f.with_type(_decode_dictionaries(f.type))


def _storage(t: pa.DataType) -> pa.DataType:
    return t.storage_type if isinstance(t, pa.ExtensionType) else t


_Levels = tuple[tuple[Path, bool], ...]


def _leaf_levels(t: pa.DataType, path: Path, levels: _Levels) -> Iterator[_Levels]:
    """For each Parquet leaf column under ``t`` (in file order), the levels above it.

    A level is (Profile path, nullable). Map keys add no level of their own (keys are never
    null), but still occupy leaf columns.
    """
    t = _storage(t)
    if pa.types.is_struct(t):
        for i in range(t.num_fields):
            child = t.field(i)
            sub = (*path, child.name)
            yield from _leaf_levels(child.type, sub, (*levels, (sub, child.nullable)))
    elif pa.types.is_map(t):
        yield from _leaf_levels(t.key_type, (*path, "<key>"), levels)
        sub = (*path, MAP_VALUE)
        yield from _leaf_levels(t.item_type, sub, (*levels, (sub, t.item_field.nullable)))
    elif _is_list(t):
        sub = (*path, LIST_ITEM)
        yield from _leaf_levels(t.value_type, sub, (*levels, (sub, t.value_field.nullable)))
    else:
        yield levels


def _is_pandas_index(name: str) -> bool:
    return name.startswith("__index_level_") and name.endswith("__")


def _profile_parquet(file: str) -> _FileProfile:
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(file) as pf:
            arrow_schema = pf.schema_arrow
            meta = pf.metadata
    except (OSError, pa.ArrowException) as exc:
        raise InferenceError(f"cannot read Parquet file {file!r}: {exc}") from exc

    fields = [_decode_field(f) for f in arrow_schema]
    leaves: list[_Levels] = []
    for f in fields:
        leaves.extend(_leaf_levels(f.type, (f.name,), (((f.name,), f.nullable),)))
    nulls: dict[Path, NullSite] = {}
    unknown_layout = len(leaves) != meta.num_columns
    for j, levels in enumerate(leaves):
        if not any(nullable for _, nullable in levels):
            continue
        if unknown_layout or _may_hold_nulls(meta, j):
            for path, nullable in levels:
                if nullable:
                    nulls.setdefault(path, NullSite(row=None, file=file))
    kept = [f for f in fields if not _is_pandas_index(f.name)]
    names = {f.name for f in kept}
    nulls = {p: s for p, s in nulls.items() if p[0] in names}
    return _FileProfile(file=file, schema=pa.schema(kept), nulls=nulls, num_rows=meta.num_rows)


def _may_hold_nulls(meta: Any, column: int) -> bool:
    """Whether any row group's statistics report (or fail to rule out) a null in ``column``."""
    for rg in range(meta.num_row_groups):
        chunk = meta.row_group(rg)
        if chunk.num_rows == 0:
            continue
        stats = chunk.column(column).statistics
        if stats is None or not stats.has_null_count or stats.null_count > 0:
            return True
    return False


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: The cells ``pandas.read_csv`` reads as missing by default (its ``na_values``). A CSV path is
#: read with the same spellings of null, so that it and ``pd.read_csv`` of it agree.
CSV_NULL_SPELLINGS: tuple[str, ...] = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)

#: The cells ``pandas.read_csv`` reads as booleans, in any case (``True``, ``FALSE``,
#: ``tRue``). DuckDB's sniffer also takes ``yes``/``no``, ``t``/``f``, ``y``/``n``; a column it
#: sniffs as BOOLEAN stays one only when every cell is spelled as here, and is text otherwise
#: (as pandas leaves it).
CSV_BOOLEAN_SPELLINGS: tuple[str, ...] = ("true", "false")


def _in_utc(con: DuckDBPyConnection) -> None:
    """Read zone-less text in a column that also has zones (TIMESTAMP WITH TIME ZONE) as UTC,
    never in the machine's zone (DESIGN.md, naive datetimes)."""
    import duckdb

    # without DuckDB's ICU extension there are no time zones: UTC already
    with contextlib.suppress(duckdb.Error):
        con.execute("SET TimeZone = 'UTC'")


def _sql_list(texts: Sequence[str]) -> str:
    return "[" + ", ".join(_sql_str(t) for t in texts) + "]"


def _sql_struct(entries: dict[str, str]) -> str:
    return "{" + ", ".join(f"{_sql_str(k)}: {_sql_str(v)}" for k, v in entries.items()) + "}"


@dataclass(frozen=True)
class _Scan:
    """How one text file is read: the reader call, with the column names and types settled."""

    file: str
    kind: Kind
    sample_size: int | None = None
    #: CSV: the header's cells exactly as written (``None``: the file has no rows).
    names: tuple[str, ...] | None = None
    #: CSV: columns read as text although DuckDB sniffs them as BOOLEAN.
    as_text: tuple[str, ...] = ()

    def sql(self) -> str:
        size = "" if self.sample_size is None else f", sample_size={self.sample_size}"
        if self.kind == "json":
            name = os.path.basename(self.file).lower().removesuffix(".gz")
            fmt = "auto" if name.endswith(".json") else "newline_delimited"
            return f"read_json({_sql_str(self.file)}, format='{fmt}'{size})"
        options = f"{size}, nullstr={_sql_list(CSV_NULL_SPELLINGS)}"
        if self.names is not None:
            # DuckDB trims header cells (" amount " → "amount"); the names go in as read.
            options += f", header=true, names={_sql_list(self.names)}"
        if self.as_text:
            options += f", types={_sql_struct(dict.fromkeys(self.as_text, 'VARCHAR'))}"
        return f"read_csv({_sql_str(self.file)}{options})"


def dedup_names(names: Sequence[str]) -> list[str]:
    """Make repeated CSV header cells unique as ``pandas.read_csv`` does: ``a``, ``a.1``, ….

    Each repeat takes the next free ``.k`` suffix of its spelling; a suffixed name that is
    itself taken is suffixed again.
    """
    counts: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        count = counts.get(name, 0)
        while count > 0:
            counts[name] = count + 1
            name = f"{name}.{count}"
            count = counts.get(name, 0)
        counts[name] = count + 1
        out.append(name)
    return out


def _sniffed(value: object) -> str:
    # sniff_csv spells "no character" as "(empty)"
    return "" if value in (None, "(empty)") else str(value)


def _csv_header(
    con: DuckDBPyConnection, file: str, sample_size: int | None
) -> tuple[str, ...] | None:
    """The first row's cells exactly as written (empty ones named as pandas names them), read
    with the dialect DuckDB's sniffer finds.

    The first row is the header even where DuckDB's sniffer guesses there is none (a header
    of numbers, say), as ``pandas.read_csv`` takes it; ``None`` for a file without rows.
    """
    size = "" if sample_size is None else f", sample_size={sample_size}"
    sniff = f"SELECT Delimiter, Quote, Escape, SkipRows FROM sniff_csv(?{size})"
    rows = con.execute(sniff, [file]).fetchall()
    if not rows:
        return None
    row = rows[0]
    delim, quote, escape, skip = _sniffed(row[0]), _sniffed(row[1]), _sniffed(row[2]), int(row[3])
    raw = (
        f"SELECT * FROM read_csv(?, header=false, all_varchar=true, delim={_sql_str(delim)}, "
        f"quote={_sql_str(quote)}, escape={_sql_str(escape)}, skip={skip}) LIMIT 1"
    )
    first = con.execute(raw, [file]).fetchall()
    if not first:
        return None
    cells = first[0]
    # DuckDB refuses a name of only (ASCII) whitespace, which pandas keeps: such a cell is
    # named as pandas names an empty one (docs/inference.md)
    named = [
        cell if cell and cell.strip(_BLANK) else f"Unnamed: {i}" for i, cell in enumerate(cells)
    ]
    return tuple(dedup_names(named))


_BLANK = " \t\n\v\f\r"


def _boolean_check(column: str) -> str:
    """An aggregate, true when every cell of a text column is spelled as pandas reads a bool."""
    spellings = ", ".join(map(_sql_str, CSV_BOOLEAN_SPELLINGS))
    return f"coalesce(bool_and(lower({_sql_ident(column)}) IN ({spellings})), true)"


def _settle(
    con: DuckDBPyConnection, file: str, kind: Kind, sample_size: int | None
) -> tuple[_Scan, pa.Schema]:
    """The scan of ``file`` with exact names and DuckDB's BOOLEAN guesses read as text, and its
    Arrow schema (those columns as strings)."""
    if kind == "json":
        scan = _Scan(file, kind, sample_size)
    else:
        names = _csv_header(con, file, sample_size)
        sniffed = _Scan(file, kind, sample_size, names=names)
        schema = _schema_of(con, sniffed)
        booleans = tuple(f.name for f in schema if pa.types.is_boolean(f.type))
        scan = _Scan(file, kind, sample_size, names=names, as_text=booleans)
    return scan, _schema_of(con, scan)


def _schema_of(con: DuckDBPyConnection, scan: _Scan) -> pa.Schema:
    schema: pa.Schema = con.sql(f"SELECT * FROM {scan.sql()} LIMIT 0").to_arrow_table().schema
    return schema


def _with_booleans(schema: pa.Schema, booleans: set[str]) -> pa.Schema:
    return pa.schema(
        [f.with_type(pa.bool_()) if f.name in booleans else f for f in schema],
        metadata=schema.metadata,
    )


def text_scan(con: DuckDBPyConnection, file: str) -> str:
    """The DuckDB table function call that reads a CSV or JSON-lines ``file`` as inference sees
    it: every column name exactly as the file spells it, pandas' null spellings, booleans only
    where every cell is spelled as pandas reads one (one extra pass over those columns)."""
    kind = _kind_of(file)
    if kind is None or kind == "parquet":
        raise InferenceError(f"{file!r} is not a CSV or JSON-lines file")
    _in_utc(con)
    scan, _ = _settle(con, file, kind, None)
    if not scan.as_text:
        return scan.sql()
    checks = ", ".join(_boolean_check(c) for c in scan.as_text)
    (row,) = con.sql(f"SELECT {checks} FROM {scan.sql()}").fetchall()
    # the columns whose cells are not all pandas' spellings stay text; the rest DuckDB reads
    keep = tuple(c for c, ok in zip(scan.as_text, row, strict=True) if not ok)
    return _Scan(file, kind, None, names=scan.names, as_text=keep).sql()


def _null_conditions(expr: str, t: pa.DataType, path: Path, depth: int) -> list[tuple[Path, str]]:
    """SQL conditions, one per path strictly below ``expr``, true on rows holding a null there.

    A null counts only where its parent is present: a field of a null struct is not a null of
    the field.
    """
    t = _storage(t)
    out: list[tuple[Path, str]] = []
    if pa.types.is_struct(t):
        for i in range(t.num_fields):
            name = t.field(i).name
            sub = (*path, name)
            child = f"struct_extract({expr}, {_sql_str(name)})"
            out.append((sub, f"({expr} IS NOT NULL AND {child} IS NULL)"))
            out.extend(_null_conditions(child, t.field(i).type, sub, depth))
    elif _is_list(t) or pa.types.is_map(t):
        if pa.types.is_map(t):
            items, item_type, sub = f"map_values({expr})", t.item_type, (*path, MAP_VALUE)
        else:
            items, item_type, sub = expr, t.value_type, (*path, LIST_ITEM)
        var = f"_x{depth}"
        inner = [(sub, f"{var} IS NULL"), *_null_conditions(var, item_type, sub, depth + 1)]
        for p, cond in inner:
            out.append((p, f"list_bool_or(list_transform({items}, lambda {var}: {cond}))"))
    return out


def _profile_text(
    con: DuckDBPyConnection, file: str, kind: Kind, *, limit: int | None
) -> _FileProfile:
    import duckdb

    if os.path.getsize(file) == 0:
        return _FileProfile(file=file, schema=pa.schema([]), num_rows=0)
    # Sniff with DuckDB's default sample first; if a later row does not fit the sniffed types
    # (a conversion error), sniff the whole file. With ``limit`` the sniffer sees exactly the
    # rows that are counted, so there is nothing to retry.
    attempts: list[int | None] = [limit or None] if limit is not None else [None, -1]
    for attempt, sample_size in enumerate(attempts):
        try:
            return _query_text(con, file, kind, sample_size=sample_size, limit=limit)
        except duckdb.InterruptException:
            raise
        except duckdb.Error as exc:
            retry = isinstance(exc, (duckdb.ConversionException, duckdb.InvalidInputException))
            if retry and attempt + 1 < len(attempts):
                continue
            reason = str(exc).split("\n\n")[0].strip()
            raise InferenceError(
                f"cannot read {_KIND_NAMES[kind]} file {file!r}: {reason}"
            ) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _query_text(
    con: DuckDBPyConnection, file: str, kind: Kind, *, sample_size: int | None, limit: int | None
) -> _FileProfile:
    settled, schema = _settle(con, file, kind, sample_size)
    scan = settled.sql()
    limit_sql = "" if limit is None else f" LIMIT {limit}"
    # Pass 1, one streaming aggregate: the row count, which paths hold a null at all, and which
    # of DuckDB's BOOLEAN guesses are spelled as pandas reads booleans in every cell.
    # ``count(col)`` is the cheapest test for a top-level column; nested paths need a condition.
    checks: list[tuple[Path, str, str]] = []  # (path, aggregate, condition)
    for f in schema:
        col = _sql_ident(f.name)
        checks.append(((f.name,), f"count(*) > count({col})", f"{col} IS NULL"))
        for path, cond in _null_conditions(col, f.type, (f.name,), 0):
            checks.append((path, f"coalesce(bool_or({cond}), false)", cond))
    spelled = [_boolean_check(c) for c in settled.as_text]
    aggregates = ", ".join(["count(*)", *(agg for _, agg, _ in checks), *spelled])
    (result,) = con.sql(f"SELECT {aggregates} FROM (SELECT * FROM {scan}{limit_sql})").fetchall()
    booleans = result[len(result) - len(spelled) :] if spelled else ()
    schema = _with_booleans(
        schema, {c for c, ok in zip(settled.as_text, booleans, strict=True) if ok}
    )
    result = result[: len(result) - len(spelled)]
    # Pass 2, only for paths that hold nulls: the first row holding one, numbered by
    # ``WITH ORDINALITY``. ``LIMIT 1`` ends the scan there, and first nulls usually come early,
    # so this reads a prefix of the file; at worst (a null in the last row) the whole file.
    names = list(schema.names)
    row = "_sk_row"
    while row in names:
        row = "_" + row
    aliases = ", ".join(_sql_ident(n) for n in [*names, row])
    numbered = f"SELECT * FROM {scan} WITH ORDINALITY AS _sk_t({aliases}){limit_sql}"
    nulls: dict[Path, NullSite] = {}
    for (path, _, cond), has in zip(checks, result[1:], strict=True):
        if has:
            query = f"SELECT {_sql_ident(row)} FROM ({numbered}) WHERE {cond} LIMIT 1"
            ((first,),) = con.sql(query).fetchall()
            nulls[path] = NullSite(row=int(first) - 1, file=file)
    return _FileProfile(file=file, schema=schema, nulls=nulls, num_rows=int(result[0]))


# --------------------------------------------------------------------------------------------
# Many files → one profile


class _ClashError(Exception):
    def __init__(self, path: Path, left: pa.DataType, right: pa.DataType) -> None:
        super().__init__(path)
        self.path, self.left, self.right = path, left, right


@dataclass
class _Unified:
    #: Struct fields present on the right only (absent in everything merged so far).
    new_on_right: list[Path] = field(default_factory=list)
    #: Struct fields present on the left only (absent in the file being merged).
    missing_on_right: list[Path] = field(default_factory=list)


def _unify_scalar(left: pa.DataType, right: pa.DataType, path: Path) -> pa.DataType:
    if pa.types.is_integer(left) and pa.types.is_floating(right):
        return pa.float64()
    if pa.types.is_floating(left) and pa.types.is_integer(right):
        return pa.float64()
    try:
        merged = pa.unify_schemas(
            [pa.schema([("x", left)]), pa.schema([("x", right)])], promote_options="permissive"
        )
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _ClashError(path, left, right) from exc
    result: pa.DataType = merged.field("x").type
    return result


def _unify(left: pa.DataType, right: pa.DataType, path: Path, out: _Unified) -> pa.DataType:
    if left == right:
        return left
    if pa.types.is_null(left):
        return right
    if pa.types.is_null(right):
        return left
    if pa.types.is_struct(left) and pa.types.is_struct(right):
        right_fields = {right.field(i).name: right.field(i) for i in range(right.num_fields)}
        fields = []
        for i in range(left.num_fields):
            lf = left.field(i)
            sub = (*path, lf.name)
            rf = right_fields.pop(lf.name, None)
            if rf is None:
                out.missing_on_right.append(sub)
                fields.append(lf.with_nullable(True))
            else:
                t = _unify(lf.type, rf.type, sub, out)
                fields.append(pa.field(lf.name, t, lf.nullable or rf.nullable, lf.metadata))
        for rf in right_fields.values():
            out.new_on_right.append((*path, rf.name))
            fields.append(rf.with_nullable(True))
        return pa.struct(fields)
    if _is_list(left) and _is_list(right):
        sub = (*path, LIST_ITEM)
        item = _unify(left.value_type, right.value_type, sub, out)
        nullable = left.value_field.nullable or right.value_field.nullable
        value_field = pa.field(left.value_field.name, item, nullable)
        if pa.types.is_large_list(left) or pa.types.is_large_list(right):
            return pa.large_list(value_field)
        if (
            pa.types.is_fixed_size_list(left)
            and pa.types.is_fixed_size_list(right)
            and left.list_size == right.list_size
        ):
            return pa.list_(value_field, left.list_size)
        return pa.list_(value_field)
    if pa.types.is_map(left) and pa.types.is_map(right):
        key = _unify(left.key_type, right.key_type, (*path, "<key>"), out)
        value = _unify(left.item_type, right.item_type, (*path, MAP_VALUE), out)
        nullable = left.item_field.nullable or right.item_field.nullable
        return pa.map_(key, pa.field(left.item_field.name, value, nullable))
    if any(pa.types.is_nested(t) or isinstance(t, pa.ExtensionType) for t in (left, right)):
        raise _ClashError(path, left, right)
    return _unify_scalar(left, right, path)


class _Merged:
    """The running union of per-file profiles, remembering which file set each column's type."""

    def __init__(self) -> None:
        self.fields: dict[str, pa.Field] = {}
        self.origin: dict[str, str] = {}
        self.nulls: dict[Path, NullSite] = {}
        self.num_rows: int | None = 0
        self.first_rowful: str | None = None

    def add(self, prof: _FileProfile) -> None:
        has_rows = prof.num_rows != 0
        names = set(prof.schema.names)
        if has_rows:
            for name in self.fields:
                if name not in names:
                    self.fields[name] = self.fields[name].with_nullable(True)
                    self.nulls.setdefault((name,), NullSite(row=None, file=prof.file))
        for f in prof.schema:
            known = self.fields.get(f.name)
            if known is None:
                if self.first_rowful is not None:
                    self.nulls.setdefault((f.name,), NullSite(row=None, file=self.first_rowful))
                nullable = f.nullable or self.first_rowful is not None
                self.fields[f.name] = f.with_nullable(nullable)
                self.origin[f.name] = prof.file
                continue
            out = _Unified()
            try:
                t = _unify(known.type, f.type, (f.name,), out)
            except _ClashError as clash:
                where = "" if clash.path == (f.name,) else f" (at {_display(clash.path)!r})"
                raise InferenceError(
                    f"column {f.name!r}{where} cannot be given one type: it is "
                    f"{clash.left} in {self.origin[f.name]!r} but {clash.right} in "
                    f"{prof.file!r}",
                    column=_display(clash.path),
                ) from None
            if has_rows:
                for path in out.missing_on_right:
                    self.nulls.setdefault(path, NullSite(row=None, file=prof.file))
            for path in out.new_on_right:
                self.nulls.setdefault(path, NullSite(row=None, file=self.origin[f.name]))
            if t != known.type:
                self.origin[f.name] = prof.file
            self.fields[f.name] = pa.field(
                f.name, t, known.nullable or f.nullable, known.metadata or f.metadata
            )
        for path, site in prof.nulls.items():
            self.nulls.setdefault(path, site)
        if has_rows and self.first_rowful is None:
            self.first_rowful = prof.file
        if self.num_rows is not None:
            self.num_rows = None if prof.num_rows is None else self.num_rows + prof.num_rows

    def schema(self) -> pa.Schema:
        return pa.schema(list(self.fields.values()))
