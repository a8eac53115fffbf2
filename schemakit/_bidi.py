"""Bidirectional-text controls, shown escaped wherever schemakit prints a name to a person.

A subject may hold any character but control characters and lone surrogates, as Confluent's
registry allows, so it may hold U+202E RIGHT-TO-LEFT OVERRIDE and its kin. A terminal or a
notebook obeys them and reorders the text that follows ("Trojan Source", CVE-2021-42574):
``"invoice\\u202eeulav-"`` displays as ``invoice-value``. The CLI, the reprs and the HTML
tables show each of :data:`BIDI_CONTROLS` as a ``\\uXXXX`` escape instead, as Python's
``repr`` already does. The names stay data: they are stored and sent as given.
"""

from __future__ import annotations

__all__ = ["BIDI_CONTROLS", "escape_bidi"]

#: The Unicode bidi controls (UAX #9): embeddings and overrides U+202A-U+202E, isolates
#: U+2066-U+2069, the marks LRM U+200E, RLM U+200F and ALM U+061C.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in BIDI_CONTROLS}


def escape_bidi(text: str) -> str:
    """``text`` with every bidi control written as a ``\\uXXXX`` escape (as ``repr`` shows it).

    Examples
    --------
    >>> escape_bidi("invoice\\u202eeulav-")
    'invoice\\\\u202eeulav-'
    """
    return text.translate(_ESCAPES)
