"""The widgets' view model in plain Python: what the explorer shows, without ipywidgets.

Everything here is computed from a :class:`SubjectData` snapshot read from the registry once per
subject selection (:func:`load_subject`); picking versions, paging the timeline and rendering
never read the registry again. Checking a candidate (:func:`check_candidate`) is its own read,
made when the user asks for it.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from schemakit._arrow_types import ORIGINAL_NAME
from schemakit._names import NAMED_TYPES, collect_named
from schemakit._typing import CompatibilityLevel, allowed
from schemakit.compat import CompatibilityResult, check_compatibility
from schemakit.diff import LABELS, diff
from schemakit.errors import SchemakitError, SchemaParseError
from schemakit.schema import Schema

if TYPE_CHECKING:
    import pyarrow as pa

    from schemakit.registry import Registry

__all__ = [
    "KINDS",
    "LEVELS",
    "CandidateResult",
    "DiffRow",
    "LevelVerdict",
    "Preview",
    "SubjectData",
    "VersionInfo",
    "check_candidate",
    "diff_rows",
    "level_verdicts",
    "load_subject",
    "make_preview",
    "sample_rows",
    "shape",
]

#: The seven Confluent levels, in the order the levels table shows them.
LEVELS: tuple[str, ...] = allowed(CompatibilityLevel)

#: diff kinds (schemakit.diff) → the ``data-kind`` the widgets write.
KINDS: Mapping[str, str] = {
    "added": "added",
    "removed": "removed",
    "renamed": "renamed",
    "type": "type",
    "default": "default",
    "nullability": "nullability",
    "doc": "doc",
    "order": "order",
    "enum_symbols": "symbols",
    "logical_type": "logical",
    "schema_type": "type",
    "required": "required",
}

_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


# --------------------------------------------------------------------------------------------
# The snapshot of one subject
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionInfo:
    """One version of the subject as the timeline shows it.

    ``compatible`` is whether it passes the subject's level against the live versions before
    it (``None`` for the first), as :meth:`Registry.history` computes it.
    """

    version: int
    id: int
    registered_at: dt.datetime | None
    fields: int
    compatible: bool | None
    deleted: bool
    schema: Schema

    @property
    def shape(self) -> str:
        """What the timeline's "fields" cell shows: the field count of a record (or a JSON
        object schema), else the schema's type (``string``, ``array<long>``, ``enum E, 2
        symbols``): a schema that is not a record has no fields to count."""
        return shape(self.schema, self.fields)


def shape(schema: Schema, fields: int) -> str:
    """``str(fields)`` for a record or an object schema, else the schema's type."""
    document = schema.to_dict()
    if schema.schema_type == "AVRO":
        is_record = isinstance(document, dict) and document.get("type") in ("record", "error")
    else:
        is_record = isinstance(document, dict) and (
            document.get("type") == "object" or "properties" in document
        )
    if is_record:
        return str(fields)
    # the summary Schema's repr gives, without the schema type in front
    return schema._summary().removeprefix(schema.schema_type).strip()


