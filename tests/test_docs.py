"""The docs site covers the public API, and the figures quoted in notebooks are the recorded ones.

``make docs`` (``mkdocs build --strict``) checks that the site builds; these tests check what a
build cannot: that no public name is missing from the API reference, and that the benchmark
figures notebook 03 quotes are those in docs/performance.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

import schemakit

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"


def _documented() -> set[str]:
    names = set()
    for page in REFERENCE.glob("*.md"):
        names.update(re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M))
    return names


@pytest.mark.parametrize("name", schemakit.__all__)
def test_public_name_is_in_the_api_reference(name: str) -> None:
    # By its public name, by its full path (a function that shares its module's name, such as
    # schemakit.infer, needs that), or with its whole module (schemakit.errors).
    obj = getattr(schemakit, name)
    full = f"{obj.__module__}.{obj.__qualname__}"
    ways = {f"schemakit.{name}", full, obj.__module__}
    assert ways & _documented(), f"add '::: {full}' to docs/reference/"


def test_widgets_are_in_the_api_reference() -> None:
    assert any(name.startswith("schemakit.widgets") for name in _documented())


def test_nav_lists_every_reference_page() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in REFERENCE.glob("*.md"):
        assert f"reference/{page.name}" in nav


def test_notebook_benchmark_figures_are_the_recorded_ones() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "03_batch_encode_decode.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "markdown" and "rows/s" in c.source]
    assert cells, "notebook 03 lost its benchmark figures"
    figures = re.findall(r"\d[\d,]*\.?\d*(?:×| µs)", "\n".join(cells))
    figures += re.findall(r"\d{1,3}(?:,\d{3})+", "\n".join(cells))
    recorded = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    stale = sorted({f for f in figures if f not in recorded})
    assert len(figures) > 10
    assert stale == [], "notebook 03 quotes figures docs/performance.md no longer has"
