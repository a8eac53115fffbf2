"""Infer an Avro or JSON schema from data.

Choices made where DESIGN.md is silent (collected in docs/inference.md):

- **Field names.** Each record level's names are sanitized with
  :func:`~schemakit._names.sanitize_names`; a field whose name changed keeps the name the data
  spelled in the custom field attribute
  ``"schemakit.original_name"`` (aliases must themselves be valid names, so they cannot hold
  it; custom attributes are dropped by the Parsing Canonical Form, so never change identity).
- **Named types.** Records (structs), enums (dictionaries) and fixed types are named
  ``<Name>_<field path>``: the top-level record's short name and the sanitized field names on the
  way, joined by ``_`` (list items and map values add no step; a union child adds its own name).
  A name already taken gets the first free suffix ``_2``, ``_3``, … in column order, so names are
  deterministic and unique. They share the top-level namespace.
- **Nullability.** ``"auto"``: a path holding a null is ``["null", T]``; record fields of that
  kind get ``"default": null``, array items and map values none (Avro has no defaults there).
  ``"always"``: every record field, top-level and nested, is nullable with ``"default": null``;
  array items and map values follow the data as under ``"auto"``. ``"never"``: any null,
  nested ones included, raises :class:`~schemakit.errors.InferenceError` naming the field path
  and the first null row.
- **Dates held as text** stay ``"string"`` unless ``parse_dates`` asks for them (a DataFrame's
  dtype is the user's statement); then the rule of :mod:`schemakit._iso8601` types them as a
  CSV path's DuckDB reader does, so a file and ``pd.read_csv`` of it give one schema.
- **All-null columns** (Arrow null type) become the Avro ``"null"`` type (with ``"default":
  null`` as a record field), never a guessed type; widening it later to ``["null", T]`` is a
  backward-compatible change.
- **Enums.** A dictionary of strings becomes an enum only when its categories are known and
  every one is already a valid Avro name; otherwise it is ``"string"`` (sanitizing a symbol
  would change the data values). Dictionaries of other value types are their value type.
- **Maps** need string keys (Avro maps are keyed by strings): other keys raise
  :class:`~schemakit.errors.InferenceError` naming the column.
- **Unions** (Arrow union types, and pandas object columns with ``mixed="union"``) become Avro
  unions of their children's types, ``"null"`` first when any value is null; two children with
  the same Avro type are merged; two different types that Avro forbids in one union (e.g.
  ``long`` and ``timestamp-micros``) raise.
- **JSON Schema** (``format="json"``) is draft 2020-12 and is built from the same walk. Property
  names are the column names as given (JSON allows any). ``required`` lists the non-nullable
  properties; a nullable value has ``"type": [T, "null"]`` (enums add ``null`` to ``enum``;
  unions use ``anyOf``). ``int``/``long`` → ``integer``, ``float``/``double`` → ``number``,
  bytes and fixed → ``string`` with ``contentEncoding: base64``, decimal → ``string`` with
  ``format: decimal`` and ``x-precision``/``x-scale`` (a number would lose digits in most JSON
  parsers), timestamps with a time zone → ``format: date-time``, without one → ``format:
  local-date-time``, ``date``, ``time``, ``uuid`` formats, enums → ``enum`` (any strings),
  arrays → ``items``, maps → ``additionalProperties``, structs → nested objects. Objects stay
  open (no ``additionalProperties: false``), which keeps adding a property a compatible change
  in Confluent's JSON Schema rules. The namespace is not used; the name is the ``title``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pyarrow as pa

from schemakit._arrow_types import ORIGINAL_NAME, is_string_like, leaf_avro_type
from schemakit._names import (
    PRIMITIVE_TYPES,
    is_valid_name,
    is_valid_namespace,
    sanitize_name,
    sanitize_names,
    split_fullname,
)
from schemakit._profile import LIST_ITEM, MAP_VALUE, Path, Profile
from schemakit._sources import ParseDates
from schemakit._sources import profile as profile_data
from schemakit._typing import Format, Mixed, Nullable, allowed, check_option
from schemakit.errors import InferenceError, SchemaParseError
from schemakit.schema import MAX_SCHEMA_DEPTH, Schema

__all__ = ["infer"]

JSON_SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def infer(
    data: Any,
    name: str = "Record",
    namespace: str | None = None,
    *,
    format: Format = "avro",
    nullable: Nullable = "auto",
    sample: int | None = None,
    mixed: Mixed = "error",
    parse_dates: ParseDates = False,
) -> Schema:
    """Infer the schema of ``data``: an Avro record, or a JSON Schema object.

    Parameters
    ----------
    data : pandas.DataFrame, pyarrow.Table, pyarrow.RecordBatch, polars.DataFrame, \
