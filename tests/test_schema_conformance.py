"""Conformance vectors (tests/data/conformance, copied from shared/conformance) through Schema.

The expectations come from the Apache Avro and Confluent test suites and are never edited here;
see tests/data/conformance/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schemakit.errors import SchemaParseError
from schemakit.schema import Schema

DATA = Path(__file__).resolve().parent / "data" / "conformance"


def _cases(name: str) -> list[Any]:
    cases: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["id"]) for case in cases]


@pytest.mark.parametrize("case", _cases("avro_canonical.json"))
def test_canonical_form_and_fingerprints(case: dict[str, Any]) -> None:
    schema = Schema.parse(case["schema"])
    assert schema.canonical_form == case["canonical"]
    assert schema.fingerprint() == case["crc64_fingerprint_hex"]
    # The hex is the signed 64-bit value the Java file gives, as 8 little-endian bytes.
    signed = int.from_bytes(bytes.fromhex(case["crc64_fingerprint_hex"]), "little", signed=True)
    assert signed == case["crc64_fingerprint"]
    if "md5_hex" in case:
        assert schema.fingerprint(algorithm="MD5") == case["md5_hex"]
    if "sha256_hex" in case:
        assert schema.fingerprint(algorithm="SHA-256") == case["sha256_hex"]


@pytest.mark.parametrize("case", _cases("avro_schema_validity.json"))
def test_schema_validity(case: dict[str, Any]) -> None:
    # validity-101 is marked "disputed" (Confluent's lenient parser and Karapace accept it);
    # its recorded `valid` is the specification's verdict, which schemakit follows.
    if case["valid"]:
        Schema.parse(case["schema"])
    else:
        with pytest.raises(SchemaParseError):
            Schema.parse(case["schema"])
