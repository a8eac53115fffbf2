"""The one seam between the :class:`~schemakit.registry.Registry` facade and its stores.

A backend stores schemas, subject versions and compatibility levels, and answers with plain rows
(:class:`VersionRow`, :class:`SchemaRow`); the facade turns rows into value objects, validates
arguments and keeps the in-memory caches. Every backend raises the same schemakit errors for the
same situations (the Confluent error codes map 1:1), so the contract suite runs unchanged against
each of them: the DuckDB store today (a file or ``":memory:"``), a REST client later.

Schema identity
---------------
A schema's identity is its type plus its text with insignificant JSON whitespace removed (keys in
the order given, every attribute kept), so a changed ``doc``, default or field order is a new
schema while a re-indented one is not. With ``normalize=True`` the identity is the type plus the
normalized text: the Avro Parsing Canonical Form for Avro, the document with sorted keys for JSON.
Both are stored as SHA-256 digests (:func:`candidate`).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

if TYPE_CHECKING:
    from schemakit.schema import Schema

__all__ = [
    "DEFAULT_LEVEL",
    "Backend",
    "Candidate",
    "CompatibilityCheck",
    "IntegrityFindings",
    "SchemaRow",
    "StoreScan",
    "SubjectSummary",
    "VersionRow",
    "candidate",
    "subject_problem",
]

#: The global compatibility level of a registry that never had one set (Confluent's default).
DEFAULT_LEVEL = "BACKWARD"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A schema about to be registered or looked up, with its two identity digests."""

    schema_type: Literal["AVRO", "JSON"]
    text: str
    identity: str
    normalized: str

    def key(self, *, normalize: bool) -> str:
        """The digest that decides "same schema" in this call."""
        return self.normalized if normalize else self.identity


def _digest(schema_type: str, text: str) -> str:
    return hashlib.sha256(f"{schema_type}\n{text}".encode()).hexdigest()


