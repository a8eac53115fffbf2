"""confluent-kafka's own client against a real ``schemakit serve`` (the REST API both ways).

confluent-kafka's ``SchemaRegistryClient`` is the judge of the server: it registers, looks up,
reads, checks compatibility, configures and deletes, and gets the answers and
``SchemaRegistryError.error_code`` values it expects. Then the serializers: records from
confluent's ``AvroSerializer`` decode with ``sk.decode(records, sk.Registry(url))``, and records
from ``sk.encode(..., registry=sk.Registry(url))`` decode with its ``AvroDeserializer``, against
the same served registry, for the schema of test_confluent_kafka.py (nested records, arrays,
maps, enums, nullable fields, date, timestamp-millis/micros, decimal, uuid); the Avro bodies
(after the 5-byte header) are byte-identical for the same rows.

One ``schemakit serve`` subprocess per module (tests/_serve.py); tests use their own subjects.
Requires ``confluent-kafka[avro]`` (tested with 2.16.1).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

import schemakit as sk
from tests._serve import serve
from tests.interop.test_confluent_kafka import EXPECTED, ROWS, SCHEMA, _arrow_rows, _row, _table

V1 = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]})
V2 = json.dumps(
    {
        "type": "record",
        "name": "R",
        "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "string", "default": ""}],
    }
)
BREAKS = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]})


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("interop") / "registry.duckdb") as base_url:
        yield base_url


@pytest.fixture
def client(url: str) -> Iterator[SchemaRegistryClient]:
    """confluent's client, with its caches fresh for each test."""
    sr = SchemaRegistryClient({"url": url})
    yield sr
    sr.close()


@pytest.fixture
def subject() -> str:
    return f"t-{uuid.uuid4().hex[:12]}-value"


def _code(call: Any, *args: Any, **kwargs: Any) -> int:
    with pytest.raises(SchemaRegistryError) as info:
        call(*args, **kwargs)
    return int(info.value.error_code)


def test_register_lookup_and_read(client: SchemaRegistryClient, subject: str) -> None:
    client.set_compatibility(subject, "BACKWARD")
    first = client.register_schema(subject, Schema(V1, "AVRO"))
    assert client.register_schema(subject, Schema(V1, "AVRO")) == first  # idempotent
    second = client.register_schema(subject, Schema(V2, "AVRO"))
    assert second != first
    found = client.lookup_schema(subject, Schema(V1, "AVRO"))
    assert (found.subject, found.version, found.schema_id) == (subject, 1, first)
    assert json.loads(client.get_schema(first).schema_str) == json.loads(V1)
    latest = client.get_latest_version(subject)
    assert (latest.version, latest.schema_id) == (2, second)
    assert client.get_version(subject, 1).schema_id == first
    assert client.get_versions(subject) == [1, 2]
    assert subject in client.get_subjects()
    assert client.get_schema_versions(first)
    assert (subject, 1) in {(sv.subject, sv.version) for sv in client.get_schema_versions(first)}
    assert "AVRO" in client.get_schema_types()


def test_compatibility_checks(client: SchemaRegistryClient, subject: str) -> None:
    client.set_compatibility(subject, "BACKWARD")
    client.register_schema(subject, Schema(V1, "AVRO"))
    assert client.test_compatibility(subject, Schema(V2, "AVRO")) is True
    assert client.test_compatibility(subject, Schema(BREAKS, "AVRO")) is False
    assert client.test_compatibility(subject, Schema(BREAKS, "AVRO"), verbose=True) is False
    assert client.test_compatibility_all_versions(subject, Schema(V2, "AVRO")) is True
    # The verbose answer itself, through the client's own REST session.
    answer = client._rest_client.post(
        f"compatibility/subjects/{subject}/versions/latest?verbose=true",
        body=Schema(BREAKS, "AVRO").to_dict(),
    )
    assert answer["is_compatible"] is False
    assert answer["messages"]
    assert "/fields/0/type" in answer["messages"][0]
    assert _code(client.register_schema, subject, Schema(BREAKS, "AVRO")) == 409


def test_config(client: SchemaRegistryClient, subject: str) -> None:
    # the client hands back the PUT body, Confluent's {"compatibility": …}
    assert client.set_compatibility(subject, "FULL") == {"compatibility": "FULL"}
    assert client.get_compatibility(subject) == "FULL"
    assert client.get_config(subject).compatibility_level.value == "FULL"  # GET: compatibilityLevel
    assert client.get_compatibility() in ("BACKWARD", "NONE", "FULL", "FORWARD")
    client.delete_config(subject)
    assert _code(client.get_compatibility, subject) == 40408


def test_deletes_soft_and_permanent(client: SchemaRegistryClient, subject: str) -> None:
    client.set_compatibility(subject, "NONE")
    client.register_schema(subject, Schema(V1, "AVRO"))
    client.register_schema(subject, Schema(V2, "AVRO"))
    assert client.delete_version(subject, 1) == 1
    assert _code(client.get_version, subject, 1) == 40402
    assert client.get_version(subject, 1, deleted=True).version == 1
    assert _code(client.delete_version, subject, 1) == 40406
    assert _code(client.delete_version, subject, 2, permanent=True) == 40407
    assert client.delete_version(subject, 1, permanent=True) == 1
    assert _code(client.get_version, subject, 1, deleted=True) == 40402
    assert _code(client.delete_subject, subject, permanent=True) == 40405
    assert client.delete_subject(subject) == [2]
    assert _code(client.delete_subject, subject) == 40404
    assert subject not in client.get_subjects()
    assert client.delete_subject(subject, permanent=True) == [2]
    assert _code(client.get_versions, subject) == 40401


