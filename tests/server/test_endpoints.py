"""Every endpoint of ``schemakit serve`` and every error code, over HTTP against a real server.

The server (``server_url``) is shared by the module, so each test works in subjects of its own
(the ``subject`` fixture) and leaves the global level and mode as it found them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests._serve import CONTENT_TYPE

AVRO_V1 = json.dumps(
    {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
)
AVRO_V2 = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "note", "type": "string", "default": ""},
        ],
    }
)
# Drops "id" and adds a field without a default: BACKWARD-incompatible with V1 and V2.
AVRO_BREAKING = json.dumps(
    {"type": "record", "name": "Order", "fields": [{"name": "code", "type": "string"}]}
)
JSON_SCHEMA = json.dumps({"type": "object", "properties": {"id": {"type": "integer"}}})


def tagged(schema: str, tag: str) -> str:
    """``schema`` with a doc that makes it a schema no other test registers."""
    return json.dumps({**json.loads(schema), "doc": tag})


def enc(subject: str) -> str:
    """A subject as a path segment: everything escaped, dots too (no dot-segment rewriting)."""
    return quote(subject, safe="").replace(".", "%2E")


def error(response: httpx.Response, status: int, code: int) -> str:
    """Assert a Confluent error answer; its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(CONTENT_TYPE)
    body = response.json()
    assert set(body) == {"error_code", "message"}, body
    assert body["error_code"] == code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    return str(body["message"])


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(CONTENT_TYPE)
    return response.json()


@pytest.fixture
def subject() -> str:
    """A subject no other test uses."""
    return f"orders-{uuid.uuid4().hex[:12]}-value"


def register(
    client: httpx.Client, subject: str, schema: str = AVRO_V1, **body: Any
) -> httpx.Response:
    return client.post(f"/subjects/{enc(subject)}/versions", json={"schema": schema, **body})


def set_level(client: httpx.Client, subject: str, level: str) -> None:
    ok(client.put(f"/config/{enc(subject)}", json={"compatibility": level}))


# -- root, types, unknown routes --------------------------------------------------------------


def test_root_is_an_empty_object(client: httpx.Client) -> None:
    assert ok(client.get("/")) == {}


def test_schema_types(client: httpx.Client) -> None:
    assert ok(client.get("/schemas/types")) == ["AVRO", "JSON"]


def test_an_unknown_route_is_404_with_an_error_body(client: httpx.Client) -> None:
    error(client.get("/no/such/route"), 404, 404)
    error(client.get("/subjects/x/versions/1/nothing"), 404, 404)


def test_a_wrong_method_is_405_with_an_error_body(client: httpx.Client) -> None:
    response = client.put("/subjects")
    error(response, 405, 405)
    assert "GET" in response.headers["allow"]


