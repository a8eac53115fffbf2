"""Deep schemas: one depth limit, checked in ``Schema.parse``, and everything below it works.

Every walk over a schema recurses along its nesting, so ``Schema.parse`` refuses a schema nested
deeper than ``MAX_SCHEMA_DEPTH`` (objects and arrays inside one another, a reference counted as
its definition) with a ``SchemaParseError`` naming where; and every operation on a schema that
parses works, with room left on the stack for the caller. The depth and the first place past
the limit are computed here by the tests' own walk of the document, not by schemakit.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastavro
import fastavro.schema
import httpx
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemakit as sk
from schemakit.schema import MAX_SCHEMA_DEPTH
from tests._serve import CONTENT_TYPE, serve

settings.register_profile("schemakit-deep", max_examples=40, deadline=None)
PROFILE = settings.get_profile("schemakit-deep")

#: Every operation at the limit runs with this many extra Python frames already on the stack:
#: the limit must leave room for a caller (a notebook, a server, a test runner) of its own.
HEADROOM = 300

Built = tuple[Any, Any]  # (schema document, a value of that schema)


# --------------------------------------------------------------------------------------------
# The tests' own measure of a document
# --------------------------------------------------------------------------------------------


def _children(value: Any) -> list[tuple[str | int, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list):
        return list(enumerate(value))
    return []


def _depth(document: Any) -> int:
    """Objects and arrays nested inside one another, at the deepest place (no recursion)."""
    deepest = 0
    stack = [(document, 0)]
    while stack:
        value, enclosing = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, enclosing + 1)
            stack.extend((child, enclosing + 1) for _, child in _children(value))
    return deepest


def _first_too_deep(document: Any) -> str:
    """The JSON pointer of the first object or array, in document order, past the limit."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict | list):
            if len(path) == MAX_SCHEMA_DEPTH:
                return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
            stack.extend(((*path, k), child) for k, child in reversed(_children(value)))
    raise AssertionError("the document is not too deep")


def _with_headroom(fn: Callable[[], Any], frames: int = HEADROOM) -> Any:
    """Call ``fn`` from a stack ``frames`` Python frames deeper than this one."""
    if frames <= 0:
        return fn()
    return _with_headroom(fn, frames - 1)


# --------------------------------------------------------------------------------------------
# Shapes: one level of nesting each, built n levels deep
# --------------------------------------------------------------------------------------------


def _avro_level(kind: str, inner: Built, i: int) -> Built:
    schema, value = inner
    if kind == "record":
        return {"type": "record", "name": f"R{i}", "fields": [{"name": "f", "type": schema}]}, {
            "f": value
        }
    if kind == "nullable record":
        record = {"type": "record", "name": f"R{i}", "fields": [{"name": "f", "type": schema}]}
        return ["null", record], {"f": value}
    if kind == "array":
        return {"type": "array", "items": schema}, [value]
    if kind == "map":
        return {"type": "map", "values": schema}, {"k": value}
    if kind == "union of array":
        return ["null", {"type": "array", "items": schema}], [value]
    raise AssertionError(kind)


def _json_level(kind: str, inner: Built, i: int) -> Built:
    schema, value = inner
    if kind == "object":
        return {"type": "object", "properties": {"f": schema}, "required": ["f"]}, {"f": value}
    if kind == "array":
        return {"type": "array", "items": schema}, [value]
    if kind == "anyOf":
        return {"anyOf": [{"type": "null"}, {"type": "array", "items": schema}]}, [value]
    if kind == "allOf":
        return {"allOf": [schema]}, value
    raise AssertionError(kind)


def _build(schema_type: str, kinds: list[str]) -> Built:
    """A schema nested one level per kind, outermost first, and a value of it."""
    if schema_type == "AVRO":
        built: Built = ("long", 7)
        for i, kind in enumerate(reversed(kinds)):
            built = _avro_level(kind, built, i)
    else:
        built = ({"type": "integer"}, 7)
        for i, kind in enumerate(reversed(kinds)):
            built = _json_level(kind, built, i)
    schema, value = built
    if schema_type == "AVRO" and not (isinstance(schema, dict) and schema["type"] == "record"):
        # Rows are records: wrap anything else in one, as a column "v".
        schema = {"type": "record", "name": "Top", "fields": [{"name": "v", "type": schema}]}
        value = {"v": value}
    return schema, value


