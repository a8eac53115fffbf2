"""Atheris target: hostile Avro bodies and framed records never crash, hang or over-allocate.

Run with ``make fuzz`` (``FUZZ_SECONDS`` bounds it), or directly::

    .venv/bin/python tests/fuzz/fuzz_decode.py -max_total_time=120 -rss_limit_mb=2048 -timeout=10

Each input picks a fixed, compatible writer/reader schema pair and a decode path (fused record
kernel, lockstep numba kernels, numpy), is split into a few bodies with
``atheris.FuzzedDataProvider`` and decoded with ``errors="raise"`` and ``errors="null"``; the
bodies are also framed with a Confluent header (magic byte and schema id from the input) and run
through ``parse_headers``, and each framed record through ``sk.Deserializer.decode`` (the
single-record path: its bounded scan, then fastavro), which must agree with the batch decoder
on that record (both succeed, or both fail with the same reason); a recursive schema (no batch
decoder) goes through the single-record path alone. The same bodies are also read as JSON
Schema bodies (``decode_json_bodies`` in both modes, and ``Deserializer.decode`` of one framed
JSON record), which must agree on the reason as well. Only
:class:`~schemakit.errors.DecodeError` may escape; anything else is a finding. The seed
corpus (valid ``fastavro.schemaless_writer`` bodies for every pair) is
written to a temporary directory at start-up, so nothing binary lives in git.

Memory: a long run's RSS grows (about 20 KB per input). That growth comes from atheris's
instrumentation, not from schemakit: the same target run 30,000 times on mutated seeds without
instrumentation stays flat at 219 MB (measured with a plain loop over mutated seed inputs).
``-rss_limit_mb`` in ``make fuzz`` bounds it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import os
import resource
import struct
import sys
import tempfile
from typing import Any

import atheris

# The numba kernels (``_py_*``) of the reader and the framing cannot be compiled from
# instrumented bytecode, so those modules are imported plain and their other functions and
# methods are instrumented below.
with atheris.instrument_imports(
    include=["schemakit"],
    exclude=["schemakit.codec._reader", "schemakit.codec._framing", "schemakit.codec._scan"],
):
    import schemakit.codec._framing as _framing
    import schemakit.codec._reader as _reader
    import schemakit.codec._scan as _scan
    from schemakit import Deserializer, Registry, Schema
    from schemakit.codec import decode_bodies, parse_headers
    from schemakit.codec._json import decode_json_bodies
    from schemakit.errors import DecodeError

import contextlib
import inspect

import fastavro
import pyarrow as pa


def _instrument_plain_modules() -> None:
    for module in (_reader, _framing, _scan):
        for name, obj in list(vars(module).items()):
            if name.startswith("_py_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                atheris.instrument_func(obj)
            elif inspect.isclass(obj):
                for member in vars(obj).values():
                    if inspect.isfunction(member):
                        atheris.instrument_func(member)


_instrument_plain_modules()

MAX_BODIES = 8
UTC = dt.UTC

FLAT = {
    "type": "record",
    "name": "Flat",
    "fields": [
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "s", "type": "string"},
        {"name": "y", "type": "bytes"},
        {"name": "x", "type": {"type": "fixed", "name": "F4", "size": 4}},
    ],
}
NULLABLE = {
    "type": "record",
    "name": "Nullable",
    "fields": [
        {"name": "a", "type": ["null", "long"]},
        {"name": "b", "type": ["string", "null"]},
        {"name": "c", "type": ["null", "double", "string"]},
        {"name": "d", "type": ["null", {"type": "array", "items": "int"}]},
    ],
}
ITEM = {
    "type": "record",
    "name": "Item",
    "fields": [{"name": "k", "type": "string"}, {"name": "v", "type": ["null", "long"]}],
}
NESTED = {
    "type": "record",
    "name": "Nested",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "items", "type": {"type": "array", "items": ITEM}},
        {"name": "tags", "type": {"type": "map", "values": "string"}},
        {
            "name": "inner",
            "type": {
                "type": "record",
                "name": "Inner",
                "fields": [{"name": "m", "type": {"type": "map", "values": "Item"}}],
            },
        },
    ],
}
ENUM_WRITER = {
    "type": "record",
    "name": "Evolve",
    "fields": [
        {
            "name": "e",
            "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE", "PINK"]},
        },
        {"name": "n", "type": "int"},
        {"name": "g", "type": "float"},
        {"name": "gone", "type": "string"},
    ],
}
ENUM_READER = {
    "type": "record",
    "name": "Evolve",
    "fields": [
        {
            "name": "e",
            "type": {
                "type": "enum",
                "name": "Colour",
                "symbols": ["RED", "GREEN", "BLUE", "OTHER"],
                "default": "OTHER",
            },
        },
        {"name": "n", "type": "long"},
        {"name": "g", "type": "double"},
        {"name": "added", "type": "string", "default": "x"},
    ],
}
LOGICAL = {
    "type": "record",
    "name": "Logical",
    "fields": [
        {
            "name": "dec",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
        },
        {
            "name": "fdec",
            "type": {
                "type": "fixed",
                "name": "D8",
                "size": 8,
                "logicalType": "decimal",
                "precision": 18,
                "scale": 4,
            },
        },
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "t", "type": {"type": "int", "logicalType": "time-millis"}},
    ],
}

LINKED = {
    "type": "record",
    "name": "Node",
    "fields": [
        {"name": "v", "type": "long"},
        {"name": "kids", "type": {"type": "array", "items": "Node"}},
        {"name": "next", "type": ["null", "Node"]},
    ],
}

PAIRS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (FLAT, FLAT),
    (NULLABLE, NULLABLE),
    (NESTED, NESTED),
    (ENUM_WRITER, ENUM_READER),
    (LOGICAL, LOGICAL),
]
PARSED = [(Schema.parse(w), Schema.parse(r)) for w, r in PAIRS]
REGISTRY = Registry(":memory:")
IDS = [REGISTRY.register(f"fuzz-{i}-value", w).id for i, (w, _r) in enumerate(PARSED)]
LINKED_ID = REGISTRY.register("fuzz-linked-value", Schema.parse(LINKED)).id
SINGLE = [Deserializer(REGISTRY, reader_schema=r) for _w, r in PARSED]
SINGLE_LINKED = Deserializer(REGISTRY)
JSON_SCHEMA = Schema.parse(
    {
        "type": "object",
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": ["string", "null"]},
            "c": {"type": "array", "items": {"type": "number"}},
            "d": {"type": "object", "properties": {"e": {"type": "boolean"}}},
        },
        "required": ["a"],
    },
    schema_type="JSON",
)
JSON_ID = REGISTRY.register("fuzz-json-value", JSON_SCHEMA).id
SINGLE_JSON = Deserializer(REGISTRY)

SAMPLES: list[list[dict[str, Any]]] = [
    [
        {
            "b": True,
            "i": -5,
            "l": 2**40,
            "f": 1.5,
            "d": -2.25,
            "s": "héllo",
            "y": b"\x00\xff",
            "x": b"abcd",
        },
        {"b": False, "i": 0, "l": 0, "f": 0.0, "d": 0.0, "s": "", "y": b"", "x": b"\x00" * 4},
    ],
    [
        {"a": None, "b": "s", "c": None, "d": None},
        {"a": 7, "b": None, "c": 1.0, "d": [1, 2, 3]},
        {"a": -1, "b": "", "c": "text", "d": []},
    ],
    [
        {"id": 1, "items": [], "tags": {}, "inner": {"m": {}}},
        {
            "id": -9,
            "items": [{"k": "a", "v": None}, {"k": "b", "v": 3}],
            "tags": {"x": "y", "z": ""},
            "inner": {"m": {"q": {"k": "c", "v": 4}}},
        },
    ],
    [
        {"e": "RED", "n": 1, "g": 0.5, "gone": "a"},
        {"e": "PINK", "n": -(2**31), "g": -1.0, "gone": ""},
    ],
    [
        {
            "dec": decimal.Decimal("1234.56"),
            "fdec": decimal.Decimal("-1.2345"),
            "day": dt.date(2024, 2, 29),
            "ms": dt.datetime(2024, 1, 1, 12, 0, tzinfo=UTC),
            "us": dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            "t": dt.time(23, 59, 59, 999000),
        },
    ],
]


def _body(schema: dict[str, Any], rec: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, fastavro.parse_schema(schema), rec)
    return buf.getvalue()


def _encode_input(pair: int, mode: int, bodies: list[bytes]) -> bytes:
    """The inverse of :func:`TestOneInput`'s splitting, for the seed corpus."""
    out = bytearray([pair, mode, 0, 0, 0, 1, len(bodies)])
    for body in bodies[:-1]:
        out += struct.pack("<H", len(body)) + body
    out += bodies[-1]
    return bytes(out)


