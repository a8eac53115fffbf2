"""``verify()`` on damaged registry files: every lookup that fails is reported, nothing raises.

A ~5 MB registry file is built once through the public API. Copies of it are damaged the way a
faulty disk does it: 4 KiB of random bytes (a fixed seed) written at one offset per 256 KiB
stride, 256 KiB being DuckDB's default block size, so every stride lands in another block
whatever the header size. Which stride holds an index and which holds table data depends on
the DuckDB version; the tests do not assume it but classify each copy by what the real parts
say: does the file open, does a plain ``SELECT *`` of each table still read (DuckDB directly),
does a lookup through the API fail. Then they pick the copies they need by that classification.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from schemakit.errors import SchemakitError
from schemakit.registry import IntegrityReport, Registry, _jsonl
from tests.registry.conftest import served_in_thread

STRIDE = 256 * 1024
DAMAGE = 4096
INTO_STRIDE = 8192
SEED = 20261204
TABLES = ("schemas", "subject_versions", "config", "modes")
SUBJECTS = [f"orders-{i}-value" for i in range(8)]
# Subjects that only have settings (a level set before any version) count too.
NAMES = [*SUBJECTS, "no-versions-yet"]


def _record(i: int, rng: random.Random) -> dict[str, Any]:
    # A long doc makes the file big; random letters keep DuckDB from compressing it away.
    doc = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(40_000))
    return {
        "type": "record",
        "name": "Order",
        "doc": doc,
        "fields": [{"name": f"f{i}", "type": "long"}],
    }


def snapshot(reg: Registry, names: Sequence[str] = NAMES) -> dict[str, Any]:
    """Everything a client can see of a registry: versions, ids, texts, deletes, levels, modes
    (the own level and mode of each of ``names``)."""
    live = set(reg.subjects())
    state: dict[str, Any] = {
        "subjects": reg.subjects(deleted=True),
        "live subjects": sorted(live),
        "global": (reg.compatibility(), reg.mode()),
        "own": {
            s: (reg.compatibility(s, fallback=False), reg.mode(s, fallback=False)) for s in names
        },
    }
    ids: dict[int, str] = {}
    for subject in state["subjects"]:
        shown = set(reg.versions(subject)) if subject in live else set()
        rows = []
        for version in reg.versions(subject, deleted=True):
            got = reg.get_version(subject, version, deleted=True)
            rows.append((version, got.id, got.schema.text, version not in shown))
            ids[got.id] = got.schema.text
        state[subject] = rows
    state["ids"] = {i: reg.get_by_id(i).text for i in sorted(ids)}
    return state


@dataclass(frozen=True)
class Base:
    path: Path
    state: dict[str, Any]
    ids: list[int]
    live: list[tuple[str, str]]  # (subject, schema text) of every live version


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    path = tmp_path_factory.mktemp("verify") / "registry.duckdb"
    rng = random.Random(SEED)
    with Registry(path) as reg:
        reg.set_compatibility("NONE")
        schemas = [_record(i, rng) for i in range(32)]
        for i, schema in enumerate(schemas):
            reg.register(SUBJECTS[i % len(SUBJECTS)], schema)
        reg.delete_version(SUBJECTS[0], 1)
        reg.register(SUBJECTS[0], schemas[0])  # back as a new version, the same id
        reg.delete_subject(SUBJECTS[1])
        reg.delete_version(SUBJECTS[4], 2)
        reg.delete_version(SUBJECTS[4], 2, permanent=True)  # a gap in the versions
        reg.set_compatibility("FULL", SUBJECTS[2])
        reg.set_compatibility("FORWARD", "no-versions-yet")
        reg.set_mode("READONLY", SUBJECTS[3])
        state = snapshot(reg)
    live = [
        (s, text) for s in state["live subjects"] for _, _, text, deleted in state[s] if not deleted
    ]
    assert 4_000_000 < path.stat().st_size < 8_000_000, path.stat().st_size
    return Base(path, state, sorted(state["ids"]), live)


@dataclass(frozen=True)
class Copy:
    """One damaged copy and what the real parts say about it."""

    offset: int
    path: Path
    open_error: BaseException | None
    unreadable: tuple[str, ...]  # tables a plain scan cannot read
    lookups_fail: bool  # some versions() or get_by_id() raised


def _damage(base: Base, folder: Path, offset: int) -> Path:
    path = folder / f"damaged-{offset}.duckdb"
    shutil.copyfile(base.path, path)
    noise = random.Random(SEED + offset).randbytes(DAMAGE)
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(noise)
    return path


def _unreadable(path: Path) -> tuple[str, ...]:
    conn = duckdb.connect(str(path))
    try:
        failed = []
        for table in TABLES:
            try:
                conn.execute(f"SELECT * FROM {table}").fetchall()
            except duckdb.Error:
                failed.append(table)
        return tuple(failed)
    finally:
        conn.close()


def _lookups_fail(path: Path, base: Base) -> bool:
    with Registry(path) as reg:
        for call in (
            lambda: reg.versions(SUBJECTS[0], deleted=True),
            lambda: reg.versions(SUBJECTS[-1], deleted=True),
            lambda: reg.get_by_id(base.ids[0]),
            lambda: reg.get_by_id(base.ids[-1]),
        ):
            try:
                call()
            except SchemakitError:
                return True
    return False


@pytest.fixture(scope="module")
def copies(base: Base, tmp_path_factory: pytest.TempPathFactory) -> list[Copy]:
    folder = tmp_path_factory.mktemp("damaged")
    found = []
    for start in range(0, base.path.stat().st_size - INTO_STRIDE - DAMAGE, STRIDE):
        offset = start + INTO_STRIDE
        path = _damage(base, folder, offset)
        try:
            Registry(path).close()
        except SchemakitError as exc:
            found.append(Copy(offset, path, exc, (), False))
            continue
        unreadable = _unreadable(path)
        found.append(Copy(offset, path, None, unreadable, _lookups_fail(path, base)))
    return found


def _first(copies: list[Copy], *, broken_index: bool) -> Copy:
    """The first copy that opens and whose lookups fail: with every table still readable by a
    plain scan (a broken index), or with a table that is not."""
    for copy in copies:
        if copy.open_error is None and copy.lookups_fail and bool(copy.unreadable) != broken_index:
            return copy
    kinds = [(c.offset, c.open_error is None, c.unreadable, c.lookups_fail) for c in copies]
    raise AssertionError(f"no damaged copy of that kind: {kinds}")


def _api_failures(path: Path, base: Base) -> dict[tuple[str, object], str]:
    """Every read of the API that raises on this file, with its message."""
    failures: dict[tuple[str, object], str] = {}
    with Registry(path) as reg:
        for subject in SUBJECTS:
            try:
                reg.versions(subject, deleted=True)
            except SchemakitError as exc:
                failures["versions", subject] = str(exc)
        for schema_id in base.ids:
            try:
                reg.get_by_id(schema_id)
            except SchemakitError as exc:
                failures["get_by_id", schema_id] = str(exc)
        for subject, text in base.live:
            try:
                reg.lookup(subject, text)
            except SchemakitError as exc:
                failures["lookup", subject] = str(exc)
    return failures


# -- the case: a broken index, every table still readable ------------------------------


def test_verify_reports_each_lookup_a_broken_index_breaks(base: Base, copies: list[Copy]) -> None:
    damaged = _first(copies, broken_index=True)
    failures = _api_failures(damaged.path, base)
    assert failures  # the damage breaks lookups: what verify() used to report as ok
    with Registry(damaged.path) as reg:
        report = reg.verify()
    assert isinstance(report, IntegrityReport)
    assert not report.ok
    prefixes = {
        "versions": lambda s: f"subject {s!r}: versions()",
        "get_by_id": lambda i: f"schema id {i}: get_by_id() fails",
        "lookup": lambda s: f"subject {s!r}: versions(), get_version(), lookup()",
    }
    for (call, target), message in failures.items():
        prefix = prefixes[call](target)
        named = [p for p in report.problems if p.startswith(prefix)]
        assert named, f"{call}({target!r}) raises but verify() does not say so"
        assert any(message in p for p in named), (message, named)
    # ... and verify() names nothing that works.
    reported_subjects = {
        s for s in SUBJECTS if any(p.startswith(prefixes["versions"](s)) for p in report.problems)
    }
    reported_ids = {
        i for i in base.ids if any(p.startswith(prefixes["get_by_id"](i)) for p in report.problems)
    }
    assert reported_subjects == {t for c, t in failures if c == "versions"}
    assert reported_ids == {t for c, t in failures if c == "get_by_id"}


def test_a_broken_index_is_recovered_by_export_and_import(
    base: Base, copies: list[Copy], tmp_path: Path
) -> None:
    damaged = _first(copies, broken_index=True)
    backup = tmp_path / "backup.jsonl"
    with Registry(damaged.path) as reg:
        exported = reg.export_jsonl(backup)
    assert exported.ok, exported.problems  # the plain scans read past the broken index
    assert exported.versions == sum(len(base.state[s]) for s in base.state["subjects"])
    with Registry(tmp_path / "new.duckdb") as new:
        new.import_jsonl(backup)
        assert new.verify().ok
        assert snapshot(new) == base.state


# -- any damage: verify() and export report, never raise ---------------------------------------


def test_no_damage_makes_verify_or_export_raise(
    base: Base, copies: list[Copy], tmp_path: Path
) -> None:
    assert any(c.open_error is None for c in copies)
    known = {
        (s, version, schema_id, text, deleted)
        for s in base.state["subjects"]
        for version, schema_id, text, deleted in base.state[s]
    }
    for copy in copies:
        if copy.open_error is not None:
            assert isinstance(copy.open_error, SchemakitError)
            assert "the DuckDB store failed" in str(copy.open_error)
            continue
        with Registry(copy.path) as reg:
            report = reg.verify()
            if copy.lookups_fail or copy.unreadable:
                assert not report.ok, copy
            for table in copy.unreadable:
                assert any(
                    p.startswith(f"the {table} table cannot be read") for p in report.problems
                )
            exported = reg.export_jsonl(tmp_path / f"{copy.offset}.jsonl")
        if {"schemas", "subject_versions"} & set(copy.unreadable):
            assert not exported.ok
        # What an export writes is what was stored, never what the damage made up.
        lines = _jsonl.read(tmp_path / f"{copy.offset}.jsonl", "export")
        written = {
            (v.subject, v.version, v.id, v.schema, v.deleted)
            for v in lines
            if isinstance(v, _jsonl.VersionLine)
        }
        assert written <= known, copy


def test_a_table_that_cannot_be_read_is_reported_with_every_version_it_loses(
    base: Base, copies: list[Copy], tmp_path: Path
) -> None:
    damaged = next((c for c in copies if c.open_error is None and "schemas" in c.unreadable), None)
    assert damaged is not None, [(c.offset, c.unreadable) for c in copies]
    with Registry(damaged.path) as reg:
        report = reg.verify()
        exported = reg.export_jsonl(tmp_path / "partial.jsonl")
    assert any(p.startswith("the schemas table cannot be read:") for p in report.problems)
    assert exported.versions == 0
    lost = {p for p in exported.problems if "could not be read" in p and p.startswith("subject ")}
    every = {
        f"subject {s!r} version {v}: its schema (id {i}) could not be read"
        for s in base.state["subjects"]
        for v, i, _, _ in base.state[s]
    }
    assert lost == every


def test_a_file_that_stops_opening_is_a_problem_not_an_exception(
    base: Base, copies: list[Copy], tmp_path: Path
) -> None:
    broken = next((c for c in copies if c.open_error is not None), None)
    assert broken is not None
    path = tmp_path / "registry.duckdb"
    shutil.copyfile(base.path, path)
    with Registry(path) as reg:
        assert reg.verify().ok
        shutil.copyfile(broken.path, path)  # the disk fails under an open registry
        report = reg.verify()
    assert not report.ok
    assert report.problems[0].startswith("the registry cannot be opened:")
    assert "the DuckDB store failed" in report.problems[0]


def test_verify_of_a_closed_registry_raises(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "r.duckdb")
    reg.close()
    with pytest.raises(SchemakitError, match="closed"):
        reg.verify()


def test_a_remote_verify_reports_what_the_damaged_file_of_its_server_breaks(
    base: Base, copies: list[Copy], tmp_path: Path
) -> None:
    damaged = _first(copies, broken_index=True)
    failures = _api_failures(damaged.path, base)
    served = tmp_path / "served.duckdb"
    shutil.copyfile(damaged.path, served)
    with served_in_thread(served) as url, Registry(url) as remote:
        report = remote.verify()
    assert not report.ok
    for call, target in failures:
        prefix = f"schema id {target}:" if call == "get_by_id" else f"subject {target!r}:"
        assert any(p.startswith(prefix) for p in report.problems), (call, target)
