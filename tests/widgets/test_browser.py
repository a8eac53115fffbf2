"""RegistryBrowser from Python: the search filters, picking opens the explorer, rows are bounded."""

from __future__ import annotations

from schemakit.registry import Registry
from schemakit.widgets import EvolutionExplorer, RegistryBrowser

from ._helpers import SUBJECT, CountingRegistry, html


def listed(browser: RegistryBrowser) -> list[tuple[str, str, str]]:
    rows = html(browser.subjects_view.value).find("tr")
    return [
        (r.attrs["data-subject"], r.attrs["data-versions"], r.attrs["data-level"])
        for r in rows
        if "data-subject" in r.attrs
    ]


def test_selectors_and_the_subjects_table(registry: Registry) -> None:
    browser = RegistryBrowser(registry)
    for name, widget in {
        "sk-browser": browser,
        "sk-search": browser.search,
        "sk-subject-select": browser.subject_select,
        "sk-subjects": browser.subjects_view,
        "sk-browser-detail": browser.detail,
    }.items():
        assert name in widget._dom_classes, name
    assert listed(browser) == [
        ("customers-value", "2", "BACKWARD"),
        (SUBJECT, "4", "BACKWARD"),  # live versions: v3 is soft-deleted
        ("payments-key", "1", "BACKWARD"),
    ]
    assert browser.subject_select.options == ("customers-value", SUBJECT, "payments-key")
    assert browser.subject_select.value is None
    assert browser.detail.children == ()


def test_the_search_filters_the_picker_and_the_table(registry: Registry) -> None:
    browser = RegistryBrowser(registry)
    browser.search.value = "CUST"  # any case
    assert browser.query == "CUST"
    assert browser.subject_select.options == ("customers-value",)
    assert [s for s, _, _ in listed(browser)] == ["customers-value"]
    assert browser.subject_select.value is None  # filtering never opens a subject
    assert browser.explorer is None
    browser.search.value = "-value"
    assert browser.subject_select.options == ("customers-value", SUBJECT)
    browser.search.value = "zzz"
    assert browser.subject_select.options == ()
    assert "0 of 3 subjects" in browser.subjects_view.value


def test_picking_a_subject_opens_its_explorer_below(registry: Registry) -> None:
    browser = RegistryBrowser(registry)
    browser.subject_select.value = SUBJECT
    assert browser.selected == SUBJECT
    explorer = browser.explorer
    assert isinstance(explorer, EvolutionExplorer)
    assert browser.detail.children == (explorer,)
    assert explorer.subject == SUBJECT
    assert html(explorer.header.value).find("span", data_subject=SUBJECT)

    browser.subject_select.value = "customers-value"
    assert browser.explorer is explorer  # one explorer, its subject changed
    assert explorer.subject == "customers-value"
    assert len(html(explorer.timeline.value).find("tr", cls="sk-version")) == 2


def test_the_selection_survives_a_search_that_keeps_it(registry: Registry) -> None:
    browser = RegistryBrowser(registry)
    browser.selected = SUBJECT
    assert browser.subject_select.value == SUBJECT
    browser.search.value = "orders"
    assert browser.subject_select.value == SUBJECT
    browser.search.value = "pay"
    assert browser.subject_select.value is None
    assert browser.explorer is not None
    assert browser.explorer.subject == SUBJECT  # the open explorer stays


def test_the_table_is_bounded_and_reads_only_what_it_lists() -> None:
    with CountingRegistry(":memory:") as reg:
        for i in range(120):
            reg.register(f"s{i:03d}-value", '"string"')
        reg.reset()
        browser = RegistryBrowser(reg, max_rows=10)
        assert len(listed(browser)) == 10
        assert "… 110 more" in browser.subjects_view.value
        assert len(browser.subject_select.options) == 120
        assert reg.calls == {"subjects": 1, "versions": 10, "compatibility": 10}
        browser.search.value = "s00"
        assert reg.calls["versions"] == 10  # s000…s009 were listed already


def test_refresh_reads_new_subjects(registry: Registry) -> None:
    browser = RegistryBrowser(registry)
    registry.register("new-value", '"long"')
    assert "new-value" not in browser.subject_select.options
    browser.refresh_button.click()
    assert "new-value" in browser.subject_select.options


def test_a_subject_that_is_not_a_record_shows_its_type_when_picked(registry: Registry) -> None:
    browser = RegistryBrowser(registry)
    browser.selected = "payments-key"  # registered as "string"
    assert browser.explorer is not None
    (row,) = html(browser.explorer.timeline.value).find("tr", cls="sk-version")
    cells = [c.text for c in row.children if c.tag == "td"]
    assert "string" in cells
    assert "0" not in cells
