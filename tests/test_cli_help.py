"""The ``schemakit`` command's own surface: --version, -h, shell completion, flags, help text.

Help is rendered by the real console script at 80 columns, as a plain terminal shows it.
"""

from __future__ import annotations

import inspect
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import typer

import schemakit as sk
from schemakit.cli import app

SCHEMAKIT = shutil.which("schemakit", path=str(Path(sys.executable).parent))
WIDTH = 80
#: click wraps help to the terminal width less two columns
TEXT_WIDTH = WIDTH - 2

COMMAND = typer.main.get_command(app)
assert isinstance(COMMAND, typer.core.TyperGroup)
COMMANDS = sorted(COMMAND.commands)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert SCHEMAKIT is not None, "the schemakit console script is not installed in this venv"
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [SCHEMAKIT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**base, "COLUMNS": str(WIDTH), "TERM": "dumb", **(env or {})},
    )


def _help_texts(name: str | None) -> list[str]:
    """Every piece of prose the help of ``name`` (None: the group) is made from."""
    command = COMMAND if name is None else COMMAND.commands[name]
    texts = [inspect.cleandoc(command.help or "")]
    for param in command.params:
        texts.append(getattr(param, "help", None) or "")
    if name is None:
        texts += [(c.help or "").split(".")[0] + "." for c in COMMAND.commands.values()]
    return [t for t in texts if t]


def _paragraphs(text: str) -> list[list[str]]:
    """The blocks of wrapped lines in a help page: each description paragraph, and each entry
    of an option, argument or command list (its first line and its continuation lines)."""
    blocks: list[list[str]] = []
    column = None  # where the current block's continuation lines start
    for line in text.splitlines():
        if not line.strip() or not line.startswith(" "):  # a blank line, a heading, Usage
            column = None
            continue
        indent = len(line) - len(line.lstrip())
        entry = re.match(r"  (\S.*?\S)(\s{2,})\S", line) if indent == 2 else None
        if entry is not None:  # a term and its help: continued under the help
            blocks.append([line])
            column = entry.end(2)
        elif indent == column:
            blocks[-1].append(line)
        else:
            blocks.append([line])
            column = indent
    return blocks


@pytest.mark.parametrize("name", [None, *COMMANDS], ids=["schemakit", *COMMANDS])
def test_help_renders_cleanly_at_80_columns(name: str | None) -> None:
    args = [] if name is None else [name]
    long = run(*args, "--help")
    short = run(*args, "-h")
    assert long.returncode == 0, long.stderr
    assert short.stdout == long.stdout
    text = long.stdout
    assert "\x1b" not in text, "ANSI escapes in a plain terminal"
    assert not re.search("[\u2500-\u257f]", text), "rich box drawing in a plain terminal"
    assert not [line for line in text.splitlines() if len(line) > WIDTH]
    assert "..." not in text.split("\n", 1)[1], "a summary cut short"
    # nothing split mid-word, nothing lost: each help text's words appear in order
    words = " ".join(text.split())
    for prose in _help_texts(name):
        assert " ".join(prose.split()) in words, prose
    # filled: no line of a wrapped block could have taken the next line's first word
    for block in _paragraphs(text):
        for line, after in itertools.pairwise(block):
            first = after.split()[0]
            gap = 2 if first.startswith("[") else 1  # click puts "  [default: …]" after help
            assert len(line.rstrip()) + gap + len(first) > TEXT_WIDTH, (line, after)


@pytest.mark.parametrize("name", COMMANDS)
def test_boolean_options_are_flags(name: str) -> None:
    command = COMMAND.commands[name]
    assert command.callback is not None
    hints = typing.get_type_hints(command.callback)
    booleans = [p for p in command.params if hints.get(p.name or "") is bool]
    flags = [p for p in command.params if getattr(p, "is_flag", False)]
    assert booleans == flags
    help_text = run(name, "--help").stdout
    for flag in flags:
        assert not flag.secondary_opts, f"{flag.opts} has a --no- form"
        (line,) = [line for line in help_text.splitlines() if line.split()[:1] == [flag.opts[-1]]]
        assert not re.search(r"<bool>|BOOLEAN|\[default: (True|False|no-)", line), line


def test_json_is_a_flag_that_takes_no_value(tmp_path: Path) -> None:
    registry = str(tmp_path / "reg.duckdb")
    listed = run("subjects", "--json", "--registry", registry)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    refused = run("subjects", "--registry", registry, "--json", "true")
    assert refused.returncode == 2
    assert "unexpected extra argument" in refused.stderr.lower()


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"schemakit {sk.__version__}\n"


def test_shell_completion_installs_and_completes(tmp_path: Path) -> None:
    shown = run("--show-completion", env={"SHELL": "/bin/bash"})
    assert shown.returncode == 0, shown.stderr
    assert "_SCHEMAKIT_COMPLETE=complete_bash" in shown.stdout
    installed = run("--install-completion", env={"SHELL": "/bin/bash", "HOME": str(tmp_path)})
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "schemakit.sh"
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()
    bash = shutil.which("bash")
    assert bash is not None
    assert SCHEMAKIT is not None
    commands = f"""
        source '{script}'
        complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); \
            _schemakit_completion '{SCHEMAKIT}'; echo "${{COMPREPLY[*]}}"; }}
        complete_words schemakit reg
        complete_words schemakit subjects --js
    """
    done = subprocess.run(
        [bash, "-c", commands], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["register", "--json"]
