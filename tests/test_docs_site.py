"""The built docs site: notebooks rendered as pages, and nothing loaded from another host.

The site is built once for the module, as ``make docs`` builds it (``mkdocs build --strict``),
with every proxy pointed at a closed port, so a build that fetched anything would fail.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, a fetch fails at once

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"), _CLOSED),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def _text(page: str) -> str:
    """The page's visible text without any whitespace: tags dropped, entities decoded (code is
    split into highlighted spans, so only the characters are compared)."""
    return _squash(html.unescape(re.sub(r"<[^>]+>", "", page)))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_is_a_page_with_its_cells_and_outputs(site: Path, notebook: Path) -> None:
    page = (site / "notebooks" / notebook.stem / "index.html").read_text(encoding="utf-8")
    text = _text(page)
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    outputs = [  # what is shown as text: streams, and results that have no richer form
        o["text"] if o["output_type"] == "stream" else o["data"]["text/plain"]
        for c in code
        for o in c.outputs
        if o["output_type"] == "stream"
        or (o["output_type"] == "execute_result" and set(o["data"]) == {"text/plain"})
    ]
    assert code
    assert outputs
    for cell in code:  # every code cell's source
        assert _squash(cell.source) in text, cell.source[:80]
    for output in outputs:  # and the first line of each plain-text or stream output
        lines = str(output).strip().splitlines()
        if lines and not lines[0].startswith(("<", "EvolutionExplorer", "RegistryBrowser")):
            assert _squash(lines[0]) in text, lines[0]
    # the notebook ships beside its page and the page links to it
    assert (site / "notebooks" / notebook.name).read_bytes() == notebook.read_bytes()
    assert f'href="../{notebook.name}"' in page


def test_the_notebooks_page_links_to_the_rendered_pages(site: Path) -> None:
    page = (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]*)"', page))
    for notebook in NOTEBOOKS:
        assert f"{notebook.stem}/" in links
        assert not any(link.endswith(notebook.name) for link in links)


def test_widgets_show_as_text_with_a_note_and_no_widget_script(site: Path) -> None:
    page = (site / "notebooks" / "02_schema_evolution" / "index.html").read_text("utf-8")
    assert "EvolutionExplorer(" in _text(page)
    assert "An interactive widget" in page
    assert "application/vnd.jupyter.widget" not in page


def test_no_page_loads_a_script_or_stylesheet_from_another_host(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(NOTEBOOKS)
    tag = r"<(?:script|link|img|iframe)\b[^>]*"
    external = re.compile(tag + r"""\b(?:src|href)=["'](?:https?:)?//""")
    for page in pages:
        found = external.findall(page.read_text(encoding="utf-8"))
        assert not found, f"{page.relative_to(site)} loads {found[:3]} from another host"


def test_every_notebook_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f"notebooks/{notebook.stem}.md" in nav
