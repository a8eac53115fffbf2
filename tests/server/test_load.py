"""A bounded load test: several client processes register and read against one served registry.

Four processes each register distinct schemas over HTTP, half to one shared subject and half to
a subject of their own, each schema twice (the second must be idempotent), reading by id and by
version between writes; a fifth process writes the same way straight into the registry file
with ``sk.Registry`` while the server runs. At the end every registration is present exactly
once, versions are contiguous from 1 and ids are unique. Figures are printed (``pytest -s``),
never asserted.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import httpx

from tests._serve import CONTENT_TYPE, serve

WORKERS = 4
PER_WORKER = 24
SHARED = "shared-value"


def _schema(worker: int, index: int) -> str:
    fields = [{"name": f"w{worker}_i{index}", "type": "long"}]
    return json.dumps({"type": "record", "name": "Load", "fields": fields})


def _subject(worker: int, index: int) -> str:
    return SHARED if index % 2 == 0 else f"own-{worker}-value"


def _worker(base_url: str, worker: int) -> list[tuple[str, str, int, int]]:
    """Register this worker's schemas (each twice) and read between writes."""
    done: list[tuple[str, str, int, int]] = []
    with httpx.Client(
        base_url=base_url, headers={"Content-Type": CONTENT_TYPE}, timeout=60.0
    ) as client:
        for index in range(PER_WORKER):
            subject, schema = _subject(worker, index), _schema(worker, index)
            first = client.post(f"/subjects/{subject}/versions", json={"schema": schema})
            first.raise_for_status()
            again = client.post(f"/subjects/{subject}/versions", json={"schema": schema})
            again.raise_for_status()
            if again.json() != first.json():
                raise AssertionError(f"re-registering gave {again.json()} != {first.json()}")
            schema_id = int(first.json()["id"])
            by_id = client.get(f"/schemas/ids/{schema_id}")
            by_id.raise_for_status()
            if by_id.json()["schema"] != schema:
                raise AssertionError(f"id {schema_id} answers another schema")
            found = client.post(f"/subjects/{subject}", json={"schema": schema})
            found.raise_for_status()
            client.get(f"/subjects/{subject}/versions/latest").raise_for_status()
            done.append((subject, schema, schema_id, int(found.json()["version"])))
    return done


def _direct_worker(path: str, worker: int) -> list[tuple[str, str, int, int]]:
    """Register this worker's schemas straight into the file, as a notebook would."""
    from schemakit.registry import Registry

    done: list[tuple[str, str, int, int]] = []
    with Registry(path, timeout=120) as registry:
        for index in range(PER_WORKER):
            subject, schema = _subject(worker, index), _schema(worker, index)
            first = registry.register(subject, schema)
            again = registry.register(subject, schema)
            if (again.id, again.version) != (first.id, first.version):
                raise AssertionError(f"re-registering gave {again} != {first}")
            done.append((subject, schema, first.id, first.version))
    return done


def test_concurrent_clients_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    path = tmp_path / "registry.duckdb"
    with serve(path) as url:
        httpx.put(
            f"{url}/config", json={"compatibility": "NONE"}, headers={"Content-Type": CONTENT_TYPE}
        ).raise_for_status()
        context = multiprocessing.get_context("spawn")
        started = time.perf_counter()
        with context.Pool(WORKERS + 1) as pool:
            direct = pool.apply_async(_direct_worker, (str(path), WORKERS))
            results = pool.starmap(_worker, [(url, w) for w in range(WORKERS)])
            results.append(direct.get(timeout=600))
        elapsed = time.perf_counter() - started
        registrations = [r for batch in results for r in batch]

        with httpx.Client(base_url=url, timeout=60.0) as client:
            subjects = client.get("/subjects").json()
            expected_subjects = {SHARED} | {f"own-{w}-value" for w in range(WORKERS + 1)}
            assert set(subjects) == expected_subjects
            per_subject: dict[str, list[Any]] = {}
            for subject in subjects:
                versions = client.get(f"/subjects/{subject}/versions").json()
                expected = sum(1 for r in registrations if r[0] == subject)
                assert versions == list(range(1, expected + 1)), (subject, versions)
                per_subject[subject] = [
                    client.get(f"/subjects/{subject}/versions/{v}").json() for v in versions
                ]
            stored = [v for rows in per_subject.values() for v in rows]
            # Every registration is present exactly once, where the client was told it is.
            assert len(stored) == (WORKERS + 1) * PER_WORKER == len(registrations)
            assert sorted((v["subject"], v["schema"]) for v in stored) == sorted(
                (r[0], r[1]) for r in registrations
            )
            assert {(v["subject"], v["id"], v["version"]) for v in stored} == {
                (r[0], r[2], r[3]) for r in registrations
            }
            # Distinct schemas, distinct ids.
            assert len({v["id"] for v in stored}) == len(stored)
            for subject, _schema_text, schema_id, version in registrations:
                pairs = client.get(f"/schemas/ids/{schema_id}/versions").json()
                assert pairs == [{"subject": subject, "version": version}]

    requests = WORKERS * PER_WORKER * 6
    print(
        f"\nload: {WORKERS} HTTP client processes ({requests} requests) and one process writing "
        f"the file directly, {len(registrations)} registrations in {elapsed:.2f} s"
    )
