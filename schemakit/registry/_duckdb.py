"""The DuckDB store: a registry in one DuckDB file, or in memory.

Layout (see docs/registry.md): ``schemakit_meta`` holds the layout version;
``schemakit_migrations`` lists the migrations applied, in order; ``schemas`` holds one row per
distinct schema (global id, type, text, identity digests); ``subject_versions`` one row per
version of a subject (soft-deleted ones flagged); ``config`` the compatibility levels and
``modes`` the registry modes (layout 2), the global one of each under the empty scope, which no
subject can be named. A file with an older layout is migrated when it is opened.

Modes are enforced inside the write transactions (Confluent's rules): READONLY refuses
registrations and deletes; IMPORT takes registrations only with the schema id to keep (and
optionally the version), and does not check compatibility; READWRITE refuses a schema id, and
accepts a version only if it is the next one. A schema the subject already has answers as it is
in every mode, since nothing is written.

Concurrency: DuckDB lets one process at a time open a file for writing. A file-backed store
therefore opens the file for the length of one operation only (attached to an in-memory DuckDB
kept for the store's life, detached at the end), and each write runs in one transaction, so a
process killed mid-write leaves the file as it was before that write. Who may
open the file is decided by a queue on a sidecar file ``<file>.lock``
(:mod:`schemakit.registry._filelock`): each operation takes a ticket and waits until every
earlier ticket is done, so processes are served in arrival order, and it holds its turn from
before the connection opens until after it has closed (and DuckDB has checkpointed). Within a
process, operations on one file are serialized by a lock. Every wait of an operation (for
another thread, for its turn, for DuckDB's own lock against a process outside the queue) ends
at one deadline, ``timeout`` seconds after the operation began, with
:class:`~schemakit.errors.RegistryBusyError`. The sidecar may be deleted while no process uses
the registry. ``":memory:"`` keeps one connection for the store's life.

Read-only (asked for, or found by :func:`unwritable`): connections use DuckDB's read-only mode
and no sidecar is touched, so a registry on read-only storage can be read; writes raise
:class:`~schemakit.errors.OperationNotPermittedError` (42205), and a file whose layout is not
this release's cannot be opened (it cannot be migrated).

Damage: ``check_integrity`` (``Registry.verify``) reads each table with a plain scan (no index)
and then runs every lookup the API makes, with the very queries the methods run (the
``_SELECT_*`` constants), for everything the scans found; a lookup that fails, or answers
otherwise than the scan, is a problem that names what it was for. ``scan`` reads the tables the
same plain way for an export, so a file whose indexes are damaged still exports everything.

This module is the one seam where duckdb exceptions become schemakit errors.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final, Literal, TypeVar

import duckdb

from schemakit._typing import CompatibilityLevel, Mode, allowed
from schemakit.errors import (
    ModeNotConfiguredError,
    OperationNotPermittedError,
    RegistryBusyError,
    SchemaIdConflictError,
    SchemakitError,
    SchemaNotFoundError,
    SchemaParseError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from schemakit.registry._backend import (
    DEFAULT_LEVEL,
    Candidate,
    CompatibilityCheck,
    IntegrityFindings,
    SchemaRow,
    StoreScan,
    SubjectSummary,
    VersionRow,
    candidate,
    subject_problem,
)
from schemakit.registry._filelock import LockTimeoutError, acquire
from schemakit.schema import Schema

__all__ = ["DEFAULT_MODE", "LAYOUT_VERSION", "MIGRATIONS", "DuckDBStore", "unwritable"]

#: The migrations, applied in order; migration ``i`` (1-based) brings a file to layout ``i``.
#: Never edit a released entry: append a new one.
MIGRATIONS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        "schemas, subject versions and compatibility config",
        (
            """
            CREATE TABLE schemas (
                id INTEGER PRIMARY KEY,
                schema_type VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                identity VARCHAR NOT NULL UNIQUE,
                normalized VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL
            )
            """,
            "CREATE INDEX schemas_normalized ON schemas (normalized)",
            """
            CREATE TABLE subject_versions (
                subject VARCHAR NOT NULL,
                version INTEGER NOT NULL,
                schema_id INTEGER NOT NULL,
                deleted BOOLEAN NOT NULL DEFAULT FALSE,
                registered_at TIMESTAMP NOT NULL,
                PRIMARY KEY (subject, version)
            )
            """,
            "CREATE INDEX subject_versions_schema_id ON subject_versions (schema_id)",
            """
            CREATE TABLE config (
                scope VARCHAR PRIMARY KEY,
                level VARCHAR NOT NULL
            )
            """,
        ),
    ),
    (
        "registry modes (READWRITE, READONLY, IMPORT)",
        (
            """
            CREATE TABLE modes (
                scope VARCHAR PRIMARY KEY,
                mode VARCHAR NOT NULL
            )
            """,
        ),
    ),
)
LAYOUT_VERSION: Final = len(MIGRATIONS)

_GLOBAL_SCOPE = ""
_Setting = Literal["level", "mode"]
#: Where each per-scope setting lives: (table, column). Constants, never user input.
_SETTINGS: Final[dict[str, tuple[str, str]]] = {
    "level": ("config", "level"),
    "mode": ("modes", "mode"),
}
#: The query that reads the level or mode set for one scope exactly.
_SELECT_SETTING: Final = {
    kind: f"SELECT {column} FROM {table} WHERE scope = ?"
    for kind, (table, column) in _SETTINGS.items()
}
#: The subject's own level or mode, else the global one: the subject's row sorts first (its
#: scope is not the empty global scope). Parameters: subject, global scope, global scope.
_SELECT_EFFECTIVE: Final = {
    kind: f"SELECT {column} FROM {table} WHERE scope IN (?, ?) ORDER BY scope = ? LIMIT 1"
    for kind, (table, column) in _SETTINGS.items()
}
#: The mode of a registry that never had one set (Confluent's default).
DEFAULT_MODE = "READWRITE"
_DEFAULTS: Final = {"level": DEFAULT_LEVEL, "mode": DEFAULT_MODE}
_BASE_DELAY = 0.01
_MAX_DELAY = 0.25
_LOCK_MESSAGE = "Could not set lock"
#: The name the file is attached under in a file store's host connection.
_ALIAS = "schemakit_registry"

_SELECT_LAYOUT = "SELECT value FROM schemakit_meta WHERE key = 'layout_version'"
_VERSION_COLUMNS = """
    v.subject, v.version, v.schema_id, s.schema_type, s.text, s.identity, s.normalized,
    v.deleted, v.registered_at
