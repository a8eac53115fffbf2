"""The machinery behind the browser tests' fixtures: Voila on 127.0.0.1, Debian's chromium."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent.parent
NOTEBOOK = HERE / "explorer.ipynb"
#: Screenshots land here (ignored by git); the lead copies the best ones to docs/img/.
ARTIFACTS = REPO / "test-artifacts" / "browser"
#: Debian's chromium, as issue 5 says: never a browser downloaded by ``playwright install``.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Voila's first render starts a kernel and runs the notebook: 10-20 s on a busy 2-core machine.
RENDER_TIMEOUT_MS = 120_000
#: Each later step (a click, a picker) waits for the kernel's answer at most this long.
STEP_TIMEOUT_MS = 30_000
SERVER_START_TIMEOUT_S = 60.0
#: Where the notebook creates its registry files (one per kernel).
REGISTRY_DIR_VARIABLE = "SCHEMAKIT_BROWSER_TEST_DIR"

#: Voila's ``lab`` template links Font Awesome from jsdelivr. The tests serve the page with a
#: template that drops exactly these two links, so that any other outside request shows up.
_FONT_AWESOME_LINKS = [
    '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/'
    f'{name}" type="text/css" />'
    for name in ("all.min.css", "v4-shims.min.css")
]
OFFLINE_TEMPLATE = "schemakit-offline"


@dataclass
class Offline:
    """Requests that tried to leave 127.0.0.1 (each was aborted)."""

    blocked: list[str] = field(default_factory=list)


@dataclass
class VoilaServer:
    """A running ``voila`` process serving :data:`NOTEBOOK`."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, chars: int = 6000) -> str:
        """The end of voila's output (its kernels' tracebacks too), for failure messages."""
        return self.log.read_text(errors="replace")[-chars:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _jupyter_path(root: Path) -> Path:
    """A ``JUPYTER_PATH`` folder with a ``python3`` kernelspec and the offline Voila template.

    The venv's own ``python3`` kernelspec runs ``"python"``, which resolves through ``PATH`` and
    can be a system interpreter without schemakit; ``JUPYTER_PATH`` is searched first, so this
    kernelspec, which runs this very interpreter, wins.
    """
    spec_dir = root / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (schemakit browser tests)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))

    template = root / "voila" / "templates" / OFFLINE_TEMPLATE
    template.mkdir(parents=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}))
    drop = "".join(f" | replace({json.dumps(link)}, '')" for link in _FONT_AWESOME_LINKS)
    (template / "index.html.j2").write_text(
        "{%- extends 'lab/index.html.j2' -%}\n"
        "{%- block notebook_css -%}\n"
        f"{{{{ super(){drop} }}}}\n"
        "{%- endblock notebook_css -%}\n"
    )
    return root


def start_voila(root: Path) -> VoilaServer:
    """Start voila on :data:`NOTEBOOK` (state under ``root``); return once it serves files.

    Ready means ``/voila/static/voila.js`` answers: ``GET /`` would start a kernel each time.
    """
    registries = root / "registries"
    registries.mkdir()
    env = dict(os.environ)
    env.update(
        JUPYTER_PATH=str(_jupyter_path(root / "jupyter-path")),
        JUPYTER_CONFIG_DIR=str(root / "config"),
        JUPYTER_DATA_DIR=str(root / "data"),
        JUPYTER_RUNTIME_DIR=str(root / "runtime"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    env[REGISTRY_DIR_VARIABLE] = str(registries)
    env.pop("SCHEMAKIT_REGISTRY", None)
    port = _free_port()
    log = root / "voila.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                str(NOTEBOOK),
                "--no-browser",
                "--Voila.ip=127.0.0.1",
                f"--port={port}",
                f"--template={OFFLINE_TEMPLATE}",
                "--show_tracebacks=True",
            ],
            cwd=HERE,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kernels go with it
        )
    server = VoilaServer(url=f"http://127.0.0.1:{port}/", process=process, log=log)
    try:
        _wait_ready(server)
    except BaseException:
        stop_voila(server)
        raise
    return server


def _wait_ready(server: VoilaServer) -> None:
    probe = server.url + "voila/static/voila.js"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if server.process.poll() is not None:
            pytest.fail(
                f"voila exited with code {server.process.returncode} before serving {probe}:\n"
                + server.log_tail()
            )
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"voila did not serve {probe} within {SERVER_START_TIMEOUT_S} s:\n"
                + server.log_tail()
            )
        time.sleep(0.2)  # a readiness poll, not a wait for the widgets


def stop_voila(server: VoilaServer) -> None:
    """Stop voila by its PID, then what is left of its process group (its kernels)."""
    process = server.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):  # voila led its own session: group id = PID
        os.killpg(process.pid, signal.SIGKILL)
