"""The raw schema in a real browser: shown pretty, selectable, downloaded through its ``data:``
link, and the candidate box started from version B's text."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from ._harness import Offline
from .test_widgets import EXPLORER, assert_stayed_local, pick

#: The text a user selects in the <pre> (select all of it, as a triple-drag or Ctrl+A would).
_SELECT_JS = """pre => {
  const range = document.createRange();
  range.selectNodeContents(pre);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
}"""


def test_the_raw_schema_is_shown_copied_and_downloaded(
    page: Page, offline: Offline, tmp_path: Path
) -> None:
    root = page.locator(EXPLORER)
    pick(page, 4, 5)
    root.locator('.sk-raw-side button:text-is("B")').click()
    raw = root.locator(".sk-raw-schema .sk-raw")
    expect(raw).to_have_attribute("data-version", "5")
    pre = raw.locator("pre.sk-raw-text")
    shown = pre.inner_text()
    schema = json.loads(shown)
    assert [f["name"] for f in schema["fields"]][-1] == "customer"
    assert "SHIPPED" in json.dumps(schema)
    assert shown.count("\n") > 20  # pretty, one item a line
    assert json.loads(pre.evaluate(_SELECT_JS)) == schema  # what a user copies

    link = raw.locator("a.sk-raw-download")
    expect(link).to_have_attribute("download", "orders-value-v5.avsc")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "orders-value-v5.avsc"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert json.loads(saved.read_text(encoding="utf-8")) == schema

    root.locator('.sk-raw-side button:text-is("A")').click()
    expect(raw).to_have_attribute("data-version", "4")
    expect(raw).to_have_attribute("data-side", "A")
    assert "SHIPPED" not in raw.locator("pre.sk-raw-text").inner_text()
    root.locator('.sk-raw-side button:text-is("B")').click()
    expect(raw).to_have_attribute("data-version", "5")
    assert_stayed_local(offline)


def test_the_candidate_starts_from_version_b(page: Page, offline: Offline) -> None:
    root = page.locator(EXPLORER)
    pick(page, 1, 2)
    button = root.locator(".sk-candidate-from-b")
    expect(button).to_have_text("start from B (v2)")
    pick(page, 4, 5)
    expect(button).to_have_text("start from B (v5)")
    root.locator('.sk-raw-side button:text-is("B")').click()
    expect(root.locator(".sk-raw")).to_have_attribute("data-version", "5")
    box = root.locator(".sk-candidate textarea")
    box.fill("")
    button.click()
    expect(box).not_to_have_value("")
    text = box.input_value()
    assert json.loads(text) == json.loads(root.locator(".sk-raw-text").inner_text())
    root.locator(".sk-candidate-check").click()
    verdict = root.locator(".sk-candidate-result [data-compatible]")
    expect(verdict).to_have_attribute("data-compatible", "true")  # v5 against itself
    assert_stayed_local(offline)