"""
_SELECT_SUBJECT = f"""
    SELECT {_VERSION_COLUMNS}
    FROM subject_versions v JOIN schemas s ON s.id = v.schema_id
    WHERE v.subject = ?
    ORDER BY v.version
"""
# The other lookups the API makes, each written once: the methods run them and
# check_integrity runs them again for every subject, schema id and scope it finds.
_SELECT_SCHEMA = """
    SELECT id, schema_type, text FROM schemas s
    WHERE id = ? AND EXISTS (SELECT 1 FROM subject_versions v WHERE v.schema_id = s.id)
"""
_SELECT_USERS = (
    "SELECT subject, version, deleted FROM subject_versions WHERE schema_id = ? "
    "ORDER BY subject, version"
)
_SELECT_SUBJECTS = {
    True: "SELECT DISTINCT subject FROM subject_versions ORDER BY subject",
    False: "SELECT DISTINCT subject FROM subject_versions WHERE NOT deleted ORDER BY subject",
}
#: register's search for the id of a schema by one of its digests, with the highest id in use.
_SELECT_ID_BY = {
    column: f"SELECT (SELECT min(id) FROM schemas WHERE {column} = ?), "
    "(SELECT coalesce(max(id), 0) FROM schemas)"
    for column in ("identity", "normalized")
}
_SELECT_SUMMARY = """
    SELECT v.subject,
           count(*) FILTER (WHERE NOT v.deleted),
           count(*) FILTER (WHERE v.deleted),
           max(v.version) FILTER (WHERE NOT v.deleted),
           any_value(c.level)
    FROM subject_versions v LEFT JOIN config c ON c.scope = v.subject
    GROUP BY v.subject
    ORDER BY v.subject