def _at_limit(schema_type: str, kinds: list[str]) -> int:
    """How many repetitions of ``kinds`` fit within the limit."""
    n = 1
    while _depth(_build(schema_type, kinds * (n + 1))[0]) <= MAX_SCHEMA_DEPTH:
        n += 1
    return n


SHAPES = [
    pytest.param("AVRO", ["record"], id="avro-records"),
    pytest.param("AVRO", ["nullable record"], id="avro-nullable-records"),
    pytest.param("AVRO", ["array"], id="avro-arrays"),
    pytest.param("AVRO", ["map"], id="avro-maps"),
    pytest.param("AVRO", ["union of array"], id="avro-unions-of-arrays"),
    pytest.param("AVRO", ["record", "array", "map", "nullable record"], id="avro-mixed"),
    pytest.param("JSON", ["object"], id="json-objects"),
    pytest.param("JSON", ["array"], id="json-arrays"),
    pytest.param("JSON", ["anyOf"], id="json-anyof"),
    pytest.param("JSON", ["object", "array", "allOf"], id="json-mixed"),
]


# --------------------------------------------------------------------------------------------
# Every operation
# --------------------------------------------------------------------------------------------


def _every_operation(document: Any, value: Any, schema_type: str) -> None:
    schema = sk.Schema.parse(document, schema_type=schema_type)
    assert sk.Schema.parse(json.dumps(document), schema_type=schema_type) == schema
    copied = schema.to_dict()
    assert copied == document
    copied["x-changed"] = True
    assert schema.to_dict() == document  # a copy, not the schema's own document
    if schema_type == "AVRO":
        parsed = fastavro.schema.parse_schema(document)
        assert schema.canonical_form == fastavro.schema.to_parsing_canonical_form(parsed)
    assert schema.fingerprint() == fastavro.schema.fingerprint(schema.canonical_form, "CRC-64-AVRO")
    arrow = schema.to_arrow()
    expected_names = list(schema.fields) or ["value"]
    assert arrow.names == expected_names
    assert sk.check_compatibility(schema, [schema, schema], level="FULL_TRANSITIVE")
    assert len(sk.diff(schema, schema)) == 0
    assert schema._repr_html_()

    registry = sk.Registry(":memory:")
    registered = registry.register("deep-value", schema)
    assert registry.register("deep-value", schema, normalize=True).id == registered.id
    assert registry.get_by_id(registered.id) == schema
    assert registry.lookup("deep-value", schema).version == registered.version
    assert registry.check("deep-value", schema)

    record = sk.Serializer(registry, "deep-value", schema=schema).encode(value)
    assert record[:5] == b"\x00" + registered.id.to_bytes(4, "big")
    if schema_type == "AVRO":
        body = io.BytesIO()
        fastavro.schemaless_writer(body, parsed, value)
        assert record[5:] == body.getvalue()  # fastavro, the byte oracle
    assert sk.Deserializer(registry).decode(record) == value

    frame = pd.DataFrame([value]) if isinstance(value, dict) else pd.DataFrame({"value": [value]})
    records = sk.encode(frame, "deep-value", registry=registry, schema=schema)
    assert records.tolist() == [record]
    decoded = sk.decode(records, registry, output="arrow")
    # A record (Avro) or an object schema (JSON) is one column per field, anything else one
    # column "value".
    by_field = schema_type == "AVRO" or document.get("type") == "object"
    row = value if by_field else {"value": value}
    assert decoded.schema == arrow
    assert decoded.to_pylist() == [_as_arrow(row, pa.struct(list(arrow)))]


def _as_arrow(value: Any, dtype: pa.DataType) -> Any:
    """``value`` as Arrow's ``to_pylist`` spells it for ``dtype``.

    A map is a list of pairs; a JSON value that the Arrow type keeps as text is its JSON.
    """
    if pa.types.is_struct(dtype):
        return {f.name: _as_arrow(value[f.name], f.type) for f in dtype}
    if pa.types.is_map(dtype):
        return [(k, _as_arrow(v, dtype.item_type)) for k, v in value.items()]
    if pa.types.is_list(dtype):
        return [_as_arrow(v, dtype.value_type) for v in value]
    if pa.types.is_string(dtype) and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))
    return value


