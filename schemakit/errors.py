"""The schemakit exception tree and the Confluent Schema Registry error-code table.

Every error raised by schemakit is a :class:`SchemakitError` that also subclasses the closest
builtin (``ValueError``, ``LookupError``), so ``except ValueError`` keeps working for callers who
do not know schemakit. Each class carries the Confluent ``error_code`` and HTTP status it maps to,
from :data:`ERROR_CODES`, the one table both the server and the REST client read.

This module imports nothing from schemakit.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ERROR_CODES",
    "DecodeError",
    "DefaultRegistryWarning",
    "EncodeError",
    "IncompatibleSchemaError",
    "InferenceError",
    "InvalidCompatibilityLevelError",
    "InvalidModeError",
    "InvalidSubjectError",
    "InvalidVersionError",
    "ModeNotConfiguredError",
    "OperationNotPermittedError",
    "PerformanceWarning",
    "RegistryBusyError",
    "RegistryConnectionError",
    "SchemaIdConflictError",
    "SchemaNotFoundError",
    "SchemaParseError",
    "SchemakitError",
    "SchemakitWarning",
    "SubjectNotFoundError",
    "SubjectNotSoftDeletedError",
    "SubjectSoftDeletedError",
    "VersionNotFoundError",
    "VersionNotSoftDeletedError",
    "VersionSoftDeletedError",
    "error_for_code",
]

#: Confluent Schema Registry error codes → (HTTP status, meaning). Source: the Confluent Schema
#: Registry API reference ("Errors") and its ``Errors.java``.
ERROR_CODES: dict[int, tuple[int, str]] = {
    40401: (404, "Subject not found"),
    40402: (404, "Version not found"),
    40403: (404, "Schema not found"),
    40404: (404, "Subject was soft deleted"),
    40405: (404, "Subject was not deleted first before being permanently deleted"),
    40406: (404, "Schema version was soft deleted"),
    40407: (404, "Schema version not deleted first before being permanently deleted"),
    40408: (404, "Subject compatibility level not configured"),
    40409: (404, "Subject mode not configured"),
    409: (409, "Incompatible schema"),
    42201: (422, "Invalid schema"),
    42202: (422, "Invalid schema version"),
    42203: (422, "Invalid compatibility level"),
    42204: (422, "Invalid mode"),
    42205: (422, "Operation not permitted"),
    42207: (422, "Schema id or version does not match"),
    42208: (422, "Invalid subject"),
    50001: (500, "Error in the backend data store"),
    50002: (500, "Operation timed out"),
    50003: (500, "Error while forwarding the request"),
}


class SchemakitError(Exception):
    """Base class of every error schemakit raises.

    Attributes
    ----------
    error_code : int
        The Confluent Schema Registry error code this error maps to.
    http_status : int
        The HTTP status that goes with ``error_code``.
    """

    error_code: ClassVar[int] = 50001

    @property
    def http_status(self) -> int:
        """The HTTP status Confluent answers with for this error."""
        return ERROR_CODES[self.error_code][0]

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only data would be lost by Exception's default pickling, which replays
        # ``cls(*args)``; restore the instance dict on top of that.
        return (type(self), self.args, self.__dict__)


class SchemaParseError(SchemakitError, ValueError):
    """A schema text that is not valid JSON, not a valid schema, or not what the type asks.

    Parameters
    ----------
    message : str
        What is wrong, already naming where.
    path : str, optional
        A JSON pointer into the schema document, e.g. ``/fields/3/type``; ``""`` for the root.
    """

    error_code: ClassVar[int] = 42201

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class InferenceError(SchemakitError, ValueError):
    """Data whose schema cannot be inferred, naming the column (and row or file) at fault.

    Parameters
    ----------
    message : str
        What is wrong, already naming where.
    column : str, optional
        The column (or field path) at fault.
    row : int, optional
        The row index at fault, where one is known.
    """

    error_code: ClassVar[int] = 42201

    def __init__(self, message: str, *, column: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.row = row


class SubjectNotFoundError(SchemakitError, LookupError):
    """The subject does not exist (or is soft-deleted and deleted ones were not asked for)."""

    error_code: ClassVar[int] = 40401

    def __init__(self, message: str, *, subject: str | None = None) -> None:
        super().__init__(message)
        self.subject = subject


class VersionNotFoundError(SchemakitError, LookupError):
    """The subject has no such version."""

    error_code: ClassVar[int] = 40402

    def __init__(
        self, message: str, *, subject: str | None = None, version: int | str | None = None
    ) -> None:
        super().__init__(message)
        self.subject = subject
        self.version = version


class SchemaNotFoundError(SchemakitError, LookupError):
    """No schema has this id, or the schema is not registered under the subject."""

    error_code: ClassVar[int] = 40403

    def __init__(
        self, message: str, *, schema_id: int | None = None, subject: str | None = None
    ) -> None:
        super().__init__(message)
        self.schema_id = schema_id
        self.subject = subject


class SubjectSoftDeletedError(SubjectNotFoundError):
    """The subject was soft-deleted (Confluent 40404)."""

    error_code: ClassVar[int] = 40404


class SubjectNotSoftDeletedError(SchemakitError, ValueError):
    """A permanent delete of a subject that was not soft-deleted first (Confluent 40405)."""

    error_code: ClassVar[int] = 40405

    def __init__(self, message: str, *, subject: str | None = None) -> None:
        super().__init__(message)
        self.subject = subject


class VersionSoftDeletedError(VersionNotFoundError):
    """The version was soft-deleted (Confluent 40406)."""

    error_code: ClassVar[int] = 40406


class VersionNotSoftDeletedError(SchemakitError, ValueError):
    """A permanent delete of a version that was not soft-deleted first (Confluent 40407)."""

    error_code: ClassVar[int] = 40407

    def __init__(
        self, message: str, *, subject: str | None = None, version: int | None = None
    ) -> None:
        super().__init__(message)
        self.subject = subject
        self.version = version


class IncompatibleSchemaError(SchemakitError, ValueError):
    """A schema that breaks the subject's compatibility level; nothing was written.

    Attributes
    ----------
    messages : tuple of str
        Every break found, each naming the field path, reader and writer types and the rule.
    """

    error_code: ClassVar[int] = 409

    def __init__(
        self,
        message: str,
        *,
        subject: str | None = None,
        level: str | None = None,
        messages: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.subject = subject
        self.level = level
        self.messages = tuple(messages)


class InvalidVersionError(SchemakitError, ValueError):
    """A version that is not a positive integer or ``"latest"`` (Confluent 42202)."""

    error_code: ClassVar[int] = 42202


class InvalidCompatibilityLevelError(SchemakitError, ValueError):
    """A compatibility level that is not one of the seven (Confluent 42203)."""

    error_code: ClassVar[int] = 42203


class InvalidSubjectError(SchemakitError, ValueError):
    """A subject that is empty, not a str, or has control characters (Confluent 42208)."""

    error_code: ClassVar[int] = 42208

    def __init__(self, message: str, *, subject: str | None = None) -> None:
        super().__init__(message)
        self.subject = subject


class EncodeError(SchemakitError, ValueError):
    """A value that cannot be encoded with the schema; nothing was written.

    Parameters
    ----------
    message : str
        What is wrong, already naming the column, row and value.
    column : str, optional
        The column or field path at fault (``"a.b"``; ``"a[]"`` for array items, ``"a{}"`` for
        map values).
    row : int, optional
        The top-level row index at fault, where one row is.
    value : object, optional
        The offending value, as Python sees it.
    """

    error_code: ClassVar[int] = 42201

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        row: int | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.column = column
        self.row = row
        self.value = value


class DecodeError(SchemakitError, ValueError):
    """A record body that cannot be read with its writer schema.

    Parameters
    ----------
    message : str
        What is wrong, already naming the row and the reason.
    row : int, optional
        The row index at fault.
    schema_id : int, optional
        The writer schema id of the record, where one is known.
    reason : str, optional
        The short reason (``"truncated body"``, ``"trailing bytes"``, …).
    """

    error_code: ClassVar[int] = 42201

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        schema_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.row = row
        self.schema_id = schema_id
        self.reason = reason


class InvalidModeError(SchemakitError, ValueError):
    """A mode that is not READWRITE, READONLY or IMPORT."""

    error_code: ClassVar[int] = 42204


class OperationNotPermittedError(SchemakitError, ValueError):
    """The registry's (or subject's) mode forbids this write, e.g. a register in READONLY mode."""

    error_code: ClassVar[int] = 42205


class ModeNotConfiguredError(SchemakitError, LookupError):
    """A subject has no mode of its own (asked without falling back to the global mode)."""

    error_code: ClassVar[int] = 40409


class SchemaIdConflictError(SchemakitError, ValueError):
    """An IMPORT-mode registration names an id or version already used by another schema."""

    error_code: ClassVar[int] = 42207


class RegistryConnectionError(SchemakitError, ConnectionError):
    """A remote registry could not be reached, timed out, or answered with something unreadable.

    The message names the URL and what went wrong; the httpx exception is the ``__cause__``.
    """

    error_code: ClassVar[int] = 50003

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class SchemakitWarning(UserWarning):
    """The base of every warning schemakit emits; filter it to silence them all."""


class PerformanceWarning(SchemakitWarning):
    """A batch path fell back to a slow row-wise route; the message names the column and why."""


class DefaultRegistryWarning(SchemakitWarning):
    """No registry was given, so schemakit created its default file in the working directory.

    Said once per process, when ``./schemakit.duckdb`` is created (not when it already exists);
    the message names the path and how to choose another location.
    """


class RegistryBusyError(SchemakitError, RuntimeError):
    """The registry file stayed locked by another process past the retry bound."""

    error_code: ClassVar[int] = 50001

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.location = location


_BY_CODE: dict[int, type[SchemakitError]] = {
    cls.error_code: cls
    for cls in (
        SchemaParseError,
        SubjectNotFoundError,
        VersionNotFoundError,
        SchemaNotFoundError,
        SubjectSoftDeletedError,
        SubjectNotSoftDeletedError,
        VersionSoftDeletedError,
        VersionNotSoftDeletedError,
        IncompatibleSchemaError,
        InvalidVersionError,
        InvalidCompatibilityLevelError,
        InvalidSubjectError,
        InvalidModeError,
        OperationNotPermittedError,
        ModeNotConfiguredError,
        SchemaIdConflictError,
        RegistryBusyError,
        RegistryConnectionError,
    )
}


def error_for_code(error_code: int) -> type[SchemakitError]:
    """The schemakit exception class for a Confluent error code (``SchemakitError`` if unknown).

    The REST client uses this to raise the same classes as the local backend.
    """
    return _BY_CODE.get(error_code, SchemakitError)