def candidate(schema: Schema) -> Candidate:
    """The :class:`Candidate` of a parsed schema (see the module docstring for identity)."""
    compact = json.dumps(
        schema.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return Candidate(
        schema_type=schema.schema_type,
        text=schema.text,
        identity=_digest(schema.schema_type, compact),
        normalized=_digest(schema.schema_type, schema.canonical_form),
    )


#: The Unicode categories a subject may not hold, with what a message calls them. A lone
#: surrogate is what a name decoded from bytes that are not UTF-8 (``surrogateescape``) holds.
_NOT_IN_SUBJECTS = {"Cc": "the control character", "Cs": "the lone surrogate"}


def subject_problem(subject: object) -> str | None:
    """Why ``subject`` is not a valid subject name, or ``None`` when it is.

    A subject is any non-empty string without control characters (Unicode category ``Cc``)
    or lone surrogates (``Cs``, which no file can store). Everything else, quotes, SQL and bidi
    controls included, is data (what a person reads shows bidi controls escaped:
    :mod:`schemakit._bidi`).
    """
    if not isinstance(subject, str):
        return f"a subject is a str, not {type(subject).__name__}"
    if not subject:
        return "a subject may not be empty"
    for i, ch in enumerate(subject):
        kind = _NOT_IN_SUBJECTS.get(unicodedata.category(ch))
        if kind is not None:
            return f"a subject may not contain {kind} U+{ord(ch):04X} (at {i})"
    return None


class SchemaRow(NamedTuple):
    """One stored schema."""

    id: int
    schema_type: Literal["AVRO", "JSON"]
    text: str


class VersionRow(NamedTuple):
    """One version of a subject, joined with its schema."""

    subject: str
    version: int
    schema_id: int
    schema_type: Literal["AVRO", "JSON"]
    text: str
    identity: str
    normalized: str
    deleted: bool
    #: When the version was registered; ``None`` where the store does not know (REST).
    registered_at: datetime | None


class SubjectSummary(NamedTuple):
    """One subject for the registry's table: live and soft-deleted version counts, own level."""

    subject: str
    versions: int
    deleted_versions: int
    latest: int | None
    level: str | None


@dataclass(frozen=True, slots=True)
class IntegrityFindings:
    """What a backend's integrity check found: counts and every problem, as sentences."""

    layout_version: int
    schemas: int
    subjects: int
    versions: int
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoreScan:
    """Everything a backend could read with plain scans, for an export; and what it could not.

    ``levels`` and ``modes`` are ``(subject, value)`` pairs, the global one first under
    ``None`` (its effective value, the default when none was set), then each subject's own.
    ``problems`` says, as sentences, what could not be read and so is missing.
    """

    versions: tuple[VersionRow, ...]
    levels: tuple[tuple[str | None, str], ...]
    modes: tuple[tuple[str | None, str], ...]
    problems: tuple[str, ...]


#: Called by :meth:`Backend.register` inside its write transaction with the subject's live
#: versions (oldest first) and its effective level; raises ``IncompatibleSchemaError`` to abort.
CompatibilityCheck = Callable[[Sequence[VersionRow], str], None]


class Backend(Protocol):
    """What a registry store implements. Versions are ints here; ``None`` means "latest"."""

    location: str

    def register(
        self,
        subject: str,
        new: Candidate,
        *,
        normalize: bool,
        check: CompatibilityCheck,
        schema_id: int | None = None,
        version: int | None = None,
    ) -> tuple[VersionRow, bool]:
        """Register ``new`` under ``subject`` in one transaction; ``(row, created)``.

        The backend enforces the effective mode: READONLY raises ``OperationNotPermittedError``;
        ``schema_id``/``version`` are only accepted in IMPORT mode (else
        ``OperationNotPermittedError``), where they are kept as given and ``check`` is not
        called; an id already bound to another schema raises ``SchemaIdConflictError``. A
        remote backend leaves the check (and the mode) to its server and ignores ``check``.
        """
        ...

    def subjects_of_schema(self, schema_id: int, *, deleted: bool) -> list[tuple[str, int]]:
        """Every ``(subject, version)`` whose schema is ``schema_id``, sorted.

        ``SchemaNotFoundError`` when no version refers to it (Confluent's
        ``GET /schemas/ids/{id}/versions``).
        """
        ...

    def schema_by_id(self, schema_id: int) -> SchemaRow:
        """The schema with this id while some version (soft-deleted included) refers to it."""
        ...

    def version(self, subject: str, version: int | None, *, deleted: bool) -> VersionRow:
        """One version of a subject (``None``: the latest)."""
        ...

    def version_rows(self, subject: str, *, deleted: bool) -> list[VersionRow]:
        """Every version of a subject, oldest first; SubjectNotFoundError when there is none."""
        ...

    def subjects(self, *, deleted: bool) -> list[str]:
        """Subject names, sorted."""
        ...

    def lookup(self, subject: str, new: Candidate, *, normalize: bool, deleted: bool) -> VersionRow:
        """The version of ``subject`` whose schema is ``new`` (the newest such version)."""
        ...

    def level(self, subject: str | None, *, fallback: bool) -> str | None:
        """The level set for ``subject`` (``None``: the global one), or ``None`` when unset.

        With ``fallback`` an unset subject level falls back to the global level, and that to
        :data:`DEFAULT_LEVEL`, so the answer is never ``None``.
        """
        ...

    def set_level(self, level: str, subject: str | None) -> None:
        """Set the level of ``subject`` (``None``: the global one)."""
        ...

    def delete_level(self, subject: str | None) -> str:
        """Remove the level of ``subject`` (``None``: reset the global one to the default).

        Returns the level that was set; ``SubjectNotFoundError`` (40401) when the subject has no
        level of its own, as Confluent's ``DELETE /config/{subject}``.
        """
        ...

    def mode(self, subject: str | None, *, fallback: bool) -> str | None:
        """The mode of ``subject`` (``None``: the global one), or ``None`` when unset.

        With ``fallback`` an unset subject mode falls back to the global mode, and that to
        READWRITE, so the answer is never ``None``.
        """
        ...

    def set_mode(self, mode: str, subject: str | None, *, force: bool) -> None:
        """Set the mode of ``subject`` (``None``: the global one).

        IMPORT on a registry (or subject) that already has versions needs ``force``, else
        ``OperationNotPermittedError``, as Confluent.
        """
        ...

    def delete_mode(self, subject: str | None) -> str:
        """Remove the mode of ``subject`` (``None``: the global one, back to READWRITE); the
        mode that was set (``ModeNotConfiguredError`` when a subject had none)."""
        ...

    def delete_version(self, subject: str, version: int | None, *, permanent: bool) -> VersionRow:
        """Soft-delete a version, or remove a soft-deleted one for good; the row as it was."""
        ...

    def delete_subject(self, subject: str, *, permanent: bool) -> list[VersionRow]:
        """Soft-delete a subject's versions, or remove a soft-deleted subject for good."""
        ...

    def summary(self) -> list[SubjectSummary]:
        """Every subject with a version (soft-deleted included), sorted."""
        ...

    def check_integrity(self) -> IntegrityFindings:
        """Check the store's invariants and every read path the API uses.

        Never raises for a problem it can describe: a read that fails is a problem naming the
        subject, version or schema id it was for, and the error the API call would raise.
        """
        ...

    def scan(self) -> StoreScan:
        """Every version (soft-deleted included), level and mode, read without lookups.

        A store reads its tables with plain scans, so a broken index does not stop it; what
        cannot be read is left out and said in :attr:`StoreScan.problems`.
        """
        ...

    def close(self) -> None:
        """Release what the backend holds; later calls raise ``SchemakitError``."""
        ...
