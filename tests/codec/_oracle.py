"""fastavro as the byte oracle for the codec tests."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import fastavro


def fastavro_bodies(schema: Any, rows: Iterable[Any]) -> list[bytes]:
    """``fastavro.schemaless_writer`` of each row."""
    parsed = fastavro.parse_schema(schema)
    out = []
    for row in rows:
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, parsed, row)
        out.append(buf.getvalue())
    return out


def record(*fields: dict[str, Any], name: str = "R") -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields)}
