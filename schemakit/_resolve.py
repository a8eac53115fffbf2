"""Avro schema resolution: reader × writer → a read plan, or every break found.

This is the one implementation of the Avro specification's "Schema Resolution" section in
schemakit: the compatibility checker (:mod:`schemakit.compat`) asks it for a verdict and the
decoder walks the read plan it returns, so the rules that say "compatible" are the rules that
read old data with a new schema.

Where the specification is silent the verdict follows Apache Avro's Java
``SchemaCompatibility``, which is what the Confluent Schema Registry runs:

- Primitive promotions: int → long, float, double; long → float, double; float → double;
  string ↔ bytes.
- Records, enums and fixed match when their *unqualified* names are equal, or when a reader
  alias's unqualified part equals the writer's unqualified name.
- Record fields match by name or by a reader field alias. A reader field that matches several
  writer fields is a break (Java throws; Confluent reports it as incompatible). A reader field
  absent from the writer needs a default; writer fields absent from the reader are skipped.
- Enums: writer symbols missing from the reader are a break unless the reader enum has a default.
- Fixed: name and size.
- Arrays and maps: items and values recursively.
- Unions: every writer branch must be readable (against the reader union, some branch must
  read it; against a non-union reader, the reader must read it). A non-union writer must be
  readable by some reader branch. The plan picks, as Java's resolver does, the first reader
  branch of the same kind (same primitive, same unqualified name) that reads the writer, else the
  first branch that reads it. When no branch reads it but one of the same kind exists (a record
  of the same name whose field changed), that branch's own breaks are reported, since they say
  why; otherwise the break is "missing union branch".
- Named-type recursion terminates: a reader × writer pair of named types already being resolved
  is assumed to resolve (as Java's memo does) and the plan refers to it by a :class:`NamedRef`.

Logical types resolve on their underlying types (Java, hence Confluent, ignores them), so they
never break the verdict; a change of meaning (a logical type added, dropped or changed, a
timestamp unit change, a decimal precision or scale change) is reported in
:attr:`Resolution.warnings`.

Paths are JSON pointers into the *reader* schema document (``/fields/3/type``, ``/items``,
``/1`` for a union branch); the root is printed ``/``. A message names the reader field by its
names as well, before the pointer: ``address.zip (/fields/3/type/fields/7/type): reader type …``
(dot-separated from the top-level record, ``[]`` into array items, ``{}`` into map values, as
:mod:`schemakit.diff` names fields); a break outside any field has the pointer alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from schemakit._names import NAMED_TYPES, PRIMITIVE_TYPES, collect_named

if TYPE_CHECKING:
    from schemakit.schema import Schema

__all__ = [
    "ArrayPlan",
    "Break",
    "EnumPlan",
    "FieldPlan",
    "FixedPlan",
    "MapPlan",
    "NamedRef",
    "Plan",
    "PrimitivePlan",
    "PromotePlan",
    "ReaderUnionPlan",
    "RecordPlan",
    "Resolution",
    "SkipField",
    "UnionPlan",
    "field_path",
    "located",
    "resolve",
    "resolve_parsed",
]

#: writer type → the reader types that can read it (Avro spec, "Schema Resolution").
PROMOTIONS: Mapping[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}

_NAMED = NAMED_TYPES
_PROMOTION_RULE = (
    "type mismatch: only int→long/float/double, long→float/double, float→double and "
    "string↔bytes promote"
)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """One reason the reader cannot read the writer.

    ``rule`` is the Java ``SchemaIncompatibilityType`` name (``TYPE_MISMATCH``,
    ``NAME_MISMATCH``, ``FIXED_SIZE_MISMATCH``, ``MISSING_ENUM_SYMBOLS``,
    ``READER_FIELD_MISSING_DEFAULT_VALUE``, ``MISSING_UNION_BRANCH``) or
    ``AMBIGUOUS_FIELD_ALIAS``. ``path`` is the JSON pointer into the reader schema, ``field``
    the reader field's name path (``address.zip``, ``tags[].label``; empty outside any field).
    """

    path: str
    reader: str
    writer: str
    rule: str
    message: str
    field: str = ""


@dataclass(frozen=True)
class PrimitivePlan:
    """Read a primitive of the same type."""

    type: str


@dataclass(frozen=True)
class PromotePlan:
    """Read ``writer`` and promote it to ``reader`` (for example int → long)."""

    writer: str
    reader: str


@dataclass(frozen=True)
class FieldPlan:
    """One reader field: read writer field ``writer_index`` with ``plan``, or fill ``default``.

    ``default`` is the JSON default as written in the reader schema (bytes and fixed defaults
    are strings whose code points 0–255 are the bytes; the decoder converts them).
    """

    name: str
    writer_index: int | None
    plan: Plan | None
    default: Any = None


@dataclass(frozen=True)
class SkipField:
    """A writer field the reader does not have: decode ``schema`` (fastavro parse) and drop it."""

    writer_index: int
    name: str
    schema: Any = field(compare=False)


@dataclass(frozen=True)
class RecordPlan:
    """Reader fields in reader order, and the writer fields to skip."""

    reader_name: str
    writer_name: str
    fields: tuple[FieldPlan, ...]
    skip: tuple[SkipField, ...]
    writer_field_count: int


@dataclass(frozen=True)
class EnumPlan:
    """``mapping[i]`` is the reader symbol index for writer symbol index ``i``."""

    reader_name: str
    writer_name: str
    mapping: tuple[int, ...]


@dataclass(frozen=True)
class FixedPlan:
    """Read ``size`` bytes."""

    name: str
    size: int


@dataclass(frozen=True)
class ArrayPlan:
    """Read array items with ``items``."""

    items: Plan


@dataclass(frozen=True)
class MapPlan:
    """Read map values with ``values``."""

    values: Plan


@dataclass(frozen=True)
class UnionPlan:
    """A writer union: per writer branch, the reader branch index (``None`` when the reader is
    not a union) and the plan that reads it."""

    branches: tuple[tuple[int | None, Plan], ...]


@dataclass(frozen=True)
class ReaderUnionPlan:
    """A non-union writer read into reader union branch ``reader_index``."""

    reader_index: int
    plan: Plan


@dataclass(frozen=True)
class NamedRef:
    """The plan of a named reader × writer pair, in :attr:`Resolution.named` (recursion)."""

    reader_name: str
    writer_name: str


Plan: TypeAlias = (
    PrimitivePlan
    | PromotePlan
    | RecordPlan
    | EnumPlan
    | FixedPlan
    | ArrayPlan
    | MapPlan
    | UnionPlan
    | ReaderUnionPlan
    | NamedRef
)


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a reader schema against a writer schema.

    ``plan`` is ``None`` exactly when ``breaks`` is not empty. ``named`` holds the plan of every
    named reader × writer pair by ``(reader fullname, writer fullname)``; a :class:`NamedRef`
    in a plan points into it.
    """

    plan: Plan | None
    breaks: tuple[Break, ...]
    warnings: tuple[str, ...]
    named: Mapping[tuple[str, str], Plan] = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the reader can read everything the writer writes."""
        return not self.breaks

    @property
    def messages(self) -> tuple[str, ...]:
        """The break messages, in the order found."""
        return tuple(b.message for b in self.breaks)


# --------------------------------------------------------------------------------------------
# The walk
# --------------------------------------------------------------------------------------------


def _short(name: str) -> str:
    return name.rpartition(".")[2]


class _Sink:
    def __init__(self) -> None:
        self.breaks: list[Break] = []
        self.warnings: list[str] = []

    def merge(self, other: _Sink) -> None:
        self.breaks.extend(other.breaks)
        self.warnings.extend(other.warnings)


def _where(path: str) -> str:
    return path or "/"


def field_path(steps: list[str]) -> str:
    """Field names and ``[]``/``{}`` steps as one name path: ``["a", "[]", "b"]`` → ``a[].b``;
    empty when no field is named (the items of a root array are no field)."""
    if all(step in ("[]", "{}") for step in steps):
        return ""
    out = ""
    for step in steps:
        if step in ("[]", "{}"):
            out += step
        else:
            out = f"{out}.{step}" if out else step
    return out


def located(path: str, field: str) -> str:
    """How a message starts: ``zip (/fields/7/type)``, or the pointer alone outside a field."""
    return f"{field} ({_where(path)})" if field else _where(path)


def _logical(node: Any) -> tuple[str, Any, Any] | None:
    if isinstance(node, dict) and isinstance(node.get("logicalType"), str):
        lt = node["logicalType"]
        if lt == "decimal":
            return lt, node.get("precision"), node.get("scale", 0)
        return lt, None, None
    return None


def _describe_logical(lt: tuple[str, Any, Any]) -> str:
    if lt[0] == "decimal":
        return f"decimal({lt[1]},{lt[2]})"
    return lt[0]


_TIME_FAMILIES = ("timestamp-", "local-timestamp-", "time-")


class _Resolver:
    def __init__(self, reader: Any, writer: Any) -> None:
        self.rnames: dict[str, dict[str, Any]] = {}
        self.wnames: dict[str, dict[str, Any]] = {}
        collect_named(reader, self.rnames)
        collect_named(writer, self.wnames)
        self.in_progress: set[tuple[str, str]] = set()
        self.done: dict[tuple[str, str], list[str]] = {}
        self.named: dict[tuple[str, str], Plan] = {}
        # the reader field names (and []/{} steps) down to where the walk is, for messages
        self.steps: list[str] = []

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def deref(node: Any, names: Mapping[str, dict[str, Any]]) -> Any:
        if isinstance(node, str) and node not in PRIMITIVE_TYPES:
            return names[node]
        return node

    @staticmethod
    def kind(node: Any) -> str:
        if isinstance(node, list):
            return "union"
        if isinstance(node, dict):
            kind = node["type"]
            return "record" if kind == "error" else str(kind)
        return str(node)

    def describe(self, node: Any, names: Mapping[str, dict[str, Any]], depth: int = 0) -> str:
        node = self.deref(node, names)
        kind = self.kind(node)
        if kind in ("record", "enum"):
            return f"{kind} {node['name']}"
        if kind == "fixed":
            return f"fixed {node['name']} (size {node['size']})"
        if depth > 1:
            return kind
        if kind == "array":
            return f"array<{self.describe(node['items'], names, depth + 1)}>"
        if kind == "map":
            return f"map<{self.describe(node['values'], names, depth + 1)}>"
        if kind == "union":
            inner = ", ".join(self.describe(b, names, depth + 1) for b in node)
            return f"union[{inner}]"
        return kind

    def brk(self, sink: _Sink, path: str, reader: Any, writer: Any, rule: str, detail: str) -> None:
        r = self.describe(reader, self.rnames)
        w = self.describe(writer, self.wnames)
        name = field_path(self.steps)
        message = (
            f'{located(path, name)}: reader type "{r}" cannot read writer type "{w}" ({detail})'
        )
        sink.breaks.append(Break(_where(path), r, w, rule, message, name))

    def warn_logical(self, sink: _Sink, path: str, reader: Any, writer: Any) -> None:
        rl, wl = _logical(reader), _logical(writer)
        if rl == wl:
            return
        where = located(path, field_path(self.steps))
        if rl is not None and wl is None:
            sink.warnings.append(
                f'{where}: reader adds logical type "{_describe_logical(rl)}" that the writer '
                "does not have; the values are reinterpreted (logical type added)"
            )
        elif rl is None and wl is not None:
            sink.warnings.append(
                f'{where}: reader drops writer logical type "{_describe_logical(wl)}"; the raw '
                "underlying values are read (logical type dropped)"
            )
        elif rl is not None and wl is not None:
            if rl[0] == wl[0] == "decimal":
                what = []
                if rl[1] != wl[1]:
                    what.append(f"precision {wl[1]} → {rl[1]}")
                if rl[2] != wl[2]:
                    what.append(f"scale {wl[2]} → {rl[2]}")
                sink.warnings.append(
                    f"{where}: decimal {' and '.join(what)}: the stored unscaled integers are "
                    "read with the reader's scale, which changes their value (decimal "
                    "precision/scale changed)"
                )
            elif any(rl[0].startswith(f) and wl[0].startswith(f) for f in _TIME_FAMILIES):
                sink.warnings.append(
                    f'{where}: time unit changed from "{wl[0]}" to "{rl[0]}": the stored '
                    "numbers are read in the reader's unit, which changes their value "
                    "(timestamp unit changed)"
                )
            else:
                sink.warnings.append(
                    f'{where}: logical type changed from "{_describe_logical(wl)}" to '
                    f'"{_describe_logical(rl)}" (logical type changed)'
                )

    def names_match(self, reader: dict[str, Any], writer: dict[str, Any]) -> bool:
        wshort = _short(writer["name"])
        if _short(reader["name"]) == wshort:
            return True
        return any(_short(a) == wshort for a in reader.get("aliases") or ())

    # -- the rules ---------------------------------------------------------------------------

    def resolve(self, reader: Any, writer: Any, path: str, sink: _Sink) -> Plan | None:
        r = self.deref(reader, self.rnames)
        w = self.deref(writer, self.wnames)
        rk, wk = self.kind(r), self.kind(w)
        if wk == "union":
            return self.writer_union(reader, r, w, path, sink)
        if rk == "union":
            return self.reader_union(r, writer, w, path, sink)
        if rk in ("record", "enum", "fixed") and rk == wk:
            return self.named_pair(r, w, path, sink)
        if rk == wk:
            if rk in ("array", "map"):
                key, step = ("items", "[]") if rk == "array" else ("values", "{}")
                self.steps.append(step)
                try:
                    inner = self.resolve(r[key], w[key], f"{path}/{key}", sink)
                finally:
                    self.steps.pop()
                if inner is None:
                    return None
                return ArrayPlan(inner) if rk == "array" else MapPlan(inner)
            self.warn_logical(sink, path, r, w)
            return PrimitivePlan(rk)
        if rk in PROMOTIONS.get(wk, ()):
            self.warn_logical(sink, path, r, w)
            return PromotePlan(wk, rk)
        detail = (
            _PROMOTION_RULE
            if rk in PRIMITIVE_TYPES and wk in PRIMITIVE_TYPES
            else ("type mismatch")
        )
        self.brk(sink, path, r, w, "TYPE_MISMATCH", detail)
        return None

    def writer_union(
        self, reader: Any, r: Any, w: list[Any], path: str, sink: _Sink
    ) -> Plan | None:
        branches: list[tuple[int | None, Plan]] = []
        failed = False
        for i, wb in enumerate(w):
            if self.kind(r) == "union":
                chosen, failure = self.choose_branch(r, wb, path)
                if chosen is None and failure is not None and failure.breaks:
                    sink.merge(failure)
                    failed = True
                    continue
                if chosen is None:
                    self.brk(
                        sink,
                        path,
                        r,
                        wb,
                        "MISSING_UNION_BRANCH",
                        f"missing union branch: no reader branch reads writer union branch {i}",
                    )
                    failed = True
                    continue
                index, plan, sub = chosen
                sink.merge(sub)
                branches.append((index, plan))
            else:
                before = len(sink.breaks)
                plan_or_none = self.resolve(reader, wb, path, sink)
                if plan_or_none is None or len(sink.breaks) > before:
                    failed = True
                    continue
                branches.append((None, plan_or_none))
        return None if failed else UnionPlan(tuple(branches))

    def reader_union(
        self, r: list[Any], writer: Any, w: Any, path: str, sink: _Sink
    ) -> Plan | None:
        chosen, failure = self.choose_branch(r, writer, path)
        if chosen is None and failure is not None and failure.breaks:
            sink.merge(failure)
            return None
        if chosen is None:
            self.brk(
                sink,
                path,
                r,
                w,
                "MISSING_UNION_BRANCH",
                "missing union branch: no reader branch reads the writer type",
            )
            return None
        index, plan, sub = chosen
        sink.merge(sub)
        return ReaderUnionPlan(index, plan)

    def same_kind(self, rb: Any, wb: Any) -> bool:
        r = self.deref(rb, self.rnames)
        w = self.deref(wb, self.wnames)
        rk, wk = self.kind(r), self.kind(w)
        if rk != wk:
            return False
        if rk in ("record", "enum", "fixed"):
            return self.names_match(r, w)
        return True

    def choose_branch(
        self, r: list[Any], wb: Any, path: str
    ) -> tuple[tuple[int, Plan, _Sink] | None, _Sink | None]:
        """The reader branch that reads ``wb``: first of the same kind, else first that reads.

        On failure, the second item holds the breaks of the first same-kind branch tried (a
        record of the same name with a changed field, say), which explain the failure better
        than "no branch reads it".
        """
        same = [i for i, rb in enumerate(r) if self.same_kind(rb, wb)]
        order = same + [i for i in range(len(r)) if i not in same]
        failure: _Sink | None = None
        for i in order:
            sub = _Sink()
            plan = self.resolve(r[i], wb, f"{path}/{i}", sub)
            if plan is not None and not sub.breaks:
                return (i, plan, sub), None
            if failure is None and i in same:
                failure = sub
        return None, failure

    def named_pair(
        self, r: dict[str, Any], w: dict[str, Any], path: str, sink: _Sink
    ) -> Plan | None:
        kind = self.kind(r)
        if not self.names_match(r, w):
            self.brk(
                sink,
                path,
                r,
                w,
                "NAME_MISMATCH",
                "name mismatch: named types match by unqualified name or a reader alias",
            )
            return None
        key = (str(r["name"]), str(w["name"]))
        if key in self.in_progress:
            return NamedRef(*key)
        if key in self.done:
            # Only successes are memoized: a failing pair is resolved again where it occurs,
            # so each occurrence's break names its own path.
            sink.warnings.extend(self.done[key])
            return NamedRef(*key)
        self.in_progress.add(key)
        sub = _Sink()
        try:
            if kind == "record":
                plan = self.record(r, w, path, sub)
            elif kind == "enum":
                plan = self.enum(r, w, path, sub)
            else:
                plan = self.fixed(r, w, path, sub)
        finally:
            self.in_progress.discard(key)
        sink.merge(sub)
        if sub.breaks or plan is None:
            return None
        self.done[key] = sub.warnings
        self.named[key] = plan
        return plan

    def fixed(self, r: dict[str, Any], w: dict[str, Any], path: str, sink: _Sink) -> Plan | None:
        if r["size"] != w["size"]:
            self.brk(
                sink,
                path,
                r,
                w,
                "FIXED_SIZE_MISMATCH",
                f"fixed size mismatch: the reader has size {r['size']}, the writer {w['size']}",
            )
            return None
        self.warn_logical(sink, path, r, w)
        return FixedPlan(str(r["name"]), int(r["size"]))

    def enum(self, r: dict[str, Any], w: dict[str, Any], path: str, sink: _Sink) -> Plan | None:
        rsymbols: list[str] = list(r["symbols"])
        index = {s: i for i, s in enumerate(rsymbols)}
        default = r.get("default")
        missing = [s for s in w["symbols"] if s not in index]
        if missing and not (isinstance(default, str) and default in index):
            listed = ", ".join(missing)
            self.brk(
                sink,
                path,
                r,
                w,
                "MISSING_ENUM_SYMBOLS",
                f"missing enum symbols: {listed}; a reader enum without a default cannot read "
                "writer symbols it lacks",
            )
            return None
        fallback = index[default] if isinstance(default, str) and default in index else -1
        mapping = tuple(index.get(s, fallback) for s in w["symbols"])
        return EnumPlan(str(r["name"]), str(w["name"]), mapping)

    def record(self, r: dict[str, Any], w: dict[str, Any], path: str, sink: _Sink) -> Plan | None:
        wfields: list[dict[str, Any]] = w["fields"]
        by_name = {f["name"]: i for i, f in enumerate(wfields)}
        used: set[int] = set()
        plans: list[FieldPlan] = []
        failed = False
        for ri, rf in enumerate(r["fields"]):
            self.steps.append(rf["name"])
            try:
                fpath = f"{path}/fields/{ri}"
                fname = field_path(self.steps)
                where = located(fpath, fname)
                candidates: list[int] = []
                for name in (rf["name"], *(rf.get("aliases") or ())):
                    wi = by_name.get(name)
                    if wi is not None and wi not in candidates:
                        candidates.append(wi)
                if len(candidates) > 1:
                    matched = ", ".join(repr(wfields[i]["name"]) for i in candidates)
                    rt = self.describe(rf["type"], self.rnames)
                    message = (
                        f'{where}: reader field "{rf["name"]}" (type "{rt}") matches several '
                        f"writer fields by name and aliases ({matched}) of writer type "
                        f'"record {w["name"]}" (ambiguous field alias)'
                    )
                    sink.breaks.append(
                        Break(
                            fpath,
                            rt,
                            f"record {w['name']}",
                            "AMBIGUOUS_FIELD_ALIAS",
                            message,
                            fname,
                        )
                    )
                    failed = True
                    continue
                if not candidates:
                    if "default" not in rf:
                        rt = self.describe(rf["type"], self.rnames)
                        message = (
                            f'{where}: reader field "{rf["name"]}" (type "{rt}") is missing '
                            f'from writer type "record {w["name"]}" and has no default (reader '
                            "field missing default value)"
                        )
                        sink.breaks.append(
                            Break(
                                fpath,
                                rt,
                                f"record {w['name']}",
                                "READER_FIELD_MISSING_DEFAULT_VALUE",
                                message,
                                fname,
                            )
                        )
                        failed = True
                        continue
                    plans.append(FieldPlan(rf["name"], None, None, rf["default"]))
                    continue
                wi = candidates[0]
                used.add(wi)
                plan = self.resolve(rf["type"], wfields[wi]["type"], f"{fpath}/type", sink)
                if plan is None:
                    failed = True
                    continue
                plans.append(FieldPlan(rf["name"], wi, plan, rf.get("default")))
            finally:
                self.steps.pop()
        if failed:
            return None
        skip = tuple(
            SkipField(i, f["name"], f["type"]) for i, f in enumerate(wfields) if i not in used
        )
        return RecordPlan(str(r["name"]), str(w["name"]), tuple(plans), skip, len(wfields))


def _dedupe(items: list[Any], key: Any) -> tuple[Any, ...]:
    seen: set[str] = set()
    out: list[Any] = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return tuple(out)


def resolve_parsed(reader: Any, writer: Any) -> Resolution:
    """Resolve two ``fastavro.parse_schema`` outputs (names as fullnames).

    See :func:`resolve`.
    """
    resolver = _Resolver(reader, writer)
    sink = _Sink()
    plan = resolver.resolve(reader, writer, "", sink)
    breaks = _dedupe(sink.breaks, lambda b: b.message)
    warnings = _dedupe(sink.warnings, lambda s: s)
    return Resolution(
        plan if not breaks else None, breaks, warnings, dict(resolver.named) if not breaks else {}
    )


def resolve(reader: Schema, writer: Schema) -> Resolution:
    """Resolve Avro ``reader`` against ``writer``: the read plan, or every break found.

    Raises
    ------
    TypeError
        Either schema is not an Avro schema.

    See Also
    --------
    Avro specification, "Schema Resolution"; Apache Avro Java ``SchemaCompatibility``.
    """
    return resolve_parsed(reader._parsed, writer._parsed)
