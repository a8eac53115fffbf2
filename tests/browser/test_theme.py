"""The explorer and the rich displays read well in every theme: WCAG contrast >= 4.5.

Under JupyterLab's light theme (Voila's default), its dark theme (``?theme=dark``) and a plain
page without any ``--jp-*`` variable in light and dark ``prefers-color-scheme``, every text in
the diff rows, the badges and the preview cells is measured from computed styles (see
_contrast.py). Screenshots of both JupyterLab themes go to test-artifacts/browser/.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from playwright.sync_api import BrowserContext, Page, expect

import schemakit as sk
from schemakit.widgets import EvolutionExplorer

from . import _contrast, _notebook
from ._harness import ARTIFACTS, Offline
from .test_widgets import EXPLORER, assert_stayed_local, pick

#: Pairs whose diffs hold every row tint (added, removed, type, symbols) and whose previews hold
#: filled, dropped and kept columns, nulls, and the "cannot read" error.
PAIRS = [(1, 2), (2, 4), (4, 5), (5, 4)]


def _measure(page: Page, a: int, b: int) -> dict[str, list[_contrast.Sample]]:
    pick(page, a, b)
    root = page.locator(EXPLORER)
    expect(root.locator(".sk-preview table")).to_have_attribute("data-writer", str(a))
    return {
        "diff rows": _contrast.samples(root.locator(".sk-diff tr.sk-change")),
        "badges": _contrast.samples(root.locator(".sk-badge")),
        "preview cells": _contrast.samples(root.locator(".sk-preview th, .sk-preview td")),
        "every rendered text": _contrast.samples(root.locator(".widget-html-content")),
    }


def _shoot(page: Page, name: str) -> None:
    # Voila scrolls inside #rendered_cells: give the viewport the content's height for the shot
    viewport = page.viewport_size
    assert viewport is not None
    height = page.locator("#rendered_cells").evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": height})
    try:
        page.locator(EXPLORER).screenshot(path=ARTIFACTS / name)
    finally:
        page.set_viewport_size(viewport)
    assert (ARTIFACTS / name).stat().st_size > 10_000, name


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_explorer_reads_well_in_jupyterlab_themes(
    request: pytest.FixtureRequest, offline: Offline, theme: Literal["light", "dark"]
) -> None:
    page: Page = request.getfixturevalue("page" if theme == "light" else "dark_page")
    failures: list[str] = []
    kinds: set[str] = set()
    for a, b in PAIRS:
        measured = _measure(page, a, b)
        for part, found in measured.items():
            assert found, f"v{a} → v{b} under {theme}: no text measured in the {part}"
            failures += [f"v{a} → v{b} {part}: {line}" for line in _contrast.unreadable(found)]
        changes = page.locator(f"{EXPLORER} .sk-diff tr.sk-change")
        kinds.update(changes.evaluate_all("rows => rows.map(r => r.dataset.kind)"))
    assert {"added", "removed", "type", "symbols"} <= kinds
    assert not failures, f"text under {_contrast.MIN_CONTRAST}:1 in the {theme} theme:\n" + (
        "\n".join(failures)
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pick(page, 4, 5)
    _shoot(page, f"explorer-{theme}.png")
    assert_stayed_local(offline)


def test_the_dark_theme_is_dark(dark_page: Page, page: Page) -> None:
    """The dark page really is dark and the light one light, or the test above proves nothing."""
    for pg, dark in ((dark_page, True), (page, False)):
        cells = _contrast.samples(pg.locator(f"{EXPLORER} .sk-diff td"))
        found = [s for s in cells if s.where.startswith("td")]  # not the badges inside
        assert found
        assert all((_contrast.luminance(s.background) < 0.2) == dark for s in found)


def _static_html() -> str:
    """Everything the explorer renders, and the results' _repr_html_, for a plain page."""
    reg = sk.Registry(":memory:")
    try:
        exec(_notebook.CELLS[1], {"reg": reg})  # the notebook's subjects, one definition
        explorer = EvolutionExplorer(reg, "orders-value")
        parts: list[str] = []
        for a, b in PAIRS:
            explorer.A, explorer.B = a, b
            parts += [explorer.diff_view.value, explorer.preview_view.value]
            parts.append(explorer.raw_view.value)
        parts += [explorer.timeline.value, explorer.levels_view.value]
        explorer.check('{"type": "record", "name": "Order", "fields": []}')
        parts.append(explorer.candidate_result.value)
        explorer.close()
        v1, v5 = (reg.get_version("orders-value", v).schema for v in (1, 5))
        results: list[Any] = [
            v5,
            sk.diff(v1, v5),
            sk.check_compatibility(v5, v1),
            sk.check_compatibility(v1, v1),
            reg,
        ]
        parts += [r._repr_html_() for r in results]
    finally:
        reg.close()
    return "".join(f'<div class="sk-static">{part}</div>' for part in parts)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_static_html_reads_well_without_jupyterlab(
    context: BrowserContext, offline: Offline, scheme: Literal["light", "dark"]
) -> None:
    """No ``--jp-*`` variable: the page's own colours, as prefers-color-scheme sets them."""
    page = context.new_page()
    try:
        page.emulate_media(color_scheme=scheme)
        # a front end that follows the scheme: the system colours Canvas and CanvasText
        page.set_content(
            '<!doctype html><html><head><meta name="color-scheme" content="light dark">'
            '</head><body style="background:Canvas;color:CanvasText">'
            f"{_static_html()}</body></html>"
        )
        body = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (_contrast.luminance(_contrast.parse(body)) < 0.2) == (scheme == "dark")
        found = _contrast.samples(page.locator(".sk-static"))
        assert len(found) > 50
        failures = _contrast.unreadable(found)
        assert not failures, f"text under 4.5:1 on a plain {scheme} page:\n" + "\n".join(failures)
    finally:
        page.close()
    assert_stayed_local(offline)


