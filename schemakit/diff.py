"""What changed between two schemas, field by field: :func:`diff` and :class:`SchemaDiff`.

A diff describes, it does not judge: whether a change breaks readers is
:func:`schemakit.compat.check_compatibility`'s question.

Paths name fields by their names from the top-level record, dot-separated (``address.city``);
``[]`` steps into array items and ``{}`` into map values (``tags[].label``); a field whose type
is a nullable union (``["null", T]``) is followed into ``T``. JSON Schema properties are named the
same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemakit import _html
from schemakit._names import NAMED_TYPES, PRIMITIVE_TYPES, collect_named
from schemakit.schema import Schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LABELS", "FieldChange", "SchemaDiff", "diff"]

_MISSING: Any = object()
_NAMED = NAMED_TYPES


@dataclass(frozen=True)
class FieldChange:
    """One change.

    ``kind`` is one of ``"added"``, ``"removed"``, ``"renamed"``, ``"type"``, ``"default"``,
    ``"nullability"``, ``"doc"``, ``"order"``, ``"enum_symbols"``, ``"logical_type"``,
    ``"schema_type"``, and for JSON Schema ``"required"``. ``old`` and ``new`` are the values
    before and after (``None`` when absent): type descriptions for ``added``/``removed``/``type``,
    the old and the new field name for ``renamed``, JSON text for defaults (``'null'`` is a null
    default), booleans for nullability and required, lists for enum symbols, ``"decimal(p,s)"``-
    style names for logical types (JSON Schema ``format``).

    ``default`` is the default of an added or removed field as JSON text (``'null'`` for a null
    default; ``None`` when it has none): what a reader without the field fills in.

    A field of the new schema that reads an old field through an alias (one of its aliases is
    the old name, or the old field has the new name among its aliases) is one ``renamed``
    change at the new path, followed by the changes of the pair as for any kept field.
    """

    path: str
    kind: str
    old: Any
    new: Any
    default: str | None = None


#: How a kind reads in a table where the bare name would puzzle (a rename is through an alias).
LABELS: dict[str, str] = {"renamed": "renamed (alias)"}


@dataclass(frozen=True)
class SchemaDiff:
    """The changes from one schema to another, in schema order.

    ``bool(diff)`` is true when anything changed. See :func:`diff`.
    """

    changes: tuple[FieldChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __repr__(self) -> str:
        if not self.changes:
            return "SchemaDiff(no changes)"
        kinds: dict[str, int] = {}
        for change in self.changes:
            kinds[change.kind] = kinds.get(change.kind, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in kinds.items())
        count = len(self.changes)
        return f"SchemaDiff({count} change{'' if count == 1 else 's'}: {summary})"

    def to_frame(self) -> pd.DataFrame:
        """The changes as a DataFrame with columns ``path``, ``kind``, ``old``, ``new``,
        ``default``.

        ``old`` and ``new`` are strings (JSON for values that are not strings), so the frame
        has one dtype per column; ``default`` is the JSON text of an added or removed field's
        default.
        """
        import pandas as pd

        rows = [(c.path, c.kind, _cell(c.old), _cell(c.new), c.default) for c in self.changes]
        columns = ["path", "kind", "old", "new", "default"]
        return pd.DataFrame(rows, columns=columns, dtype=object)

    def _repr_html_(self) -> str:
        rows = [
            (c.path, LABELS.get(c.kind, c.kind), _cell(c.old), _cell(c.new), c.default)
            for c in self.changes
        ]
        count = len(rows)
        caption = "no changes" if not rows else f"{count} change{'' if count == 1 else 's'}"
        return _html.table(("path", "kind", "old", "new", "default"), rows, caption=caption)


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _default(node: dict[str, Any]) -> str | None:
    """A default as JSON text (``'null'`` for a null default), ``None`` when there is none."""
    if "default" not in node:
        return None
    return json.dumps(node["default"], ensure_ascii=False, sort_keys=True)


def _coerce(value: Any, schema_type: str) -> Schema:
    if isinstance(value, Schema):
        return value
    return Schema.parse(value, schema_type=schema_type)


def diff(old: Any, new: Any, *, schema_type: str | None = None) -> SchemaDiff:
    """The field-level changes from ``old`` to ``new``.

    Parameters
    ----------
    old, new : Schema or anything Schema.parse takes
        The two schemas.
    schema_type : {"AVRO", "JSON"}, optional
        How to parse arguments that are not ``Schema`` objects; default: the type of a
        ``Schema`` given, else AVRO.

    Returns
    -------
    SchemaDiff
        ``.changes``: ``FieldChange(path, kind, old, new, default)`` for added, removed,
        renamed (through an alias) and changed fields (type, default, nullability, doc, order,
        enum symbols, logical type), nested records included; an added or removed field
        carries its default. Schemas of different types give one ``schema_type`` change.

    Raises
    ------
    SchemaParseError
        A schema that does not parse.

    See Also
    --------
    check_compatibility : whether the changes break readers.

    Examples
    --------
    >>> old = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
    >>> new = {"type": "record", "name": "R", "fields": [
    ...     {"name": "a", "type": ["null", "long"], "default": None},
    ...     {"name": "b", "type": "string", "default": ""}]}
    >>> for change in diff(old, new).changes:
    ...     print(change.path, change.kind, change.old, change.new, change.default)
    a nullability False True None
    a type int long None
    a default None null None
    b added None string ""
    >>> renamed = {"type": "record", "name": "R", "fields": [
    ...     {"name": "id", "type": "int", "aliases": ["a"]}]}
    >>> diff(old, renamed).changes
    (FieldChange(path='id', kind='renamed', old='a', new='id', default=None),)
    """
    if schema_type is None:
        given = [v for v in (old, new) if isinstance(v, Schema)]
        kind: str = given[0].schema_type if given else "AVRO"
    else:
        kind = schema_type.upper()
    a, b = _coerce(old, kind), _coerce(new, kind)
    if a.schema_type != b.schema_type:
        return SchemaDiff((FieldChange("", "schema_type", a.schema_type, b.schema_type),))
    changes: list[FieldChange] = []
    if a.schema_type == "AVRO":
        _AvroDiff(a._parsed, b._parsed, changes).node(a._parsed, b._parsed, "")
    else:
        _json_diff(a.to_dict(), b.to_dict(), "", changes)
    return SchemaDiff(tuple(changes))


# --------------------------------------------------------------------------------------------
# Avro
# --------------------------------------------------------------------------------------------


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _AvroDiff:
    def __init__(self, old: Any, new: Any, changes: list[FieldChange]) -> None:
        self.old_names: dict[str, Any] = {}
        self.new_names: dict[str, Any] = {}
        collect_named(old, self.old_names)
        collect_named(new, self.new_names)
        self.changes = changes
        self.seen: set[tuple[str, str]] = set()

    @staticmethod
    def deref(node: Any, names: dict[str, Any]) -> Any:
        if isinstance(node, str) and node not in PRIMITIVE_TYPES:
            return names[node]
        return node

    def describe(self, node: Any, names: dict[str, Any], depth: int = 0) -> str:
        node = self.deref(node, names)
        if isinstance(node, list):
            if depth > 2:
                return "union"
            return "[" + ", ".join(self.describe(b, names, depth + 1) for b in node) + "]"
        if isinstance(node, str):
            return node
        kind = node["type"]
        if kind in _NAMED:
            return f"{'record' if kind == 'error' else kind} {node['name']}"
        if kind == "array":
            return f"array<{self.describe(node['items'], names, depth + 1)}>"
        if kind == "map":
            return f"map<{self.describe(node['values'], names, depth + 1)}>"
        return str(kind)

    @staticmethod
    def split_null(node: Any) -> tuple[bool, Any]:
        """``(nullable, core)``: a union with null and one other branch becomes that branch."""
        if isinstance(node, list):
            rest = [b for b in node if b != "null"]
            if len(rest) < len(node):
                return True, rest[0] if len(rest) == 1 else rest
            return False, node
        return node == "null", node

    @staticmethod
    def logical(node: Any) -> str | None:
        if isinstance(node, dict) and isinstance(node.get("logicalType"), str):
            lt = str(node["logicalType"])
            if lt == "decimal":
                return f"decimal({node.get('precision')},{node.get('scale', 0)})"
            return lt
        return None

    def node(self, old: Any, new: Any, path: str) -> None:
        old_null, old_core = self.split_null(old)
        new_null, new_core = self.split_null(new)
        if old_null != new_null:
            self.changes.append(FieldChange(path, "nullability", old_null, new_null))
        o = self.deref(old_core, self.old_names)
        n = self.deref(new_core, self.new_names)
        okind = o["type"] if isinstance(o, dict) else ("union" if isinstance(o, list) else o)
        nkind = n["type"] if isinstance(n, dict) else ("union" if isinstance(n, list) else n)
        okind = "record" if okind == "error" else okind
        nkind = "record" if nkind == "error" else nkind
        if okind != nkind:
            self.type_change(path, old_core, new_core)
            return
        if okind == "record":
            if o["name"] != n["name"]:
                self.type_change(path, old_core, new_core)
            key = (o["name"], n["name"])
            if key in self.seen:
                return
            self.seen.add(key)
            self.fields(o["fields"], n["fields"], path)
        elif okind == "enum":
            if o["name"] != n["name"]:
                self.type_change(path, old_core, new_core)
            if list(o["symbols"]) != list(n["symbols"]):
                self.changes.append(
                    FieldChange(path, "enum_symbols", list(o["symbols"]), list(n["symbols"]))
                )
        elif okind == "array":
            self.node(o["items"], n["items"], path + "[]")
        elif okind == "map":
            self.node(o["values"], n["values"], path + "{}")
        elif okind == "union":
            od, nd = self.describe(o, self.old_names), self.describe(n, self.new_names)
            if od != nd:
                self.changes.append(FieldChange(path, "type", od, nd))
        elif okind == "fixed" and (o["name"], o["size"]) != (n["name"], n["size"]):
            self.changes.append(
                FieldChange(
                    path,
                    "type",
                    f"fixed {o['name']} (size {o['size']})",
                    f"fixed {n['name']} (size {n['size']})",
                )
            )
        ol, nl = self.logical(o), self.logical(n)
        if ol != nl:
            self.changes.append(FieldChange(path, "logical_type", ol, nl))

    def type_change(self, path: str, old: Any, new: Any) -> None:
        self.changes.append(
            FieldChange(
                path,
                "type",
                self.describe(old, self.old_names),
                self.describe(new, self.new_names),
            )
        )
        ol = self.logical(self.deref(old, self.old_names))
        nl = self.logical(self.deref(new, self.new_names))
        if ol != nl:
            self.changes.append(FieldChange(path, "logical_type", ol, nl))

    def fields(self, old: list[dict[str, Any]], new: list[dict[str, Any]], path: str) -> None:
        old_by_name = {f["name"]: f for f in old}
        new_names = {f["name"] for f in new}
        renames = _renames(old, new)
        renamed_from = set(renames.values())
        for f in old:
            if f["name"] not in new_names and f["name"] not in renamed_from:
                self.changes.append(
                    FieldChange(
                        _join(path, f["name"]),
                        "removed",
                        self.describe(f["type"], self.old_names),
                        None,
                        _default(f),
                    )
                )
        for f in new:
            where = _join(path, f["name"])
            if f["name"] in renames:
                before = old_by_name[renames[f["name"]]]
                self.changes.append(FieldChange(where, "renamed", before["name"], f["name"]))
            elif f["name"] not in old_by_name:
                added = self.describe(f["type"], self.new_names)
                self.changes.append(FieldChange(where, "added", None, added, _default(f)))
                continue
            else:
                before = old_by_name[f["name"]]
            self.node(before["type"], f["type"], where)
            if before.get("default", _MISSING) != f.get("default", _MISSING) or (
                ("default" in before) != ("default" in f)
            ):
                self.changes.append(FieldChange(where, "default", _default(before), _default(f)))
            if before.get("doc") != f.get("doc"):
                self.changes.append(FieldChange(where, "doc", before.get("doc"), f.get("doc")))
            old_order = str(before.get("order", "ascending")).lower()
            new_order = str(f.get("order", "ascending")).lower()
            if old_order != new_order:
                self.changes.append(FieldChange(where, "order", old_order, new_order))


def _renames(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, str]:
    """New field name → the old field it renames through an alias, one to one.

    Only fields gone by name pair up: a new field whose aliases name an old field the new
    schema no longer has (a reader reads it by that alias, Avro's resolution), else an old
    field whose aliases name the new one (the old reader reads the new field so).
    """
    old_names = [f["name"] for f in old]
    new_names = {f["name"] for f in new}
    gone = [n for n in old_names if n not in new_names]
    fresh = [f for f in new if f["name"] not in set(old_names)]
    aliases_of_old = {f["name"]: list(f.get("aliases") or ()) for f in old}
    pairs: dict[str, str] = {}
    for f in fresh:
        taken = set(pairs.values())
        match = next(
            (a for a in f.get("aliases") or () if a in gone and a not in taken), None
        ) or next((n for n in gone if n not in taken and f["name"] in aliases_of_old[n]), None)
        if match is not None:
            pairs[f["name"]] = match
    return pairs


# --------------------------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------------------------


def _json_type(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    t = schema.get("type")
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        return rest[0] if len(rest) == 1 else rest
    return t


def _json_nullable(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    t = schema.get("type")
    return t == "null" or (isinstance(t, list) and "null" in t)


def _json_diff(old: Any, new: Any, path: str, changes: list[FieldChange]) -> None:
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old != new:
            changes.append(FieldChange(path, "type", _cell(old), _cell(new)))
        return
    if _json_nullable(old) != _json_nullable(new):
        changes.append(FieldChange(path, "nullability", _json_nullable(old), _json_nullable(new)))
    if _json_type(old) != _json_type(new):
        changes.append(FieldChange(path, "type", _json_type(old), _json_type(new)))
    if old.get("default", _MISSING) != new.get("default", _MISSING):
        changes.append(FieldChange(path, "default", _default(old), _default(new)))
    for key, kind in (("description", "doc"), ("enum", "enum_symbols")):
        if old.get(key, _MISSING) != new.get(key, _MISSING):
            changes.append(FieldChange(path, kind, old.get(key), new.get(key)))
    if old.get("format") != new.get("format"):
        changes.append(FieldChange(path, "logical_type", old.get("format"), new.get("format")))
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        _json_diff(old["items"], new["items"], path + "[]", changes)
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    old_req, new_req = set(old.get("required", ())), set(new.get("required", ()))
    for name, schema in old_props.items():
        if name not in new_props:
            default = _default(schema) if isinstance(schema, dict) else None
            where = _join(path, name)
            changes.append(FieldChange(where, "removed", _json_type(schema), None, default))
    for name, schema in new_props.items():
        where = _join(path, name)
        if name not in old_props:
            default = _default(schema) if isinstance(schema, dict) else None
            changes.append(FieldChange(where, "added", None, _json_type(schema), default))
            continue
        if (name in old_req) != (name in new_req):
            changes.append(FieldChange(where, "required", name in old_req, name in new_req))
        _json_diff(old_props[name], schema, where, changes)
