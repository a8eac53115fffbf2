"""``sk.infer(df, parse_dates=...)`` types ISO-8601 text; ``sk.encode`` writes that text as the
inferred dates and timestamps, naming the row and value of one that does not parse."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemakit as sk

DATE = {"type": "int", "logicalType": "date"}
LOCAL = {"type": "long", "logicalType": "local-timestamp-micros"}
INSTANT = {"type": "long", "logicalType": "timestamp-micros"}
NANOS = {"type": "long", "logicalType": "timestamp-nanos"}


def _type(schema: sk.Schema, column: int = 0) -> Any:
    return schema.to_dict()["fields"][column]["type"]


# values of one text column → the Avro type with parse_dates=True (KEPT: what it is without)
KEPT = None
RECOGNIZED = [
    ("dates", ["2024-01-02", "0001-01-01", "9999-12-31"], DATE),
    ("T separator", ["2024-01-02T03:04:05", "2024-01-02T03:04:05.123456"], LOCAL),
    ("space separator", ["2024-01-02 03:04", "2024-01-02 03:04:05.5"], LOCAL),
    ("dates and timestamps", ["2024-01-02", "2024-01-02T03:04:05"], LOCAL),
    ("Z", ["2024-01-02T03:04:05Z", "2024-01-02T03:04Z"], INSTANT),
    ("offsets", ["2024-01-02T03:04:05+02:00", "2024-01-02 03:04:05-0530"], INSTANT),
    ("nanoseconds", ["2024-01-02T03:04:05.123456789Z"], NANOS),
    ("with nulls", ["2024-01-02", None, "2024-01-03"], ["null", DATE]),
    ("zone and no zone", ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05"], KEPT),
    ("not ISO", ["01/02/2024", "2024-01-02"], KEPT),
    ("single-digit month", ["2024-1-02"], KEPT),
    ("padded", [" 2024-01-02"], KEPT),
    ("invalid day", ["2024-02-30"], KEPT),
    ("words", ["late", "early"], KEPT),
    ("all null", [None, None], KEPT),
]


@pytest.mark.parametrize("dtype", [object, "string", "string[pyarrow]", "category"])
@pytest.mark.parametrize(
    ("values", "expected"), [r[1:] for r in RECOGNIZED], ids=[r[0] for r in RECOGNIZED]
)
def test_text_columns_are_recognized(values: list[str | None], expected: Any, dtype: Any) -> None:
    frame = pd.DataFrame({"at": pd.Series(values, dtype=dtype)})
    plain = _type(sk.infer(frame))
    parsed = _type(sk.infer(frame, parse_dates=True))
    if expected is KEPT:
        assert parsed == plain
    else:
        assert parsed == expected
        assert plain != expected


def test_off_by_default_and_a_list_picks_columns() -> None:
    frame = pd.DataFrame({"a": ["2024-01-02"], "b": ["2024-01-02"], "n": [1]})
    assert [_type(sk.infer(frame), i) for i in range(3)] == ["string", "string", "long"]
    listed = sk.infer(frame, parse_dates=["b"])
    assert [_type(listed, i) for i in range(3)] == ["string", DATE, "long"]
    assert [_type(sk.infer(frame, parse_dates=True), i) for i in range(3)] == [DATE, DATE, "long"]


def test_arrow_tables_take_the_option_too() -> None:
    table = pa.table({"at": ["2024-01-02T03:04:05Z"]})
    assert _type(sk.infer(table, parse_dates=True)) == INSTANT
    assert _type(sk.infer(table.to_batches()[0], parse_dates=["at"])) == INSTANT


def test_a_listed_column_that_does_not_parse_names_row_and_value() -> None:
    frame = pd.DataFrame({"at": ["2024-01-02", None, "2024-01-03", "soon", "2024-01-04"]})
    with pytest.raises(sk.InferenceError, match=r"'at'.*'soon' at row 3") as info:
        sk.infer(frame, parse_dates=["at"])
    assert (info.value.column, info.value.row) == ("at", 3)
    assert pickle.loads(pickle.dumps(info.value)).row == 3
    # with True, the column simply stays text
    assert _type(sk.infer(frame, parse_dates=True)) == ["null", "string"]


@pytest.mark.parametrize(
    ("option", "data", "error", "message"),
    [
        ("yes", pd.DataFrame({"a": ["x"]}), ValueError, "parse_dates='yes' is not valid"),
        ([1], pd.DataFrame({"a": ["x"]}), ValueError, r"parse_dates=\[1\] is not valid"),
        (["b"], pd.DataFrame({"a": ["x"]}), ValueError, "names 'b', which the data does not"),
        (["a"], pd.DataFrame({"a": [1]}), sk.InferenceError, "holds int64, not text"),
    ],
)
def test_bad_options(option: Any, data: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        sk.infer(data, parse_dates=option)


def test_refused_for_a_duckdb_relation() -> None:
    import duckdb

    con = duckdb.connect()
    with pytest.raises(ValueError, match="DuckDB relation"):
        sk.infer(con.sql("SELECT '2024-01-02' AS d"), parse_dates=True)


# --------------------------------------------------------------------------------------------
# encode


def _roundtrip(frame: pd.DataFrame, schema: sk.Schema) -> tuple[pd.Series, pd.DataFrame]:
    registry = sk.Registry(":memory:")
    records = sk.encode(frame, "t-value", registry=registry, schema=schema)
    return records, sk.decode(records, registry)


def test_encode_writes_the_strings_as_the_inferred_types() -> None:
    frame = pd.DataFrame(
        {
            "day": ["2024-01-02", None, "1970-01-01"],
            "at": ["2024-01-02T03:04:05.5", "2024-01-02 03:04", None],
            "utc": ["2024-01-02T03:04:05Z", "2024-01-02T05:04:05+02:00", "1969-12-31T23:59Z"],
        }
    )
    schema = sk.infer(frame, parse_dates=True)
    typed = pd.DataFrame(
        {
            "day": pd.to_datetime(frame["day"]).dt.date.astype(object).where(frame["day"].notna()),
            "at": pd.to_datetime(frame["at"], format="ISO8601").astype("datetime64[us]"),
            "utc": pd.to_datetime(frame["utc"], format="ISO8601", utc=True).astype(
                "datetime64[us, UTC]"
            ),
        }
    )
    records, back = _roundtrip(frame, schema)
    expected, _ = _roundtrip(typed, schema)
    assert records.tolist() == expected.tolist()
    assert back["utc"].tolist() == typed["utc"].tolist()
    assert back["day"].tolist()[0] == dt.date(2024, 1, 2)


@pytest.mark.parametrize(
    ("field", "values", "bad_row", "fragment"),
    [
        (DATE, ["2024-01-02", "2024-01-02T03:04"], 1, "a date, YYYY-MM-DD"),
        (LOCAL, ["2024-01-02T03:04", "2024-01-02T03:04Z"], 1, "without a time zone"),
        (INSTANT, ["2024-01-02T03:04Z", "2024-01-02T03:04"], 1, "with a UTC offset"),
        (["null", INSTANT], [None, "2024-01-02T03:04Z", None, "nope"], 3, "with a UTC offset"),
        (LOCAL, ["2024-01-02T03:04"] * 70_000 + ["2024-13-02"], 70_000, "without a time zone"),
    ],
    ids=["timestamp into date", "zone into local", "no zone into instant", "nullable", "late"],
)
def test_text_that_does_not_parse_names_row_and_value(
    field: Any, values: list[str | None], bad_row: int, fragment: str
) -> None:
    schema = sk.Schema.parse(
        {"type": "record", "name": "R", "fields": [{"name": "at", "type": field}]}
    )
    frame = pd.DataFrame({"at": values}, index=pd.RangeIndex(len(values)) + 100)
    with pytest.raises(sk.EncodeError, match=fragment) as info:
        sk.encode(frame, "t-value", registry=sk.Registry(":memory:"), schema=schema)
    assert info.value.row == bad_row
    assert info.value.value == values[bad_row]
    assert f"at row {bad_row}: value {values[bad_row]!r}" in str(info.value)


# --------------------------------------------------------------------------------------------
# properties: generated ISO text against pandas' own parser

_OFFSETS = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
)
_MOMENTS = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))


@st.composite
def _iso_columns(draw: st.DrawFn) -> tuple[list[str], str]:
    """A column of ISO-8601 texts of one kind: dates, local timestamps, or timestamps with a
    zone (Z or an offset), in the spellings ISO allows (T or space, minutes to microseconds)."""
    kind = draw(st.sampled_from(["date", "local", "zoned"]))
    values = []
    for moment in draw(st.lists(_MOMENTS, min_size=1, max_size=20)):
        if kind == "date":
            values.append(moment.date().isoformat())
            continue
        spec = draw(st.sampled_from(["minutes", "seconds", "milliseconds", "microseconds"]))
        text = moment.isoformat(sep=draw(st.sampled_from(["T", " "])), timespec=spec)
        if kind == "zoned":
            zone = draw(_OFFSETS.filter(lambda z: z is not None))
            offset = moment.replace(tzinfo=zone).isoformat()[-6:]
            text += (
                "Z" if zone is dt.UTC else draw(st.sampled_from([offset, offset.replace(":", "")]))
            )
        values.append(text)
    return values, kind


@settings(max_examples=80, deadline=None)
@given(column=_iso_columns())
def test_generated_iso_text_encodes_as_pandas_parses_it(column: tuple[list[str], str]) -> None:
    values, kind = column
    frame = pd.DataFrame({"at": values})
    schema = sk.infer(frame, parse_dates=True)
    assert _type(schema) == {"date": DATE, "local": LOCAL, "zoned": INSTANT}[kind]
    parsed = pd.to_datetime(frame["at"], format="ISO8601", utc=kind == "zoned")
    typed = pd.DataFrame(
        {
            "at": parsed.dt.date
            if kind == "date"
            else parsed.astype(parsed.dtype.name.replace("ns", "us"))
        }
    )
    records, back = _roundtrip(frame, schema)
    expected, _ = _roundtrip(typed, schema)
    assert records.tolist() == expected.tolist()
    assert pd.Series(back["at"]).tolist() == pd.Series(typed["at"]).tolist()
