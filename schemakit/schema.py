"""The :class:`Schema` value object: one parsed, validated Avro or JSON schema.

Avro schemas are validated by our own walk of the schema document, which follows the Avro
specification as Apache Avro's Java implementation reads it, and then by ``fastavro.parse_schema``
(the byte oracle the codecs use). The walk names every problem with a JSON pointer into the
document (``/fields/3/type``). Where fastavro and the specification disagree (DESIGN.md, last
section), the walk decides:

- fastavro accepts duplicate union branches, invalid names such as ``"dr. spaceman"`` and an enum
  named ``int``; the walk rejects them.
- fastavro rejects invalid ``decimal`` logical types; the specification says an invalid logical
  type is ignored and the underlying type used. The walk hands fastavro a copy without that
  ``logicalType`` (``.text`` and ``.to_dict()`` keep what the user wrote).
- A union default must match the union's *first* branch (fastavro accepts any branch).
- A name reference without dots resolves in the enclosing namespace first, then in the null
  namespace (Java's ``Schema.Names.get``). fastavro knows only the first rule, so the copy it gets
  spells every reference as the resolved fullname. One case fastavro cannot express at all: a
  reference from inside a namespace to a type in the null namespace; it is rejected with a
  message that says so (valid Avro, but schemakit could not encode it).
- ``"namespace": null`` means "not given" (the enclosing namespace applies), as in Java; field
  ``"order"`` is read case-insensitively, as in Java.

JSON schemas are checked against their metaschema with ``jsonschema``.

Both are first checked, without recursion, against :data:`MAX_SCHEMA_DEPTH`, the one limit on
how deeply a schema nests: every later walk over a schema recurses along its nesting, so what
parses never fails later with a ``RecursionError``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, NoReturn, TypeGuard, cast

from schemakit import _html
from schemakit._names import (
    PRIMITIVE_TYPES,
    is_valid_name,
    is_valid_namespace,
    resolve_local_ref,
    split_fullname,
)
from schemakit._typing import SchemaType, allowed, check_option
from schemakit.errors import SchemaParseError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["MAX_SCHEMA_DEPTH", "Schema"]

#: How deep a schema may nest: objects and arrays of the schema document inside one another,
#: where a reference to a named Avro type, or a local JSON Schema ``$ref``, counts as deep as the
#: definition it names (docs/concepts.md, "How deep a schema may nest"). A record costs three
#: levels (the record, its ``fields``, the field), an array, map or union one. Every walk over a
#: schema recurses along this nesting (the checks here, resolution, diff, the Arrow type, the
#: codecs, and jsonschema at about eight Python frames a level), so the limit keeps each of them
#: well inside Python's default stack of 1,000 frames, with room left for the caller's own.
MAX_SCHEMA_DEPTH = 64

_Path = tuple[str | int, ...]
_Walked = tuple[Any, tuple[str, str], int]

_NAMED = frozenset({"record", "error", "enum", "fixed"})
_ORDERS = frozenset({"ascending", "descending", "ignore"})
_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)
_MAX_FIXED_SIZE = 2**31 - 1
#: fastavro's algorithm names, minus the SHAKE digests whose hexdigest needs a length (fastavro
#: raises TypeError on them); the Avro names first.
_FIRST_ALGORITHMS = ("CRC-64-AVRO", "MD5", "SHA-256")


def _pointer(path: _Path) -> str:
    """The JSON pointer (RFC 6901) of ``path``; ``""`` is the root."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _fail(kind: str, path: _Path, what: str) -> NoReturn:
    _fail_from(kind, path, what, None)


def _fail_from(kind: str, path: _Path, what: str, cause: BaseException | None) -> NoReturn:
    pointer = _pointer(path)
    message = f"invalid {kind} schema at {pointer or 'the root'}: {what}"
    raise SchemaParseError(message, path=pointer) from cause


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _too_deep(depth: int | None = None) -> str:
    """Why a schema nested past the limit is refused (one text for every place that checks)."""
    how = f"{depth} levels deep" if depth is not None else "too deeply"
    return (
        f"nested {how}; a schema may nest at most {MAX_SCHEMA_DEPTH} levels of objects and "
        "arrays inside one another (schemakit.schema.MAX_SCHEMA_DEPTH)"
    )


def _height(value: Any, skip: tuple[str, ...] = ()) -> int:
    """How many objects and arrays nest in ``value`` (itself included); keys in ``skip`` ignored.

    Recursive, so only for documents already checked against :data:`MAX_SCHEMA_DEPTH`.
    """
    if isinstance(value, dict):
        inner = (_height(v) for k, v in value.items() if k not in skip)
    elif isinstance(value, list):
        inner = (_height(v) for v in value)
    else:
        return 0
    return 1 + max(inner, default=0)


def _unstorable(document: object) -> tuple[str, str] | None:
    """``(JSON pointer, why)`` for the first value that no registry can store, or walk.

    JSON text may spell a number that is not finite (``1e999`` parses to infinity) or a lone
    surrogate (``"\\udc80"``); neither survives as standard JSON in UTF-8. And objects and
    arrays may nest no deeper than :data:`MAX_SCHEMA_DEPTH`. The walk keeps its own stack (a
    document of any depth, even one that contains itself, is checked without recursion) and
    visits values in document order, so the first problem is reported.
    """
    stack: list[tuple[_Path, object]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict | list) and len(path) >= MAX_SCHEMA_DEPTH:
            return _pointer(path), _too_deep(len(path) + 1)
        if isinstance(value, float) and not math.isfinite(value):
            return _pointer(path), f"the number {value} is not finite, which JSON cannot store"
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return _pointer(path), "a string has a lone surrogate (not valid Unicode)"
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append(((*path, key), item))
                stack.append((path, key))
        elif isinstance(value, list):
            stack.extend(((*path, i), value[i]) for i in reversed(range(len(value))))
    return None


#: Strings and the structural characters of JSON text: enough to follow its nesting.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}:,]')