_channel = st.integers(0, 255)
_colour = st.tuples(_channel, _channel, _channel)


@given(_colour, _colour, st.floats(0, 1))
def test_the_contrast_arithmetic(
    one: tuple[int, int, int], other: tuple[int, int, int], alpha: float
) -> None:
    a = _contrast.parse(f"rgb({one[0]}, {one[1]}, {one[2]})")
    b = _contrast.parse("color(srgb {} {} {})".format(*(c / 255 for c in other)))
    assert a[:3] == pytest.approx([c / 255 for c in one])
    assert 1 <= _contrast.ratio(a, b) <= 21
    assert _contrast.ratio(a, b) == pytest.approx(_contrast.ratio(b, a))
    assert _contrast.ratio(a, a) == pytest.approx(1)
    assert _contrast.over((*a[:3], 1.0), b) == pytest.approx((*a[:3], 1.0))
    assert _contrast.over((*a[:3], 0.0), b) == pytest.approx((*b[:3], 1.0))
    mixed = _contrast.over((*a[:3], alpha), b)  # a blend lies between its two colours
    for x, lo, hi in zip(mixed, a, b, strict=False):
        assert min(lo, hi) - 1e-9 <= x <= max(lo, hi) + 1e-9
    translucent = _contrast.parse(f"rgba({one[0]}, {one[1]}, {one[2]}, {alpha})")
    assert translucent[3] == pytest.approx(alpha)


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [
        ("rgb(0, 0, 0)", "rgb(255, 255, 255)", 21.0),
        ("rgb(255, 255, 255)", "rgb(255, 255, 255)", 1.0),
        ("rgb(117, 117, 117)", "rgb(255, 255, 255)", 4.61),  # WCAG's often quoted grey
        ("color(srgb 1 1 1)", "rgb(17, 17, 17)", 18.88),
    ],
)
def test_known_contrast_ratios(fg: str, bg: str, expected: float) -> None:
    assert _contrast.ratio(_contrast.parse(fg), _contrast.parse(bg)) == pytest.approx(
        expected, abs=0.01
    )


@pytest.mark.parametrize("css", ["red", "hsl(0 100% 50%)", "oklab(0.5 0 0)", ""])
def test_an_unknown_colour_form_fails_loudly(css: str) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        _contrast.parse(css)
