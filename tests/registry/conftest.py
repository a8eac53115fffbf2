"""Fixtures for the registry contract suite: every backend the suite runs against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemakit.registry import Registry


@pytest.fixture(params=["memory", "file"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """``":memory:"`` and a DuckDB file under ``tmp_path``."""
    return ":memory:" if request.param == "memory" else str(tmp_path / "registry.duckdb")


@pytest.fixture
def registry(location: str) -> Iterator[Registry]:
    """A registry whose global level is NONE, so only tests that ask for a level need compat."""
    with Registry(location) as reg:
        reg.set_compatibility("NONE")
        yield reg