@dataclass
class SubjectData:
    """Everything the explorer shows about one subject, read once (see :func:`load_subject`)."""

    subject: str
    level: str
    versions: tuple[VersionInfo, ...]
    _badges: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def get(self, version: int) -> VersionInfo:
        """The version ``version``; ``KeyError`` naming it when the subject has no such one."""
        for info in self.versions:
            if info.version == version:
                return info
        raise KeyError(f"subject {self.subject!r} has no version {version}")

    @property
    def live(self) -> tuple[VersionInfo, ...]:
        """The versions not soft-deleted, oldest first."""
        return tuple(v for v in self.versions if not v.deleted)

    def default_pair(self) -> tuple[int, int]:
        """The versions picked at first: the two newest live ones (or the only one)."""
        pool = self.live or self.versions
        if len(pool) == 1:
            return pool[0].version, pool[0].version
        return pool[-2].version, pool[-1].version

    def badge_messages(self, version: int) -> tuple[str, ...]:
        """Why ``version`` is not compatible with the live versions before it (cached)."""
        if version in self._badges:
            return self._badges[version]
        info = self.get(version)
        messages: tuple[str, ...] = ()
        if info.compatible is False:
            earlier = [v for v in self.versions if v.version < version and not v.deleted]
            previous = [v.schema for v in earlier]
            if any(p.schema_type != info.schema.schema_type for p in previous):
                messages = ("the schema type differs from the type of earlier versions",)
            else:
                numbers = [v.version for v in earlier]
                result = check_compatibility(info.schema, previous, self.level, versions=numbers)
                messages = result.messages
        self._badges[version] = messages
        return messages

    def page_count(self, page_size: int) -> int:
        """How many timeline pages of ``page_size`` versions there are (at least 1)."""
        return max(1, -(-len(self.versions) // page_size))

    def page(self, number: int, page_size: int) -> tuple[VersionInfo, ...]:
        """Timeline page ``number``: page 0 holds the newest versions, newest first."""
        newest_first = self.versions[::-1]
        start = number * page_size
        return newest_first[start : start + page_size]


def load_subject(registry: Registry, subject: str) -> SubjectData:
    """Read one subject from ``registry``: its level, its history and its schemas.

    Three reads whatever the number of versions: ``compatibility(subject)``,
    ``history(subject)`` (versions with ids, times, field counts, the badge verdicts) and
    ``get_by_id`` for each id, which the registry answers from the cache ``history`` filled.

    Raises
    ------
    SubjectNotFoundError
        The subject has no version at all.
    """
    level = registry.compatibility(subject)
    frame = registry.history(subject)
    versions: list[VersionInfo] = []
    for row in frame.to_dict("records"):
        stamp: Any = row["registered_at"]
        compatible: Any = row["compatible_with_previous"]
        schema_id = int(row["id"])
        versions.append(
            VersionInfo(
                version=int(row["version"]),
                id=schema_id,
                registered_at=None if _is_na(stamp) else stamp.to_pydatetime(),
                fields=int(row["fields"]),
                compatible=None if _is_na(compatible) else bool(compatible),
                deleted=bool(row["deleted"]),
                schema=registry.get_by_id(schema_id),
            )
        )
    return SubjectData(subject, level, tuple(versions))


def _is_na(value: object) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or value is pd.NaT


# --------------------------------------------------------------------------------------------
# The diff A → B
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One change from A to B and whether it alone breaks BACKWARD or FORWARD.

    ``pointer`` is the field path as ``data-path`` writes it: ``/fields/`` and the names from
    the top-level record joined by ``/`` (``/fields/customer/tier``; ``[]`` steps into array
    items, ``{}`` into map values); ``/`` is the schema itself. ``default`` is the default of an
    added or removed field as JSON text (:class:`schemakit.diff.FieldChange`).
    """

    path: str
    pointer: str
    kind: str
    old: Any
    new: Any
    breaks_backward: bool
    breaks_forward: bool
    default: str | None = None

    @property
    def label(self) -> str:
        """The kind as the table reads it (``renamed (alias)``)."""
        return LABELS.get(self.kind, self.kind)

    @property
    def old_text(self) -> Any:
        """The A cell: ``old``, and the default of a removed field (``int (default 0)``)."""
        return self._with_default(self.old, "removed")

    @property
    def new_text(self) -> Any:
        """The B cell: ``new``, and the default of an added field (``string (default "")``)."""
        return self._with_default(self.new, "added")

    def _with_default(self, value: Any, kind: str) -> Any:
        if self.kind != kind or self.default is None:
            return value
        return f"{value} (default {self.default})"


def pointer(path: str) -> str:
    """The ``data-path`` of a :mod:`schemakit.diff` path."""
    return "/fields/" + path.replace(".", "/") if path else "/"


def diff_rows(a: Schema, b: Schema) -> list[DiffRow]:
    """Every change from ``a`` to ``b`` (:func:`schemakit.diff`), each with its own verdict.

    A change's verdict is that of ``a`` with only that field changed as in ``b`` (the whole
    field: its type, default, doc and order together), checked as the new schema against
    ``a`` under BACKWARD (it reads data written with ``a``) and FORWARD (``a`` reads its data).
    Record resolution goes field by field, so the check runs on the records along the field's
    path holding that field only (the whole of ``a`` when that small schema refers to a named
    type defined elsewhere). Where the field cannot be changed alone (a root change, a JSON
    schema), the verdict of the whole pair ``a`` → ``b`` is used. A field renamed through an
    alias changes whole: ``a``'s field of the old name is replaced by ``b``'s, for the
    ``renamed`` row and every change of the pair at its path.
    """
    changes = diff(a, b).changes
    renamed_from = {c.path: str(c.old) for c in changes if c.kind == "renamed"}
    whole: dict[str, bool] = {}

    def whole_breaks(direction: str) -> bool:
        if direction not in whole:
            whole[direction] = not check_compatibility(b, a, direction)
        return whole[direction]

    isolator = _Isolator(a, b)
    isolated: dict[str, tuple[bool, bool] | None] = {}
    rows: list[DiffRow] = []
    for change in changes:
        if change.path not in isolated:
            isolated[change.path] = isolator.breaks(change.path, renamed_from.get(change.path))
        found = isolated[change.path]
        if found is None:
            found = (whole_breaks("BACKWARD"), whole_breaks("FORWARD"))
        rows.append(
            DiffRow(
                path=change.path,
                pointer=pointer(change.path),
                kind=KINDS.get(change.kind, change.kind),
                old=change.old,
                new=change.new,
                breaks_backward=found[0],
                breaks_forward=found[1],
                default=change.default,
            )
        )
    return rows


def _steps(path: str) -> list[tuple[str, str]] | None:
    """``"a[].b"`` → ``[("a", "[]"), ("b", "")]``; ``None`` for a path that does not start
    with a field name."""
    steps: list[tuple[str, str]] = []
    for segment in path.split("."):
        cut = len(segment)
        for i, ch in enumerate(segment):
            if ch in "[{":
                cut = i
                break
        name, containers = segment[:cut], segment[cut:]
        if not name:
            return None
        steps.append((name, containers))
    return steps


def _strip_null(node: Any) -> Any:
    if isinstance(node, list):
        rest = [branch for branch in node if branch != "null"]
        if len(rest) == 1 and len(rest) < len(node):
            return rest[0]
    return node


def _inner_record(node: Any, containers: str) -> dict[str, Any] | None:
    """The record reached from a field type through its nullable union and ``[]``/``{}``."""
    node = _strip_null(node)
    for i in range(0, len(containers), 2):
        if not isinstance(node, dict):
            return None
        key = "items" if containers[i] == "[" else "values"
        if node.get("type") not in ("array", "map") or key not in node:
            return None
        node = _strip_null(node[key])
    if isinstance(node, dict) and node.get("type") in ("record", "error"):
        return node
    return None


def _renamed_steps(steps: list[tuple[str, str]], old: str | None) -> list[tuple[str, str]]:
    """``steps`` with the last field named ``old`` (A's name of a field B renamed)."""
    if old is None:
        return steps
    return [*steps[:-1], (old, steps[-1][1])]


def _apply(
    record_a: dict[str, Any],
    record_b: dict[str, Any],
    steps: list[tuple[str, str]],
    steps_a: list[tuple[str, str]] | None = None,
) -> None:
    """Change ``record_a`` in place as ``record_b`` changes the field at ``steps``
    (``steps_a`` in A when B renamed it)."""
    steps_a = steps if steps_a is None else steps_a
    name, containers = steps[0]
    fields_a: list[dict[str, Any]] = record_a["fields"]
    fields_b: list[dict[str, Any]] = record_b["fields"]
    index_a = next((i for i, f in enumerate(fields_a) if f.get("name") == steps_a[0][0]), None)
    index_b = next((i for i, f in enumerate(fields_b) if f.get("name") == name), None)
    if len(steps) > 1 and index_a is not None and index_b is not None:
        inner_a = _inner_record(fields_a[index_a]["type"], containers)
        inner_b = _inner_record(fields_b[index_b]["type"], containers)
        if inner_a is not None and inner_b is not None:
            _apply(inner_a, inner_b, steps[1:], steps_a[1:])
            return
    if index_b is None:
        if index_a is not None:
            del fields_a[index_a]
    elif index_a is None:
        fields_a.insert(min(index_b, len(fields_a)), copy.deepcopy(fields_b[index_b]))
    else:
        fields_a[index_a] = copy.deepcopy(fields_b[index_b])


#: Changes judged against the whole schema A (a copy of it with one field changed) when the small
#: schema of the field's path alone does not parse (it refers to a named type defined elsewhere).
#: Each costs a copy and a parse of A, so a wide schema is bounded; beyond, the pair's verdict.
_FULL_COPIES = 20


class _Isolator:
    """Judges one field change alone, on small schemas: the records along the field's path with
    only that field (A's, and B's in its place), so a schema of thousands of fields costs a
    scan per change, not a copy and a parse."""

    def __init__(self, a: Schema, b: Schema) -> None:
        self.a = a
        self.usable = a.schema_type == b.schema_type == "AVRO"
        self.doc_a: Any = a.to_dict() if self.usable else None
        self.doc_b: Any = b.to_dict() if self.usable else None
        self.usable = self.usable and all(
            isinstance(d, dict) and d.get("type") in ("record", "error")
            for d in (self.doc_a, self.doc_b)
        )
        self.by_name: dict[int, dict[str, dict[str, Any]]] = {}
        self.full_copies = _FULL_COPIES

    def field(self, record: dict[str, Any], name: str) -> dict[str, Any] | None:
        index = self.by_name.get(id(record))
        if index is None:
            index = {f.get("name"): f for f in record["fields"]}
            self.by_name[id(record)] = index
        return index.get(name)

    def prune(self, record: dict[str, Any], steps: list[tuple[str, str]]) -> dict[str, Any]:
        """A copy of ``record`` with only the field at ``steps`` (nested records pruned too)."""
        out = {k: v for k, v in record.items() if k != "fields"}
        name, containers = steps[0]
        found = self.field(record, name)
        if found is None:
            out["fields"] = []
        elif len(steps) == 1:
            out["fields"] = [found]
        else:
            out["fields"] = [{**found, "type": self.rebuild(found["type"], containers, steps[1:])}]
        return out

    def rebuild(self, node: Any, containers: str, rest: list[tuple[str, str]]) -> Any:
        """``node`` (a field type) with the record it leads to pruned to ``rest``, wrappers kept;
        ``node`` itself when it leads to no inline record (then the field changes whole)."""
        if isinstance(node, list):
            core = _strip_null(node)
            if core is node:
                return node
            return [self.rebuild(b, containers, rest) if b is core else b for b in node]
        if containers:
            key = "items" if containers[0] == "[" else "values"
            if not isinstance(node, dict) or node.get("type") not in ("array", "map"):
                return node
            if key not in node:
                return node
            return {**node, key: self.rebuild(node[key], containers[2:], rest)}
        if isinstance(node, dict) and node.get("type") in ("record", "error"):
            return self.prune(node, rest)
        return node

    def breaks(self, path: str, renamed_from: str | None = None) -> tuple[bool, bool] | None:
        """(breaks BACKWARD, breaks FORWARD) of the change at ``path`` alone (B's field
        replacing A's ``renamed_from`` when B renamed it); ``None`` when it cannot be judged
        alone."""
        steps = _steps(path) if path else None
        if steps is None or not self.usable:
            return None
        steps_a = _renamed_steps(steps, renamed_from)
        small_a = self.prune(self.doc_a, steps_a)
        small_b = self.prune(self.doc_b, steps)
        changed = copy.deepcopy(small_a)
        _apply(changed, small_b, steps, steps_a)
        try:
            before, after = Schema.parse(small_a), Schema.parse(changed)
        except SchemaParseError:
            if self.full_copies <= 0:
                return None
            self.full_copies -= 1
            whole = copy.deepcopy(self.doc_a)
            _apply(whole, self.doc_b, steps, steps_a)
            try:
                before, after = self.a, Schema.parse(whole)
            except SchemaParseError:
                return None
        return (
            not check_compatibility(after, before, "BACKWARD"),
            not check_compatibility(after, before, "FORWARD"),
        )


# --------------------------------------------------------------------------------------------
# The seven levels
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelVerdict:
    """A → B under one level: the verdict, every break and every warning."""

    level: str
    compatible: bool
    messages: tuple[str, ...]
    warnings: tuple[str, ...]


def level_verdicts(data: SubjectData, a: int, b: int) -> list[LevelVerdict]:
    """B checked as a new version on top of A under each of the seven levels.

    Non-transitive levels check B against A. Transitive levels check B against A and every
    live version older than A (the history B would meet if the subject ended at A), B itself
    left out. Their messages name the versions a break was found against, one line for a break
    repeated across them.
    """
    info_a, info_b = data.get(a), data.get(b)
    earlier = [v for v in data.versions if v.version < a and not v.deleted and v.version != b]
    history = [*earlier, info_a]
    verdicts: list[LevelVerdict] = []
    for level in LEVELS:
        chosen = history if level.endswith("_TRANSITIVE") else [info_a]
        previous, numbers = [v.schema for v in chosen], [v.version for v in chosen]
        result = check_compatibility(info_b.schema, previous, level, versions=numbers)
        verdicts.append(LevelVerdict(level, result.is_compatible, result.messages, result.warnings))
    return verdicts


# --------------------------------------------------------------------------------------------
# A candidate schema
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateResult:
    """What registering the candidate would meet: ``status`` is ``"true"`` (compatible),
    ``"false"`` (incompatible) or ``"error"`` (it does not parse, or the check failed)."""

    status: Literal["true", "false", "error"]
    level: str
    messages: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    path: str | None = None


def check_candidate(
    registry: Registry, subject: str, text: str, *, level: str, schema_type: str = "AVRO"
) -> CandidateResult:
    """Check the pasted ``text`` against ``subject`` as registering it would, without
    registering (:meth:`Registry.check`); parse errors come back with their path."""
    if not text.strip():
        return CandidateResult("error", level, ("paste a schema (Avro JSON) first",))
    try:
        schema = Schema.parse(text, schema_type=schema_type)
    except SchemaParseError as exc:
        where = exc.path
        note = f" (at {where or '/'})" if where is not None and where not in str(exc) else ""
        return CandidateResult("error", level, (f"{exc}{note}",), path=where)
    try:
        result: CompatibilityResult = registry.check(subject, schema)
    except SchemakitError as exc:
        return CandidateResult("error", level, (str(exc),))
    status: Literal["true", "false"] = "true" if result.is_compatible else "false"
    return CandidateResult(status, result.level, result.messages, result.warnings)


# --------------------------------------------------------------------------------------------
# The preview: rows written with A, read with B
# --------------------------------------------------------------------------------------------


def sample_rows(schema: Schema, n: int = 5) -> list[Any]:
    """``n`` deterministic sample values of ``schema`` (dicts for a record).

    Types, logical types, enums, fixed sizes and nested types are respected; a nullable field
    is null in every third row, so the preview shows nulls too. Records are keyed as the data
    spells its columns, as :func:`schemakit.encode` reads them and :func:`schemakit.decode`
    gives them back: by ``schemakit.original_name`` where a field has one.
    """
    if schema.schema_type != "AVRO":
        raise ValueError("sample rows are generated for Avro schemas only")
    names: dict[str, dict[str, object]] = {}
    parsed = schema._parsed
    collect_named(parsed, names)
    return [_value(parsed, names, i, "value", 0) for i in range(n)]


def _value(node: Any, names: Mapping[str, Any], i: int, label: str, depth: int) -> Any:
    if isinstance(node, str) and node in names:
        node = names[node]
    if isinstance(node, list):
        if "null" in node and i % 3 == 2:
            return None
        rest = [b for b in node if b != "null"]
        return None if not rest else _value(rest[0], names, i, label, depth)
    if isinstance(node, str):
        return _primitive(node, None, i, label)
    kind = node["type"]
    if isinstance(kind, dict | list):
        return _value(kind, names, i, label, depth)
    if kind in ("record", "error"):
        if depth > 4:
            return None
        return {
            f.get(ORIGINAL_NAME, f["name"]): _value(f["type"], names, i, f["name"], depth + 1)
            for f in node["fields"]
        }
    if kind == "enum":
        symbols = node["symbols"]
        return symbols[i % len(symbols)]
    if kind == "array":
        return [_value(node["items"], names, i + k, label, depth + 1) for k in range(i % 3)]
    if kind == "map":
        return {f"k{k}": _value(node["values"], names, i + k, label, depth + 1) for k in range(2)}
    if kind == "fixed":
        if node.get("logicalType") == "decimal":
            return _decimal(node, i)
        size = int(node["size"])
        return bytes((i + k) % 256 for k in range(size))
    if kind in NAMED_TYPES:  # pragma: no cover - every named kind is handled above
        return None
    return _primitive(str(kind), node, i, label)


def _decimal(node: Mapping[str, Any], i: int) -> decimal.Decimal:
    precision = int(node.get("precision", 1))
    scale = int(node.get("scale", 0))
    digits = min(precision, 6)
    unscaled = (i * 1237 + 42) % (10**digits)
    return decimal.Decimal(unscaled).scaleb(-scale)


def _primitive(kind: str, node: Mapping[str, Any] | None, i: int, label: str) -> Any:
    logical = None if node is None else node.get("logicalType")
    if kind == "null":
        return None
    if kind == "boolean":
        return i % 2 == 0
    if kind == "int":
        if logical == "date":
            return (_EPOCH + dt.timedelta(days=i)).date()
        if logical == "time-millis":
            return dt.time(9, i % 60, 0)
        return i + 1
    if kind == "long":
        moment = _EPOCH + dt.timedelta(days=i, hours=i)
        if logical in ("timestamp-millis", "timestamp-micros", "timestamp-nanos"):
            return moment
        if logical in ("local-timestamp-millis", "local-timestamp-micros", "local-timestamp-nanos"):
            return moment.replace(tzinfo=None)
        if logical == "time-micros":
            return dt.time(9, i % 60, 0, 250)
        return (i + 1) * 1000
    if kind in ("float", "double"):
        return i + 0.5
    if kind == "bytes":
        if logical == "decimal" and node is not None:
            return _decimal(node, i)
        return f"{label}-{i}".encode()
    if kind == "string":
        if logical == "uuid":
            return str(uuid.UUID(int=i + 1))
        return f"{label}-{i + 1}"
    return None


@dataclass(frozen=True)
class Preview:
    """Rows written with version A, as a reader with version B sees them.

    ``columns`` are B's fields, then the ones only A has (``dropped``); ``filled`` are B's
    fields A did not write (filled from B's defaults); ``renamed`` pairs a B field with the A
    field it reads through one of its aliases (neither filled nor dropped). ``error`` explains
    why there are no rows (B cannot read A, a value that does not fit A, a JSON subject).
    """

    writer: int
    reader: int
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    filled: tuple[str, ...]
    dropped: tuple[str, ...]
    error: str | None = None
    renamed: tuple[tuple[str, str], ...] = ()


def _renamed(reader: Schema, writer_fields: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``(B field, A field)`` for each top-level B field that reads A's field by an alias."""
    document = reader.to_dict()
    if not isinstance(document, dict) or document.get("type") != "record":
        return ()
    pairs = []
    for entry in document.get("fields", []):
        if entry["name"] in writer_fields:
            continue
        match = next((a for a in entry.get("aliases", []) if a in writer_fields), None)
        if match is not None:
            pairs.append((entry["name"], match))
    return tuple(pairs)


def _arrow_table(values: Sequence[Mapping[str, Any]], schema: Schema) -> pa.Table:
    """The sample rows as an Arrow table of the type ``schema`` decodes to, unions included:
    columns and struct fields named as the data spells them (``schemakit.original_name``)."""
    import pyarrow as pa

    from schemakit.codec._reader import _arrow_root

    names: dict[str, Any] = {}
    collect_named(schema._parsed, names)
    root, is_record = _arrow_root(schema, names)
    target = pa.schema(list(root) if is_record else [pa.field("value", root)])
    arrays: list[pa.Array] = []
    for arrow_field in target:
        column = [row.get(arrow_field.name) for row in values]
        arrays.append(_arrow_column(column, arrow_field.type))
    return pa.Table.from_arrays(arrays, schema=target)


def _data_columns(schema: Schema) -> dict[str, str]:
    """Top-level field name → the column the data spells it (``schemakit.original_name``)."""
    document = schema.to_dict()
    if not isinstance(document, dict) or document.get("type") not in ("record", "error"):
        return {}
    return {f["name"]: str(f.get(ORIGINAL_NAME, f["name"])) for f in document["fields"]}


def _arrow_column(column: list[Any], dtype: pa.DataType) -> pa.Array:
    import pyarrow as pa

    if pa.types.is_union(dtype):
        # one branch per value: the first branch that takes it (the samples use the first
        # non-null branch, or null)
        null_code = next(
            (i for i in range(dtype.num_fields) if pa.types.is_null(dtype.field(i).type)), None
        )
        other = next(
            i for i in range(dtype.num_fields) if not pa.types.is_null(dtype.field(i).type)
        )
        codes = [null_code if v is None and null_code is not None else other for v in column]
        children = []
        offsets = []
        counts = [0] * dtype.num_fields
        per_child: list[list[Any]] = [[] for _ in range(dtype.num_fields)]
        for value, code in zip(column, codes, strict=True):
            offsets.append(counts[code])
            counts[code] += 1
            per_child[code].append(value)
        for k in range(dtype.num_fields):
            children.append(_arrow_column(per_child[k], dtype.field(k).type))
        return pa.UnionArray.from_dense(
            pa.array(codes, type=pa.int8()),
            pa.array(offsets, type=pa.int32()),
            children,
            [dtype.field(k).name for k in range(dtype.num_fields)],
            list(dtype.type_codes),
        )
    return pa.array(column, type=dtype)


def _columns(schema: Schema) -> list[str]:
    """The columns a schema decodes into: its fields, or ``value`` for a non-record."""
    if schema.fields:
        return list(schema.fields)
    try:
        return [f.name for f in schema.to_arrow()]
    except (SchemakitError, ValueError, TypeError):
        return ["value"]


def scratch_registry() -> Registry:
    """The private in-memory registry the preview encodes through (level NONE)."""
    from schemakit.registry import Registry

    scratch = Registry(":memory:")
    scratch.set_compatibility("NONE")
    return scratch


def _round_trip(
    data: Any, writer: Schema, reader: Schema, scratch: Registry
) -> list[dict[str, Any]]:
    from schemakit.serde import decode, encode

    records = encode(data, "preview", registry=scratch, schema=writer, progress=False)
    table: pa.Table = decode(records, scratch, reader_schema=reader, output="arrow", progress=False)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def make_preview(
    a: VersionInfo,
    b: VersionInfo,
    *,
    sample: Any = None,
    rows: int = 5,
    scratch: Registry | None = None,
) -> Preview:
    """Encode sample rows with A (given ``sample`` or :func:`sample_rows`) and decode them
    with B as the reader schema.

    The public path, :func:`schemakit.encode` then :func:`schemakit.decode`, runs against a
    private in-memory registry (``scratch``, level NONE; a new one for the call when not
    given): nothing is read from or written to the subject's registry, and soft-deleted
    versions preview like the others.
    """
    import pandas as pd

    fields_a = _columns(a.schema)
    fields_b = _columns(b.schema)
    renamed = _renamed(b.schema, fields_a)
    read_by_alias = {old for _, old in renamed}
    renamed_to = {new for new, _ in renamed}
    dropped = tuple(f for f in fields_a if f not in fields_b and f not in read_by_alias)
    filled = tuple(f for f in fields_b if f not in fields_a and f not in renamed_to)
    columns = (*fields_b, *dropped)

    def failed(message: str) -> Preview:
        return Preview(a.version, b.version, columns, (), filled, dropped, message, renamed)

    if a.schema.schema_type != "AVRO" or b.schema.schema_type != "AVRO":
        return failed("the preview is for Avro subjects")
    try:
        if sample is None:
            values = sample_rows(a.schema, rows)
            if fields_a == ["value"] and not a.schema.fields:
                values = [{"value": v} for v in values]
            data: Any = _arrow_table(values, a.schema)
        elif isinstance(sample, pd.DataFrame):
            data = sample.head(rows)
        else:
            data = _arrow_table(list(sample)[:rows], a.schema)
        written = data.to_dict("records") if isinstance(data, pd.DataFrame) else data.to_pylist()
        if scratch is None:
            with scratch_registry() as own:
                read = _round_trip(data, a.schema, b.schema, own)
        else:
            read = _round_trip(data, a.schema, b.schema, scratch)
    except (
        SchemakitError,
        ValueError,
        TypeError,
        KeyError,
        ArithmeticError,
        NotImplementedError,  # pyarrow's ArrowNotImplementedError among them
    ) as exc:
        return failed(f"{type(exc).__name__}: {exc}")
    # decode names columns as the data spells them, and A's rows were written so
    read_as, written_as = _data_columns(b.schema), _data_columns(a.schema)
    table = tuple(
        tuple(r.get(read_as.get(c, c)) for c in fields_b)
        + tuple(w.get(written_as.get(c, c)) for c in dropped)
        for r, w in zip(read, written, strict=True)
    )
    return Preview(a.version, b.version, columns, table, filled, dropped, renamed=renamed)
