"""Schema-aware producing and consuming of whole tables: ``encode``, ``decode``, and the
single-record ``Serializer`` / ``Deserializer``.

``encode`` turns DataFrame or Arrow rows into Confluent wire-format records
(``0x00 | schema id, 4 bytes big-endian | Avro body``) with the schema registered (or looked up)
in a :class:`~schemakit.registry.Registry`; ``decode`` reads such records back, each with the
writer schema its id names, resolved to one reader schema. The batch work is done by
:mod:`schemakit.codec`, columnar over Arrow buffers.

Subject names follow Confluent's strategies (``subject.name.strategy`` of its serializers):

===================  =============================================  =========================
strategy             subject                                        Confluent class
===================  =============================================  =========================
``"topic"``          ``<topic>-value`` (``<topic>-key`` if key)     TopicNameStrategy
``"record"``         the record's fullname                          RecordNameStrategy
``"topic_record"``   ``<topic>-<record fullname>``                  TopicRecordNameStrategy
===================  =============================================  =========================
"""

from __future__ import annotations

import functools
import io
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pyarrow as pa

from schemakit._names import sanitize_name
from schemakit._typing import allowed, check_option
from schemakit.errors import DecodeError, SchemakitError, SchemaNotFoundError
from schemakit.registry import Registry
from schemakit.schema import Schema

if TYPE_CHECKING:
    import pandas as pd

    from schemakit.registry import RegisteredSchema

__all__ = [
    "DECODE_ERRORS",
    "Deserializer",
    "Serializer",
    "SubjectNameStrategy",
    "decode",
    "encode",
    "subject_name",
]

SubjectNameStrategy = Literal["topic", "record", "topic_record"]

_HEADER = struct.Struct(">bI")
_SCHEMA_ID = struct.Struct(">I")


def subject_name(
    *,
    topic: str | None = None,
    schema: Schema | None = None,
    key: bool = False,
    strategy: SubjectNameStrategy = "topic",
) -> str:
    """The subject Confluent's serializers would use for ``topic`` and ``schema``.

    Parameters
    ----------
    topic : str, optional
        The Kafka topic; needed by the ``"topic"`` and ``"topic_record"`` strategies.
    schema : Schema, optional
        The record schema; needed by the ``"record"`` and ``"topic_record"`` strategies.
    key : bool, default False
        The key's subject (``<topic>-key``) rather than the value's.
    strategy : {"topic", "record", "topic_record"}
        Confluent's TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy.

    Raises
    ------
    ValueError
        An unknown strategy, or one missing the topic or a record schema it needs.

    Examples
    --------
    >>> subject_name(topic="flights")
    'flights-value'
    >>> subject_name(topic="flights", key=True)
    'flights-key'
    """
    checked = check_option("strategy", strategy, allowed(SubjectNameStrategy))
    if checked in ("topic", "topic_record") and not topic:
        raise ValueError(f"the {checked!r} subject name strategy needs a topic")
    if checked == "topic":
        return f"{topic}-{'key' if key else 'value'}"
    record = _record_fullname(schema)
    if record is None:
        raise ValueError(f"the {checked!r} subject name strategy needs a record schema")
    return record if checked == "record" else f"{topic}-{record}"


def _record_fullname(schema: Schema | None) -> str | None:
    if schema is None or schema.schema_type != "AVRO":
        return None
    doc = schema.to_dict()
    if not isinstance(doc, dict) or doc.get("type") not in ("record", "error"):
        return None
    return cast(str, schema._parsed["name"])


def _resolve_subject(
    subject: str | None,
    topic: str | None,
    schema: Schema | None,
    key: bool,
    strategy: SubjectNameStrategy,
) -> str:
    if subject is not None:
        if topic is not None:
            raise ValueError("pass a subject or a topic, not both")
        return subject
    if topic is None:
        raise ValueError("encode needs a subject, or a topic to derive it from")
    return subject_name(topic=topic, schema=schema, key=key, strategy=strategy)


def _infer_for(
    data: Any,
    registry: Registry,
    subject: str | None,
    topic: str | None,
    *,
    name: str | None = None,
    namespace: str | None = None,
) -> Schema:
    """Infer ``data``'s schema, named like the subject's latest version when there is one.

    A re-inferred schema that kept the default name ``Record`` would not be compatible with a
    registered ``Flight`` (Avro matches records by name), so the name and namespace of the
    subject's latest version win; a new subject gets a name derived from the topic or subject.
    A ``name`` or ``namespace`` given (the CLI's ``--name``, ``--namespace``) wins over both.
    """
    from schemakit.infer import infer

    given_name, given_namespace = name, namespace
    name, namespace, full, latest = None, None, None, None
    if subject is not None:
        try:
            latest = registry.get_latest(subject).schema
        except (LookupError, SchemakitError):
            latest = None
        full = _record_fullname(latest)
        if full is not None:
            namespace, _, name = full.rpartition(".")
    if name is None:
        base = topic or subject or "Record"
        name = sanitize_name(base.removesuffix("-value").removesuffix("-key")).title()
        name = name.replace("_", "") or "Record"
    name = given_name or name
    namespace = namespace if given_namespace is None else given_namespace
    inferred = infer(data, name=name, namespace=namespace or None)
    return _widened(inferred, latest) if full is not None and latest is not None else inferred


def _widened(inferred: Schema, latest: Schema) -> Schema:
    """``inferred`` with each top-level field nullable where the latest version has it so.

    A batch without nulls in a column infers it as required, which could not read the nulls
    earlier versions wrote: the subject already allows null there, so the new version does too.
    """
    doc = inferred.to_dict()
    before = latest.to_dict()
    if not (isinstance(doc, dict) and isinstance(before, dict)) or "fields" not in doc:
        return inferred
    nullable = {
        f["name"]
        for f in before.get("fields", [])
        if isinstance(f.get("type"), list) and "null" in f["type"]
    }
    changed = False
    for field in doc["fields"]:
        kind = field["type"]
        if field["name"] in nullable and not (isinstance(kind, list) and "null" in kind):
            field["type"] = ["null", *(kind if isinstance(kind, list) else [kind])]
            field["default"] = None
            changed = True
    return Schema.parse(doc) if changed else inferred


def _as_table(data: Any) -> tuple[pa.Table | pa.RecordBatch, Any]:
    """The Arrow form of ``data`` and the pandas index to give the result (or ``None``)."""
    if isinstance(data, pa.Table | pa.RecordBatch):
        return data, None
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        from schemakit._sources import pandas_table

        return pandas_table(data), data.index
    raise TypeError(
        f"cannot encode {type(data).__module__}.{type(data).__qualname__}; expected a pandas "
        "DataFrame or a pyarrow Table or RecordBatch"
    )


