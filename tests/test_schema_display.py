"""Schema's field table (``_repr_html_``): enum symbols, original column names, non-records."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest

import schemakit as sk

ORIGINAL = "schemakit.original_name"


class _Cells(HTMLParser):
    """The header and body cells of the first table, as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).replace("\xa0", " ").strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(schema: sk.Schema) -> list[dict[str, str]]:
    """The field table as one dict per row, keyed by the header."""
    cells = _Cells()
    cells.feed(schema._repr_html_())
    head, *body = cells.rows
    return [dict(zip(head, row, strict=True)) for row in body]


STATUS = {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}


@pytest.mark.parametrize(
    ("field_type", "symbols"),
    [
        (STATUS, "NEW, PAID, SHIPPED"),
        (["null", STATUS], "NEW, PAID, SHIPPED"),
        ({"type": "array", "items": STATUS}, "NEW, PAID, SHIPPED"),
        ({"type": "map", "values": ["null", STATUS]}, "NEW, PAID, SHIPPED"),
        ("string", ""),
    ],
    ids=["enum", "nullable", "array", "map", "no-enum"],
)
def test_the_field_table_lists_enum_symbols(field_type: Any, symbols: str) -> None:
    schema = sk.Schema.parse(
        {
            "type": "record",
            "name": "R",
            "fields": [{"name": "id", "type": "long"}, {"name": "s", "type": field_type}],
        }
    )
    rows = table(schema)
    if symbols:
        assert [r["symbols"] for r in rows] == ["", symbols]
    else:
        assert all("symbols" not in r for r in rows)


def test_a_reference_to_an_enum_defined_earlier_lists_its_symbols() -> None:
    schema = sk.Schema.parse(
        {
            "type": "record",
            "name": "R",
            "namespace": "shop",
            "fields": [
                {"name": "a", "type": STATUS},
                {"name": "b", "type": ["null", "Status"], "default": None},
                {"name": "c", "type": "shop.Status"},
            ],
        }
    )
    assert [r["symbols"] for r in table(schema)] == ["NEW, PAID, SHIPPED"] * 3


def test_many_symbols_are_cut() -> None:
    many = {"type": "enum", "name": "E", "symbols": [f"S{i:04d}" for i in range(2000)]}
    schema = sk.Schema.parse(
        {"type": "record", "name": "R", "fields": [{"name": "e", "type": many}]}
    )
    (row,) = table(schema)
    assert row["symbols"].startswith("S0000, S0001")
    assert row["symbols"].endswith("…")
    assert len(row["symbols"]) <= 200


def test_the_field_table_names_the_original_column() -> None:
    frame = pd.DataFrame({"order id": [1], "plain": [2]})
    frame["ship to"] = [{"zip code": "x"}]
    schema = sk.infer(frame)
    rows = table(schema)
    assert [(r["name"], r["original name"]) for r in rows] == [
        ("order_id", "order id"),
        ("plain", ""),
        ("ship_to", "ship to"),
        ("ship_to.zip_code", "zip code"),
    ]


def test_no_original_name_column_without_one() -> None:
    schema = sk.Schema.parse(
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
    )
    assert "original name" not in table(schema)[0]


@pytest.mark.parametrize(
    ("text", "type_"),
    [('"string"', "string"), ('{"type": "array", "items": "long"}', "array<long>")],
)
def test_a_schema_that_is_not_a_record_shows_its_type(text: str, type_: str) -> None:
    (row,) = table(sk.Schema.parse(text))
    assert (row["name"], row["type"]) == ("(root)", type_)


def test_a_json_schema_that_is_not_an_object_shows_its_type() -> None:
    (row,) = table(sk.Schema.parse({"type": "string", "format": "date"}, schema_type="JSON"))
    assert (row["name"], row["type"], row["format"]) == ("(root)", "string", "date")
