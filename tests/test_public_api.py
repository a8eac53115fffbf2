"""The public surface: ``__all__`` sorted and complete, ``import schemakit`` light."""

from __future__ import annotations

import subprocess
import sys

import schemakit as sk


def test_all_is_sorted_and_complete() -> None:
    assert list(sk.__all__) == sorted(sk.__all__)
    public = {
        name
        for name, obj in vars(sk).items()
        if not name.startswith("_") and not isinstance(obj, type(sys))
    }
    assert public == set(sk.__all__)
    for name in sk.__all__:
        assert getattr(sk, name) is not None


def test_import_does_not_load_the_outer_ring() -> None:
    code = (
        "import sys, schemakit; "
        "print(sorted(m for m in ('typer', 'polars', 'schemakit.cli', 'ipywidgets') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
