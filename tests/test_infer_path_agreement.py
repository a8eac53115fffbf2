"""The same file, the same schema: ``sk.infer(path)`` agrees with ``sk.infer(pd.read_csv(path))``.

Column names come through exactly (sanitized with ``schemakit.original_name``), booleans are only
what pandas reads as booleans, and the null spellings are pandas'. Where DuckDB recognizes more
than pandas (ISO dates and timestamps), ``parse_dates=True`` on the DataFrame side agrees.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemakit as sk

ROWS = 50_000
NA_SPELLINGS = ["", "NA", "N/A", "n/a", "null", "NULL", "None", "nan", "NaN", "<NA>", "#N/A"]


def _fields(schema: sk.Schema) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = schema.to_dict()["fields"]
    return fields


def _original_names(schema: sk.Schema) -> list[str]:
    return [f.get("schemakit.original_name", f["name"]) for f in _fields(schema)]


def _messy_csv(path: Path, rows: int = ROWS, seed: int = 11) -> dict[str, list[str]]:
    """A CSV as a data engineer's export looks: padded and duplicate-after-sanitize names,
    yes/no and true/false columns, ISO dates and timestamps, empty strings, NA spellings
    (some only after DuckDB's sniffing sample)."""
    rng = np.random.default_rng(seed)
    n = np.arange(rows)
    base = np.datetime64("2024-01-01T00:00:00", "us")
    stamps = base + rng.integers(0, 10**13, rows).astype("timedelta64[us]")
    score = rng.integers(-1000, 1000, rows).astype(str).astype(object)
    holes = rng.random(rows) < 0.05
    score[holes] = rng.choice(NA_SPELLINGS, int(holes.sum()))
    note = rng.choice(["ok", "late", "", "a, b", 'say "hi"'], rows)
    late_null = n.astype(str).astype(object)
    late_null[rows - 7] = "NA"  # past DuckDB's sniffing sample
    columns = {
        "id": n.astype(str),
        " amount ": np.char.mod("%.2f", rng.random(rows) * 1000),
        "order id": rng.integers(0, 10**6, rows).astype(str),
        "order_id": rng.integers(0, 10**6, rows).astype(str),
        "order-id": rng.integers(0, 10**6, rows).astype(str),
        "paid": rng.choice(["yes", "no"], rows),
        "active": rng.choice(["true", "false", "True", "FALSE"], rows),
        "flag": rng.choice(["t", "f"], rows),
        "day": np.datetime_as_string(stamps, unit="D"),
        "at": np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " "),
        "at utc": np.char.add(np.datetime_as_string(stamps, unit="ms"), "Z"),
        "note": note,
        "score": score,
        "late": late_null,
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*columns.values(), strict=True))
    path.write_text(out.getvalue())
    return {k: list(v) for k, v in columns.items()}


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("messy") / "orders.csv"
    _messy_csv(path)
    return path


def test_path_keeps_every_column_name_exactly(messy: Path) -> None:
    path_schema = sk.infer(messy, name="Order")
    frame = pd.read_csv(messy)
    assert _original_names(path_schema) == list(frame.columns)
    frame_schema = sk.infer(frame, name="Order")
    names = [(f["name"], f.get("schemakit.original_name")) for f in _fields(path_schema)]
    assert names == [(f["name"], f.get("schemakit.original_name")) for f in _fields(frame_schema)]
    by_original = dict(zip(_original_names(path_schema), _fields(path_schema), strict=True))
    assert by_original[" amount "]["name"] == "_amount_"
    assert {by_original[c]["name"] for c in ("order id", "order_id", "order-id")} == {
        "order_id",
        "order_id_2",
        "order_id_3",
    }


def test_path_and_dataframe_agree_on_the_messy_file(messy: Path) -> None:
    path_schema = sk.infer(messy, name="Order")
    # pyarrow dtypes keep integers with nulls integers; the ISO columns need parse_dates
    frame = pd.read_csv(messy, dtype_backend="pyarrow")
    assert _fields(path_schema) == _fields(sk.infer(frame, name="Order", parse_dates=True))
    types = {f.get("schemakit.original_name", f["name"]): f["type"] for f in _fields(path_schema)}
    assert types["paid"] == "string"
    assert types["flag"] == "string"
    assert types["active"] == "boolean"
    assert types["score"] == ["null", "long"]
    assert types["late"] == ["null", "long"]
    assert types["note"] == ["null", "string"]
    assert types["day"] == {"type": "int", "logicalType": "date"}
    assert types["at"] == {"type": "long", "logicalType": "local-timestamp-micros"}
    assert types["at utc"] == {"type": "long", "logicalType": "timestamp-micros"}


