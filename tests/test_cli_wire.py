"""``schemakit encode`` / ``schemakit decode``: files of wire-format records, both ways."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import fastavro
import pandas as pd
import pyarrow.parquet as pq
import pytest

import schemakit as sk

SCHEMAKIT = shutil.which("schemakit", path=str(Path(sys.executable).parent))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert SCHEMAKIT is not None, "the schemakit console script is not installed in this venv"
    return subprocess.run(
        [SCHEMAKIT, *args], capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture
def penguins(tmp_path: Path) -> pd.DataFrame:
    from palmerpenguins import load_penguins

    frame = load_penguins()
    frame.to_parquet(tmp_path / "penguins.parquet", index=False)
    frame.to_csv(tmp_path / "penguins.csv", index=False)
    return frame


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_encode_then_decode_round_trips_a_file(
    tmp_path: Path, penguins: pd.DataFrame, suffix: str
) -> None:
    registry = str(tmp_path / "reg.duckdb")
    records = tmp_path / "records.parquet"
    done = run(
        "encode",
        str(tmp_path / f"penguins.{suffix}"),
        "-o",
        str(records),
        "--topic",
        "penguins",
        "--key",
        "species",
        "--registry",
        registry,
    )
    assert done.returncode == 0, done.stderr
    assert "344 records" in done.stdout
    table = pq.read_table(records)
    assert table.column_names == ["key", "value"]

    reg = sk.Registry(registry)
    key_schema = reg.get_latest("penguins-key").schema
    value_schema = reg.get_latest("penguins-value").schema
    first_key = table.column("key")[0].as_py()
    assert first_key[:5] == b"\x00" + reg.get_latest("penguins-key").id.to_bytes(4, "big")
    assert (
        fastavro.schemaless_reader(io.BytesIO(first_key[5:]), key_schema._parsed, None)
        == (penguins["species"].iloc[0])
    )
    first = table.column("value")[0].as_py()
    row = fastavro.schemaless_reader(io.BytesIO(first[5:]), value_schema._parsed, None)
    assert row["island"] == penguins["island"].iloc[0]
    reg.close()

    back_path = tmp_path / "back.parquet"
    back = run("decode", str(records), "-o", str(back_path), "--registry", registry)
    assert back.returncode == 0, back.stderr
    assert "344 rows" in back.stdout
    decoded = pd.read_parquet(back_path)
    expected = penguins.astype(object).where(penguins.notna(), None)
    assert decoded.astype(object).where(decoded.notna(), None).equals(expected)


def test_errors_are_one_line_and_exit_2(tmp_path: Path, penguins: pd.DataFrame) -> None:
    registry = str(tmp_path / "reg.duckdb")
    cases = [
        (("encode", str(tmp_path / "nope.parquet"), "-o", "x.parquet", "--topic", "t"), "nope"),
        (
            (
                "encode",
                str(tmp_path / "penguins.parquet"),
                "-o",
                str(tmp_path / "o.parquet"),
                "--topic",
                "t",
                "--key",
                "beak",
            ),
            "--key 'beak'",
        ),
        (
            ("decode", str(tmp_path / "penguins.csv"), "-o", str(tmp_path / "o.parquet")),
            "cannot read",
        ),
        (
            ("decode", str(tmp_path / "penguins.parquet"), "-o", str(tmp_path / "o.parquet")),
            "no 'value' column",
        ),
    ]
    for args, fragment in cases:
        result = run(*args, "--registry", registry)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert fragment in lines[0]
    # A refused command registered nothing.
    assert run("subjects", "--registry", registry, "--json").stdout.strip() == "[]"
