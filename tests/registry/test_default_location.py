"""The default registry file: created in the working directory, said once per process."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import schemakit as sk
from schemakit.registry import registry as registry_module

FRAME = pd.DataFrame({"n": [1, 2, 3]})


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, no $SCHEMAKIT_REGISTRY, and a process that has not warned."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCHEMAKIT_REGISTRY", raising=False)
    monkeypatch.setattr(registry_module, "_DEFAULT_CREATED_WARNED", False)
    return tmp_path


def _encode_default() -> None:
    sk.encode(FRAME, topic="t", progress=False)


def _registry_default() -> None:
    sk.Registry().close()


@pytest.mark.parametrize("make", [_encode_default, _registry_default], ids=["encode", "Registry"])
def test_creating_the_default_file_warns_naming_the_path_and_the_ways_out(
    fresh: Path, make: Callable[[], None]
) -> None:
    with pytest.warns(sk.DefaultRegistryWarning) as caught:
        make()
    assert len(caught) == 1
    message = str(caught[0].message)
    assert str(fresh / "schemakit.duckdb") in message
    for way_out in ("registry=", "SCHEMAKIT_REGISTRY", ":memory:"):
        assert way_out in message
    assert (fresh / "schemakit.duckdb").exists()
    # the warning points at the caller's line, not inside schemakit
    assert Path(caught[0].filename) == Path(__file__)


def test_the_warning_is_said_once_per_process(fresh: Path) -> None:
    with pytest.warns(sk.DefaultRegistryWarning):
        _encode_default()
    (fresh / "schemakit.duckdb").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _encode_default()  # created again, but the process was told already
    assert (fresh / "schemakit.duckdb").exists()


def _given_path(tmp: Path) -> None:
    sk.encode(FRAME, topic="t", registry=str(tmp / "mine.duckdb"), progress=False)


def _given_memory(tmp: Path) -> None:
    sk.encode(FRAME, topic="t", registry=":memory:", progress=False)


def _given_object(tmp: Path) -> None:
    with sk.Registry(":memory:") as reg:
        sk.encode(FRAME, topic="t", registry=reg, progress=False)


def _given_environment(tmp: Path) -> None:
    os.environ["SCHEMAKIT_REGISTRY"] = str(tmp / "env.duckdb")
    try:
        _encode_default()
    finally:
        del os.environ["SCHEMAKIT_REGISTRY"]


def _default_exists(tmp: Path) -> None:
    with sk.Registry(str(tmp / "schemakit.duckdb")) as reg:
        reg.register("t-value", sk.infer(FRAME))
    _encode_default()


@pytest.mark.parametrize(
    "run",
    [_given_path, _given_memory, _given_object, _given_environment, _default_exists],
    ids=["path", "memory", "Registry", "environment", "default-exists"],
)
def test_no_warning_when_a_registry_is_chosen_or_the_file_exists(
    fresh: Path, run: Callable[[Path], None]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(fresh)


def test_a_failed_open_does_not_use_up_the_warning(fresh: Path) -> None:
    with pytest.raises(sk.SchemakitError):
        sk.Registry(read_only=True)  # nothing to read: no file is created, nothing said
    assert not (fresh / "schemakit.duckdb").exists()
    with pytest.warns(sk.DefaultRegistryWarning):
        _registry_default()


def test_the_warning_is_a_schemakit_user_warning_that_pickles() -> None:
    assert issubclass(sk.DefaultRegistryWarning, sk.SchemakitWarning)
    assert issubclass(sk.DefaultRegistryWarning, UserWarning)
    assert issubclass(sk.PerformanceWarning, sk.SchemakitWarning)
    warning = sk.DefaultRegistryWarning("created /x/schemakit.duckdb")
    again = pickle.loads(pickle.dumps(warning))
    assert type(again) is sk.DefaultRegistryWarning
    assert str(again) == str(warning)


def test_a_fresh_process_says_it_on_stderr_once(fresh: Path) -> None:
    code = (
        "import pandas as pd, schemakit as sk\n"
        "frame = pd.DataFrame({'n': [1]})\n"
        "for _ in range(3):\n"
        "    sk.encode(frame, topic='t', progress=False)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SCHEMAKIT_REGISTRY"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=fresh,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stderr.count("DefaultRegistryWarning") == 1
    assert str(fresh / "schemakit.duckdb") in done.stderr
