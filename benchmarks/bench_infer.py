"""Schema inference on a dataset on disk: schemakit's streaming path against loading it first.

Usage::

    python benchmarks/bench_infer.py [--rows 10000000] [--files 8] [--many-files 500]

Generates, in a temporary folder and in bounded memory (chunks of ``--chunk`` rows):

* a Parquet dataset of ``--files`` files, ``--rows`` rows in all;
* one CSV file with the same ``--rows`` rows;
* ``--many-files`` small Parquet files (2,000 rows each), to time the footer-only path per file.

Columns: ``id`` int64, ``qty`` int32, ``price`` float64 (1 % nulls), ``name`` string,
``category`` string (8 values), ``at`` timestamp[us] (0.1 % nulls), ``ok`` bool.

The generator and each case run in fresh subprocesses of a parent that imports nothing heavy:
on Linux a child's ``ru_maxrss`` starts from its parent's RSS at ``fork``, so a parent that had
generated the data would inflate every case. Peak RSS is ``ru_maxrss`` of the case's
subprocess, which includes the interpreter and the imports (the ``baseline`` case shows that
part alone). Time is the wall time of the inference call only.

Cases:

* ``schemakit parquet`` / ``schemakit csv``: ``schemakit.infer(path)``, streaming.
* ``naive parquet``: ``pyarrow.parquet.read_table(dir)`` then ``schemakit.infer`` on the table.
* ``naive csv``: ``pandas.read_csv(file)`` then ``schemakit.infer`` on the DataFrame.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CASES = ("baseline", "schemakit parquet", "naive parquet", "schemakit csv", "naive csv")


# --- generation ---------------------------------------------------------------------------


def _chunk(start: int, n: int, seed: int) -> Any:
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    ids = np.arange(start, start + n, dtype=np.int64)
    price = pa.array(rng.random(n) * 100, mask=rng.random(n) < 0.01)
    names = pa.array(np.char.add("user-", (ids % 100_003).astype(str)))
    categories = np.array(["red", "green", "blue", "cyan", "pink", "gold", "gray", "teal"])
    at = (np.datetime64("2024-01-01T00:00:00", "us") + ids * 1_000_000).astype("datetime64[us]")
    return pa.table(
        {
            "id": ids,
            "qty": rng.integers(0, 1000, n, dtype=np.int32),
            "price": price,
            "name": names,
            "category": pa.array(categories[rng.integers(0, 8, n)]),
            "at": pa.array(at, pa.timestamp("us"), mask=rng.random(n) < 0.001),
            "ok": rng.random(n) < 0.5,
        }
    )


def generate(root: Path, rows: int, files: int, many: int, chunk: int) -> dict[str, Path]:
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    pq_dir = root / "parquet"
    pq_dir.mkdir()
    csv_path = root / "data.csv"
    per_file = -(-rows // files)
    schema = _chunk(0, 1, 0).schema
    csv_writer = pcsv.CSVWriter(str(csv_path), schema)
    written = 0
    for i in range(files):
        end = min(rows, written + per_file)
        with pq.ParquetWriter(str(pq_dir / f"part-{i:03d}.parquet"), schema) as writer:
            while written < end:
                n = min(chunk, end - written)
                table = _chunk(written, n, written)
                writer.write_table(table)
                csv_writer.write_table(table)
                written += n
    csv_writer.close()
    many_dir = root / "many"
    many_dir.mkdir()
    for i in range(many):
        pq.write_table(_chunk(i * 2000, 2000, i), str(many_dir / f"part-{i:04d}.parquet"))
    return {"parquet": pq_dir, "csv": csv_path, "many": many_dir}


def size_on_disk(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- one case, in its own process ----------------------------------------------------------


def run_case(case: str, path: str) -> dict[str, Any]:
    import duckdb  # noqa: F401  (imported by every case, so the baseline is comparable)
    import pandas as pd
    import pyarrow.parquet as pq

    from schemakit import infer

    start = time.perf_counter()
    if case == "baseline":
        result: Any = None
    elif case.startswith("schemakit"):
        result = infer(path)
    elif case == "naive parquet":
        result = infer(pq.read_table(path))
    elif case == "naive csv":
        result = infer(pd.read_csv(path))
    else:
        raise SystemExit(f"unknown case {case!r}")
    seconds = time.perf_counter() - start
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    fields = None if result is None else list(result.fields)
    return {"seconds": seconds, "maxrss_kib": maxrss_kib, "fields": fields}


def in_subprocess(case: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--run-case", case, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --- main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=8, help="Parquet files for --rows")
    parser.add_argument("--many-files", type=int, default=500, help="small Parquet files")
    parser.add_argument("--chunk", type=int, default=500_000, help="rows per generated chunk")
    parser.add_argument("--dir", type=Path, default=None, help="where to generate (kept)")
    parser.add_argument("--run-case", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--generate-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_case:
        print(json.dumps(run_case(args.run_case[0], args.run_case[1]), default=str))
        return
    if args.generate_into:
        paths = generate(args.generate_into, args.rows, args.files, args.many_files, args.chunk)
        print(json.dumps({k: str(v) for k, v in paths.items()}))
        return

    root = args.dir or Path(tempfile.mkdtemp(prefix="schemakit-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        gen = subprocess.run(
            [
                *(sys.executable, __file__, "--generate-into", str(root)),
                *("--rows", str(args.rows), "--files", str(args.files)),
                *("--many-files", str(args.many_files), "--chunk", str(args.chunk)),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        paths = {k: Path(v) for k, v in json.loads(gen.stdout.strip().splitlines()[-1]).items()}
        generated = time.perf_counter() - start
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores; "
            f"{args.rows:,} rows; generated in {generated:.1f} s under {root}"
        )
        parquet_size = size_on_disk(paths["parquet"])
        csv_size = size_on_disk(paths["csv"])
        many_size = size_on_disk(paths["many"])
        print(f"parquet: {args.files} files, {parquet_size / 2**20:,.1f} MiB")
        print(f"csv:     1 file,  {csv_size / 2**20:,.1f} MiB")
        print(
            f"many:    {args.many_files} parquet files of 2,000 rows, {many_size / 2**20:,.1f} MiB"
        )
        plan = [
            ("baseline", paths["parquet"], 0, 0),
            ("schemakit parquet", paths["parquet"], args.rows, parquet_size),
            ("naive parquet", paths["parquet"], args.rows, parquet_size),
            ("schemakit csv", paths["csv"], args.rows, csv_size),
            ("naive csv", paths["csv"], args.rows, csv_size),
            ("schemakit parquet", paths["many"], args.many_files * 2000, many_size),
        ]
        header = f"{'case':<28}{'data':>12}{'rows':>14}{'time s':>10}{'rows/s':>16}{'peak RSS':>12}"
        print(header)
        print("-" * len(header))
        for case, path, rows, size in plan:
            r = in_subprocess(case, path)
            label = case if path != paths["many"] else f"{case} ({args.many_files} files)"
            rate = f"{rows / r['seconds']:,.0f}" if rows else "-"
            data = f"{size / 2**20:,.0f} MiB" if size else "-"
            print(
                f"{label:<28}{data:>12}{rows:>14,}{r['seconds']:>10.3f}{rate:>16}"
                f"{r['maxrss_kib'] / 1024:>9,.0f} MiB"
            )
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
