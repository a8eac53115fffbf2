"""``schemakit export`` and ``schemakit import``: a registry file to JSON lines and back."""

from __future__ import annotations

import io
import json
import random
import shutil
from pathlib import Path

import pytest

from schemakit.errors import SchemakitError
from schemakit.registry import Registry
from tests.registry.test_verify import snapshot
from tests.test_cli_registry import run

SUBJECTS = ["orders-value", "orders-key", "gone-value"]
ORDER = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "registry.duckdb"
    with Registry(path) as reg:
        reg.register("orders-value", ORDER)
        reg.register("orders-key", '"string"')
        reg.register("gone-value", '"long"')
        reg.delete_subject("gone-value")
        reg.set_compatibility("FULL", "orders-value")
        reg.set_mode("READONLY", "orders-key")
    return path


def _state(path: Path) -> dict[str, object]:
    with Registry(path) as reg:
        return snapshot(reg, SUBJECTS)


def test_export_then_import_copies_the_registry(source: Path, tmp_path: Path) -> None:
    backup, new = tmp_path / "backup.jsonl", tmp_path / "new.duckdb"
    done = run("export", str(source), "-o", str(backup))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"3 versions (3 schemas), 4 settings → {backup}"
    kinds = [json.loads(line)["kind"] for line in backup.read_text().splitlines()]
    assert kinds == ["schemakit-registry", *["version"] * 3, *["config"] * 2, *["mode"] * 2]
    imported = run("import", str(backup), "--registry", str(new), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout) == {
        "versions": 3,
        "written": 3,
        "present": 0,
        "deleted": 1,
        "settings": 2,
    }
    assert _state(new) == _state(source)
    again = run("import", str(backup), "--registry", str(new), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["written"] == 0
    assert _state(new) == _state(source)


def test_export_to_stdout_and_import_from_stdin(source: Path, tmp_path: Path) -> None:
    done = run("export", str(source), "-o", "-")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0]) == {"kind": "schemakit-registry", "format": 1}
    assert "3 versions" in done.stderr  # the summary stays out of the data
    new = tmp_path / "new.duckdb"
    imported = run_stdin(done.stdout, "import", "-", "--registry", str(new))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.split()[-5:] == ["3", "3", "0", "1", "2"]
    assert _state(new) == _state(source)


def run_stdin(text: str, *args: str) -> object:
    import subprocess

    from tests.test_cli_registry import SCHEMAKIT

    assert SCHEMAKIT is not None
    return subprocess.run(
        [SCHEMAKIT, *args], input=text, capture_output=True, text=True, timeout=120, check=False
    )


def test_an_import_into_a_registry_in_use_needs_force(source: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    assert run("export", str(source), "-o", str(backup)).returncode == 0
    other = tmp_path / "other.duckdb"
    with Registry(other) as reg:
        reg.set_mode("IMPORT")
        reg.register("elsewhere", '"bytes"', schema_id=100)
        reg.set_mode("READWRITE")
    refused = run("import", str(backup), "--registry", str(other))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "must be empty or in IMPORT mode" in refused.stderr
    forced = run("import", str(backup), "--registry", str(other), "--force")
    assert forced.returncode == 0, forced.stderr
    with Registry(other) as reg:
        assert reg.get_by_id(100).text == '"bytes"'
        assert reg.get_version("orders-value", 1).schema.to_dict() == ORDER


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json\n", "line 1 is not JSON"),
        ('{"kind": "schemakit-registry", "format": 1}\n{"kind": "x"}\n', "line 2: unknown kind"),
        ("", "is empty"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    done = run("import", str(path), "--registry", str(tmp_path / "new.duckdb"))
    assert done.returncode == 2
    assert done.stderr.startswith("schemakit: error: ")
    assert fragment in done.stderr
    assert done.stderr.count("\n") == 1


def test_exporting_a_missing_registry_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    done = run("export", str(missing), "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 2
    assert "no registry file" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_damaged_file_exports_what_it_can_and_exits_1(source: Path, tmp_path: Path) -> None:
    # Damage copies at one offset per 256 KiB (DuckDB's block size) until one opens but cannot
    # export everything; which offset that is depends on the DuckDB version, not on this test.
    rng = random.Random(7)
    size = source.stat().st_size
    for start in range(0, size - 8192 - 4096, 256 * 1024):
        damaged = tmp_path / f"damaged-{start}.duckdb"
        shutil.copyfile(source, damaged)
        with damaged.open("r+b") as handle:
            handle.seek(start + 8192)
            handle.write(rng.randbytes(4096))
        try:
            with Registry(damaged) as reg:
                if not reg.export_jsonl(io.StringIO()).ok:
                    break
        except SchemakitError:
            continue
    else:
        pytest.fail(f"no damaged copy of {size:,} bytes opens and loses data")
    backup = tmp_path / "partial.jsonl"
    done = run("export", str(damaged), "-o", str(backup))
    assert done.returncode == 1
    problems = [line for line in done.stderr.splitlines() if line]
    assert problems
    assert all(p.startswith("schemakit: could not read: ") for p in problems)
    assert "parts could not be read" in done.stdout
    assert backup.read_text().startswith('{"kind": "schemakit-registry"')