def encode(
    data: Any,
    subject: str | None = None,
    *,
    topic: str | None = None,
    registry: Registry | str | None = None,
    schema: Schema | str | Mapping[str, Any] | None = None,
    auto_register: bool = True,
    use_latest: bool = False,
    key: bool = False,
    subject_name_strategy: SubjectNameStrategy = "topic",
    extra: Literal["error", "ignore"] = "error",
    progress: bool = True,
) -> Any:
    """Encode every row of ``data`` as a Confluent wire-format Avro record.

    Parameters
    ----------
    data : pandas.DataFrame, pyarrow.Table or RecordBatch, or a stream
        The rows. Columns are matched to the schema's fields by name (a field inferred from a
        column whose name had to be sanitized reads that column). A stream — a DuckDB
        relation, a ``pyarrow.RecordBatchReader`` or any iterator of record batches — is
        encoded batch by batch with bounded memory, and the result is an iterator of
        ``pa.BinaryArray``, one per batch. Without ``schema``, on a subject that has versions,
        each batch is written with the latest version if it fits, as a producer loop; on a
        subject without, a stream other than a DuckDB relation (which is profiled first) needs
        ``schema`` or ``use_latest=True``.
    subject : str, optional
        The subject; or give ``topic`` and let ``subject_name_strategy`` name it.
    topic : str, optional
        The Kafka topic: the subject is ``<topic>-value`` (``<topic>-key`` with ``key=True``)
        under the default TopicNameStrategy.
    registry : Registry or str, optional
        A registry, or its location; ``None`` opens the default
        (``$SCHEMAKIT_REGISTRY`` or ``./schemakit.duckdb``).
    schema : Schema, str or dict, optional
        The writer schema. Without it the schema is inferred from ``data`` (named like the
        subject's latest version when there is one), or with ``use_latest=True`` the subject's
        latest version is used.
    auto_register : bool, default True
        Register the schema under the subject (idempotent); with ``False`` it must already be
        registered there, as confluent-kafka's ``auto.register.schemas=False``.
    use_latest : bool, default False
        Write with the subject's latest registered schema (``use.latest.version``).
    key : bool, default False
        Encode record keys: the ``-key`` subject under TopicNameStrategy.
    subject_name_strategy : {"topic", "record", "topic_record"}
        Confluent's subject name strategies (see the module docstring).
    extra : {"error", "ignore"}
        Columns the schema does not name raise :class:`~schemakit.errors.EncodeError`, or are
        ignored.
    progress : bool, default True
        Show a ``tqdm.auto`` progress bar (in notebooks and terminals) once the run takes more
        than a second.

    Returns
    -------
    pandas.Series, pyarrow.BinaryArray, or an iterator of pyarrow.BinaryArray
        For a DataFrame, a Series of ``pd.ArrowDtype(pa.binary())`` with the DataFrame's index;
        for Arrow input, a ``pa.BinaryArray``; for a stream, one array per batch.

    Raises
    ------
    EncodeError
        A value that does not fit its field, naming the column, row and value; nothing is
        returned and nothing is registered.
    IncompatibleSchemaError
        Registering the schema would break the subject's compatibility level.
    SchemaNotFoundError
        ``auto_register=False`` and the schema is not registered under the subject.

    See Also
    --------
    decode : the inverse.
    Confluent, "Wire format" (Schema Registry serializers and deserializers overview).

    Examples
    --------
    >>> import pandas as pd
    >>> import schemakit as sk
    >>> reg = sk.Registry(":memory:")
    >>> records = sk.encode(pd.DataFrame({"n": [1, 2]}), topic="numbers", registry=reg)
    >>> records.iloc[0]
    b'\\x00\\x00\\x00\\x00\\x01\\x02'
    >>> reg.subjects()
    ['numbers-value']
    """
    from schemakit.codec import frame
    from schemakit.codec._json import encode_any_bodies

    if _is_stream(data):
        return _encode_stream(
            data,
            subject,
            topic=topic,
            registry=registry,
            schema=schema,
            auto_register=auto_register,
            use_latest=use_latest,
            key=key,
            strategy=subject_name_strategy,
            extra=extra,
            progress=progress,
        )
    table, index = _as_table(data)
    with _using(registry) as reg:
        fitted = None
        if schema is None and not use_latest and subject_name_strategy == "topic":
            # A producer loop: a batch whose values fit the subject's latest version is written
            # with it, whatever its own inferred schema would say (a column without nulls this
            # time, say); only a batch that does not fit is inferred and checked.
            fitted = _fit_latest(data, table, index, reg, subject, topic, key, progress)
        if fitted is not None:
            writer, bodies = fitted
        else:
            writer = _writer_schema(
                table if index is None else data,
                reg,
                subject=subject,
                topic=topic,
                schema=schema,
                use_latest=use_latest,
                key=key,
                strategy=subject_name_strategy,
            )
            if index is not None:
                table = _fit_object_columns(data, table, writer.schema)
            # Every value is checked while the bodies are written, before anything is
            # registered.
            with _progress(table.num_rows, "encode", progress) as bar:
                bodies = encode_any_bodies(table, writer.schema, extra=extra, on_rows=bar.update)
        records = frame(bodies, writer.schema_id(reg, auto_register))
    return _output(records, index)


def _fit_latest(
    data: Any,
    table: pa.Table | pa.RecordBatch,
    index: Any,
    registry: Registry,
    subject: str | None,
    topic: str | None,
    key: bool,
    progress: bool,
) -> tuple[_Writer, pa.BinaryArray] | None:
    """The subject's latest version and the bodies, if every value of the batch fits it."""
    name = _resolve_subject(subject, topic, None, key, "topic")
    try:
        latest = registry.get_latest(name)
    except LookupError:
        return None
    fitted = table if index is None else _fit_object_columns(data, table, latest.schema)
    with _progress(table.num_rows, "encode", progress) as bar:
        bodies = _bodies_if_fit(fitted, latest.schema, on_rows=bar.update)
    if bodies is None:
        return None
    return _Writer(latest.schema, name, latest.id), bodies


def _bodies_if_fit(
    table: pa.Table | pa.RecordBatch, schema: Schema, *, on_rows: Any = None
) -> pa.BinaryArray | None:
    """The bodies of ``table`` written with ``schema``, or ``None`` if a value does not fit."""
    import warnings

    from schemakit.codec._json import encode_any_bodies
    from schemakit.errors import EncodeError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # a column the schema lacks does not fit, whatever ``extra`` says: it is what a new
            # version is for
            bodies = encode_any_bodies(table, schema, extra="error", on_rows=on_rows)
        except EncodeError:
            return None  # a warning about a try that did not fit is no news to the caller
    for warning in caught:  # the try did the work: its warnings are the caller's
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return bodies


def _as_schema(value: Any) -> Schema:
    """A Schema as given (Avro or JSON), or Avro schema text / dict parsed."""
    return value if isinstance(value, Schema) else Schema.parse(value)


def _records(
    table: pa.Table | pa.RecordBatch,
    schema: Schema,
    schema_id: int,
    extra: Literal["error", "ignore"],
) -> pa.BinaryArray:
    """Framed records: Avro in one pass with the header, JSON bodies framed after."""
    from schemakit.codec import encode_records, frame
    from schemakit.codec._json import encode_any_bodies

    if schema.schema_type == "JSON":
        return frame(encode_any_bodies(table, schema, extra=extra), schema_id)
    return encode_records(table, schema, schema_id, extra=extra)


def _progress(total: int | None, what: str, enabled: bool) -> Any:
    """A ``tqdm.auto`` bar over rows that appears only once a run takes more than a second.

    Its clock leaves out the kernels' first calls (numba's start-up and compile, paid once per
    process), so the rate it shows is the rate of the work.
    """
    from tqdm.auto import tqdm

    from schemakit.codec._jit import compile_seconds

    bar = tqdm(
        total=total,
        desc=f"schemakit {what}",
        unit=" rows",
        unit_scale=True,
        delay=1.0,
        disable=not enabled,
        leave=False,
    )
    if bar.disable:
        return bar
    update, seen = bar.update, compile_seconds()

    def update_without_compile(n: float = 1) -> bool | None:
        nonlocal seen
        now = compile_seconds()
        spent, seen = now - seen, now
        bar.start_t += spent  # as if the bar had started that much later
        bar.last_print_t += spent
        shown: bool | None = update(n)
        return shown

    bar.update = update_without_compile
    return bar


