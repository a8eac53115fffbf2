"""Datasets on disk → Profile: Parquet from the footer only, CSV and JSON lines through DuckDB."""

from __future__ import annotations

import gzip
import json
import os
import pickle
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemakit._datasets import profile_dataset
from schemakit._profile import NullSite
from schemakit.errors import InferenceError


def write_parquet(path: Path, columns: dict[str, pa.Array], **kwargs: object) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path, **kwargs)
    return str(path)


def write_text(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> str:
    return write_text(path, "".join(json.dumps(r) + "\n" for r in rows))


# --- Parquet, one file ----------------------------------------------------------------------


def test_parquet_single_file_types_nested_and_nulls(tmp_path: Path) -> None:
    point = pa.struct([("x", pa.float64()), ("label", pa.string())])
    f = write_parquet(
        tmp_path / "one.parquet",
        {
            "id": pa.array([1, 2, 3], pa.int32()),
            "score": pa.array([0.5, None, 1.5], pa.float32()),
            "ts": pa.array([0, 1, 2], pa.timestamp("ms", tz="UTC")),
            "tags": pa.array([["a"], ["b", "c"], ["d"]], pa.list_(pa.string())),
            "point": pa.array([{"x": 1.0, "label": "p"}] * 3, point),
            "attrs": pa.array(
                [[("k", 1)], [("k", 2)], [("j", 3)]], pa.map_(pa.string(), pa.int64())
            ),
        },
    )
    profile = profile_dataset(f)
    assert profile.schema.names == ["id", "score", "ts", "tags", "point", "attrs"]
    assert profile.schema.field("id").type == pa.int32()
    assert profile.schema.field("score").type == pa.float32()
    assert profile.schema.field("ts").type == pa.timestamp("ms", tz="UTC")
    assert profile.schema.field("tags").type.value_type == pa.string()
    assert profile.schema.field("point").type == point
    assert profile.schema.field("attrs").type.item_type == pa.int64()
    # Only ``score`` holds a null; statistics cannot say in which row.
    assert profile.nulls == {("score",): NullSite(row=None, file=f)}
    assert profile.num_rows == 3
    assert profile.source == f
    assert profile.symbols == {}


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # A leaf's null_count also counts nulls above it, so every nullable level is marked.
        (pa.array([[1], [None]], pa.list_(pa.int64())), {("c",), ("c", "[]")}),
        (pa.array([[1], None], pa.list_(pa.int64())), {("c",), ("c", "[]")}),
        (pa.array([[1], [2]], pa.list_(pa.int64())), set()),
        (
            pa.array([{"x": 1}, {"x": None}], pa.struct([("x", pa.int64())])),
            {("c",), ("c", "x")},
        ),
        (pa.array([[("k", None)]], pa.map_(pa.string(), pa.int64())), {("c",), ("c", "{}")}),
    ],
)
def test_parquet_nested_nulls_are_marked_conservatively(
    tmp_path: Path, column: pa.Array, expected: set[tuple[str, ...]]
) -> None:
    f = write_parquet(tmp_path / "n.parquet", {"c": column})
    assert set(profile_dataset(f).nulls) == expected


def test_parquet_without_statistics_is_treated_as_holding_nulls(tmp_path: Path) -> None:
    schema = pa.schema([("opt", pa.int64()), pa.field("req", pa.int64(), nullable=False)])
    table = pa.table({"opt": [1, 2], "req": [3, 4]}, schema=schema)
    f = str(tmp_path / "nostats.parquet")
    pq.write_table(table, f, write_statistics=False)
    profile = profile_dataset(f)
    # A required column can never hold a null; an optional one without statistics may.
    assert profile.nulls == {("opt",): NullSite(row=None, file=f)}


def test_parquet_dictionary_column_is_its_value_type(tmp_path: Path) -> None:
    f = write_parquet(
        tmp_path / "d.parquet", {"cat": pa.array(["a", "b", "a"]).dictionary_encode()}
    )
    profile = profile_dataset(f)
    assert profile.schema.field("cat").type == pa.string()
    assert profile.symbols == {}