"""
#: Plain scans (no WHERE clause, so no index is read): what check_integrity compares every
#: lookup with, and all an export needs, so both still work on a file whose indexes are broken.
_SCANS: Final[dict[str, str]] = {
    "schemas": "SELECT id, schema_type, text, identity, normalized FROM schemas ORDER BY id",
    "subject_versions": (
        "SELECT subject, version, schema_id, deleted, registered_at FROM subject_versions "
        "ORDER BY subject, version"
    ),
    "config": "SELECT scope, level FROM config ORDER BY scope",
    "modes": "SELECT scope, mode FROM modes ORDER BY scope",
}

# One lock per file path, shared by every store of the process on that file: DuckDB shares one
# database instance per path within a process, and its write transactions would conflict.
_PATH_LOCKS: dict[str, threading.RLock] = {}
_PATH_LOCKS_GUARD = threading.Lock()


def _path_lock(path: str) -> threading.RLock:
    with _PATH_LOCKS_GUARD:
        return _PATH_LOCKS.setdefault(path, threading.RLock())


# Every open file store, so that a fork can close their idle hosts first; and the hosts a forked
# child inherited mid-operation, kept referenced so that they are never closed.
_STORES: weakref.WeakSet[DuckDBStore] = weakref.WeakSet()
_INHERITED: list[duckdb.DuckDBPyConnection] = []


def _before_fork() -> None:
    # A DuckDB instance does not survive a fork (its threads stay behind), and closing an
    # inherited one hangs: so no idle host crosses a fork. (subprocess does not run this.)
    for store in list(_STORES):
        store._drop_idle_host()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_before_fork)


def unwritable(path: str) -> str | None:
    """Why a registry file cannot be written here, or ``None`` when it can.

    Permission bits alone do not tell (root ignores them; a read-only mount overrides them),
    so after :func:`os.access` on the file and its folder this tries to create (or open for
    writing) the sidecar ``<file>.lock``, as every write would.
    """
    folder = os.path.dirname(path) or "."
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return "the file is not writable"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "its folder is not writable"
    try:
        fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"its lock file {path + '.lock'!r} cannot be created: {exc.strerror}"
        return None  # not a matter of permissions: the first operation reports it
    os.close(fd)
    return None


def _now() -> datetime:
    # Stored as a TIMESTAMP in UTC (naive), read back as an aware UTC datetime.
    return datetime.now(UTC).replace(tzinfo=None)


def _row(values: Sequence[Any]) -> VersionRow:
    subject, version, schema_id, schema_type, text, identity, normalized, deleted, at = values
    return VersionRow(
        subject=subject,
        version=int(version),
        schema_id=int(schema_id),
        schema_type=schema_type,
        text=text,
        identity=identity,
        normalized=normalized,
        deleted=bool(deleted),
        registered_at=at.replace(tzinfo=UTC),
    )


def _subject_not_found(subject: str) -> SubjectNotFoundError:
    return SubjectNotFoundError(f"subject {subject!r} not found", subject=subject)


def _version_not_found(subject: str, version: int | None) -> VersionNotFoundError:
    what = "has no live version" if version is None else f"has no version {version}"
    return VersionNotFoundError(
        f"subject {subject!r} {what}",
        subject=subject,
        version="latest" if version is None else version,
    )


class DuckDBStore:
    """The DuckDB backend (see the module docstring).

    Parameters
    ----------
    path : str
        A file path (created with the current layout if missing) or ``":memory:"``.
    timeout : float
        Seconds an operation may wait for the file (its turn, then DuckDB's own lock) before
        :class:`~schemakit.errors.RegistryBusyError`.
    read_only : bool or None, default None
        ``True``: read through DuckDB's read-only mode, without the sidecar lock, and refuse
        writes. ``None``: so when the file or its folder is not writable, or the sidecar
        cannot be created (see :func:`unwritable`). ``False``: never.
    """

    def __init__(self, path: str, *, timeout: float, read_only: bool | None = None) -> None:
        self.location = path
        self._memory = path == ":memory:"
        if self._memory and read_only:
            raise ValueError("a ':memory:' registry cannot be read-only: there is nothing to read")
        self._timeout = timeout
        self._closed = False
        self._lock_path = path + ".lock"
        #: Why the store refuses writes (``None``: it does not).
        self.read_only_reason: str | None = None
        if read_only:
            self.read_only_reason = "it was opened with read_only=True"
        elif read_only is None and not self._memory:
            self.read_only_reason = unwritable(path)
        self._lock: threading.RLock = (
            threading.RLock() if self._memory else _path_lock(os.path.realpath(path))
        )
        self._conn: duckdb.DuckDBPyConnection | None = None
        #: A file store's in-memory host, which the file is attached to for each operation.
        self._host: duckdb.DuckDBPyConnection | None = None
        self._host_pid = os.getpid()
        self._attached = False
        if not self._memory:
            _STORES.add(self)
        if self._memory:
            try:
                self._conn = duckdb.connect(":memory:")
            except duckdb.Error as exc:  # pragma: no cover - out of memory and the like
                raise self._store_error(exc) from exc
        if self.read_only:
            with self._session(write=False) as conn:
                self._check_layout(conn)
        else:
            with self._session(write=True) as conn:
                self._migrate(conn)

    @property
    def read_only(self) -> bool:
        """Whether the store reads through DuckDB's read-only mode and refuses writes."""
        return self.read_only_reason is not None

    # -- connections -------------------------------------------------------------------------

    def _store_error(self, exc: BaseException) -> SchemakitError:
        return SchemakitError(f"registry {self.location!r}: the DuckDB store failed: {exc}")

    def _busy(self, why: str) -> RegistryBusyError:
        message = f"registry file {self.location!r} stayed busy for {self._timeout:g} s: {why}"
        return RegistryBusyError(message, location=self.location)

    def _refused(self, action: str) -> OperationNotPermittedError:
        message = (
            f"registry file {self.location!r} is open read-only ({self.read_only_reason}): "
            f"{action} is not permitted"
        )
        return OperationNotPermittedError(message)

    def _open(self, deadline: float) -> duckdb.DuckDBPyConnection:
        """Attach the file to the host connection, retrying until ``deadline`` while a process
        outside the queue (not schemakit, or a read-only reader) holds DuckDB's own lock on it.

        The host is an in-memory DuckDB kept for the store's life: attaching a file to it costs
        a few milliseconds where a new ``duckdb.connect`` (a new database instance) costs tens,
        and detaching it (:meth:`_detach`) checkpoints, closes the file and releases DuckDB's
        lock as closing a connection does.
        """
        if self._host is not None and self._host_pid != os.getpid():
            # Forked while another thread was in an operation: the parent's instance lost its
            # threads in the fork, so it is neither used nor closed (closing it would hang).
            _INHERITED.append(self._host)
            self._host = None
        if self._host is None:
            try:
                self._host = duckdb.connect(":memory:")
            except duckdb.Error as exc:  # pragma: no cover - out of memory and the like
                raise self._store_error(exc) from exc
            self._host_pid = os.getpid()
        host = self._host
        literal = self.location.replace("'", "''")  # ATTACH takes no parameters
        options = "TYPE DUCKDB, READ_ONLY" if self.read_only else "TYPE DUCKDB"
        attempt = 0
        while True:
            try:
                host.execute(f"ATTACH '{literal}' AS {_ALIAS} ({options})")
                self._attached = True
                host.execute(f"USE {_ALIAS}")
                return host
            except duckdb.IOException as exc:
                if _LOCK_MESSAGE not in str(exc):
                    if self.read_only and not os.path.exists(self.location):
                        message = (
                            f"registry file {self.location!r} does not exist, and a read-only "
                            f"registry cannot create it ({self.read_only_reason})"
                        )
                        raise SchemakitError(message) from exc
                    raise self._store_error(exc) from exc
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._busy(f"another process held the DuckDB file; {exc}") from exc
                delay = min(_MAX_DELAY, _BASE_DELAY * 2**attempt) * random.uniform(0.5, 1.5)
                time.sleep(min(delay, left))
                attempt += 1
            except duckdb.Error as exc:
                raise self._store_error(exc) from exc

    def _take_turn(self, deadline: float) -> int | None:
        """Wait in the queue of ``<file>.lock`` for this process's turn; its descriptor."""
        try:
            return acquire(self._lock_path, deadline)
        except LockTimeoutError as exc:
            raise self._busy(str(exc)) from exc
        except OSError as exc:
            raise self._store_error(exc) from exc

    @contextmanager
    def _session(
        self, *, write: bool, action: str = "writing"
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one operation; with ``write`` one transaction around it.

        Every wait (for another thread of this process, for this process's turn in the queue,
        for DuckDB's own lock) ends at one deadline, ``timeout`` seconds from now. ``action``
        names the write for the error a read-only store raises.
        """
        if write and self.read_only:
            raise self._refused(action)
        deadline = time.monotonic() + self._timeout
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise self._busy("another thread of this process held it")
        try:
            if self._closed:
                raise SchemakitError(f"registry {self.location!r} is closed")
            turn = None if self._memory or self.read_only else self._take_turn(deadline)
            try:
                with self._connection(write=write, deadline=deadline) as conn:
                    yield conn
            finally:
                if turn is not None:
                    os.close(turn)  # ends the turn, after the connection has closed
        finally:
            self._lock.release()

    @contextmanager
    def _connection(self, *, write: bool, deadline: float) -> Iterator[duckdb.DuckDBPyConnection]:
        """One connection (the file's, or the in-memory one), in a transaction if ``write``."""
        conn = self._conn if self._conn is not None else self._open(deadline)
        try:
            if write:
                conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
                if write:
                    conn.execute("COMMIT")
            except BaseException:
                if write:
                    with contextlib.suppress(duckdb.Error):
                        conn.execute("ROLLBACK")
                raise
        except duckdb.Error as exc:
            raise self._store_error(exc) from exc
        finally:
            if not self._memory:
                self._detach(conn)

    def _detach(self, host: duckdb.DuckDBPyConnection) -> None:
        """Detach the file (checkpoint, close, release); if that fails, drop the host."""
        try:
            host.execute("USE memory")
            host.execute(f"DETACH {_ALIAS}")
        except duckdb.Error:
            # The file must not stay attached (and locked): closing the instance detaches it.
            with contextlib.suppress(duckdb.Error):
                host.close()
            self._host = None
        finally:
            self._attached = False

    def _drop_idle_host(self) -> None:
        """Close the host unless an operation is using it (before a fork: see _before_fork)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._host is not None and not self._attached:
                with contextlib.suppress(duckdb.Error):
                    self._host.close()
                self._host = None
        finally:
            self._lock.release()

    @staticmethod
    def _layout(conn: duckdb.DuckDBPyConnection) -> int:
        """The file's layout version: 0 for a file schemakit has not set up."""
        tables = conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schemakit_meta'"
        ).fetchone()
        if not tables or not tables[0]:
            return 0
        found = conn.execute(
            "SELECT value FROM schemakit_meta WHERE key = 'layout_version'"
        ).fetchone()
        return int(found[0]) if found else 0

    def _refuse_newer(self, current: int) -> None:
        if current > LAYOUT_VERSION:
            message = (
                f"registry file {self.location!r} has layout version {current}, written by a "
                f"newer schemakit; this release reads layouts up to {LAYOUT_VERSION}"
            )
            raise SchemakitError(message)

    def _check_layout(self, conn: duckdb.DuckDBPyConnection) -> None:
        """A read-only file: its layout must be this release's, since it cannot be migrated."""
        current = self._layout(conn)
        self._refuse_newer(current)
        if current < LAYOUT_VERSION:
            message = (
                f"registry file {self.location!r} has layout version {current}; this release "
                f"reads layout {LAYOUT_VERSION}, and a read-only registry cannot migrate it "
                f"({self.read_only_reason}): open it once where it is writable"
            )
            raise SchemakitError(message)

    def _migrate(self, conn: duckdb.DuckDBPyConnection) -> None:
        current = self._layout(conn)
        self._refuse_newer(current)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schemakit_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schemakit_migrations ("
            "version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
            "applied_at TIMESTAMP NOT NULL)"
        )
        for number in range(current + 1, LAYOUT_VERSION + 1):
            description, statements = MIGRATIONS[number - 1]
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schemakit_migrations VALUES (?, ?, ?)", [number, description, _now()]
            )
        if current != LAYOUT_VERSION:
            conn.execute(
                "INSERT OR REPLACE INTO schemakit_meta VALUES ('layout_version', ?)",
                [str(LAYOUT_VERSION)],
            )

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _rows(conn: duckdb.DuckDBPyConnection, subject: str) -> list[VersionRow]:
        return [_row(r) for r in conn.execute(_SELECT_SUBJECT, [subject]).fetchall()]

    @staticmethod
    def _setting(conn: duckdb.DuckDBPyConnection, kind: _Setting, scope: str) -> str | None:
        """The level or mode set for ``scope`` exactly, or ``None``."""
        found = conn.execute(_SELECT_SETTING[kind], [scope]).fetchone()
        return None if found is None else str(found[0])

    @staticmethod
    def _effective(conn: duckdb.DuckDBPyConnection, kind: _Setting, subject: str) -> str:
        """The subject's own level or mode, else the global one, else the default."""
        found = conn.execute(
            _SELECT_EFFECTIVE[kind], [subject, _GLOBAL_SCOPE, _GLOBAL_SCOPE]
        ).fetchone()
        default = _DEFAULTS[kind]
        return default if found is None else str(found[0])

    @staticmethod
    def _pick(
        rows: list[VersionRow], subject: str, version: int | None, *, deleted: bool
    ) -> VersionRow:
        visible = rows if deleted else [r for r in rows if not r.deleted]
        if not visible:
            raise _subject_not_found(subject)
        if version is None:
            return visible[-1]
        for row in visible:
            if row.version == version:
                return row
        raise _version_not_found(subject, version)

    # -- Backend -----------------------------------------------------------------------------

    def _refuse_readonly(self, conn: duckdb.DuckDBPyConnection, subject: str, what: str) -> str:
        if self.read_only:
            raise self._refused(what)
        mode = self._effective(conn, "mode", subject)
        if mode == "READONLY":
            message = f"subject {subject!r} is in READONLY mode: {what} is not permitted"
            raise OperationNotPermittedError(message)
        return mode

    @staticmethod
    def _insert_version(
        conn: duckdb.DuckDBPyConnection,
        subject: str,
        stored: Candidate,
        schema_id: int,
        version: int,
        *,
        new_schema: bool,
    ) -> VersionRow:
        now = _now()
        if new_schema:
            conn.execute(
                "INSERT INTO schemas VALUES (?, ?, ?, ?, ?, ?)",
                [
                    schema_id,
                    stored.schema_type,
                    stored.text,
                    stored.identity,
                    stored.normalized,
                    now,
                ],
            )
        conn.execute(
            "INSERT INTO subject_versions VALUES (?, ?, ?, FALSE, ?)",
            [subject, version, schema_id, now],
        )
        return VersionRow(
            subject=subject,
            version=version,
            schema_id=schema_id,
            schema_type=stored.schema_type,
            text=stored.text,
            identity=stored.identity,
            normalized=stored.normalized,
            deleted=False,
            registered_at=now.replace(tzinfo=UTC),
        )

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
        key = new.key(normalize=normalize)
        # Read-only, a schema the subject already has is still answered; anything else is refused.
        with self._session(write=not self.read_only) as conn:
            rows = self._rows(conn, subject)
            live = [r for r in rows if not r.deleted]
            # A schema the subject already has answers as it is, in every mode (nothing is
            # written), unless the id or version asked for differ: as Confluent's register.
            for row in reversed(live):
                if (row.normalized if normalize else row.identity) == key:
                    if schema_id in (None, row.schema_id) and version in (None, row.version):
                        return row, False
                    break
            mode = self._refuse_readonly(conn, subject, "registering a schema")
            if mode == "IMPORT":
                if schema_id is None:
                    message = (
                        f"subject {subject!r} is in IMPORT mode: a registration must give the "
                        "schema id to keep"
                    )
                    raise OperationNotPermittedError(message)
                return self._import(conn, subject, new, schema_id, version, normalize=normalize)
            if schema_id is not None:
                message = (
                    f"subject {subject!r} is in {mode} mode: a schema id can only be given in "
                    "IMPORT mode"
                )
                raise OperationNotPermittedError(message)
            next_version = max((r.version for r in rows), default=0) + 1
            if version is not None and version != next_version:
                message = (
                    f"version {version} is not one more than the latest version of subject "
                    f"{subject!r} ({next_version - 1}); outside IMPORT mode a version given "
                    "must be the next one"
                )
                raise SchemaParseError(message)
            check(live, self._effective(conn, "level", subject))
            column = "normalized" if normalize else "identity"
            found = conn.execute(_SELECT_ID_BY[column], [key]).fetchone()
            assert found is not None  # an aggregate always yields a row
            stored = new
            if found[0] is not None:
                number = int(found[0])
                if normalize:  # the stored text may differ from the one given
                    text = conn.execute(
                        "SELECT text, identity FROM schemas WHERE id = ?", [number]
                    ).fetchone()
                    assert text is not None
                    stored = Candidate(new.schema_type, text[0], text[1], new.normalized)
            else:
                number = int(found[1]) + 1
            created = self._insert_version(
                conn, subject, stored, number, next_version, new_schema=found[0] is None
            )
        return created, True

    def _import(
        self,
        conn: duckdb.DuckDBPyConnection,
        subject: str,
        new: Candidate,
        schema_id: int,
        version: int | None,
        *,
        normalize: bool,
    ) -> tuple[VersionRow, bool]:
        """An IMPORT-mode registration: keep the id (and version) given; no compat check."""
        key = new.key(normalize=normalize)
        column = "normalized" if normalize else "identity"
        bound = conn.execute(
            "SELECT schema_type, text, identity, normalized FROM schemas WHERE id = ?",
            [schema_id],
        ).fetchone()
        stored = new
        if bound is not None:
            if (bound[3] if normalize else bound[2]) != key:
                message = (
                    f"schema id {schema_id} is already bound to another schema; subject "
                    f"{subject!r} cannot import a different schema under it"
                )
                raise SchemaIdConflictError(message)
            stored = Candidate(bound[0], bound[1], bound[2], bound[3])
        else:
            other = conn.execute(
                f"SELECT min(id) FROM schemas WHERE {column} = ? OR identity = ?",
                [key, new.identity],
            ).fetchone()
            if other is not None and other[0] is not None:
                message = (
                    f"this schema already has id {int(other[0])} in the registry; subject "
                    f"{subject!r} cannot import it with id {schema_id}"
                )
                raise SchemaIdConflictError(message)
        rows = self._rows(conn, subject)
        for row in rows:
            if not row.deleted and (row.normalized if normalize else row.identity) == key:
                if row.schema_id == schema_id and version in (None, row.version):
                    return row, False
                message = (
                    f"subject {subject!r} already has this schema as version {row.version} "
                    f"with id {row.schema_id}; cannot import it as id {schema_id}"
                    + ("" if version is None else f", version {version}")
                )
                raise SchemaIdConflictError(message)
        if version is None:
            version = max((r.version for r in rows), default=0) + 1
        else:
            taken = [r for r in rows if r.version == version]
            if taken:
                message = (
                    f"subject {subject!r} already has a version {version} (schema id "
                    f"{taken[0].schema_id}); cannot import schema id {schema_id} as that version"
                )
                raise SchemaIdConflictError(message)
        created = self._insert_version(
            conn, subject, stored, schema_id, version, new_schema=bound is None
        )
        return created, True

    def subjects_of_schema(self, schema_id: int, *, deleted: bool) -> list[tuple[str, int]]:
        with self._session(write=False) as conn:
            found = conn.execute(_SELECT_USERS, [schema_id]).fetchall()
        if not found:
            message = f"no schema has id {schema_id}"
            raise SchemaNotFoundError(message, schema_id=schema_id)
        return [(str(s), int(v)) for s, v, gone in found if deleted or not gone]

    def schema_by_id(self, schema_id: int) -> SchemaRow:
        with self._session(write=False) as conn:
            found = conn.execute(_SELECT_SCHEMA, [schema_id]).fetchone()
        if found is None:
            message = f"no schema has id {schema_id}"
            raise SchemaNotFoundError(message, schema_id=schema_id)
        return SchemaRow(int(found[0]), found[1], found[2])

    def version(self, subject: str, version: int | None, *, deleted: bool) -> VersionRow:
        with self._session(write=False) as conn:
            rows = self._rows(conn, subject)
        return self._pick(rows, subject, version, deleted=deleted)

    def version_rows(self, subject: str, *, deleted: bool) -> list[VersionRow]:
        with self._session(write=False) as conn:
            rows = self._rows(conn, subject)
        visible = rows if deleted else [r for r in rows if not r.deleted]
        if not visible:
            raise _subject_not_found(subject)
        return visible

    def subjects(self, *, deleted: bool) -> list[str]:
        with self._session(write=False) as conn:
            found = conn.execute(_SELECT_SUBJECTS[deleted]).fetchall()
        return [str(r[0]) for r in found]

    def lookup(self, subject: str, new: Candidate, *, normalize: bool, deleted: bool) -> VersionRow:
        key = new.key(normalize=normalize)
        with self._session(write=False) as conn:
            rows = self._rows(conn, subject)
        visible = rows if deleted else [r for r in rows if not r.deleted]
        if not visible:
            raise _subject_not_found(subject)
        for row in reversed(visible):
            if (row.normalized if normalize else row.identity) == key:
                return row
        message = f"schema not found under subject {subject!r}"
        raise SchemaNotFoundError(message, subject=subject)

    def level(self, subject: str | None, *, fallback: bool) -> str | None:
        with self._session(write=False) as conn:
            if fallback:
                if subject is None:
                    return self._setting(conn, "level", _GLOBAL_SCOPE) or DEFAULT_LEVEL
                return self._effective(conn, "level", subject)
            return self._setting(conn, "level", _GLOBAL_SCOPE if subject is None else subject)

    def set_level(self, level: str, subject: str | None) -> None:
        with self._session(write=True, action="setting a compatibility level") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO config VALUES (?, ?)",
                [_GLOBAL_SCOPE if subject is None else subject, level],
            )

    def delete_level(self, subject: str | None) -> str:
        scope = _GLOBAL_SCOPE if subject is None else subject
        with self._session(write=True, action="deleting a compatibility level") as conn:
            previous = self._setting(conn, "level", scope)
            if previous is None:
                if subject is None:
                    return DEFAULT_LEVEL
                message = f"subject {subject!r} has no compatibility level of its own"
                raise SubjectNotFoundError(message, subject=subject)
            conn.execute("DELETE FROM config WHERE scope = ?", [scope])
        return previous

    def mode(self, subject: str | None, *, fallback: bool) -> str | None:
        with self._session(write=False) as conn:
            if fallback:
                if subject is None:
                    return self._setting(conn, "mode", _GLOBAL_SCOPE) or DEFAULT_MODE
                return self._effective(conn, "mode", subject)
            return self._setting(conn, "mode", _GLOBAL_SCOPE if subject is None else subject)

    def set_mode(self, mode: str, subject: str | None, *, force: bool) -> None:
        scope = _GLOBAL_SCOPE if subject is None else subject
        with self._session(write=True, action="setting a mode") as conn:
            current = (
                self._setting(conn, "mode", _GLOBAL_SCOPE) or DEFAULT_MODE
                if subject is None
                else self._effective(conn, "mode", subject)
            )
            if mode == "IMPORT" and current != "IMPORT" and not force:
                # Live versions only, as Confluent ("Cannot import since found existing
                # subjects"); soft-deleted ones do not block.
                if subject is None:
                    found = conn.execute(
                        "SELECT count(*) FROM subject_versions WHERE NOT deleted"
                    ).fetchone()
                else:
                    found = conn.execute(
                        "SELECT count(*) FROM subject_versions WHERE subject = ? AND NOT deleted",
                        [subject],
                    ).fetchone()
                if found is not None and int(found[0]) > 0:
                    where = "the registry" if subject is None else f"subject {subject!r}"
                    message = (
                        f"cannot switch {where} to IMPORT mode: found existing subjects "
                        f"({int(found[0])} live versions); force it to import anyway"
                    )
                    raise OperationNotPermittedError(message)
            conn.execute("INSERT OR REPLACE INTO modes VALUES (?, ?)", [scope, mode])

    def delete_mode(self, subject: str | None) -> str:
        scope = _GLOBAL_SCOPE if subject is None else subject
        with self._session(write=True, action="deleting a mode") as conn:
            previous = self._setting(conn, "mode", scope)
            if previous is None:
                if subject is None:
                    return DEFAULT_MODE
                raise ModeNotConfiguredError(f"subject {subject!r} has no mode of its own")
            conn.execute("DELETE FROM modes WHERE scope = ?", [scope])
        return previous

    def delete_version(self, subject: str, version: int | None, *, permanent: bool) -> VersionRow:
        with self._session(write=True, action="deleting a version") as conn:
            self._refuse_readonly(conn, subject, "deleting a version")
            rows = self._rows(conn, subject)
            if not rows or (not permanent and all(r.deleted for r in rows)):
                raise _subject_not_found(subject)
            if permanent:
                # "latest" is the newest version, soft-deleted or not.
                row = self._pick(rows, subject, version, deleted=True)
                if not row.deleted:
                    message = (
                        f"version {row.version} of subject {subject!r} must be soft-deleted "
                        "before it is deleted permanently"
                    )
                    raise VersionNotSoftDeletedError(message, subject=subject, version=row.version)
                conn.execute(
                    "DELETE FROM subject_versions WHERE subject = ? AND version = ?",
                    [subject, row.version],
                )
                return row
            if version is None:
                row = self._pick(rows, subject, None, deleted=False)
            else:
                row = self._pick(rows, subject, version, deleted=True)
                if row.deleted:
                    message = f"version {version} of subject {subject!r} is already soft-deleted"
                    raise VersionSoftDeletedError(message, subject=subject, version=version)
            conn.execute(
                "UPDATE subject_versions SET deleted = TRUE WHERE subject = ? AND version = ?",
                [subject, row.version],
            )
            return row

    def delete_subject(self, subject: str, *, permanent: bool) -> list[VersionRow]:
        with self._session(write=True, action="deleting a subject") as conn:
            self._refuse_readonly(conn, subject, "deleting a subject")
            rows = self._rows(conn, subject)
            if not rows:
                raise _subject_not_found(subject)
            live = [r for r in rows if not r.deleted]
            if permanent:
                if live:
                    message = (
                        f"subject {subject!r} must be soft-deleted before it is deleted "
                        f"permanently (live versions: {[r.version for r in live]})"
                    )
                    raise SubjectNotSoftDeletedError(message, subject=subject)
                conn.execute("DELETE FROM subject_versions WHERE subject = ?", [subject])
                conn.execute("DELETE FROM config WHERE scope = ?", [subject])
                conn.execute("DELETE FROM modes WHERE scope = ?", [subject])
                return rows
            if not live:
                message = f"subject {subject!r} is already soft-deleted"
                raise SubjectSoftDeletedError(message, subject=subject)
            conn.execute(
                "UPDATE subject_versions SET deleted = TRUE WHERE subject = ? AND NOT deleted",
                [subject],
            )
            return live

    def summary(self) -> list[SubjectSummary]:
        with self._session(write=False) as conn:
            found = conn.execute(_SELECT_SUMMARY).fetchall()
        return [
            SubjectSummary(
                subject=str(r[0]),
                versions=int(r[1]),
                deleted_versions=int(r[2]),
                latest=None if r[3] is None else int(r[3]),
                level=None if r[4] is None else str(r[4]),
            )
            for r in found
        ]

    def _attempt(self, problems: list[str], what: str, read: Callable[[], _T]) -> _T | None:
        """``read()``; a DuckDB error becomes the problem ``what: <the error the API raises>``."""
        try:
            return read()
        except duckdb.Error as exc:
            problems.append(f"{what}: {self._store_error(exc)}")
            return None

    def _scans(self, conn: duckdb.DuckDBPyConnection, problems: list[str]) -> _Scanned:
        """Each table by a plain scan; ``None`` for a table that cannot be read."""
        return {
            table: self._attempt(
                problems,
                f"the {table} table cannot be read",
                partial(_fetch_all, conn, query),
            )
            for table, query in _SCANS.items()
        }

    def check_integrity(self) -> IntegrityFindings:
        if self._closed:
            raise SchemakitError(f"registry {self.location!r} is closed")
        try:
            with self._session(write=False) as conn:
                return self._check(conn)
        except RegistryBusyError:
            raise
        except (SchemakitError, duckdb.Error) as exc:
            # The file no longer opens (its header or catalog is damaged): that is the finding.
            error = self._store_error(exc) if isinstance(exc, duckdb.Error) else exc
            return IntegrityFindings(0, 0, 0, 0, (f"the registry cannot be opened: {error}",))

    def _check(self, conn: duckdb.DuckDBPyConnection) -> IntegrityFindings:
        """The invariants of what the plain scans read, then every lookup the API makes."""
        problems: list[str] = []
        attempt = partial(self._attempt, problems)
        layout = 0
        meta = attempt(
            "the layout version cannot be read",
            partial(_fetch_all, conn, _SELECT_LAYOUT),
        )
        if meta is not None:
            text = str(meta[0][0]) if meta else "0"
            layout = int(text) if text.isdigit() else -1
            if layout != LAYOUT_VERSION:
                problems.append(f"layout version is {text}, expected {LAYOUT_VERSION}")
        applied = attempt(
            "the migrations cannot be read",
            partial(_fetch_all, conn, "SELECT version FROM schemakit_migrations ORDER BY version"),
        )
        if meta is not None and applied is not None:
            numbers = [int(r[0]) for r in applied]
            if numbers != list(range(1, layout + 1)):
                problems.append(f"migrations applied {numbers}, expected 1..{layout} in order")
        scanned = self._scans(conn, problems)
        schemas, versions = scanned["schemas"], scanned["subject_versions"]
        if schemas is not None:
            problems.extend(_schema_problems(schemas))
        if versions is not None:
            problems.extend(_version_problems(versions, schemas))
        for kind, table, allowed_values in (
            ("compatibility level", "config", allowed(CompatibilityLevel)),
            ("mode", "modes", allowed(Mode)),
        ):
            for scope, value in scanned[table] or ():
                if value not in allowed_values:
                    noun = kind.split()[-1]
                    where = f"the global {noun}" if scope == _GLOBAL_SCOPE else f"subject {scope!r}"
                    problems.append(f"{where} has unknown {kind} {value!r}")
        subjects = _Lookups(self, conn, scanned, problems).run()
        return IntegrityFindings(
            layout_version=layout,
            schemas=len(schemas or ()),
            subjects=subjects,
            versions=len(versions or ()),
            problems=tuple(problems),
        )

    def scan(self) -> StoreScan:
        problems: list[str] = []
        with self._session(write=False) as conn:
            scanned = self._scans(conn, problems)
        schemas = {int(r[0]): r for r in scanned["schemas"] or ()}
        rows: list[VersionRow] = []
        for subject, version, schema_id, deleted, at in scanned["subject_versions"] or ():
            schema = schemas.get(int(schema_id))
            if schema is None:
                why = "is missing" if scanned["schemas"] is not None else "could not be read"
                problems.append(
                    f"subject {subject!r} version {version}: its schema (id {schema_id}) {why}"
                )
                continue
            _, schema_type, text, identity, normalized = schema
            values = (subject, version, schema_id, schema_type, text, identity, normalized)
            rows.append(_row((*values, deleted, at)))
        return StoreScan(
            versions=tuple(rows),
            levels=_settings(scanned["config"], DEFAULT_LEVEL),
            modes=_settings(scanned["modes"], DEFAULT_MODE),
            problems=tuple(problems),
        )

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: for tests that assert "nothing was written"."""
        with self._session(write=False) as conn:
            tables = [
                str(r[0])
                for r in conn.execute(
                    "SELECT table_name FROM duckdb_tables() ORDER BY table_name"
                ).fetchall()
            ]
            return {
                # Table names come from the catalog, not from a caller.
                t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables
            }

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in (self._conn, self._host):
                if conn is not None:
                    conn.close()
            self._conn = self._host = None


_T = TypeVar("_T")
#: What the plain scans read, by table; ``None`` for a table that could not be read.
_Scanned = dict[str, list[tuple[Any, ...]] | None]


def _fetch_all(
    conn: duckdb.DuckDBPyConnection, query: str, parameters: Sequence[object] = ()
) -> list[tuple[Any, ...]]:
    return conn.execute(query, list(parameters)).fetchall()


def _settings(
    rows: Sequence[tuple[Any, ...]] | None, default: str
) -> tuple[tuple[str | None, str], ...]:
    """Scanned scope rows as ``(subject, value)``: the global one first (``None``), effective."""
    if rows is None:
        return ()
    own = [(str(scope), str(value)) for scope, value in rows if scope != _GLOBAL_SCOPE]
    global_value = next((str(v) for scope, v in rows if scope == _GLOBAL_SCOPE), default)
    return ((None, global_value), *own)


class _Lookups:
    """The second half of check_integrity: every lookup the API makes, run for every subject,
    schema id, digest and scope the plain scans found, and compared with what they found.

    Each lookup runs the query the API method runs (the ``_SELECT_*`` constants), so a broken
    index shows here as it would there; a failure becomes a problem that names the subject or id
    and carries the very error the API call raises.
    """

    def __init__(
        self,
        store: DuckDBStore,
        conn: duckdb.DuckDBPyConnection,
        scanned: _Scanned,
        problems: list[str],
    ) -> None:
        self._conn = conn
        self._problems = problems
        self._attempt = partial(store._attempt, problems)
        self._schemas = scanned["schemas"]
        self._versions = scanned["subject_versions"]
        self._scopes = {"level": scanned["config"], "mode": scanned["modes"]}

    def _read(self, what: str, query: str, *parameters: object) -> list[tuple[Any, ...]] | None:
        return self._attempt(what, partial(_fetch_all, self._conn, query, parameters))

    def run(self) -> int:
        """Run every lookup; the number of subjects found."""
        by_subject: dict[str, list[tuple[int, int, bool]]] | None = None
        if self._versions is not None:
            by_subject = {}
            for subject, version, schema_id, deleted, _ in self._versions:
                by_subject.setdefault(str(subject), []).append(
                    (int(version), int(schema_id), bool(deleted))
                )
        names = self._subjects(by_subject)
        for subject in names:
            self._subject(subject, None if by_subject is None else by_subject[subject])
        self._scoped()
        self._ids()
        self._digests()
        self._read("the subjects table of _repr_html_() cannot be read", _SELECT_SUMMARY)
        return len(names)

    def _subjects(self, by_subject: dict[str, list[tuple[int, int, bool]]] | None) -> list[str]:
        listed = self._read("subjects(deleted=True) fails", _SELECT_SUBJECTS[True])
        self._read("subjects() fails", _SELECT_SUBJECTS[False])
        names = None if listed is None else [str(r[0]) for r in listed]
        if by_subject is None:
            return names or []
        if names is not None and names != sorted(by_subject):
            self._problems.append(
                f"subjects() lists {len(names)} subjects, the subject_versions table holds "
                f"{len(by_subject)}"
            )
        return sorted(by_subject)

    def _subject(self, subject: str, expected: list[tuple[int, int, bool]] | None) -> None:
        where = f"subject {subject!r}"
        rows = self._attempt(
            f"{where}: versions(), get_version(), lookup(), history() and register() fail",
            partial(DuckDBStore._rows, self._conn, subject),
        )
        if rows is not None and expected is not None and self._schemas is not None:
            ids = {int(r[0]) for r in self._schemas}
            want = [e for e in expected if e[1] in ids]  # a dangling one is reported already
            got = [(r.version, r.schema_id, r.deleted) for r in rows]
            if got != want:
                self._problems.append(
                    f"{where}: versions() reads (version, id, deleted) {got}, the "
                    f"subject_versions table holds {want}"
                )
        for kind, call in (("level", "compatibility()"), ("mode", "mode()")):
            found = self._read(
                f"{where}: {call} cannot read its {kind}",
                _SELECT_EFFECTIVE[kind],
                subject,
                _GLOBAL_SCOPE,
                _GLOBAL_SCOPE,
            )
            scopes = self._scopes[kind]
            if found is None or scopes is None:
                continue
            own = {str(s): str(v) for s, v in scopes}
            want_value = own.get(subject, own.get(_GLOBAL_SCOPE))
            got_value = str(found[0][0]) if found else None
            if got_value != want_value:
                self._problems.append(
                    f"{where}: {call} reads the {kind} {got_value!r}, the table holds "
                    f"{want_value!r}"
                )

    def _scoped(self) -> None:
        for kind, call in (("level", "compatibility()"), ("mode", "mode()")):
            scopes = self._scopes[kind]
            own = {} if scopes is None else {str(s): str(v) for s, v in scopes}
            for scope in sorted({_GLOBAL_SCOPE, *own}):
                where = f"the global {kind}" if scope == _GLOBAL_SCOPE else f"subject {scope!r}"
                found = self._read(
                    f"{where}: {call} cannot read its own {kind}", _SELECT_SETTING[kind], scope
                )
                if found is None or scopes is None:
                    continue
                got = str(found[0][0]) if found else None
                if got != own.get(scope):
                    self._problems.append(
                        f"{where}: {call} reads the {kind} {got!r}, the table holds "
                        f"{own.get(scope)!r}"
                    )

    def _ids(self) -> None:
        texts = {int(r[0]): (str(r[1]), str(r[2])) for r in self._schemas or ()}
        users: dict[int, list[tuple[str, int, bool]]] = {}
        for subject, version, schema_id, deleted, _ in self._versions or ():
            users.setdefault(int(schema_id), []).append((str(subject), int(version), bool(deleted)))
        complete = self._schemas is not None and self._versions is not None
        for schema_id in sorted(set(texts) | set(users)):
            where = f"schema id {schema_id}"
            found = self._read(f"{where}: get_by_id() fails", _SELECT_SCHEMA, schema_id)
            if found is not None and complete:
                got = [(int(i), str(t), str(x)) for i, t, x in found]
                resolves = schema_id in users and schema_id in texts
                want = [(schema_id, *texts[schema_id])] if resolves else []
                if got != want:
                    what = "finds nothing" if not got else "answers what the table does not hold"
                    self._problems.append(f"{where}: get_by_id() {what}")
            listed = self._read(f"{where}: schema_versions() fails", _SELECT_USERS, schema_id)
            if listed is not None and self._versions is not None:
                got_users = [(str(s), int(v), bool(d)) for s, v, d in listed]
                if got_users != sorted(users.get(schema_id, [])):
                    self._problems.append(
                        f"{where}: schema_versions() reads {got_users}, the subject_versions "
                        f"table holds {sorted(users.get(schema_id, []))}"
                    )

    def _digests(self) -> None:
        """register()'s search of a schema by its digests, for every schema."""
        for column, index in (("identity", 3), ("normalized", 4)):
            first: dict[str, int] = {}
            for row in self._schemas or ():
                key, schema_id = str(row[index]), int(row[0])
                first[key] = min(first.get(key, schema_id), schema_id)
            for row in self._schemas or ():
                where = f"schema id {row[0]}"
                found = self._read(
                    f"{where}: register() cannot search the schemas by {column}",
                    _SELECT_ID_BY[column],
                    row[index],
                )
                if found is not None and found[0][0] != first[str(row[index])]:
                    self._problems.append(
                        f"{where}: register() finds id {found[0][0]} by its {column}, the "
                        f"schemas table {first[str(row[index])]}"
                    )


def _schema_problems(schemas: Sequence[Sequence[Any]]) -> Iterator[str]:
    seen_ids: set[int] = set()
    seen_identities: dict[str, int] = {}
    for schema_id, schema_type, text, identity, normalized in schemas:
        if schema_id in seen_ids or schema_id < 1:
            yield f"schema id {schema_id} is duplicated or not positive"
        seen_ids.add(schema_id)
        if identity in seen_identities:
            yield f"schemas {seen_identities[identity]} and {schema_id} are the same schema"
        seen_identities[identity] = schema_id
        try:
            parsed = candidate(Schema.parse(text, schema_type=schema_type))
        except (SchemakitError, ValueError, TypeError) as exc:
            yield f"schema id {schema_id} does not parse: {exc}"
            continue
        if (parsed.identity, parsed.normalized) != (identity, normalized):
            yield f"schema id {schema_id}: stored identity digests do not match its text"


def _version_problems(
    versions: Sequence[Sequence[Any]], schemas: Sequence[Sequence[Any]] | None
) -> Iterator[str]:
    """The versions' own invariants; with the schemas (when readable) their references too."""
    identities = None if schemas is None else {int(r[0]): str(r[3]) for r in schemas}
    seen: set[tuple[str, int]] = set()
    live: dict[tuple[str, str], int] = {}
    for subject, version, schema_id, deleted, _ in versions:
        where = f"subject {subject!r} version {version}"
        reason = subject_problem(subject)
        if reason:
            yield f"{where}: invalid subject name ({reason})"
        if version < 1:
            yield f"{where}: versions start at 1"
        if (subject, version) in seen:
            yield f"{where} appears twice"
        seen.add((subject, version))
        if identities is None:
            continue
        identity = identities.get(schema_id)
        if identity is None:
            yield f"{where} refers to schema id {schema_id}, which does not exist"
            continue
        if not deleted:
            if (subject, identity) in live:
                first = live[subject, identity]
                yield f"{where} repeats the schema of live version {first}"
            else:
                live[subject, identity] = version
