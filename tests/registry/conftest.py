"""Fixtures for the registry contract suite: every backend the suite runs against.

- ``memory``: ``":memory:"``;
- ``file``: a DuckDB file under ``tmp_path``;
- ``remote``: the REST backend (``Registry("http://…")``) talking over HTTP on 127.0.0.1 to the
  app ``schemakit serve`` runs (:func:`schemakit.server.create_app` under uvicorn) over a fresh
  DuckDB file.

Every remote test gets its own server over its own file: the suite asserts fresh ids, and a
registry never reuses an id, so no cleanup of a shared server could give a fresh registry. A
``schemakit serve`` subprocess takes 1.5 s (idle machine) to 3 s (loaded) to start, mostly
imports, so ~150 remote tests would take minutes; the same app under uvicorn in a thread of the
test process starts in milliseconds. The subprocess itself (the CLI path) is exercised by
tests/registry/test_remote.py and tests/interop/test_rest_interop.py.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schemakit.registry import Registry
from schemakit.registry._duckdb import DuckDBStore
from tests._serve import free_port

_READY_TIMEOUT = 30.0


@contextlib.contextmanager
def served_in_thread(path: Path) -> Iterator[str]:
    """The registry app over ``path`` under uvicorn on a free port of 127.0.0.1; its base URL.

    Stopped (and joined) when the block ends, whatever happened inside it.
    """
    import uvicorn

    from schemakit.server import create_app

    app = create_app(path)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + _READY_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the registry app did not start on 127.0.0.1:{port}")
            time.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=_READY_TIMEOUT)


@pytest.fixture(params=["memory", "file", "remote"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """``":memory:"``, a DuckDB file under ``tmp_path``, or the URL of a fresh served registry."""
    if request.param == "memory":
        yield ":memory:"
    elif request.param == "file":
        yield str(tmp_path / "registry.duckdb")
    else:
        path = tmp_path / "served.duckdb"
        with served_in_thread(path) as url:
            request.node.stash[_SERVED_FILE] = path
            yield url


_SERVED_FILE = pytest.StashKey[Path]()


@pytest.fixture
def registry(location: str, request: pytest.FixtureRequest) -> Iterator[Registry]:
    """A registry whose global level is NONE, so only tests that ask for a level need compat."""
    with Registry(location) as reg:
        served = request.node.stash.get(_SERVED_FILE, None)
        if served is not None:
            # "Nothing was written" checks compare every row of the served file, read directly
            # (the server holds the file only while a request runs).
            reg._backend.dump = lambda: _dump(served)  # type: ignore[attr-defined]
        reg.set_compatibility("NONE")
        yield reg


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    store = DuckDBStore(str(path), timeout=30.0)
    try:
        return store.dump()
    finally:
        store.close()
