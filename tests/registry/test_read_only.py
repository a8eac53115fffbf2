"""A registry on read-only storage: read through DuckDB's read-only mode, writes refused (42205).

The tests run as root, and root ignores permission bits, so the automatic detection is checked
in a child process that drops to ``nobody`` after its imports (the interpreter itself lives
under /root, which ``nobody`` cannot enter); the explicit ``read_only=True`` is checked here.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemakit.errors import OperationNotPermittedError, SchemakitError
from schemakit.registry import Registry
from schemakit.registry._duckdb import MIGRATIONS

NOBODY = 65534


def _record(name: str) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": [{"name": "x", "type": "int"}]}


def _filled(path: Path) -> None:
    with Registry(path) as reg:
        reg.set_compatibility("NONE")
        reg.register("s", _record("A"))
        reg.register("s", _record("B"))
        reg.register("t", _record("A"))
        reg.set_compatibility("FULL", subject="t")
        reg.set_mode("READWRITE", subject="t")
        reg.delete_version("s", 2)


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with Registry(path) as reg:
        return reg._backend.dump()  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "registry.duckdb"
    _filled(path)
    os.remove(str(path) + ".lock")
    return path


# Every write, each as (call, the action its message names).
WRITES: dict[str, tuple[Callable[[Registry], object], str]] = {
    "register a new schema": (lambda r: r.register("s", _record("New")), "registering a schema"),
    "register into a new subject": (
        lambda r: r.register("new", _record("A")),
        "registering a schema",
    ),
    "set the global level": (lambda r: r.set_compatibility("FULL"), "compatibility level"),
    "set a subject level": (lambda r: r.set_compatibility("FULL", "s"), "compatibility level"),
    "delete a subject level": (lambda r: r.delete_compatibility("t"), "compatibility level"),
    "set the global mode": (lambda r: r.set_mode("READONLY"), "setting a mode"),
    "delete a subject mode": (lambda r: r.delete_mode("t"), "deleting a mode"),
    "soft-delete a version": (lambda r: r.delete_version("s", 1), "deleting a version"),
    "delete a version for good": (
        lambda r: r.delete_version("s", 2, permanent=True),
        "deleting a version",
    ),
    "soft-delete a subject": (lambda r: r.delete_subject("t"), "deleting a subject"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_is_operation_not_permitted_and_writes_nothing(
    filled: Path, write: str
) -> None:
    call, action = WRITES[write]
    before = _dump(filled)
    with Registry(filled, read_only=True) as reg, pytest.raises(OperationNotPermittedError) as info:
        call(reg)
    assert info.value.error_code == 42205
    assert info.value.http_status == 422
    message = str(info.value)
    assert str(filled) in message
    assert "read_only=True" in message
    assert action in message
    assert pickle.loads(pickle.dumps(info.value)).args == info.value.args
    assert _dump(filled) == before


def test_reads_answer_as_a_writable_registry_and_no_lock_is_created(filled: Path) -> None:
    lock = Path(str(filled) + ".lock")
    with Registry(filled, read_only=True) as ro:
        assert ro.read_only
        assert ro.subjects() == ["s", "t"]
        assert ro.subjects(deleted=True) == ["s", "t"]
        assert ro.versions("s") == [1]
        assert ro.versions("s", deleted=True) == [1, 2]
        assert ro.get_latest("t").id == 1
        assert ro.get_by_id(2).to_dict()["name"] == "B"
        assert ro.lookup("s", _record("A")).version == 1
        assert ro.compatibility("t") == "FULL"
        assert ro.mode("t") == "READWRITE"
        assert list(ro.history("s")["version"]) == [1, 2]
        assert bool(ro.check("t", _record("A")))
        assert ro.verify()
        assert "<table" in ro._repr_html_()
        # A schema the subject already has is answered, as in READONLY mode.
        assert ro.register("s", _record("A")).version == 1
    assert not lock.exists()
    with Registry(filled) as rw:
        assert not rw.read_only


def test_reads_need_no_sidecar_lock(filled: Path) -> None:
    # An older schemakit holds <file>.lock: a read-only registry does not wait for it.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('holding', flush=True)\n"
            "time.sleep(60)\n",
            str(filled) + ".lock",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        with Registry(filled, read_only=True, timeout=0.2) as reg:
            assert reg.versions("s") == [1]
    finally:
        holder.kill()
        holder.communicate()


@pytest.mark.parametrize(
    ("location", "message"),
    [(":memory:", "nothing to read"), ("http://127.0.0.1:9", "not a URL")],
)
def test_read_only_is_for_a_file(location: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Registry(location, read_only=True)


def _layout_one(path: Path) -> None:
    conn = duckdb.connect(str(path))
    conn.execute("CREATE TABLE schemakit_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    conn.execute(
        "CREATE TABLE schemakit_migrations (version INTEGER PRIMARY KEY, "
        "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    for statement in MIGRATIONS[0][1]:
        conn.execute(statement)
    conn.execute("INSERT INTO schemakit_migrations VALUES (1, 'x', now())")
    conn.execute("INSERT INTO schemakit_meta VALUES ('layout_version', '1')")
    conn.close()


def _not_a_registry(path: Path) -> None:
    conn = duckdb.connect(str(path))
    conn.execute("CREATE TABLE other (a INTEGER)")
    conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_layout_one, "has layout version 1; this release reads layout"),
        (_not_a_registry, "has layout version 0"),
        (lambda path: None, "does not exist, and a read-only registry cannot create it"),
    ],
    ids=["older layout", "not a registry", "missing"],
)
def test_what_a_read_only_registry_cannot_open_is_named(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    path = tmp_path / "old.duckdb"
    make(path)
    with pytest.raises(SchemakitError, match=message) as info:
        Registry(path, read_only=True)
    assert str(path) in str(info.value)
    assert not path.with_name("old.duckdb.lock").exists()


def test_the_server_answers_42205_over_a_read_only_registry(filled: Path) -> None:
    from fastapi.testclient import TestClient

    from schemakit.server import create_app

    with Registry(filled, read_only=True) as reg, TestClient(create_app(reg)) as client:
        assert client.get("/subjects").json() == ["s", "t"]
        answer = client.post("/subjects/s/versions", json={"schema": json.dumps(_record("N"))})
        assert answer.status_code == 422
        assert answer.json()["error_code"] == 42205
        assert client.put("/config", json={"compatibility": "FULL"}).json()["error_code"] == 42205


# -- contents: a read-only registry reads what a writable one reads ---------------------------

contents = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 3), st.booleans()),
    min_size=1,
    max_size=8,
)


def _reads(reg: Registry) -> list[Any]:
    """Every read a client makes, missing answers included."""
    out: list[Any] = [reg.subjects(), reg.subjects(deleted=True)]
    for subject in reg.subjects(deleted=True):
        latest = reg.get_latest(subject)
        out += [reg.versions(subject, deleted=True), (latest.version, latest.id)]
        for name in range(4):
            try:
                out.append(reg.lookup(subject, _record(f"R{name}")).version)
            except LookupError as exc:
                out.append(type(exc).__name__)
    for schema_id in range(1, 6):
        try:
            out.append(reg.get_by_id(schema_id).to_dict()["name"])
        except LookupError as exc:
            out.append(type(exc).__name__)
    return out


_EXAMPLES = iter(range(10**6))


@pytest.mark.slow
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=contents)
def test_read_only_reads_equal_writable_reads(
    tmp_path: Path, plan: list[tuple[str, int, bool]]
) -> None:
    path = tmp_path / f"example{next(_EXAMPLES)}.duckdb"
    with Registry(path) as rw:
        rw.set_compatibility("NONE")
        for subject, name, delete in plan:
            got = rw.register(subject, _record(f"R{name}"))
            if delete and len(rw.versions(subject)) > 1:
                rw.delete_version(subject, got.version)
        expected = _reads(rw)
    with Registry(path, read_only=True) as ro:
        assert _reads(ro) == expected


# -- automatic detection, as a user without write permission -----------------------------------

# argv: registry path, read_only ("None" | "False"). Drops to nobody after its imports, then
# prints a JSON object of what it saw.
AS_NOBODY = f"""
import json, os, sys
import schemakit.compat, schemakit.registry._duckdb
from schemakit.errors import SchemakitError
from schemakit.registry import Registry

