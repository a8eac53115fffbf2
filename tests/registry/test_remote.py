"""Remote-only behaviour of ``Registry("http://…")``: connection errors, retries, auth, timeouts.

The contract suite (test_contract.py, test_modes.py) already runs every registry rule against a
served registry. Here: what only a remote registry can do wrong. Misbehaving servers are tiny
real ``http.server`` servers on 127.0.0.1 in a thread; the happy paths use a real
``schemakit serve`` subprocess (tests/_serve.py).
"""

from __future__ import annotations

import base64
import json
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemakit.errors import (
    IncompatibleSchemaError,
    RegistryConnectionError,
    SchemakitError,
    SubjectNotFoundError,
)
from schemakit.registry import Registry
from schemakit.registry._rest import RestBackend, redact_url
from tests._serve import free_port, serve

V1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
V2_BREAKS = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}


class _Fake:
    """A real HTTP server on 127.0.0.1 answering every request with ``reply``; counts requests."""

    def __init__(self, reply: Callable[[BaseHTTPRequestHandler], tuple[int, bytes, str]]) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                fake.requests.append((self.command, self.path, dict(self.headers.items())))
                status, body, content_type = reply(self)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Fake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


def _json(status: int, body: Any) -> Callable[[BaseHTTPRequestHandler], tuple[int, bytes, str]]:
    data = json.dumps(body).encode()
    return lambda _: (status, data, "application/vnd.schemaregistry.v1+json")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``schemakit serve`` subprocess for this module."""
    with serve(tmp_path_factory.mktemp("remote") / "registry.duckdb") as url:
        yield url


def test_a_real_served_registry_round_trips(served: str) -> None:
    with Registry(served) as reg:
        reg.set_compatibility("BACKWARD", "orders-value")
        got = reg.register("orders-value", V1)
        assert reg.get_by_id(got.id) == got.schema
        assert reg.lookup("orders-value", V1) == got
        assert reg.location == served


def test_incompatible_registration_carries_the_servers_messages(served: str) -> None:
    with Registry(served) as reg:
        reg.set_compatibility("BACKWARD", "breaks-value")
        reg.register("breaks-value", V1)
        with pytest.raises(IncompatibleSchemaError) as info:
            reg.register("breaks-value", V2_BREAKS)
    error = info.value
    assert error.error_code == 409
    assert error.subject == "breaks-value"
    assert error.level == "BACKWARD"
    assert error.messages
    assert any("/fields/0/type" in m for m in error.messages)


def test_hostile_subjects_are_path_segments_not_paths(served: str) -> None:
    with Registry(served) as reg:
        reg.set_compatibility("NONE")
        for name in ["a/b", "../config", "?x=1&y", "#frag", "%2F", "sp ace", "ünï"]:
            got = reg.register(name, V1)
            assert reg.get_latest(name) == got
        assert reg.compatibility() == "NONE"  # "../config" did not reach /config
        assert {"a/b", "../config", "?x=1&y", "#frag", "%2F"} <= set(reg.subjects())


def test_connection_refused_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with Registry(url, timeout=2.0) as reg:
        reg._backend._backoff = 0.001  # type: ignore[attr-defined]
        with pytest.raises(RegistryConnectionError) as info:
            reg.subjects()
    error = info.value
    assert url in str(error)
    assert error.url == url
    assert "after 4 attempts" in str(error)
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert isinstance(error, ConnectionError)
    assert error.error_code == 50003


def test_a_failing_server_is_retried_then_a_clear_error() -> None:
    with (
        _Fake(lambda _: (500, b"<html>oops</html>", "text/html")) as fake,
        Registry(fake.url) as reg,
    ):
        reg._backend._backoff = 0.001  # type: ignore[attr-defined]
        with pytest.raises(RegistryConnectionError, match=r"unexpected answer 500") as info:
            reg.subjects()
    assert len(fake.requests) == 4  # one try and three retries
    assert "after 4 attempts" in str(info.value)
    assert fake.url in str(info.value)


def test_registrations_are_never_retried() -> None:
    def reply(handler: BaseHTTPRequestHandler) -> tuple[int, bytes, str]:
        if handler.command == "POST" and handler.path.startswith("/subjects/s/versions"):
            return 503, b"busy", "text/plain"
        return 404, json.dumps({"error_code": 40401, "message": "no"}).encode(), "application/json"

    with _Fake(reply) as fake, Registry(fake.url) as reg:
        reg._backend._backoff = 0.001  # type: ignore[attr-defined]
        with pytest.raises(RegistryConnectionError, match="unexpected answer 503"):
            reg.register("s", V1)
    posts = [r for r in fake.requests if r[0] == "POST" and r[1].startswith("/subjects/s/versions")]
    assert len(posts) == 1


def test_garbage_success_bodies_are_a_connection_error() -> None:
    with (
        _Fake(lambda _: (200, b"not json at all", "text/plain")) as fake,
        Registry(fake.url) as reg,
        pytest.raises(RegistryConnectionError, match="not JSON") as info,
    ):
        reg.subjects()
    assert isinstance(info.value.__cause__, ValueError)


@pytest.mark.parametrize(
    ("body", "match"),
    [({"unexpected": True}, "unexpected body"), ([1, 2], "unexpected body")],
)
def test_well_formed_json_of_the_wrong_shape_is_a_connection_error(body: Any, match: str) -> None:
    with (
        _Fake(_json(200, body)) as fake,
        Registry(fake.url) as reg,
        pytest.raises(RegistryConnectionError, match=match),
    ):
        reg.subjects()


def test_confluent_error_bodies_become_schemakit_errors() -> None:
    body = {"error_code": 40401, "message": "Subject 'x' not found."}
    with (
        _Fake(_json(404, body)) as fake,
        Registry(fake.url) as reg,
        pytest.raises(SubjectNotFoundError, match="Subject 'x' not found") as info,
    ):
        reg.versions("x")
    assert info.value.subject == "x"
    assert type(info.value) is SubjectNotFoundError


def test_credentials_in_the_url_are_sent_as_basic_auth_and_redacted() -> None:
    with _Fake(_json(200, [])) as fake:
        url = fake.url.replace("http://", "http://alice:s%3Ecret@")
        with Registry(url) as reg:
            assert reg.subjects() == []
            shown = [repr(reg), reg.location, repr(reg._backend)]
    sent = fake.requests[0][2]["Authorization"]
    assert sent == "Basic " + base64.b64encode(b"alice:s>cret").decode()
    for text in shown:
        assert "cret" not in text
        assert "alice:***@" in text


def test_credentials_are_redacted_from_errors() -> None:
    with _Fake(_json(401, {"error_code": 401, "message": "Unauthorized"})) as fake:
        url = fake.url.replace("http://", "http://bob:hunter2@")
        with Registry(url) as reg, pytest.raises(RegistryConnectionError) as info:
            reg.subjects()
    error = info.value
    assert "refused the credentials (401)" in str(error)
    assert "hunter2" not in str(error)
    assert error.url is not None
    assert "hunter2" not in error.url
    assert "hunter2" not in repr(pickle.loads(pickle.dumps(error)))


def test_a_slow_server_times_out() -> None:
    release = threading.Event()

    def reply(_: BaseHTTPRequestHandler) -> tuple[int, bytes, str]:
        release.wait(5)
        return 200, b"[]", "application/json"

    with _Fake(reply) as fake:
        try:
            with Registry(fake.url, timeout=0.2) as reg:
                reg._backend._retries = 1  # type: ignore[attr-defined]
                reg._backend._backoff = 0.001  # type: ignore[attr-defined]
                with pytest.raises(RegistryConnectionError, match="timed out") as info:
                    reg.subjects()
        finally:
            release.set()
    assert isinstance(info.value.__cause__, httpx.TimeoutException)
    assert len(fake.requests) >= 1


def test_a_client_can_be_passed_and_is_not_closed(served: str) -> None:
    with httpx.Client(timeout=10.0, headers={"X-Trace": "t1"}) as client:
        with Registry(served, client=client) as reg:
            reg.subjects()
        assert not client.is_closed
        assert client.get(f"{served}/subjects").status_code == 200


def test_client_with_a_file_location_is_refused(tmp_path: Path) -> None:
    with httpx.Client() as client, pytest.raises(ValueError, match="client="):
        Registry(tmp_path / "r.duckdb", client=client)


@pytest.mark.parametrize(
    "url", ["http://", "http://host:notaport", "http://host/?q=1", "https://host/#f"]
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        Registry(url)


def test_a_closed_remote_registry_refuses_calls() -> None:
    reg = Registry("http://127.0.0.1:9")
    reg.close()
    with pytest.raises(SchemakitError, match="closed"):
        reg.subjects()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://u:p@h:1/x", "http://u:***@h:1/x"),
        ("https://key@h", "https://key@h"),
        ("http://h:8081", "http://h:8081"),
        ("http://u:p@[::1]:8081", "http://u:***@[::1]:8081"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_schemas_by_id_are_cached(served: str) -> None:
    with Registry(served) as reg:
        got = reg.register("cache-value", V1)
    backend = RestBackend(served)
    try:
        first = backend.schema_by_id(got.id)
        backend._client.close()  # a second read would now fail
        assert backend.schema_by_id(got.id) is first
    finally:
        backend.close()


def test_basic_auth_against_a_real_server(tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.write_text("alice:pa:ss@word\n", encoding="utf-8")
    with serve(
        tmp_path / "auth.duckdb", auth_file=users, credentials=("alice", "pa:ss@word")
    ) as url:
        signed = url.replace("http://", "http://alice:pa%3Ass%40word@")
        with Registry(signed) as reg:
            assert reg.register("s", V1).id == 1
            assert "word" not in repr(reg)
        with Registry(url) as anonymous, pytest.raises(RegistryConnectionError) as info:
            anonymous.subjects()
        assert "(401)" in str(info.value)
        wrong = url.replace("http://", "http://alice:nope@")
        with Registry(wrong) as reg, pytest.raises(RegistryConnectionError) as info:
            reg.subjects()
        assert "nope" not in str(info.value)


def test_without_httpx_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)  # makes `import httpx` fail
    with pytest.raises(ImportError, match=r"pip install 'schemakit\[remote\]'"):
        Registry("http://127.0.0.1:9")


def test_a_server_side_store_error_is_retried_then_a_connection_error() -> None:
    body = {"error_code": 50001, "message": "Error in the backend data store"}
    with _Fake(_json(500, body)) as fake, Registry(fake.url) as reg:
        reg._backend._backoff = 0.001  # type: ignore[attr-defined]
        with pytest.raises(RegistryConnectionError, match=r"500 \(50001\).*backend data store"):
            reg.get_by_id(1)
    assert len(fake.requests) == 4
