"""The raw schema of a version (pretty JSON, downloadable) and the candidate box started from B,
from Python: the widget model and the HTML it renders."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemakit.registry import Registry
from schemakit.widgets import EvolutionExplorer, _raw

from ._helpers import SUBJECT, V2, V5, Element, html, order

_OUTSIDE_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\s+')


def squeeze(text: str) -> str:
    """``text`` without whitespace outside strings."""
    return _OUTSIDE_STRINGS.sub(lambda m: m.group() if m.group().startswith('"') else "", text)


def raw(explorer: EvolutionExplorer) -> tuple[Element, str, Element]:
    """The ``div.sk-raw``, the text of its ``pre.sk-raw-text`` and its download link."""
    root = html(explorer.raw_view.value)
    (div,) = root.find("div", cls="sk-raw")
    (pre,) = div.find("pre", cls="sk-raw-text")
    (link,) = div.find("a", cls="sk-raw-download")
    return div, pre.text, link


def downloaded(link: Element) -> str:
    prefix = "data:application/json;charset=utf-8;base64,"
    assert link.attrs["href"].startswith(prefix)
    return base64.b64decode(link.attrs["href"].removeprefix(prefix)).decode("utf-8")


def test_the_raw_schema_of_b_is_shown_pretty_and_downloadable(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    assert (explorer.A, explorer.B, explorer.raw_side.value) == (4, 5, "B")
    div, text, link = raw(explorer)
    assert (div.attrs["data-side"], div.attrs["data-version"]) == ("B", "5")
    assert div.attrs["data-id"] == str(registry.get_version(SUBJECT, 5).id)
    assert json.loads(text) == order(V5)
    assert text.count("\n") > 20  # indented, one item a line
    assert downloaded(link) == text
    assert link.attrs["download"] == "orders-value-v5.avsc"
    assert "sk-raw-schema" in explorer.raw_view._dom_classes


def test_the_raw_schema_follows_the_side_and_the_pickers(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.raw_side.value = "A"
    div, text, link = raw(explorer)
    assert (div.attrs["data-side"], div.attrs["data-version"]) == ("A", "4")
    explorer.A = 2
    div, text, link = raw(explorer)
    assert div.attrs["data-version"] == "2"
    assert json.loads(text) == order(V2)
    assert link.attrs["download"] == "orders-value-v2.avsc"
    explorer.picker_b.value = 1  # the other side's picker changes nothing shown for A
    assert raw(explorer)[0].attrs["data-version"] == "2"
    explorer.raw_side.value = "B"
    assert raw(explorer)[0].attrs["data-version"] == "1"


def test_the_candidate_starts_from_b(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.check('{"type": "lng"}')
    assert explorer.candidate_model is not None
    explorer.B = 2
    assert explorer.candidate_from_b.description == "start from B (v2)"
    explorer.candidate_from_b.click()
    assert json.loads(explorer.candidate.value) == order(V2)
    assert explorer.candidate.value == raw(explorer)[1]
    assert explorer.candidate_model is None  # the old verdict was for another text
    assert html(explorer.candidate_result.value).find(data_compatible="error") == []
    explorer.B = 5
    assert json.loads(explorer.start_from_b()) == order(V5)
    assert explorer.check().status == "true"  # the latest version passes against itself


def test_hostile_subjects_and_docs_stay_text() -> None:
    hostile = '"><script>alert(1)</script>/../x'
    schema = order([{"name": "a", "type": "string", "doc": "</pre><script>x</script>"}])
    with Registry(":memory:") as reg:
        reg.register(hostile, schema)
        explorer = EvolutionExplorer(reg, hostile)
        assert "<script" not in explorer.raw_view.value
        _div, text, link = raw(explorer)
        assert json.loads(text) == schema
        assert re.fullmatch(r"[A-Za-z0-9._-]+-v1\.avsc", link.attrs["download"])
        explorer.close()


def test_a_json_schema_subject_downloads_as_json() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    with Registry(":memory:") as reg:
        reg.register("j-value", json.dumps(schema), schema_type="JSON")
        explorer = EvolutionExplorer(reg, "j-value")
        div, text, link = raw(explorer)
        assert div.attrs["data-schema-type"] == "JSON"
        assert link.attrs["download"] == "j-value-v1.json"
        assert json.loads(text) == schema
        explorer.close()


def test_a_huge_schema_is_shown_in_part_and_downloaded_whole() -> None:
    fields = [{"name": f"f{i}", "type": "int", "doc": "x" * 40} for i in range(3000)]
    with Registry(":memory:") as reg:
        reg.register("big-value", order(fields))
        explorer = EvolutionExplorer(reg, "big-value")
        root = html(explorer.raw_view.value)
        (pre,) = root.find("pre", cls="sk-raw-text")
        (link,) = root.find("a", cls="sk-raw-download")
        assert len(pre.text) == _raw.MAX_SHOWN_CHARS
        assert root.find(cls="sk-more")
        assert json.loads(downloaded(link)) == order(fields)
        explorer.close()


# -- pretty: whitespace is all it changes ----------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_json, st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]), st.booleans())
def test_pretty_changes_only_whitespace(value: Any, separators: Any, ascii_only: bool) -> None:
    text = json.dumps(value, separators=separators, ensure_ascii=ascii_only)
    shown = _raw.pretty(text)
    assert squeeze(shown) == squeeze(text)
    assert json.loads(shown) == json.loads(text)
    assert _raw.pretty(shown) == shown  # idempotent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a":1}', '{\n  "a": 1\n}\n'),
        ('{"a":[],"b":{}}', '{\n  "a": [],\n  "b": {}\n}\n'),
        ('"string"', '"string"\n'),
        ('{"d":1.00000000000000000001}', '{\n  "d": 1.00000000000000000001\n}\n'),
        ('{"a":1,"a":2}', '{\n  "a": 1,\n  "a": 2\n}\n'),  # duplicate keys kept, as stored
        ('{"s":"{\\"x\\": [1,2]}"}', '{\n  "s": "{\\"x\\": [1,2]}"\n}\n'),
        ("syntax = 'proto3';", "syntax = 'proto3';"),  # not JSON: as is
    ],
    ids=["object", "empty", "bare", "digits", "duplicates", "string-with-json", "not-json"],
)
def test_pretty_rules(text: str, expected: str) -> None:
    assert _raw.pretty(text) == expected


@pytest.mark.parametrize(
    ("subject", "version", "schema_type", "expected"),
    [
        ("orders-value", 3, "AVRO", "orders-value-v3.avsc"),
        ("j", 1, "JSON", "j-v1.json"),
        ("a/b c", 2, "AVRO", "a_b_c-v2.avsc"),
        ("../..", 1, "AVRO", "schema-v1.avsc"),
        ("x" * 300, 1, "AVRO", "x" * 100 + "-v1.avsc"),
    ],
)
def test_filename_rules(subject: str, version: int, schema_type: str, expected: str) -> None:
    assert _raw.filename(subject, version, schema_type) == expected


def test_the_raw_schema_follows_the_subject(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.subject = "customers-value"
    div, text, link = raw(explorer)
    assert div.attrs["data-version"] == "2"
    assert "email" in json.loads(text)["fields"][-1]["name"]
    assert link.attrs["download"] == "customers-value-v2.avsc"
    explorer.subject = "no-such-value"  # shown as an error in the header; nothing stale stays
    assert explorer.raw_view.value == ""
    explorer.close()