def _too_deep_in_text(text: str) -> _Path | None:
    """The path of the first object or array nested past the limit in JSON ``text``.

    For text nested too deeply for ``json.loads`` to parse at all: a scan with its own stack
    follows keys and indices to the place, so even then the error names where.
    """
    # One entry per open object or array: [is object, current key or index].
    open_: list[list[Any]] = []
    key: str | int | None = None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in "{[":
            if len(open_) >= MAX_SCHEMA_DEPTH:
                return tuple(entry[1] for entry in open_)
            open_.append([first == "{", None if first == "{" else 0])
        elif first in "}]":
            if open_:
                open_.pop()
        elif first == "," and open_:
            top = open_[-1]
            top[1] = None if top[0] else top[1] + 1
        elif first == ":" and open_ and open_[-1][0]:
            open_[-1][1] = key
        elif first == '"':
            try:
                key = json.loads(token)
            except ValueError:
                key = token[1:-1]
    return None


class _RefDepth:
    """How deep a JSON Schema nests with each local ``$ref`` expanded (a walk follows them).

    A ``$ref`` to a schema that encloses it (recursion) stops there, as every walk does. Each
    step down counts the depth reached, so the walk itself never goes past the limit.
    """

    def __init__(self, root: Any) -> None:
        self.root = root
        self.heights: dict[int, int] = {}
        self.active: set[int] = set()

    def check(self) -> None:
        self.height(self.root, (), 0, None)

    def height(self, node: Any, path: _Path, depth: int, site: _Path | None) -> int:
        """Levels in ``node`` (itself included); ``depth`` levels enclose it where it is used.

        ``site`` is the ``$ref`` of the document through which ``node`` is reached, if any.
        """
        if not isinstance(node, dict | list):
            return 0
        known = self.heights.get(id(node))
        if known is None:
            if id(node) in self.active:
                return 0
            if depth >= MAX_SCHEMA_DEPTH:
                self.fail(path, depth + 1, site)
            self.active.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            inner = 0
            for key, value in items:
                inner = max(inner, self.height(value, (*path, key), depth + 1, site))
            ref = node.get("$ref") if isinstance(node, dict) else None
            if isinstance(ref, str):
                target = resolve_local_ref(self.root, ref)
                here = site if site is not None else (*path, "$ref")
                inner = max(inner, self.height(target, path, depth + 1, here))
            self.active.discard(id(node))
            known = 1 + inner
            self.heights[id(node)] = known
        if depth + known > MAX_SCHEMA_DEPTH:
            self.fail(path, depth + known, site)
        return known

    @staticmethod
    def fail(path: _Path, depth: int, site: _Path | None) -> NoReturn:
        if site is None:
            _fail("JSON", path, _too_deep(depth))
        _fail("JSON", site, f"with this $ref expanded, the schema is {_too_deep(depth)}")