@pytest.mark.parametrize(("schema_type", "kinds"), SHAPES)
def test_at_the_limit_every_operation_works(schema_type: str, kinds: list[str]) -> None:
    n = _at_limit(schema_type, kinds)
    document, value = _build(schema_type, kinds * n)
    assert MAX_SCHEMA_DEPTH - 4 * len(kinds) < _depth(document) <= MAX_SCHEMA_DEPTH
    _with_headroom(lambda: _every_operation(document, value, schema_type))


@pytest.mark.parametrize(("schema_type", "kinds"), SHAPES)
@pytest.mark.parametrize("given", ["dict", "text"])
def test_past_the_limit_is_a_parse_error_naming_the_place(
    schema_type: str, kinds: list[str], given: str
) -> None:
    n = _at_limit(schema_type, kinds) + 1
    document, _ = _build(schema_type, kinds * n)
    assert _depth(document) > MAX_SCHEMA_DEPTH
    where = _first_too_deep(document)
    source = document if given == "dict" else json.dumps(document)
    with pytest.raises(sk.SchemaParseError) as caught:
        sk.Schema.parse(source, schema_type=schema_type)
    assert caught.value.path == where
    message = str(caught.value)
    assert where in message
    assert f"at most {MAX_SCHEMA_DEPTH} levels" in message
    assert "MAX_SCHEMA_DEPTH" in message


# --------------------------------------------------------------------------------------------
# References: a named type or a $ref counts as deep as its definition
# --------------------------------------------------------------------------------------------


def _avro_chain(n: int) -> tuple[Any, Any, Any]:
    """Records T0 … Tn, each Ti holding a reference to T(i-1): (schema, inlined, value).

    The document stays shallow; every walk that follows the references goes n levels deep.
    ``inlined`` spells each reference as its definition, for the tests' own depth measure.
    """
    definitions = [{"type": "record", "name": "T0", "fields": [{"name": "x", "type": "long"}]}]
    inlined = [definitions[0]]
    values: list[Any] = [{"x": 7}]
    for i in range(1, n + 1):
        definitions.append(
            {"type": "record", "name": f"T{i}", "fields": [{"name": "a", "type": f"T{i - 1}"}]}
        )
        inlined.append({**definitions[i], "fields": [{"name": "a", "type": inlined[i - 1]}]})
        values.append({"a": values[i - 1]})

    def root(types: list[Any]) -> Any:
        fields = [{"name": f"t{i}", "type": t} for i, t in enumerate(types)]
        return {"type": "record", "name": "Root", "fields": fields}

    return root(definitions), root(inlined), {f"t{i}": v for i, v in enumerate(values)}


def _json_chain(n: int) -> tuple[Any, Any, Any]:
    """``$defs`` A0 … An, each Ai an array of ``$ref`` A(i-1): (schema, inlined, value).

    ``inlined`` puts the schema each ``$ref`` points to inside the object holding the ``$ref``.
    """
    definitions: dict[str, Any] = {"A0": {"type": "integer"}}
    inlined: dict[str, Any] = {"A0": {"type": "integer"}}
    value: Any = 7
    for i in range(1, n + 1):
        ref = f"#/$defs/A{i - 1}"
        definitions[f"A{i}"] = {"type": "array", "items": {"$ref": ref}}
        inlined[f"A{i}"] = {"type": "array", "items": {"$ref": ref, "in": inlined[f"A{i - 1}"]}}
        value = [value]
    top = f"#/$defs/A{n}"

    def root(defs: dict[str, Any], property_: dict[str, Any]) -> Any:
        return {
            "type": "object",
            "properties": {"v": property_},
            "required": ["v"],
            "$defs": defs,
        }

    return (
        root(definitions, {"$ref": top}),
        root(inlined, {"$ref": top, "in": inlined[f"A{n}"]}),
        {"v": value},
    )


CHAINS = [
    pytest.param("AVRO", _avro_chain, id="avro-named-types"),
    pytest.param("JSON", _json_chain, id="json-refs"),
]


def _chain_at_limit(chain: Callable[[int], tuple[Any, Any, Any]]) -> int:
    n = 1
    while _depth(chain(n + 1)[1]) <= MAX_SCHEMA_DEPTH:
        n += 1
    return n


def _resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


