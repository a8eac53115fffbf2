"""mkdocs hooks: ship the executed notebooks with the site; tidy Sphinx roles in docstrings.

docs/notebooks.md links to ``../notebooks/NN_name.ipynb`` so the links work when the page is
read on GitHub. The site has no ``notebooks/`` folder above ``docs/``, so the notebooks are added
to the site as downloadable files under ``notebooks/`` and those links are pointed at them.

The docstrings use Sphinx roles (``:class:`~schemakit.errors.InferenceError```), which
mkdocstrings leaves as text; they are shown as code with the name Sphinx would show.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def on_files(files: Files, config: Any) -> Files:
    """Add every notebook under ``notebooks/`` to the site as a static file."""
    for path in sorted(_NOTEBOOKS.glob("*.ipynb")):
        files.append(File.generated(config, f"notebooks/{path.name}", abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point ``../notebooks/…`` links of top-level pages at the notebooks shipped with the site."""
    if "/" in page.file.src_uri:
        return markdown
    return markdown.replace("](../notebooks/", "](notebooks/")


_ROLE = re.compile(r":(?:class|func|meth|attr|mod|exc|data|obj):<code>(~?)([\w.]+)</code>")


def _role(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Show ``:role:`~a.b.Name``` as ``Name`` and ``:role:`a.b``` as ``a.b``, in code."""
    return _ROLE.sub(_role, html)
