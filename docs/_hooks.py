"""mkdocs hooks: render the executed notebooks as pages; tidy Sphinx roles in docstrings.

docs/notebooks.md links to ``../notebooks/NN_name.ipynb`` so the links work when the page is
read on GitHub. On the site each notebook is a page of its own, ``notebooks/NN_name/``, rendered
at build time by nbconvert from the committed outputs (nothing is executed, nothing fetched):
the notebook's HTML is put in place of a marker after the page's Markdown is rendered, so the
Markdown parser never sees it. The ``.ipynb`` itself ships beside it, linked from the page.

Interactive widgets need a live kernel (their JavaScript would come from a CDN): each one is
shown as its text form with a note, so the site stays offline and loads no external script.

The docstrings use Sphinx roles (``:class:`~schemakit.errors.InferenceError```), which
mkdocstrings leaves as text; they are shown as code with the name Sphinx would show.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_MARKER = "<!-- schemakit-notebook: {} -->"


def on_files(files: Files, config: Any) -> Files:
    """Add a page and the ``.ipynb`` under ``notebooks/`` for every notebook."""
    for path in sorted(_NOTEBOOKS.glob("*.ipynb")):
        files.append(File.generated(config, f"notebooks/{path.name}", abs_src_path=str(path)))
        files.append(File.generated(config, f"notebooks/{path.stem}.md", content=_page(path)))
    return files


def _page(path: Path) -> str:
    """The Markdown of a notebook's page: its title, a download link, the marker."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    first = next((c.source for c in notebook.cells if c.cell_type == "markdown"), "")
    title = re.match(r"#\s+(.+)", first)
    front = f"---\ntitle: {_yaml_string(title.group(1) if title else path.stem)}\n---\n\n"
    download = f'[Download {path.name}]({path.name}){{ .md-button download="{path.name}" }}'
    return f"{front}{download}\n\n{_MARKER.format(path.stem)}\n"


def _yaml_string(text: str) -> str:
    """``text`` as a YAML-safe double-quoted scalar (JSON strings are valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


@cache
def _rendered(stem: str) -> str:
    """The body of notebook ``stem`` as HTML (nbconvert's basic template: no scripts)."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(_NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    notebook.metadata.pop("widgets", None)  # the widget state is for a live page only
    for cell in notebook.cells:
        for output in cell.get("outputs", ()):
            data = output.get("data", {})
            if data.pop(_WIDGET_VIEW, None) is not None:
                text = escape(str(data.pop("text/plain", "")))
                data["text/html"] = (
                    f"<pre>{text}</pre><p><em>An interactive widget: open the notebook in "
                    "JupyterLab (<code>make lab</code>) to use it.</em></p>"
                )
    exporter = HTMLExporter(
        template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(notebook)
    return f'<div class="schemakit-notebook">\n{body}\n</div>'


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point ``../notebooks/NN.ipynb`` links of top-level pages at the rendered pages."""
    if "/" in page.file.src_uri:
        return markdown
    return re.sub(r"\]\(\.\./notebooks/([\w-]+)\.ipynb\)", r"](notebooks/\1.md)", markdown)


_ROLE = re.compile(r":(?:class|func|meth|attr|mod|exc|data|obj):<code>(~?)([\w.]+)</code>")


def _role(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Put each notebook in place of its marker; show ``:role:`~a.b.Name``` as ``Name`` and
    ``:role:`a.b``` as ``a.b``, in code."""
    html = re.sub(r"<!-- schemakit-notebook: ([\w-]+) -->", lambda m: _rendered(m[1]), html)
    return _ROLE.sub(_role, html)
