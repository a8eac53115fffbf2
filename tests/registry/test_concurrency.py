"""Several processes on one registry file: no lost or duplicated versions, crash safety, busy.

Workers are separate interpreters (``subprocess``), as two notebooks and a CLI would be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from schemakit.errors import RegistryBusyError
from schemakit.registry import Registry

WORKERS = 4
PER_WORKER = 50
SUBJECTS = 5
COMMON = 5

# argv: path, worker number, count (0 = forever). Prints one JSON line per registration.
WORKER = """
import json, sys
from schemakit.registry import Registry

path, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
reg = Registry(path, timeout=60)
i = 0
while count == 0 or i < count:
    subject = f"s{i % 5}"
    schema = {"type": "record", "name": f"W{worker}_{i}", "fields": [{"name": "x", "type": "int"}]}
    got = reg.register(subject, schema)
    print(json.dumps([got.subject, got.version, got.id, f"W{worker}_{i}"]), flush=True)
    if count and i % 10 == 0:
        common = {"type": "record", "name": f"Common{i // 10}", "fields": []}
        got = reg.register("common", common)
        print(json.dumps([got.subject, got.version, got.id, f"Common{i // 10}"]), flush=True)
    i += 1
reg.close()
"""

HOLDER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.close()
"""


def _spawn(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _fresh(path: Path) -> None:
    with Registry(path) as reg:
        reg.set_compatibility("NONE")  # keep the test about storage, not compat speed


def test_four_processes_interleaved_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    _fresh(path)
    procs = [_spawn(WORKER, path, w, PER_WORKER) for w in range(WORKERS)]
    results: list[list[Any]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.extend(json.loads(line) for line in out.splitlines())

    distinct = [r for r in results if r[0] != "common"]
    common = [r for r in results if r[0] == "common"]
    assert len(distinct) == WORKERS * PER_WORKER
    # Every (subject, version) was handed out once, every distinct schema got its own id.
    assert len({(r[0], r[1]) for r in distinct}) == len(distinct)
    assert len({r[2] for r in distinct}) == len(distinct)
    # The same schema raced in from every worker: one version and one id each.
    by_name: dict[str, set[tuple[int, int]]] = {}
    for _, version, schema_id, name in common:
        by_name.setdefault(name, set()).add((version, schema_id))
    assert len(by_name) == COMMON
    assert all(len(v) == 1 for v in by_name.values())
    common_ids = {next(iter(v))[1] for v in by_name.values()}
    assert len(common_ids) == COMMON
    assert not common_ids & {r[2] for r in distinct}

    with Registry(path) as reg:
        assert reg.subjects() == ["common"] + [f"s{i}" for i in range(SUBJECTS)]
        per_subject = WORKERS * PER_WORKER // SUBJECTS
        for i in range(SUBJECTS):
            assert reg.versions(f"s{i}") == list(range(1, per_subject + 1))
        assert reg.versions("common") == list(range(1, COMMON + 1))
        ids = {
            (subject, int(row.version)): int(row.id)
            for subject in reg.subjects()
            for row in reg.history(subject).itertuples()
        }
        assert ids == {(r[0], r[1]): r[2] for r in results}
        for subject, version, schema_id, name in results[:: len(results) // 10]:
            assert reg.get_version(subject, version).schema.to_dict()["name"] == name
            assert reg.get_by_id(schema_id).to_dict()["name"] == name
        report = reg.verify()
        assert report.ok, report.problems
        assert report.schemas == len(distinct) + COMMON


@pytest.mark.parametrize("delay", [0.35, 0.8])
def test_sigkill_mid_registration_leaves_a_consistent_file(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "killed.duckdb"
    _fresh(path)
    proc = _spawn(WORKER, path, 0, 0)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # it is registering now
    assert first, proc.stderr.read() if proc.stderr else ""
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    acknowledged = [json.loads(line) for line in [first, *out.splitlines()]]

    with Registry(path) as reg:
        report = reg.verify()
        assert report.ok, report.problems
        # Every acknowledged registration survived; versions are contiguous.
        for subject, version, schema_id, _ in acknowledged:
            assert reg.get_version(subject, version).id == schema_id
        for subject in reg.subjects():
            versions = reg.versions(subject)
            assert versions == list(range(1, len(versions) + 1))
        # The file still takes writes.
        before = reg.versions("s0")[-1]
        assert reg.register("s0", {"type": "record", "name": "After", "fields": []}).version == (
            before + 1
        )


def test_a_held_file_gives_registry_busy_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "held.duckdb"
    _fresh(path)
    holder = _spawn(HOLDER, path, 3)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    try:
        started = time.monotonic()
        with pytest.raises(RegistryBusyError) as info:
            Registry(path, timeout=0.4)
        assert 0.4 <= time.monotonic() - started < 2.5
        assert str(path) in str(info.value)
        assert info.value.location == str(path)
        assert info.value.error_code == 50001
        assert info.value.__cause__ is not None
    finally:
        holder.kill()
        holder.communicate()


SIDECAR_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1] + ".lock", os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
os.close(fd)
"""


def test_operations_hold_the_sidecar_lock_across_processes(tmp_path: Path) -> None:
    # Another schemakit process between its DuckDB close and its release of <file>.lock: the
    # file itself is free, yet nobody may open it until that process is done.
    path = tmp_path / "sidecar.duckdb"
    _fresh(path)
    assert (tmp_path / "sidecar.duckdb.lock").exists()
    holder = _spawn(SIDECAR_HOLDER, path, 30)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    try:
        with pytest.raises(RegistryBusyError, match=r"sidecar\.duckdb\.lock") as info:
            Registry(path, timeout=0.3)
        assert info.value.location == str(path)
    finally:
        holder.kill()
        holder.communicate()
    with Registry(path, timeout=5) as reg:  # released by the holder's exit
        assert reg.subjects() == []


def test_a_writer_waits_for_a_short_lock(tmp_path: Path) -> None:
    path = tmp_path / "brief.duckdb"
    _fresh(path)
    holder = _spawn(HOLDER, path, 0.5)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    with Registry(path, timeout=20) as reg:
        assert reg.register("s", {"type": "record", "name": "R", "fields": []}).version == 1
    holder.communicate(timeout=10)
    assert holder.returncode == 0


@pytest.mark.parametrize("shared", [True, False], ids=["one object", "one object each"])
def test_threads_in_one_process_lose_and_duplicate_nothing(tmp_path: Path, shared: bool) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "threads.duckdb"
    _fresh(path)
    one = Registry(path)

    def work(worker: int) -> list[tuple[str, int, int]]:
        reg = one if shared else Registry(path)
        out = []
        for i in range(10):
            schema = {"type": "record", "name": f"T{worker}_{i}", "fields": []}
            got = reg.register(f"s{i % 2}", schema)
            out.append((got.subject, got.version, got.id))
        if not shared:
            reg.close()
        return out

    with ThreadPoolExecutor(4) as pool:
        results = [r for rows in pool.map(work, range(4)) for r in rows]
    one.close()
    assert len({(s, v) for s, v, _ in results}) == len(results) == 40
    assert len({i for _, _, i in results}) == 40
    with Registry(path) as reg:
        assert reg.versions("s0") == reg.versions("s1") == list(range(1, 21))
        assert reg.verify()


def test_threads_sharing_a_memory_registry() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Registry(":memory:") as reg:
        reg.set_compatibility("NONE")

        def work(worker: int) -> list[int]:
            return [
                reg.register(
                    "s", {"type": "record", "name": f"M{worker}_{i}", "fields": []}
                ).version
                for i in range(25)
            ]

        with ThreadPoolExecutor(4) as pool:
            versions = sorted(v for vs in pool.map(work, range(4)) for v in vs)
        assert versions == list(range(1, 101))
        assert reg.verify()


# Dies inside a write transaction, after writing half a registration (a schema row, no version).
DIES_MID_TRANSACTION = """
import os, signal, sys
from datetime import datetime
from schemakit.registry import Registry

reg = Registry(sys.argv[1])
with reg._backend._session(write=True) as conn:
    conn.execute(
        "INSERT INTO schemas VALUES (99, 'AVRO', '\\"int\\"', 'x', 'y', ?)", [datetime.now()]
    )
    conn.execute(
        "INSERT INTO subject_versions VALUES ('half', 1, 99, FALSE, ?)", [datetime.now()]
    )
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_process_killed_inside_a_write_transaction_leaves_no_trace(tmp_path: Path) -> None:
    path = tmp_path / "half.duckdb"
    _fresh(path)
    with Registry(path) as reg:
        reg.register("s", {"type": "record", "name": "Before", "fields": []})
    proc = _spawn(DIES_MID_TRANSACTION, path)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err
    with Registry(path) as reg:
        assert reg.verify()
        assert reg.subjects(deleted=True) == ["s"]
        with pytest.raises(LookupError):
            reg.get_by_id(99)
        assert reg.register("t", {"type": "record", "name": "After", "fields": []}).id == 2