def _is_stream(data: Any) -> bool:
    """Whether ``data`` is a stream of batches rather than one in-memory table."""
    if isinstance(data, pa.RecordBatchReader):
        return True
    if isinstance(data, pa.Table | pa.RecordBatch | bytes | str | Mapping):
        return False
    if type(data).__name__ == "DuckDBPyRelation":
        return True
    import pandas as pd

    if isinstance(data, pd.DataFrame | pd.Series):
        return False
    return hasattr(data, "__next__")


def _batches(data: Any) -> Iterator[pa.RecordBatch]:
    if type(data).__name__ == "DuckDBPyRelation":
        yield from data.to_arrow_reader(DEFAULT_STREAM_ROWS)
    else:
        yield from data


#: Rows per batch when schemakit reads a DuckDB relation for a stream.
DEFAULT_STREAM_ROWS = 65_536


def _encode_stream(
    data: Any,
    subject: str | None,
    *,
    topic: str | None,
    registry: Registry | str | None,
    schema: Schema | str | Mapping[str, Any] | None,
    auto_register: bool,
    use_latest: bool,
    key: bool,
    strategy: SubjectNameStrategy,
    extra: Literal["error", "ignore"],
    progress: bool,
) -> Iterator[pa.BinaryArray]:
    """Encode a stream batch by batch (see :func:`_stream_batches`); one array per batch."""
    steps = _stream_batches(
        data,
        subject,
        topic=topic,
        registry=registry,
        schema=schema,
        auto_register=auto_register,
        use_latest=use_latest,
        key=key,
        strategy=strategy,
        extra=extra,
        progress=progress,
    )
    return (records for _, _, _, records in steps)


def _stream_batches(
    data: Any,
    subject: str | None,
    *,
    topic: str | None,
    registry: Registry | str | None,
    schema: Schema | str | Mapping[str, Any] | None,
    auto_register: bool,
    use_latest: bool,
    key: bool,
    strategy: SubjectNameStrategy,
    extra: Literal["error", "ignore"],
    progress: bool,
    name: str | None = None,
    namespace: str | None = None,
) -> Iterator[tuple[pa.RecordBatch, Schema, int, pa.BinaryArray]]:
    """Encode a stream: each batch, the writer schema and id it was written with, its records.

    With a schema or ``use_latest`` the writer is settled once, first, and registered once the
    first batch was written (a first batch that does not fit registers nothing). Without
    either, on a subject that has versions, it is the producer loop of :func:`encode` per
    batch: a batch whose values fit the latest version is written with it; one that does not
    gets a new schema, inferred (from the whole relation, or from that batch), named like the
    latest and as nullable, then registered and checked, and is the latest for the batches
    after. ``name`` / ``namespace`` name an inferred schema (the CLI's options).
    """
    relation = type(data).__name__ == "DuckDBPyRelation"
    latest = None
    if schema is None and not use_latest and (subject is not None or strategy == "topic"):
        target = _resolve_subject(subject, topic, None, key, "topic")
        with _using(registry) as reg:
            try:
                latest = reg.get_latest(target)
            except LookupError:
                latest = None
    if latest is not None:
        whole = None
        if relation:
            # inferred whole, up front (DuckDB runs one query at a time on a connection): a
            # batch that does not fit the latest is written with this, and so is the rest
            with _using(registry) as reg:
                whole = _infer_for(data, reg, target, topic, name=name, namespace=namespace)
        return _fitted_batches(
            data, latest, whole, registry, topic, auto_register, extra, progress, name, namespace
        )
    if schema is None and not use_latest and not relation:
        raise ValueError(
            "encoding a stream of batches to a subject without versions needs schema= or "
            "use_latest=True (a stream cannot be inferred without reading it twice; a DuckDB "
            "relation can)"
        )
    with _using(registry) as reg:
        writer = _writer_schema(
            data,
            reg,
            subject=subject,
            topic=topic,
            schema=schema,
            use_latest=use_latest,
            key=key,
            strategy=strategy,
            name=name,
            namespace=namespace,
        )

    def generate() -> Iterator[tuple[pa.RecordBatch, Schema, int, pa.BinaryArray]]:
        from schemakit.codec import frame
        from schemakit.codec._json import encode_any_bodies

        schema_id: int | None = None
        with _progress(None, "encode", progress) as bar:
            for batch in _batches(data):
                if schema_id is None:
                    bodies = encode_any_bodies(batch, writer.schema, extra=extra)
                    with _using(registry) as reg:
                        schema_id = writer.schema_id(reg, auto_register)
                    yield batch, writer.schema, schema_id, frame(bodies, schema_id)
                else:
                    records = _records(batch, writer.schema, schema_id, extra)
                    yield batch, writer.schema, schema_id, records
                bar.update(batch.num_rows)

    return generate()


def _fitted_batches(
    data: Any,
    latest: RegisteredSchema,
    whole: Schema | None,
    registry: Registry | str | None,
    topic: str | None,
    auto_register: bool,
    extra: Literal["error", "ignore"],
    progress: bool,
    name: str | None,
    namespace: str | None,
) -> Iterator[tuple[pa.RecordBatch, Schema, int, pa.BinaryArray]]:
    """The producer loop over a stream, from the subject's ``latest`` version; ``whole`` is the
    schema inferred from the whole stream when it could be (a relation), else each batch that
    does not fit is inferred on its own."""
    from schemakit.codec import frame
    from schemakit.codec._json import encode_any_bodies

    subject, writer, schema_id = latest.subject, latest.schema, latest.id
    with _progress(None, "encode", progress) as bar:
        for batch in _batches(data):
            bodies = _bodies_if_fit(batch, writer)
            if bodies is None:
                with _using(registry) as reg:
                    writer = whole or _infer_for(
                        batch, reg, subject, topic, name=name, namespace=namespace
                    )
                    # every value is checked before the new version is registered
                    bodies = encode_any_bodies(batch, writer, extra=extra)
                    schema_id = _Writer(writer, subject).schema_id(reg, auto_register)
            yield batch, writer, schema_id, frame(bodies, schema_id)
            bar.update(batch.num_rows)


def _output(records: pa.BinaryArray, index: Any) -> pd.Series | pa.BinaryArray:
    if index is None:
        return records
    import pandas as pd

    return pd.Series(records, index=index, dtype=pd.ArrowDtype(pa.binary()), name="value")


def _contains(dtype: pa.DataType, kind: Any) -> bool:
    """Whether ``kind(t)`` holds for ``dtype`` or any type nested in it."""
    if kind(dtype):
        return True
    if pa.types.is_struct(dtype) or pa.types.is_union(dtype):
        return any(_contains(dtype.field(i).type, kind) for i in range(dtype.num_fields))
    if pa.types.is_map(dtype):
        return _contains(dtype.key_type, kind) or _contains(dtype.item_type, kind)
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return _contains(dtype.value_type, kind)
    return False


