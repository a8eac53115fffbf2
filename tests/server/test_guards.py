"""What keeps ``schemakit serve`` safe: basic auth, the body bound, the global mode, the CLI."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schemakit.errors import SchemakitError
from schemakit.server import BasicAuth, load_users
from tests._serve import CONTENT_TYPE, serve

SCHEMA = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
HEADERS = {"Content-Type": CONTENT_TYPE}


def assert_error(response: httpx.Response, status: int, code: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == code
    assert isinstance(body["message"], str)


# -- auth -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("auth")
    users = folder / "users.txt"
    hashed = hashlib.sha256(b"s3cret:with:colons").hexdigest()
    users.write_text(f"# users\n\nalice:wonderland\nbob:sha256:{hashed}\n", encoding="utf-8")
    with serve(
        folder / "registry.duckdb", auth_file=users, credentials=("alice", "wonderland")
    ) as url:
        yield url


@pytest.mark.parametrize(
    "auth",
    [None, ("alice", "wrong"), ("mallory", "wonderland"), ("alice", ""), ("bob", "s3cret")],
)
def test_auth_refuses_missing_or_wrong_credentials(
    auth_server: str, auth: tuple[str, str] | None
) -> None:
    for method, path in (("GET", "/subjects"), ("GET", "/nope"), ("POST", "/subjects/s/versions")):
        response = httpx.request(
            method, f"{auth_server}{path}", auth=auth, json={"schema": SCHEMA}, headers=HEADERS
        )
        assert_error(response, 401, 401)
        assert response.headers["www-authenticate"].startswith("Basic realm=")


@pytest.mark.parametrize("header", ["Bearer abc", "Basic !!!notbase64", "Basic " + "YWxpY2U="])
def test_auth_refuses_malformed_headers(auth_server: str, header: str) -> None:
    response = httpx.get(f"{auth_server}/subjects", headers={"Authorization": header})
    assert_error(response, 401, 401)


@pytest.mark.parametrize("auth", [("alice", "wonderland"), ("bob", "s3cret:with:colons")])
def test_auth_lets_the_right_credentials_in(auth_server: str, auth: tuple[str, str]) -> None:
    response = httpx.post(
        f"{auth_server}/subjects/{auth[0]}-value/versions",
        auth=auth,
        json={"schema": SCHEMA},
        headers=HEADERS,
    )
    assert response.status_code == 200, response.text
    assert f"{auth[0]}-value" in httpx.get(f"{auth_server}/subjects", auth=auth).json()


def test_the_credentials_may_come_in_the_url(auth_server: str) -> None:
    url = auth_server.replace("http://", "http://alice:wonderland@")
    assert httpx.get(f"{url}/").status_code == 200


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no user"),
        ("# only a comment\n", "no user"),
        ("alice\n", "line 1"),
        ("ok:fine\n:nouser\n", "line 2"),
        ("alice:\n", "line 1"),
    ],
)
def test_a_malformed_auth_file_is_refused(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "users.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemakitError, match=fragment):
        load_users(path)


def test_a_missing_auth_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemakitError, match="cannot read the auth file"):
        BasicAuth.from_file(tmp_path / "absent.txt")


# -- body bound -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("small") / "registry.duckdb", max_body_bytes=2048) as url:
        yield url


def test_a_body_within_the_bound_is_read(small_server: str) -> None:
    response = httpx.post(
        f"{small_server}/subjects/small-value/versions", json={"schema": SCHEMA}, headers=HEADERS
    )
    assert response.status_code == 200, response.text


def test_a_body_over_the_bound_is_413(small_server: str) -> None:
    fields = [{"name": f"f{i}", "type": "int"} for i in range(200)]
    schema = json.dumps({"type": "record", "name": "Big", "fields": fields})
    response = httpx.post(
        f"{small_server}/subjects/big-value/versions", json={"schema": schema}, headers=HEADERS
    )
    assert_error(response, 413, 413)
    assert "big-value" not in httpx.get(f"{small_server}/subjects").json()


def test_a_chunked_body_over_the_bound_is_413(small_server: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"schema": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    response = httpx.post(
        f"{small_server}/subjects/chunked-value/versions", content=chunks(), headers=HEADERS
    )
    assert_error(response, 413, 413)
    assert "chunked-value" not in httpx.get(f"{small_server}/subjects").json()


# -- the global mode --------------------------------------------------------------------------


def test_global_readonly_and_import_modes(tmp_path: Path) -> None:
    with (
        serve(tmp_path / "registry.duckdb") as url,
        httpx.Client(base_url=url, headers=HEADERS) as client,
    ):
        assert client.get("/mode").json() == {"mode": "READWRITE"}
        assert client.post("/subjects/s/versions", json={"schema": SCHEMA}).status_code == 200
        assert client.put("/mode", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
        assert_error(client.post("/subjects/t/versions", json={"schema": SCHEMA}), 422, 42205)
        assert_error(client.delete("/subjects/s"), 422, 42205)
        assert client.get("/subjects").json() == ["s"]
        # A subject's own mode wins over the global one.
        assert client.put("/mode/t", json={"mode": "READWRITE"}).status_code == 200
        assert client.post("/subjects/t/versions", json={"schema": SCHEMA}).status_code == 200
        assert client.put("/config", json={"compatibility": "FULL"}).json() == {
            "compatibility": "FULL"
        }
        assert client.get("/config").json() == {"compatibilityLevel": "FULL"}
        assert client.delete("/config").json() == {"compatibilityLevel": "FULL"}
        assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
        assert_error(client.put("/mode", json={"mode": "IMPORT"}), 422, 42205)
        answer = client.put("/mode", params={"force": "true"}, json={"mode": "IMPORT"})
        assert answer.json() == {"mode": "IMPORT"}
        assert client.get("/mode/s", params={"defaultToGlobal": "true"}).json() == {
            "mode": "IMPORT"
        }
        assert_error(client.put("/mode", json={"mode": "nope"}), 422, 42204)


# -- the command line -------------------------------------------------------------------------


def test_serve_refuses_a_missing_auth_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemakit.cli",
            "serve",
            "--registry",
            str(tmp_path / "r.duckdb"),
            "--auth-file",
            str(tmp_path / "absent.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "auth file" in done.stderr


def test_serve_refuses_a_bad_body_bound(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemakit.cli",
            "serve",
            "--registry",
            str(tmp_path / "r.duckdb"),
            "--max-body-bytes",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "max_body_bytes" in done.stderr


# -- the optional extra -----------------------------------------------------------------------

_WITHOUT = """
import sys
sys.modules[{module!r}] = None  # as if not installed
"""


@pytest.mark.parametrize("module", ["fastapi", "uvicorn"])
def test_serve_without_the_extra_names_it(tmp_path: Path, module: str) -> None:
    code = _WITHOUT.format(module=module) + (
        "import sys\n"
        "from schemakit.cli import app\n"
        f"sys.argv = ['schemakit', 'serve', '--registry', {str(tmp_path / 'r.duckdb')!r}]\n"
        "app()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'schemakit[server]'" in done.stderr
    assert module in done.stderr


def test_importing_the_server_without_fastapi_names_the_extra() -> None:
    code = _WITHOUT.format(module="fastapi") + "import schemakit.server\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert "pip install 'schemakit[server]'" in done.stderr
