"""Fairness of several processes on one registry file: shares, reader latency, timeouts, loss.

Usage::

    python benchmarks/bench_registry_fairness.py [--duration 60] [--writers 4] [--timeout 30]

Over a fresh registry file (compatibility NONE, so the figures are about the file, not about
compatibility checks) it runs, for ``--duration`` seconds and all at once:

* ``--writers`` writer processes, each registering a new schema in a loop, round-robin into
  five subjects, through its own ``sk.Registry(path, timeout=--timeout)``;
* one reader process reading the store in a loop (``versions`` then ``get_latest`` of a
  subject, each a fresh read of the file);
* ``schemakit serve`` over the same file on 127.0.0.1, and one HTTP client process reading
  ``GET /subjects/{subject}/versions/latest`` from it in a loop (the server is the process that
  uses the file; its store has the default 30 s timeout).

Every process is a separate interpreter; they start at one agreed instant after their imports,
and opening the registry is their first operation. It prints, per process, its operations, its
share of all operations against the fair share (each process gets an equal share of turns when
all keep asking), the p50 / p99 / max time of one operation and the errors; then checks the
targets (every share within 2x of fair, reader p99 <= 1 s, no operation longer than its timeout
+ 0.75 s) and that nothing was lost or duplicated: every acknowledged registration is in the
file with its id, ids are unique, versions are contiguous per subject, and ``verify()`` passes.
Exits 1 when a target or a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SUBJECTS = 5
#: Seconds the workers get to import before the common start.
START_DELAY = 8.0
#: The server's store timeout (``schemakit serve`` uses the Registry default).
SERVER_TIMEOUT = 30.0
#: How much longer than its timeout an operation may take (its own work, wake-ups).
SLACK = 0.75


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def _open(path: str, stop: float, timeout: float, ops: list[float], errors: list[str]) -> Any:
    """The worker's Registry, opened after the start like any other operation (it reads the
    file's layout), retried while it is busy; ``None`` if it never opened before ``stop``."""
    from schemakit.errors import SchemakitError
    from schemakit.registry import Registry

    while time.time() < stop:
        began = time.perf_counter()
        try:
            return Registry(path, timeout=timeout)
        except SchemakitError as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        finally:
            ops.append(time.perf_counter() - began)
    return None


def _writer(path: str, index: int, start: float, stop: float, timeout: float) -> dict[str, Any]:
    from schemakit.errors import SchemakitError

    ops: list[float] = []
    acked: list[list[Any]] = []
    errors: list[str] = []
    _sleep_until(start)
    reg = _open(path, stop, timeout, ops, errors)
    i = 0
    while reg is not None and time.time() < stop:
        name = f"W{index}_{i}"
        schema = {"type": "record", "name": name, "fields": [{"name": "x", "type": "int"}]}
        began = time.perf_counter()
        try:
            got = reg.register(f"s{i % SUBJECTS}", schema)
        except SchemakitError as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        else:
            acked.append([got.subject, got.version, got.id, name])
        ops.append(time.perf_counter() - began)
        i += 1
    if reg is not None:
        reg.close()
    return {"ops": ops, "acked": acked, "errors": errors}


def _reader(path: str, index: int, start: float, stop: float, timeout: float) -> dict[str, Any]:
    from schemakit.errors import SchemakitError, SubjectNotFoundError

    ops: list[float] = []
    errors: list[str] = []
    _sleep_until(start)
    reg = _open(path, stop, timeout, ops, errors)
    i = 0
    while reg is not None and time.time() < stop:
        subject = f"s{i % SUBJECTS}"
        began = time.perf_counter()
        try:
            if i % 2:
                reg.get_latest(subject)
            else:
                reg.versions(subject)
        except SubjectNotFoundError:
            pass  # nothing registered there yet: still a read of the file
        except SchemakitError as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        ops.append(time.perf_counter() - began)
        i += 1
    if reg is not None:
        reg.close()
    return {"ops": ops, "acked": [], "errors": errors}


def _http(url: str, index: int, start: float, stop: float, timeout: float) -> dict[str, Any]:
    import httpx

    ops: list[float] = []
    errors: list[str] = []
    with httpx.Client(base_url=url, timeout=timeout + 30) as client:
        _sleep_until(start)
        i = 0
        while time.time() < stop:
            began = time.perf_counter()
            try:
                answer = client.get(f"/subjects/s{i % SUBJECTS}/versions/latest")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
            else:
                if answer.status_code not in (200, 404):
                    errors.append(f"HTTP {answer.status_code}: {answer.text}"[:300])
            ops.append(time.perf_counter() - began)
            i += 1
    return {"ops": ops, "acked": [], "errors": errors}


