"""The widgets in a real browser: Voila renders tests/browser/explorer.ipynb, chromium clicks.

The page is shared by the tests of one worker (see conftest.py), so each test sets the pickers,
the search box or the candidate box itself before it asserts, and waits on the state it set
(``data-a``/``data-b`` of the diff, the ``data-compatible`` verdict) through Playwright's
auto-waiting ``expect``. The notebook's subjects are described in _notebook.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from . import _contrast, _notebook
from ._harness import ARTIFACTS, Offline

#: The standalone explorer (the browser's own explorer has the same classes).
EXPLORER = ".sk-test-standalone"
LEVELS = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
]
#: orders-value's latest version (v5) with ``amount`` narrowed from double to int.
INCOMPATIBLE_CANDIDATE = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "amount", "type": "int"},
        {
            "name": "status",
            "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]},
        },
        {"name": "currency", "type": "string", "default": "EUR"},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}


def assert_stayed_local(offline: Offline) -> None:
    __tracebackhide__ = True
    assert offline.blocked == [], (
        "the page asked for something outside 127.0.0.1 (aborted), a CDN dependency: "
        f"{offline.blocked}"
    )


#: The colours (text, background, border) of an element and what it contains, as computed.
_COLOURS_JS = """e => [e, ...e.querySelectorAll('*')].flatMap(x => {
  const s = getComputedStyle(x);
  return [s.color, s.backgroundColor, s.borderLeftColor, s.borderTopColor];
})"""


def is_red(element: Locator) -> bool:
    """Whether the element or something inside it is drawn in a red (red well above green/blue)."""
    colours = [_contrast.parse(c) for c in element.evaluate(_COLOURS_JS)]
    return any(a > 0 and r >= 0.58 and r - max(g, b) >= 0.235 for r, g, b, a in colours)


def explorer(page: Page) -> Locator:
    return page.locator(EXPLORER)


def pick(page: Page, a: int, b: int) -> None:
    """Pick versions A and B in the standalone explorer; wait until the diff shows A → B."""
    root = explorer(page)
    root.locator(".sk-picker-a select").select_option(label=f"v{a}")
    root.locator(".sk-picker-b select").select_option(label=f"v{b}")
    table = root.locator(".sk-diff table")
    expect(table).to_have_attribute("data-a", str(a))
    expect(table).to_have_attribute("data-b", str(b))


def check_candidate(page: Page, text: str) -> Locator:
    """Paste ``text`` as a candidate of orders-value, click check; the verdict element."""
    root = explorer(page)
    root.locator(".sk-candidate textarea").fill(text)
    root.locator(".sk-candidate-check").click()
    return root.locator(".sk-candidate-result [data-compatible]")


def open_subject(page: Page, subject: str) -> None:
    """Pick ``subject`` in the browser (search cleared); wait until its explorer shows."""
    browser = page.locator(".sk-browser")
    browser.locator(".sk-search input").fill("")
    expect(browser.locator(f'.sk-subject-select option:text-is("{subject}")')).to_be_attached()
    browser.locator(".sk-subject-select select").select_option(label=subject)
    header = browser.locator(".sk-browser-detail .sk-explorer .sk-explorer-header [data-subject]")
    expect(header).to_have_attribute("data-subject", subject)


def test_the_page_shows_the_explorer(page: Page, offline: Offline) -> None:
    root = explorer(page)
    expect(root).to_be_visible()
    expect(root.locator(".sk-explorer-header [data-subject]")).to_have_attribute(
        "data-subject", "orders-value"
    )
    for part in ("sk-timeline", "sk-diff", "sk-levels", "sk-candidate", "sk-preview"):
        expect(root.locator(f".{part}")).to_be_visible()
    expect(page.locator(".sk-browser")).to_be_visible()
    assert_stayed_local(offline)


def test_the_timeline_marks_the_deleted_and_the_incompatible_version(
    page: Page, offline: Offline
) -> None:
    rows = explorer(page).locator(".sk-timeline tr.sk-version")
    expect(rows).to_have_count(5)
    expected = {
        1: ("na", "false"),
        2: ("true", "false"),
        3: ("true", "true"),
        4: ("false", "false"),
        5: ("true", "false"),
    }
    for version, (compatible, deleted) in expected.items():
        row = rows.and_(explorer(page).locator(f'tr[data-version="{version}"]'))
        expect(row).to_have_attribute("data-deleted", deleted)
        if version != 3:  # whether a deleted version gets a badge is the widget's choice
            expect(row).to_have_attribute("data-compatible", compatible)
    # the incompatible version's badge is red, the compatible ones' are not
    assert is_red(rows.and_(page.locator('[data-version="4"]')))
    assert not is_red(rows.and_(page.locator('[data-version="2"]')))
    assert_stayed_local(offline)


def test_the_timeline_pages(page: Page, offline: Offline) -> None:
    paged = page.locator(".sk-test-paged")  # customers-value, one version a page
    table = paged.locator(".sk-timeline table")
    rows = paged.locator(".sk-timeline tr.sk-version")
    expect(table).to_have_attribute("data-pages", "2")
    paged.locator(".sk-timeline-next").click()
    expect(table).to_have_attribute("data-page", "2")
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-version", "1")  # newest first: older is next
    paged.locator(".sk-timeline-prev").click()
    expect(table).to_have_attribute("data-page", "1")
    expect(rows).to_have_attribute("data-version", "2")
    assert_stayed_local(offline)


def test_picking_versions_changes_the_diff(page: Page, offline: Offline) -> None:
    changes = explorer(page).locator(".sk-diff tr.sk-change")

    pick(page, 1, 2)
    added = changes.and_(page.locator('[data-kind="added"][data-path$="currency"]'))
    expect(added).to_have_count(1)
    expect(added).to_have_attribute("data-breaks-backward", "false")
    expect(changes).to_have_count(1)

    pick(page, 2, 4)
    id_type = changes.and_(page.locator('[data-kind="type"][data-path$="id"]'))
    expect(id_type).to_have_count(1)
    expect(id_type).to_have_attribute("data-breaks-backward", "true")
    expect(id_type).to_have_attribute("data-breaks-forward", "true")
    expect(changes.and_(page.locator('[data-kind="added"][data-path$="note"]'))).to_have_count(1)

    pick(page, 4, 5)
    expect(changes.and_(page.locator('[data-kind="symbols"][data-path$="status"]'))).to_have_count(
        1
    )
    customer = changes.and_(page.locator('[data-kind="added"][data-path*="customer"]'))
    expect(customer.first).to_be_attached()

    pick(page, 2, 2)
    expect(explorer(page).locator(".sk-diff .sk-no-changes")).to_be_visible()
    expect(changes).to_have_count(0)
    assert_stayed_local(offline)


def test_the_levels_table_shows_all_seven_levels(page: Page, offline: Offline) -> None:
    levels = explorer(page).locator(".sk-levels")

    pick(page, 1, 2)
    expect(levels.locator("tr[data-level]")).to_have_count(7)
    for level in LEVELS:
        expect(levels.locator(f'tr[data-level="{level}"]')).to_have_attribute(
            "data-compatible", "true"
        )

    pick(page, 2, 4)
    expect(levels.locator("tr[data-level]")).to_have_count(7)
    expect(levels.locator('tr[data-level="NONE"]')).to_have_attribute("data-compatible", "true")
    for level in LEVELS[1:]:
        expect(levels.locator(f'tr[data-level="{level}"]')).to_have_attribute(
            "data-compatible", "false"
        )
    expect(levels.locator("li.sk-message").first).to_contain_text('writer type "long"')
    assert_stayed_local(offline)


def test_an_incompatible_candidate_gets_a_red_verdict_with_its_message(
    page: Page, offline: Offline
) -> None:
    verdict = check_candidate(page, json.dumps(INCOMPATIBLE_CANDIDATE, indent=2))
    expect(verdict).to_have_attribute("data-compatible", "false")
    message = explorer(page).locator(".sk-candidate-result li.sk-message")
    expect(message).to_have_count(1)
    expect(message).to_contain_text("/fields/1/type")
    expect(message).to_contain_text('reader type "int" cannot read writer type "double"')
    assert is_red(verdict)
    assert_stayed_local(offline)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"type": "record", "name": "Order", "fields": [', "line 1, column"),
        (
            '{"type": "record", "name": "Order", "fields": '
            '[{"name": "id", "type": "string"}, {"name": "amount", "type": "lng"}]}',
            "/fields/1/type",
        ),
    ],
    ids=["not-json", "unknown-type"],
)
def test_a_candidate_that_does_not_parse_shows_where(
    page: Page, offline: Offline, text: str, where: str
) -> None:
    verdict = check_candidate(page, text)
    expect(verdict).to_have_attribute("data-compatible", "error")
    expect(explorer(page).locator(".sk-candidate-result")).to_contain_text(where)
    assert_stayed_local(offline)


def test_the_preview_reads_version_a_rows_with_version_b(page: Page, offline: Offline) -> None:
    pick(page, 1, 2)
    table = explorer(page).locator(".sk-preview table")
    expect(table).to_have_attribute("data-writer", "1")
    expect(table).to_have_attribute("data-reader", "2")
    currency = table.locator('th[data-column="currency"]')
    expect(currency).to_have_class(re.compile(r"\bsk-filled\b"))  # only B has it: filled in
    expect(table.locator('th[data-column="amount"]')).to_have_class(re.compile(r"\bsk-kept\b"))
    expect(table).to_contain_text("EUR")  # the reader's default

    pick(page, 2, 1)  # v1 reads v2's rows: the field it lacks is dropped
    expect(table).to_have_attribute("data-writer", "2")
    expect(table.locator('th[data-column="currency"]')).to_have_class(re.compile(r"\bsk-dropped\b"))
    assert_stayed_local(offline)


def test_the_browser_searches_and_opens_a_subject(page: Page, offline: Offline) -> None:
    browser = page.locator(".sk-browser")
    search = browser.locator(".sk-search input")
    rows = browser.locator(".sk-subjects tr[data-subject]")
    options = browser.locator(".sk-subject-select option")
    detail = browser.locator(".sk-browser-detail")

    search.fill("")
    expect(rows).to_have_count(3)
    orders = browser.locator('.sk-subjects tr[data-subject="orders-value"]')
    expect(orders).to_have_attribute("data-versions", "4")  # live versions: v3 is deleted
    expect(orders).to_have_attribute("data-level", "BACKWARD")
    search.fill("cust")
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-subject", "customers-value")
    expect(options).to_have_count(1)
    search.fill("")
    expect(rows).to_have_count(3)

    # orders-value first: it is not the first subject, so picking it is always a change
    open_subject(page, "orders-value")
    open_subject(page, "customers-value")
    expect(detail.locator(".sk-timeline tr.sk-version")).to_have_count(2)
    assert_stayed_local(offline)


def test_screenshots(page: Page, offline: Offline) -> None:
    """Full page, the explorer and the browser, under test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pick(page, 4, 5)  # mixed verdicts, and a preview with rows
    expect(explorer(page).locator(".sk-preview table")).to_have_attribute("data-writer", "4")
    verdict = check_candidate(page, json.dumps(INCOMPATIBLE_CANDIDATE, indent=2))
    expect(verdict).to_have_attribute("data-compatible", "false")
    browser = page.locator(".sk-browser")
    open_subject(page, "orders-value")
    # Voila scrolls inside #rendered_cells, which clips whatever is outside the viewport (in
    # element shots too): give the viewport the content's height for the shots.
    viewport = page.viewport_size
    assert viewport is not None
    height = page.locator("#rendered_cells").evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": height})
    try:
        explorer(page).screenshot(path=ARTIFACTS / "explorer.png")
        browser.screenshot(path=ARTIFACTS / "browser.png")
        page.screenshot(path=ARTIFACTS / "page.png", full_page=True)
    finally:
        page.set_viewport_size(viewport)
    for name in ("explorer.png", "browser.png", "page.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000, name
    assert_stayed_local(offline)


def test_the_committed_notebook_is_current(tmp_path: Path) -> None:
    _notebook.write(tmp_path / "explorer.ipynb")
    assert (tmp_path / "explorer.ipynb").read_text() == _notebook.PATH.read_text(), (
        "tests/browser/explorer.ipynb is stale: run `python -m tests.browser._notebook`"
    )