@pytest.mark.parametrize(("schema_type", "chain"), CHAINS)
def test_references_at_the_limit_every_operation_works(
    schema_type: str, chain: Callable[[int], tuple[Any, Any, Any]]
) -> None:
    document, inlined, value = chain(_chain_at_limit(chain))
    assert _depth(document) < MAX_SCHEMA_DEPTH // 4 < _depth(inlined) <= MAX_SCHEMA_DEPTH
    _with_headroom(lambda: _every_operation(document, value, schema_type))


@pytest.mark.parametrize(("schema_type", "chain"), CHAINS)
def test_references_past_the_limit_name_the_reference(
    schema_type: str, chain: Callable[[int], tuple[Any, Any, Any]]
) -> None:
    document, inlined, _ = chain(_chain_at_limit(chain) + 1)
    assert _depth(document) < MAX_SCHEMA_DEPTH // 4
    with pytest.raises(sk.SchemaParseError) as caught:
        sk.Schema.parse(document, schema_type=schema_type)
    where = caught.value.path
    assert where is not None
    assert where in str(caught.value)
    assert "MAX_SCHEMA_DEPTH" in str(caught.value)
    # The place is a reference of the document, on the way to the first place too deep.
    reference = _resolve_pointer(document, where)
    assert isinstance(reference, str)
    if schema_type == "AVRO":
        assert reference in str(caught.value)  # the named type
        assert _first_too_deep(inlined).startswith(where + "/")
    else:
        assert where.endswith("/$ref")
        assert _first_too_deep(inlined).startswith(where.removesuffix("/$ref") + "/in/")


def test_a_reference_to_a_record_with_named_types_inside_converts_to_arrow() -> None:
    # Each reference reuses the record's struct; walking the definition again would meet its
    # nested named type a second time.
    inner = {"type": "record", "name": "T", "fields": [{"name": "v", "type": "long"}]}
    outer = {"type": "record", "name": "S", "fields": [{"name": "x", "type": inner}]}
    schema = sk.Schema.parse(
        {
            "type": "record",
            "name": "Root",
            "fields": [
                {"name": "a", "type": outer},
                {"name": "b", "type": "S"},
                {"name": "c", "type": "T"},
            ],
        }
    )
    t = pa.struct([pa.field("v", pa.int64(), nullable=False)])
    s = pa.struct([pa.field("x", t, nullable=False)])
    assert schema.to_arrow() == pa.schema(
        [
            pa.field("a", s, nullable=False),
            pa.field("b", s, nullable=False),
            pa.field("c", t, nullable=False),
        ]
    )


def test_references_that_double_at_each_level_convert_in_linear_time() -> None:
    # Ti has two fields of type T(i-1): 2**n leaves once expanded, n definitions written.
    fields: list[Any] = [
        {
            "name": "t0",
            "type": {"type": "record", "name": "T0", "fields": [{"name": "x", "type": "long"}]},
        }
    ]
    n = 0
    while True:
        n += 1
        t = {
            "type": "record",
            "name": f"T{n}",
            "fields": [{"name": "a", "type": f"T{n - 1}"}, {"name": "b", "type": f"T{n - 1}"}],
        }
        candidate = {
            "type": "record",
            "name": "Root",
            "fields": [*fields, {"name": f"t{n}", "type": t}],
        }
        try:
            sk.Schema.parse(candidate)
        except sk.SchemaParseError:
            break
        fields.append({"name": f"t{n}", "type": t})
    assert n > 15  # the limit allows 2**15 leaves and more
    schema = sk.Schema.parse({"type": "record", "name": "Root", "fields": fields})
    started = time.perf_counter()
    arrow = schema.to_arrow()
    assert time.perf_counter() - started < 5.0  # expanding each reference takes minutes
    leaf = arrow.field(f"t{n - 1}").type
    for _ in range(n - 1):
        assert leaf.num_fields == 2
        assert leaf.field(0).type == leaf.field(1).type
        leaf = leaf.field(0).type
    assert leaf == pa.struct([pa.field("x", pa.int64(), nullable=False)])


RECURSIVE = [
    pytest.param(
        "AVRO",
        {
            "type": "record",
            "name": "Node",
            "fields": [{"name": "v", "type": "long"}, {"name": "next", "type": ["null", "Node"]}],
        },
        id="avro-linked-list",
    ),
    pytest.param(
        "JSON",
        {
            "type": "object",
            "properties": {"v": {"type": "integer"}, "next": {"$ref": "#"}},
            "required": ["v"],
        },
        id="json-linked-list",
    ),
]