ROLES = {"writer": _writer, "reader": _reader, "http": _http}


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"schemakit serve exited with {server.returncode}")
        try:
            if httpx.get(f"{url}/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("schemakit serve did not start within 60 s")


def _q(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _check_file(path: str, acked: list[list[Any]]) -> list[str]:
    """Every check of "nothing lost or duplicated"; the problems found."""
    from schemakit.registry import Registry

    problems: list[str] = []
    pairs = [(s, v) for s, v, _, _ in acked]
    if len(set(pairs)) != len(pairs):
        problems.append("a (subject, version) was acknowledged twice")
    ids = [i for _, _, i, _ in acked]
    if len(set(ids)) != len(ids):
        problems.append("a schema id was handed to two distinct schemas")
    with Registry(path) as reg:
        for subject in reg.subjects():
            versions = reg.versions(subject)
            if versions != list(range(1, len(versions) + 1)):
                problems.append(f"versions of {subject} are not contiguous: {versions}")
        stored = {
            (subject, int(row.version)): int(row.id)
            for subject in reg.subjects()
            for row in reg.history(subject).itertuples()
        }
        lost = [a for a in acked if stored.get((a[0], a[1])) != a[2]]
        if lost:
            problems.append(f"{len(lost)} acknowledged registrations missing, e.g. {lost[0]}")
        if len(stored) != len(acked):
            problems.append(f"{len(stored)} versions stored, {len(acked)} acknowledged")
        report = reg.verify()
        problems.extend(report.problems)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=30.0, help="Registry(timeout=)")
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:  # a worker process
        stop = args.start + args.duration
        result = ROLES[args.role](args.target, args.index, args.start, stop, args.timeout)
        json.dump(result, sys.stdout)
        return 0

    import duckdb

    from schemakit.registry import Registry

    folder = Path(tempfile.mkdtemp(prefix="bench-fairness-"))
    path = str(folder / "registry.duckdb")
    with Registry(path) as reg:
        reg.set_compatibility("NONE")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "schemakit.cli", "serve", "--registry", path]
    server = subprocess.Popen(
        [*serve, "--host", "127.0.0.1", "--port", str(port)], stderr=subprocess.DEVNULL
    )
    workers: list[tuple[str, subprocess.Popen[str]]] = []
    try:
        _wait_ready(url, server)
        start = time.time() + START_DELAY
        plan = [("writer", path, w) for w in range(args.writers)]
        plan += [("reader", path, 0), ("http", url, 0)]
        for role, target, index in plan:
            command = [sys.executable, __file__, "--role", role, "--target", target]
            command += ["--index", str(index), "--start", repr(start)]
            command += ["--duration", repr(args.duration), "--timeout", repr(args.timeout)]
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            workers.append((f"{role} {index}" if role == "writer" else role, proc))
        results = {}
        for name, proc in workers:
            out, _ = proc.communicate(timeout=args.duration + START_DELAY + 300)
            if proc.returncode != 0:
                raise SystemExit(f"{name} exited with {proc.returncode}")
            results[name] = json.loads(out)
    finally:
        for _, proc in workers:
            if proc.poll() is None:
                proc.kill()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    total = sum(len(r["ops"]) for r in results.values())
    fair = 1 / len(results)
    print(
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores; {args.writers} writers + 1 reader "
        f"+ 1 HTTP reader through schemakit serve, {args.duration:g} s, timeout "
        f"{args.timeout:g} s"
    )
    head = f"{'process':<10}{'ops':>7}{'share':>8}{'x fair':>8}"
    print(head + f"{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}")
    print("-" * (len(head) + 38))
    failures: list[str] = []
    for name, r in results.items():
        ops = r["ops"]
        share = len(ops) / total if total else 0.0
        print(
            f"{name:<10}{len(ops):>7}{share:>8.1%}{share / fair:>8.2f}"
            f"{_q(ops, 50) * 1e3:>10.1f}{_q(ops, 99) * 1e3:>10.1f}"
            f"{max(ops, default=0.0) * 1e3:>10.1f}{len(r['errors']):>8}"
        )
        if not 0.5 <= share / fair <= 2.0:
            failures.append(f"{name}: share {share:.1%} is not within 2x of fair {fair:.1%}")
        limit = SERVER_TIMEOUT if name == "http" else args.timeout
        if max(ops, default=0.0) > limit + SLACK:
            failures.append(
                f"{name}: an operation took {max(ops):.2f} s > timeout {limit:g} s + {SLACK:g} s"
            )
        for error in r["errors"][:3]:
            failures.append(f"{name}: {error}")
    reader_p99 = _q(results["reader"]["ops"], 99)
    slowest = max(max(r["ops"], default=0.0) for r in results.values())
    reader_p50 = _q(results["reader"]["ops"], 50)
    print(f"reader p50 {reader_p50 * 1e3:.1f} ms, p99 {reader_p99 * 1e3:.1f} ms")
    print(f"slowest operation {slowest:.2f} s; timeout {args.timeout:g} s")
    if reader_p99 > 1.0:
        failures.append(f"reader p99 {reader_p99:.2f} s > 1 s")
    acked = [a for r in results.values() for a in r["acked"]]
    problems = _check_file(path, acked)
    print(
        f"{len(acked)} registrations acknowledged: "
        + ("none lost or duplicated, verify() ok" if not problems else "; ".join(problems))
    )
    failures.extend(problems)
    shutil.rmtree(folder, ignore_errors=True)
    for failure in failures:
        print(f"FAIL {failure}")
    print("targets met" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
