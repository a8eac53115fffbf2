"""The first ``sk.encode`` / ``sk.decode`` in a fresh process, cold and warm numba cache.

Usage::

    python benchmarks/bench_first_call.py [--runs 5] [--rows 10]

Each run is a new interpreter that imports schemakit, encodes ``--rows`` flights rows to an
in-memory registry and decodes them back, timing each call, then times the same two calls
again (the steady state). "cold" gives every run an empty ``NUMBA_CACHE_DIR`` of its own, so
the kernels are compiled; "warm" shares one directory filled by a run before the timed ones,
so they are loaded from numba's on-disk cache. The medians over the runs are printed, with
the seconds :func:`schemakit.codec._jit.compile_seconds` counted (what a progress bar leaves
out of its rate; ``nan`` on a checkout that does not count them). The schemakit measured is
the one ``python`` imports: ``PYTHONPATH=/path/to/checkout`` picks one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, sys, time
sys.path.insert(0, {benchmarks!r})
from _flights import load_flights
import schemakit as sk
try:
    from schemakit.codec._jit import compile_seconds
except ImportError:  # a checkout from before the first calls were timed
    compile_seconds = lambda: float("nan")

table = load_flights({rows})
reg = sk.Registry(":memory:")
reg.register("flights-value", sk.infer(table, name="Flight"))
times = {{}}
for label in ("first", "again"):
    start = time.perf_counter()
    records = sk.encode(table, topic="flights", registry=reg, progress=False)
    times[label + "_encode"] = time.perf_counter() - start
    start = time.perf_counter()
    sk.decode(records, reg, output="arrow", progress=False)
    times[label + "_decode"] = time.perf_counter() - start
times["compile"] = compile_seconds()
print(json.dumps(times))
"""


def _child(rows: int, cache: Path) -> dict[str, float]:
    code = _CHILD.format(benchmarks=str(Path(__file__).resolve().parent), rows=rows)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cache.parent,  # not the checkout: ``-c`` puts the working directory on sys.path
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="schemakit-first-call-") as tmp:
        root = Path(tmp)
        cold = [_child(args.rows, root / f"cold-{i}") for i in range(args.runs)]
        _child(args.rows, root / "warm")  # fills the shared cache
        warm = [_child(args.rows, root / "warm") for _ in range(args.runs)]

    keys = ("first_encode", "first_decode", "again_encode", "again_decode", "compile")
    print(f"{args.rows} flights rows, median of {args.runs} fresh processes (seconds)")
    print(f"{'cache':<6}" + "".join(f"{k:>14}" for k in keys))
    for name, runs in (("cold", cold), ("warm", warm)):
        cells = "".join(f"{statistics.median(r[k] for r in runs):>14.3f}" for k in keys)
        print(f"{name:<6}{cells}")


if __name__ == "__main__":
    main()