def test_the_openapi_document_is_served(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    assert "/subjects/{subject}/versions/{version}" in document["paths"]
    assert "/mode/{subject}" in document["paths"]


# -- registering and reading ------------------------------------------------------------------


def test_register_then_read_every_way(client: httpx.Client, subject: str) -> None:
    created = ok(register(client, subject))
    assert set(created) == {"id"}
    schema_id = created["id"]
    version = ok(client.get(f"/subjects/{enc(subject)}/versions/1"))
    assert version == {"subject": subject, "id": schema_id, "version": 1, "schema": AVRO_V1}
    assert ok(client.get(f"/subjects/{enc(subject)}/versions/latest")) == version
    assert ok(client.get(f"/subjects/{enc(subject)}/versions/-1")) == version
    raw = client.get(f"/subjects/{enc(subject)}/versions/1/schema")
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith(CONTENT_TYPE)
    assert raw.text == AVRO_V1
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [1]
    assert subject in ok(client.get("/subjects"))
    assert ok(client.get(f"/schemas/ids/{schema_id}")) == {"schema": AVRO_V1}
    assert client.get(f"/schemas/ids/{schema_id}/schema").text == AVRO_V1
    assert {"subject": subject, "version": 1} in ok(
        client.get(f"/schemas/ids/{schema_id}/versions")
    )
    assert subject in ok(client.get(f"/schemas/ids/{schema_id}/subjects"))
    assert ok(client.get(f"/subjects/{enc(subject)}/versions/1/referencedby")) == []


def test_the_same_schema_keeps_its_id_and_version(client: httpx.Client, subject: str) -> None:
    first = ok(register(client, subject))["id"]
    assert ok(register(client, subject))["id"] == first
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [1]
    other = subject + "-other"
    assert ok(register(client, other))["id"] == first
    assert ok(client.get(f"/subjects/{enc(other)}/versions/latest"))["version"] == 1
    pairs = ok(client.get(f"/schemas/ids/{first}/versions"))
    assert {"subject": subject, "version": 1} in pairs
    assert {"subject": other, "version": 1} in pairs


def test_a_json_schema_carries_its_type(client: httpx.Client, subject: str) -> None:
    schema_id = ok(register(client, subject, JSON_SCHEMA, schemaType="JSON"))["id"]
    assert ok(client.get(f"/schemas/ids/{schema_id}")) == {
        "schema": JSON_SCHEMA,
        "schemaType": "JSON",
    }
    version = ok(client.get(f"/subjects/{enc(subject)}/versions/1"))
    assert version["schemaType"] == "JSON"


def test_a_version_given_outside_import_must_be_the_next(
    client: httpx.Client, subject: str
) -> None:
    error(register(client, subject, version=2), 422, 42201)
    assert "id" in ok(register(client, subject, version=1))
    # Confluent's "not given": version 0 and a negative id.
    assert "id" in ok(register(client, subject, AVRO_V2, version=0, id=-1))
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [1, 2]
    ok(client.delete(f"/subjects/{enc(subject)}/versions/2"))
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [1]


def test_subject_prefix_filters_the_list(client: httpx.Client, subject: str) -> None:
    ok(register(client, subject))
    assert ok(client.get("/subjects", params={"subjectPrefix": subject})) == [subject]


def test_normalize_matches_a_reformatted_schema(client: httpx.Client, subject: str) -> None:
    first = ok(register(client, subject))["id"]
    reordered = json.dumps(
        {"fields": [{"type": "long", "name": "id"}], "name": "Order", "type": "record"}
    )
    again = client.post(
        f"/subjects/{enc(subject)}/versions",
        params={"normalize": "true"},
        json={"schema": reordered},
    )
    assert ok(again)["id"] == first
    found = client.post(
        f"/subjects/{enc(subject)}", params={"normalize": "true"}, json={"schema": reordered}
    )
    assert ok(found)["version"] == 1


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/json; charset=utf-8",
        "application/octet-stream",
    ],
)
def test_every_confluent_media_type_is_accepted(
    client: httpx.Client, subject: str, content_type: str
) -> None:
    body = json.dumps({"schema": AVRO_V1}).encode()
    response = client.post(
        f"/subjects/{enc(subject)}/versions", content=body, headers={"Content-Type": content_type}
    )
    assert "id" in ok(response)


def test_another_media_type_is_415(client: httpx.Client, subject: str) -> None:
    body = json.dumps({"schema": AVRO_V1}).encode()
    response = client.post(
        f"/subjects/{enc(subject)}/versions", content=body, headers={"Content-Type": "text/plain"}
    )
    error(response, 415, 415)


# -- lookup -----------------------------------------------------------------------------------


def test_lookup_finds_the_version(client: httpx.Client, subject: str) -> None:
    schema_id = ok(register(client, subject))["id"]
    ok(register(client, subject, AVRO_V2))
    found = ok(client.post(f"/subjects/{enc(subject)}", json={"schema": AVRO_V1}))
    assert found == {"subject": subject, "id": schema_id, "version": 1, "schema": AVRO_V1}


def test_lookup_of_a_schema_not_under_the_subject_is_40403(
    client: httpx.Client, subject: str
) -> None:
    ok(register(client, subject))
    error(client.post(f"/subjects/{enc(subject)}", json={"schema": AVRO_V2}), 404, 40403)


def test_lookup_under_an_unknown_subject_is_40401(client: httpx.Client, subject: str) -> None:
    error(client.post(f"/subjects/{enc(subject)}", json={"schema": AVRO_V1}), 404, 40401)