def _fit_object_columns(frame: pd.DataFrame, table: pa.Table, schema: Schema) -> pa.Table:
    """Re-convert pandas object columns of dicts that the schema says are Avro maps.

    pyarrow turns a column of dicts into a struct of every key seen in any row, which would
    write absent keys as null map entries; converted with the map type, each row keeps its own
    keys. Only object columns whose Arrow type holds a map are touched.
    """
    from schemakit._arrow_types import ORIGINAL_NAME, avro_to_arrow_schema

    doc = schema.to_dict()
    if not isinstance(doc, dict) or doc.get("type") not in ("record", "error"):
        return table
    arrow = avro_to_arrow_schema(doc)
    for field, target in zip(doc["fields"], arrow, strict=True):
        column = field.get(ORIGINAL_NAME, field["name"])
        if column not in table.column_names or not _contains(target.type, pa.types.is_map):
            continue
        series = frame[column]
        if series.dtype != object:
            continue
        try:
            converted = pa.array(series, type=target.type, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            continue  # leave it to the encoder, which names the column and row
        table = table.set_column(table.column_names.index(column), column, converted)
    return table


def _open_registry(registry: Registry | str | None) -> tuple[Registry, bool]:
    if isinstance(registry, Registry):
        return registry, False
    return Registry(registry), True


@contextmanager
def _using(registry: Registry | str | None) -> Iterator[Registry]:
    """The caller's Registry as it is, or one opened from a location for the call and closed."""
    reg, owned = _open_registry(registry)
    try:
        yield reg
    finally:
        if owned:
            reg.close()


class _Writer:
    """The writer schema chosen for a subject, and how to get its id."""

    def __init__(self, schema: Schema, subject: str, known_id: int | None = None) -> None:
        self.schema = schema
        self.subject = subject
        self._known_id = known_id

    def schema_id(self, registry: Registry, auto_register: bool) -> int:
        """The global id: already known (latest), registered, or looked up."""
        if self._known_id is not None:
            return self._known_id
        if auto_register:
            return registry.register(self.subject, self.schema).id
        try:
            return registry.lookup(self.subject, self.schema).id
        except LookupError as exc:
            raise SchemaNotFoundError(
                f"the schema is not registered under subject {self.subject!r} and "
                "auto_register=False",
                subject=self.subject,
            ) from exc


def _writer_schema(
    data: Any,
    registry: Registry,
    *,
    subject: str | None,
    topic: str | None,
    schema: Schema | str | Mapping[str, Any] | None,
    use_latest: bool,
    key: bool,
    strategy: SubjectNameStrategy,
    name: str | None = None,
    namespace: str | None = None,
) -> _Writer:
    """The writer schema: given, the subject's latest, or inferred from ``data``."""
    given = None if schema is None else _as_schema(schema)
    if use_latest:
        if given is not None:
            raise ValueError("pass a schema or use_latest=True, not both")
        name = _resolve_subject(subject, topic, None, key, strategy)
        latest = registry.get_latest(name)
        return _Writer(latest.schema, name, latest.id)
    if given is None and subject is None and strategy != "topic":
        raise ValueError(f"the {strategy!r} subject name strategy needs a schema")
    known_subject = subject
    if known_subject is None and strategy == "topic" and topic is not None:
        known_subject = subject_name(topic=topic, key=key)
    writer = (
        given
        if given is not None
        else _infer_for(data, registry, known_subject, topic, name=name, namespace=namespace)
    )
    return _Writer(writer, _resolve_subject(subject, topic, writer, key, strategy))


@functools.cache
def _fastavro_writer() -> Any:
    """fastavro's row writer, imported on first use (``import schemakit`` stays light)."""
    from fastavro import schemaless_writer

    return schemaless_writer


@functools.cache
def _fastavro_reader() -> Any:
    """fastavro's row reader, imported on first use."""
    from fastavro import schemaless_reader

    return schemaless_reader


class Serializer:
    """A schema-aware producer's serializer: records (dicts) or tables → wire-format bytes.

    Each record is checked exactly as :func:`encode` checks a row (same
    :class:`~schemakit.errors.EncodeError`, same ``extra`` rule: keys are column names) and
    the schema is registered (or looked up, or taken as the subject's latest) once, after the
    first record was written, so a record that does not fit registers nothing. A record whose
    values are plainly of their fields' types (see :mod:`schemakit.codec._record_check`) is
    one ``fastavro.schemaless_writer`` call behind a constant 5-byte header; any other goes
    through the batch encoder, which writes it or names what does not fit.

    Parameters
    ----------
    registry : Registry or str
        The registry, or its location.
    subject : str
        The subject to register under.
    schema : Schema, str or dict, optional
        The writer schema; required unless ``use_latest=True``.
    auto_register : bool, default True
        Register the schema; with ``False`` it must already be registered.
    use_latest : bool, default False
        Use the subject's latest version.
    extra : {"error", "ignore"}
        Keys the schema does not name raise :class:`~schemakit.errors.EncodeError`, or are
        ignored, as in :func:`encode`.

    Examples
    --------
    >>> import schemakit as sk
    >>> schema = {"type": "record", "name": "N", "fields": [{"name": "n", "type": "long"}]}
    >>> ser = sk.Serializer(sk.Registry(":memory:"), "numbers-value", schema)
    >>> ser.encode({"n": 1})
    b'\\x00\\x00\\x00\\x00\\x01\\x02'
    """

    def __init__(
        self,
        registry: Registry | str,
        subject: str,
        schema: Schema | str | Mapping[str, Any] | None = None,
        *,
        auto_register: bool = True,
        use_latest: bool = False,
        extra: Literal["error", "ignore"] = "error",
    ) -> None:
        if schema is None and not use_latest:
            raise ValueError("Serializer needs a schema, or use_latest=True")
        self._registry, _ = _open_registry(registry)
        self._subject = subject
        self._given = schema
        self._auto_register = auto_register
        self._use_latest = use_latest
        check_option("extra", extra, ("error", "ignore"))
        self._extra: Literal["error", "ignore"] = extra
        self._writer: _Writer | None = None
        self._ready: tuple[Any, Any, bytes] | None = None  # parsed or codec, check, header
        self._recursive = False

    def _prepared(self) -> _Writer:
        """The writer schema, settled on first use; nothing is registered yet."""
        if self._writer is None:
            self._writer = _writer_schema(
                None,
                self._registry,
                subject=self._subject,
                topic=None,
                schema=self._given,
                use_latest=self._use_latest,
                key=False,
                strategy="topic",
            )
        return self._writer

    def _codec(self) -> tuple[Any, Any]:
        """fastavro's parsed schema and the record check, or a JSON Schema subject's codec."""
        writer = self._prepared()
        if writer.schema.schema_type == "JSON":
            from schemakit.codec._json import JsonRecordCodec

            return JsonRecordCodec(writer.schema), None
        from schemakit.codec._record_check import compile_check

        self._recursive = _is_recursive(writer.schema)
        return writer.schema._parsed, compile_check(writer.schema._parsed)

    def _header(self) -> bytes:
        """Register (or look up) the schema: after a first record was written, once."""
        if self._ready is None:
            parsed, check = self._codec()
            schema_id = self._prepared().schema_id(self._registry, self._auto_register)
            self._ready = (parsed, check, _HEADER.pack(0, schema_id))
        return self._ready[2]

    @property
    def schema(self) -> Schema:
        """The writer schema."""
        return self._prepared().schema

    @property
    def schema_id(self) -> int:
        """The writer schema's global id (registered on first access if it is not yet)."""
        return int.from_bytes(self._header()[1:], "big")

    def encode(self, record: Any) -> bytes:
        """One record as wire-format bytes, as confluent-kafka's AvroSerializer writes it.

        Raises
        ------
        EncodeError
            The record does not fit the schema, as :func:`encode` words it (column, row 0,
            value); nothing is registered then.
        """
        ready = self._ready
        if ready is None:
            parsed, check = self._codec()
            body = self._body(parsed, check, record, b"")
            return self._header() + body
        return self._body(ready[0], ready[1], record, ready[2])

    def _body(self, parsed: Any, check: Any, record: Any, head: bytes) -> bytes:
        """``head`` and the body of ``record``; the fast path writes both into one buffer."""
        if check is None:  # a JSON Schema subject's codec
            body: bytes = parsed.encode(record, subject=self._subject)
            return head + body
        if self._recursive:
            from schemakit.codec._record_check import nested_deeper
            from schemakit.codec._scan import MAX_DEPTH

            if nested_deeper(record, MAX_DEPTH):
                self._too_deep()
        try:
            fits = check(record)
        except RecursionError:  # deeper than Python's stack: never hand it to fastavro
            fits = False
        if fits:
            buffer = io.BytesIO()
            buffer.write(head)
            try:
                _fastavro_writer()(buffer, parsed, record)
                return buffer.getvalue()
            except (ValueError, TypeError, UnicodeError, OverflowError):
                pass  # the batch encoder names it (a lone surrogate, say)
        return head + self._judged(record)

    def _too_deep(self) -> None:
        from schemakit.codec._scan import MAX_DEPTH
        from schemakit.errors import EncodeError

        raise EncodeError(
            f"record of subject {self._subject!r} is nested deeper than {MAX_DEPTH} levels "
            "(records, maps and arrays), which no decoder of schemakit would read back"
        )

    def _judged(self, record: Any) -> bytes:
        """The batch encoder's verdict on one record: its body, or its EncodeError.

        A recursive schema has no Arrow type and so no batch encoder: fastavro's validation,
        on a record no deeper than the limit, words the problem then.
        """
        import warnings

        import pandas as pd

        from schemakit.codec._json import encode_any_bodies
        from schemakit.codec._record_check import nested_deeper
        from schemakit.codec._scan import MAX_DEPTH
        from schemakit.errors import EncodeError, PerformanceWarning

        if nested_deeper(record, MAX_DEPTH):  # pyarrow and fastavro recurse on the C stack
            self._too_deep()
        schema = self._prepared().schema
        if self._recursive:
            return self._validated(record)
        doc = schema.to_dict()
        is_record = isinstance(doc, dict) and doc.get("type") in ("record", "error")
        if is_record and not isinstance(record, Mapping):
            raise EncodeError(
                f"a record of subject {self._subject!r} must be a mapping of field names to "
                f"values, not {type(record).__name__}"
            )
        frame = pd.DataFrame([record] if is_record else {"value": [record]})
        table, _ = _as_table(frame)
        table = _fit_object_columns(frame, table, schema)
        with warnings.catch_warnings():
            # one row: the row-wise fallback is no slower than the columnar path here
            warnings.simplefilter("ignore", PerformanceWarning)
            try:
                bodies = encode_any_bodies(table, schema, extra=self._extra)
            except SchemakitError:
                raise
            except RecursionError as exc:
                raise EncodeError(
                    f"record of subject {self._subject!r} is nested too deep to encode"
                ) from exc
        body: bytes = bodies[0].as_py()
        return body

    def _validated(self, record: Any) -> bytes:
        from fastavro import schemaless_writer
        from fastavro.validation import ValidationError, validate

        from schemakit.errors import EncodeError

        parsed = self._prepared().schema._parsed
        try:
            validate(record, parsed, raise_errors=True, strict=self._extra == "error")
            buffer = io.BytesIO()
            schemaless_writer(buffer, parsed, record)
        except (ValidationError, ValueError, TypeError, UnicodeError, OverflowError) as exc:
            raise EncodeError(
                f"record does not match the schema of subject {self._subject!r}: {exc}"
            ) from exc
        return buffer.getvalue()

    def encode_batch(
        self, data: Any, *, extra: Literal["error", "ignore"] | None = None
    ) -> pd.Series | pa.BinaryArray:
        """Every row of a DataFrame or Arrow table, columnar; see :func:`encode`.

        ``extra`` defaults to the serializer's. The schema is registered after the rows were
        written, if it is not yet.
        """
        from schemakit.codec import frame
        from schemakit.codec._json import encode_any_bodies

        writer = self._prepared().schema
        rule: Literal["error", "ignore"] = self._extra if extra is None else extra
        check_option("extra", rule, ("error", "ignore"))
        table, index = _as_table(data)
        if self._ready is not None:  # registered: the one-pass framed writer
            records = _records(table, writer, self.schema_id, rule)
        else:
            bodies = encode_any_bodies(table, writer, extra=rule)
            records = frame(bodies, self.schema_id)
        return _output(records, index)

    def __repr__(self) -> str:
        return f"Serializer(subject={self._subject!r}, registry={self._registry.location!r})"


# --------------------------------------------------------------------------------------------
# decoding

Output = Literal["pandas", "arrow"]
Errors = Literal["raise", "null"]
DtypeBackend = Literal["numpy_nullable", "pyarrow"]

#: Key of the decode error report: ``DataFrame.attrs`` for pandas output, schema metadata
#: (JSON records) for Arrow output.
DECODE_ERRORS = "decode_errors"

_REPORT_COLUMNS = ("row", "schema_id", "reason", "message")


def _as_records(records: Any) -> tuple[pa.BinaryArray, Any]:
    """Records as one Arrow binary array, and the pandas index to give the result."""
    index = None
    if isinstance(records, bytes | bytearray | memoryview):
        return pa.array([bytes(records)], pa.binary()), None
    if not isinstance(records, pa.Array | pa.ChunkedArray):
        import pandas as pd

        if isinstance(records, pd.Series):
            index = records.index
            if isinstance(records.dtype, pd.ArrowDtype):
                records = pa.array(records.array)
            else:
                records = pa.array(records.to_numpy(dtype=object), pa.binary(), from_pandas=True)
        else:
            try:
                records = pa.array(list(records), pa.binary())
            except (TypeError, pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise TypeError(
                    "decode takes records as a pandas Series, an Arrow binary array, a list of "
                    f"bytes or one bytes object, not {type(records).__name__}"
                ) from exc
    if isinstance(records, pa.ChunkedArray):
        # A Series built by pd.concat is backed by several chunks.
        records = records.combine_chunks()
    if pa.types.is_large_binary(records.type) or pa.types.is_binary_view(records.type):
        records = records.cast(pa.binary())
    if not pa.types.is_binary(records.type):
        raise TypeError(f"decode takes binary records, not an Arrow array of {records.type}")
    return records, index


class _Report:
    """Collects bad rows for ``errors="null"``, or raises the first for ``errors="raise"``.

    With ``defer`` (header and unknown-id problems, found before any body is read) a raising
    report keeps the earliest problem in :attr:`pending` instead, so the caller can first read
    the bodies before it and raise whichever bad row comes first.
    """

    def __init__(self, mode: Errors) -> None:
        self.mode = mode
        self.rows: list[tuple[int, int | None, str, str]] = []
        self.pending: DecodeError | None = None

    def add(
        self, row: int, schema_id: int | None, reason: str, message: str, *, defer: bool = False
    ) -> None:
        if self.mode == "raise":
            error = DecodeError(message, row=row, schema_id=schema_id, reason=reason)
            if not defer:
                raise error
            if self.pending is None or row < (self.pending.row or 0):
                self.pending = error
            return
        self.rows.append((row, schema_id, reason, message))

    def rows_between(self, start: int, stop: int) -> bool:
        """Whether a bad row was reported in ``[start, stop)``."""
        return any(start <= r[0] < stop for r in self.rows)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        ordered = sorted(self.rows)
        return pd.DataFrame(
            {
                "row": pd.array([r[0] for r in ordered], dtype="Int64"),
                "schema_id": pd.array([r[1] for r in ordered], dtype="Int64"),
                "reason": pd.array([r[2] for r in ordered], dtype="string"),
                "message": pd.array([r[3] for r in ordered], dtype="string"),
            }
        )


def decode(
    records: Any,
    registry: Registry | str | None = None,
    *,
    reader_schema: Schema | str | Mapping[str, Any] | None = None,
    output: Output = "pandas",
    errors: Errors = "raise",
    dtype_backend: DtypeBackend = "numpy_nullable",
    progress: bool = True,
) -> Any:
    """Decode Confluent wire-format Avro records into a DataFrame or an Arrow table.

    Rows are grouped by schema id; each group is decoded with its writer schema (from the
    registry) and resolved to one reader schema by the Avro resolution rules; the result keeps
    the input order (and, for a Series, its index).

    Parameters
    ----------
    records : pandas.Series, pyarrow.BinaryArray or ChunkedArray, list of bytes, or bytes
        The records.
    registry : Registry or str, optional
        Where the writer schemas are looked up by id; ``None`` opens the default registry.
    reader_schema : Schema, str or dict, optional
        The schema to read into; default: the newest writer schema in the batch (highest id).
    output : {"pandas", "arrow"}
        A DataFrame, or a ``pyarrow.Table`` with exact types (int32 stays int32, timestamps keep
        unit and zone, decimals stay decimal128, nested types stay nested).
    errors : {"raise", "null"}
        ``"raise"`` stops at the first bad record with :class:`~schemakit.errors.DecodeError`
        naming its row and the reason; ``"null"`` gives a null row for each bad record and a
        report (columns row, schema_id, reason, message) in ``result.attrs["decode_errors"]``
        (pandas) or as JSON in the table's schema metadata under ``b"decode_errors"`` (Arrow).
    dtype_backend : {"numpy_nullable", "pyarrow"}
        pandas output only, as pandas' own readers name it: nullable extension dtypes
        (``Int64``, ``boolean``, ``string``) or ``pd.ArrowDtype`` columns.
    progress : bool, default True
        Show a ``tqdm.auto`` progress bar once the run takes more than a second.

    Returns
    -------
    pandas.DataFrame or pyarrow.Table
        The rows in input order. An iterator of batches of records (each any of the kinds
        above) is decoded batch by batch with bounded memory; the result is then an iterator
        with one result per batch, all in one reader schema (``reader_schema``, or the newest
        writer schema of the first batch).

    Raises
    ------
    DecodeError
        A bad record with ``errors="raise"``: bad magic byte (magic byte 1, the newer GUID
        framing, is named as such), unknown schema id, truncated body, trailing bytes, bad
        lengths, union branch or enum index out of range.
    IncompatibleSchemaError
        ``reader_schema`` cannot read one of the writer schemas.

    See Also
    --------
    encode : the inverse.
    Avro specification, "Schema Resolution".
    """
    mode = cast(Errors, check_option("errors", errors, allowed(Errors)))
    out = cast(Output, check_option("output", output, allowed(Output)))
    backend = cast(
        DtypeBackend, check_option("dtype_backend", dtype_backend, allowed(DtypeBackend))
    )
    if _is_record_stream(records):
        return _decode_stream(
            records,
            registry,
            reader_schema,
            mode=mode,
            out=out,
            backend=backend,
            progress=progress,
        )
    arr, index = _as_records(records)
    with _using(registry) as reg:
        given = None if reader_schema is None else _as_schema(reader_schema)
        return _decode_array(arr, index, reg, given, mode, out, backend, progress)[0]


#: Rows decoded per step of the progress bar (each step is itself columnar). Each step is one
#: chunk of the result, and pandas converts a column of fewer chunks faster; a step's
#: temporaries stay near 8 bytes per field per row.
DECODE_STEP_ROWS = 524_288


def _decode_array(
    arr: pa.BinaryArray,
    index: Any,
    reg: Registry,
    reader_schema: Schema | None,
    mode: Errors,
    out: Output,
    backend: DtypeBackend,
    progress: bool,
) -> tuple[Any, Schema | None]:
    """Decode one array of records; also return the reader schema used."""
    from schemakit.codec import HEADER_REASONS, parse_headers

    report = _Report(mode)
    heads = parse_headers(arr)
    for row in np.flatnonzero(heads.errors):
        reason = HEADER_REASONS[int(heads.errors[row])]
        report.add(int(row), None, reason, f"row {int(row)}: {reason}", defer=True)
        if mode == "raise":
            break  # only the earliest header problem can be the one raised
    ids = heads.ids
    writers: dict[int, Schema] = {}
    # one id for the whole batch is the common case: one comparison instead of a sort
    distinct = [int(ids[0])] if len(ids) and (ids == ids[0]).all() else np.unique(ids).tolist()
    for schema_id in (i for i in distinct if i >= 0):
        try:
            writers[schema_id] = reg.get_by_id(schema_id)
        except LookupError:
            for row in np.flatnonzero(ids == schema_id):
                report.add(
                    int(row),
                    schema_id,
                    "unknown schema id",
                    f"row {int(row)}: unknown schema id {schema_id} (not in {reg.location})",
                    defer=True,
                )
    reader = _reader_schema(reader_schema, writers)
    n = len(arr)
    if report.pending is not None:
        # errors="raise" with a bad header or unknown id at row r: a bad body before r is the
        # first bad record, so read the rows before r (all framed, all known) and then raise.
        first = report.pending.row or 0
        _decode_groups(
            arr.slice(0, first),
            ids[:first],
            heads.body_offsets[:first],
            heads.body_lengths[:first],
            writers,
            reader,
            report,
        )
        raise report.pending
    pieces: list[pa.Table] = []
    with _progress(n, "decode", progress and n > DECODE_STEP_ROWS) as bar:
        for start in range(0, max(n, 1), DECODE_STEP_ROWS):
            stop = min(start + DECODE_STEP_ROWS, n)
            pieces.append(
                _decode_groups(
                    arr.slice(start, stop - start),
                    ids[start:stop],
                    heads.body_offsets[start:stop],
                    heads.body_lengths[start:stop],
                    writers,
                    reader,
                    report,
                    first_row=start,
                )
            )
            bar.update(stop - start)
    table = pieces[0] if len(pieces) == 1 else _concat_tables(pieces)
    if out == "arrow":
        if report.rows:
            payload = report.frame().to_json(orient="records")
            table = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), DECODE_ERRORS.encode(): payload.encode()}
            )
        return table, reader
    frame = _to_pandas(table, backend)
    if index is not None:
        frame.index = index
    if mode == "null":
        frame.attrs[DECODE_ERRORS] = report.frame()
    return frame, reader


