"""Literal aliases for every string option, and the one check applied at entry points."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

__all__ = [
    "CompatibilityLevel",
    "FingerprintAlgorithm",
    "Format",
    "Mixed",
    "Mode",
    "Nullable",
    "SchemaType",
    "check_option",
]

Format = Literal["avro", "json"]
Nullable = Literal["auto", "always", "never"]
Mixed = Literal["error", "union"]
SchemaType = Literal["AVRO", "JSON", "PROTOBUF"]
FingerprintAlgorithm = Literal["CRC-64-AVRO", "MD5", "SHA-256"]


def allowed(alias: object) -> tuple[str, ...]:
    """The strings a ``Literal`` alias admits, in declaration order."""
    return tuple(str(a) for a in get_args(alias))


def check_option(name: str, value: object, choices: Iterable[str], *, upper: bool = False) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError`` listing them.

    With ``upper=True`` the comparison ignores case and the upper-case spelling is returned
    (compatibility levels and schema types, as Confluent spells them).
    """
    options = tuple(choices)
    candidate = value.upper() if upper and isinstance(value, str) else value
    if isinstance(candidate, str) and candidate in options:
        return candidate
    listed = ", ".join(repr(o) for o in options)
    raise ValueError(f"{name}={value!r} is not valid; expected one of {listed}")


CompatibilityLevel = Literal[
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
]

#: Confluent's registry modes: READWRITE (default), READONLY (writes refused with 42205), IMPORT
#: (registrations keep the id and version they are given, compatibility is not checked).
Mode = Literal["READWRITE", "READONLY", "IMPORT"]
