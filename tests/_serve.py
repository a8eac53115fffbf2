"""Start a real ``schemakit serve`` for a test, and always stop it.

Shared by the server tests, the remote contract suite and the interop tests::

    from tests._serve import serve

    with serve(tmp_path / "registry.duckdb") as base_url:
        httpx.get(f"{base_url}/subjects")

The server runs as a subprocess (``python -m schemakit.cli serve``) on a free port of 127.0.0.1,
is waited for until ``GET /`` answers, and is stopped by its PID (SIGTERM, then SIGKILL) when the
block ends, whatever happened inside it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence

import httpx

__all__ = ["CONTENT_TYPE", "free_port", "serve"]

#: The media type Confluent's clients send and the server answers with.
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"

_READY_TIMEOUT = 60.0
_STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=_STOP_TIMEOUT)


@contextlib.contextmanager
def serve(
    registry_path: str | os.PathLike[str],
    *,
    auth_file: str | os.PathLike[str] | None = None,
    credentials: tuple[str, str] | None = None,
    max_body_bytes: int | None = None,
    extra_args: Sequence[str] = (),
) -> Iterator[str]:
    """Run ``schemakit serve`` over ``registry_path``; yield its base URL (no trailing slash).

    Parameters
    ----------
    registry_path : path
        The DuckDB registry file (created if missing).
    auth_file : path, optional
        Passed as ``--auth-file``.
    credentials : (user, password), optional
        Used for the readiness probe when ``auth_file`` is given (a 401 also counts as ready).
    max_body_bytes : int, optional
        Passed as ``--max-body-bytes``.
    extra_args : sequence of str
        More command-line arguments.
    """
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "schemakit.cli",
        "serve",
        "--registry",
        os.fspath(registry_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if auth_file is not None:
        args += ["--auth-file", os.fspath(auth_file)]
    if max_body_bytes is not None:
        args += ["--max-body-bytes", str(max_body_bytes)]
    args += list(extra_args)
    base_url = f"http://127.0.0.1:{port}"
    headers: dict[str, str] = {}
    if credentials is not None:
        token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    # The server's output goes to a temporary file, shown if it fails to start.
    with tempfile.TemporaryFile() as log:

        def output() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")

        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(process, base_url, headers, output)
            yield base_url
        finally:
            _stop(process)


def _wait_ready(
    process: subprocess.Popen[bytes],
    base_url: str,
    headers: dict[str, str],
    output: Callable[[], str],
) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"schemakit serve exited with {process.returncode} before it was ready:\n"
                + output()
            )
        try:
            answer = httpx.get(f"{base_url}/", headers=headers, timeout=2.0)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code in (200, 401):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"schemakit serve did not answer on {base_url} within {_READY_TIMEOUT:g} s:\n"
                + output()
            )
        time.sleep(0.05)