def _concat_tables(pieces: list[pa.Table]) -> pa.Table:
    """Concatenate step results whose nullability may differ (a step with bad rows)."""
    first = pieces[0].schema
    if all(p.schema == first for p in pieces):
        return pa.concat_tables(pieces)
    target = pa.schema([_nullable_field(f) for f in first], metadata=first.metadata)
    return pa.concat_tables([p if p.schema == target else p.cast(target) for p in pieces])


def _is_record_stream(records: Any) -> bool:
    return not isinstance(records, pa.Array | pa.ChunkedArray | bytes | bytearray | list) and (
        hasattr(records, "__next__")
    )


def _decode_stream(
    records: Any,
    registry: Registry | str | None,
    reader_schema: Schema | str | Mapping[str, Any] | None,
    *,
    mode: Errors,
    out: Output,
    backend: DtypeBackend,
    progress: bool,
) -> Iterator[Any]:
    """Decode an iterator of record batches one by one into one reader schema.

    The reader schema is ``reader_schema``, or the newest writer schema of the first batch;
    every later batch is read into that same schema.
    """
    reader = None if reader_schema is None else _as_schema(reader_schema)

    def generate() -> Iterator[Any]:
        nonlocal reader
        with _using(registry) as reg, _progress(None, "decode", progress) as bar:
            for batch in records:
                arr, index = _as_records(batch)
                result, used = _decode_array(
                    arr, index, reg, reader, mode, out, backend, progress=False
                )
                reader = reader or used
                bar.update(len(arr))
                yield result

    return generate()


