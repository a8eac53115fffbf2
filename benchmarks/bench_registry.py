"""Registry latency: register, lookup and get-by-id, cold and warm, in memory and in a file.

Usage::

    python benchmarks/bench_registry.py [--schemas 200] [--subjects 10]

For each backend (``":memory:"`` and a DuckDB file in a temporary folder) it registers
``--schemas`` distinct Avro records round-robin into ``--subjects`` subjects, then times:

* ``register new``: registering a schema the registry has not seen (a write transaction);
* ``register new (BACKWARD)``: the same with the BACKWARD check against the previous version
  (each version adds a field with a default, so every check passes);
* ``register again, cold``: re-registering a known schema from a fresh ``Registry`` object
  (the store is read, nothing is written);
* ``register again, warm``: the same from the object that registered it (its cache answers);
* ``lookup cold`` / ``lookup warm``: :meth:`Registry.lookup` from a fresh object, then again;
* ``get_by_id cold`` / ``get_by_id warm``: :meth:`Registry.get_by_id` likewise.

"Cold" means a new ``Registry`` object with empty caches, not a cold OS page cache. For a file,
every cold call opens the file for the length of the call (so other processes can use it), and
that open dominates its cost. Each figure is the median (and 90th percentile) of per-call wall
times over every schema.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def _schema(i: int) -> dict[str, Any]:
    return {"type": "record", "name": f"Rec{i}", "fields": [{"name": "x", "type": "long"}]}


def _evolving(i: int) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [{"name": "id", "type": "long"}]
    fields += [{"name": f"f{k}", "type": "string", "default": ""} for k in range(i)]
    return {"type": "record", "name": "Evolving", "fields": fields}


def _times(call: Callable[[Any], object], items: Iterable[Any]) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        call(item)
        out.append(time.perf_counter() - start)
    return out


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} µs"
    return f"{seconds * 1e3:8.2f} ms"


def _row(backend: str, what: str, times: list[float]) -> str:
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return f"{backend:<8} {what:<26} {len(times):>6} {_fmt(statistics.median(times))} {_fmt(p90)}"


def run(location: str, backend: str, n: int, subjects: int) -> list[str]:
    from schemakit.registry import Registry

    rows: list[str] = []
    pairs = [(f"subject-{i % subjects}", _schema(i)) for i in range(n)]
    reg = Registry(location)
    reg.set_compatibility("NONE")
    registered = {}

    def register(pair: tuple[str, dict[str, Any]]) -> None:
        registered[pair[1]["name"]] = reg.register(pair[0], pair[1])

    rows.append(_row(backend, "register new", _times(register, pairs)))
    reg.set_compatibility("BACKWARD", "evolving")
    evolving = [_evolving(i) for i in range(min(n, 50))]
    rows.append(
        _row(
            backend,
            "register new (BACKWARD)",
            _times(lambda s: reg.register("evolving", s), evolving),
        )
    )
    ids = [r.id for r in registered.values()]

    # A fresh object has empty caches; for ":memory:" the data lives in ``reg``'s connection,
    # so its caches are dropped instead.
    cold = Registry(location) if location != ":memory:" else reg
    if cold is reg:
        reg._schemas.clear()
        reg._known.clear()
    rows.append(_row(backend, "register again, cold", _times(lambda p: cold.register(*p), pairs)))
    rows.append(_row(backend, "register again, warm", _times(lambda p: cold.register(*p), pairs)))

    lookups = Registry(location) if location != ":memory:" else reg
    if lookups is reg:
        reg._schemas.clear()
        reg._known.clear()
    rows.append(_row(backend, "lookup cold", _times(lambda p: lookups.lookup(*p), pairs)))
    rows.append(_row(backend, "lookup warm", _times(lambda p: lookups.lookup(*p), pairs)))

    by_id = Registry(location) if location != ":memory:" else reg
    if by_id is reg:
        reg._schemas.clear()
    rows.append(_row(backend, "get_by_id cold", _times(by_id.get_by_id, ids)))
    rows.append(_row(backend, "get_by_id warm", _times(by_id.get_by_id, ids)))
    for r in {id(x): x for x in (reg, cold, lookups, by_id)}.values():
        r.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=int, default=200)
    parser.add_argument("--subjects", type=int, default=10)
    args = parser.parse_args(argv)

    import duckdb

    print(
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"{platform.machine()}; {args.schemas} schemas in {args.subjects} subjects"
    )
    print(f"{'backend':<8} {'operation':<26} {'calls':>6} {'median':>11} {'p90':>11}")
    print("-" * 66)
    with tempfile.TemporaryDirectory() as tmp:
        for location, backend in (
            (":memory:", "memory"),
            (str(Path(tmp) / "bench.duckdb"), "file"),
        ):
            for line in run(location, backend, args.schemas, args.subjects):
                print(line)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
