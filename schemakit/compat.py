"""Schema compatibility as the Confluent Schema Registry decides it, for Avro and JSON Schema.

Avro verdicts come from :mod:`schemakit._resolve` (the Avro specification's schema-resolution
rules, as Apache Avro's Java ``SchemaCompatibility`` applies them, which is what Confluent runs).
JSON Schema verdicts come from the checker below, which asks of every change the question
Confluent's JSON Schema compatibility asks: does every document the writer schema accepts still
validate against the reader schema? See docs/compatibility.md for every rule and its source.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from schemakit import _html
from schemakit._resolve import field_path, located, resolve
from schemakit._typing import CompatibilityLevel, allowed
from schemakit.errors import InvalidCompatibilityLevelError
from schemakit.schema import Schema

__all__ = ["CompatibilityResult", "check_compatibility"]

_LEVELS = allowed(CompatibilityLevel)


@dataclass(frozen=True)
class CompatibilityResult:
    """The verdict of :func:`check_compatibility`.

    Attributes
    ----------
    is_compatible : bool
        The verdict; also ``bool(result)``.
    messages : tuple of str
        Every break found (empty when compatible), each naming the path in the reader schema,
        the reader type, the writer type and the rule.
    warnings : tuple of str
        Changes the verdict lets through but that change meaning (Avro logical types).
    level : str
        The compatibility level checked, upper case.
    """

    is_compatible: bool
    messages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    level: str = "BACKWARD"

    def __bool__(self) -> bool:
        return self.is_compatible

    def __repr__(self) -> str:
        verdict = "compatible" if self.is_compatible else "incompatible"
        parts = [f"{verdict} under {self.level}"]
        if self.messages:
            parts.append(f"{len(self.messages)} break{'' if len(self.messages) == 1 else 's'}")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}")
        return f"CompatibilityResult({', '.join(parts)})"

    def _repr_html_(self) -> str:
        verdict = "✔ compatible" if self.is_compatible else "✘ incompatible"
        tone: _html.Tone = "good" if self.is_compatible else "bad"
        badge = (
            f'<div style="font-family:sans-serif;margin-bottom:4px">'
            f"{_html.badge(verdict, tone)} under {_html.escape(self.level)}</div>"
        )
        rows = [("break", m) for m in self.messages] + [("warning", w) for w in self.warnings]
        if not rows:
            return badge
        return badge + _html.table(("kind", "message"), rows)


def check_level(level: object) -> str:
    """``level`` upper-cased if it is one of the seven, else InvalidCompatibilityLevelError."""
    if isinstance(level, str) and level.upper() in _LEVELS:
        return level.upper()
    listed = ", ".join(_LEVELS)
    raise InvalidCompatibilityLevelError(
        f"invalid compatibility level {level!r}; expected one of {listed} (any case)"
    )


def _coerce(value: Any, schema_type: str) -> Schema:
    if isinstance(value, Schema):
        return value
    return Schema.parse(value, schema_type=schema_type)


def check_compatibility(
    new: Any,
    previous: Any,
    level: str = "BACKWARD",
    *,
    schema_type: str | None = None,
    versions: Sequence[int] | None = None,
) -> CompatibilityResult:
    """Check ``new`` against ``previous`` under a Confluent compatibility level.

    Parameters
    ----------
    new : Schema or anything Schema.parse takes
        The candidate schema.
    previous : Schema, schema text or dict, or a list/tuple of them
        The registered schema, or the history ordered oldest → newest. A ``list`` or ``tuple``
        is always a history: pass an Avro union as ``Schema.parse([...])`` (or inside a list).
    level : str, default "BACKWARD"
        ``NONE``, ``BACKWARD``, ``BACKWARD_TRANSITIVE``, ``FORWARD``, ``FORWARD_TRANSITIVE``,
        ``FULL`` or ``FULL_TRANSITIVE``, any case. Non-transitive levels check the newest
        previous schema only; transitive ones check all. BACKWARD: ``new`` reads data written
        with ``previous``; FORWARD: ``previous`` reads data written with ``new``; FULL: both.
    schema_type : {"AVRO", "JSON"}, optional
        How to parse arguments that are not ``Schema`` objects; default: the type of the first
        ``Schema`` given, else AVRO.
    versions : sequence of int, optional
        The version numbers of the ``previous`` schemas (as many), named in the messages of
        transitive levels instead of positions (``against versions 1 and 2 (BACKWARD): …``).

    Returns
    -------
    CompatibilityResult
        ``bool(result)``, ``.messages`` (every break), ``.warnings``, ``.level``. A schema of
        another type than ``new`` (AVRO vs JSON) is a break.

    Raises
    ------
    InvalidCompatibilityLevelError
        An unknown level; the message lists the seven.
    SchemaParseError
        A schema that does not parse.

    See Also
    --------
    Avro specification, "Schema Resolution"; Apache Avro Java ``SchemaCompatibility``;
    Confluent Schema Registry, "Schema Evolution and Compatibility" and
    ``POST /compatibility/subjects/{subject}/versions/{version}``.

    Examples
    --------
    >>> old = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
    >>> new = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}
    >>> bool(check_compatibility(new, old, "BACKWARD"))
    True
    >>> result = check_compatibility(new, old, "forward")
    >>> result.level, result.is_compatible
    ('FORWARD', False)
    >>> print(result.messages[0])
    a (/fields/0/type): reader type "int" cannot read writer type "long" (type mismatch: only \
int→long/float/double, long→float/double, float→double and string↔bytes promote)
    """
    checked = check_level(level)
    history_raw: list[Any] = list(previous) if isinstance(previous, (list, tuple)) else [previous]
    if schema_type is None:
        given = [v for v in (new, *history_raw) if isinstance(v, Schema)]
        kind: str = given[0].schema_type if given else "AVRO"
    else:
        kind = schema_type.upper()
    new_schema = _coerce(new, kind)
    history = [_coerce(p, kind) for p in history_raw]
    if checked == "NONE" or not history:
        return CompatibilityResult(True, level=checked)
    transitive = checked.endswith("_TRANSITIVE")
    base = checked.removesuffix("_TRANSITIVE")
    n = len(history)
    if versions is not None and len(versions) != n:
        raise ValueError(f"versions has {len(versions)} numbers for {n} previous schemas")
    indexes = list(range(n)) if transitive else [n - 1]
    directions = ("BACKWARD", "FORWARD") if base == "FULL" else (base,)
    several = len(indexes) * len(directions) > 1
    # (direction, text) → the previous schemas it was found against: a break that repeats
    # across versions is one line listing them, in the order first found
    broke: dict[tuple[str, str], list[int]] = {}
    warned: dict[tuple[str, str], list[int]] = {}
    for i in indexes:
        for direction in directions:
            breaks, warnings = _check_pair(new_schema, history[i], direction)
            for found, texts in ((broke, breaks), (warned, warnings)):
                for text in texts:
                    against = found.setdefault((direction, text), [])
                    if i not in against:
                        against.append(i)

    def lines(found: dict[tuple[str, str], list[int]]) -> tuple[str, ...]:
        if not several:
            return tuple(text for _, text in found)
        out = []
        for (direction, text), against in found.items():
            which = _against(against, n, versions) if n > 1 else ""
            out.append(f"{which}({direction}): {text}")
        return tuple(out)

    messages = lines(broke)
    return CompatibilityResult(not messages, messages, lines(warned), checked)


def _listed(items: Sequence[object]) -> str:
    """``1``, ``1 and 2``, ``1, 2 and 4``."""
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _against(indexes: Sequence[int], n: int, versions: Sequence[int] | None) -> str:
    """The prefix naming the previous schemas a transitive check found a message against."""
    plural = "s" if len(indexes) > 1 else ""
    if versions is not None:
        return f"against version{plural} {_listed([versions[i] for i in indexes])} "
    return f"against previous schema{plural} {_listed([i + 1 for i in indexes])} of {n} "


def _check_pair(new: Schema, old: Schema, direction: str) -> tuple[list[str], list[str]]:
    reader, writer = (new, old) if direction == "BACKWARD" else (old, new)
    if reader.schema_type != writer.schema_type:
        return [
            f"/: reader schema type {reader.schema_type} cannot read writer schema type "
            f"{writer.schema_type} (schema type changed)"
        ], []
    if reader.schema_type == "AVRO":
        resolution = resolve(reader, writer)
        return list(resolution.messages), list(resolution.warnings)
    breaks: list[str] = []
    _JsonChecker(breaks).check(reader.to_dict(), writer.to_dict(), "")
    return breaks, []


# --------------------------------------------------------------------------------------------
# JSON Schema: does every document the writer accepts validate against the reader?
# --------------------------------------------------------------------------------------------

#: Keywords that never change which documents validate.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "$anchor",
        "contentMediaType",
        "contentEncoding",
    }
)
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_HANDLED = frozenset(
    {
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "uniqueItems",
        "multipleOf",
        "format",
        *_UPPER,
        *_LOWER,
    }
)
_ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})


def _json_text(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _types(schema: dict[str, Any]) -> frozenset[str]:
    t = schema.get("type")
    if t is None:
        if "enum" in schema or "const" in schema:
            values = schema["enum"] if "enum" in schema else [schema["const"]]
            return frozenset(_value_type(v) for v in values)
        return _ALL_TYPES
    return frozenset([t] if isinstance(t, str) else t)


def _is_empty(schema: Any) -> bool:
    """Whether ``schema`` accepts everything (``true`` or only annotations)."""
    if schema is True:
        return True
    return isinstance(schema, dict) and all(k in _ANNOTATIONS for k in schema)


def _json_field(path: str) -> str:
    """The property names along a JSON pointer: ``/properties/a/items/properties/b`` → ``a[].b``."""
    steps: list[str] = []
    naming = False  # the part after the keyword "properties" is a property name
    for part in path.split("/")[1:]:
        if naming:
            steps.append(part)
            naming = False
        elif part == "properties":
            naming = True
        elif part in ("items", "additionalProperties"):
            steps.append("[]" if part == "items" else "{}")
    return field_path(steps)


class _JsonChecker:
    def __init__(self, breaks: list[str]) -> None:
        self.breaks = breaks

    def add(self, path: str, detail: str) -> None:
        self.breaks.append(f"{located(path, _json_field(path))}: {detail}")

    def check(self, reader: Any, writer: Any, path: str) -> None:
        if writer is False or _is_empty(reader):
            return
        if reader is False:
            self.add(path, "reader schema is false and rejects what the writer accepts")
            return
        if writer is True:
            writer = {}
        reader = cast(dict[str, Any], reader)
        writer = cast(dict[str, Any], writer)
        for key in sorted((set(reader) | set(writer)) - _HANDLED - _ANNOTATIONS):
            if reader.get(key) != writer.get(key):
                self.add(
                    f"{path}/{key}",
                    f"cannot judge a change of {key!r} (reader {_json_text(reader.get(key))}, "
                    f"writer {_json_text(writer.get(key))}); schemakit reports it as a break",
                )
        self.check_type(reader, writer, path)
        self.check_values(reader, writer, path)
        self.check_bounds(reader, writer, path)
        rtypes, wtypes = _types(reader), _types(writer)
        if "object" in rtypes and "object" in wtypes:
            self.check_object(reader, writer, path)
        if "array" in rtypes and "array" in wtypes:
            self.check_array(reader, writer, path)

    def check_type(self, reader: dict[str, Any], writer: dict[str, Any], path: str) -> None:
        rtypes, wtypes = _types(reader), _types(writer)
        lost = sorted(
            t for t in wtypes if t not in rtypes and not (t == "integer" and "number" in rtypes)
        )
        if lost:
            self.add(
                f"{path}/type",
                f"reader type {_json_text(reader.get('type'))} cannot read writer type "
                f"{_json_text(writer.get('type'))} (type narrowed: {', '.join(lost)} no longer "
                "accepted)",
            )

    def check_values(self, reader: dict[str, Any], writer: dict[str, Any], path: str) -> None:
        if "enum" in reader:
            if "enum" in writer or "const" in writer:
                values = writer["enum"] if "enum" in writer else [writer["const"]]
                lost = [v for v in values if v not in reader["enum"]]
                if lost:
                    self.add(
                        f"{path}/enum",
                        f"reader enum {_json_text(reader['enum'])} cannot read writer values "
                        f"{_json_text(lost)} (enum values removed)",
                    )
            else:
                self.add(
                    f"{path}/enum",
                    f"reader enum {_json_text(reader['enum'])} restricts values the writer "
                    "does not restrict (enum added)",
                )
        if "const" in reader:
            values = writer.get("enum", [writer["const"]] if "const" in writer else None)
            if values is None or any(v != reader["const"] for v in values):
                self.add(
                    f"{path}/const",
                    f"reader const {_json_text(reader['const'])} rejects values the writer "
                    "accepts (const added or changed)",
                )
        if "format" in reader and reader.get("format") != writer.get("format"):
            self.add(
                f"{path}/format",
                f"reader format {_json_text(reader['format'])} differs from writer format "
                f"{_json_text(writer.get('format'))} (format added or changed)",
            )
        if reader.get("uniqueItems") is True and writer.get("uniqueItems") is not True:
            self.add(f"{path}/uniqueItems", "reader requires unique items (uniqueItems added)")
        if "multipleOf" in reader:
            rm, wm = reader["multipleOf"], writer.get("multipleOf")
            if wm is None or (wm / rm) != int(wm / rm):
                self.add(
                    f"{path}/multipleOf",
                    f"reader multipleOf {rm} rejects values writer multipleOf "
                    f"{_json_text(wm)} accepts (multipleOf added or changed)",
                )

    def check_bounds(self, reader: dict[str, Any], writer: dict[str, Any], path: str) -> None:
        for key in (*_UPPER, *_LOWER):
            if key not in reader:
                continue
            rv, wv = reader[key], writer.get(key)
            upper = key in _UPPER
            if wv is None:
                self.add(
                    f"{path}/{key}",
                    f"reader {key} {rv} limits values the writer does not limit ({key} added)",
                )
            elif (rv < wv) if upper else (rv > wv):
                verb = "decreased" if upper else "increased"
                self.add(
                    f"{path}/{key}",
                    f"reader {key} {rv} is tighter than writer {key} {wv} ({key} {verb})",
                )

    def check_object(self, reader: dict[str, Any], writer: dict[str, Any], path: str) -> None:
        rprops: dict[str, Any] = reader.get("properties", {})
        wprops: dict[str, Any] = writer.get("properties", {})
        rextra = reader.get("additionalProperties", True)
        wextra = writer.get("additionalProperties", True)
        for name, rschema in rprops.items():
            ppath = f"{path}/properties/{name}"
            if name in wprops:
                self.check(rschema, wprops[name], ppath)
            elif wextra is False:
                continue  # closed writer: its documents never carry the property
            elif _is_empty(wextra):
                if not _is_empty(rschema):
                    self.add(
                        ppath,
                        f'property "{name}" added to an open content model: writer documents '
                        "may already carry it with any value (property added to open content "
                        "model; close the writer with additionalProperties false)",
                    )
            else:
                self.check(rschema, wextra, ppath)
        for name, wschema in wprops.items():
            if name in rprops:
                continue
            ppath = f"{path}/properties/{name}"
            if rextra is False:
                self.add(
                    ppath,
                    f'property "{name}" removed from a closed content model: the reader '
                    "rejects writer documents that carry it (property removed from closed "
                    "content model)",
                )
            elif not _is_empty(rextra):
                self.check(rextra, wschema, f"{path}/additionalProperties")
        if rextra is False and wextra is not False:
            self.add(
                f"{path}/additionalProperties",
                "reader closes the content model the writer left open (additionalProperties "
                "removed)",
            )
        elif not _is_empty(rextra) and rextra is not False and wextra is not False:
            self.check(rextra, wextra, f"{path}/additionalProperties")
        wrequired = set(writer.get("required", ()))
        for name in reader.get("required", ()):
            if name not in wrequired:
                has_default = isinstance(rprops.get(name), dict) and "default" in rprops[name]
                if not has_default:
                    self.add(
                        f"{path}/required",
                        f'reader requires property "{name}" that the writer does not require '
                        "(required property added)",
                    )

    def check_array(self, reader: dict[str, Any], writer: dict[str, Any], path: str) -> None:
        ritems, witems = reader.get("items", True), writer.get("items", True)
        if isinstance(ritems, list) or isinstance(witems, list):
            if ritems != witems:
                self.add(f"{path}/items", "cannot judge a change of tuple-form items")
            return
        self.check(ritems, witems, f"{path}/items")