def _reader_schema(
    given: Schema | str | Mapping[str, Any] | None, writers: Mapping[int, Schema]
) -> Schema | None:
    if given is not None:
        return _as_schema(given)
    if not writers:
        return None
    return writers[max(writers)]


def _decode_groups(
    arr: pa.BinaryArray,
    ids: Any,
    body_offsets: Any,
    body_lengths: Any,
    writers: Mapping[int, Schema],
    reader: Schema | None,
    report: _Report,
    *,
    first_row: int = 0,
) -> pa.Table:
    """Decode each schema id's rows with its writer schema into ``reader``; keep input order.

    ``body_offsets`` and ``body_lengths`` (from :func:`~schemakit.codec.parse_headers` on the
    whole batch) say where each body lies in the records' values buffer: Avro groups are read
    there in place, with no copy of the bodies; a batch of one id is not reordered at all.
    """
    import pyarrow.compute as pc

    from schemakit.codec import binary_parts
    from schemakit.codec._json import decode_any_bodies

    n = len(arr)
    if reader is None:
        # Nothing decodable (every record bad): one null column, n rows.
        return pa.table({"value": pa.nulls(n)})
    values = binary_parts(arr)[1]
    body_ends = body_offsets + body_lengths
    json_bodies: pa.Array | None = None
    pieces: list[pa.Table] = []
    positions: list[Any] = []
    first_error: DecodeError | None = None
    for schema_id, writer in writers.items():
        everyone = bool((ids == schema_id).all())
        rows = np.arange(n) if everyone else np.flatnonzero(ids == schema_id)
        if not len(rows):
            continue
        group: Any
        if writer.schema_type == "AVRO" and (reader is None or reader.schema_type == "AVRO"):
            group = (
                (body_offsets, body_ends, values)
                if everyone
                else (body_offsets[rows], body_ends[rows], values)
            )
        else:
            if json_bodies is None:
                # An explicit stop: pyarrow 26's binary_slice without one fails.
                json_bodies = pc.binary_slice(arr, 5, 2**31 - 1)
            group = json_bodies if everyone else json_bodies.take(pa.array(rows))
        absolute = rows + first_row
        if report.mode == "raise":
            try:
                decoded = decode_any_bodies(
                    group, writer, reader, rows=absolute, schema_id=schema_id
                )
            except DecodeError as exc:
                # Groups go by schema id, not by row: keep the earliest bad row of them all.
                if first_error is None or (exc.row or 0) < (first_error.row or 0):
                    first_error = exc
                continue
        else:
            decoded, bad = decode_any_bodies(
                group, writer, reader, rows=absolute, schema_id=schema_id, errors="null"
            )
            for row, reason, message in bad:
                report.add(row, schema_id, reason, message)
        pieces.append(decoded)
        positions.append(rows)
    if first_error is not None:
        raise first_error
    if not pieces:
        # Every record had a bad header or an unknown id: the reader's columns, all null.
        empty = decode_any_bodies(pa.array([], pa.binary()), reader, reader)
        pieces.append(empty)
        positions.append(np.empty(0, dtype=np.int64))
    done = np.concatenate(positions)
    missing = (
        np.empty(0, np.int64)
        if len(done) == n
        else np.setdiff1d(np.arange(n), done, assume_unique=True)
    )
    target = pieces[0].schema
    if len(missing) or report.rows_between(first_row, first_row + n):
        target = pa.schema([_nullable_field(f) for f in target], metadata=target.metadata)
    if len(missing):
        pieces.append(pa.table([pa.nulls(len(missing), f.type) for f in target], schema=target))
        positions.append(missing)
    # Cast only what differs: a non-nullable child under a null parent holds nulls, which a
    # same-type cast would reject.
    combined = pa.concat_tables([p if p.schema == target else p.cast(target) for p in pieces])
    if len(pieces) == 1:
        return combined  # one group of every row, already in input order
    order = np.concatenate(positions)
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return combined.take(pa.array(inverse))