def test_parquet_pandas_unnamed_index_is_dropped(tmp_path: Path) -> None:
    import pandas as pd

    df = pd.DataFrame({"a": [1, 2, 3]}, index=[10, 20, 30])
    f = str(tmp_path / "pandas.parquet")
    df.to_parquet(f)
    assert pq.read_schema(f).names == ["a", "__index_level_0__"]
    assert profile_dataset(f).schema.names == ["a"]


def test_parquet_profile_reads_the_footer_only(tmp_path: Path) -> None:
    f = write_parquet(
        tmp_path / "pages.parquet",
        {"a": pa.array(range(1000), pa.int64()), "b": pa.array([None, *map(str, range(999))])},
    )
    data = bytearray(Path(f).read_bytes())
    footer_len = int.from_bytes(data[-8:-4], "little")
    footer_start = len(data) - 8 - footer_len
    # Overwrite every column chunk (page headers, dictionary and data pages) between the
    # leading magic and the footer with garbage; the footer itself stays intact.
    data[4:footer_start] = b"\xfe" * (footer_start - 4)
    Path(f).write_bytes(bytes(data))
    with pytest.raises((OSError, pa.ArrowException)):
        pq.read_table(f)
    profile = profile_dataset(f)
    assert profile.schema.names == ["a", "b"]
    assert profile.num_rows == 1000
    assert set(profile.nulls) == {("b",)}


# --- Parquet, many files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (pa.int32(), pa.int64(), pa.int64()),
        (pa.int64(), pa.int8(), pa.int64()),
        (pa.float32(), pa.float64(), pa.float64()),
        (pa.int32(), pa.float32(), pa.float64()),
        (pa.float64(), pa.int64(), pa.float64()),
        (pa.uint16(), pa.int16(), pa.int32()),
        (pa.timestamp("ms"), pa.timestamp("us"), pa.timestamp("us")),
        (pa.timestamp("ns", "UTC"), pa.timestamp("s", "UTC"), pa.timestamp("ns", "UTC")),
        (pa.string(), pa.large_string(), pa.large_string()),
        (pa.null(), pa.int32(), pa.int32()),
        (pa.int32(), pa.null(), pa.int32()),
        (pa.list_(pa.int32()), pa.list_(pa.int64()), pa.list_(pa.int64())),
    ],
)
def test_parquet_glob_widens(
    tmp_path: Path, first: pa.DataType, second: pa.DataType, expected: pa.DataType
) -> None:
    def values(t: pa.DataType) -> pa.Array:
        if pa.types.is_null(t):
            return pa.nulls(2)
        if pa.types.is_list(t):
            return pa.array([[1], [2]]).cast(t)
        return pa.array([1, 2]).cast(t)

    write_parquet(tmp_path / "a.parquet", {"v": values(first)})
    write_parquet(tmp_path / "b.parquet", {"v": values(second)})
    profile = profile_dataset(str(tmp_path / "*.parquet"))
    assert profile.schema.field("v").type.equals(expected)
    assert profile.num_rows == 4


def test_parquet_column_absent_in_one_file_is_nullable(tmp_path: Path) -> None:
    a = write_parquet(tmp_path / "a.parquet", {"id": pa.array([1]), "x": pa.array(["s"])})
    b = write_parquet(tmp_path / "b.parquet", {"id": pa.array([2]), "y": pa.array([1.5])})
    profile = profile_dataset(str(tmp_path / "*.parquet"))
    assert profile.schema.names == ["id", "x", "y"]  # first-seen order
    assert profile.nulls == {("x",): NullSite(file=b), ("y",): NullSite(file=a)}
    assert profile.schema.field("x").nullable
    assert profile.num_rows == 2


