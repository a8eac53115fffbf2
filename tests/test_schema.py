"""The Schema value object (schemakit/schema.py): validation rules, identity, display."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import fastavro.schema
import pytest

from schemakit.errors import SchemaParseError
from schemakit.schema import Schema


def _record(*fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": "R", "fields": list(fields), **extra}


def _field(type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": "f", "type": type_, **extra}


_ENUM_E = {"type": "enum", "name": "E", "symbols": ["A", "B"]}
_SUB = {"type": "record", "name": "Sub", "fields": [{"name": "x", "type": "long"}]}

# (schema, expected error path, message fragment)
BAD_AVRO: list[Any] = [
    # JSON and the shape of the document
    pytest.param(
        '{"type": "record",\n "name": "R" "fields": []}', "", "line 2, column 14", id="invalid-json"
    ),
    pytest.param(
        '{"type": "double", "default": NaN}', "/default", "nan is not finite", id="json-nan"
    ),
    pytest.param("42", "", "a schema is a type name", id="number-at-root"),
    pytest.param({"name": "R", "fields": []}, "", 'missing "type"', id="missing-type"),
    pytest.param(
        {"type": {"type": "int"}}, "/type", '"type" of a schema object', id="type-not-a-string"
    ),
    # type names and where they are defined
    pytest.param({"type": "panther"}, "/type", "unknown type 'panther'", id="unknown-type-object"),
    pytest.param(_record(_field("Foo")), "/fields/0/type", "unknown type 'Foo'", id="unknown-type"),
    pytest.param(
        _record({"name": "a", "type": "E"}, {"name": "b", "type": _ENUM_E}),
        "/fields/0/type",
        "defined before its use",
        id="use-before-definition",
    ),
    pytest.param(
        _record(
            {"name": "a", "type": {**_ENUM_E, "namespace": "x"}},
            {"name": "b", "type": "y.E"},
        ),
        "/fields/1/type",
        "unknown type 'y.E'",
        id="reference-in-wrong-namespace",
    ),
    pytest.param(
        _record(
            {"name": "a", "type": {**_ENUM_E, "namespace": ""}},
            {"name": "b", "type": "E"},
            namespace="x",
        ),
        "/fields/1/type",
        "not supported by fastavro",
        id="null-namespace-reference-from-namespace",
    ),
    # required attributes
    pytest.param({"type": "record", "fields": []}, "", 'needs a "name"', id="missing-name"),
    pytest.param({"type": "record", "name": "R"}, "", 'needs "fields"', id="missing-fields"),
    pytest.param({"type": "enum", "name": "E"}, "", 'needs "symbols"', id="missing-symbols"),
    pytest.param({"type": "array"}, "", 'needs "items"', id="missing-items"),
    pytest.param({"type": "map"}, "", 'needs "values"', id="missing-values"),
    pytest.param({"type": "fixed", "name": "F"}, "", 'needs a "size"', id="missing-size"),
    pytest.param(_record({"name": "f"}), "/fields/0", 'needs a "type"', id="field-missing-type"),
    pytest.param(_record({"type": "int"}), "/fields/0", 'needs a "name"', id="field-missing-name"),
    pytest.param(
        {"type": "record", "name": "R", "fields": "f"}, "/fields", "list", id="fields-not-list"
    ),
    # names
    pytest.param(
        {"type": "fixed", "name": "dr. spaceman", "size": 1}, "/name", "invalid name", id="bad-name"
    ),
    pytest.param({**_ENUM_E, "name": ""}, "/name", "non-empty string", id="empty-name"),
    pytest.param({**_ENUM_E, "name": ["E"]}, "/name", "non-empty string", id="name-not-string"),
    pytest.param(
        {**_ENUM_E, "namespace": "a..b"}, "/namespace", "invalid namespace", id="bad-namespace"
    ),
    pytest.param({**_ENUM_E, "name": "a..E"}, "/name", "invalid name", id="bad-dotted-name"),
    pytest.param(
        _record(_field("int") | {"name": "1a"}),
        "/fields/0/name",
        "invalid field name",
        id="bad-field-name",
    ),
    pytest.param(
        {**_ENUM_E, "name": "int"}, "/name", "like a primitive", id="named-like-primitive"
    ),
    pytest.param(
        {"type": "record", "name": "string", "namespace": "", "fields": []},
        "/name",
        "like a primitive",
        id="named-like-primitive-null-namespace",
    ),
    pytest.param(
        _record({"name": "a", "type": _ENUM_E}, {"name": "b", "type": _ENUM_E}),
        "/fields/1/type/name",
        "defined twice",
        id="redefined-named-type",
    ),
    pytest.param(
        _record(_field(_SUB), name="Sub"),
        "/fields/0/type/name",
        "'Sub' is defined twice",
        id="redefined-self",
    ),
    pytest.param(
        _record(_field("int"), _field("long")),
        "/fields/1/name",
        "duplicate field name 'f'",
        id="duplicate-field",
    ),
    pytest.param({**_ENUM_E, "aliases": ["a b"]}, "/aliases/0", "invalid alias", id="bad-alias"),
    pytest.param({**_ENUM_E, "aliases": "A"}, "/aliases", "list", id="aliases-not-list"),
    pytest.param(
        _record(_field("int", aliases=["x.y"])),
        "/fields/0/aliases/0",
        "invalid alias",
        id="bad-field-alias",
    ),
    pytest.param(
        _record(_field("int", order="up")), "/fields/0/order", "invalid order", id="bad-order"
    ),
    pytest.param(
        _record(_field("int", order=1)), "/fields/0/order", "'ascending'", id="order-not-string"
    ),
    # enum and fixed
    pytest.param(
        {**_ENUM_E, "symbols": ["A", "A"]}, "/symbols/1", "duplicate symbol", id="duplicate-symbol"
    ),
    pytest.param(
        {**_ENUM_E, "symbols": ["white space"]}, "/symbols/0", "invalid symbol", id="bad-symbol"
    ),
    pytest.param({**_ENUM_E, "symbols": "A B"}, "/symbols", "list", id="symbols-not-list"),
    pytest.param(
        {**_ENUM_E, "default": "C"}, "/default", "not one of the symbols", id="enum-default"
    ),
    pytest.param(
        {"type": "fixed", "name": "F", "size": -2}, "/size", "non-negative int", id="size-negative"
    ),
    pytest.param(
        {"type": "fixed", "name": "F", "size": "4"}, "/size", "non-negative int", id="size-string"
    ),
    pytest.param(
        {"type": "fixed", "name": "F", "size": True}, "/size", "non-negative int", id="size-bool"
    ),
    pytest.param(
        {"type": "fixed", "name": "F", "size": 1.0}, "/size", "non-negative int", id="size-float"
    ),
    # unions
    pytest.param(["null", "null"], "/1", "duplicate union branch", id="union-duplicate-null"),
    pytest.param(
        ["long", {"type": "long"}], "/1", "'long' already is branch 0", id="union-duplicate-long"
    ),
    pytest.param(
        ["int", {"type": "int", "logicalType": "date"}],
        "/1",
        "duplicate union branch",
        id="union-logical-same-type",
    ),
    pytest.param(
        [{"type": "array", "items": "long"}, {"type": "array", "items": "string"}],
        "/1",
        "'array'",
        id="union-two-arrays",
    ),
    pytest.param(
        [{"type": "map", "values": "long"}, {"type": "map", "values": "string"}],
        "/1",
        "'map'",
        id="union-two-maps",
    ),
    pytest.param([_ENUM_E, "E"], "/1", "named type 'E'", id="union-same-named-type"),
    pytest.param(["null", ["int", "long"]], "/1", "another union", id="union-in-union"),
    # defaults
    pytest.param(
        _record(_field("int", default="1")),
        "/fields/0/default",
        "type int",
        id="default-int-string",
    ),
    pytest.param(
        _record(_field("int", default=1.5)), "/fields/0/default", "type int", id="default-int-float"
    ),
    pytest.param(
        _record(_field("int", default=2**31)),
        "/fields/0/default",
        "type int",
        id="default-int-range",
    ),
    pytest.param(
        _record(_field("long", default=2**63)),
        "/fields/0/default",
        "type long",
        id="default-long-range",
    ),
    pytest.param(
        _record(_field("long", default=True)),
        "/fields/0/default",
        "type long",
        id="default-long-bool",
    ),
    pytest.param(
        _record(_field("double", default="1.0")),
        "/fields/0/default",
        "type double",
        id="default-double-string",
    ),
    pytest.param(
        _record(_field("float", default=False)),
        "/fields/0/default",
        "type float",
        id="default-float-bool",
    ),
    pytest.param(
        _record(_field("boolean", default=1)),
        "/fields/0/default",
        "type boolean",
        id="default-boolean",
    ),
    pytest.param(
        _record(_field("null", default=0)), "/fields/0/default", "type null", id="default-null"
    ),
    pytest.param(
        _record(_field("string", default=None)),
        "/fields/0/default",
        "type string",
        id="default-string-null",
    ),
    pytest.param(
        _record(_field("bytes", default="\u0100")),
        "/fields/0/default",
        "0-255",
        id="default-bytes-codepoint",
    ),
    pytest.param(
        _record(_field("bytes", default=[1])),
        "/fields/0/default",
        "type bytes",
        id="default-bytes-list",
    ),
    pytest.param(
        _record(_field({"type": "fixed", "name": "F", "size": 2}, default="\u00ff")),
        "/fields/0/default",
        "has 1 bytes, not 2",
        id="default-fixed-length",
    ),
    pytest.param(
        _record(_field(_ENUM_E, default="C")),
        "/fields/0/default",
        "enum 'E'",
        id="default-enum-symbol",
    ),
    pytest.param(
        _record(_field(["null", "string"], default="null")),
        "/fields/0/default",
        "must match its first branch",
        id="default-union-first-branch",
    ),
    pytest.param(
        _record(_field(["string", "null"], default=None)),
        "/fields/0/default",
        "first branch",
        id="default-union-null-second",
    ),
    pytest.param(
        _record(_field(_SUB, default={"x": "no"})),
        "/fields/0/default/x",
        "type long",
        id="default-record-nested",
    ),
    pytest.param(
        _record(_field(_SUB, default={})),
        "/fields/0/default",
        "no value for field 'x'",
        id="default-record-missing",
    ),
    pytest.param(
        _record(_field(_SUB, default=[])),
        "/fields/0/default",
        "record 'Sub'",
        id="default-record-not-object",
    ),
    pytest.param(
        _record(_field({"type": "array", "items": "int"}, default=[1, "2"])),
        "/fields/0/default/1",
        "type int",
        id="default-array-item",
    ),
    pytest.param(
        _record(_field({"type": "map", "values": "int"}, default={"k": None})),
        "/fields/0/default/k",
        "type int",
        id="default-map-value",
    ),
    pytest.param(
        _record({"name": "a", "type": _ENUM_E}, {"name": "b", "type": "E", "default": "Z"}),
        "/fields/1/default",
        "enum 'E'",
        id="default-via-reference",
    ),
]


@pytest.mark.parametrize(("schema", "path", "fragment"), BAD_AVRO)
def test_bad_avro_schema(schema: Any, path: str, fragment: str) -> None:
    with pytest.raises(SchemaParseError) as info:
        Schema.parse(schema)
    assert info.value.path == path
    assert fragment in str(info.value)
    assert f"at {path or 'the root'}" in str(info.value) or path == ""


GOOD_AVRO: list[Any] = [
    pytest.param("string", id="bare-primitive"),
    pytest.param('"string"', id="quoted-primitive"),
    pytest.param("[]", id="empty-union"),
    pytest.param({"type": "error", "name": "Oops", "fields": []}, id="error-type"),
    pytest.param({**_ENUM_E, "name": "record"}, id="named-like-keyword"),
    pytest.param({**_ENUM_E, "namespace": "ns", "name": "int"}, id="primitive-name-in-namespace"),
    pytest.param({**_ENUM_E, "namespace": None}, id="namespace-null"),
    pytest.param({**_ENUM_E, "aliases": ["a.b.Old", "Older"]}, id="qualified-aliases"),
    pytest.param({**_ENUM_E, "default": "B"}, id="enum-default"),
    pytest.param({"type": "fixed", "name": "F", "size": 0}, id="fixed-size-zero"),
    pytest.param(_record(_field("int", order="DESCENDING")), id="order-any-case"),
    pytest.param(
        _record({"name": "a", "type": _ENUM_E}, {"name": "b", "type": {"type": "E"}}),
        id="type-object-reference",
    ),
    pytest.param(
        _record({"name": "a", "type": {**_ENUM_E, "namespace": "x"}}, {"name": "b", "type": "x.E"}),
        id="qualified-reference",
    ),
    pytest.param(
        _record({"name": "a", "type": _ENUM_E}, {"name": "b", "type": "E"}, namespace="x"),
        id="reference-in-enclosing-namespace",
    ),
    pytest.param(
        _record(
            {"name": "a", "type": {**_ENUM_E, "namespace": "other"}},
            {"name": "b", "type": {**_ENUM_E, "namespace": "third"}},
        ),
        id="same-name-other-namespaces",
    ),
    pytest.param([_ENUM_E, {**_ENUM_E, "name": "x.E"}], id="union-named-different-fullnames"),
    pytest.param(_record(_field(["null", "R"], default=None)), id="recursive-record"),
    pytest.param(_record(_field("double", default=1)), id="default-double-int"),
    pytest.param(_record(_field({"type": "float"}, default=0)), id="default-float-object-int"),
    pytest.param(_record(_field("float", default=1.5e300)), id="default-float-json-number"),
    pytest.param(_record(_field("bytes", default="\u00ff\u0000")), id="default-bytes"),
    pytest.param(
        _record(_field({"type": "fixed", "name": "F", "size": 2}, default="ab")), id="default-fixed"
    ),
    pytest.param(_record(_field("boolean", default=False)), id="default-boolean"),
    pytest.param(_record(_field("int", default=-(2**31))), id="default-int-min"),
    pytest.param(_record(_field(["int", "null"], default=3)), id="default-union-first"),
    pytest.param(
        _record(
            _field(
                {
                    "type": "record",
                    "name": "S",
                    "fields": [{"name": "x", "type": "int", "default": 1}],
                },
                default={},
            )
        ),
        id="default-record-uses-field-defaults",
    ),
    pytest.param(
        _record(_field(_SUB, default={"x": 1, "extra": "ignored"})), id="default-record-extra-key"
    ),
    pytest.param(
        _record(_field({"type": "map", "values": "double"}, default={"a": 1})), id="default-map"
    ),
    pytest.param(
        {"type": "bytes", "logicalType": "decimal", "precision": 0, "scale": 0},
        id="decimal-bad-precision-ignored",
    ),
    pytest.param(
        {"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 3},
        id="decimal-scale-over-precision-ignored",
    ),
    pytest.param(
        {"type": "string", "logicalType": "decimal", "precision": 2}, id="decimal-on-string-ignored"
    ),
    pytest.param(
        {"type": "fixed", "name": "F", "size": 1, "logicalType": "decimal", "precision": 3},
        id="decimal-fixed-too-small-ignored",
    ),
    pytest.param({"type": "int", "logicalType": "no-such-type"}, id="unknown-logical-type"),
]


@pytest.mark.parametrize("schema", GOOD_AVRO)
def test_good_avro_schema(schema: Any) -> None:
    parsed = Schema.parse(schema)
    assert parsed.schema_type == "AVRO"
    # the canonical form is itself a valid schema with the same canonical form
    assert Schema.parse(parsed.canonical_form) == parsed


def test_invalid_decimal_is_ignored_but_kept_in_the_document() -> None:
    bad = {"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": -2}
    schema = Schema.parse(bad)
    assert schema.to_dict() == bad
    assert "logicalType" not in schema._parsed
    good = Schema.parse({"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2})
    assert good._parsed["logicalType"] == "decimal"


def test_defaults_reach_fastavro_as_their_types() -> None:
    schema = Schema.parse(_record(_field({"type": "double"}, default=1)))
    assert schema._parsed["fields"][0]["default"] == 1.0
    assert isinstance(schema._parsed["fields"][0]["default"], float)
    assert schema.to_dict()["fields"][0]["default"] == 1


def test_fastavro_errors_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(schema: Any) -> Any:
        raise fastavro.schema.SchemaParseException("no")

    monkeypatch.setattr(fastavro.schema, "parse_schema", boom)
    with pytest.raises(SchemaParseError, match="fastavro rejects it: no") as info:
        Schema.parse('"int"')
    assert isinstance(info.value.__cause__, fastavro.schema.SchemaParseException)


# -- options -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["avro", "Avro", "AVRO"])
def test_schema_type_any_case(kind: str) -> None:
    assert Schema.parse('"int"', schema_type=kind).schema_type == "AVRO"


def test_protobuf_is_reserved() -> None:
    with pytest.raises(SchemaParseError, match=r"PROTOBUF.*not supported yet"):
        Schema.parse("syntax = 'proto3';", schema_type="protobuf")


def test_unknown_schema_type_lists_choices() -> None:
    with pytest.raises(ValueError, match="'AVRO', 'JSON', 'PROTOBUF'"):
        Schema.parse('"int"', schema_type="xml")


def test_other_python_types_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="set"):
        Schema.parse({"int"})


def test_parse_returns_a_schema_as_is() -> None:
    schema = Schema.parse('"int"')
    assert Schema.parse(schema) is schema
    with pytest.raises(SchemaParseError, match="not a JSON schema"):
        Schema.parse(schema, schema_type="JSON")


# -- text, to_dict, fields ---------------------------------------------------------------------


def test_text_is_exactly_as_given() -> None:
    text = '{ "type" : "record", "name": "R",\n  "fields": [] }'
    assert Schema.parse(text).text == text


def test_text_of_a_dict_is_compact_and_stable() -> None:
    doc = {"type": "record", "name": "R", "doc": "café", "fields": [{"name": "a", "type": "int"}]}
    first = Schema.parse(doc).text
    assert first == '{"type":"record","name":"R","doc":"café","fields":[{"name":"a","type":"int"}]}'
    assert Schema.parse(copy.deepcopy(doc)).text == first
    assert json.loads(first) == doc


def test_bare_primitive_text_is_its_json_spelling() -> None:
    schema = Schema.parse("string")
    assert schema.text == '"string"'
    assert schema.to_dict() == "string"
    assert schema == Schema.parse('"string"') == Schema.parse({"type": "string"})


def test_bare_null_is_the_null_type_not_json_null() -> None:
    schema = Schema.parse(" null ")
    assert schema.text == '"null"'
    assert schema.to_dict() == "null"
    assert schema.canonical_form == '"null"'
    assert schema == Schema.parse('"null"')


def test_to_dict_is_a_deep_copy() -> None:
    doc = _record(_field("int"))
    schema = Schema.parse(doc)
    doc["fields"].append(_field("long") | {"name": "g"})
    out = schema.to_dict()
    out["fields"][0]["name"] = "changed"
    assert schema.to_dict() == _record(_field("int"))
    assert schema.fields == ("f",)


@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        pytest.param(_record(_field("int"), _field(_SUB) | {"name": "g"}), ("f", "g"), id="record"),
        pytest.param({"type": "error", "name": "X", "fields": [_field("int")]}, ("f",), id="error"),
        pytest.param(_ENUM_E, (), id="enum"),
        pytest.param(["null", _SUB], (), id="union"),
        pytest.param('"string"', (), id="primitive"),
    ],
)
def test_fields(schema: Any, fields: tuple[str, ...]) -> None:
    assert Schema.parse(schema).fields == fields


def test_immutable() -> None:
    schema = Schema.parse('"int"')
    with pytest.raises(AttributeError, match="immutable"):
        schema._text = "x"
    with pytest.raises(AttributeError, match="immutable"):
        del schema._text
    assert copy.copy(schema) is schema
    assert copy.deepcopy(schema) is schema


# -- identity ----------------------------------------------------------------------------------

_PLAIN = _record(_field("int"), namespace="com.acme")
_DECORATED = _record(
    _field("int", doc="a field", default=3, aliases=["old"], order="descending"),
    namespace="com.acme",
    doc="a record",
    aliases=["Older"],
)


def test_equality_is_by_canonical_form() -> None:
    plain, decorated = Schema.parse(_PLAIN), Schema.parse(_DECORATED)
    assert plain == decorated
    assert hash(plain) == hash(decorated)
    assert plain.text != decorated.text
    assert len({plain, decorated}) == 1
    assert plain != Schema.parse(_record(_field("long"), namespace="com.acme"))
    assert plain != Schema.parse(_record(_field("int"), namespace="org.acme"))
    assert plain != "not a schema"


def test_avro_and_json_are_never_equal() -> None:
    text = '{"type": "string"}'
    assert Schema.parse(text) != Schema.parse(text, schema_type="JSON")


def test_canonical_form_matches_fastavro() -> None:
    schema = Schema.parse(_DECORATED)
    assert schema.canonical_form == fastavro.schema.to_parsing_canonical_form(_DECORATED)
    assert schema.canonical_form == (
        '{"name":"com.acme.R","type":"record","fields":[{"name":"f","type":"int"}]}'
    )


_ALGORITHMS = sorted(a for a in fastavro.schema.FINGERPRINT_ALGORITHMS if not a.startswith("shake"))


@pytest.mark.parametrize("algorithm", _ALGORITHMS)
def test_fingerprint_matches_fastavro(algorithm: str) -> None:
    schema = Schema.parse(_DECORATED)
    canonical = fastavro.schema.to_parsing_canonical_form(_DECORATED)
    assert schema.fingerprint(algorithm=algorithm) == fastavro.schema.fingerprint(
        canonical, algorithm
    )


def test_fingerprint_default_is_crc64() -> None:
    assert Schema.parse('"int"').fingerprint() == "8f5c393f1ad57572"


@pytest.mark.parametrize("algorithm", ["crc64", "sha-256", "shake_128", ""])
def test_fingerprint_unknown_algorithm(algorithm: str) -> None:
    with pytest.raises(ValueError, match="expected one of 'CRC-64-AVRO', 'MD5', 'SHA-256'"):
        Schema.parse('"int"').fingerprint(algorithm=algorithm)


@pytest.mark.parametrize(
    ("schema", "schema_type"),
    [
        pytest.param(_DECORATED, "AVRO", id="avro"),
        pytest.param('  "string" ', "AVRO", id="avro-text"),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "integer"}}}, "JSON", id="json"
        ),
        pytest.param(True, "JSON", id="json-bool"),
    ],
)
def test_pickle_round_trip(schema: Any, schema_type: str) -> None:
    original = Schema.parse(schema, schema_type=schema_type)
    restored = pickle.loads(pickle.dumps(original))
    assert restored == original
    assert restored.text == original.text
    assert restored.schema_type == original.schema_type
    assert restored.to_dict() == original.to_dict()


# -- display -----------------------------------------------------------------------------------


def _flight(n: int) -> dict[str, Any]:
    fields = [{"name": f"f{i}", "type": "int"} for i in range(n)]
    return {"type": "record", "name": "Flight", "namespace": "com.acme", "fields": fields}


@pytest.mark.parametrize(
    ("schema", "schema_type", "expected"),
    [
        pytest.param(
            _flight(19), "AVRO", "Schema(AVRO record com.acme.Flight, 19 fields)", id="record"
        ),
        pytest.param(
            _flight(1), "AVRO", "Schema(AVRO record com.acme.Flight, 1 field)", id="one-field"
        ),
        pytest.param(_ENUM_E, "AVRO", "Schema(AVRO enum E, 2 symbols)", id="enum"),
        pytest.param(
            {"type": "fixed", "name": "F", "size": 16},
            "AVRO",
            "Schema(AVRO fixed F, size 16)",
            id="fixed",
        ),
        pytest.param(["null", "string"], "AVRO", "Schema(AVRO union, 2 branches)", id="union"),
        pytest.param(
            {"type": "array", "items": "long"}, "AVRO", "Schema(AVRO array<long>)", id="array"
        ),
        pytest.param('"bytes"', "AVRO", "Schema(AVRO bytes)", id="primitive"),
        pytest.param(
            {"type": "object", "properties": {"a": {}}},
            "JSON",
            "Schema(JSON object, 1 property)",
            id="json",
        ),
        pytest.param(False, "JSON", "Schema(JSON false)", id="json-bool"),
    ],
)
def test_repr_is_one_cheap_line(schema: Any, schema_type: str, expected: str) -> None:
    assert repr(Schema.parse(schema, schema_type=schema_type)) == expected


def test_repr_html_escapes_and_indents_nested_fields() -> None:
    schema = Schema.parse(
        {
            "type": "record",
            "name": "Flight",
            "fields": [
                {"name": "dep", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {
                    "name": "note",
                    "type": ["null", "string"],
                    "default": None,
                    "doc": "<script>x</script>",
                },
                {
                    "name": "carrier",
                    "type": {
                        "type": "record",
                        "name": "Carrier",
                        "fields": [{"name": "code", "type": "string"}],
                    },
                },
            ],
        }
    )
    html = schema._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "timestamp-millis" in html
    assert "&nbsp;&nbsp;&nbsp;&nbsp;carrier.code" in html
    assert "record Carrier" in html
    assert "AVRO record Flight, 3 fields" in html


def test_repr_html_escapes_names_in_non_record_schemas() -> None:
    html = Schema.parse(
        {"type": "object", "properties": {"<b>": {"type": "string"}}}, schema_type="JSON"
    )._repr_html_()
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert "(root)" in Schema.parse('"int"')._repr_html_()


def test_repr_html_is_bounded() -> None:
    html = Schema.parse(_flight(250))._repr_html_()
    assert "50 more rows" in html
    assert "f199" in html
    assert "f200<" not in html


# -- JSON Schema -------------------------------------------------------------------------------

GOOD_JSON: list[Any] = [
    pytest.param(
        {"type": "object", "properties": {"id": {"type": "integer"}}}, ("id",), id="object"
    ),
    pytest.param('{"type": "string", "maxLength": 3}', (), id="text"),
    pytest.param(True, (), id="boolean"),
    pytest.param("false", (), id="boolean-text"),
    pytest.param(
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}, (), id="draft-07"
    ),
    pytest.param(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "properties": {"a": True, "b": False},
        },
        ("a", "b"),
        id="draft-2020-12",
    ),
]


@pytest.mark.parametrize(("schema", "fields"), GOOD_JSON)
def test_good_json_schema(schema: Any, fields: tuple[str, ...]) -> None:
    parsed = Schema.parse(schema, schema_type="JSON")
    assert parsed.schema_type == "JSON"
    assert parsed.fields == fields


BAD_JSON: list[Any] = [
    pytest.param('{"type": ', "", "line 1, column 10", id="invalid-json"),
    pytest.param("string", "", "not valid JSON", id="bare-name"),
    pytest.param("[1, 2]", "", "an object or a boolean", id="array"),
    pytest.param(
        {"type": "object", "properties": {"a": {"type": "strin"}}},
        "/properties/a/type",
        "'strin'",
        id="bad-type",
    ),
    pytest.param(
        {"minimum": "x"}, "/minimum", "'x' is not of type 'number'", id="bad-keyword-value"
    ),
    pytest.param(
        {"$schema": "http://example.com/nope"},
        "/$schema",
        "unknown metaschema",
        id="unknown-metaschema",
    ),
    pytest.param({"$schema": 7}, "/$schema", "unknown metaschema", id="metaschema-not-string"),
]


@pytest.mark.parametrize(("schema", "path", "fragment"), BAD_JSON)
def test_bad_json_schema(schema: Any, path: str, fragment: str) -> None:
    with pytest.raises(SchemaParseError) as info:
        Schema.parse(schema, schema_type="JSON")
    assert info.value.path == path
    assert fragment in str(info.value)


def test_json_canonical_form_sorts_keys() -> None:
    a = Schema.parse('{"type": "object", "title": "T"}', schema_type="json")
    b = Schema.parse({"title": "T", "type": "object"}, schema_type="json")
    assert a.canonical_form == '{"title":"T","type":"object"}'
    assert a == b
    assert a.fingerprint() == fastavro.schema.fingerprint(a.canonical_form, "CRC-64-AVRO")


def test_too_deep_nesting_is_a_parse_error() -> None:
    deep = '"int"'
    for _ in range(5000):
        deep = '{"type": "array", "items": ' + deep + "}"
    with pytest.raises(SchemaParseError, match="MAX_SCHEMA_DEPTH"):
        Schema.parse(deep)


@pytest.mark.parametrize(
    ("text", "schema_type", "path", "fragment"),
    [
        (
            '{"type": "record", "name": "R", "fields": '
            '[{"name": "a", "type": "double", "default": 1e999}]}',
            "AVRO",
            "/fields/0/default",
            "not finite",
        ),
        ('{"type": "record", "name": "R", "doc": "\\udc80", "fields": []}', "AVRO", "/doc", "lone"),
        (
            '{"type": "enum", "name": "E", "symbols": ["A"], "doc": "x\udc80"}',
            "AVRO",
            "/doc",
            "lone",
        ),
        ('{"type": "object", "\\ud800": 1}', "JSON", "", "lone surrogate"),
        ('{"type": "number", "maximum": -1e400}', "JSON", "/maximum", "-inf"),
    ],
)
def test_json_that_no_registry_can_store_is_a_parse_error(
    text: str, schema_type: str, path: str, fragment: str
) -> None:
    # 1e999 parses to infinity and "\udc80" to a lone surrogate: neither is UTF-8 JSON again.
    with pytest.raises(SchemaParseError, match=fragment) as info:
        Schema.parse(text, schema_type=schema_type)
    assert info.value.path == path


def test_fingerprint_takes_the_algorithm_positionally() -> None:
    import fastavro

    schema = Schema.parse({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    for algorithm in ("MD5", "SHA-256", "CRC-64-AVRO"):
        expected = fastavro.schema.fingerprint(schema.canonical_form, algorithm)
        assert schema.fingerprint(algorithm) == schema.fingerprint(algorithm=algorithm) == expected