def _nullable_field(field: pa.Field) -> pa.Field:
    """``field`` and every field nested in it made nullable (rows that failed become nulls)."""
    return field.with_type(_nullable_type(field.type)).with_nullable(True)


def _nullable_type(dtype: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(dtype):
        return pa.struct([_nullable_field(dtype.field(i)) for i in range(dtype.num_fields)])
    if pa.types.is_map(dtype):
        return pa.map_(dtype.key_type, _nullable_field(dtype.item_field))
    if pa.types.is_large_list(dtype):
        return pa.large_list(_nullable_field(dtype.value_field))
    if pa.types.is_list(dtype):
        return pa.list_(_nullable_field(dtype.value_field))
    return dtype


def _to_pandas(table: pa.Table, backend: DtypeBackend) -> pd.DataFrame:
    """``table`` as a DataFrame; a column holding a general union becomes Python values.

    pandas has no union dtype (and ``pd.ArrowDtype`` of one cannot even print), so such a
    column is an object column of each row's value (``5``, ``"a"``, ``None``), as the Python
    value of the union would be in fastavro.
    """
    import pandas as pd

    unions = [i for i, f in enumerate(table.schema) if _contains(f.type, pa.types.is_union)]
    if unions:
        rest = _to_pandas(table.drop_columns([table.column_names[i] for i in unions]), backend)
        for i in unions:
            values = pd.Series(table.column(i).to_pylist(), index=rest.index, dtype=object)
            rest.insert(i, table.column_names[i], values)
        return rest
    if backend == "pyarrow":
        frame: pd.DataFrame = table.to_pandas(types_mapper=pd.ArrowDtype)
        return frame
    mapping = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.UInt8Dtype(),
        pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.float32(): pd.Float32Dtype(),
        pa.float64(): pd.Float64Dtype(),
        # Arrow-backed strings: pandas' nullable string dtype without one Python str per value.
        pa.string(): pd.StringDtype("pyarrow"),
        pa.large_string(): pd.StringDtype("pyarrow"),
    }
    # Nested integers are Python values inside a column's dicts and lists: ints with None for
    # a null, never float for the whole child (which pandas' default gives for one null).
    converted: pd.DataFrame = table.to_pandas(types_mapper=mapping.get, integer_object_nulls=True)
    return converted


def _is_recursive(schema: Schema) -> bool:
    """Whether a schema refers to itself: Arrow has no such type, so no batch codec either."""
    try:
        schema.to_arrow()
    except SchemakitError:
        return True
    return False


#: The scan's verdict for a body that ends before the record does.
_TRAILING = object()


class _WriterEntry:
    """One writer schema id as :class:`Deserializer` uses it."""

    __slots__ = (
        "json",
        "read",
        "reader_parsed",
        "recursive",
        "scanner",
        "schema",
        "writer_parsed",
    )

    def __init__(
        self,
        schema: Schema,
        json: Any,
        writer_parsed: Any = None,
        reader_parsed: Any = None,
        scanner: Any = None,
    ) -> None:
        self.schema = schema
        self.json = json
        self.writer_parsed = writer_parsed
        self.reader_parsed = reader_parsed
        self.scanner = scanner
        self.recursive = _is_recursive(schema)
        self.read: Any = _fastavro_reader() if scanner is not None else None