def test_lookup_with_deleted_finds_a_soft_deleted_version(
    client: httpx.Client, subject: str
) -> None:
    ok(register(client, subject))
    ok(register(client, subject, AVRO_V2))
    ok(client.delete(f"/subjects/{enc(subject)}/versions/1"))
    error(client.post(f"/subjects/{enc(subject)}", json={"schema": AVRO_V1}), 404, 40403)
    found = client.post(
        f"/subjects/{enc(subject)}", params={"deleted": "true"}, json={"schema": AVRO_V1}
    )
    assert ok(found)["version"] == 1


# -- not found and invalid input --------------------------------------------------------------


def test_unknown_subject_version_and_id(client: httpx.Client, subject: str) -> None:
    error(client.get(f"/subjects/{enc(subject)}/versions"), 404, 40401)
    error(client.get(f"/subjects/{enc(subject)}/versions/1"), 404, 40401)
    ok(register(client, subject))
    error(client.get(f"/subjects/{enc(subject)}/versions/7"), 404, 40402)
    error(client.get(f"/subjects/{enc(subject)}/versions/7/schema"), 404, 40402)
    for schema_id in ("999999", "0", "-1", str(2**31), str(2**70), "abc"):
        error(client.get(f"/schemas/ids/{schema_id}"), 404, 40403)
    error(client.get("/schemas/ids/999999/schema"), 404, 40403)
    error(client.get("/schemas/ids/999999/versions"), 404, 40403)
    error(client.get("/schemas/ids/999999/subjects"), 404, 40403)


@pytest.mark.parametrize("version", ["0", "-2", "abc", "1.5", str(2**31), "１", "latest2"])
def test_an_invalid_version_is_42202(client: httpx.Client, subject: str, version: str) -> None:
    ok(register(client, subject))
    error(client.get(f"/subjects/{enc(subject)}/versions/{quote(version)}"), 422, 42202)
    error(client.delete(f"/subjects/{enc(subject)}/versions/{quote(version)}"), 422, 42202)
    check = client.post(
        f"/compatibility/subjects/{enc(subject)}/versions/{quote(version)}",
        json={"schema": AVRO_V1},
    )
    error(check, 422, 42202)


@pytest.mark.parametrize(
    "body",
    [
        {"schema": "{not json"},
        {"schema": json.dumps({"type": "record", "name": "R"})},  # no fields
        {"schema": json.dumps({"type": "nosuchtype"})},
        {"schema": "1e999"},  # not finite: JSON cannot store it
        {"schema": '{"type": "string", "doc": "\\udc80"}'},  # a lone surrogate
        {"schema": AVRO_V1, "schemaType": "PROTOBUF"},
        {"schema": AVRO_V1, "schemaType": "XML"},
        {"schema": AVRO_V1, "references": [{"name": "x", "subject": "y", "version": 1}]},
        {"schema": 42},
        {"schema": {"type": "string"}},
        {"schemaType": "AVRO"},
        [],
        "just a string",
    ],
)
def test_an_invalid_schema_or_body_is_42201(
    client: httpx.Client, subject: str, body: object
) -> None:
    error(client.post(f"/subjects/{enc(subject)}/versions", json=body), 422, 42201)
    error(client.post(f"/subjects/{enc(subject)}", json=body), 422, 42201)
    error(client.post(f"/compatibility/subjects/{enc(subject)}/versions", json=body), 422, 42201)
    error(client.get(f"/subjects/{enc(subject)}/versions"), 404, 40401)  # nothing written


def test_malformed_json_is_42201(client: httpx.Client, subject: str) -> None:
    response = client.post(f"/subjects/{enc(subject)}/versions", content=b'{"schema": ')
    error(response, 422, 42201)
    error(client.put("/config", content=b"\xff\xfe"), 422, 42201)


def test_an_invalid_query_flag_is_422(client: httpx.Client) -> None:
    error(client.get("/subjects", params={"deleted": "maybe"}), 422, 422)


