"""Every public result renders statically and safely: ``_repr_html_`` is escaped (hostile names
and docs stay text), bounded (a huge schema or registry shows at most MAX_ROWS rows and a
"… more" note), self-contained (no script, no URL) and ``repr`` is one line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest

import schemakit as sk
from schemakit._html import COLOURS, MAX_ROWS

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;"\''


class _Tags(HTMLParser):
    """The tags, attributes and text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Tags:
    tags = _Tags()
    tags.feed(markup)
    tags.close()
    return tags


def assert_safe(markup: str) -> None:
    """No script, no event handler, no external resource, no URL."""
    assert "<script" not in markup.lower()
    assert "http" not in markup.lower()
    for tag, attrs in parse(markup).tags:
        assert tag not in ("script", "img", "iframe", "link", "object", "embed"), tag
        for name in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "href"), (tag, name)


def body_rows(markup: str) -> int:
    """Rows of every table body (header rows left out)."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", markup, flags=re.S)
    return sum(body.count("<tr") for body in bodies)


def record(fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": "R", **extra, "fields": fields}


HOSTILE_AVRO = record(
    [
        {"name": "a", "type": "string", "doc": HOSTILE, "default": HOSTILE},
        {
            "name": "e",
            "type": {"type": "enum", "name": "E", "symbols": ["S"], "doc": HOSTILE},
        },
    ],
    doc=HOSTILE,
)
HOSTILE_JSON = {
    "type": "object",
    "description": HOSTILE,
    "properties": {HOSTILE: {"type": "string", "description": HOSTILE, "default": HOSTILE}},
    "required": [HOSTILE],
}
HOSTILE_SUBJECT = "subject" + HOSTILE


@pytest.fixture
def registry() -> Any:
    with sk.Registry(":memory:") as reg:
        reg.set_compatibility("NONE", subject=HOSTILE_SUBJECT)
        reg.register(HOSTILE_SUBJECT, HOSTILE_AVRO)
        reg.register(HOSTILE_SUBJECT, record([{"name": "b", "type": "long", "doc": HOSTILE}]))
        yield reg


def _results(registry: sk.Registry) -> dict[str, Any]:
    avro = sk.Schema.parse(HOSTILE_AVRO)
    other = sk.Schema.parse(record([{"name": "a", "type": "long", "doc": HOSTILE + "!"}]))
    json_schema = sk.Schema.parse(HOSTILE_JSON, schema_type="JSON")
    return {
        "Schema (Avro)": avro,
        "Schema (JSON)": json_schema,
        "RegisteredSchema": registry.get_latest(HOSTILE_SUBJECT),
        "CompatibilityResult": sk.check_compatibility(other, avro, "FULL"),
        "SchemaDiff": sk.diff(avro, other),
        "SchemaDiff (JSON)": sk.diff(
            json_schema, sk.Schema.parse({"type": "object"}, schema_type="JSON")
        ),
        "Registry": registry,
        "IntegrityReport": registry.verify(),
    }


NAMES = [
    "Schema (Avro)",
    "Schema (JSON)",
    "RegisteredSchema",
    "CompatibilityResult",
    "SchemaDiff",
    "SchemaDiff (JSON)",
    "Registry",
    "IntegrityReport",
]


@pytest.mark.parametrize("name", NAMES)
def test_html_is_escaped_and_self_contained(registry: sk.Registry, name: str) -> None:
    markup = _results(registry)[name]._repr_html_()
    assert_safe(markup)
    parse(markup)  # parses


@pytest.mark.parametrize("name", ["Schema (Avro)", "Schema (JSON)", "SchemaDiff", "Registry"])
def test_hostile_text_is_shown_as_text(registry: sk.Registry, name: str) -> None:
    text = "".join(parse(_results(registry)[name]._repr_html_()).text)
    assert "<script>" in text  # escaped markup reads back as the original text


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_one_cheap_line(registry: sk.Registry, name: str) -> None:
    text = repr(_results(registry)[name])
    assert "\n" not in text
    assert len(text) <= 300


def test_the_decode_error_report_is_a_frame() -> None:
    with sk.Registry(":memory:") as reg:
        frame = sk.decode([b"\x01junk", HOSTILE.encode()], reg, errors="null", progress=False)
    report = frame.attrs["decode_errors"]
    assert isinstance(report, pd.DataFrame)
    assert list(report.columns) == ["row", "schema_id", "reason", "message"]
    assert "<script" not in report._repr_html_()


WIDE = record([{"name": f"f{i}", "type": "int", "doc": f"field {i}"} for i in range(5000)])
NARROW = record([{"name": "f0", "type": "long"}])


def _huge() -> dict[str, Callable[[], Any]]:
    def registry() -> sk.Registry:
        reg = sk.Registry(":memory:")
        for i in range(500):
            reg.register(f"s{i:03d}", '"int"')
        return reg

    wide = sk.Schema.parse(WIDE)
    narrow = sk.Schema.parse(NARROW)
    return {
        "Schema": lambda: wide,
        "CompatibilityResult": lambda: sk.check_compatibility(narrow, wide, "FORWARD"),
        "SchemaDiff": lambda: sk.diff(wide, narrow),
        "Registry": registry,
    }


@pytest.mark.parametrize("name", ["Schema", "CompatibilityResult", "SchemaDiff", "Registry"])
def test_html_is_bounded(name: str) -> None:
    result = _huge()[name]()
    try:
        markup = result._repr_html_()
    finally:
        if isinstance(result, sk.Registry):
            result.close()
    assert body_rows(markup) <= MAX_ROWS + 1
    assert "more" in markup
    assert len(markup) < 200_000
    assert "\n" not in repr(result)


def _colours(markup: str) -> list[str]:
    """Every colour an inline style sets (``color``, ``background``, borders' colour part)."""
    found: list[str] = []
    for _tag, attrs in parse(markup).tags:
        for declaration in (attrs.get("style") or "").split(";"):
            name, _, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name in ("color", "background", "background-color"):
                found.append(value)
            elif name in ("border", "border-left", "border-top", "border-right", "border-bottom"):
                found.append(value.split(maxsplit=2)[-1])  # "1px solid <colour>"
    return found


def test_the_colour_table_takes_jupyterlab_variables_first() -> None:
    for role, value in COLOURS.items():
        assert value == "white" or "var(--jp-" in value, role  # white: text on a dark badge
        assert "#" not in value.split("var(--jp-")[0], role  # no fixed colour before the variable


@pytest.mark.parametrize("name", NAMES)
def test_every_colour_comes_from_the_colour_table(registry: sk.Registry, name: str) -> None:
    markup = _results(registry)[name]._repr_html_()
    allowed = set(COLOURS.values())
    assert [c for c in _colours(markup) if c not in allowed] == []


def test_every_widget_colour_comes_from_the_colour_table() -> None:
    from schemakit.widgets import EvolutionExplorer

    v1 = record([{"name": "a", "type": "int"}, {"name": "gone", "type": "int"}])
    v2 = record([{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": ""}])
    v3 = record([{"name": "a", "type": "string", "doc": "d"}])
    with sk.Registry(":memory:") as reg:
        reg.set_compatibility("NONE", subject="s")
        for version in (v1, v2, v3):
            reg.register("s", version)
        reg.delete_version("s", 2)
        reg.set_compatibility("BACKWARD", subject="s")
        explorer = EvolutionExplorer(reg, "s")
        markup: list[str] = [explorer.timeline.value, explorer.candidate_result.value]
        for a, b in ((1, 2), (2, 1), (2, 3), (3, 3)):
            explorer.A, explorer.B = a, b
            markup += [explorer.diff_view.value, explorer.levels_view.value]
            markup.append(explorer.preview_view.value)
        for text in (json.dumps(v2), json.dumps(v3), "{", '{"type": "lng"}'):
            explorer.check(text)
            markup.append(explorer.candidate_result.value)
        explorer.close()
    colours = [c for part in markup for c in _colours(part)]
    assert len(set(colours)) >= 6  # badges, tints, muted and coloured text were all drawn
    assert set(colours) <= set(COLOURS.values())