def test_parquet_empty_file_does_not_make_columns_nullable(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", {"id": pa.array([], pa.int64())})
    write_parquet(tmp_path / "b.parquet", {"id": pa.array([1]), "x": pa.array([2])})
    assert profile_dataset(str(tmp_path / "*.parquet")).nulls == {}


def test_parquet_structs_merge_recursively(tmp_path: Path) -> None:
    a = write_parquet(
        tmp_path / "a.parquet",
        {"s": pa.array([{"x": 1, "y": "a"}], pa.struct([("x", pa.int32()), ("y", pa.string())]))},
    )
    b = write_parquet(
        tmp_path / "b.parquet",
        {"s": pa.array([{"x": 2, "z": True}], pa.struct([("x", pa.int64()), ("z", pa.bool_())]))},
    )
    profile = profile_dataset(str(tmp_path))
    assert profile.schema.field("s").type == pa.struct(
        [("x", pa.int64()), ("y", pa.string()), ("z", pa.bool_())]
    )
    assert profile.nulls == {("s", "y"): NullSite(file=b), ("s", "z"): NullSite(file=a)}


def test_incompatible_types_name_the_column_both_files_and_types(tmp_path: Path) -> None:
    a = write_parquet(tmp_path / "a.parquet", {"v": pa.array([1], pa.int64())})
    b = write_parquet(tmp_path / "b.parquet", {"v": pa.array(["x"])})
    with pytest.raises(InferenceError) as info:
        profile_dataset(str(tmp_path / "*.parquet"))
    message = str(info.value)
    for fragment in ("'v'", a, b, "int64", "string"):
        assert fragment in message
    assert info.value.column == "v"
    assert isinstance(info.value, ValueError)
    assert str(pickle.loads(pickle.dumps(info.value))) == message


def test_incompatible_nested_types_name_the_path(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", {"s": pa.array([{"x": [1]}])})
    write_parquet(tmp_path / "b.parquet", {"s": pa.array([{"x": ["t"]}])})
    with pytest.raises(InferenceError, match=r"at 's\.x\[\]'") as info:
        profile_dataset(str(tmp_path / "*.parquet"))
    assert info.value.column == "s.x[]"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (pa.timestamp("us", "UTC"), pa.timestamp("us")),
        (pa.bool_(), pa.int8()),
        (pa.date32(), pa.timestamp("ms")),
        (pa.list_(pa.int64()), pa.int64()),
    ],
)
def test_types_that_do_not_unify(tmp_path: Path, first: pa.DataType, second: pa.DataType) -> None:
    write_parquet(tmp_path / "a.parquet", {"v": pa.array([None], pa.null()).cast(first)})
    write_parquet(tmp_path / "b.parquet", {"v": pa.array([None], pa.null()).cast(second)})
    with pytest.raises(InferenceError, match="cannot be given one type"):
        profile_dataset(str(tmp_path / "*.parquet"))


# --- CSV and JSON lines ---------------------------------------------------------------------


CSV = (
    "id,price,name,day,at\n"
    "1,1.5,a,2024-01-01,2024-01-01 10:00:00\n"
    "2,,b,2024-01-02,\n"
    "3,2.5,,2024-01-03,2024-01-03 11:00:00\n"
    "4,3.5,d,2024-01-04,\n"
)


def test_csv_types_nulls_and_first_null_row(tmp_path: Path) -> None:
    f = write_text(tmp_path / "t.csv", CSV)
    profile = profile_dataset(f)
    assert profile.schema == pa.schema(
        [
            ("id", pa.int64()),
            ("price", pa.float64()),
            ("name", pa.string()),
            ("day", pa.date32()),
            ("at", pa.timestamp("us")),
        ]
    )
    assert profile.nulls == {
        ("price",): NullSite(row=1, file=f),
        ("name",): NullSite(row=2, file=f),
        ("at",): NullSite(row=1, file=f),
    }
    assert profile.num_rows == 4


def test_csv_sample_looks_at_the_first_rows_only(tmp_path: Path) -> None:
    f = write_text(tmp_path / "t.csv", CSV)
    profile = profile_dataset(f, sample=1)
    assert profile.num_rows == 1
    assert profile.nulls == {}