def test_an_invalid_subject_is_42208(client: httpx.Client) -> None:
    error(register(client, "bad\x01subject"), 422, 42208)
    bad = enc("bad\x7fsubject")
    error(client.get(f"/subjects/{bad}/versions"), 422, 42208)


# -- compatibility ----------------------------------------------------------------------------


def test_an_incompatible_registration_is_409_and_writes_nothing(
    client: httpx.Client, subject: str
) -> None:
    set_level(client, subject, "BACKWARD")
    ok(register(client, subject))
    message = error(register(client, subject, AVRO_BREAKING), 409, 409)
    assert "BACKWARD" in message
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [1]


def test_compatibility_against_latest_and_all(client: httpx.Client, subject: str) -> None:
    set_level(client, subject, "BACKWARD")
    ok(register(client, subject))
    base = f"/compatibility/subjects/{enc(subject)}/versions"
    assert ok(client.post(f"{base}/latest", json={"schema": AVRO_V2})) == {"is_compatible": True}
    assert ok(client.post(f"{base}/1", json={"schema": AVRO_BREAKING})) == {"is_compatible": False}
    assert ok(client.post(base, json={"schema": AVRO_BREAKING})) == {"is_compatible": False}
    verbose = ok(
        client.post(f"{base}/latest", params={"verbose": "true"}, json={"schema": AVRO_BREAKING})
    )
    assert verbose["is_compatible"] is False
    assert verbose["messages"]
    assert all(isinstance(m, str) for m in verbose["messages"])
    fine = ok(client.post(base, params={"verbose": "true"}, json={"schema": AVRO_V2}))
    assert fine == {"is_compatible": True, "messages": []}


def test_compatibility_against_one_version_of_a_transitive_level(
    client: httpx.Client, subject: str
) -> None:
    set_level(client, subject, "NONE")
    ok(register(client, subject))
    ok(register(client, subject, AVRO_BREAKING))
    set_level(client, subject, "BACKWARD_TRANSITIVE")
    base = f"/compatibility/subjects/{enc(subject)}/versions"
    # AVRO_BREAKING is version 2 itself: compatible with version 2, not with version 1.
    assert ok(client.post(f"{base}/2", json={"schema": AVRO_BREAKING}))["is_compatible"]
    assert not ok(client.post(f"{base}/1", json={"schema": AVRO_BREAKING}))["is_compatible"]
    assert not ok(client.post(base, json={"schema": AVRO_BREAKING}))["is_compatible"]


def test_compatibility_of_another_schema_type_is_false(client: httpx.Client, subject: str) -> None:
    set_level(client, subject, "BACKWARD")
    ok(register(client, subject))
    answer = client.post(
        f"/compatibility/subjects/{enc(subject)}/versions/latest",
        params={"verbose": "true"},
        json={"schema": JSON_SCHEMA, "schemaType": "JSON"},
    )
    body = ok(answer)
    assert body["is_compatible"] is False
    assert "JSON" in body["messages"][0]


def test_compatibility_on_an_unknown_subject(client: httpx.Client, subject: str) -> None:
    # As Confluent: nothing to break before the first version, but no version 1 either.
    base = f"/compatibility/subjects/{enc(subject)}/versions"
    assert ok(client.post(f"{base}/latest", json={"schema": AVRO_V1})) == {"is_compatible": True}
    assert ok(client.post(base, json={"schema": AVRO_V1})) == {"is_compatible": True}
    error(client.post(f"{base}/1", json={"schema": AVRO_V1}), 404, 40402)
    ok(register(client, subject))
    error(client.post(f"{base}/5", json={"schema": AVRO_V1}), 404, 40402)


# -- deleting ---------------------------------------------------------------------------------


