"""Properties of the columnar reader, with fastavro as the oracle.

Random schemas (the writer tests' strategies: every type, nesting, nullable unions, logical
types) and random rows are written by ``fastavro.schemaless_writer``; decoding them must give
what ``fastavro.schemaless_reader`` gives, with the writer schema and with a random compatible
reader schema (fields dropped, fields added with defaults, promotions). Random bytes never
crash the reader. Not generated, because fastavro is not the judge there (DESIGN.md, last
section): bytes and fixed defaults (code points, see test_reader.py), nanosecond timestamps.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import fastavro
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemakit import Schema
from schemakit.codec import _reader
from schemakit.codec._reader import decode_bodies
from schemakit.errors import DecodeError

from ._oracle import fastavro_bodies
from .test_reader import normalize
from .test_writer_properties import _Names, records, values

SETTINGS = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def schema_and_rows(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    schema = draw(records(_Names()))
    rows = draw(st.lists(values(schema), min_size=0, max_size=8))
    return schema, rows


def _oracle(writer: Any, reader: Any, bodies: list[bytes]) -> list[Any]:
    w, r = fastavro.parse_schema(writer), fastavro.parse_schema(reader)
    return [normalize(fastavro.schemaless_reader(io.BytesIO(b), w, r)) for b in bodies]


def _decode(writer: Any, reader: Any, bodies: list[bytes]) -> list[Any]:
    table = decode_bodies(pa.array(bodies, pa.binary()), Schema.parse(writer), Schema.parse(reader))
    assert table.num_rows == len(bodies)
    return [normalize(row) for row in table.to_pylist()]


@pytest.fixture(autouse=True)
def _fused_from_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small generated batches still go through the fused flat-record kernel."""
    monkeypatch.setattr(_reader, "FUSED_MIN_ROWS", 0)


@SETTINGS
@given(schema_and_rows())
def test_decode_matches_fastavro(case: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    schema, rows = case
    bodies = fastavro_bodies(schema, rows)
    assert _decode(schema, schema, bodies) == _oracle(schema, schema, bodies)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema_and_rows())
def test_decode_matches_fastavro_lockstep(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    """Without the fused kernel: every record read field by field in lockstep."""
    schema, rows = case
    bodies = fastavro_bodies(schema, rows)
    saved = _reader.FUSED_MIN_ROWS
    _reader.FUSED_MIN_ROWS = 10**9
    try:
        got = _decode(schema, schema, bodies)
    finally:
        _reader.FUSED_MIN_ROWS = saved
    assert got == _oracle(schema, schema, bodies)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema_and_rows())
def test_decode_matches_fastavro_numpy_path(
    case: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    """The same property without the compiled kernels (as when numba is not installed)."""
    schema, rows = case
    bodies = fastavro_bodies(schema, rows)
    saved = _reader.USE_NUMBA
    _reader.USE_NUMBA = False
    try:
        got = _decode(schema, schema, bodies)
    finally:
        _reader.USE_NUMBA = saved
    assert got == _oracle(schema, schema, bodies)


_PROMOTE = {"int": ["long", "float", "double"], "long": ["double"], "float": ["double"]}
_PROMOTE["string"] = ["bytes"]
_ADDED = [
    ("long", 7),
    (["null", "string"], None),
    ("string", "dflt"),
    ({"type": "array", "items": "int"}, [1, 2]),
    ("double", 1.5),
]


def _evolve(draw: st.DrawFn, node: Any, counter: list[int]) -> Any:
    """A reader type that can read ``node``: promotions, and records changed recursively."""
    if isinstance(node, str) and node in _PROMOTE and draw(st.booleans()):
        return draw(st.sampled_from(_PROMOTE[node]))
    if isinstance(node, list):
        return [_evolve(draw, b, counter) for b in node]
    if isinstance(node, dict) and node.get("type") == "record":
        fields = []
        for f in node["fields"]:
            choice = draw(st.sampled_from(["keep", "keep", "drop", "evolve"]))
            if choice == "drop":
                continue
            g = dict(f)
            if choice == "evolve":
                g["type"] = _evolve(draw, f["type"], counter)
            fields.append(g)
        if draw(st.booleans()):
            counter[0] += 1
            ftype, default = draw(st.sampled_from(_ADDED))
            at = draw(st.integers(0, len(fields)))
            fields.insert(at, {"name": f"added{counter[0]}", "type": ftype, "default": default})
        return {**node, "fields": fields}
    if isinstance(node, dict) and node.get("type") == "array":
        return {**node, "items": _evolve(draw, node["items"], counter)}
    if isinstance(node, dict) and node.get("type") == "map":
        return {**node, "values": _evolve(draw, node["values"], counter)}
    return node


@st.composite
def evolved(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    writer, rows = draw(schema_and_rows())
    reader = _evolve(draw, copy.deepcopy(writer), [0])
    return writer, reader, rows


@SETTINGS
@given(evolved())
def test_evolution_matches_fastavro(
    case: tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]],
) -> None:
    writer, reader, rows = case
    bodies = fastavro_bodies(writer, rows)
    assert _decode(writer, reader, bodies) == _oracle(writer, reader, bodies)


@SETTINGS
@given(schema_and_rows(), st.lists(st.binary(max_size=40), min_size=1, max_size=10), st.data())
def test_random_bytes_never_crash(
    case: tuple[dict[str, Any], list[dict[str, Any]]], noise: list[bytes], data: st.DataObject
) -> None:
    schema, rows = case
    bodies = fastavro_bodies(schema, rows)
    mangled = []
    for body in bodies:
        if body:
            at = data.draw(st.integers(0, len(body) - 1))
            mangled.append(body[:at] + data.draw(st.binary(max_size=4)) + body[at + 1 :])
    batch = pa.array(noise + mangled + bodies, pa.binary())
    parsed = Schema.parse(schema)
    table, bad = decode_bodies(batch, parsed, errors="null")
    table.validate(full=True)
    assert table.num_rows == len(batch)
    assert all(row < len(noise) + len(mangled) for row, _, _ in bad)
    if bad:
        with pytest.raises(DecodeError) as info:
            decode_bodies(batch, parsed)
        assert info.value.row == bad[0][0]
    else:
        decode_bodies(batch, parsed)


@pytest.mark.parametrize("seed", range(3))
def test_random_bytes_numpy_path(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    monkeypatch.setattr(_reader, "USE_NUMBA", False)
    rng = random.Random(seed)
    schema = {
        "type": "record",
        "name": "R",
        "fields": [
            {"name": "a", "type": {"type": "array", "items": ["null", "string", "long"]}},
            {"name": "m", "type": {"type": "map", "values": "float"}},
        ],
    }
    noise = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 30))) for _ in range(200)]
    table, _ = decode_bodies(pa.array(noise, pa.binary()), Schema.parse(schema), errors="null")
    table.validate(full=True)
