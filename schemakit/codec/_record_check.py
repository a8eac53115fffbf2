"""Whether one Python record surely fits its Avro schema as the batch encoder would write it.

``Serializer.encode`` writes one record with ``fastavro.schemaless_writer`` (the fastest row
writer there is), but fastavro is lenient where :func:`schemakit.encode` is strict: it writes
``1.9`` into a ``long`` as 1, ``2**31`` into an ``int``, and ignores keys the schema does not
name. :func:`compile_check` builds, once per schema, a predicate that accepts only values whose
Python type and range leave no room for such a difference: ``int`` in range for ``int`` and
``long``, ``float`` for ``float`` and ``double``, ``str``, ``bytes``, ``bool``, ``None``, enum
symbols, fixed of the right size, lists, dicts with ``str`` keys, records with exactly their
fields, unions whose branches take values of different Python types (``["null", "string",
"long"]``, not ``["int", "long"]``), aware ``datetime`` for timestamp-millis/micros (whole
milliseconds for millis) and ``date`` for date. Anything else is not refused by it: the record
goes to the batch encoder, the one judge of what fits, which writes it or names the problem.

The predicate is generated Python source, compiled once: one function per record type with
every field's test inline, so checking a 19-field record costs about a fifth of writing it
(a closure per field would cost as much as the write). Field names enter the source only as
string literals (``repr``), and constants through the function's namespace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from schemakit._arrow_types import ORIGINAL_NAME
from schemakit._names import collect_named

__all__ = ["compile_check", "nested_deeper"]

_INT = (-(2**31), 2**31 - 1)
_LONG = (-(2**63), 2**63 - 1)
_PRIMITIVE = {
    "null": "{v} is None",
    "boolean": "type({v}) is bool",
    "int": f"(type({{v}}) is int and {_INT[0]} <= {{v}} <= {_INT[1]})",
    "long": f"(type({{v}}) is int and {_LONG[0]} <= {{v}} <= {_LONG[1]})",
    "float": "type({v}) is float",
    "double": "type({v}) is float",
    "string": "type({v}) is str",
    "bytes": "type({v}) is bytes",
}
# (underlying type, logical type) -> the test; other logical types go to the batch encoder
_LOGICAL = {
    ("long", "timestamp-micros"): "(type({v}) is datetime and {v}.tzinfo is not None)",
    ("long", "timestamp-millis"): (
        "(type({v}) is datetime and {v}.tzinfo is not None and {v}.microsecond % 1000 == 0)"
    ),
    ("int", "date"): "type({v}) is date",
}


_PYTHON_KIND = {
    "null": "None",
    "boolean": "bool",
    "int": "int",
    "long": "int",
    "float": "float",
    "double": "float",
    "string": "str",
    "enum": "str",
    "bytes": "bytes",
    "fixed": "bytes",
    "record": "dict",
    "error": "dict",
    "map": "dict",
    "array": "list",
}


class _Source:
    """The generated module: one function per record type, constants by name."""

    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names
        self.functions: dict[str, str] = {}  # record fullname -> function name
        self.bodies: list[str] = []
        self.constants: dict[str, Any] = {"datetime": dt.datetime, "date": dt.date}

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def test(self, schema: Any, v: str, depth: int) -> str:
        """A Python expression over the variable ``v``: true when the value surely fits."""
        if isinstance(schema, str) and schema in self.names:
            schema = self.names[schema]
        if isinstance(schema, str):
            return _PRIMITIVE[schema].format(v=v)
        if isinstance(schema, list):
            kinds = [self.python_kind(b) for b in schema]
            if None in kinds or len(set(kinds)) < len(kinds):
                return "False"  # which branch a value takes is the batch encoder's call
            # one branch per Python type: fastavro and the batch encoder pick the same one
            return "(" + " or ".join(self.test(b, v, depth) for b in schema) + ")"
        kind = schema["type"]
        if isinstance(kind, dict | list):
            return self.test(kind, v, depth)
        if "logicalType" in schema:
            return _LOGICAL.get((kind, schema["logicalType"]), "False").format(v=v)
        if kind in _PRIMITIVE:
            return _PRIMITIVE[kind].format(v=v)
        if kind == "enum":
            return f"(type({v}) is str and {v} in {self.constant(frozenset(schema['symbols']))})"
        if kind == "fixed":
            return f"(type({v}) is bytes and len({v}) == {int(schema['size'])})"
        item = f"x{depth}"
        if kind == "array":
            inner = self.test(schema["items"], item, depth + 1)
            return f"(type({v}) is list and all({inner} for {item} in {v}))"
        if kind == "map":
            key = f"k{depth}"
            inner = self.test(schema["values"], item, depth + 1)
            return (
                f"(type({v}) is dict and all(type({key}) is str and {inner} "
                f"for {key}, {item} in {v}.items()))"
            )
        return f"{self.record(schema)}({v})"

    def python_kind(self, schema: Any) -> str | None:
        """The Python type a union branch's values have, or ``None`` for a logical type."""
        if isinstance(schema, str) and schema in self.names:
            schema = self.names[schema]
        kind = schema if isinstance(schema, str) else schema["type"]
        if isinstance(kind, dict | list) or (isinstance(schema, dict) and "logicalType" in schema):
            return None
        return _PYTHON_KIND.get(kind)

    def record(self, schema: dict[str, Any]) -> str:
        """The name of the function testing ``schema``'s records (written once; recursion ok)."""
        known = self.functions.get(schema["name"])
        if known is not None:
            return known
        function = f"_r{len(self.functions)}"
        self.functions[schema["name"]] = function
        fields = schema["fields"]
        lines = [
            f"def {function}(r):",
            f"    if type(r) is not dict or len(r) != {len(fields)}:",
            "        return False",
        ]
        for f in fields:
            if ORIGINAL_NAME in f:  # the batch encoder reads the original column name
                lines.append("    return False")
                break
            lines.append(f"    v = r[{f['name']!r}]")
            lines.append(f"    if not {self.test(f['type'], 'v', 0)}:")
            lines.append("        return False")
        lines.append("    return True")
        self.bodies.append("\n".join(lines))
        return function


def compile_check(parsed: Any) -> Callable[[Any], bool]:
    """A predicate: ``True`` when fastavro writes ``record`` as :func:`schemakit.encode` would.

    ``parsed`` is fastavro's ``parse_schema`` output. ``False`` says nothing about the record
    except that the batch encoder must judge it; a missing field is ``False`` too.
    """
    names: dict[str, Any] = {}
    collect_named(parsed, names)
    source = _Source(names)
    root = source.test(parsed, "value", 0)
    source.bodies.append(
        f"def check(value):\n    try:\n        return {root}\n    except KeyError:\n"
        "        return False"
    )
    namespace = dict(source.constants)
    exec(compile("\n\n".join(source.bodies), "<schemakit record check>", "exec"), namespace)
    check: Callable[[Any], bool] = namespace["check"]
    return check


def nested_deeper(value: Any, limit: int) -> bool:
    """Whether dicts and lists in ``value`` nest more than ``limit`` deep (an explicit stack).

    Checked before a value reaches code that recurses on the C stack (pyarrow's conversion,
    fastavro), so a hostile value cannot crash the process; the count is the decoder's
    (:data:`schemakit.codec._scan.MAX_DEPTH`): records, maps and arrays each one level.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list | tuple)
        )
    return False
