"""EvolutionExplorer from Python: pickers drive the traits and the rendered HTML, the timeline
pages, the candidate button, reads counted around a real registry, escaping."""

from __future__ import annotations

import json

import pytest
import traitlets

from schemakit.errors import SubjectNotFoundError
from schemakit.registry import Registry
from schemakit.widgets import EvolutionExplorer, RegistryBrowser

from ._helpers import SUBJECT, V5, CountingRegistry, Element, html, order


def classes(widget: object) -> set[str]:
    return set(widget._dom_classes)  # type: ignore[attr-defined]


def test_every_part_carries_its_selector(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    assert "sk-explorer" in classes(explorer)
    parts = {
        "sk-explorer-header": explorer.header,
        "sk-timeline": explorer.timeline,
        "sk-timeline-prev": explorer.timeline_prev,
        "sk-timeline-next": explorer.timeline_next,
        "sk-picker-a": explorer.picker_a,
        "sk-picker-b": explorer.picker_b,
        "sk-diff": explorer.diff_view,
        "sk-levels": explorer.levels_view,
        "sk-candidate": explorer.candidate,
        "sk-candidate-check": explorer.candidate_check,
        "sk-candidate-result": explorer.candidate_result,
        "sk-preview": explorer.preview_view,
        "sk-output": explorer.output,
    }
    for name, widget in parts.items():
        assert name in classes(widget), name
    (span,) = html(explorer.header.value).find("span", data_subject=SUBJECT)
    assert span.text == SUBJECT
    assert explorer.picker_a.options == tuple((f"v{n}", n) for n in range(1, 6))
    assert explorer.picker_b.options == explorer.picker_a.options


def test_the_timeline_marks_badges_and_deleted_versions(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    rows = html(explorer.timeline.value).find("tr", cls="sk-version")
    got = [
        (
            r.attrs["data-version"],
            r.attrs["data-id"],
            r.attrs["data-compatible"],
            r.attrs["data-deleted"],
        )
        for r in rows
    ]
    assert got == [
        ("5", "5", "true", "false"),
        ("4", "4", "false", "false"),
        ("3", "3", "true", "true"),
        ("2", "2", "true", "false"),
        ("1", "1", "na", "false"),
    ]
    (incompatible,) = [r for r in rows if r.attrs["data-version"] == "4"]
    (badge,) = [e for e in incompatible.walk() if "title" in e.attrs]
    assert 'cannot read writer type "long"' in badge.attrs["title"]
    assert 'cannot read writer type "long"' in incompatible.find("li", cls="sk-message")[0].text
    (deleted,) = [r for r in rows if r.attrs["data-version"] == "3"]
    assert "deleted" in deleted.text


def _fields_cells(explorer: EvolutionExplorer) -> list[str]:
    """The text of the timeline's "fields" cell of each version, newest first."""
    table = html(explorer.timeline.value).find("table")[0]
    heads = [th.text for th in table.find("th")]
    column = heads.index("fields")
    return [
        [c for c in r.children if c.tag == "td"][column].text
        for r in table.find("tr", cls="sk-version")
    ]


def test_the_timeline_counts_the_fields_of_a_record(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    assert _fields_cells(explorer) == ["6", "5", "5", "4", "3"]


@pytest.mark.parametrize(
    ("schema", "shown"),
    [
        ('"string"', "string"),
        ('{"type": "array", "items": "long"}', "array<long>"),
        ('["null", "string"]', "union, 2 branches"),
        ('{"type": "enum", "name": "E", "symbols": ["A", "B"]}', "enum E, 2 symbols"),
    ],
)
def test_a_subject_that_is_not_a_record_shows_its_type(
    registry: Registry, schema: str, shown: str
) -> None:
    registry.register("plain-value", schema)
    explorer = EvolutionExplorer(registry, "plain-value")
    assert explorer.data is not None
    assert explorer.data.versions[0].shape == shown
    assert _fields_cells(explorer) == [shown]


def diff_of(explorer: EvolutionExplorer) -> tuple[Element, list[Element]]:
    root = html(explorer.diff_view.value)
    (table,) = [e for e in root.children if e.tag == "table"]
    return table, table.find("tr", cls="sk-change")


def test_the_first_pair_is_the_two_newest_live_versions(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    assert (explorer.A, explorer.B) == (4, 5)
    assert (explorer.picker_a.value, explorer.picker_b.value) == (4, 5)
    table, rows = diff_of(explorer)
    assert (table.attrs["data-a"], table.attrs["data-b"]) == ("4", "5")
    assert {(r.attrs["data-kind"], r.attrs["data-path"]) for r in rows} == {
        ("symbols", "/fields/status"),
        ("added", "/fields/customer"),
    }


def test_picking_versions_changes_traits_diff_levels_and_preview(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.picker_a.value = 2
    explorer.picker_b.value = 4
    assert (explorer.A, explorer.B) == (2, 4)
    table, rows = diff_of(explorer)
    assert (table.attrs["data-a"], table.attrs["data-b"]) == ("2", "4")
    by_path = {r.attrs["data-path"]: r.attrs for r in rows}
    assert by_path["/fields/id"]["data-kind"] == "type"
    assert by_path["/fields/id"]["data-breaks-backward"] == "true"
    assert by_path["/fields/id"]["data-breaks-forward"] == "true"
    assert by_path["/fields/note"]["data-kind"] == "added"
    assert by_path["/fields/note"]["data-breaks-backward"] == "false"
    assert [r.path for r in explorer.changes] == ["id", "note"]

    levels = html(explorer.levels_view.value).find("tr")
    verdicts = {r.attrs["data-level"]: r.attrs["data-compatible"] for r in levels[1:]}
    assert verdicts == {
        "NONE": "true",
        "BACKWARD": "false",
        "BACKWARD_TRANSITIVE": "false",
        "FORWARD": "false",
        "FORWARD_TRANSITIVE": "false",
        "FULL": "false",
        "FULL_TRANSITIVE": "false",
    }
    messages = html(explorer.levels_view.value).find("li", cls="sk-message")
    assert 'writer type "long"' in messages[0].text

    (preview,) = html(explorer.preview_view.value).find("table")
    assert (preview.attrs["data-writer"], preview.attrs["data-reader"]) == ("2", "4")
    assert explorer.preview_model is not None
    assert explorer.preview_model.error is not None  # v4 cannot read v2's long ids
    assert preview.find(cls="sk-preview-error")


def test_setting_the_traits_moves_the_pickers(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.A, explorer.B = 1, 2
    assert (explorer.picker_a.value, explorer.picker_b.value) == (1, 2)
    table, rows = diff_of(explorer)
    assert (table.attrs["data-a"], table.attrs["data-b"]) == ("1", "2")
    assert [(r.attrs["data-kind"], r.attrs["data-path"]) for r in rows] == [
        ("added", "/fields/currency")
    ]
    (preview,) = html(explorer.preview_view.value).find("table")
    (filled,) = preview.find("th", cls="sk-filled")
    assert filled.attrs["data-column"] == "currency"
    assert "EUR" in preview.text


def test_the_same_version_twice_has_no_changes(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.A = explorer.B = 2
    table, rows = diff_of(explorer)
    assert rows == []
    assert table.find(cls="sk-no-changes")


def test_a_version_the_subject_lacks_is_refused(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    with pytest.raises(KeyError, match="no version 9"):
        explorer.A = 9
    assert explorer.A == 4


def test_the_timeline_pages(registry: Registry) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT, page_size=2)

    def shown() -> list[str]:
        return [
            r.attrs["data-version"]
            for r in html(explorer.timeline.value).find("tr", cls="sk-version")
        ]

    assert shown() == ["5", "4"]
    assert explorer.timeline_prev.disabled
    assert not explorer.timeline_next.disabled
    explorer.timeline_next.click()
    assert (explorer.page, shown()) == (1, ["3", "2"])
    explorer.timeline_next.click()
    assert (explorer.page, shown()) == (2, ["1"])
    assert explorer.timeline_next.disabled
    explorer.page = 99  # clamped to the last page
    assert explorer.page == 2
    explorer.timeline_prev.click()
    assert (explorer.page, shown()) == (1, ["3", "2"])
    (table,) = html(explorer.timeline.value).find("table")
    assert (table.attrs["data-page"], table.attrs["data-pages"]) == ("2", "3")


INCOMPATIBLE = order([V5[0], {"name": "amount", "type": "int"}, *V5[2:]])


@pytest.mark.parametrize(
    ("text", "status", "fragment"),
    [
        (json.dumps(order(V5)), "true", None),
        (json.dumps(INCOMPATIBLE), "false", 'reader type "int" cannot read writer type "double"'),
        ('{"type": "record", "name": "Order", "fields": [', "error", "line 1, column"),
        (
            '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "lng"}]}',
            "error",
            "/fields/0/type",
        ),
    ],
    ids=["compatible", "incompatible", "not-json", "unknown-type"],
)
def test_the_check_button(registry: Registry, text: str, status: str, fragment: str | None) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.candidate.value = text
    explorer.candidate_check.click()
    (verdict,) = html(explorer.candidate_result.value).find(data_compatible=status)
    messages = verdict.find("li", cls="sk-message")
    if fragment is None:
        assert messages == []
    else:
        assert len(messages) == 1
        assert fragment in verdict.text
    assert registry.versions(SUBJECT) == [1, 2, 4, 5]  # never registered


def test_reads_happen_once_per_subject_selection(counting: CountingRegistry) -> None:
    explorer = EvolutionExplorer(counting, SUBJECT, page_size=2)
    assert counting.calls == {"compatibility": 1, "history": 1, "get_by_id": 5}
    first = sum(counting.backend.values())
    counting.reset()

    for a, b in [(1, 2), (2, 4), (4, 5), (5, 5)]:
        explorer.picker_a.value = a
        explorer.picker_b.value = b
    explorer.timeline_next.click()
    explorer.timeline_next.click()
    explorer.timeline_prev.click()
    assert sum(counting.calls.values()) == 0
    assert sum(counting.backend.values()) == 0

    explorer.check(json.dumps(order(V5)))
    assert counting.calls == {"check": 1}
    counting.reset()

    explorer.subject = "customers-value"
    assert counting.calls == {"compatibility": 1, "history": 1, "get_by_id": 2}
    assert sum(counting.backend.values()) <= first  # does not grow with the versions


def test_reads_do_not_grow_with_the_number_of_versions(counting: CountingRegistry) -> None:
    EvolutionExplorer(counting, "customers-value")
    two = sum(counting.backend.values())
    counting.reset()
    counting.set_compatibility("NONE", subject="many")
    for n in range(12):
        counting.register("many", order([{"name": f"f{i}", "type": "int"} for i in range(n + 1)]))
    counting.reset()
    EvolutionExplorer(counting, "many")
    assert sum(counting.backend.values()) == two


def test_changing_the_subject_reloads_and_an_unknown_one_shows_an_error(
    registry: Registry,
) -> None:
    explorer = EvolutionExplorer(registry, SUBJECT)
    explorer.subject = "customers-value"
    assert (explorer.A, explorer.B) == (1, 2)
    assert len(html(explorer.timeline.value).find("tr", cls="sk-version")) == 2
    explorer.subject = "nope"
    header = html(explorer.header.value)
    assert header.find("span", data_subject="nope")
    assert "nope" in header.find(cls="sk-error")[0].text
    assert explorer.data is None


def test_an_unknown_subject_raises_at_once(registry: Registry) -> None:
    with pytest.raises(SubjectNotFoundError):
        EvolutionExplorer(registry, "nope")


@pytest.mark.parametrize("option", [{"page_size": 0}, {"page_size": True}, {"preview_rows": 0}])
def test_bad_options(registry: Registry, option: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(option))):
        EvolutionExplorer(registry, SUBJECT, **option)  # type: ignore[arg-type]


def test_registry_explore_returns_the_right_widget(registry: Registry) -> None:
    assert isinstance(registry.explore(), RegistryBrowser)
    explorer = registry.explore(SUBJECT, page_size=3)
    assert isinstance(explorer, EvolutionExplorer)
    assert explorer.subject == SUBJECT
    assert explorer.page_size == 3


def test_the_traits_are_traitlets() -> None:
    traits = EvolutionExplorer.class_traits()
    for name in ("subject", "A", "B", "page"):
        assert isinstance(traits[name], traitlets.TraitType)


HOSTILE = '<script>alert("x")</script>&"\'<img src=x onerror=alert(1)>'


def test_hostile_names_and_docs_stay_text(registry: Registry) -> None:
    subject = "evil" + HOSTILE
    base = {
        "type": "record",
        "name": "E",
        "doc": HOSTILE,
        "fields": [{"name": "a", "type": "string", "doc": HOSTILE}],
    }
    registry.set_compatibility("NONE", subject=subject)
    registry.register(subject, base)
    changed = {
        **base,
        "fields": [
            {"name": "a", "type": "long", "doc": HOSTILE + "2"},
            {"name": "b", "type": {"type": "enum", "name": "X", "symbols": ["S"]}, "default": "S"},
        ],
    }
    registry.register(subject, changed)
    explorer = EvolutionExplorer(registry, subject)
    explorer.check(HOSTILE)
    browser = RegistryBrowser(registry)
    rendered = [
        explorer.header.value,
        explorer.timeline.value,
        explorer.diff_view.value,
        explorer.levels_view.value,
        explorer.candidate_result.value,
        explorer.preview_view.value,
        browser.subjects_view.value,
    ]
    for text in rendered:
        assert "<script" not in text
        assert "<img" not in text
        assert "http" not in text
        html(text)  # balanced
    (span,) = html(explorer.header.value).find("span", data_subject=subject)
    assert span.text == subject
    docs = [
        r
        for r in html(explorer.diff_view.value).find("tr", cls="sk-change")
        if r.attrs["data-kind"] == "doc"
    ]
    assert HOSTILE in docs[0].text
    assert html(browser.subjects_view.value).find("tr", data_subject=subject)


def test_a_json_schema_subject(registry: Registry) -> None:
    registry.set_compatibility("NONE", subject="j")
    first = {"type": "object", "properties": {"a": {"type": "integer"}}}
    second = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}}
    registry.register("j", first, schema_type="JSON")
    registry.register("j", second, schema_type="JSON")
    explorer = EvolutionExplorer(registry, "j")
    assert [(c.pointer, c.kind) for c in explorer.changes] == [("/fields/b", "added")]
    assert explorer.preview_model is not None
    assert explorer.preview_model.error == "the preview is for Avro subjects"
    # the candidate is read as JSON Schema, the subject's type
    result = explorer.check(json.dumps({"type": "object"}))
    assert result.status == "true"


def test_the_preview_shows_the_users_rows(registry: Registry) -> None:
    rows = [{"id": 41, "amount": 9.5, "status": "PAID"}]
    explorer = EvolutionExplorer(registry, SUBJECT, sample=rows)
    explorer.A, explorer.B = 1, 2
    (table,) = html(explorer.preview_view.value).find("table")
    cells = [td.text for td in table.find("td")]
    assert cells == ["41", "9.5", "PAID", "EUR"]


def test_a_wide_subject_renders_bounded(registry: Registry) -> None:
    n = 1500
    wide = [{"name": f"f{i}", "type": "int"} for i in range(n)]
    wider = [*wide[:-1], {"name": "extra", "type": "string", "default": "x"}]
    registry.register("wide", order(wide))
    registry.register("wide", order(wider))
    explorer = EvolutionExplorer(registry, "wide")
    assert [(c.kind, c.pointer) for c in explorer.changes] == [
        ("removed", f"/fields/f{n - 1}"),
        ("added", "/fields/extra"),
    ]
    (preview,) = html(explorer.preview_view.value).find("table")
    heads = preview.find("th")
    assert len(heads) <= 41
    assert "more columns" in heads[-1].text
    changed = [h for h in heads if {"sk-filled", "sk-dropped"} & h.classes]
    assert [h.attrs["data-column"] for h in changed] == [
        "extra",
        f"f{n - 1}",
    ]
    assert len(explorer.preview_view.value) < 100_000