DuckDB relation, str or os.PathLike
        The data. A path or glob names Parquet, CSV or JSON-lines files, read in a streaming way.
        The pandas index is ignored.
    name : str, default "Record"
        The record's name (Avro) or title (JSON). A dotted name carries its namespace.
    namespace : str, optional
        The Avro namespace of the record and of every named type inside it.
    format : {"avro", "json"}
        The kind of schema to return.
    nullable : {"auto", "always", "never"}
        ``"auto"``: fields that hold a null become ``["null", T]`` with ``"default": null``;
        ``"always"``: every record field does; ``"never"``: a null raises.
    sample : int, optional
        Look only at the first ``sample`` rows.
    mixed : {"error", "union"}
        A pandas object column holding several Python types raises, or becomes a union.
    parse_dates : bool or list of str, default False
        Read text columns holding ISO-8601 dates or timestamps as ``date`` /
        ``local-timestamp-micros`` / ``timestamp-micros`` (with a zone), as DuckDB reads them in
        a CSV file: ``True`` for every text column whose values all parse (others stay
        ``string``), or the names of the columns to parse, where a value that does not parse
        raises. Off by default, since a column's dtype is the user's statement. pandas, Arrow
        and polars data only; ``sk.encode`` then writes the strings as those types.

    Returns
    -------
    Schema
        ``schema_type="AVRO"`` or ``"JSON"``.

    Raises
    ------
    InferenceError
        A column whose type has no Avro equivalent, mixed Python types, a null with
        ``nullable="never"``; the message names the column (field path) and row. Also a
        column whose type nests deeper than a schema may (``schemakit.schema.MAX_SCHEMA_DEPTH``);
        a column listed in ``parse_dates`` holding a value that does not parse (its row).
    ValueError
        An option that is not one of its values, or an invalid name or namespace;
        ``parse_dates`` naming a column the data lacks, or given with a path.
    TypeError
        ``data`` of a kind not listed above.

    See Also
    --------
    Avro specification, "Schema Declaration" and "Logical Types";
    JSON Schema draft 2020-12.

    Examples
    --------
    >>> import pandas as pd
    >>> import schemakit as sk
    >>> df = pd.DataFrame({"dep time": [517, None], "carrier": ["UA", "AA"]})
    >>> schema = infer(df, name="Flight", namespace="demo")
    >>> for field in schema.to_dict()["fields"]:
    ...     print(field)
    {'name': 'dep_time', 'type': ['null', 'double'], 'default': None, 'schemakit.original_name': 'dep time'}
    {'name': 'carrier', 'type': 'string'}
    >>> infer(df, format="json").to_dict()["properties"]["dep time"]
    {'type': ['number', 'null']}
    """  # noqa: E501
    fmt = cast(Format, check_option("format", format, allowed(Format)))
    null_mode = cast(Nullable, check_option("nullable", nullable, allowed(Nullable)))
    mixed_mode = cast(Mixed, check_option("mixed", mixed, allowed(Mixed)))
    _check_name(name, namespace)
    try:
        prof = profile_data(data, sample=sample, mixed=mixed_mode, parse_dates=parse_dates)
        document = build(prof, name, namespace, format=fmt, nullable=null_mode)
    except RecursionError as exc:
        # Profiling and building walk a column's type level by level; a type this deep is far
        # past the depth any schema may have.
        column = _deepest_column(getattr(data, "schema", None))
        where = f"column {column!r}" if column is not None else "a column"
        message = f"{where} nests too deeply for a schema {_DEPTH_RULE}"
        raise InferenceError(message, column=column) from exc
    try:
        return Schema.parse(document, schema_type="JSON" if fmt == "json" else "AVRO")
    except SchemaParseError as exc:
        # Only the depth limit can refuse what inference builds: name the column.
        column = _column_at(exc.path or "", prof, json=fmt == "json")
        message = f"column {column!r} cannot be given a schema: {exc}"
        raise InferenceError(message, column=column) from exc


_DEPTH_RULE = f"(schemakit.schema.MAX_SCHEMA_DEPTH, {MAX_SCHEMA_DEPTH} levels)"


def _deepest_column(schema: object) -> str | None:
    """The column of an Arrow schema whose type nests deepest (no recursion), if one is given."""
    if not isinstance(schema, pa.Schema) or not len(schema):
        return None
    depths: list[tuple[int, str]] = []
    for column in schema:
        deepest, stack = 0, [(column.type, 1)]
        while stack:
            dtype, depth = stack.pop()
            deepest = max(deepest, depth)
            stack.extend((dtype.field(i).type, depth + 1) for i in range(dtype.num_fields))
        depths.append((deepest, str(column.name)))
    return max(depths, key=lambda d: d[0])[1]


def _column_at(pointer: str, prof: Profile, *, json: bool) -> str:
    """The column of a pointer into the inferred schema (``/fields/3/…``, ``/properties/a/…``)."""
    parts = pointer.split("/")
    if json and len(parts) > 2 and parts[1] == "properties":
        return parts[2].replace("~1", "/").replace("~0", "~")
    if not json and len(parts) > 2 and parts[1] == "fields" and parts[2].isdigit():
        return str(prof.schema.names[int(parts[2])])
    return pointer


def build(
    prof: Profile,
    name: str = "Record",
    namespace: str | None = None,
    *,
    format: Format = "avro",
    nullable: Nullable = "auto",
) -> dict[str, Any]:
    """The schema dict of a :class:`Profile`: the part of :func:`infer` after profiling.

    Used by ``infer`` and by callers that already hold a Profile (e.g. a dataset profiled once).
    """
    space, short = _check_name(name, namespace)
    builder = _AvroBuilder(prof, short, nullable, json=format == "json")
    record = builder.record(list(prof.schema), (), (), short)
    if format == "json":
        return {"$schema": JSON_SCHEMA_DRAFT, "title": short, **_json_type(record)}
    if space:
        return {"type": "record", "name": short, "namespace": space, **_without_head(record)}
    return record


def _without_head(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("type", "name", "namespace")}


def _check_name(name: object, namespace: object) -> tuple[str, str]:
    if not isinstance(name, str):
        raise ValueError(f"name={name!r} is not valid; expected a str")
    if namespace is not None and not isinstance(namespace, str):
        raise ValueError(f"namespace={namespace!r} is not valid; expected a str or None")
    space, short = split_fullname(name, namespace)
    if not is_valid_name(short) or short in PRIMITIVE_TYPES:
        raise ValueError(
            f"name={name!r} is not a valid Avro name: it must match [A-Za-z_][A-Za-z0-9_]* "
            "and not be a primitive type name"
        )
    if not is_valid_namespace(space):
        raise ValueError(
            f"namespace={space!r} is not a valid Avro namespace: dot-separated names, "
            "each matching [A-Za-z_][A-Za-z0-9_]*"
        )
    return space, short


def _display(path: Path) -> str:
    """``"origin.code[]{}"``-style text for messages."""
    out = ""
    for step in path:
        if step in (LIST_ITEM, MAP_VALUE):
            out += step
        else:
            out += f".{step}" if out else step
    return out


class _AvroBuilder:
    """One walk over the profile's Arrow types, producing the Avro dict."""

    def __init__(self, prof: Profile, top: str, nullable: str, *, json: bool) -> None:
        self.prof = prof
        self.top = top
        self.nullable = nullable
        self.json = json
        self.taken: set[str] = {top}

    def type_name(self, names: tuple[str, ...]) -> str:
        base = "_".join((self.top, *names))
        candidate, suffix = base, 2
        while candidate in self.taken or candidate in PRIMITIVE_TYPES:
            candidate = f"{base}_{suffix}"
            suffix += 1
        self.taken.add(candidate)
        return candidate

    def record(
        self, fields: list[pa.Field], path: Path, names: tuple[str, ...], record_name: str
    ) -> dict[str, Any]:
        arrow_names = [f.name for f in fields]
        seen: set[str] = set()
        for n in arrow_names:
            if n in seen:
                raise InferenceError(
                    f"field {_display((*path, n))!r} appears twice in one record",
                    column=_display((*path, n)),
                )
            seen.add(n)
        avro_names = sanitize_names(arrow_names)
        out_fields = []
        for f, avro_name in zip(fields, avro_names, strict=True):
            fpath = (*path, f.name)
            ftype = self.value(f.type, fpath, (*names, avro_name))
            has_null = self.null_check(fpath)
            entry: dict[str, Any] = {"name": avro_name}
            if ftype == "null":
                entry["type"] = "null"
                entry["default"] = None
            elif has_null or self.nullable == "always":
                entry["type"] = _with_null(ftype)
                entry["default"] = None
            else:
                entry["type"] = ftype
            if avro_name != f.name:
                entry[ORIGINAL_NAME] = f.name
            out_fields.append(entry)
        return {"type": "record", "name": record_name, "fields": out_fields}

    def null_check(self, path: Path) -> bool:
        site = self.prof.nulls.get(path)
        if site is None:
            return False
        if self.nullable == "never":
            where = _display(path)
            raise InferenceError(
                f"column {where!r} holds a null at {site.describe()}, and nullable='never'",
                column=where,
                row=site.row,
            )
        return True

    def item(self, dtype: pa.DataType, path: Path, names: tuple[str, ...]) -> Any:
        """An array item or map value: nullable only where the data has nulls."""
        avro = self.value(dtype, path, names)
        if avro != "null" and self.null_check(path):
            return _with_null(avro)
        return avro

    def value(self, dtype: pa.DataType, path: Path, names: tuple[str, ...]) -> Any:
        """The Avro type of ``dtype`` at ``path``, without the path's own nullability."""
        t = pa.types
        where = _display(path)
        if isinstance(dtype, pa.BaseExtensionType) and dtype.extension_name != "arrow.uuid":
            return self.value(dtype.storage_type, path, names)
        if t.is_struct(dtype):
            return self.record(list(dtype), path, names, self.type_name(names))
        if t.is_map(dtype):
            key = dtype.key_type
            if t.is_dictionary(key):
                key = key.value_type
            if not is_string_like(key):
                raise InferenceError(
                    f"column {where!r} is a map with {dtype.key_type} keys, and Avro maps have "
                    "string keys; cast the keys to string, or make it a list of key/value structs",
                    column=where,
                )
            return {"type": "map", "values": self.item(dtype.item_type, (*path, MAP_VALUE), names)}
        if (
            t.is_list(dtype)
            or t.is_large_list(dtype)
            or t.is_fixed_size_list(dtype)
            or t.is_list_view(dtype)
            or t.is_large_list_view(dtype)
        ):
            return {
                "type": "array",
                "items": self.item(dtype.value_type, (*path, LIST_ITEM), names),
            }
        if t.is_dictionary(dtype):
            symbols = self.prof.symbols.get(path)
            if is_string_like(dtype.value_type) and symbols and self.enum_ok(symbols):
                return {"type": "enum", "name": self.type_name(names), "symbols": list(symbols)}
            return self.value(dtype.value_type, path, names)
        if t.is_union(dtype):
            return self.union(dtype, path, names)
        avro = leaf_avro_type(dtype, column=where)
        if isinstance(avro, dict) and avro.get("type") == "fixed":
            return {"type": "fixed", "name": self.type_name(names), "size": avro["size"]}
        return avro

    def enum_ok(self, symbols: tuple[str, ...]) -> bool:
        if self.json:
            return True
        return all(is_valid_name(s) for s in symbols) and len(set(symbols)) == len(symbols)

    def union(self, dtype: pa.DataType, path: Path, names: tuple[str, ...]) -> list[Any]:
        where = _display(path)
        branches: list[Any] = []
        for child in dtype:
            step = sanitize_name(child.name)
            avro = self.value(child.type, (*path, child.name), (*names, step))
            for branch in avro if isinstance(avro, list) else [avro]:
                if branch not in branches:
                    branches.append(branch)
        kinds: dict[str, Any] = {}
        for branch in branches:
            kind = _union_kind(branch)
            if kind in kinds:
                raise InferenceError(
                    f"column {where!r} is a union of {kinds[kind]} and {branch}, which one Avro "
                    "union cannot hold (two branches of the same type)",
                    column=where,
                )
            kinds[kind] = branch
        if "null" in branches:
            branches.remove("null")
            branches.insert(0, "null")
        return branches