def test_numpy_frame_differs_only_where_pandas_dtypes_say_so(messy: Path) -> None:
    """The default pandas read gives the same names; dates stay text without parse_dates,
    and integers with nulls become floats (pandas' numpy dtypes), nothing else."""
    path_types = {f["name"]: f["type"] for f in _fields(sk.infer(messy))}
    frame_types = {f["name"]: f["type"] for f in _fields(sk.infer(pd.read_csv(messy)))}
    differ = {k for k in path_types if path_types[k] != frame_types[k]}
    assert differ == {"day", "at", "at_utc", "score", "late"}
    assert {
        frame_types[k] if isinstance(frame_types[k], str) else frame_types[k][1] for k in differ
    } == {"string", "double"}


def test_decode_gives_the_file_columns_back(messy: Path) -> None:
    schema = sk.infer(messy, name="Order")
    frame = pd.read_csv(messy, dtype_backend="pyarrow").head(2_000)
    registry = sk.Registry(":memory:")
    records = sk.encode(frame, "orders-value", registry=registry, schema=schema)
    back = sk.decode(records, registry)
    assert list(back.columns) == list(frame.columns)
    assert back["paid"].tolist() == frame["paid"].tolist()
    expected_days = pd.to_datetime(frame["day"].astype(str)).dt.date.tolist()
    assert pd.Series(back["day"]).tolist() == expected_days


# Rules: one column's cells → the Avro type both readers give it. pandas' own rules are the
# reference; the path must agree (pyarrow dtypes, so integers with nulls stay integers).
AGREEMENT = [
    ("yes/no is text", ["yes", "no", "yes"], "string"),
    ("Yes/No is text", ["Yes", "No", "No"], "string"),
    ("t/f is text", ["t", "f", "t"], "string"),
    ("y/n is text", ["y", "n", "y"], "string"),
    ("true/false is boolean", ["true", "false", "true"], "boolean"),
    ("pandas' cases are boolean", ["True", "FALSE", "false"], "boolean"),
    ("any case is boolean", ["tRue", "fAlSe", "true"], "boolean"),
    ("padded is text", [" true", "false", "true "], "string"),
    ("0/1 are integers", ["0", "1", "1"], "long"),
    ("booleans with a null", ["true", "", "false"], ["null", "boolean"]),
    ("yes/no with NA", ["yes", "NA", "no"], ["null", "string"]),
    *[
        (f"{spelling!r} is a null", ["1", spelling, "3"], ["null", "long"])
        for spelling in NA_SPELLINGS
    ],
    ("na is not a null", ["1", "na", "3"], "string"),
    ("empty text is a null", ["a", "", "c"], ["null", "string"]),
    ("decimals", ["1.5", "2", "-3.25"], "double"),
]


