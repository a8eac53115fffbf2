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
    "InferenceError",
    "SchemaParseError",
    "SchemakitError",
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
    409: (409, "Incompatible schema"),
    42201: (422, "Invalid schema"),
    42202: (422, "Invalid schema version"),
    42203: (422, "Invalid compatibility level"),
    50001: (500, "Error in the backend data store"),
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