def test_error_codes_for_missing_things(client: SchemaRegistryClient, subject: str) -> None:
    assert _code(client.get_latest_version, subject) == 40401
    assert _code(client.get_schema, 2_000_000_000) == 40403
    client.register_schema(subject, Schema(V1, "AVRO"))
    assert _code(client.get_version, subject, 99) == 40402
    assert _code(client.lookup_schema, subject, Schema(V2, "AVRO")) == 40403
    assert _code(client.register_schema, subject, Schema("{not json", "AVRO")) == 42201
    assert _code(client.set_compatibility, subject, "SIDEWAYS") == 42203


def test_mode(client: SchemaRegistryClient, subject: str) -> None:
    assert client.get_global_mode() == "READWRITE"
    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert client.get_mode(subject) == "READONLY"
    assert _code(client.register_schema, subject, Schema(V1, "AVRO")) == 42205
    assert client.delete_mode(subject) == "READONLY"


# -- serializers against the served registry ---------------------------------------------------


@pytest.fixture
def registry(url: str) -> Iterator[sk.Registry]:
    with sk.Registry(url) as reg:
        yield reg


def _ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def test_confluent_records_decode_with_sk(
    client: SchemaRegistryClient, registry: sk.Registry
) -> None:
    topic = f"orders-{uuid.uuid4().hex[:8]}"
    serializer = AvroSerializer(client, json.dumps(SCHEMA), conf={"auto.register.schemas": True})
    records = [serializer(row, _ctx(topic)) for row in ROWS]
    decoded = sk.decode(records, registry, output="arrow")
    assert _arrow_rows(decoded) == EXPECTED


def test_sk_records_decode_with_confluent_and_bodies_match(
    client: SchemaRegistryClient, registry: sk.Registry
) -> None:
    topic = f"orders-{uuid.uuid4().hex[:8]}"
    ours = sk.encode(_table(), topic=topic, registry=registry, schema=json.dumps(SCHEMA))
    ours_records = ours.to_pylist()
    deserializer = AvroDeserializer(client)
    assert [_row(deserializer(r, _ctx(topic))) for r in ours_records] == EXPECTED
    serializer = AvroSerializer(client, json.dumps(SCHEMA), conf={"auto.register.schemas": True})
    theirs = [serializer(row, _ctx(topic)) for row in ROWS]
    # the same schema id (one registry) and byte-identical Avro bodies
    assert [r[:5] for r in theirs] == [r[:5] for r in ours_records]
    for i, (mine, other) in enumerate(zip(ours_records, theirs, strict=True)):
        assert mine[5:] == other[5:], f"row {i}"


def test_listings_filter_and_page_as_confluent_does(client: SchemaRegistryClient) -> None:
    prefix = f"p-{uuid.uuid4().hex[:8]}-"
    for name in ("a", "b", "c"):
        client.register_schema(prefix + name, Schema(V1, "AVRO"))
    client.delete_subject(prefix + "b")
    client.register_schema(prefix + "c", Schema(V2, "AVRO"))
    client.delete_version(prefix + "c", 1)
    assert client.get_subjects(subject_prefix=prefix) == [prefix + "a", prefix + "c"]
    assert client.get_subjects(subject_prefix=prefix, deleted_only=True) == [prefix + "b"]
    assert client.get_subjects(subject_prefix=prefix, deleted=True, offset=1, limit=1) == [
        prefix + "b"
    ]
    assert client.get_versions(prefix + "c", deleted_only=True) == [1]
    assert client.get_versions(prefix + "c", deleted=True, limit=1) == [1]


def test_compatibility_before_the_first_version(client: SchemaRegistryClient, subject: str) -> None:
    assert client.test_compatibility(subject, Schema(V1, "AVRO")) is True
    assert _code(client.test_compatibility, subject, Schema(V1, "AVRO"), version=1) == 40402


@pytest.mark.parametrize(
    "path", ["/subjects", "/config", "/mode", "/schemas/types", "/subjects/{s}/versions"]
)
def test_a_trailing_slash_is_answered_not_redirected(
    url: str, client: SchemaRegistryClient, subject: str, path: str
) -> None:
    import httpx

    client.register_schema(subject, Schema(V1, "AVRO"))
    path = path.format(s=subject)
    with httpx.Client(base_url=url, follow_redirects=False) as http:
        plain, slashed = http.get(path), http.get(path + "/")
        assert slashed.status_code == plain.status_code == 200
        assert slashed.json() == plain.json()
        put = http.put("/config/" + subject + "/", json={"compatibility": "FULL"})
        assert (put.status_code, put.json()) == (200, {"compatibility": "FULL"})


def test_schemas_contexts_metadata_and_the_global_mode(
    url: str, client: SchemaRegistryClient, subject: str
) -> None:
    import httpx

    schema_id = client.register_schema(subject, Schema(V1, "AVRO"))
    assert client.get_contexts() == ["."]
    with httpx.Client(base_url=url) as http:
        listed = http.get("/schemas", params={"subjectPrefix": subject}).json()
        assert listed == [{"subject": subject, "version": 1, "id": schema_id, "schema": V1}]
        assert (
            http.get("/schemas", params={"subjectPrefix": subject, "latestOnly": "true"}).json()
            == listed
        )
        clusters = http.get("/v1/metadata/id").json()["scope"]["clusters"]
        assert set(clusters) == {"kafka-cluster", "schema-registry-cluster"}
        assert http.get("/v1/metadata/version").json()["version"] == sk.__version__
        client.update_global_mode("READONLY")
        try:
            assert http.delete("/mode").json() == {"mode": "READONLY"}
        finally:
            client.update_global_mode("READWRITE")
        assert client.get_global_mode() == "READWRITE"
