"""Fixtures: the registry every widget test explores, and a counting one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemakit.registry import Registry

from ._helpers import CountingRegistry, fill


@pytest.fixture
def registry() -> Iterator[Registry]:
    with Registry(":memory:") as reg:
        yield fill(reg)


@pytest.fixture
def counting(tmp_path: Path) -> Iterator[CountingRegistry]:
    reg = CountingRegistry(tmp_path / "registry.duckdb")
    try:
        fill(reg)
        reg.reset()
        yield reg
    finally:
        reg.close()
