"""What a newcomer meets first: the README's two commands, and that they need nothing else.

``make test`` on a fresh machine must install what the suite needs (Debian's chromium for the
browser tests, libatomic1 for Playwright's driver) by itself: one script, called by ``make test``
and by ``.ci/run`` alike.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-system-deps"


def test_readme_says_what_schemakit_is_then_gives_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    before_code = text.split("```", 1)[0]
    assert "Kafka" in before_code
    assert "schema registry" in before_code
    first_block = text.split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:]]
    assert [c for c in commands if c] == ["make demo", "make test"]
    assert "pip install schemakit" not in text  # not on PyPI: from the checkout


def test_readme_extras_exist() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "optional-dependencies"
    ]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"^\| `(\w+)` \|", text, re.M)
    assert {"cli", "widgets", "lab", "server", "remote"} <= set(named)
    assert set(named) <= set(extras)
    assert any("jupyterlab" in d for d in extras["lab"])


def _dry_run(target: str) -> list[str]:
    out = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return out.splitlines()


def test_make_test_installs_the_system_packages_before_the_suite() -> None:
    lines = _dry_run("test")
    deps = next(i for i, line in enumerate(lines) if "scripts/install-system-deps" in line)
    suite = next(i for i, line in enumerate(lines) if "pytest" in line)
    assert deps < suite


def test_ci_runs_the_same_script_then_the_readme_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.index("scripts/install-system-deps") < ci.index("make test")


def test_the_script_finds_everything_on_this_machine() -> None:
    # CI ran it before the suite, so nothing is missing now: it says nothing and succeeds.
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert Path("/usr/bin/chromium").exists()


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs util-linux's setpriv")
@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
def test_without_root_a_missing_package_is_one_line_naming_the_command(tmp_path: Path) -> None:
    # A python whose venv module is missing stands for a missing package.
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    done = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(SCRIPT)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ["PATH"], "PYTHON": str(fake)},
    )
    assert done.returncode == 1
    assert "sudo apt-get install -y python3-venv" in done.stderr
