"""The :class:`Registry` facade and the :class:`RegisteredSchema` value object.

The facade validates arguments, turns backend rows into value objects, decides compatibility
(through :mod:`schemakit.compat`, imported when first needed) and keeps the in-memory caches.
Semantics are the Confluent Schema Registry's; docs/registry.md lists each rule with its source.
"""

from __future__ import annotations

import contextlib
import copy
import json
import operator
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

from schemakit import _html
from schemakit._typing import CompatibilityLevel, Mode, allowed
from schemakit.compat import CompatibilityResult, check_compatibility, check_level
from schemakit.errors import (
    DefaultRegistryWarning,
    IncompatibleSchemaError,
    InvalidModeError,
    InvalidSubjectError,
    InvalidVersionError,
    OperationNotPermittedError,
    SchemaIdConflictError,
    SchemakitError,
    SchemaNotFoundError,
    SchemaParseError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from schemakit.registry import _jsonl
from schemakit.registry._backend import (
    Backend,
    Candidate,
    IntegrityFindings,
    VersionRow,
    candidate,
    subject_problem,
)
from schemakit.registry._jsonl import ExportReport, ImportReport, SettingLine, VersionLine
from schemakit.schema import Schema

if TYPE_CHECKING:
    import httpx
    import pandas as pd

__all__ = [
    "ENV_VAR",
    "ExportReport",
    "ImportReport",
    "IntegrityReport",
    "RegisteredSchema",
    "Registry",
]

#: The one environment variable schemakit reads: the default registry location.
ENV_VAR = "SCHEMAKIT_REGISTRY"
#: The registry file used when neither an argument nor :data:`ENV_VAR` names one.
DEFAULT_LOCATION = "schemakit.duckdb"

#: Whether this process was told that the default file was created (said once per process).
_DEFAULT_CREATED_WARNED = False

_LEVELS = allowed(CompatibilityLevel)
_MODES = allowed(Mode)
_MAX_CANDIDATES = 4096
_INT32_MAX = 2**31 - 1


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _resolve_location(location: str | os.PathLike[str] | None) -> tuple[str, bool]:
    """The location to open: the argument, else ``$SCHEMAKIT_REGISTRY``, else the default file;
    and whether it is the default file (neither the caller nor the environment chose one).

    An ``http(s)://`` URL is returned as given (credentials included: the REST backend takes
    them out and redacts them); a path is made absolute.
    """
    default = False
    if location is None:
        location = os.environ.get(ENV_VAR)
        if not location:
            location, default = DEFAULT_LOCATION, True
    text = os.fspath(location)
    if not isinstance(text, str):
        raise TypeError(f"a registry location is a str or os.PathLike[str], not {type(text)}")
    if _is_url(text):
        return text, False
    if text == ":memory:":
        return text, False
    if not text.strip():
        raise ValueError("a registry location may not be empty; give a file path or ':memory:'")
    return os.path.abspath(os.path.expanduser(text)), default


def _warn_default_created(path: str) -> None:
    """Say, once per process, that the default registry file was just created, and where."""
    global _DEFAULT_CREATED_WARNED
    if _DEFAULT_CREATED_WARNED:
        return
    _DEFAULT_CREATED_WARNED = True
    message = (
        f"no registry was given, so schemakit created the registry file {path} (the default, "
        f"./{DEFAULT_LOCATION} in the working directory); to keep schemas elsewhere pass "
        f"registry=... (a file path, ':memory:' or an http:// URL) or set {ENV_VAR}"
    )
    warnings.warn(message, DefaultRegistryWarning, stacklevel=_caller_stacklevel())


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside schemakit (and the ``contextlib`` that
    opens registries for a call): the user's line that asked."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    inside = (package, os.path.abspath(contextlib.__file__))
    frame = sys._getframe(1)  # _warn_default_created, whose warn() is level 1
    level = 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(inside):
        frame = frame.f_back
        level += 1
    return level


_T = TypeVar("_T")


def _check_subject(subject: object) -> str:
    reason = subject_problem(subject)
    if reason is not None:
        message = f"invalid subject {subject!r}: {reason}"
        raise InvalidSubjectError(message, subject=subject if isinstance(subject, str) else None)
    return cast(str, subject)


def _as_int(value: object) -> int | None:
    """``value`` as an int if it is an integer (numpy ints included, bools not)."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _check_version(version: object) -> int | None:
    """A positive int, or ``None`` for ``"latest"`` (any case)."""
    if isinstance(version, str) and version.lower() == "latest":
        return None
    number = _as_int(version)
    if number is not None and number > 0:
        return number
    message = f"invalid version {version!r}: a version is a positive int or 'latest'"
    raise InvalidVersionError(message)


def _page(items: list[_T], offset: int, limit: int | None) -> list[_T]:
    """``items[offset:offset + limit]`` as Confluent pages lists (a limit below 1: all)."""
    start = max(int(offset), 0)
    if limit is None or int(limit) < 1:
        return items[start:]
    return items[start : start + int(limit)]


def _check_id(schema_id: object) -> int:
    number = _as_int(schema_id)
    if number is not None:
        return number
    raise TypeError(f"a schema id is an int, not {type(schema_id).__name__}")


def _check_mode(mode: object) -> str:
    """``mode`` upper-cased if it is one of the three, else InvalidModeError."""
    if isinstance(mode, str) and mode.upper() in _MODES:
        return mode.upper()
    listed = ", ".join(_MODES)
    raise InvalidModeError(f"invalid mode {mode!r}; expected one of {listed} (any case)")


def _check_import_id(schema_id: object) -> int:
    number = _check_id(schema_id)
    if 0 < number <= _INT32_MAX:
        return number
    message = f"invalid schema id {number}: an id to keep is from 1 to {_INT32_MAX}"
    raise SchemaIdConflictError(message)


def _check_import_version(version: object) -> int:
    number = _as_int(version)
    if number is not None and 0 < number <= _INT32_MAX:
        return number
    message = f"invalid version {version!r}: a version to keep is an int from 1 to {_INT32_MAX}"
    raise InvalidVersionError(message)


def _source_name(source: object) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<file>"))


@contextlib.contextmanager
def _at(where: str) -> Iterator[None]:
    """Re-raise an error inside the block with ``where`` (a file and line) in front of it.

    The error keeps its class and data (a copy, so its code and fields stay); a plain
    ``ValueError`` (an unknown schema type) becomes a SchemaParseError.
    """
    try:
        yield
    except SchemakitError as exc:
        error = copy.copy(exc)
        error.args = (f"{where}: {exc}",)
        raise error from exc
    except ValueError as exc:
        raise SchemaParseError(f"{where}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """A schema as registered under a subject: its version there and its global id.

    Attributes
    ----------
    subject : str
    version : int
        The version under ``subject``, from 1.
    id : int
        The registry-wide schema id, the one written into Confluent wire-format records.
    schema : Schema
    """

    subject: str
    version: int
    id: int
    schema: Schema

    def __repr__(self) -> str:
        return (
            f"RegisteredSchema(subject={self.subject!r}, version={self.version}, "
            f"id={self.id}, schema={self.schema!r})"
        )

    def _repr_html_(self) -> str:
        head = _html.table(
            ("subject", "version", "id", "type"),
            [(self.subject, self.version, self.id, self.schema.schema_type)],
        )
        return f"<div>{head}{self.schema._repr_html_()}</div>"


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    """What :meth:`Registry.verify` found. True when there is no problem.

    Attributes
    ----------
    location : str
    layout_version : int
        The file layout version (the number of migrations applied).
    schemas, subjects, versions : int
        Counts of distinct schemas, subjects and subject versions (soft-deleted included).
    problems : tuple of str
        Every broken invariant, as a sentence naming the schema id, subject and version.
    """

    location: str
    layout_version: int
    schemas: int
    subjects: int
    versions: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether every invariant holds."""
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        state = "ok" if self.ok else f"{len(self.problems)} problems"
        return (
            f"IntegrityReport({state}: {self.schemas} schemas, {self.subjects} subjects, "
            f"{self.versions} versions, layout {self.layout_version})"
        )

    def _repr_html_(self) -> str:
        rows = [(p,) for p in self.problems] or [("no problems found",)]
        return _html.table(("problem",), rows, caption=repr(self))


class Registry:
    """A schema registry with the Confluent Schema Registry's semantics: a DuckDB file or a URL.

    Parameters
    ----------
    location : str or os.PathLike, optional
        A DuckDB file path (created if missing), ``":memory:"`` for a registry that lives
        as long as this object, or the ``http://`` / ``https://`` URL of a Confluent-compatible
        registry (Confluent, Karapace, Redpanda, ``schemakit serve``), where
        ``https://user:password@host`` sends HTTP basic auth. ``None`` reads
        ``$SCHEMAKIT_REGISTRY``, else uses ``./schemakit.duckdb``.
    timeout : float, default 30.0
        A file: the longest one operation waits for the file while other processes (or
        threads) use it, before :class:`~schemakit.errors.RegistryBusyError`; waiters are
        served in arrival order. A URL: seconds per HTTP request (when ``client`` is not
        given).
    client : httpx.Client, optional
        A URL only: the client to send requests with, configured for TLS (``verify=``,
        ``cert=``), auth, proxies or headers; not closed by :meth:`close`. Needs
        ``pip install 'schemakit[remote]'``; see docs/remote.md.
    read_only : bool, optional
        A file only. ``True``: read through DuckDB's read-only mode, without the sidecar
        ``<file>.lock``, so that a registry on read-only storage (a read-only mount, a folder
        or file without write permission) can be read; every write then raises
        :class:`~schemakit.errors.OperationNotPermittedError` (42205), except registering a
        schema the subject already has, which answers its version. ``None`` (the default):
        the same when the file or its folder is not writable or the sidecar cannot be created
        (:attr:`read_only` tells). ``False``: never read-only.

    Raises
    ------
    ValueError
        An empty location, a malformed URL, or ``client`` with a file location.
    ImportError
        A URL without httpx installed: ``pip install 'schemakit[remote]'``.
    SchemakitError
        The file is not a DuckDB database, or was written by a newer schemakit; or, read-only,
        it does not exist or has an older layout (which only a writable file can migrate to).
    RegistryBusyError
        The file stayed busy (other processes or threads using it) for ``timeout`` seconds.

    Notes
    -----
    Several processes may share one file: each operation holds the file only while it runs,
    waiting processes are served in arrival order, and each write is one transaction. Schemas
    by id are cached for the object's life; lookups and registrations this object made are
    cached until it deletes in that subject. Another process's deletions are therefore not seen
    by those two cached paths (as in Confluent's ``CachedSchemaRegistryClient``); listing
    methods always read the file.

    A remote registry answers every method with the same results and exception classes (the
    server judges compatibility and modes); unreachable servers, timeouts and unreadable
    answers raise :class:`~schemakit.errors.RegistryConnectionError`. It does not know when a
    version was registered (``history()`` shows ``NaT``), and :meth:`verify` checks what a
    client can read.

    See Also
    --------
    Confluent Schema Registry API reference: https://docs.confluent.io/platform/current/schema-registry/develop/api.html

    Examples
    --------
    >>> reg = Registry(":memory:")
    >>> point = {"type": "record", "name": "Point", "fields": [{"name": "x", "type": "int"}]}
    >>> registered = reg.register("points-value", point)
    >>> registered.version, registered.id
    (1, 1)
    >>> reg.register("points-key", point).id
    1
    >>> reg.subjects()
    ['points-key', 'points-value']
    >>> reg.close()
    """

    def __init__(
        self,
        location: str | os.PathLike[str] | None = None,
        *,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
        read_only: bool | None = None,
    ) -> None:
        resolved, default = _resolve_location(location)
        # said only when the default file is created, after it was: not when it exists
        created = default and not os.path.exists(resolved)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ValueError(f"timeout must be a number of seconds >= 0, not {timeout!r}")
        self._backend: Backend
        if _is_url(resolved):
            from schemakit.registry._rest import RestBackend

            if read_only:
                raise ValueError("read_only= is for a registry file, not a URL")
            self._backend = RestBackend(resolved, client=client, timeout=timeout)
            self._read_only = False
        else:
            if client is not None:
                message = "client= is for a remote registry (an http:// or https:// location)"
                raise ValueError(message)
            from schemakit.registry._duckdb import DuckDBStore

            store = DuckDBStore(resolved, timeout=timeout, read_only=read_only)
            self._backend = store
            self._read_only = store.read_only
            if created and os.path.exists(resolved):
                _warn_default_created(resolved)
        self._schemas: dict[int, Schema] = {}
        self._known: dict[tuple[str, bool, str], RegisteredSchema] = {}
        self._candidates: dict[tuple[str, str], tuple[Schema, Candidate]] = {}

    @property
    def location(self) -> str:
        """The absolute file path, ``":memory:"``, or the URL with its password redacted."""
        return self._backend.location

    @property
    def read_only(self) -> bool:
        """Whether this file registry was opened read-only (asked for, or found unwritable)."""
        return self._read_only

    # -- internals ---------------------------------------------------------------------------

    def _parse(self, schema: object, schema_type: str) -> tuple[Schema, Candidate]:
        """The parsed schema and its identity, cached by text."""
        key: tuple[str, str] | None
        if isinstance(schema, Schema):
            key = (schema.schema_type, schema.text)
        elif isinstance(schema, str):
            key = (str(schema_type).upper(), schema)
        else:
            try:  # the text Schema.parse makes of a dict or list
                text = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
            except (TypeError, ValueError):
                key = None  # Schema.parse raises the error that names it
            else:
                key = (str(schema_type).upper(), text)
        if key is not None and key in self._candidates:
            return self._candidates[key]
        parsed = (
            Schema.parse(schema, schema_type=schema_type)
            if not isinstance(schema, Schema)
            else schema
        )
        found = (parsed, candidate(parsed))
        if len(self._candidates) >= _MAX_CANDIDATES:
            self._candidates.clear()
        self._candidates[key or (parsed.schema_type, parsed.text)] = found
        return found

    def _schema(self, schema_id: int, schema_type: str, text: str) -> Schema:
        cached = self._schemas.get(schema_id)
        if cached is None:
            cached = Schema.parse(text, schema_type=schema_type)
            self._schemas[schema_id] = cached
        return cached

    def _registered(self, row: VersionRow) -> RegisteredSchema:
        schema = self._schema(row.schema_id, row.schema_type, row.text)
        return RegisteredSchema(row.subject, row.version, row.schema_id, schema)

    def _forget(self, subject: str, rows: Sequence[VersionRow], *, permanent: bool) -> None:
        for key in [k for k in self._known if k[0] == subject]:
            del self._known[key]
        if permanent:
            for row in rows:
                self._schemas.pop(row.schema_id, None)

    @staticmethod
    def _compat(
        new: Schema,
        previous: Sequence[Schema],
        level: str,
        versions: Sequence[int] | None = None,
    ) -> CompatibilityResult:
        # the version numbers name where a break repeats across versions
        return check_compatibility(new, list(previous), level=level, versions=versions)

    # -- registering and reading -------------------------------------------------------------

    def register(
        self,
        subject: str,
        schema: Schema | str | dict[str, Any] | list[Any],
        *,
        normalize: bool = False,
        schema_type: str = "AVRO",
        schema_id: int | None = None,
        version: int | None = None,
    ) -> RegisteredSchema:
        """Register ``schema`` under ``subject``; return its version there and its global id.

        Parameters
        ----------
        subject : str
            Any non-empty string without control characters.
        schema : Schema, str, dict or list
            A :class:`~schemakit.Schema`, or anything :meth:`Schema.parse` accepts.
        normalize : bool, default False
            Decide "same schema" by the normalized form (Avro Parsing Canonical Form; JSON
            with sorted keys) instead of the text. The text stored is the one given.
        schema_type : {"AVRO", "JSON"}, default "AVRO"
            How to parse ``schema`` when it is not a Schema already.
        schema_id : int, optional
            IMPORT mode only (and then required): the global id to keep, from 1 to 2**31 - 1.
        version : int, optional
            IMPORT mode: the version to keep under ``subject`` (default: the next one).
            Otherwise it must be the next version, as Confluent checks.

        Returns
        -------
        RegisteredSchema

        Raises
        ------
        InvalidSubjectError
            An empty subject, a non-string, or one with control characters (42208).
        SchemaParseError
            A schema that does not parse, or outside IMPORT mode a ``version`` that is not the
            next one (42201).
        IncompatibleSchemaError
            The schema breaks the subject's compatibility level against its live versions;
            ``.messages`` lists every break (409). Nothing is written.
        OperationNotPermittedError
            The subject's mode is READONLY; or it is IMPORT and ``schema_id`` is missing; or it
            is not IMPORT and ``schema_id`` is given (42205). A schema the subject already has
            (with the id and version given, if any) is answered in every mode.
        SchemaIdConflictError
            IMPORT mode: the id is bound to another schema, the schema already has another id,
            or the version is taken (42207). Nothing is written.
        RegistryBusyError
            The file stayed locked by another process past the timeout.

        Notes
        -----
        A schema equal to a live version of the subject returns that version (no check, no
        write). Otherwise the schema gets the id it already has anywhere in the registry, or
        the next free one, and the version after the highest the subject ever used, soft-deleted
        versions included. In IMPORT mode (see :meth:`set_mode`) the id and version given are
        kept and compatibility is not checked; a registration this object already made is
        answered from its cache without asking the store.

        See Also
        --------
        Confluent REST: ``POST /subjects/{subject}/versions`` (``?normalize=true``).
        """
        subject = _check_subject(subject)
        keep_id = None if schema_id is None else _check_import_id(schema_id)
        keep_version = None if version is None else _check_import_version(version)
        parsed, new = self._parse(schema, schema_type)
        cache_key = (subject, normalize, new.key(normalize=normalize))
        known = self._known.get(cache_key)
        if (
            known is not None
            and keep_id in (None, known.id)
            and keep_version in (None, known.version)
        ):
            return known

        def check(live: Sequence[VersionRow], level: str) -> None:
            if level == "NONE" or not live:
                return
            others = [r.version for r in live if r.schema_type != parsed.schema_type]
            if others:
                messages: tuple[str, ...] = (
                    f"schema type {parsed.schema_type} differs from the type of versions "
                    f"{others}; a subject's versions share one schema type",
                )
            else:
                previous = [self._schema(r.schema_id, r.schema_type, r.text) for r in live]
                result = self._compat(parsed, previous, level, [r.version for r in live])
                if result:
                    return
                messages = tuple(result.messages)
            listed = "\n  ".join(messages)
            message = (
                f"schema is incompatible with subject {subject!r} under {level} "
                f"({len(messages)} break{'' if len(messages) == 1 else 's'}):\n  {listed}"
            )
            raise IncompatibleSchemaError(message, subject=subject, level=level, messages=messages)

        row, _ = self._backend.register(
            subject, new, normalize=normalize, check=check, schema_id=keep_id, version=keep_version
        )
        if (row.schema_type, row.text) == (parsed.schema_type, parsed.text):
            self._schemas.setdefault(row.schema_id, parsed)
        registered = self._registered(row)
        self._known[cache_key] = registered
        return registered

    def get_by_id(self, schema_id: int) -> Schema:
        """The schema with this global id; soft-deleted versions still resolve.

        Cached for the life of this object: a warm call costs a dict lookup.

        Raises
        ------
        SchemaNotFoundError
            No schema has this id, or every version using it was deleted permanently (40403).
        TypeError
            ``schema_id`` is not an int.

        See Also
        --------
        Confluent REST: ``GET /schemas/ids/{id}``.
        """
        number = schema_id if type(schema_id) is int else _check_id(schema_id)
        cached = self._schemas.get(number)
        if cached is not None:
            return cached
        row = self._backend.schema_by_id(number)
        return self._schema(row.id, row.schema_type, row.text)

    def schema_versions(self, schema_id: int, *, deleted: bool = False) -> list[tuple[str, int]]:
        """Every ``(subject, version)`` whose schema has this global id, sorted.

        Parameters
        ----------
        schema_id : int
        deleted : bool, default False
            Also list soft-deleted versions.

        Returns
        -------
        list of (str, int)
            Empty when every version using the id is soft-deleted (and ``deleted`` is False).

        Raises
        ------
        SchemaNotFoundError
            No version, live or soft-deleted, uses this id (40403).
        TypeError
            ``schema_id`` is not an int.

        See Also
        --------
        Confluent REST: ``GET /schemas/ids/{id}/versions`` and ``/schemas/ids/{id}/subjects``.

        Examples
        --------
        >>> with Registry(":memory:") as reg:
        ...     first = reg.register("a-value", '"string"')
        ...     _ = reg.register("b-value", '"string"')
        ...     reg.schema_versions(first.id)
        [('a-value', 1), ('b-value', 1)]
        """
        number = _check_id(schema_id)
        return self._backend.subjects_of_schema(number, deleted=deleted)

    def get_version(
        self, subject: str, version: int | Literal["latest"], *, deleted: bool = False
    ) -> RegisteredSchema:
        """One version of a subject.

        Parameters
        ----------
        subject : str
        version : int or "latest"
            A positive int, or ``"latest"`` for the newest live version.
        deleted : bool, default False
            Also find soft-deleted versions.

        Raises
        ------
        SubjectNotFoundError
            The subject has no (live) version (40401).
        VersionNotFoundError
            It has no such (live) version (40402).
        InvalidVersionError
            ``version`` is not a positive int or ``"latest"`` (42202).
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``GET /subjects/{subject}/versions/{version}``.
        """
        subject = _check_subject(subject)
        number = _check_version(version)
        return self._registered(self._backend.version(subject, number, deleted=deleted))

    def get_latest(self, subject: str) -> RegisteredSchema:
        """The newest live version of a subject; see :meth:`get_version`.

        See Also
        --------
        Confluent REST: ``GET /subjects/{subject}/versions/latest``.
        """
        return self.get_version(subject, "latest")

    def versions(
        self,
        subject: str,
        *,
        deleted: bool = False,
        deleted_only: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        """The versions of a subject, ascending.

        Parameters
        ----------
        subject : str
        deleted : bool, default False
            Soft-deleted versions too.
        deleted_only : bool, default False
            Only the soft-deleted versions (as Confluent's ``deletedOnly``).
        offset, limit : int
            A page of the list: skip ``offset`` entries, then at most ``limit`` (``None`` or a
            number below 1: all).

        Raises
        ------
        SubjectNotFoundError
            The subject has no (live) version (40401; with ``deleted_only``, no version at all).
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``GET /subjects/{subject}/versions``.
        """
        subject = _check_subject(subject)
        rows = self._backend.version_rows(subject, deleted=deleted or deleted_only)
        numbers = [r.version for r in rows if r.deleted or not deleted_only]
        return _page(numbers, offset, limit)

    def subjects(
        self,
        *,
        deleted: bool = False,
        deleted_only: bool = False,
        prefix: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[str]:
        """Subjects with a live version, sorted.

        Parameters
        ----------
        deleted : bool, default False
            Subjects whose versions are all soft-deleted too.
        deleted_only : bool, default False
            Only those (as Confluent's ``deletedOnly``): never a subject with a live version.
        prefix : str, optional
            Only subjects that start with it (Confluent's ``subjectPrefix``).
        offset, limit : int
            A page of the sorted list: skip ``offset``, then at most ``limit`` (``None`` or a
            number below 1: all).

        See Also
        --------
        Confluent REST: ``GET /subjects`` (``deleted``, ``deletedOnly``, ``subjectPrefix``,
        ``offset``, ``limit``).
        """
        if deleted_only:
            live = set(self._backend.subjects(deleted=False))
            names = [n for n in self._backend.subjects(deleted=True) if n not in live]
        else:
            names = self._backend.subjects(deleted=deleted)
        if prefix is not None:
            names = [n for n in names if n.startswith(prefix)]
        return _page(sorted(names), offset, limit)

    def schemas(
        self,
        *,
        prefix: str | None = None,
        deleted: bool = False,
        latest_only: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[RegisteredSchema]:
        """Every version of every subject, by subject then version (Confluent's ``GET /schemas``).

        Parameters
        ----------
        prefix : str, optional
            Only subjects that start with it (``subjectPrefix``).
        deleted : bool, default False
            Soft-deleted versions too.
        latest_only : bool, default False
            Only each subject's newest version (``latestOnly``).
        offset, limit : int
            A page of the list (a limit below 1: all).

        See Also
        --------
        Confluent REST: ``GET /schemas``.
        """
        found: list[RegisteredSchema] = []
        for subject in self.subjects(deleted=deleted, prefix=prefix):
            try:
                rows = self._backend.version_rows(subject, deleted=deleted)
            except LookupError:  # deleted between the two reads
                continue
            found.extend(self._registered(r) for r in (rows[-1:] if latest_only else rows))
        return _page(found, offset, limit)

    def lookup(
        self,
        subject: str,
        schema: Schema | str | dict[str, Any] | list[Any],
        *,
        normalize: bool = False,
        deleted: bool = False,
        schema_type: str = "AVRO",
    ) -> RegisteredSchema:
        """The version of ``subject`` whose schema is ``schema`` (the same identity as register).

        Parameters
        ----------
        subject : str
        schema : Schema, str, dict or list
        normalize : bool, default False
            Compare normalized forms, as :meth:`register` does with ``normalize=True``.
        deleted : bool, default False
            Also find soft-deleted versions.
        schema_type : {"AVRO", "JSON"}, default "AVRO"

        Raises
        ------
        SubjectNotFoundError
            The subject has no (live) version (40401).
        SchemaNotFoundError
            The schema is not registered under the subject (40403).
        SchemaParseError, InvalidSubjectError

        See Also
        --------
        Confluent REST: ``POST /subjects/{subject}`` (``?normalize=true&deleted=true``).
        """
        subject = _check_subject(subject)
        _, new = self._parse(schema, schema_type)
        cache_key = (subject, normalize, new.key(normalize=normalize))
        known = self._known.get(cache_key)
        if known is not None:
            return known
        found = self._registered(
            self._backend.lookup(subject, new, normalize=normalize, deleted=deleted)
        )
        if not deleted:
            self._known[cache_key] = found
        return found

    def check(
        self,
        subject: str,
        schema: Schema | str | dict[str, Any] | list[Any],
        *,
        schema_type: str = "AVRO",
        version: int | Literal["latest"] | None = None,
    ) -> CompatibilityResult:
        """Whether ``schema`` could be registered under ``subject``, without registering it.

        Checks against the subject's live versions under its level (all of them for the
        ``*_TRANSITIVE`` levels, the newest otherwise). A subject without live versions
        accepts anything. With ``version``, checks against that one version only (under the
        subject's level), as Confluent's ``…/versions/{version}`` endpoint. A schema of another
        type than the versions it is checked against is incompatible.

        Parameters
        ----------
        subject : str
        schema : Schema, str, dict or list
        schema_type : {"AVRO", "JSON"}, default "AVRO"
        version : int or "latest", optional
            Check against this version only (soft-deleted versions are not found).

        Returns
        -------
        CompatibilityResult
            ``bool(result)``, ``.messages`` with every break.

        Raises
        ------
        VersionNotFoundError
            With a numbered ``version``: the subject has no such live version (40402). Against
            ``"latest"`` of a subject without versions, as against the subject, anything is
            compatible (Confluent answers the same).
        SchemaParseError, InvalidSubjectError, InvalidVersionError

        See Also
        --------
        check_compatibility
        Confluent REST: ``POST /compatibility/subjects/{subject}/versions`` and
        ``POST /compatibility/subjects/{subject}/versions/{version}``.
        """
        subject = _check_subject(subject)
        number = None if version is None else _check_version(version)
        parsed, _ = self._parse(schema, schema_type)
        if version is not None and number is None:  # "latest"
            try:
                rows = [self._backend.version(subject, None, deleted=False)]
            except LookupError:  # Confluent: nothing to be incompatible with yet
                rows = []
        elif version is not None:
            try:
                rows = [self._backend.version(subject, number, deleted=False)]
            except SubjectNotFoundError as exc:  # Confluent answers 40402 then, not 40401
                raise VersionNotFoundError(
                    f"version {number} of subject {subject!r} not found",
                    subject=subject,
                    version=number,
                ) from exc
        else:
            try:
                rows = self._backend.version_rows(subject, deleted=False)
            except LookupError:
                rows = []
        level = self.compatibility(subject)
        others = [r.version for r in rows if r.schema_type != parsed.schema_type]
        if others:
            message = (
                f"schema type {parsed.schema_type} differs from the type of versions "
                f"{others}; a subject's versions share one schema type"
            )
            return CompatibilityResult(False, messages=(message,), level=level)
        previous = [self._schema(r.schema_id, r.schema_type, r.text) for r in rows]
        return self._compat(parsed, previous, level, [r.version for r in rows])

    # -- compatibility levels ----------------------------------------------------------------

    def set_compatibility(self, level: CompatibilityLevel | str, subject: str | None = None) -> str:
        """Set the compatibility level of ``subject``, or the global one; return it.

        Parameters
        ----------
        level : str
            One of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
            FULL_TRANSITIVE, in any case.
        subject : str, optional
            The subject (which need not exist yet); ``None`` sets the global level.

        Raises
        ------
        InvalidCompatibilityLevelError
            Another level; the message lists the seven (42203).
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``PUT /config`` and ``PUT /config/{subject}``.
        """
        checked = check_level(level)
        scope = None if subject is None else _check_subject(subject)
        self._backend.set_level(checked, scope)
        return checked

    @overload
    def compatibility(
        self, subject: str | None = None, *, fallback: Literal[True] = True
    ) -> str: ...

    @overload
    def compatibility(self, subject: str | None = None, *, fallback: bool) -> str | None: ...

    def compatibility(self, subject: str | None = None, *, fallback: bool = True) -> str | None:
        """The level that applies to ``subject``: its own, else the global one (default BACKWARD).

        Parameters
        ----------
        subject : str, optional
            ``None``: the global level.
        fallback : bool, default True
            With False, only the level set on ``subject`` itself, or ``None`` when it has none
            (Confluent's 40408). The global level always has a value (BACKWARD by default).

        See Also
        --------
        Confluent REST: ``GET /config/{subject}?defaultToGlobal=true`` and ``GET /config``.
        """
        if subject is None:
            return cast(str, self._backend.level(None, fallback=True))
        return self._backend.level(_check_subject(subject), fallback=bool(fallback))

    def delete_compatibility(self, subject: str | None = None) -> str:
        """Remove the level of ``subject`` (it then follows the global one); return it.

        With ``subject=None`` the global level goes back to the default, BACKWARD.

        Returns
        -------
        str
            The level that was set (for the global one: BACKWARD if none was).

        Raises
        ------
        SubjectNotFoundError
            The subject has no level of its own (40401), as Confluent answers.
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``DELETE /config/{subject}`` and ``DELETE /config``.

        Examples
        --------
        >>> with Registry(":memory:") as reg:
        ...     _ = reg.set_compatibility("full", "orders-value")
        ...     reg.delete_compatibility("orders-value"), reg.compatibility("orders-value")
        ('FULL', 'BACKWARD')
        """
        scope = None if subject is None else _check_subject(subject)
        return self._backend.delete_level(scope)

    # -- modes -------------------------------------------------------------------------------

    @overload
    def mode(self, subject: str | None = None, *, fallback: Literal[True] = True) -> str: ...

    @overload
    def mode(self, subject: str | None = None, *, fallback: bool) -> str | None: ...

    def mode(self, subject: str | None = None, *, fallback: bool = True) -> str | None:
        """The mode that applies to ``subject``: its own, else the global one (READWRITE).

        Parameters
        ----------
        subject : str, optional
            ``None``: the global mode.
        fallback : bool, default True
            With False, only the mode set on ``subject`` itself, or ``None`` when it has none
            (Confluent's 40409). The global mode always has a value (READWRITE by default).

        See Also
        --------
        set_mode
        Confluent REST: ``GET /mode`` and ``GET /mode/{subject}?defaultToGlobal=true``.
        """
        if subject is None:
            return cast(str, self._backend.mode(None, fallback=True))
        return self._backend.mode(_check_subject(subject), fallback=bool(fallback))

    def set_mode(self, mode: Mode | str, subject: str | None = None, *, force: bool = False) -> str:
        """Set the mode of ``subject``, or the global one; return it (upper case).

        - READWRITE (the default): registrations and deletes as usual.
        - READONLY: registrations and deletes are refused with
          :class:`~schemakit.errors.OperationNotPermittedError` (42205); reads, compatibility
          levels and modes can still be changed.
        - IMPORT: a registration must give ``schema_id`` (and may give ``version``), which are
          kept as given, without a compatibility check (for copying a registry, ids intact).

        Parameters
        ----------
        mode : {"READWRITE", "READONLY", "IMPORT"}
            Any case.
        subject : str, optional
            ``None`` sets the global mode.
        force : bool, default False
            Switch to IMPORT even though the registry (or subject) already has live versions.

        Raises
        ------
        InvalidModeError
            Another mode (42204).
        OperationNotPermittedError
            IMPORT without ``force`` on a registry (or subject) that has live versions (42205).
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``PUT /mode`` and ``PUT /mode/{subject}`` (``?force=true``).

        Examples
        --------
        >>> with Registry(":memory:") as reg:
        ...     _ = reg.set_mode("import")
        ...     reg.register("orders-value", '"long"', schema_id=42).id
        42
        """
        checked = _check_mode(mode)
        scope = None if subject is None else _check_subject(subject)
        self._backend.set_mode(checked, scope, force=bool(force))
        self._known.clear()  # cached registrations must meet the new mode
        return checked

    def delete_mode(self, subject: str | None = None) -> str:
        """Remove the mode of ``subject`` (it then follows the global one), or with ``None`` the
        global mode (back to READWRITE); return the mode removed.

        Raises
        ------
        ModeNotConfiguredError
            The subject has no mode of its own (40409).
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``DELETE /mode/{subject}``, ``DELETE /mode``.
        """
        name = None if subject is None else _check_subject(subject)
        previous = self._backend.delete_mode(name)
        self._known.clear()
        return previous

    # -- deleting ----------------------------------------------------------------------------

    def delete_version(
        self, subject: str, version: int | Literal["latest"], *, permanent: bool = False
    ) -> int:
        """Soft-delete a version, or (``permanent=True``) remove a soft-deleted one for good.

        A soft-deleted version is hidden from reads but its id still resolves and its number is
        never reused. ``"latest"`` is the newest live version for a soft delete and the newest
        version of any state for a permanent one.

        Returns
        -------
        int
            The version deleted.

        Raises
        ------
        SubjectNotFoundError
            The subject has no (live) version (40401).
        VersionNotFoundError
            No such version (40402).
        VersionSoftDeletedError
            A soft delete of a version already soft-deleted (40406).
        VersionNotSoftDeletedError
            A permanent delete of a version not soft-deleted first (40407).
        InvalidVersionError, InvalidSubjectError

        See Also
        --------
        Confluent REST: ``DELETE /subjects/{subject}/versions/{version}`` (``?permanent=true``).
        """
        subject = _check_subject(subject)
        number = _check_version(version)
        row = self._backend.delete_version(subject, number, permanent=permanent)
        self._forget(subject, [row], permanent=permanent)
        return row.version

    def delete_subject(self, subject: str, *, permanent: bool = False) -> list[int]:
        """Soft-delete every live version of a subject, or remove a soft-deleted subject.

        A permanent delete also drops the subject's own compatibility level.

        Returns
        -------
        list of int
            The versions deleted.

        Raises
        ------
        SubjectNotFoundError
            No such subject (40401).
        SubjectSoftDeletedError
            A soft delete of a subject already soft-deleted (40404).
        SubjectNotSoftDeletedError
            A permanent delete of a subject with live versions (40405).
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``DELETE /subjects/{subject}`` (``?permanent=true``).
        """
        subject = _check_subject(subject)
        rows = self._backend.delete_subject(subject, permanent=permanent)
        self._forget(subject, rows, permanent=permanent)
        return [r.version for r in rows]

    # -- inspection --------------------------------------------------------------------------

    def history(self, subject: str) -> pd.DataFrame:
        """The versions of a subject, soft-deleted ones included, as a DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per version: ``version``, ``id``, ``registered_at`` (UTC), ``fields`` (the
            number of top-level fields), ``compatible_with_previous`` (whether the version
            passes the subject's *current* level against the live versions before it; ``<NA>``
            for the first) and ``deleted``.

        Raises
        ------
        SubjectNotFoundError
            The subject has no version at all (40401).
        InvalidSubjectError

        See Also
        --------
        Confluent REST: ``GET /subjects/{subject}/versions?deleted=true``.
        """
        import pandas as pd

        subject = _check_subject(subject)
        rows = self._backend.version_rows(subject, deleted=True)
        level = self.compatibility(subject)
        schemas = [self._schema(r.schema_id, r.schema_type, r.text) for r in rows]
        compatible: list[bool | None] = []
        for i in range(len(rows)):
            previous = [s for s, r in zip(schemas[:i], rows[:i], strict=True) if not r.deleted]
            if not previous:
                compatible.append(None)
            elif level == "NONE":
                compatible.append(True)
            elif any(p.schema_type != schemas[i].schema_type for p in previous):
                compatible.append(False)
            else:
                compatible.append(bool(self._compat(schemas[i], previous, level)))
        return pd.DataFrame(
            {
                "version": pd.array([r.version for r in rows], dtype="int64"),
                "id": pd.array([r.schema_id for r in rows], dtype="int64"),
                # None (a remote registry does not know) becomes NaT.
                "registered_at": pd.to_datetime(
                    pd.Index([r.registered_at for r in rows], dtype=object), utc=True
                ),
                "fields": pd.array([len(s.fields) for s in schemas], dtype="int64"),
                "compatible_with_previous": pd.array(compatible, dtype="boolean"),
                "deleted": pd.array([r.deleted for r in rows], dtype="bool"),
            }
        )

    def verify(self) -> IntegrityReport:
        """Check the registry's invariants and every read the API makes; report each problem.

        A file's tables are read with plain scans, and their invariants checked: the layout
        version and its migrations; schema ids positive and unique; one row per schema
        identity; every stored schema parses and matches its identity digests; versions
        positive and unique per subject; every version refers to an existing schema; no schema
        twice among a subject's live versions; subject names, levels and modes valid. Version
        numbers need not be contiguous: a permanent delete leaves a gap.

        Then every lookup the API makes runs for everything the scans found, as the API runs
        it (through the file's indexes): each subject's versions (the read behind
        ``versions``, ``get_version``, ``lookup``, ``history`` and ``register``), its level
        and mode, each schema id (``get_by_id``, ``schema_versions``), each schema by its
        digests (``register``), each scope of the config and mode tables, and the subjects
        list. A lookup that fails is a problem naming the subject or id and carrying the error
        the API call raises; one that answers otherwise than the scan is a problem too.

        A damaged file is reported, never raised: a table that cannot be read, or a file that
        no longer opens, is a problem. A remote registry is checked as a client reads it.

        Returns
        -------
        IntegrityReport
            True when there is no problem; ``.problems`` lists each one.

        Raises
        ------
        RegistryBusyError
            The file stayed locked by another process past the timeout.
        SchemakitError
            The registry is closed.

        See Also
        --------
        export_jsonl : copy out what is readable, to import into a new registry.
        """
        found: IntegrityFindings = self._backend.check_integrity()
        return IntegrityReport(
            location=self.location,
            layout_version=found.layout_version,
            schemas=found.schemas,
            subjects=found.subjects,
            versions=found.versions,
            problems=found.problems,
        )

    # -- export and import -------------------------------------------------------------------

    def export_jsonl(self, destination: _jsonl.Target) -> ExportReport:
        """Write every version, level and mode to JSON lines: a backup, or a move.

        One line per version of every subject, soft-deleted ones included (subject, version,
        id, schema text, schema type, references, deleted flag), then the global level and
        mode and each subject's own. docs/registry.md describes the lines, how
        :meth:`import_jsonl` restores them, and how to POST them to Confluent in IMPORT mode.

        A file is read with plain scans of its tables, not through its indexes, so a file
        whose indexes are damaged (see :meth:`verify`) still exports everything; what cannot
        be read at all is left out and listed in the report.

        Parameters
        ----------
        destination : str, os.PathLike or text file
            A path, written whole or not at all (a temporary file beside it is renamed over
            it), or an open text file, written and left open.

        Returns
        -------
        ExportReport
            Counts, and ``.problems``: what could not be read. True when complete.

        Raises
        ------
        SchemakitError
            The registry cannot be read at all (a file that does not open, a server that
            cannot list its subjects).
        OSError
            ``destination`` cannot be written.

        Examples
        --------
        >>> import io
        >>> with Registry(":memory:") as reg:
        ...     _ = reg.register("orders-value", '"long"')
        ...     out = io.StringIO()
        ...     reg.export_jsonl(out)
        ExportReport(complete: 1 versions, 1 schemas, 2 settings from :memory:)
        """
        scan = self._backend.scan()
        rows = sorted(scan.versions, key=lambda r: (r.subject, r.version))
        with _jsonl.writer(destination) as write:
            write(_jsonl.header_line())
            for row in rows:
                write(_jsonl.version_line(row))
            for subject, level in scan.levels:
                write(_jsonl.setting_line("config", subject, level))
            for subject, mode in scan.modes:
                write(_jsonl.setting_line("mode", subject, mode))
        return ExportReport(
            location=self.location,
            versions=len(rows),
            schemas=len({r.schema_id for r in rows}),
            settings=len(scan.levels) + len(scan.modes),
            problems=scan.problems,
        )

    def import_jsonl(self, source: _jsonl.Source, *, force: bool = False) -> ImportReport:
        """Restore an export of :meth:`export_jsonl`: ids, versions, deletes, levels and modes.

        Confluent's IMPORT-mode semantics: every version is registered with its id and
        version kept and no compatibility check, so this registry must be empty or already in
        IMPORT mode (the global mode is switched to IMPORT for the import, then set to the
        file's). Soft-deleted versions are registered and soft-deleted again. The import is
        idempotent: versions already present with the same id are left as they are, and
        importing the same file twice writes nothing the second time.

        The whole file is read and checked before anything is written: a malformed line, an
        invalid subject, id, version, level or mode, a schema that does not parse, two lines
        that disagree (one id, two schemas; one version twice), a version the registry already
        holds with another id, or an id it gives another schema raises and writes nothing. A
        failure while writing (a lost server, or a schema the registry has under another id)
        leaves the registry in IMPORT mode, partly imported; importing the file again once the
        cause is fixed finishes the job.

        Parameters
        ----------
        source : str, os.PathLike, or a text or binary file
            The export; a path is opened and closed, a file read to its end and left open.
        force : bool, default False
            Import into a registry that already has live versions (its mode is switched to
            IMPORT with ``force``, as Confluent's ``PUT /mode?force=true``).

        Returns
        -------
        ImportReport
            Versions written, already present, soft-deleted; settings changed.

        Raises
        ------
        SchemaParseError
            A line that is not a valid export line, or a schema that does not parse; the
            message names the file and line (42201).
        InvalidSubjectError, InvalidVersionError, InvalidCompatibilityLevelError, InvalidModeError
            A line with such a value (the message names the line).
        SchemaIdConflictError
            Lines that disagree with each other or with this registry (42207).
        OperationNotPermittedError
            This registry has live versions and is not in IMPORT mode, and ``force`` is False
            (42205).

        See Also
        --------
        set_mode : IMPORT mode.
        Confluent: "Migrate Schemas", ``PUT /mode`` with IMPORT and ``POST
        /subjects/{subject}/versions`` with ``id`` and ``version``.

        Examples
        --------
        >>> import io
        >>> with Registry(":memory:") as old, Registry(":memory:") as new:
        ...     _ = old.register("orders-value", '"long"')
        ...     backup = io.StringIO()
        ...     _ = old.export_jsonl(backup)
        ...     _ = backup.seek(0)
        ...     report = new.import_jsonl(backup)
        ...     report.written, new.get_by_id(1)
        (1, Schema(AVRO long))
        """
        name = _source_name(source)
        versions: list[VersionLine] = []
        settings: list[SettingLine] = []
        for line in _jsonl.read(source, name):
            if isinstance(line, VersionLine):
                versions.append(line)
            else:
                settings.append(line)
        parsed = self._check_import(versions, settings, name)
        todo, deletes, present = self._import_plan(versions, parsed, name)
        previous = self.mode()
        switched = bool(todo or deletes) and previous != "IMPORT"
        if switched:
            try:
                self.set_mode("IMPORT", force=force)
            except OperationNotPermittedError as exc:
                message = (
                    f"cannot import {name} into {self.location}: a registry must be empty or "
                    f"in IMPORT mode to import ({exc})"
                )
                raise OperationNotPermittedError(message) from exc
        # Deletes first, then soft-deleted lines, then live ones: a schema may come back live
        # in a subject only once its earlier version with the same schema is soft-deleted.
        for line in deletes:
            with _at(f"{name}, line {line.line}"):
                self.delete_version(line.subject, line.version)
        for line in sorted(todo, key=lambda t: (not t.deleted, t.subject, t.version)):
            with _at(f"{name}, line {line.line}"):
                self.register(
                    line.subject, parsed[line.line], schema_id=line.id, version=line.version
                )
                if line.deleted:
                    self.delete_version(line.subject, line.version)
        changed = self._import_settings(settings, name, previous)
        if switched and not any(s.kind == "mode" and s.subject is None for s in settings):
            self.set_mode(previous, force=True)  # the file does not say: as it was before
        return ImportReport(
            location=self.location,
            versions=len(versions),
            written=len(todo),
            present=present,
            deleted=len(deletes) + sum(t.deleted for t in todo),
            settings=changed,
        )

    def _check_import(
        self, versions: Sequence[VersionLine], settings: Sequence[SettingLine], name: str
    ) -> dict[int, Schema]:
        """Every value of every line checked, and the lines checked against each other;
        the parsed schema of each version line, by line number."""
        parsed: dict[int, Schema] = {}
        at_version: dict[tuple[str, int], int] = {}
        by_id: dict[int, tuple[str, int]] = {}
        by_identity: dict[str, tuple[int, int]] = {}
        live: dict[tuple[str, str], int] = {}
        for line in versions:
            where = f"{name}, line {line.line}"
            with _at(where):
                _check_subject(line.subject)
                _check_import_version(line.version)
                _check_import_id(line.id)
                schema, new = self._parse(line.schema, line.schema_type)
            parsed[line.line] = schema
            clash = None
            first = at_version.setdefault((line.subject, line.version), line.line)
            if first != line.line:
                clash = f"line {first} gives subject {line.subject!r} version {line.version} too"
            bound = by_id.setdefault(line.id, (new.identity, line.line))
            if bound[0] != new.identity:
                clash = f"line {bound[1]} gives schema id {line.id} to another schema"
            other = by_identity.setdefault(new.identity, (line.id, line.line))
            if other[0] != line.id:
                clash = f"line {other[1]} gives this schema id {other[0]}, not {line.id}"
            if not line.deleted:
                twice = live.setdefault((line.subject, new.identity), line.version)
                if twice != line.version:
                    clash = (
                        f"subject {line.subject!r} has this schema live as version {twice} already"
                    )
            if clash is not None:
                raise SchemaIdConflictError(f"{where}: {clash}")
        for setting in settings:
            with _at(f"{name}, line {setting.line}"):
                if setting.subject is not None:
                    _check_subject(setting.subject)
                if setting.kind == "config":
                    check_level(setting.value)
                else:
                    _check_mode(setting.value)
        return parsed

    def _import_plan(
        self, versions: Sequence[VersionLine], parsed: dict[int, Schema], name: str
    ) -> tuple[list[VersionLine], list[VersionLine], int]:
        """What to write: ``(versions to register, present versions to soft-delete, present)``.

        Raises SchemaIdConflictError (writing nothing) for a version this registry holds
        otherwise than the file says.
        """
        held: dict[tuple[str, int], VersionRow] = {}
        for subject in sorted({line.subject for line in versions}):
            try:
                rows = self._backend.version_rows(subject, deleted=True)
            except SubjectNotFoundError:
                continue
            held.update(((r.subject, r.version), r) for r in rows)
        todo: list[VersionLine] = []
        deletes: list[VersionLine] = []
        present = 0
        for line in versions:
            row = held.get((line.subject, line.version))
            if row is None:
                todo.append(line)
                continue
            _, new = self._parse(parsed[line.line], line.schema_type)
            what = f"{name}, line {line.line}: subject {line.subject!r} version {line.version}"
            if row.schema_id != line.id or row.identity != new.identity:
                message = (
                    f"{what} is schema id {row.schema_id} in {self.location} (another schema "
                    f"or id than the file's {line.id}); nothing was imported"
                )
                raise SchemaIdConflictError(message)
            if row.deleted and not line.deleted:
                message = (
                    f"{what} is soft-deleted in {self.location} but live in the file; a soft "
                    "delete cannot be undone; nothing was imported"
                )
                raise SchemaIdConflictError(message)
            present += 1
            if line.deleted and not row.deleted:
                deletes.append(line)
        if todo and self._backend.subjects(deleted=True):
            self._check_ids(todo, parsed, name)
        return todo, deletes, present

    def _check_ids(self, todo: Sequence[VersionLine], parsed: dict[int, Schema], name: str) -> None:
        """SchemaIdConflictError for an id to import that this registry gives another schema."""
        first: dict[int, VersionLine] = {}
        for line in todo:
            first.setdefault(line.id, line)
        for schema_id, line in sorted(first.items()):
            try:
                held = self.get_by_id(schema_id)
            except SchemaNotFoundError:
                continue
            _, new = self._parse(parsed[line.line], line.schema_type)
            if candidate(held).identity != new.identity:
                message = (
                    f"{name}, line {line.line}: schema id {schema_id} is another schema in "
                    f"{self.location}; nothing was imported"
                )
                raise SchemaIdConflictError(message)

    def _import_settings(
        self, settings: Sequence[SettingLine], name: str, previous_mode: str
    ) -> int:
        """Set each level, then each subject's mode, then the global mode, where they differ;
        the number that differ from before the import (``previous_mode``: the global mode then,
        as the import may have switched it to IMPORT)."""
        changed = 0
        ordered = sorted(
            settings, key=lambda s: (s.kind == "mode", s.kind == "mode" and s.subject is None)
        )
        for setting in ordered:
            fallback = setting.subject is None
            with _at(f"{name}, line {setting.line}"):
                if setting.kind == "config":
                    level = check_level(setting.value)
                    if self._backend.level(setting.subject, fallback=fallback) != level:
                        self.set_compatibility(level, setting.subject)
                        changed += 1
                else:
                    mode = _check_mode(setting.value)
                    current = self._backend.mode(setting.subject, fallback=fallback)
                    if current != mode:
                        # Restoring the file's mode, past the "empty or IMPORT" gate already.
                        self.set_mode(mode, setting.subject, force=True)
                        before = previous_mode if setting.subject is None else current
                        changed += before != mode
        return changed

    # -- lifecycle and display ---------------------------------------------------------------

    def close(self) -> None:
        """Release the store; an in-memory registry is gone after this. Later calls raise."""
        self._backend.close()
        self._schemas.clear()
        self._known.clear()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Registry({self.location!r})"

    def _repr_html_(self) -> str:
        summary = self._backend.summary()
        global_level = cast(str, self._backend.level(None, fallback=True))
        rows = [
            (
                s.subject,
                s.versions,
                s.deleted_versions,
                "" if s.latest is None else s.latest,
                s.level or f"{global_level} (global)",
            )
            for s in summary
        ]
        caption = f"Registry {self.location}: {len(summary)} subjects, global level {global_level}"
        columns = ("subject", "versions", "soft-deleted", "latest", "compatibility")
        return _html.table(columns, rows, caption=caption)

    def explore(self, subject: str | None = None, **options: Any) -> Any:
        """A widget to explore this registry: every subject, or how one subject evolved.

        Parameters
        ----------
        subject : str, optional
            ``None``: a :class:`~schemakit.widgets.RegistryBrowser` of every subject; else an
            :class:`~schemakit.widgets.EvolutionExplorer` of ``subject``.
        **options
            Passed to the widget (``page_size``, and for an explorer ``sample``,
            ``preview_rows``).

        Returns
        -------
        RegistryBrowser or EvolutionExplorer

        Raises
        ------
        ImportError
            ipywidgets is not installed: ``pip install 'schemakit[widgets]'``.
        SubjectNotFoundError
            ``subject`` has no version.

        See Also
        --------
        schemakit.widgets : what the widgets show.
        """
        # Imported here, not at the top: widgets are the outer ring (they import the registry)
        # and need ipywidgets; `import schemakit` must load neither. pyproject's import-linter
        # contract ignores exactly this import.
        from schemakit.widgets import EvolutionExplorer, RegistryBrowser

        if subject is None:
            return RegistryBrowser(self, **options)
        return EvolutionExplorer(self, _check_subject(subject), **options)
