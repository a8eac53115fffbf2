"""``schemakit encode`` into a subject that has versions: the producer loop, the schema options
and refusals that name every break."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
    frame.dropna().to_csv(tmp_path / "complete.csv", index=False)  # not a null in it
    return frame


def encode(tmp_path: Path, source: str, *options: str) -> subprocess.CompletedProcess[str]:
    return run(
        "encode",
        str(tmp_path / source),
        "-o",
        str(tmp_path / "records.parquet"),
        "--topic",
        "penguins",
        "--registry",
        str(tmp_path / "reg.duckdb"),
        *options,
    )


def registered(tmp_path: Path) -> list[dict[str, object]]:
    with sk.Registry(str(tmp_path / "reg.duckdb")) as reg:
        return [
            reg.get_version("penguins-value", v).schema.to_dict()
            for v in reg.versions("penguins-value")
        ]


def decoded(tmp_path: Path) -> pd.DataFrame:
    values = pq.read_table(tmp_path / "records.parquet").column("value")
    with sk.Registry(str(tmp_path / "reg.duckdb")) as reg:
        frame: pd.DataFrame = sk.decode(values, reg, progress=False)
        return frame


def _register(tmp_path: Path, schema: sk.Schema | dict[str, object]) -> int:
    with sk.Registry(str(tmp_path / "reg.duckdb")) as reg:
        return reg.register("penguins-value", schema).id


def _same(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    def plain(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.reset_index(drop=True)
        return frame.astype(object).where(frame.notna(), None)

    return bool(plain(left).equals(plain(right)))


def test_two_files_in_a_row_make_one_version(tmp_path: Path, penguins: pd.DataFrame) -> None:
    first = encode(tmp_path, "penguins.parquet")
    assert first.returncode == 0, first.stderr
    assert _same(decoded(tmp_path), penguins)
    # the second file has no nulls: its values fit version 1, which writes them
    second = encode(tmp_path, "complete.csv")
    assert second.returncode == 0, second.stderr
    assert len(registered(tmp_path)) == 1
    back = decoded(tmp_path)
    assert len(back) == len(penguins.dropna())
    assert _same(back, penguins.dropna())


def test_a_namespaced_subject_is_written_with_its_latest_version(
    tmp_path: Path, penguins: pd.DataFrame
) -> None:
    schema_id = _register(tmp_path, sk.infer(penguins, name="Penguin", namespace="zoo.birds"))
    done = encode(tmp_path, "penguins.parquet")
    assert done.returncode == 0, done.stderr
    assert f"schema id {schema_id})" in done.stdout
    assert len(registered(tmp_path)) == 1
    assert _same(decoded(tmp_path), penguins)


def test_a_file_that_needs_a_new_version_gets_the_latest_name(
    tmp_path: Path, penguins: pd.DataFrame
) -> None:
    # version 1 has no "year": the file does not fit it; the new schema is named like it
    _register(
        tmp_path, sk.infer(penguins.drop(columns="year"), name="Penguin", namespace="zoo.birds")
    )
    # with a null, "year" is nullable with a default: a compatible new version
    penguins.assign(year=penguins["year"].where(penguins.index > 0)).to_parquet(
        tmp_path / "later.parquet", index=False
    )
    done = encode(tmp_path, "later.parquet")
    assert done.returncode == 0, done.stderr
    versions = registered(tmp_path)
    assert len(versions) == 2
    latest = versions[-1]
    assert (latest["name"], latest["namespace"]) == ("Penguin", "zoo.birds")


def test_an_incompatible_file_prints_every_break_and_exits_1(
    tmp_path: Path, penguins: pd.DataFrame
) -> None:
    # version 1 lacks island and year, which the file has without nulls: a reader that
    # requires them cannot read version 1's records
    _register(tmp_path, sk.infer(penguins.drop(columns=["island", "year"]), name="Penguin"))
    done = encode(tmp_path, "penguins.parquet")
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("schemakit: error: ")
    breaks = [line for line in lines[1:] if line.startswith("  - ")]
    assert len(breaks) == 2 == len(lines) - 1
    assert any('"island"' in line for line in breaks)
    assert any('"year"' in line for line in breaks)
    assert len(registered(tmp_path)) == 1  # nothing registered
    assert not (tmp_path / "records.parquet").exists()  # and no partial output
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_schema_file_and_use_latest(tmp_path: Path, penguins: pd.DataFrame) -> None:
    given = sk.infer(penguins, name="Bird", namespace="zoo", nullable="always")
    path = tmp_path / "bird.avsc"
    path.write_text(given.text)
    done = encode(tmp_path, "complete.csv", "--schema", str(path))
    assert done.returncode == 0, done.stderr
    assert [sk.Schema.parse(d) for d in registered(tmp_path)] == [given]
    # --use-latest writes with it, though the file alone would infer required fields
    latest = encode(tmp_path, "complete.csv", "--use-latest")
    assert latest.returncode == 0, latest.stderr
    assert len(registered(tmp_path)) == 1
    assert len(decoded(tmp_path)) == len(penguins.dropna())


def test_name_and_namespace_name_the_first_version(tmp_path: Path, penguins: pd.DataFrame) -> None:
    done = encode(tmp_path, "penguins.parquet", "--name", "Penguin", "--namespace", "zoo")
    assert done.returncode == 0, done.stderr
    (schema,) = registered(tmp_path)
    assert (schema["name"], schema["namespace"]) == ("Penguin", "zoo")


def test_without_a_name_a_new_subject_is_named_from_the_topic(
    tmp_path: Path, penguins: pd.DataFrame
) -> None:
    done = encode(tmp_path, "penguins.parquet")
    assert done.returncode == 0, done.stderr
    (schema,) = registered(tmp_path)
    assert schema["name"] == "Penguins"  # as sk.encode(frame, topic="penguins") names it
    assert "namespace" not in schema


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (("--schema", "bird.avsc", "--use-latest"), "--schema or --use-latest, not both"),
        (("--use-latest", "--name", "X"), "--name and --namespace name an inferred schema"),
        (("--schema", "bird.avsc", "--namespace", "x"), "--name and --namespace"),
        (("--use-latest",), "penguins-value"),
        (("--schema", "missing.avsc"), "cannot read"),
        (("--name", "not a name"), "not a name"),
        (("--schema", "bird.avsc", "--key", "beak"), "--key 'beak' is not a column"),
        (("--schema", "bird.avsc", "--key", "island"), "--key 'island' is not a field"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    tmp_path: Path, penguins: pd.DataFrame, options: tuple[str, ...], fragment: str
) -> None:
    bird = sk.infer(penguins.drop(columns="island")).to_dict()
    (tmp_path / "bird.avsc").write_text(json.dumps(bird))
    here = [str(tmp_path / o) if o.endswith(".avsc") else o for o in options]
    done = encode(tmp_path, "penguins.parquet", *here)
    assert done.returncode == 2, (done.stdout, done.stderr)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("schemakit: error: ")
    assert fragment in line
    assert not (tmp_path / "records.parquet").exists()
    with sk.Registry(str(tmp_path / "reg.duckdb")) as reg:
        assert reg.subjects() == []


def test_an_empty_file_writes_no_records_and_registers_nothing(
    tmp_path: Path, penguins: pd.DataFrame
) -> None:
    penguins.head(0).to_parquet(tmp_path / "empty.parquet", index=False)
    done = encode(tmp_path, "empty.parquet")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 records → ")
    assert pq.read_table(tmp_path / "records.parquet").num_rows == 0
    with sk.Registry(str(tmp_path / "reg.duckdb")) as reg:
        assert reg.subjects() == []
