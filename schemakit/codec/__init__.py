"""Wire-format codecs: Confluent framing and the columnar Avro writer (internal API).

The serde layer (``sk.encode``/``sk.decode``) is built on these; users call that, not this.

Functions
---------
encode_bodies(data, schema, *, extra="error", chunk_rows=65536) -> pa.BinaryArray
    Avro binary bodies, one per row of a pyarrow Table/RecordBatch (or a pandas DataFrame,
    converted with ``pa.Table.from_pandas(preserve_index=False)``), byte-identical to
    ``fastavro.schemaless_writer``. Columnar: numpy over the Arrow buffers, no Python call per
    row. Everything is checked before a body is returned; a bad value, a missing column
    without default or an extra column (unless ``extra="ignore"``) raises
    :class:`~schemakit.errors.EncodeError` naming the column, row and value. A column the
    columnar writer does not cover is encoded row by row with fastavro after a
    :class:`~schemakit.errors.PerformanceWarning` naming it and why.
encode_records(data, schema, schema_id, *, extra="error", chunk_rows=65536) -> pa.BinaryArray
    ``frame(encode_bodies(...), schema_id)`` in one pass (the header is written with the
    bodies; no second copy).
frame(bodies, schema_id) -> pa.BinaryArray
    ``0x00 | schema id (4 bytes, big-endian) | body`` for every body. ``header(schema_id)`` is
    the 5 bytes alone.
decode_bodies(bodies, writer, reader=None, *, rows=None, schema_id=None, errors="raise")
    Avro bodies written with ``writer`` → a pyarrow Table of ``reader``'s Arrow type, walking
    the read plan of :mod:`schemakit._resolve`; columnar (numba kernels or numpy). Errors name
    the row, schema id and reason (``DECODE_REASONS``); ``errors="null"`` returns
    ``(table, [(row, reason, message), ...])`` with the bad rows null.
parse_headers(records) -> Headers
    Vectorized header check of framed records: ``ids`` (int64, ``-1`` where bad), ``errors``
    (int8 codes, ``0`` = fine, see ``HEADER_REASONS``: null record, shorter than 5 bytes, bad
    magic byte, magic byte 1 = the newer GUID framing), ``magic``, ``body_offsets`` and
    ``body_lengths`` (into the values buffer of :func:`binary_parts`).

Speed: with numba installed (imported on first use, compiled once and cached on disk), a
record of flat fields is written by one compiled pass per row straight from the Arrow buffers
and read by one compiled pass per row (two halves on two threads for large batches), and the
headers are checked by one compiled pass; without numba, numpy gives the same bytes and tables
(the tests run both).

See docs/wire-format.md for type coverage and the encode errors.
"""

from __future__ import annotations

from schemakit.codec._framing import (
    HEADER_REASONS,
    HEADER_SIZE,
    MAGIC_BYTE,
    Headers,
    binary_parts,
    frame,
    header,
    parse_headers,
)
from schemakit.codec._reader import DECODE_REASONS, decode_bodies
from schemakit.codec._writer import DEFAULT_CHUNK_ROWS, Extra, encode_bodies, encode_records

__all__ = [
    "DECODE_REASONS",
    "DEFAULT_CHUNK_ROWS",
    "HEADER_REASONS",
    "HEADER_SIZE",
    "MAGIC_BYTE",
    "Extra",
    "Headers",
    "binary_parts",
    "decode_bodies",
    "encode_bodies",
    "encode_records",
    "frame",
    "header",
    "parse_headers",
]