def write_seeds(directory: str) -> None:
    n = 0
    for pair, ((writer, _reader_schema), recs) in enumerate(zip(PAIRS, SAMPLES, strict=True)):
        bodies = [_body(writer, r) for r in recs]
        for mode in range(3):
            for chunk in (bodies, bodies[:1], bodies[::-1]):
                with open(os.path.join(directory, f"seed-{n:03d}"), "wb") as fh:
                    fh.write(_encode_input(pair, mode, chunk))
                n += 1


def _set_mode(mode: int) -> None:
    _reader.USE_NUMBA = mode != 2
    _reader.FUSED_MIN_ROWS = 0 if mode == 0 else 10**9


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    raw = fdp.ConsumeBytes(6)
    if len(raw) < 6:
        return
    # The rest is split by hand (u16 length prefixes, 0xFFFF = null) so seeds stay meaningful.
    which = raw[0] % len(PARSED)
    writer, reader = PARSED[which]
    _set_mode(raw[1] % 3)
    header = bytes([raw[1] >> 7]) + raw[2:6]
    rest = fdp.ConsumeBytes(fdp.remaining_bytes())
    count = rest[0] % (MAX_BODIES + 1) if rest else 0
    pos = 1
    bodies: list[bytes | None] = []
    for i in range(count):
        if i == count - 1:
            bodies.append(rest[pos:])
            break
        if pos + 2 > len(rest):
            bodies.append(b"")
            continue
        (length,) = struct.unpack_from("<H", rest, pos)
        pos += 2
        if length == 0xFFFF:
            bodies.append(None)
            continue
        bodies.append(rest[pos : pos + length])
        pos += length

    arr = pa.array(bodies, pa.binary())
    with contextlib.suppress(DecodeError):
        decode_bodies(arr, writer, reader)
    table, bad = decode_bodies(arr, writer, reader, errors="null")
    if len(table) != len(bodies):
        raise AssertionError(f"{len(table)} rows for {len(bodies)} bodies")
    for row, _reason, _message in bad:
        if not 0 <= row < len(bodies):
            raise AssertionError(f"bad row {row} out of range")

    framed = pa.array([None if b is None else header + b for b in bodies], pa.binary())
    headers = parse_headers(framed)
    if len(headers.ids) != len(bodies):
        raise AssertionError("parse_headers lost rows")
    # The bodies behind a good header decode (or fail) like the unframed ones.
    good = headers.errors == 0
    if good.any():
        parts = [framed[i].as_py()[5:] for i in range(len(bodies)) if good[i]]
        with contextlib.suppress(DecodeError):
            decode_bodies(pa.array(parts, pa.binary()), writer, reader)

    # One record at a time: the single-record path agrees with the batch decoder.
    for body in bodies[:2]:
        if body is None:
            continue
        record = b"\x00" + IDS[which].to_bytes(4, "big") + body
        single = _reason_of(lambda r=record: SINGLE[which].decode(r))
        batch = _reason_of(lambda b=body: decode_bodies(pa.array([b], pa.binary()), writer, reader))
        # a date beyond year 9999 is well formed (Arrow holds it), but no Python value can
        if single != batch and single != _scan.PYTHON_RANGE_REASON:
            raise AssertionError(
                f"pair {which}, body {body.hex()}: single record {single!r}, batch {batch!r}"
            )
        _reason_of(lambda b=body: SINGLE_LINKED.decode(b"\x00" + LINKED_ID.to_bytes(4, "big") + b))

    # The same bytes as JSON Schema bodies: only DecodeError, one row per body, one reason.
    json_bodies = pa.array(bodies, pa.binary())
    with contextlib.suppress(DecodeError):
        decode_json_bodies(json_bodies, JSON_SCHEMA)
    table, bad = decode_json_bodies(json_bodies, JSON_SCHEMA, errors="null")
    if len(table) != len(bodies):
        raise AssertionError(f"{len(table)} JSON rows for {len(bodies)} bodies")
    reasons = {row: reason for row, reason, _message in bad}
    for row, body in enumerate(bodies[:2]):
        if body is None:
            continue
        record = b"\x00" + JSON_ID.to_bytes(4, "big") + body
        single = _reason_of(lambda r=record: SINGLE_JSON.decode(r))
        if single is not None and single != reasons.get(row):
            raise AssertionError(
                f"JSON body {body!r}: single {single!r}, batch {reasons.get(row)!r}"
            )


def _reason_of(call: Any) -> str | None:
    try:
        call()
    except DecodeError as exc:
        return str(exc.reason)
    return None


def main() -> None:
    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit + 4 * 1024**3, resource.RLIM_INFINITY))
    argv = list(sys.argv)
    if not any(not a.startswith("-") for a in argv[1:]):
        seeds = tempfile.mkdtemp(prefix="schemakit-fuzz-seeds-")
        write_seeds(seeds)
        corpus = tempfile.mkdtemp(prefix="schemakit-fuzz-corpus-")
        argv += [corpus, seeds]
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