def test_delete_version_soft_then_permanent(client: httpx.Client, subject: str) -> None:
    schema_id = ok(register(client, subject))["id"]
    ok(register(client, subject, AVRO_V2))
    path = f"/subjects/{enc(subject)}/versions"
    error(client.delete(f"{path}/1", params={"permanent": "true"}), 404, 40407)
    assert ok(client.delete(f"{path}/1")) == 1
    error(client.delete(f"{path}/1"), 404, 40406)
    error(client.get(f"{path}/1"), 404, 40402)
    assert ok(client.get(f"{path}/1", params={"deleted": "true"}))["version"] == 1
    assert ok(client.get(path)) == [2]
    assert ok(client.get(path, params={"deleted": "true"})) == [1, 2]
    mine = {"subject": subject, "version": 1}
    assert mine not in ok(client.get(f"/schemas/ids/{schema_id}/versions"))
    assert mine in ok(client.get(f"/schemas/ids/{schema_id}/versions", params={"deleted": "true"}))
    assert ok(client.get(f"/schemas/ids/{schema_id}")) == {"schema": AVRO_V1}  # still resolves
    assert ok(client.delete(f"{path}/1", params={"permanent": "true"})) == 1
    error(client.get(f"{path}/1", params={"deleted": "true"}), 404, 40402)
    assert ok(client.delete(f"{path}/latest")) == 2


def test_delete_subject_soft_then_permanent(client: httpx.Client, subject: str) -> None:
    ok(register(client, subject))
    ok(register(client, subject, AVRO_V2))
    path = f"/subjects/{enc(subject)}"
    error(client.delete(path, params={"permanent": "true"}), 404, 40405)
    assert ok(client.delete(path)) == [1, 2]
    error(client.delete(path), 404, 40404)
    assert subject not in ok(client.get("/subjects"))
    assert subject in ok(client.get("/subjects", params={"deleted": "true"}))
    assert ok(client.delete(path, params={"permanent": "true"})) == [1, 2]
    assert subject not in ok(client.get("/subjects", params={"deleted": "true"}))
    error(client.delete(path), 404, 40401)


# -- config -----------------------------------------------------------------------------------


def test_subject_config(client: httpx.Client, subject: str) -> None:
    path = f"/config/{enc(subject)}"
    error(client.get(path), 404, 40408)
    level = ok(client.get(path, params={"defaultToGlobal": "true"}))
    assert level == {"compatibilityLevel": ok(client.get("/config"))["compatibilityLevel"]}
    assert ok(client.put(path, json={"compatibility": "full_transitive"})) == {
        "compatibility": "FULL_TRANSITIVE"
    }
    assert ok(client.get(path)) == {"compatibilityLevel": "FULL_TRANSITIVE"}
    error(client.put(path, json={"compatibility": "SIDEWAYS"}), 422, 42203)
    error(client.put(path, json={"level": "FULL"}), 422, 42201)
    assert ok(client.delete(path)) == {"compatibilityLevel": "FULL_TRANSITIVE"}
    error(client.delete(path), 404, 40401)
    error(client.get(path), 404, 40408)


def test_subject_mode_endpoints(client: httpx.Client, subject: str) -> None:
    path = f"/mode/{enc(subject)}"
    error(client.get(path), 404, 40409)
    assert ok(client.get(path, params={"defaultToGlobal": "true"})) == {"mode": "READWRITE"}
    assert ok(client.put(path, json={"mode": "readonly"})) == {"mode": "READONLY"}
    assert ok(client.get(path)) == {"mode": "READONLY"}
    error(client.put(path, json={"mode": "WRITEONLY"}), 422, 42204)
    assert ok(client.delete(path)) == {"mode": "READONLY"}
    error(client.delete(path), 404, 40409)


def test_readonly_subject_refuses_writes_with_42205(client: httpx.Client, subject: str) -> None:
    ok(register(client, subject))
    ok(client.put(f"/mode/{enc(subject)}", json={"mode": "READONLY"}))
    error(register(client, subject, AVRO_V2), 422, 42205)
    assert ok(register(client, subject))["id"] > 0  # a schema it already has: nothing written
    error(client.delete(f"/subjects/{enc(subject)}/versions/1"), 422, 42205)
    error(client.delete(f"/subjects/{enc(subject)}"), 422, 42205)
    # Reads and lookups still answer; the level can still be changed.
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [1]
    assert ok(client.post(f"/subjects/{enc(subject)}", json={"schema": AVRO_V1}))["version"] == 1
    set_level(client, subject, "FULL")
    ok(client.put(f"/mode/{enc(subject)}", json={"mode": "READWRITE"}))
    assert ok(register(client, subject, AVRO_V2))["id"] > 0