@pytest.mark.parametrize(("schema_type", "document"), RECURSIVE)
def test_a_recursive_schema_is_not_deep(schema_type: str, document: Any) -> None:
    # A reference back to a type being defined is where every walk stops: not nesting.
    value: Any = {"v": 3, "next": None} if schema_type == "AVRO" else {"v": 3}
    for v in (2, 1):
        value = {"v": v, "next": value}
    schema = sk.Schema.parse(document, schema_type=schema_type)
    assert sk.check_compatibility(schema, schema, level="FULL")
    assert len(sk.diff(schema, schema)) == 0
    registry = sk.Registry(":memory:")
    record = sk.Serializer(registry, "linked", schema=schema).encode(value)
    assert sk.Deserializer(registry).decode(record) == value
    with pytest.raises(sk.SchemaParseError, match="recursive"):
        schema.to_arrow()


# --------------------------------------------------------------------------------------------
# Depth anywhere in the document, and documents no JSON parser can take
# --------------------------------------------------------------------------------------------


def _nested_lists(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def _self_containing() -> Any:
    record: dict[str, Any] = {"type": "record", "name": "R"}
    record["fields"] = [{"name": "f", "type": record}]
    return record


ANYWHERE = [
    pytest.param(
        "AVRO", {"type": "long", "x-meta": _nested_lists(MAX_SCHEMA_DEPTH)}, id="avro-property"
    ),
    pytest.param(
        "AVRO",
        {
            "type": "record",
            "name": "R",
            "fields": [{"name": "f", "type": "long", "x-doc": _nested_lists(MAX_SCHEMA_DEPTH)}],
        },
        id="avro-field-property",
    ),
    pytest.param(
        "JSON", {"type": "array", "examples": _nested_lists(MAX_SCHEMA_DEPTH)}, id="json-examples"
    ),
    pytest.param(
        "JSON",
        _build("JSON", ["object"] * MAX_SCHEMA_DEPTH)[0] | {"title": "a/b~c"},
        id="json-objects",
    ),
    pytest.param("AVRO", _self_containing(), id="avro-dict-that-contains-itself"),
]


@pytest.mark.parametrize(("schema_type", "document"), ANYWHERE)
def test_too_deep_anywhere_in_the_document(schema_type: str, document: Any) -> None:
    with pytest.raises(sk.SchemaParseError) as caught:
        sk.Schema.parse(document, schema_type=schema_type)
    assert caught.value.path == _first_too_deep(document)
    assert "MAX_SCHEMA_DEPTH" in str(caught.value)


def test_a_key_with_slash_and_tilde_is_escaped_in_the_path() -> None:
    document: Any = {"type": "integer"}
    for _ in range(MAX_SCHEMA_DEPTH):
        document = {"type": "object", "properties": {"a/b~c": document}}
    with pytest.raises(sk.SchemaParseError) as caught:
        sk.Schema.parse(json.dumps(document), schema_type="JSON")
    assert caught.value.path == _first_too_deep(document)
    assert caught.value.path.startswith("/properties/a~1b~0c/properties/a~1b~0c/")


TOO_DEEP_TO_PARSE = [
    # (schema type, text, a document with the same first place too deep, as a smaller copy)
    pytest.param(
        "AVRO",
        '{"type":"record","name":"R","fields":[{"name":"f","type":' * 5000
        + '"long"'
        + "}]}" * 5000,
        _build("AVRO", ["record"] * (MAX_SCHEMA_DEPTH // 2))[0],
        id="avro-records",
    ),
    pytest.param(
        "JSON",
        '{"properties":{"a":' * 50_000 + "{}" + "}}" * 50_000,
        json.loads('{"properties":{"a":' * MAX_SCHEMA_DEPTH + "{}" + "}}" * MAX_SCHEMA_DEPTH),
        id="json-objects",
    ),
    pytest.param(
        "AVRO", "[" * 100_000 + "]" * 100_000, _nested_lists(MAX_SCHEMA_DEPTH + 1), id="arrays"
    ),
]


@pytest.mark.parametrize(("schema_type", "text", "smaller"), TOO_DEEP_TO_PARSE)
def test_text_too_deep_for_a_json_parser_still_names_the_place(
    schema_type: str, text: str, smaller: Any
) -> None:
    # Python's json module cannot even parse these (RecursionError); the place is still found.
    with pytest.raises(RecursionError):
        json.loads(text)
    with pytest.raises(sk.SchemaParseError) as caught:
        sk.Schema.parse(text, schema_type=schema_type)
    assert caught.value.path == _first_too_deep(smaller)
    assert "MAX_SCHEMA_DEPTH" in str(caught.value)


# --------------------------------------------------------------------------------------------
# The served registry: 200 at the limit, 422/42201 past it, never 5xx
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    path: Path = tmp_path_factory.mktemp("deep") / "registry.duckdb"
    with (
        serve(path) as base_url,
        httpx.Client(
            base_url=base_url, headers={"Content-Type": CONTENT_TYPE}, timeout=60.0
        ) as client,
    ):
        yield client


def _body(text: str, schema_type: str) -> dict[str, Any]:
    return {"schema": text} | ({} if schema_type == "AVRO" else {"schemaType": schema_type})


SERVED_AT_LIMIT = [
    pytest.param("AVRO", _build("AVRO", ["record"] * _at_limit("AVRO", ["record"]))[0], id="avro"),
    pytest.param(
        "AVRO",
        _build("AVRO", ["nullable record", "map"] * _at_limit("AVRO", ["nullable record", "map"]))[
            0
        ],
        id="avro-mixed",
    ),
    pytest.param("JSON", _build("JSON", ["object"] * _at_limit("JSON", ["object"]))[0], id="json"),
    pytest.param("AVRO", _avro_chain(_chain_at_limit(_avro_chain))[0], id="avro-references"),
    pytest.param("JSON", _json_chain(_chain_at_limit(_json_chain))[0], id="json-references"),
]


@pytest.mark.parametrize(("schema_type", "document"), SERVED_AT_LIMIT)
def test_served_registry_at_the_limit(
    served: httpx.Client, schema_type: str, document: Any, request: pytest.FixtureRequest
) -> None:
    subject = f"at-limit-{request.node.callspec.id}"
    text = json.dumps(document)
    answer = served.post(f"/subjects/{subject}/versions", json=_body(text, schema_type))
    assert answer.status_code == 200, answer.text
    schema_id = answer.json()["id"]
    stored = served.get(f"/schemas/ids/{schema_id}")
    assert stored.status_code == 200
    assert json.loads(stored.json()["schema"]) == document
    found = served.post(f"/subjects/{subject}", json=_body(text, schema_type))
    assert found.status_code == 200
    assert found.json()["id"] == schema_id
    check = served.post(
        f"/compatibility/subjects/{subject}/versions/latest", json=_body(text, schema_type)
    )
    assert check.status_code == 200
    assert check.json()["is_compatible"] is True


SERVED_PAST_LIMIT = [
    pytest.param(
        "AVRO",
        json.dumps(_build("AVRO", ["record"] * (_at_limit("AVRO", ["record"]) + 1))[0]),
        id="avro",
    ),
    pytest.param(
        "JSON",
        json.dumps(_build("JSON", ["object"] * (_at_limit("JSON", ["object"]) + 1))[0]),
        id="json",
    ),
    pytest.param("AVRO", json.dumps(_avro_chain(_chain_at_limit(_avro_chain) + 1)[0]), id="refs"),
    pytest.param(
        "AVRO",
        '{"type":"record","name":"R","fields":[{"name":"f","type":' * 250 + '"long"' + "}]}" * 250,
        id="avro-250-records",
    ),
    pytest.param("JSON", "[" * 100_000 + "]" * 100_000, id="json-100000-arrays"),
]


@pytest.mark.parametrize(("schema_type", "text"), SERVED_PAST_LIMIT)
def test_served_registry_past_the_limit_is_42201(
    served: httpx.Client, schema_type: str, text: str, request: pytest.FixtureRequest
) -> None:
    subject = f"past-limit-{request.node.callspec.id}"
    # A subject that exists, so lookup and check reach the schema (not "subject not found").
    small = '{"type":"object"}' if schema_type == "JSON" else '"long"'
    first = served.post(f"/subjects/{subject}/versions", json=_body(small, schema_type))
    assert first.status_code == 200
    for url in [
        f"/subjects/{subject}/versions",
        f"/subjects/{subject}",
        f"/compatibility/subjects/{subject}/versions/latest",
    ]:
        answer = served.post(url, json=_body(text, schema_type))
        assert answer.status_code == 422, (url, answer.text)
        body = answer.json()
        assert body["error_code"] == 42201
        assert "MAX_SCHEMA_DEPTH" in body["message"]
    assert served.get(f"/subjects/{subject}/versions").json() == [1]  # nothing was stored


# --------------------------------------------------------------------------------------------
# Property: random shapes around the limit
# --------------------------------------------------------------------------------------------

AVRO_KINDS = ["record", "nullable record", "array", "map", "union of array"]
JSON_KINDS = ["object", "array", "anyOf", "allOf"]


@st.composite
def _around_the_limit(draw: st.DrawFn, schema_type: str) -> Built:
    """A schema of random shape whose depth is within a few levels of the limit."""
    kinds = AVRO_KINDS if schema_type == "AVRO" else JSON_KINDS
    shape = draw(
        st.lists(st.sampled_from(kinds), min_size=MAX_SCHEMA_DEPTH, max_size=MAX_SCHEMA_DEPTH)
    )
    target = draw(st.integers(MAX_SCHEMA_DEPTH - 6, MAX_SCHEMA_DEPTH + 6))
    n = 1
    while n < len(shape) and _depth(_build(schema_type, shape[:n])[0]) < target:
        n += 1
    return _build(schema_type, shape[:n])


def _property(schema_type: str, built: Built) -> None:
    document, value = built
    if _depth(document) <= MAX_SCHEMA_DEPTH:
        _with_headroom(lambda: _every_operation(document, value, schema_type))
        return
    with pytest.raises(sk.SchemaParseError) as caught:
        sk.Schema.parse(json.dumps(document), schema_type=schema_type)
    assert caught.value.path == _first_too_deep(document)
    assert "MAX_SCHEMA_DEPTH" in str(caught.value)


@settings(PROFILE)
@given(built=_around_the_limit("AVRO"))
def test_property_avro_schemas_around_the_limit(built: Built) -> None:
    _property("AVRO", built)


@settings(PROFILE)
@given(built=_around_the_limit("JSON"))
def test_property_json_schemas_around_the_limit(built: Built) -> None:
    _property("JSON", built)


# --------------------------------------------------------------------------------------------
# Inference from data nested past the limit
# --------------------------------------------------------------------------------------------


def _deep_struct_table(levels: int) -> pa.Table:
    dtype: pa.DataType = pa.int64()
    for _ in range(levels):
        dtype = pa.struct([pa.field("f", dtype)])
    # A shallow column first, so the error must pick the deep one.
    return pa.table({"id": pa.array([1], pa.int64()), "deep": pa.nulls(1, type=dtype)})


@pytest.mark.parametrize("format_", ["avro", "json"])
@pytest.mark.parametrize("levels", [MAX_SCHEMA_DEPTH, 3000], ids=["past-the-limit", "3000"])
def test_infer_from_data_nested_past_the_limit_names_the_column(format_: str, levels: int) -> None:
    # 3000 levels is deeper than inference's own walk of the Arrow type could go.
    with pytest.raises(sk.InferenceError) as caught:
        sk.infer(_deep_struct_table(levels), format=format_)
    assert caught.value.column == "deep"
    assert "'deep'" in str(caught.value)
    assert "MAX_SCHEMA_DEPTH" in str(caught.value)


@pytest.mark.parametrize("format_", ["avro", "json"])
def test_infer_from_data_within_the_limit(format_: str) -> None:
    schema = sk.infer(_deep_struct_table(8), format=format_)
    assert schema.fields == ("id", "deep")
    assert _depth(schema.to_dict()) <= MAX_SCHEMA_DEPTH


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"schema": ' + "[" * 100_000 + "]" * 100_000 + "}", id="schema-as-json"),
        pytest.param(
            '{"schema": "\\"long\\"", "references": ' + "[" * 100_000 + "]" * 100_000 + "}",
            id="references",
        ),
        pytest.param(
            '{"schema": "\\"long\\"", "x": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}",
            id="extra-member",
        ),
    ],
)
def test_served_registry_deep_request_body_is_42201(served: httpx.Client, body: str) -> None:
    answer = served.post("/subjects/deep-body/versions", content=body)
    assert answer.status_code == 422
    assert answer.json()["error_code"] == 42201
    assert "deep-body" not in served.get("/subjects").json()