def _union_kind(branch: Any) -> str:
    """What makes two union branches clash: the type, or the name of a named type."""
    if isinstance(branch, dict):
        if branch["type"] in ("record", "enum", "fixed"):
            return f"named:{branch['name']}"
        return str(branch["type"])
    return str(branch)


def _with_null(avro: Any) -> list[Any]:
    if isinstance(avro, list):
        return avro if "null" in avro else ["null", *avro]
    return ["null", avro]


# --------------------------------------------------------------------------------------------
# Avro dict (as built above) → JSON Schema

_JSON_PRIMITIVE: dict[str, dict[str, Any]] = {
    "null": {"type": "null"},
    "boolean": {"type": "boolean"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "float": {"type": "number"},
    "double": {"type": "number"},
    "string": {"type": "string"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
}

_JSON_LOGICAL: dict[str, dict[str, Any]] = {
    "date": {"type": "string", "format": "date"},
    "time-millis": {"type": "string", "format": "time"},
    "time-micros": {"type": "string", "format": "time"},
    "timestamp-millis": {"type": "string", "format": "date-time"},
    "timestamp-micros": {"type": "string", "format": "date-time"},
    "timestamp-nanos": {"type": "string", "format": "date-time"},
    "local-timestamp-millis": {"type": "string", "format": "local-date-time"},
    "local-timestamp-micros": {"type": "string", "format": "local-date-time"},
    "local-timestamp-nanos": {"type": "string", "format": "local-date-time"},
    "uuid": {"type": "string", "format": "uuid"},
}


def _json_type(avro: Any) -> dict[str, Any]:
    if isinstance(avro, str):
        return dict(_JSON_PRIMITIVE[avro])
    if isinstance(avro, list):
        nullable = "null" in avro
        others = [_json_type(b) for b in avro if b != "null"]
        if len(others) == 1:
            return _json_nullable(others[0]) if nullable else others[0]
        if nullable:
            others.append({"type": "null"})
        return {"anyOf": others}
    assert isinstance(avro, Mapping)
    kind = avro["type"]
    logical = avro.get("logicalType")
    if logical == "decimal":
        return {
            "type": "string",
            "format": "decimal",
            "x-precision": avro["precision"],
            "x-scale": avro["scale"],
        }
    if isinstance(logical, str) and logical in _JSON_LOGICAL:
        return dict(_JSON_LOGICAL[logical])
    if kind == "record":
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in avro["fields"]:
            key = field.get(ORIGINAL_NAME, field["name"])
            properties[key] = _json_type(field["type"])
            ftype = field["type"]
            if not (ftype == "null" or (isinstance(ftype, list) and "null" in ftype)):
                required.append(key)
        out: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            out["required"] = required
        return out
    if kind == "enum":
        return {"enum": list(avro["symbols"])}
    if kind == "array":
        return {"type": "array", "items": _json_type(avro["items"])}
    if kind == "map":
        return {"type": "object", "additionalProperties": _json_type(avro["values"])}
    if kind == "fixed":
        return {"type": "string", "contentEncoding": "base64"}
    return dict(_JSON_PRIMITIVE[kind])


def _json_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {"anyOf": [schema, {"type": "null"}]}