def test_import_subject_keeps_ids_and_versions(client: httpx.Client, subject: str) -> None:
    v1, v2, breaking = (tagged(s, subject) for s in (AVRO_V1, AVRO_V2, AVRO_BREAKING))
    path = f"/mode/{enc(subject)}"
    ok(client.put(path, json={"mode": "IMPORT"}))
    set_level(client, subject, "BACKWARD")
    chosen = 1_000_000 + uuid.uuid4().int % 1_000_000
    assert ok(register(client, subject, v1, id=chosen, version=5))["id"] == chosen
    # Not compatible, but IMPORT does not check.
    assert ok(register(client, subject, breaking, id=chosen + 1))["id"] == chosen + 1
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [5, 6]
    assert ok(client.get(f"/schemas/ids/{chosen}")) == {"schema": v1}
    # Idempotent with the same id; conflicts are 42207.
    assert ok(register(client, subject, v1, id=chosen))["id"] == chosen
    error(register(client, subject, v2, id=chosen), 422, 42207)  # id bound to v1
    error(register(client, subject, v2, id=chosen + 2, version=5), 422, 42207)  # version taken
    error(register(client, subject, v1, id=chosen + 3), 422, 42207)  # v1 has another id
    error(register(client, subject, v2), 422, 42205)  # IMPORT needs the id
    ok(client.delete(path))
    error(register(client, subject, v2, id=chosen + 4), 422, 42205)  # READWRITE refuses ids


def test_import_on_a_subject_with_versions_needs_force(client: httpx.Client, subject: str) -> None:
    ok(register(client, subject))
    path = f"/mode/{enc(subject)}"
    error(client.put(path, json={"mode": "IMPORT"}), 422, 42205)
    assert ok(client.put(path, params={"force": "true"}, json={"mode": "IMPORT"})) == {
        "mode": "IMPORT"
    }
    ok(client.delete(path))


# -- hostile subject names --------------------------------------------------------------------

HOSTILE = [
    "'; DROP TABLE subject_versions; --",
    '" OR 1=1 --',
    "../../etc/passwd",
    "..",
    ".",
    "a/b",
    "/leading/slash",
    "%2F",
    "100%",
    "%zz",
    "ünïcødé ✓ 日本 🚀",
    "with space",
    "?query=1#fragment",
    "<script>alert(1)</script>",
    "back\\slash",
    "+plus+",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_subject_names_are_data(client: httpx.Client, name: str) -> None:
    subject = f"{name}-{uuid.uuid4().hex[:6]}"
    schema_id = ok(register(client, subject))["id"]
    assert subject in ok(client.get("/subjects"))
    assert ok(client.get(f"/subjects/{enc(subject)}/versions")) == [1]
    version = ok(client.get(f"/subjects/{enc(subject)}/versions/latest"))
    assert version["subject"] == subject
    assert version["id"] == schema_id
    assert ok(client.post(f"/subjects/{enc(subject)}", json={"schema": AVRO_V1}))["version"] == 1
    set_level(client, subject, "FULL")
    assert ok(client.get(f"/config/{enc(subject)}")) == {"compatibilityLevel": "FULL"}
    assert {"subject": subject, "version": 1} in ok(
        client.get(f"/schemas/ids/{schema_id}/versions")
    )
    assert ok(client.delete(f"/subjects/{enc(subject)}")) == [1]
    assert ok(client.delete(f"/subjects/{enc(subject)}", params={"permanent": "true"})) == [1]
    assert subject not in ok(client.get("/subjects", params={"deleted": "true"}))
    # The tables are intact: other subjects still answer.
    assert isinstance(ok(client.get("/subjects")), list)


def test_a_hostile_name_is_not_confused_with_its_unescaped_path(client: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:6]
    ok(register(client, f"a/b-{tag}"))
    # "a" / "b-…" as two segments is another route, not the subject "a/b-…".
    error(client.get(f"/subjects/a/b-{tag}/versions"), 404, 404)