class Deserializer:
    """A schema-aware consumer's deserializer: wire-format bytes → records or tables.

    Writer schemas are fetched by id once and cached. With a ``reader_schema``, every record is
    resolved into it by the Avro rules; with ``validate=True`` a writer schema the reader cannot
    read is refused before any record of it is decoded, and a record with bytes left over after
    its body is an error (confluent-kafka's deserializer ignores them).

    Parameters
    ----------
    registry : Registry or str
        Where writer schemas are looked up by id.
    reader_schema : Schema, str or dict, optional
        The schema to read into; by default each record is read with its writer schema.
    validate : bool, default True
        Check reader against writer (compatibility) and the record's length.
    max_depth : int, default 500
        The deepest nesting of records, arrays and maps a record may have
        (:data:`~schemakit.codec._scan.MAX_DEPTH`); only recursive schemas reach it. Deeper is
        a :class:`DecodeError` ("nested deeper than the limit"), never a deep C stack.

    Examples
    --------
    >>> import schemakit as sk
    >>> reg = sk.Registry(":memory:")
    >>> schema = {"type": "record", "name": "N", "fields": [{"name": "n", "type": "long"}]}
    >>> data = sk.Serializer(reg, "numbers-value", schema).encode({"n": 7})
    >>> sk.Deserializer(reg).decode(data)
    {'n': 7}
    """

    def __init__(
        self,
        registry: Registry | str,
        reader_schema: Schema | str | Mapping[str, Any] | None = None,
        *,
        validate: bool = True,
        max_depth: int | None = None,
    ) -> None:
        from schemakit.codec._scan import MAX_DEPTH

        depth = MAX_DEPTH if max_depth is None else max_depth
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise ValueError(f"max_depth must be a positive int, not {max_depth!r}")
        self._registry, _ = _open_registry(registry)
        self._reader = None if reader_schema is None else _as_schema(reader_schema)
        self._validate = validate
        self._max_depth = depth
        self._writers: dict[int, _WriterEntry] = {}

    def _schemas(self, schema_id: int) -> _WriterEntry:
        """What decoding ``schema_id`` needs, looked up and checked once."""
        known = self._writers.get(schema_id)
        if known is not None:
            return known
        try:
            writer = self._registry.get_by_id(schema_id)
        except LookupError as exc:
            raise DecodeError(
                f"unknown schema id {schema_id} (not in {self._registry.location})",
                schema_id=schema_id,
                reason="unknown schema id",
            ) from exc
        reader = self._reader
        if reader is not None and self._validate:
            from schemakit.compat import check_compatibility

            result = check_compatibility(reader, writer, "BACKWARD")
            if not result:
                from schemakit.errors import IncompatibleSchemaError

                raise IncompatibleSchemaError(
                    f"the reader schema cannot read writer schema id {schema_id}",
                    messages=result.messages,
                )
        if writer.schema_type == "JSON":
            from schemakit.codec._json import JsonRecordCodec

            # Validated against the reader schema when one is given, else the writer's.
            entry = _WriterEntry(writer, JsonRecordCodec(reader if reader is not None else writer))
        else:
            from schemakit.codec._scan import BodyScanner, fastavro_schema

            entry = _WriterEntry(
                writer,
                None,
                fastavro_schema(writer.to_dict()),
                None if reader is None else fastavro_schema(reader.to_dict()),
                BodyScanner(writer._parsed, max_depth=self._max_depth),
            )
        self._writers[schema_id] = entry
        return entry

    def decode(self, record: bytes) -> Any:
        """One record (wire-format bytes) as a Python value (a dict for a record schema).

        The body is first checked by the batch decoder's rules and limits (a compiled walk of
        the bytes that builds nothing); only a body that passes is read by fastavro, so a
        record gives the value :func:`decode` gives it, or the same :class:`DecodeError`, and
        no record can crash the process, hang or allocate without bound. Nesting (records,
        arrays, maps) is limited to :data:`~schemakit.codec._scan.MAX_DEPTH` (500) levels, which
        only recursive schemas can reach.

        Raises
        ------
        DecodeError
            Bad magic byte, unknown schema id, a bad body (with the reason and field path of
            :func:`decode`'s reason table) or (with ``validate``) bytes left over.
        """
        if type(record) is not bytes:
            record = bytes(record)
        if len(record) < 5 or record[0] != 0:
            reason = _header_reason(record)
            raise DecodeError(f"cannot decode the record: {reason}", reason=reason)
        # the fast path is a few attribute reads around the scan and fastavro's call
        (schema_id,) = _SCHEMA_ID.unpack_from(record, 1)
        entry = self._writers.get(schema_id) or self._schemas(schema_id)
        scanner = entry.scanner
        if scanner is None:  # a JSON Schema writer's codec
            return entry.json.decode(record[5:], schema_id=schema_id, validate=self._validate)
        failure, end = scanner.check(record, 5)
        if failure is None and self._validate and end != len(record):
            failure = _TRAILING
        if failure is not None:
            self._refuse(record, schema_id, entry, failure, end)
        body = io.BytesIO(record)
        body.seek(5)
        try:
            return entry.read(body, entry.writer_parsed, entry.reader_parsed)
        except (OverflowError, ValueError) as exc:
            # Past the scan the bytes are well formed: a date or time Python cannot hold
            from schemakit.codec._scan import PYTHON_RANGE_REASON

            raise DecodeError(
                f"row 0 (schema id {schema_id}): {PYTHON_RANGE_REASON} ({exc})",
                row=0,
                schema_id=schema_id,
                reason=PYTHON_RANGE_REASON,
            ) from exc
        except (EOFError, IndexError, TypeError, KeyError) as exc:
            # without validate, a reader schema that cannot read the writer's
            raise DecodeError(
                f"cannot decode the record with schema id {schema_id}: {exc}",
                schema_id=schema_id,
                reason="bad body",
            ) from exc

    def _refuse(
        self, record: bytes, schema_id: int, entry: _WriterEntry, failure: Any, end: int
    ) -> None:
        """Raise the batch decoder's error for ``record``, the one reason table's wording.

        A writer schema Arrow cannot hold (a recursive one) has no batch decoder: the scan's
        own reason and path are worded the same way.
        """
        from schemakit.codec._reader import decode_bodies
        from schemakit.codec._scan import DEPTH_REASON, ScanFailure

        too_deep = isinstance(failure, ScanFailure) and failure.reason == DEPTH_REASON
        if not entry.recursive and not too_deep:
            values = np.frombuffer(record, np.uint8)
            bounds = (np.array([5], np.int64), np.array([len(record)], np.int64), values)
            reader = self._reader if self._reader is not None else entry.schema
            decode_bodies(bounds, entry.schema, reader, schema_id=schema_id)
            if failure is not _TRAILING:
                return  # stricter than the batch rules (a check it skips): read it
        if failure is _TRAILING:
            reason = "trailing bytes"
            detail = f": {len(record) - end} byte(s) left after the record"
        else:
            assert isinstance(failure, ScanFailure)
            reason = failure.reason
            detail = f" at field {failure.path.lstrip('.')!r}" if failure.path else ""
            if failure.limit:
                detail += f" ({failure.limit})"
        raise DecodeError(
            f"row 0 (schema id {schema_id}): {reason}{detail}",
            row=0,
            schema_id=schema_id,
            reason=reason,
        )

    def decode_batch(self, records: Any, **options: Any) -> Any:
        """Many records at once, columnar; see :func:`decode` for ``output`` and ``errors``."""
        return decode(records, self._registry, reader_schema=self._reader, **options)

    def __repr__(self) -> str:
        return f"Deserializer(registry={self._registry.location!r})"


def _header_reason(record: bytes) -> str:
    if len(record) < 5:
        return f"shorter than the 5-byte header ({len(record)} bytes)"
    if record[0] == 1:
        return "magic byte 1 (the newer GUID framing, which schemakit does not read)"
    return f"bad magic byte {record[0]} (expected 0)"
