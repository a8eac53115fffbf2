"""Avro name rules: validate names and namespaces, split fullnames, sanitize column names.

Avro specification, "Names": a name matches ``[A-Za-z_][A-Za-z0-9_]*``; a namespace is a
dot-separated sequence of such names (or empty, the null namespace); a fullname is
``namespace.name``. Primitive type names are not valid names of named types.

Sanitizing rule (documented in docs/inference.md) for names that data brings with it, such as
DataFrame columns:

1. Unicode is NFKD-normalized and combining marks dropped (``"naïve"`` → ``"naive"``).
2. Every character outside ``[A-Za-z0-9_]`` becomes ``_`` (``"dep time"`` → ``"dep_time"``).
3. An empty result, or one starting with a digit, gets a leading ``_`` (``"2nd"`` → ``"_2nd"``).
4. Within one record, names that were already valid keep their spelling; a sanitized name that
   would collide with a name already taken gets the first free suffix ``_2``, ``_3``, … in column
   order, so the rule never produces duplicates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = [
    "PRIMITIVE_TYPES",
    "fullname",
    "is_valid_name",
    "is_valid_namespace",
    "resolve_local_ref",
    "sanitize_name",
    "sanitize_names",
    "split_fullname",
]

PRIMITIVE_TYPES = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INVALID_CHAR = re.compile(r"[^A-Za-z0-9_]")


def is_valid_name(name: object) -> bool:
    """Whether ``name`` is a valid Avro (unqualified) name."""
    return isinstance(name, str) and _NAME.match(name) is not None


def is_valid_namespace(namespace: object) -> bool:
    """Whether ``namespace`` is a valid Avro namespace (``""`` is the null namespace)."""
    if not isinstance(namespace, str):
        return False
    return namespace == "" or all(is_valid_name(part) for part in namespace.split("."))


def split_fullname(name: str, namespace: str | None) -> tuple[str, str]:
    """Split a possibly dotted ``name`` into ``(namespace, short name)``.

    A dotted name carries its own namespace and ignores the enclosing one, as the
    specification says; otherwise the enclosing ``namespace`` applies (``None`` → ``""``).
    """
    if "." in name:
        space, _, short = name.rpartition(".")
        return space, short
    return namespace or "", name


def fullname(name: str, namespace: str | None) -> str:
    """The fullname of ``name`` in ``namespace``: ``"ns.name"``, or ``"name"`` without one."""
    space, short = split_fullname(name, namespace)
    return f"{space}.{short}" if space else short


def sanitize_name(name: str) -> str:
    """Turn ``name`` into a valid Avro name by steps 1–3 of the module's rule."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = _INVALID_CHAR.sub("_", ascii_only)
    if not cleaned or cleaned[0].isdigit():
        cleaned = "_" + cleaned
    return cleaned


def sanitize_names(names: Iterable[str]) -> list[str]:
    """Sanitize the field names of one record by the module's rule, never producing duplicates.

    Examples
    --------
    >>> sanitize_names(["dep time", "dep_time", "2nd", "naïve", "a.b"])
    ['dep_time_2', 'dep_time', '_2nd', 'naive', 'a_b']
    """
    originals = list(names)
    taken = {n for n in originals if is_valid_name(n)}
    result: list[str] = []
    for original in originals:
        if is_valid_name(original):
            result.append(original)
            continue
        base = sanitize_name(original)
        candidate = base
        suffix = 2
        while candidate in taken:
            candidate = f"{base}_{suffix}"
            suffix += 1
        taken.add(candidate)
        result.append(candidate)
    return result


def resolve_local_ref(root: Any, ref: str) -> Any:
    """The node a local JSON Schema ``$ref`` (``"#"``, ``"#/$defs/A"``) points to in ``root``.

    The fragment is a JSON pointer (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``) that steps
    through object keys and array indices. ``None`` when ``ref`` is not a local pointer or
    points nowhere.
    """
    if not ref.startswith("#") or (len(ref) > 1 and ref[1] != "/"):
        return None
    node = root
    for part in ref[2:].split("/") if len(ref) > 1 else ():
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


NAMED_TYPES = frozenset({"record", "error", "enum", "fixed"})


def collect_named(node: object, names: dict[str, dict[str, object]]) -> None:
    """Index every named type (record, enum, fixed) defined in a parsed schema by its name.

    ``node`` is fastavro's ``parse_schema`` output (names are fullnames there); the first
    definition of a name wins. References (bare name strings) are not followed.
    """
    if isinstance(node, list):
        for branch in node:
            collect_named(branch, names)
    elif isinstance(node, dict):
        kind = node.get("type")
        if kind in NAMED_TYPES:
            names.setdefault(node["name"], node)
        if kind in ("record", "error"):
            for field in node["fields"]:
                collect_named(field["type"], names)
        elif kind == "array":
            collect_named(node["items"], names)
        elif kind == "map":
            collect_named(node["values"], names)
        elif isinstance(kind, dict | list):
            collect_named(kind, names)
