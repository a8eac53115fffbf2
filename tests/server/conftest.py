"""Fixtures for the server tests: a real ``schemakit serve`` subprocess on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests._serve import CONTENT_TYPE, serve


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a ``schemakit serve`` over a fresh registry file, for one test module."""
    path: Path = tmp_path_factory.mktemp("served") / "registry.duckdb"
    with serve(path) as base_url:
        yield base_url


@pytest.fixture
def client(server_url: str) -> Iterator[httpx.Client]:
    """An httpx client of the module's server, sending Confluent's media type."""
    with httpx.Client(
        base_url=server_url, headers={"Content-Type": CONTENT_TYPE}, timeout=30.0
    ) as http:
        yield http