@pytest.mark.parametrize(
    ("cells", "expected"), [r[1:] for r in AGREEMENT], ids=[r[0] for r in AGREEMENT]
)
def test_cells_are_read_as_pandas_reads_them(
    tmp_path: Path, cells: list[str], expected: Any
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("key,value\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells)))
    (path_field,) = _fields(sk.infer(path))[1:]
    (frame_field,) = _fields(sk.infer(pd.read_csv(path, dtype_backend="pyarrow")))[1:]
    assert path_field["type"] == expected
    assert frame_field["type"] == expected


# Rules where the readers differ on purpose: DuckDB types ISO text, pandas leaves it text
# (docs/inference.md lists them); parse_dates=True brings the DataFrame to the path's type.
DATES = [
    ("date", ["2024-01-02", "1999-12-31"], {"type": "int", "logicalType": "date"}),
    (
        "timestamp with T",
        ["2024-01-02T03:04:05", "2024-01-02T03:04:05.123456"],
        {"type": "long", "logicalType": "local-timestamp-micros"},
    ),
    (
        "timestamp with a space",
        ["2024-01-02 03:04:05", "2024-01-02 03:04"],
        {"type": "long", "logicalType": "local-timestamp-micros"},
    ),
    (
        "timestamp with Z",
        ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.5Z"],
        {"type": "long", "logicalType": "timestamp-micros"},
    ),
    (
        "timestamp with an offset",
        ["2024-01-02T03:04:05+02:00", "2024-01-02 03:04:05-05:30"],
        {"type": "long", "logicalType": "timestamp-micros"},
    ),
]


@pytest.mark.parametrize(("cells", "expected"), [r[1:] for r in DATES], ids=[r[0] for r in DATES])
def test_iso_text_is_typed_on_the_path_and_with_parse_dates(
    tmp_path: Path, cells: list[str], expected: Any
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("value\n" + "".join(f"{c}\n" for c in cells))
    frame = pd.read_csv(path)
    assert _fields(sk.infer(path))[0]["type"] == expected
    assert _fields(sk.infer(frame))[0]["type"] == "string"
    assert _fields(sk.infer(frame, parse_dates=True))[0]["type"] == expected


_HEADER_CELL = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n\x00", exclude_categories=("Cs",)),
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=st.lists(_HEADER_CELL, min_size=1, max_size=6))
def test_header_names_are_pandas_names(tmp_path: Path, header: list[str]) -> None:
    """Any header (quotes, delimiters, spaces, repeats, empty cells) gives pandas' names."""
    path = tmp_path / "h.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([[str(i * 10 + j) for j in range(len(header))] for i in range(3)])
    path.write_text(out.getvalue(), encoding="utf-8")
    expected = [str(c) for c in pd.read_csv(path).columns]
    # the one documented difference: a cell of only whitespace, which DuckDB cannot take as a
    # name, is named as pandas names an empty cell
    expected = [
        f"Unnamed: {i}" if e and not e.strip(" \t\n\v\f\r") else e for i, e in enumerate(expected)
    ]
    assert _original_names(sk.infer(path)) == expected


def test_json_lines_keep_names_exactly(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    keys = [" amount ", "order id", "order_id", "a.b", "ünï"]
    frame = pd.DataFrame({k: [1, 2] for k in keys})
    frame.to_json(path, orient="records", lines=True, force_ascii=False)
    assert _original_names(sk.infer(path)) == keys
    assert _fields(sk.infer(path)) == _fields(sk.infer(pd.read_json(path, lines=True)))


def test_parquet_keeps_names_exactly(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    keys = [" amount ", "order id", "order_id", "a.b", ""]
    pq.write_table(pa.table({k: pa.array([1, 2]) for k in keys}), path)
    assert _original_names(sk.infer(path)) == keys
    assert _fields(sk.infer(path)) == _fields(sk.infer(pd.read_parquet(path)))


def test_parse_dates_is_refused_for_a_path(messy: Path) -> None:
    with pytest.raises(ValueError, match="parse_dates does not apply to a path"):
        sk.infer(messy, parse_dates=True)


def test_cli_encode_reads_the_file_as_inference_does(tmp_path: Path) -> None:
    """``schemakit encode`` reads the rows with the names and types the schema was inferred
    with: the padded name, the yes/no text, and decoding gives pandas' columns back."""
    import shutil
    import subprocess
    import sys

    source = tmp_path / "orders.csv"
    _messy_csv(source, rows=3_000)
    script = shutil.which("schemakit", path=str(Path(sys.executable).parent))
    assert script is not None
    registry, records = tmp_path / "reg.duckdb", tmp_path / "records.parquet"
    args = [script, "encode", str(source), "-o", str(records), "--topic", "orders"]
    done = subprocess.run(
        [*args, "--registry", str(registry)], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    back = sk.decode(pq.read_table(records).column("value"), sk.Registry(str(registry)))
    frame = pd.read_csv(source)
    assert list(back.columns) == list(frame.columns)
    assert back["paid"].tolist() == frame["paid"].tolist()
    assert back[" amount "].tolist() == frame[" amount "].tolist()


def test_zone_less_text_beside_zones_is_utc_not_the_machine_zone(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    source = tmp_path / "mixed.csv"
    source.write_text("at\n2024-01-02T03:04:05\n2024-01-02T03:04:05+01:00\n")
    assert _fields(sk.infer(source))[0]["type"] == {
        "type": "long",
        "logicalType": "timestamp-micros",
    }
    script = shutil.which("schemakit", path=str(Path(sys.executable).parent))
    assert script is not None
    registry, records = tmp_path / "reg.duckdb", tmp_path / "records.parquet"
    args = [script, "encode", str(source), "-o", str(records), "--topic", "t"]
    env = {**os.environ, "TZ": "America/New_York"}
    done = subprocess.run(
        [*args, "--registry", str(registry)], capture_output=True, text=True, timeout=180, env=env
    )
    assert done.returncode == 0, done.stderr
    back = sk.decode(pq.read_table(records).column("value"), sk.Registry(str(registry)))
    assert [t.isoformat() for t in back["at"]] == [
        "2024-01-02T03:04:05+00:00",
        "2024-01-02T02:04:05+00:00",
    ]