def test_csv_later_rows_that_break_the_sniffed_type_are_resniffed(tmp_path: Path) -> None:
    rows = "".join(f"{i}\n" for i in range(30_000))
    f = write_text(tmp_path / "late.csv", "v\n" + rows + "not a number\n")
    profile = profile_dataset(f)
    assert profile.schema.field("v").type == pa.string()
    assert profile.num_rows == 30_001


def test_csv_gz_and_tsv_mix(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "a.csv.gz", "wt") as fh:
        fh.write("a,b\n1,x\n")
    write_text(tmp_path / "b.tsv", "a\tb\n2.5\t\n")
    profile = profile_dataset(tmp_path)
    assert profile.schema == pa.schema([("a", pa.float64()), ("b", pa.string())])
    assert profile.nulls == {("b",): NullSite(row=0, file=str(tmp_path / "b.tsv"))}
    assert profile.num_rows == 2


def test_jsonl_types_nested_nulls_and_rows(tmp_path: Path) -> None:
    f = write_jsonl(
        tmp_path / "e.jsonl",
        [
            {"id": 1, "user": {"name": "a", "age": 3}, "tags": ["x"], "at": "2024-01-01T00:00:00"},
            {"id": 2, "user": None, "tags": [], "at": "2024-01-02T00:00:00"},
            {"id": 3, "user": {"name": None, "age": 4}, "tags": ["y", None]},
        ],
    )
    profile = profile_dataset(f)
    assert profile.schema == pa.schema(
        [
            ("id", pa.int64()),
            ("user", pa.struct([("name", pa.string()), ("age", pa.int64())])),
            ("tags", pa.list_(pa.string())),
            ("at", pa.timestamp("us")),
        ]
    )
    assert profile.nulls == {
        ("user",): NullSite(row=1, file=f),
        ("user", "name"): NullSite(row=2, file=f),
        ("tags", "[]"): NullSite(row=2, file=f),
        ("at",): NullSite(row=2, file=f),
    }
    assert profile.num_rows == 3


def test_jsonl_sample_spans_files_in_order(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [{"v": 1}, {"v": 2}])
    b = write_jsonl(tmp_path / "b.ndjson", [{"v": 3}, {"v": None}, {"v": 5}])
    write_jsonl(tmp_path / "c.jsonl", [{"w": "never opened"}])
    profile = profile_dataset(str(tmp_path / "*json*"), sample=4)
    assert profile.num_rows == 4
    assert profile.schema.names == ["v"]
    assert profile.nulls == {("v",): NullSite(row=1, file=b)}


def test_json_array_file(tmp_path: Path) -> None:
    f = write_text(tmp_path / "arr.json", json.dumps([{"a": 1}, {"a": None}]))
    profile = profile_dataset(f)
    assert profile.schema == pa.schema([("a", pa.int64())])
    assert profile.nulls == {("a",): NullSite(row=1, file=f)}


def test_empty_text_file_adds_no_columns(tmp_path: Path) -> None:
    write_text(tmp_path / "a.csv", "")
    write_text(tmp_path / "b.csv", "a\n1\n")
    profile = profile_dataset(str(tmp_path / "*.csv"))
    assert profile.schema == pa.schema([("a", pa.int64())])
    assert profile.nulls == {}


# --- Which files, and errors ----------------------------------------------------------------


def test_directory_is_searched_recursively_skipping_markers(tmp_path: Path) -> None:
    write_parquet(tmp_path / "year=2023" / "part-0.parquet", {"a": pa.array([1])})
    write_parquet(tmp_path / "year=2024" / "part-0.parquet", {"a": pa.array([2])})
    write_text(tmp_path / "_SUCCESS", "")
    write_text(tmp_path / "README.md", "not data")
    write_text(tmp_path / "_tmp" / "broken.parquet", "garbage")
    profile = profile_dataset(tmp_path)
    assert profile.num_rows == 2
    assert profile.schema.names == ["a"]
    assert profile.source == str(tmp_path)