def _copy_document(document: Any) -> Any:
    """A copy of a parsed JSON document (dicts, lists, scalars), made without recursion.

    Cheaper than ``copy.deepcopy`` (no memo, scalars shared) and bounded by no stack.
    """
    if not isinstance(document, dict | list):
        return document
    root: Any = {} if isinstance(document, dict) else []
    stack: list[tuple[Any, Any]] = [(document, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            if isinstance(value, dict | list):
                child: Any = {} if isinstance(value, dict) else []
                stack.append((value, child))
                value = child
            if isinstance(target, dict):
                target[key] = value
            else:
                target.append(value)
    return root


def _refuse(kind: str, problem: tuple[str, str] | None) -> None:
    """Raise for what :func:`_unstorable` found, if anything."""
    if problem is not None:
        where, what = problem
        message = f"invalid {kind} schema at {where or 'the root'}: {what}"
        raise SchemaParseError(message, path=where)


def _fingerprint_algorithms() -> tuple[str, ...]:
    from fastavro.schema import FINGERPRINT_ALGORITHMS

    rest = sorted(
        a
        for a in FINGERPRINT_ALGORITHMS
        if a not in _FIRST_ALGORITHMS and not a.startswith("shake")
    )
    return (*_FIRST_ALGORITHMS, *rest)


# --------------------------------------------------------------------------------------------
# Avro validation: our own walk
# --------------------------------------------------------------------------------------------


def _decimal_is_valid(node: dict[str, Any], type_name: str) -> bool:
    """Whether a ``decimal`` logical type is valid (Avro spec, "Decimal"; Java's validate)."""
    if type_name not in ("bytes", "fixed"):
        return False
    precision = node.get("precision")
    scale = node.get("scale", 0)
    if not _is_int(precision) or precision < 1:
        return False
    if not _is_int(scale) or scale < 0 or scale > precision:
        return False
    if type_name == "fixed":
        size = node["size"]
        max_precision = math.floor(math.log10(2) * (8 * size - 1)) if size > 0 else 0
        if precision > max_precision:
            return False
    return True


class _DefaultMismatchError(Exception):
    def __init__(self, path: _Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class _AvroChecker:
    """One walk over an Avro schema document.

    ``walk`` validates a node and returns ``(copy, key)``: the copy is what fastavro gets (names
    as fullnames, invalid decimals stripped), the key identifies the branch kind for the
    duplicate-union-branch rule. Field defaults are checked after the walk, when every named
    type they may refer to is known.
    """

    def __init__(self) -> None:
        # fullname -> (definition node, namespace its fields resolve names in)
        self.named: dict[str, tuple[dict[str, Any], str]] = {}
        self.pending: list[tuple[Any, str, Any, _Path, dict[str, Any]]] = []
        # fullname -> where it is defined, and how deep its definition nests (references
        # counted as their definitions); a type still being defined has no height yet.
        self.defined_at: dict[str, _Path] = {}
        self.heights: dict[str, int] = {}

    def fail(self, path: _Path, what: str) -> NoReturn:
        _fail("Avro", path, what)

    # -- names -------------------------------------------------------------------------------

    def resolve(self, ref: str, namespace: str, path: _Path) -> str:
        """The fullname a reference ``ref`` names, or an error naming what is unknown."""
        if "." in ref:
            space, short = split_fullname(ref, None)
            candidates = [f"{space}.{short}" if space else short]
        else:
            candidates = [f"{namespace}.{ref}", ref] if namespace else [ref]
        for candidate in candidates:
            if candidate in self.named:
                return candidate
        tried = " or ".join(repr(c) for c in candidates)
        self.fail(
            path,
            f"unknown type {ref!r} (looked for {tried}); a type is a primitive "
            f"({', '.join(sorted(PRIMITIVE_TYPES))}) or a named type defined before its use",
        )

    def define(self, node: dict[str, Any], path: _Path, namespace: str) -> tuple[str, str]:
        """Check a named type's name, namespace and aliases; register it; return (fullname, ns)."""
        if "name" not in node:
            self.fail(path, f'a {node["type"]} needs a "name"')
        name = node["name"]
        if not isinstance(name, str) or not name:
            self.fail((*path, "name"), f"a name must be a non-empty string, not {_dumps(name)}")
        space_given = node.get("namespace")
        if space_given is not None and not is_valid_namespace(space_given):
            self.fail(
                (*path, "namespace"),
                f"invalid namespace {_dumps(space_given)}: dot-separated names matching "
                "[A-Za-z_][A-Za-z0-9_]*, or empty",
            )
        # "namespace": null means "not given" (Java), so the enclosing namespace applies.
        space, short = split_fullname(name, namespace if space_given is None else space_given)
        if not is_valid_name(short) or not is_valid_namespace(space):
            self.fail(
                (*path, "name"),
                f"invalid name {name!r}: names match [A-Za-z_][A-Za-z0-9_]*, "
                "dot-separated when qualified",
            )
        full = f"{space}.{short}" if space else short
        if full in PRIMITIVE_TYPES:
            self.fail((*path, "name"), f"a named type may not be called {full!r} like a primitive")
        if full in self.named:
            self.fail((*path, "name"), f"named type {full!r} is defined twice")
        self.check_aliases(node, path, qualified=True)
        self.named[full] = (node, space)
        self.defined_at[full] = path
        return full, space

    def check_aliases(self, node: dict[str, Any], path: _Path, *, qualified: bool) -> None:
        if "aliases" not in node:
            return
        aliases = node["aliases"]
        if not isinstance(aliases, list):
            self.fail((*path, "aliases"), "aliases must be a list of names")
        for i, alias in enumerate(aliases):
            if isinstance(alias, str) and qualified and "." in alias:
                space, short = split_fullname(alias, None)
                ok = is_valid_name(short) and is_valid_namespace(space)
            else:
                ok = is_valid_name(alias)
            if not ok:
                self.fail((*path, "aliases", i), f"invalid alias {_dumps(alias)}")

    # -- the walk ----------------------------------------------------------------------------

    def walk(self, node: Any, path: _Path, namespace: str) -> _Walked:
        if isinstance(node, str):
            if node in PRIMITIVE_TYPES:
                return node, ("type", node), 0
            full = self.resolve(node, namespace, path)
            return self.reference(full, namespace, path), ("named", full), self.heights.get(full, 0)
        if isinstance(node, list):
            return self.walk_union(node, path, namespace)
        if isinstance(node, dict):
            return self.walk_object(node, path, namespace)
        self.fail(
            path,
            f"a schema is a type name, an object or a union (array), not {_dumps(node)}",
        )

    def reference(self, full: str, namespace: str, path: _Path) -> str:
        # A walk over the schema goes into the definition wherever a reference names it (a
        # recursive reference, to a type still being defined, has no height yet: walks stop
        # there), so the reference counts as deep as the definition.
        depth = len(path) + self.heights.get(full, 0)
        if depth > MAX_SCHEMA_DEPTH:
            self.fail(
                path,
                f"with named type {full!r} (defined at {_pointer(self.defined_at[full]) or '/'}) "
                f"in place of this reference, the schema is {_too_deep(depth)}",
            )
        if "." not in full and namespace:
            # fastavro would read an undotted reference in ``namespace``; it cannot name a
            # null-namespace type from inside a namespace.
            self.fail(
                path,
                f"a reference from namespace {namespace!r} to {full!r} in the null namespace "
                "is valid Avro but not supported by fastavro, which schemakit encodes with; "
                "give the referenced type a namespace",
            )
        return full

    def walk_union(self, node: list[Any], path: _Path, namespace: str) -> _Walked:
        branches: list[Any] = []
        seen: dict[tuple[str, str], int] = {}
        height = 0
        for i, branch in enumerate(node):
            if isinstance(branch, list):
                self.fail((*path, i), "a union may not directly contain another union")
            branch_copy, key, branch_height = self.walk(branch, (*path, i), namespace)
            height = max(height, branch_height)
            if key in seen:
                what = f"named type {key[1]!r}" if key[0] == "named" else f"{key[1]!r}"
                self.fail(
                    (*path, i),
                    f"duplicate union branch: {what} already is branch {seen[key]}",
                )
            seen[key] = i
            branches.append(branch_copy)
        return branches, ("type", "union"), 1 + height

    def walk_object(self, node: dict[str, Any], path: _Path, namespace: str) -> _Walked:
        if "type" not in node:
            self.fail(path, 'missing "type"')
        type_name = node["type"]
        if not isinstance(type_name, str):
            self.fail(
                (*path, "type"),
                f'"type" of a schema object must be a type name, not {_dumps(type_name)}',
            )
        result: dict[str, Any] = dict(node)
        child, height, full = "", 0, ""
        if type_name in PRIMITIVE_TYPES:
            key: tuple[str, str] = ("type", type_name)
        elif type_name in ("record", "error"):
            full, space = self.define(node, path, namespace)
            result.update(name=full, namespace="")
            child = "fields"
            result["fields"], height = self.walk_fields(node, path, space)
            key = ("named", full)
        elif type_name == "enum":
            full, _ = self.define(node, path, namespace)
            result.update(name=full, namespace="")
            self.check_enum(node, path)
            key = ("named", full)
        elif type_name == "fixed":
            full, _ = self.define(node, path, namespace)
            result.update(name=full, namespace="")
            size = node.get("size")
            if "size" not in node:
                self.fail(path, 'a fixed needs a "size"')
            if not _is_int(size) or not 0 <= size <= _MAX_FIXED_SIZE:
                self.fail((*path, "size"), f"size must be a non-negative int, not {_dumps(size)}")
            key = ("named", full)
        elif type_name == "array":
            if "items" not in node:
                self.fail(path, 'an array needs "items"')
            child = "items"
            result["items"], _, height = self.walk(node["items"], (*path, "items"), namespace)
            key = ("type", "array")
        elif type_name == "map":
            if "values" not in node:
                self.fail(path, 'a map needs "values"')
            child = "values"
            result["values"], _, height = self.walk(node["values"], (*path, "values"), namespace)
            key = ("type", "map")
        else:
            # {"type": "SomeName"} refers to a named type (Java accepts it; fastavro does not).
            ref = self.resolve(type_name, namespace, (*path, "type"))
            height = _height(node, skip=("type",)) - 1
            height = max(height, self.heights.get(ref, 0))
            reference = self.reference(ref, namespace, (*path, "type"))
            return reference, ("named", ref), 1 + height
        if node.get("logicalType") == "decimal" and not _decimal_is_valid(node, type_name):
            # Avro spec, "Logical Types": an invalid logical type is ignored.
            del result["logicalType"]
        height = 1 + max(height, _height(node, skip=(child, "type")) - 1)
        if full:
            self.heights[full] = height
        return result, key, height

    def walk_fields(self, node: dict[str, Any], path: _Path, space: str) -> tuple[list[Any], int]:
        if "fields" not in node:
            self.fail(path, 'a record needs "fields"')
        fields = node["fields"]
        if not isinstance(fields, list):
            self.fail((*path, "fields"), "fields must be a list of field objects")
        names: dict[str, int] = {}
        result: list[Any] = []
        height = 0
        for i, field in enumerate(fields):
            where = (*path, "fields", i)
            if not isinstance(field, dict):
                self.fail(where, f"a field is an object, not {_dumps(field)}")
            if "name" not in field:
                self.fail(where, 'a field needs a "name"')
            name = field["name"]
            if not is_valid_name(name):
                self.fail(
                    (*where, "name"),
                    f"invalid field name {_dumps(name)}: names match [A-Za-z_][A-Za-z0-9_]*",
                )
            if name in names:
                self.fail(
                    (*where, "name"), f"duplicate field name {name!r} (also field {names[name]})"
                )
            names[name] = i
            if "type" not in field:
                self.fail(where, f'field {name!r} needs a "type"')
            if "order" in field:
                order = field["order"]
                # Java reads the order case-insensitively (Field.Order.valueOf(upper case)).
                if not isinstance(order, str) or order.lower() not in _ORDERS:
                    self.fail(
                        (*where, "order"),
                        f"invalid order {_dumps(order)}; expected one of "
                        + ", ".join(repr(o) for o in sorted(_ORDERS)),
                    )
            self.check_aliases(field, where, qualified=False)
            field_copy = dict(field)
            field_copy["type"], _, type_height = self.walk(field["type"], (*where, "type"), space)
            height = max(height, 1 + max(type_height, _height(field, skip=("type",)) - 1))
            if "default" in field:
                self.pending.append(
                    (field["type"], space, field["default"], (*where, "default"), field_copy)
                )
            result.append(field_copy)
        return result, 1 + height

    def check_enum(self, node: dict[str, Any], path: _Path) -> None:
        if "symbols" not in node:
            self.fail(path, 'an enum needs "symbols"')
        symbols = node["symbols"]
        if not isinstance(symbols, list):
            self.fail((*path, "symbols"), "symbols must be a list of names")
        seen: dict[str, int] = {}
        for i, symbol in enumerate(symbols):
            if not is_valid_name(symbol):
                self.fail(
                    (*path, "symbols", i),
                    f"invalid symbol {_dumps(symbol)}: symbols match [A-Za-z_][A-Za-z0-9_]*",
                )
            if symbol in seen:
                self.fail(
                    (*path, "symbols", i),
                    f"duplicate symbol {symbol!r} (also symbol {seen[symbol]})",
                )
            seen[symbol] = i
        if "default" in node and node["default"] not in seen:
            self.fail(
                (*path, "default"),
                f"enum default {_dumps(node['default'])} is not one of the symbols",
            )

    # -- defaults ----------------------------------------------------------------------------

    def check_defaults(self) -> None:
        for type_node, space, value, path, field_copy in self.pending:
            try:
                field_copy["default"] = self.default(type_node, value, space, path, set())
            except _DefaultMismatchError as exc:
                self.fail(exc.path, exc.reason)

    def default(
        self, t: Any, value: Any, namespace: str, path: _Path, active: set[tuple[int, int]]
    ) -> Any:
        """Check ``value`` against type ``t``; return it as fastavro wants it (floats as float)."""
        if isinstance(t, str):
            if t in PRIMITIVE_TYPES:
                return self.primitive_default(t, value, path)
            node, space = self.named[self.resolve(t, namespace, path)]
            return self.default(node, value, space, path, active)
        if isinstance(t, list):
            if not t:
                raise _DefaultMismatchError(path, "an empty union has no valid default")
            try:
                return self.default(t[0], value, namespace, path, active)
            except _DefaultMismatchError as exc:
                if exc.path == path:
                    raise _DefaultMismatchError(
                        path,
                        f"{exc.reason}; a union's default must match its first branch "
                        f"({_dumps(t[0])})",
                    ) from None
                raise
        type_name = t["type"]
        if type_name in PRIMITIVE_TYPES:
            return self.primitive_default(type_name, value, path)
        if type_name in ("record", "error"):
            if not isinstance(value, dict):
                self.mismatch(path, value, f"record {t['name']!r}")
            _, space = split_fullname(
                t["name"], namespace if t.get("namespace") is None else t["namespace"]
            )
            result = dict(value)
            for field in t["fields"]:
                name = field["name"]
                if name in value:
                    result[name] = self.default(
                        field["type"], value[name], space, (*path, name), active
                    )
                elif "default" in field:
                    key = (id(field), id(field["default"]))
                    if key not in active:
                        active.add(key)
                        self.default(field["type"], field["default"], space, (*path, name), active)
                        active.discard(key)
                else:
                    raise _DefaultMismatchError(
                        path, f"default has no value for field {name!r}, which has no default"
                    )
            return result
        if type_name == "enum":
            if not isinstance(value, str) or value not in t["symbols"]:
                self.mismatch(path, value, f"enum {t['name']!r} (symbols {_dumps(t['symbols'])})")
            return value
        if type_name == "fixed":
            self.bytes_default(value, path, f"fixed {t['name']!r}")
            if len(value) != t["size"]:
                raise _DefaultMismatchError(
                    path, f"default of fixed {t['name']!r} has {len(value)} bytes, not {t['size']}"
                )
            return value
        if type_name == "array":
            if not isinstance(value, list):
                self.mismatch(path, value, "array")
            return [
                self.default(t["items"], item, namespace, (*path, i), active)
                for i, item in enumerate(value)
            ]
        if type_name == "map":
            if not isinstance(value, dict):
                self.mismatch(path, value, "map")
            return {
                k: self.default(t["values"], v, namespace, (*path, k), active)
                for k, v in value.items()
            }
        return self.default(type_name, value, namespace, path, active)

    def primitive_default(self, type_name: str, value: Any, path: _Path) -> Any:
        if type_name == "null":
            if value is not None:
                self.mismatch(path, value, "null")
        elif type_name == "boolean":
            if not isinstance(value, bool):
                self.mismatch(path, value, "boolean")
        elif type_name in ("int", "long"):
            low, high = _INT_RANGE if type_name == "int" else _LONG_RANGE
            if not _is_int(value) or not low <= value <= high:
                self.mismatch(path, value, type_name)
        elif type_name in ("float", "double"):
            if not isinstance(value, int | float) or isinstance(value, bool):
                self.mismatch(path, value, type_name)
            try:
                return float(value)
            except OverflowError:
                self.mismatch(path, value, type_name)
        elif type_name == "string":
            if not isinstance(value, str):
                self.mismatch(path, value, "string")
        else:
            self.bytes_default(value, path, "bytes")
        return value

    def bytes_default(self, value: Any, path: _Path, what: str) -> None:
        if not isinstance(value, str):
            self.mismatch(path, value, what)
        for ch in value:
            if ord(ch) > 0xFF:
                raise _DefaultMismatchError(
                    path,
                    f"default of {what} has the character {ch!r}: each character stands for one "
                    "byte, so its code point must be 0-255",
                )

    def mismatch(self, path: _Path, value: Any, what: str) -> NoReturn:
        raise _DefaultMismatchError(path, f"default {_dumps(value)} does not match type {what}")


def _validate_avro(doc: Any) -> Any:
    """Validate an Avro schema document; return the fastavro-parsed schema (one seam)."""
    checker = _AvroChecker()
    fastavro_copy, _, _ = checker.walk(doc, (), "")
    checker.check_defaults()
    from fastavro.schema import parse_schema

    try:
        return parse_schema(fastavro_copy)
    except Exception as exc:  # the fastavro seam: whatever it raises becomes SchemaParseError
        message = f"invalid Avro schema: fastavro rejects it: {exc}"
        raise SchemaParseError(message, path="") from exc


def _validate_json(doc: Any) -> None:
    """Check a JSON Schema document against its metaschema."""
    if not isinstance(doc, dict | bool):
        _fail("JSON", (), f"a JSON Schema is an object or a boolean, not {_dumps(doc)}")
    _RefDepth(doc).check()
    # jsonschema ships no type information (pyproject's mypy overrides should list it).
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    if isinstance(doc, dict) and "$schema" in doc:
        declared = doc["$schema"]
        validator = (
            validator_for(doc, default=cast(Any, None)) if isinstance(declared, str) else None
        )
        if validator is None:
            _fail("JSON", ("$schema",), f"unknown metaschema {_dumps(declared)}")
    else:
        validator = validator_for(doc)
    try:
        validator.check_schema(doc)
    except SchemaError as exc:
        path = tuple(exc.absolute_path)
        _fail("JSON", path, exc.message)


# --------------------------------------------------------------------------------------------
# Descriptions for __repr__ and _repr_html_
# --------------------------------------------------------------------------------------------


def _short(t: Any, depth: int = 0) -> str:
    """A short type description: ``string``, ``array<long>``, ``record Foo``, ``[null, int]``."""
    if depth > 3:
        return "…"
    if isinstance(t, str):
        return t
    if isinstance(t, list):
        return "[" + ", ".join(_short(b, depth + 1) for b in t) + "]"
    if isinstance(t, dict):
        type_name = t.get("type")
        if type_name in _NAMED:
            return f"{'record' if type_name == 'error' else type_name} {t.get('name')}"
        if type_name == "array":
            return f"array<{_short(t.get('items'), depth + 1)}>"
        if type_name == "map":
            return f"map<{_short(t.get('values'), depth + 1)}>"
        return str(type_name)
    return _dumps(t)


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FieldRow(NamedTuple):
    """One field of a schema, flattened for display (nested fields by dotted path).

    ``symbols`` are the symbols of the enum the field holds (itself, or as its array items or
    map values), ``original_name`` the column name the data spells (``schemakit.original_name``).
    """

    path: str
    depth: int
    type: str
    logical_type: str
    nullable: bool
    default: str
    doc: str
    symbols: tuple[str, ...] = ()
    original_name: str = ""


def _without_null(t: Any) -> tuple[bool, Any]:
    """``(nullable, core)``: a union with null and one other branch becomes that branch."""
    if not isinstance(t, list):
        return False, t
    rest = [b for b in t if b != "null" and not (isinstance(b, dict) and b.get("type") == "null")]
    return len(rest) < len(t), rest[0] if len(rest) == 1 else t


def _enum_symbols(t: Any, enums: dict[str, list[str]]) -> tuple[str, ...]:
    """The symbols of the enum ``t`` is, or holds as array items or map values (one level)."""
    _, core = _without_null(t)
    if isinstance(core, dict) and core.get("type") in ("array", "map"):
        _, core = _without_null(core.get("items" if core["type"] == "array" else "values"))
    if isinstance(core, dict) and core.get("type") == "enum":
        return tuple(core.get("symbols", ()))
    if isinstance(core, str):
        # a reference to an enum defined earlier, by its full or its short name
        return tuple(enums.get(core, enums.get(core.rpartition(".")[2], ())))
    return ()


def _collect_enums(node: Any, namespace: str, enums: dict[str, list[str]]) -> None:
    """Every enum defined in ``node``, by its name as written, short and full."""
    if isinstance(node, list):
        for branch in node:
            _collect_enums(branch, namespace, enums)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    name = node.get("name")
    if kind in _NAMED and isinstance(name, str):
        space = node.get("namespace", namespace) if "." not in name else name.rpartition(".")[0]
        space = space if isinstance(space, str) else namespace
        short = name.rpartition(".")[2]
        if kind == "enum":
            symbols = list(node.get("symbols", ()))
            for key in (name, short, f"{space}.{short}" if space else short):
                enums.setdefault(key, symbols)
        namespace = space
    for field in node.get("fields", ()) if kind in ("record", "error") else ():
        if isinstance(field, dict):
            _collect_enums(field.get("type"), namespace, enums)
    for key in ("items", "values"):
        if kind in ("array", "map") and key in node:
            _collect_enums(node[key], namespace, enums)
    if isinstance(kind, dict | list):
        _collect_enums(kind, namespace, enums)


def _avro_field_rows(
    fields: list[Any], prefix: str, depth: int, enums: dict[str, list[str]]
) -> Iterator[FieldRow]:
    from schemakit._arrow_types import ORIGINAL_NAME  # lazily: it imports pyarrow

    for field in fields:
        name = f"{prefix}{field['name']}"
        nullable, t = _without_null(field["type"])
        logical = t.get("logicalType", "") if isinstance(t, dict) else ""
        default = _clip(_dumps(field["default"])) if "default" in field else ""
        doc = field.get("doc", "")
        original = field.get(ORIGINAL_NAME)
        yield FieldRow(
            path=name,
            depth=depth,
            type=_clip(_short(t)),
            logical_type=str(logical),
            nullable=nullable or t == "null",
            default=default,
            doc=_clip(str(doc), 200),
            symbols=_enum_symbols(t, enums),
            original_name=original if isinstance(original, str) else "",
        )
        nested, suffix = t, "."
        if isinstance(t, dict) and t.get("type") == "array":
            nested, suffix = t.get("items"), "[]."
        if isinstance(nested, dict) and nested.get("type") in ("record", "error"):
            yield from _avro_field_rows(nested.get("fields", []), name + suffix, depth + 1, enums)


def _html_rows(
    rows: Iterable[FieldRow], *, symbols: bool, originals: bool
) -> Iterator[tuple[str, ...]]:
    """Field rows as table cells: the path indented by depth (trusted HTML), the rest text; the
    symbols and original-name cells only when the table has those columns."""
    for row in rows:
        cells = [
            "&nbsp;" * 4 * row.depth + _html.escape(row.path),
            row.type,
            row.logical_type,
            "yes" if row.nullable else "",
            row.default,
            row.doc,
        ]
        if symbols:
            cells.append(_clip(", ".join(row.symbols), 200))
        if originals:
            cells.append(row.original_name)
        yield tuple(cells)


def _json_type(node: Any) -> str:
    if not isinstance(node, dict):
        return _dumps(node)
    if "type" in node:
        t = node["type"]
        return " | ".join(map(str, t)) if isinstance(t, list) else str(t)
    if "$ref" in node:
        return f"$ref {node['$ref']}"
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in node:
            return combinator
    return "any"


def _json_property_rows(node: dict[str, Any], prefix: str, depth: int) -> Iterator[tuple[str, ...]]:
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return
    required = node.get("required", [])
    indent = "&nbsp;" * 4 * depth
    for key, sub in properties.items():
        name = f"{prefix}{key}"
        sub_dict = sub if isinstance(sub, dict) else {}
        yield (
            indent + _html.escape(name),
            _clip(_json_type(sub)),
            str(sub_dict.get("format", "")),
            "yes" if isinstance(required, list) and key in required else "",
            _clip(_dumps(sub_dict["default"])) if "default" in sub_dict else "",
            _clip(str(sub_dict.get("description", "")), 200),
        )
        yield from _json_property_rows(sub_dict, name + ".", depth + 1)


# --------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------


class Schema:
    """An immutable, validated Avro or JSON schema that compares by its canonical form.

    Build one with :meth:`Schema.parse`. Two schemas are equal when their type and canonical
    form are equal, so schemas that differ only in ``doc``, ``aliases``, defaults or whitespace
    compare equal (and hash alike) while their :attr:`text` differs; the registry keeps them
    as distinct entries.

    See Also
    --------
    Schema.parse : build a Schema from text, a dict or a list.
    Avro specification, "Parsing Canonical Form for Schemas" and "Schema Fingerprints".

    Examples
    --------
    >>> s = Schema.parse('{"type": "record", "name": "Point", "doc": "2-D",'
    ...                  ' "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]}')
    >>> s
    Schema(AVRO record Point, 2 fields)
    >>> s.fields
    ('x', 'y')
    >>> s.canonical_form
    '{"name":"Point","type":"record","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]}'
    >>> s == Schema.parse(s.canonical_form)
    True
    """

    __slots__ = ("_canonical", "_doc", "_fastavro", "_fields", "_schema_type", "_text")

    _canonical: str | None
    _doc: Any
    _fastavro: Any
    _fields: tuple[str, ...]
    _schema_type: Literal["AVRO", "JSON"]
    _text: str

    def __init__(self, text_or_dict: Any, *, schema_type: str = "AVRO") -> None:
        # Same arguments as ``Schema.parse``, the public way in (it also passes a Schema through).
        kind = check_option("schema_type", schema_type, allowed(SchemaType), upper=True)
        if kind == "PROTOBUF":
            message = "schema_type='PROTOBUF' is reserved and not supported yet; use AVRO or JSON"
            raise SchemaParseError(message, path="")
        checked = cast(Literal["AVRO", "JSON"], kind)
        try:
            text, doc = self._load(text_or_dict, checked)
            parsed: Any = None
            if checked == "AVRO":
                parsed = _validate_avro(doc)
                fields: tuple[str, ...] = ()
                if isinstance(doc, dict) and doc.get("type") in ("record", "error"):
                    fields = tuple(f["name"] for f in doc["fields"])
            else:
                _validate_json(doc)
                properties = doc.get("properties") if isinstance(doc, dict) else None
                fields = tuple(properties) if isinstance(properties, dict) else ()
        except RecursionError as exc:
            # A last guard: the depth checks above are meant to make this unreachable.
            label = "Avro" if checked == "AVRO" else "JSON"
            message = f"invalid {label} schema: {_too_deep()}"
            raise SchemaParseError(message, path="") from exc
        set_ = object.__setattr__
        set_(self, "_schema_type", checked)
        set_(self, "_text", text)
        set_(self, "_doc", doc)
        set_(self, "_fastavro", parsed)
        set_(self, "_fields", fields)
        set_(self, "_canonical", None)

    @staticmethod
    def _load(source: Any, kind: Literal["AVRO", "JSON"]) -> tuple[str, Any]:
        """``(text, parsed JSON)`` from what the user gave; only storable JSON passes."""
        label = "Avro" if kind == "AVRO" else "JSON"
        # A dict or list is checked before it is dumped (too deep to dump, it would not say
        # where), text once it is parsed.
        if isinstance(source, dict | list):
            _refuse(label, _unstorable(source))
        text, document = Schema._load_json(source, kind)
        _refuse(label, _unstorable(document))
        return text, document

    @staticmethod
    def _load_json(source: Any, kind: Literal["AVRO", "JSON"]) -> tuple[str, Any]:
        label = "Avro" if kind == "AVRO" else "JSON"
        if isinstance(source, str):
            if kind == "AVRO" and source.strip() == "null":
                # JSON's null is no Avro schema; the bare word means the null type, as the
                # other bare primitive names (``string``, ``int``) do.
                return '"null"', "null"
            try:
                # NaN and Infinity parse here and are refused with their path by _unstorable.
                return source, json.loads(source)
            except RecursionError as exc:
                path = _too_deep_in_text(source) or ()
                _fail_from(label, path, _too_deep(len(path) + 1 if path else None), exc)
            except json.JSONDecodeError as exc:
                bare = source.strip()
                if kind == "AVRO" and bare and all(p and is_valid_name(p) for p in bare.split(".")):
                    # A bare type name such as ``string``: kept as its JSON spelling.
                    return _dumps(bare), bare
                message = (
                    f"invalid {label} schema: not valid JSON at line {exc.lineno}, "
                    f"column {exc.colno}: {exc.msg}"
                )
                raise SchemaParseError(message, path="") from exc
        if isinstance(source, dict | list | bool):
            try:
                text = _dumps(source)
            except (TypeError, ValueError) as exc:
                message = f"invalid {label} schema: not JSON-serializable: {exc}"
                raise SchemaParseError(message, path="") from exc
            return text, json.loads(text)
        raise TypeError(
            f"a schema is given as JSON text (str), a dict or a list, not {type(source).__name__}"
        )

    @classmethod
    def parse(cls, text_or_dict: Any, *, schema_type: str = "AVRO") -> Schema:
        """Parse and validate a schema.

        Parameters
        ----------
        text_or_dict : str, dict, list or Schema
            JSON text; a parsed JSON object; a list (an Avro union); a bare Avro primitive name
            such as ``"string"`` (also accepted without JSON quotes); or a JSON Schema boolean.
            A Schema of the same type is returned as it is.
        schema_type : {"AVRO", "JSON"}, default "AVRO"
            Any case. ``"PROTOBUF"`` is reserved.

        Returns
        -------
        Schema

        Raises
        ------
        SchemaParseError
            Invalid JSON (with line and column), or a schema the specification rejects; the
            message and ``.path`` name where, as a JSON pointer such as ``/fields/3/type``.
            Also for a schema nested deeper than :data:`MAX_SCHEMA_DEPTH` (see Notes), and for
            ``schema_type="PROTOBUF"``, not supported yet.
        ValueError
            ``schema_type`` is not one of AVRO, JSON, PROTOBUF.
        TypeError
            ``text_or_dict`` is of another Python type.

        Notes
        -----
        A schema may nest at most :data:`MAX_SCHEMA_DEPTH` (64) levels: JSON objects and arrays
        of the document inside one another, where a reference to a named Avro type, or a local
        ``$ref``, counts as deep as the definition it names (a reference back to an enclosing
        type, recursion, adds nothing). An Avro record inside a record's field is three levels
        (the record, its ``fields``, the field), an array, map or union one. Every walk over a
        schema recurses along its nesting, so the limit is checked here, once, and whatever
        parses works everywhere: ``to_arrow``, compatibility, the codecs, the registry.
        The message names the first place past the limit (docs/concepts.md, "How deep a schema
        may nest").

        See Also
        --------
        Avro specification, "Schema Declaration", "Names", "Complex Types" (field defaults)
        and "Logical Types" (an invalid logical type is ignored).
        JSON Schema, draft 2020-12 (or the draft ``$schema`` names), its metaschema.

        Examples
        --------
        >>> Schema.parse("string")
        Schema(AVRO string)
        >>> Schema.parse('["null", "long"]').text
        '["null", "long"]'
        >>> Schema.parse({"type": "array", "items": "int"}).text
        '{"type":"array","items":"int"}'
        >>> Schema.parse({"type": "object", "properties": {"id": {"type": "integer"}}},
        ...              schema_type="json")
        Schema(JSON object, 1 property)
        >>> Schema.parse({"type": "record", "name": "R", "fields": [{"name": "a", "type": "Foo"}]})
        Traceback (most recent call last):
        ...
        schemakit.errors.SchemaParseError: invalid Avro schema at /fields/0/type: unknown type ...
        >>> Schema.parse('{"type": "array", "items": ' * 65 + '"int"' + "}" * 65)
        Traceback (most recent call last):
        ...
        schemakit.errors.SchemaParseError: invalid Avro schema at /items/...: nested 65 levels ...
        """
        if isinstance(text_or_dict, Schema):
            kind = check_option("schema_type", schema_type, allowed(SchemaType), upper=True)
            if kind == text_or_dict.schema_type:
                return text_or_dict
            message = f"a {text_or_dict.schema_type} Schema is not a {kind} schema"
            raise SchemaParseError(message, path="")
        return cls(text_or_dict, schema_type=schema_type)

    # -- immutability, pickling --------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Schema is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Schema is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Re-parse on unpickling: the text is the whole state, and validation is cheap.
        return (_unpickle, (self._text, self._schema_type))

    def __copy__(self) -> Schema:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Schema:
        return self

    # -- properties --------------------------------------------------------------------------

    @property
    def schema_type(self) -> Literal["AVRO", "JSON"]:
        """``"AVRO"`` or ``"JSON"``, upper case as Confluent spells it."""
        return self._schema_type

    @property
    def text(self) -> str:
        """The schema text: exactly as given when given a str.

        A dict or list is dumped as compact JSON in its own key order (non-ASCII kept); a bare
        primitive name such as ``string`` becomes its JSON spelling ``"string"``.
        """
        return self._text

    def to_dict(self) -> Any:
        """A deep copy of the parsed JSON document.

        A dict for an object schema, a list for an Avro union, a str for a bare Avro type name
        (``"string"``), a bool for a boolean JSON Schema. Invalid logical types the parser
        ignored are kept as written.

        Examples
        --------
        >>> Schema.parse('{"type": "map", "values": "long"}').to_dict()
        {'type': 'map', 'values': 'long'}
        >>> Schema.parse('"string"').to_dict()
        'string'
        """
        return _copy_document(self._doc)

    @property
    def canonical_form(self) -> str:
        """The Avro Parsing Canonical Form (as ``fastavro.schema.to_parsing_canonical_form``).

        For a JSON schema: the document dumped with sorted keys and no whitespace.

        See Also
        --------
        Avro specification, "Parsing Canonical Form for Schemas".
        """
        if self._canonical is None:
            if self._schema_type == "AVRO":
                from fastavro.schema import to_parsing_canonical_form

                canonical = to_parsing_canonical_form(self._fastavro)
            else:
                canonical = json.dumps(
                    self._doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                )
            object.__setattr__(self, "_canonical", canonical)
            return canonical
        return self._canonical

    def fingerprint(self, algorithm: str = "CRC-64-AVRO") -> str:
        """The fingerprint of :attr:`canonical_form`, as hex, exactly as fastavro computes it.

        Parameters
        ----------
        algorithm : str, default "CRC-64-AVRO"
            ``"CRC-64-AVRO"`` (the Rabin fingerprint, 8 little-endian bytes), ``"MD5"``,
            ``"SHA-256"``, or a hashlib name fastavro accepts (``"sha1"``, ``"sha512"``, …).

        Raises
        ------
        ValueError
            An unknown algorithm; the message lists the valid ones.

        See Also
        --------
        Avro specification, "Schema Fingerprints".

        Examples
        --------
        >>> Schema.parse('"int"').fingerprint()
        '8f5c393f1ad57572'
        >>> Schema.parse('"int"').fingerprint(algorithm="MD5")
        'ef524ea1b91e73173d938ade36c1db32'
        """
        checked = check_option("algorithm", algorithm, _fingerprint_algorithms())
        from fastavro.schema import fingerprint

        return str(fingerprint(self.canonical_form, checked))

    @property
    def fields(self) -> tuple[str, ...]:
        """Top-level field names of an Avro record, or property names of a JSON object schema.

        Empty for every other schema.
        """
        return self._fields

    @property
    def _parsed(self) -> Any:
        """Internal: the ``fastavro.parse_schema`` output for this Avro schema (cached).

        For schemakit's codecs only; shared, so never mutate it. Names are fullnames and
        invalid ``decimal`` logical types are already dropped.

        Raises
        ------
        TypeError
            For a JSON schema.
        """
        if self._schema_type != "AVRO":
            raise TypeError("only an Avro schema has a fastavro parse")
        return self._fastavro

    def to_arrow(self) -> pa.Schema:
        """The Arrow schema with the same fields (schemakit's one Arrow ⇄ Avro type table).

        Raises
        ------
        SchemaParseError
            A schema that has no Arrow equivalent.
        """
        from schemakit._arrow_types import avro_to_arrow_schema, json_to_arrow_schema

        # The converters only read the document, so they get it without a copy.
        if self._schema_type == "AVRO":
            return avro_to_arrow_schema(self._doc)
        return json_to_arrow_schema(self._doc)

    # -- comparison and display --------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schema):
            return NotImplemented
        return (self._schema_type, self.canonical_form) == (
            other._schema_type,
            other.canonical_form,
        )

    def __hash__(self) -> int:
        return hash((self._schema_type, self.canonical_form))

    def _summary(self) -> str:
        doc = self._doc
        if self._schema_type == "JSON":
            if isinstance(doc, bool):
                return f"JSON {_dumps(doc)}"
            n = len(self._fields)
            if n or doc.get("type") == "object":
                return f"JSON {_json_type(doc)}, {n} propert{'y' if n == 1 else 'ies'}"
            return f"JSON {_json_type(doc)}"
        if isinstance(doc, list):
            return f"AVRO union, {len(doc)} branch{'' if len(doc) == 1 else 'es'}"
        if isinstance(doc, dict):
            t = doc["type"]
            if t in ("record", "error"):
                n = len(self._fields)
                full = self._fastavro["name"]
                return f"AVRO {t} {full}, {n} field{'' if n == 1 else 's'}"
            if t == "enum":
                n = len(doc["symbols"])
                return f"AVRO enum {self._fastavro['name']}, {n} symbol{'' if n == 1 else 's'}"
            if t == "fixed":
                return f"AVRO fixed {self._fastavro['name']}, size {doc['size']}"
            return f"AVRO {_clip(_short(doc), 60)}"
        return f"AVRO {doc}"

    def __repr__(self) -> str:
        return f"Schema({self._summary()})"

    def _field_rows(self) -> list[FieldRow]:
        """The fields of an Avro schema, nested ones by path; a non-record is one ``(root)`` row."""
        doc = self._doc
        enums: dict[str, list[str]] = {}
        _collect_enums(doc, "", enums)
        if isinstance(doc, dict) and doc.get("type") in ("record", "error"):
            return list(_avro_field_rows(doc["fields"], "", 0, enums))
        root = {"name": "(root)", "type": doc}
        return list(_avro_field_rows([root], "", 0, enums))

    def _repr_html_(self) -> str:
        doc = self._doc
        columns: tuple[str, ...]
        if self._schema_type == "JSON":
            columns = ("name", "type", "format", "required", "default", "description")
            rows: Iterable[tuple[str, ...]] = (
                _json_property_rows(doc, "", 0) if isinstance(doc, dict) else iter(())
            )
            if not (isinstance(doc, dict) and isinstance(doc.get("properties"), dict)):
                # not an object schema: one row for the schema itself, as for Avro
                node = doc if isinstance(doc, dict) else {}
                rows = [("(root)", _clip(_json_type(doc)), str(node.get("format", "")), "", "", "")]
        else:
            fields = self._field_rows()
            symbols = any(r.symbols for r in fields)
            originals = any(r.original_name for r in fields)
            columns = ("name", "type", "logical type", "nullable", "default", "doc")
            columns += ("symbols",) * symbols + ("original name",) * originals
            rows = _html_rows(fields, symbols=symbols, originals=originals)
        return _html.table(columns, rows, caption=self._summary(), raw_columns=frozenset({0}))


def _unpickle(text: str, schema_type: str) -> Schema:
    return Schema(text, schema_type=schema_type)
