"""Throughput and latency of ``schemakit serve`` under several concurrent client processes.

Usage::

    python benchmarks/bench_server.py [--workers 4] [--registrations 40] [--reads 200]

Starts ``schemakit serve`` over a fresh registry file on a free port of 127.0.0.1, then runs
``--workers`` client processes (httpx, one keep-alive connection each) through three phases, one
after the other: registering distinct schemas (half to one shared subject, half to a subject of
the worker's own), reading schemas by id, and reading the latest version of a subject. Prints
requests per second (all workers, wall time of the phase) and latency percentiles per request.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
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

import httpx

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _register(url: str, worker: int, count: int) -> tuple[list[float], list[int]]:
    latencies, ids = [], []
    with httpx.Client(base_url=url, headers={"Content-Type": CONTENT_TYPE}, timeout=120) as http:
        for i in range(count):
            subject = "shared-value" if i % 2 == 0 else f"own-{worker}-value"
            fields = [{"name": f"w{worker}_{i}", "type": "long"}]
            schema = json.dumps({"type": "record", "name": "Bench", "fields": fields})
            start = time.perf_counter()
            answer = http.post(f"/subjects/{subject}/versions", json={"schema": schema})
            latencies.append(time.perf_counter() - start)
            answer.raise_for_status()
            ids.append(int(answer.json()["id"]))
    return latencies, ids


def _read(url: str, paths: list[str]) -> list[float]:
    latencies = []
    with httpx.Client(base_url=url, timeout=120) as http:
        for path in paths:
            start = time.perf_counter()
            answer = http.get(path)
            latencies.append(time.perf_counter() - start)
            answer.raise_for_status()
    return latencies


def _report(name: str, per_worker: list[list[float]], wall: float) -> None:
    flat = sorted(x for batch in per_worker for x in batch)
    q = statistics.quantiles(flat, n=100, method="inclusive")
    print(
        f"{name:<26}{len(flat):>7}{len(flat) / wall:>10.1f}"
        f"{q[49] * 1e3:>10.1f}{q[94] * 1e3:>10.1f}{q[98] * 1e3:>10.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--registrations", type=int, default=40, help="per worker")
    parser.add_argument("--reads", type=int, default=200, help="per worker and read phase")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-server-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "schemakit.cli", "serve", "--registry"]
    command += [str(folder / "registry.duckdb"), "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        httpx.put(
            f"{url}/config", json={"compatibility": "NONE"}, headers={"Content-Type": CONTENT_TYPE}
        ).raise_for_status()
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.workers) as pool:
            pool.starmap(_read, [(url, ["/"])] * args.workers)  # start the processes first
            print(
                f"python {platform.python_version()}, {platform.machine()}, "
                f"{os.cpu_count()} cores; {args.workers} client processes, one server process"
            )
            print(
                f"{'phase':<26}{'calls':>7}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
            )
            start = time.perf_counter()
            registered = pool.starmap(
                _register, [(url, w, args.registrations) for w in range(args.workers)]
            )
            _report(
                "register (new schema)", [r[0] for r in registered], time.perf_counter() - start
            )
            ids = [i for _, batch in registered for i in batch]
            by_id = [
                [f"/schemas/ids/{ids[(w * 7 + k) % len(ids)]}" for k in range(args.reads)]
                for w in range(args.workers)
            ]
            start = time.perf_counter()
            latencies = pool.starmap(_read, [(url, p) for p in by_id])
            _report("GET /schemas/ids/{id}", latencies, time.perf_counter() - start)
            paths = [
                [
                    f"/subjects/own-{(w + k) % args.workers}-value/versions/latest"
                    for k in range(args.reads)
                ]
                for w in range(args.workers)
            ]
            start = time.perf_counter()
            latencies = pool.starmap(_read, [(url, p) for p in paths])
            _report("GET …/versions/latest", latencies, time.perf_counter() - start)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