os.setgid({NOBODY})
os.setuid({NOBODY})
path, read_only = sys.argv[1], {{"None": None, "False": False}}[sys.argv[2]]
seen = {{}}
try:
    reg = Registry(path, read_only=read_only)
except SchemakitError as exc:
    print(json.dumps({{"open": type(exc).__name__ + ": " + str(exc)}}))
    sys.exit(0)
seen["read_only"] = reg.read_only
seen["versions"] = reg.versions("s")
seen["by_id"] = reg.get_by_id(2).to_dict()["name"]
again = {{"type": "record", "name": "A", "fields": [{{"name": "x", "type": "int"}}]}}
seen["again"] = reg.register("s", again).version
try:
    got = reg.register("s", {{"type": "record", "name": "New", "fields": []}})
    seen["new"] = got.version
except SchemakitError as exc:
    seen["new"] = [type(exc).__name__, exc.error_code, str(exc)]
reg.close()
print(json.dumps(seen))
"""


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder ``nobody`` can reach (tmp_path lives under a 0700 folder of root's)."""
    folder = Path(tempfile.mkdtemp(prefix="schemakit-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for root, dirs, _ in os.walk(folder):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        shutil.rmtree(folder)


def _as_nobody(path: Path, read_only: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", AS_NOBODY, str(path), read_only],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# (file mode, folder mode, mode of an existing sidecar or None, read-only reason or None)
STORAGE = {
    "file and folder read-only": (0o444, 0o555, None, "the file is not writable"),
    "file read-only": (0o444, 0o777, None, "the file is not writable"),
    "folder read-only": (0o666, 0o555, None, "its folder is not writable"),
    "sidecar not writable": (0o666, 0o777, 0o444, "cannot be created: Permission denied"),
    "all writable": (0o666, 0o777, 0o666, None),
}


@pytest.mark.parametrize("storage", list(STORAGE))
def test_unwritable_storage_opens_read_only(shared_folder: Path, storage: str) -> None:
    file_mode, folder_mode, lock_mode, reason = STORAGE[storage]
    folder = shared_folder / "registry"
    folder.mkdir()
    path = folder / "registry.duckdb"
    _filled(path)
    lock = Path(str(path) + ".lock")
    if lock_mode is None:
        lock.unlink()
    else:
        lock.chmod(lock_mode)
    path.chmod(file_mode)
    folder.chmod(folder_mode)
    before = _dump_as_root(path)

    seen = _as_nobody(path, "None")

    assert "open" not in seen, seen["open"]
    assert seen["read_only"] is (reason is not None)
    assert (seen["versions"], seen["by_id"], seen["again"]) == ([1], "B", 1)
    if reason is None:
        assert seen["new"] == 3  # a writable registry registers as usual
        return
    name, code, message = seen["new"]
    assert (name, code) == ("OperationNotPermittedError", 42205)
    assert reason in message
    assert str(path) in message
    assert lock.exists() is (lock_mode is not None)
    assert _dump_as_root(path) == before


def _dump_as_root(path: Path) -> dict[str, Any]:
    with Registry(path, read_only=True) as reg:  # read-only: leaves no sidecar behind
        return json.loads(json.dumps(reg._backend.dump(), default=str))  # type: ignore[attr-defined,no-any-return]


def test_read_only_false_on_unwritable_storage_is_an_error_naming_the_sidecar(
    shared_folder: Path,
) -> None:
    folder = shared_folder / "registry"
    folder.mkdir()
    path = folder / "registry.duckdb"
    _filled(path)
    Path(str(path) + ".lock").unlink()
    folder.chmod(0o555)
    seen = _as_nobody(path, "False")
    assert seen["open"].startswith("SchemakitError: ")
    assert str(path) + ".lock" in seen["open"]


def test_a_missing_file_in_a_read_only_folder_is_named(shared_folder: Path) -> None:
    folder = shared_folder / "empty"
    folder.mkdir()
    folder.chmod(0o555)
    seen = _as_nobody(folder / "new.duckdb", "None")
    assert "does not exist, and a read-only registry cannot create it" in seen["open"]
    assert "its folder is not writable" in seen["open"]
