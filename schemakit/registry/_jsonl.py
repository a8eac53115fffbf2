"""A registry as JSON lines: the format of ``Registry.export_jsonl`` and ``import_jsonl``.

One JSON object per line, UTF-8; the first line names the format, every other one is a
version, a compatibility level or a mode (the table :data:`FIELDS` lists each kind's fields):

.. code-block:: text

    {"kind": "schemakit-registry", "format": 1}
    {"kind": "version", "subject": "orders-value", "version": 1, "id": 1, "schemaType": "AVRO",
     "schema": "{\\"type\\":\\"long\\"}", "references": [], "deleted": false}
    {"kind": "config", "subject": null, "compatibility": "BACKWARD"}
    {"kind": "mode", "subject": null, "mode": "READWRITE"}

(each object on one line). ``subject`` is ``null`` for the global level and mode. The fields of a
version line other than ``kind``, ``subject`` and ``deleted`` are the body of Confluent's
``POST /subjects/{subject}/versions`` in IMPORT mode; a config line's ``compatibility`` is the
body of ``PUT /config/{subject}``, a mode line's ``mode`` that of ``PUT /mode/{subject}``.

This module reads and writes lines and checks their JSON shape, naming the line; what the
values mean (a valid subject, level, schema) is checked by the registry that imports them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Final, NamedTuple

from schemakit import _html
from schemakit.errors import SchemaParseError
from schemakit.registry._backend import VersionRow

__all__ = [
    "FIELDS",
    "FORMAT",
    "KIND",
    "MAX_LINE_CHARS",
    "ExportReport",
    "ImportReport",
    "SettingLine",
    "Source",
    "Target",
    "VersionLine",
    "header_line",
    "lines_of",
    "read",
    "setting_line",
    "version_line",
    "writer",
]

#: The ``kind`` of the first line, and the format version it carries.
KIND: Final = "schemakit-registry"
FORMAT: Final = 1
#: The longest line read (characters): a schema is at most this long, escapes included, so a
#: file without newlines (``/dev/zero``) is refused instead of read into memory.
MAX_LINE_CHARS: Final = 32 * 2**20

#: Where an export is written: a path (written to a temporary file beside it, then renamed
#: over it) or an open text file.
Target = str | os.PathLike[str] | IO[str]
#: Where an import is read from: a path, or an open text or binary file.
Source = str | os.PathLike[str] | IO[str] | IO[bytes]

_JSON_INT = "an integer"
#: Each line kind's fields: name -> (required, JSON types accepted, what the types are called).
FIELDS: Final[dict[str, dict[str, tuple[bool, tuple[type, ...], str]]]] = {
    KIND: {"format": (True, (int,), _JSON_INT)},
    "version": {
        "subject": (True, (str,), "a string"),
        "version": (True, (int,), _JSON_INT),
        "id": (True, (int,), _JSON_INT),
        "schema": (True, (str,), "a string (the schema text)"),
        "schemaType": (False, (str,), "a string"),
        "references": (False, (list,), "a list"),
        "deleted": (False, (bool,), "true or false"),
    },
    "config": {
        "subject": (True, (str, type(None)), "a string or null"),
        "compatibility": (True, (str,), "a string"),
    },
    "mode": {
        "subject": (True, (str, type(None)), "a string or null"),
        "mode": (True, (str,), "a string"),
    },
}


class VersionLine(NamedTuple):
    """A version line, shape-checked: ``line`` is its 1-based line number."""

    line: int
    subject: str
    version: int
    id: int
    schema_type: str
    schema: str
    deleted: bool


class SettingLine(NamedTuple):
    """A config or mode line: ``kind`` is ``"config"`` or ``"mode"``; ``subject`` ``None`` is
    the global one."""

    line: int
    kind: str
    subject: str | None
    value: str


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


def header_line() -> str:
    """The first line of every export."""
    return _dump({"kind": KIND, "format": FORMAT})


def version_line(row: VersionRow) -> str:
    """The line of one version (soft-deleted or not)."""
    return _dump(
        {
            "kind": "version",
            "subject": row.subject,
            "version": row.version,
            "id": row.schema_id,
            "schemaType": row.schema_type,
            "schema": row.text,
            "references": [],
            "deleted": row.deleted,
        }
    )


def setting_line(kind: str, subject: str | None, value: str) -> str:
    """The line of a compatibility level (``kind="config"``) or a mode (``kind="mode"``)."""
    field = "compatibility" if kind == "config" else "mode"
    return _dump({"kind": kind, "subject": subject, field: value})


@contextlib.contextmanager
def writer(target: Target) -> Iterator[Callable[[str], object]]:
    """A function that writes one line to ``target``.

    A path is written to a temporary file in its folder, renamed over it when the block ends
    without an error (so an export never leaves half a file where a good one was); an open file
    is written as it is, and left open.
    """
    if not isinstance(target, str | os.PathLike):
        yield lambda text: target.write(text + "\n")
        return
    path = os.fspath(target)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".export-", suffix=".jsonl", dir=folder)
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield lambda text: handle.write(text + "\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _where(name: str, number: int) -> str:
    return f"{name}, line {number}"


def lines_of(source: Source, name: str) -> Iterator[tuple[int, str]]:
    """``(number, text)`` of each line of ``source``, each at most :data:`MAX_LINE_CHARS` long.

    Bytes are decoded as UTF-8. A path is opened and closed here; an open file is left open.
    """
    if isinstance(source, str | os.PathLike):
        try:
            handle: IO[Any] = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            message = f"cannot read {name}: {exc.strerror or exc}"
            raise SchemaParseError(message) from exc
        with handle:
            yield from lines_of(handle, name)
        return
    number = 0
    while True:
        number += 1
        try:
            chunk = source.readline(MAX_LINE_CHARS + 1)
        except (OSError, UnicodeDecodeError) as exc:
            raise SchemaParseError(f"{_where(name, number)}: cannot be read: {exc}") from exc
        if not chunk:
            return
        if len(chunk) > MAX_LINE_CHARS:
            message = f"{_where(name, number)} is longer than {MAX_LINE_CHARS:,} characters"
            raise SchemaParseError(message)
        if isinstance(chunk, bytes):
            try:
                chunk = chunk.decode("utf-8")
            except UnicodeDecodeError as exc:
                message = f"{_where(name, number)} is not UTF-8 ({exc.reason} at byte {exc.start})"
                raise SchemaParseError(message) from exc
        yield number, chunk


def _object(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SchemaParseError(f"{where} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SchemaParseError(f"{where} is not a JSON object")
    kind = data.get("kind")
    if kind not in FIELDS:
        known = ", ".join(repr(k) for k in FIELDS)
        raise SchemaParseError(f"{where}: unknown kind {kind!r}; expected one of {known}")
    fields = FIELDS[kind]
    unknown = sorted(set(data) - set(fields) - {"kind"})
    if unknown:
        raise SchemaParseError(f"{where}: unknown fields {unknown} in a {kind!r} line")
    for field, (required, types, called) in fields.items():
        if field not in data:
            if required:
                raise SchemaParseError(f"{where}: a {kind!r} line needs {field!r}")
            continue
        value = data[field]
        # bool is an int in Python, never in these fields' JSON.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            message = f"{where}: {field!r} must be {called}, not {json.dumps(value)[:80]}"
            raise SchemaParseError(message)
    return data


def read(source: Source, name: str) -> Iterator[VersionLine | SettingLine]:
    """Every version and setting line of an export, shape-checked, in file order.

    Raises
    ------
    SchemaParseError
        A line that is not a JSON object of a known kind with the fields of that kind, a
        missing or unknown header, references (not supported yet), or a file that cannot be
        read; the message names the line.
    """
    header = False
    for number, text in lines_of(source, name):
        if not text.strip():
            continue
        where = _where(name, number)
        data = _object(text, where)
        kind = data["kind"]
        if not header:
            if kind != KIND:
                message = f"{where}: not a schemakit registry export (no {KIND!r} first line)"
                raise SchemaParseError(message)
            if data["format"] != FORMAT:
                message = f"{where}: format {data['format']} is not known (this release: {FORMAT})"
                raise SchemaParseError(message)
            header = True
            continue
        if kind == KIND:
            raise SchemaParseError(f"{where}: a second {KIND!r} line")
        if kind == "version":
            if data.get("references"):
                message = f"{where}: schema references are not supported by this release"
                raise SchemaParseError(message)
            yield VersionLine(
                line=number,
                subject=data["subject"],
                version=data["version"],
                id=data["id"],
                schema_type=data.get("schemaType", "AVRO"),
                schema=data["schema"],
                deleted=data.get("deleted", False),
            )
        else:
            field = "compatibility" if kind == "config" else "mode"
            yield SettingLine(number, kind, data["subject"], data[field])
    if not header:
        raise SchemaParseError(f"{name} is empty: not a schemakit registry export")


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What :meth:`Registry.export_jsonl` wrote, and what it could not read. True when complete.

    Attributes
    ----------
    location : str
        The registry exported.
    versions, schemas, settings : int
        Version lines written (soft-deleted included), distinct schema ids among them, and
        level and mode lines.
    problems : tuple of str
        What could not be read and so is not in the file, naming table, subject, version, id.
    """

    location: str
    versions: int
    schemas: int
    settings: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether everything stored was exported."""
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        state = "complete" if self.ok else f"{len(self.problems)} problems"
        return (
            f"ExportReport({state}: {self.versions} versions, {self.schemas} schemas, "
            f"{self.settings} settings from {self.location})"
        )

    def _repr_html_(self) -> str:
        rows = [(p,) for p in self.problems] or [("everything was exported",)]
        return _html.table(("could not be read",), rows, caption=repr(self))


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What :meth:`Registry.import_jsonl` did.

    Attributes
    ----------
    location : str
        The registry imported into.
    versions : int
        Version lines in the file.
    written : int
        Versions registered (with their ids and versions kept).
    present : int
        Versions the registry already had, same id: left as they were (an import is
        idempotent).
    deleted : int
        Soft deletes applied (to versions written, or present but still live).
    settings : int
        Levels and modes changed to the file's.
    """

    location: str
    versions: int
    written: int
    present: int
    deleted: int
    settings: int

    def __repr__(self) -> str:
        return (
            f"ImportReport({self.versions} versions into {self.location}: {self.written} "
            f"written, {self.present} present, {self.deleted} soft-deleted, {self.settings} "
            "settings changed)"
        )

    def _repr_html_(self) -> str:
        columns = ("versions", "written", "present", "soft-deleted", "settings changed")
        row = (self.versions, self.written, self.present, self.deleted, self.settings)
        return _html.table(columns, [row], caption=f"Import into {self.location}")
