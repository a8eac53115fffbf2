"""The registry commands of the ``schemakit`` console script, against a real DuckDB file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMAKIT = shutil.which("schemakit", path=str(Path(sys.executable).parent))

V1 = {"type": "record", "name": "Flight", "fields": [{"name": "carrier", "type": "string"}]}
V2 = {
    "type": "record",
    "name": "Flight",
    "fields": [
        {"name": "carrier", "type": "string"},
        {"name": "delay", "type": ["null", "double"], "default": None},
    ],
}
BREAKS = {"type": "record", "name": "Flight", "fields": [{"name": "carrier", "type": "int"}]}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert SCHEMAKIT is not None, "the schemakit console script is not installed in this venv"
    return subprocess.run(
        [SCHEMAKIT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {"registry": str(tmp_path / "registry.duckdb")}
    for name, schema in (("v1", V1), ("v2", V2), ("breaks", BREAKS)):
        path = tmp_path / f"{name}.avsc"
        path.write_text(json.dumps(schema))
        out[name] = str(path)
    return out


def sk(files: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(*args, "--registry", files["registry"])


def test_register_is_idempotent_and_prints_a_table_or_json(files: dict[str, str]) -> None:
    first = sk(files, "register", "flights-value", files["v1"])
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["subject", "version", "id", "flights-value", "1", "1"]
    again = sk(files, "register", "flights-value", files["v1"], "--json")
    assert json.loads(again.stdout) == {"subject": "flights-value", "version": 1, "id": 1}
    second = sk(files, "register", "flights-value", files["v2"], "--json")
    assert json.loads(second.stdout) == {"subject": "flights-value", "version": 2, "id": 2}


def test_incompatible_register_exits_1_with_every_message_and_writes_nothing(
    files: dict[str, str],
) -> None:
    sk(files, "register", "flights-value", files["v1"])
    result = sk(files, "register", "flights-value", files["breaks"])
    assert result.returncode == 1
    assert '(/fields/0/type): reader type "int" cannot read writer type "string"' in result.stdout
    versions = sk(files, "versions", "flights-value", "--json")
    assert [row["version"] for row in json.loads(versions.stdout)] == [1]


def test_check_exits_0_or_1_and_lists_messages(files: dict[str, str]) -> None:
    sk(files, "register", "flights-value", files["v1"])
    ok = sk(files, "check", "flights-value", files["v2"])
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("compatible with 'flights-value' under BACKWARD")
    bad = sk(files, "check", "flights-value", files["breaks"], "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["compatible"] is False
    assert report["level"] == "BACKWARD"
    assert len(report["messages"]) == 1


def test_subjects_versions_config_delete(files: dict[str, str]) -> None:
    hostile = "x'; DROP TABLE schemas; --"
    for subject in ("flights-value", hostile, "vögel-value"):
        assert sk(files, "register", subject, files["v1"]).returncode == 0
    listed = json.loads(sk(files, "subjects", "--json").stdout)
    assert sorted(listed) == sorted(["flights-value", hostile, "vögel-value"])

    assert sk(files, "config", "flights-value", "--level", "none").returncode == 0
    shown = json.loads(sk(files, "config", "flights-value", "--json").stdout)
    assert shown == {"subject": "flights-value", "compatibilityLevel": "NONE"}
    assert json.loads(sk(files, "config", "--json").stdout)["compatibilityLevel"] == "BACKWARD"
    assert sk(files, "register", "flights-value", files["breaks"]).returncode == 0

    table = sk(files, "versions", "flights-value")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:2] == ["version", "id"]

    assert json.loads(sk(files, "delete", hostile, "--json").stdout) == [1]
    assert hostile not in json.loads(sk(files, "subjects", "--json").stdout)
    assert hostile in json.loads(sk(files, "subjects", "--deleted", "--json").stdout)
    hard = sk(files, "delete", hostile, "--permanent", "--json")
    assert json.loads(hard.stdout) == [1]
    assert sk(files, "delete", "flights-value", "--version", "latest").returncode == 0
    assert json.loads(sk(files, "versions", "flights-value", "--json").stdout)[-1]["deleted"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("versions", "nope"), "nope"),
        (("config", "--level", "SIDEWAYS"), "BACKWARD_TRANSITIVE"),
        (("delete", "nope", "--version", "x"), "--version 'x'"),
        (("register", "s", "/no/such/file.avsc"), "/no/such/file.avsc"),
        (("register", "", "FILE"), "subject"),
    ],
    ids=["unknown-subject", "bad-level", "bad-version", "missing-file", "empty-subject"],
)
def test_errors_are_one_line_and_exit_2(
    files: dict[str, str], args: tuple[str, ...], fragment: str
) -> None:
    args = tuple(files["v1"] if a == "FILE" else a for a in args)
    result = sk(files, *args)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("schemakit: error: ")
    assert fragment in lines[0]


def test_registry_defaults_to_the_environment_variable(files: dict[str, str]) -> None:
    env = {"SCHEMAKIT_REGISTRY": files["registry"]}
    assert run("register", "a-value", files["v1"], env=env).returncode == 0
    assert json.loads(sk(files, "subjects", "--json").stdout) == ["a-value"]
