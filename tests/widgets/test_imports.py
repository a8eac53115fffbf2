"""The widgets are the outer ring: ``import schemakit`` never loads them, and without ipywidgets
their import names the extra to install."""

from __future__ import annotations

import subprocess
import sys

import schemakit.widgets


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_import_schemakit_loads_no_widgets() -> None:
    done = run(
        "import schemakit, sys; "
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets'; "
        "assert 'schemakit.widgets' not in sys.modules, 'schemakit.widgets'"
    )
    assert done.returncode == 0, done.stderr


def test_without_ipywidgets_the_error_names_the_extra() -> None:
    done = run("import sys; sys.modules['ipywidgets'] = None; import schemakit.widgets")
    assert done.returncode == 1
    assert "ImportError" in done.stderr
    assert "pip install 'schemakit[widgets]'" in done.stderr


def test_all_is_sorted_and_complete() -> None:
    assert schemakit.widgets.__all__ == sorted(schemakit.widgets.__all__)
    assert set(schemakit.widgets.__all__) == {"EvolutionExplorer", "RegistryBrowser"}


def test_the_docstring_lists_every_selector() -> None:
    doc = schemakit.widgets.__doc__ or ""
    for selector in (
        "sk-explorer",
        "sk-explorer-header",
        "data-subject",
        "sk-timeline",
        "sk-version",
        "data-version",
        "data-id",
        "data-compatible",
        "data-deleted",
        "sk-timeline-prev",
        "sk-timeline-next",
        "sk-picker-a",
        "sk-picker-b",
        "sk-diff",
        "data-a",
        "data-b",
        "sk-change",
        "data-path",
        "data-kind",
        "data-breaks-backward",
        "data-breaks-forward",
        "sk-no-changes",
        "sk-levels",
        "data-level",
        "sk-message",
        "sk-candidate",
        "sk-candidate-check",
        "sk-candidate-result",
        "sk-preview",
        "data-writer",
        "data-reader",
        "sk-browser",
        "sk-search",
        "sk-subjects",
        "sk-subject-select",
        "data-versions",
        "sk-browser-detail",
    ):
        assert selector in doc, selector