def test_recursive_glob(tmp_path: Path) -> None:
    write_parquet(tmp_path / "x" / "y" / "p.parquet", {"a": pa.array([1])})
    assert profile_dataset(os.path.join(tmp_path, "**", "*.parquet")).num_rows == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nothing-*.parquet", "no file matches the pattern"),
        ("missing.parquet", "no such file or directory"),
    ],
)
def test_no_match(tmp_path: Path, name: str, message: str) -> None:
    pattern = str(tmp_path / name)
    with pytest.raises(InferenceError, match=message) as info:
        profile_dataset(pattern)
    assert pattern in str(info.value)


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InferenceError, match="no Parquet, CSV or JSON-lines files"):
        profile_dataset(tmp_path)


def test_corrupt_parquet_names_the_file(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", {"a": pa.array([1])})
    bad = tmp_path / "x.parquet"
    bad.write_bytes(b"this is not a parquet file at all" * 10)
    with pytest.raises(InferenceError, match="cannot read Parquet file") as info:
        profile_dataset(str(tmp_path / "*.parquet"))
    assert str(bad) in str(info.value)
    assert isinstance(info.value.__cause__, (OSError, pa.ArrowException))


def test_corrupt_json_names_the_file(tmp_path: Path) -> None:
    import duckdb

    f = write_text(tmp_path / "bad.jsonl", '{"a": 1}\n{"a": \n')
    with pytest.raises(InferenceError, match="cannot read JSON-lines file") as info:
        profile_dataset(f)
    assert f in str(info.value)
    assert isinstance(info.value.__cause__, duckdb.Error)


def test_mixed_kinds(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", {"a": pa.array([1])})
    write_text(tmp_path / "b.csv", "a\n1\n")
    with pytest.raises(InferenceError, match=r"mixes file kinds: Parquet .*, CSV"):
        profile_dataset(tmp_path)


def test_glob_matching_an_unknown_kind(tmp_path: Path) -> None:
    write_text(tmp_path / "a.csv", "a\n1\n")
    write_text(tmp_path / "notes.txt", "hello")
    with pytest.raises(InferenceError, match=r"cannot tell the kind of .*notes\.txt"):
        profile_dataset(str(tmp_path / "*"))


def test_sample_zero_sniffs_types_and_counts_no_rows(tmp_path: Path) -> None:
    write_text(tmp_path / "a.csv", "a,b\n1,\n")
    write_text(tmp_path / "b.csv", "c\nx\n")
    profile = profile_dataset(str(tmp_path / "*.csv"), sample=0)
    assert profile.schema == pa.schema([("a", pa.int64()), ("b", pa.string())])
    assert profile.nulls == {}
    assert profile.num_rows == 0


@pytest.mark.parametrize("sample", [-1, True, 1.5])
def test_sample_must_be_a_non_negative_int(tmp_path: Path, sample: object) -> None:
    f = write_text(tmp_path / "a.csv", "a\n1\n")
    with pytest.raises(ValueError, match="sample="):
        profile_dataset(f, sample=sample)  # type: ignore[arg-type]


# --- End to end through infer ---------------------------------------------------------------


def test_infer_parquet_glob_end_to_end(tmp_path: Path) -> None:
    from schemakit.infer import infer

    write_parquet(tmp_path / "a.parquet", {"id": pa.array([1], pa.int32()), "x": pa.array(["s"])})
    write_parquet(tmp_path / "b.parquet", {"id": pa.array([2], pa.int64())})
    fields = infer(str(tmp_path / "*.parquet"), name="Row").to_dict()["fields"]
    assert fields == [
        {"name": "id", "type": "long"},
        {"name": "x", "type": ["null", "string"], "default": None},
    ]


def test_infer_csv_end_to_end(tmp_path: Path) -> None:
    from schemakit.infer import infer

    f = write_text(tmp_path / "t.csv", CSV)
    types = {fld["name"]: fld["type"] for fld in infer(Path(f)).to_dict()["fields"]}
    assert types["id"] == "long"
    assert types["price"] == ["null", "double"]
    assert types["day"] == {"type": "int", "logicalType": "date"}
    assert infer(f, sample=1).to_dict()["fields"][1] == {"name": "price", "type": "double"}
