"""The kernels' first call in a process: timed, and left out of the progress bar's rate.

Each test runs a fresh interpreter with an empty numba cache directory of its own, so the
first call really compiles (a warm cache would only load).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_PRELUDE = """
import json, time
import pandas as pd
import schemakit as sk
from schemakit import serde
from schemakit.codec._jit import compile_seconds
frame = pd.DataFrame({"n": [1, 2, 3], "s": ["a", None, "c"], "x": [0.5, 1.5, None]})
reg = sk.Registry(":memory:")
"""


def _run(code: str, cache: Path) -> dict[str, float]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _PRELUDE + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_first_calls_are_counted_once_and_later_calls_not(tmp_path: Path) -> None:
    out = _run(
        """
before = compile_seconds()
start = time.perf_counter()
records = sk.encode(frame, topic="t", registry=reg, progress=False)
first = time.perf_counter() - start
after_encode = compile_seconds()
sk.decode(records, reg, progress=False)
after_decode = compile_seconds()
sk.encode(frame, topic="t", registry=reg, progress=False)
sk.decode(records, reg, progress=False)
print(json.dumps(dict(before=before, first=first, after_encode=after_encode,
                      after_decode=after_decode, again=compile_seconds())))
""",
        tmp_path / "numba",
    )
    assert out["before"] == 0.0
    assert 0.0 < out["after_encode"] <= out["first"]
    assert out["after_decode"] > out["after_encode"]  # the reader's kernels are its own
    assert out["again"] == out["after_decode"]  # warm kernels are not timed again


def test_the_progress_bar_clock_leaves_the_compile_out(tmp_path: Path) -> None:
    out = _run(
        """
bar = serde._progress(6, "encode", True)
start = time.perf_counter()
records = sk.encode(frame, topic="t", registry=reg, progress=False)
bar.update(3)
sk.decode(records, reg, progress=False)
bar.update(3)
wall = time.perf_counter() - start
elapsed = bar.format_dict["elapsed"]
n = bar.n
bar.close()
print(json.dumps(dict(wall=wall, elapsed=elapsed, compile=compile_seconds(), n=n)))
""",
        tmp_path / "numba",
    )
    assert out["n"] == 6
    assert out["compile"] > 0.0
    # the bar's elapsed time is the wall time less the first calls (a little slack for the
    # work done between the clock reads)
    assert out["elapsed"] <= out["wall"] - out["compile"] + 0.05
    assert out["elapsed"] >= 0.0
