"""The ``schemakit`` console script given hostile input: bounded schema files, bytes that are
not UTF-8, and subjects whose bidi controls would reorder what a terminal shows."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from schemakit._bidi import BIDI_CONTROLS
from schemakit.cli import app
from schemakit.registry import Registry
from schemakit.server import DEFAULT_MAX_BODY_BYTES

SCHEMAKIT = shutil.which("schemakit", path=str(Path(sys.executable).parent))
SCHEMA = b'{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}'
#: Room for the interpreter, numpy, pyarrow and DuckDB, and far below what an unbounded read of
#: /dev/zero reaches before the timeout.
_MEMORY = 3 * 2**30


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY, _MEMORY))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert SCHEMAKIT is not None, "the schemakit console script is not installed in this venv"
    return subprocess.run(
        [SCHEMAKIT, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        preexec_fn=_bounded,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("schemakit: error: ")
    return lines[0]


# --------------------------------------------------------------------------------------------
# schema files: bounded by the server's body limit, UTF-8


@pytest.mark.parametrize("command", ["register", "check"])
def test_a_schema_file_past_the_limit_is_refused_unread(tmp_path: Path, command: str) -> None:
    big = tmp_path / "big.avsc"
    with big.open("wb") as handle:
        handle.write(SCHEMA)
        handle.truncate(DEFAULT_MAX_BODY_BYTES + 1)  # sparse: the rest reads as zero bytes
    registry = tmp_path / "registry.duckdb"
    line = one_error_line(run(command, "s", str(big), "--registry", str(registry)))
    assert str(big) in line
    assert f"{DEFAULT_MAX_BODY_BYTES:,} bytes" in line
    if registry.exists():
        with Registry(str(registry)) as reg:
            assert reg.subjects() == []


def test_dev_zero_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    line = one_error_line(run("register", "s", "/dev/zero", "--registry", str(tmp_path / "r")))
    assert "/dev/zero" in line
    assert "larger than" in line


def test_a_schema_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "padded.avsc"
    path.write_bytes(SCHEMA.ljust(DEFAULT_MAX_BODY_BYTES))
    registry = str(tmp_path / "registry.duckdb")
    done = run("register", "s", str(path), "--registry", registry, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"subject": "s", "version": 1, "id": 1}


LATIN1 = SCHEMA[:-1] + b', "doc": "caf\xe9"}'
TRUNCATED = SCHEMA[:-1] + b', "doc": "\xe2\x82"}'
# (case, file bytes, offset named)
NOT_UTF8 = [
    ("latin-1 doc", LATIN1, LATIN1.index(b"\xe9")),
    ("bad first byte", b"\xff" + SCHEMA, 0),
    ("UTF-16", SCHEMA.decode().encode("utf-16"), 0),
    ("truncated sequence", TRUNCATED, TRUNCATED.index(b"\xe2")),
]


@pytest.mark.parametrize(("case", "data", "offset"), NOT_UTF8, ids=[c for c, *_ in NOT_UTF8])
@pytest.mark.parametrize("command", ["register", "check"])
def test_a_schema_file_that_is_not_utf8_is_one_line_and_exit_2(
    tmp_path: Path, command: str, case: str, data: bytes, offset: int
) -> None:
    path = tmp_path / "latin1.avsc"
    path.write_bytes(data)
    line = one_error_line(run(command, "s", str(path), "--registry", str(tmp_path / "r.duckdb")))
    assert str(path) in line
    assert "not UTF-8" in line
    assert f"offset {offset}" in line


# --------------------------------------------------------------------------------------------
# bidi controls in subjects: printed escaped

SNEAKY = "pay" + "".join(sorted(BIDI_CONTROLS)) + "-value"
ESCAPED = "pay" + "".join(f"\\u{ord(c):04x}" for c in sorted(BIDI_CONTROLS)) + "-value"


def test_bidi_controls_are_the_documented_set() -> None:
    points = {ord(c) for c in BIDI_CONTROLS}
    assert points == {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C}


def no_bidi(text: str) -> bool:
    return not any(c in BIDI_CONTROLS for c in text)


def test_the_cli_prints_bidi_controls_escaped(tmp_path: Path) -> None:
    schema = tmp_path / "s.avsc"
    schema.write_bytes(SCHEMA)
    registry = str(tmp_path / "registry.duckdb")
    table = run("register", SNEAKY, str(schema), "--registry", registry)
    assert table.returncode == 0, table.stderr
    assert no_bidi(table.stdout)
    assert ESCAPED in table.stdout
    listed = run("subjects", "--registry", registry, "--json")
    assert no_bidi(listed.stdout)
    assert json.loads(listed.stdout) == [SNEAKY]  # escaped as JSON, the same subject
    checked = run("check", SNEAKY, str(schema), "--registry", registry)
    assert checked.returncode == 0, checked.stderr
    assert no_bidi(checked.stdout)
    missing = run("versions", SNEAKY + "x", "--registry", registry)
    assert missing.returncode == 2
    assert no_bidi(missing.stderr)
    assert ESCAPED in missing.stderr


def spliced(data: tuple[int, bytes]) -> bytes:
    at, junk = data
    return SCHEMA[:at] + junk + SCHEMA[at:]


SCHEMA_FILES = st.one_of(
    st.binary(max_size=64),
    st.tuples(st.integers(0, len(SCHEMA)), st.binary(min_size=1, max_size=4)).map(spliced),
    st.text(st.characters(exclude_categories=()), max_size=16).map(
        lambda t: SCHEMA[:-1] + b', "doc": "' + t.encode("utf-8", "surrogatepass") + b'"}'
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=SCHEMA_FILES)
def test_any_bytes_as_a_schema_file_register_or_give_one_error_line(
    tmp_path: Path, data: bytes
) -> None:
    # In-process (the same typer app the console script runs), so hypothesis can try many files.
    path = tmp_path / "schema.avsc"
    path.write_bytes(data)
    done = CliRunner().invoke(app, ["register", "s", str(path), "--registry", ":memory:"])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    assert done.exit_code in (0, 2)
    if done.exit_code == 2:
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith("schemakit: error: ")
    else:
        data.decode("utf-8")  # what registered was UTF-8
