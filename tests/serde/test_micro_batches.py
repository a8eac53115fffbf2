"""A producer loop: batch after batch of one topic, with the schema inferred each time.

A batch whose values fit the subject's latest version is written with it (no new version, no
error), whatever its own inferred schema would say; only a batch that does not fit gets a new
inferred schema, named like the latest and as nullable as the subject already allows, and the
compatibility check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import schemakit as sk


def _batch(rng: np.random.Generator, i: int, *, nulls: bool) -> pd.DataFrame:
    names = [f"n{i}-{k}" for k in range(20)]
    if nulls:
        names[int(rng.integers(0, 20))] = None  # type: ignore[call-overload]
    return pd.DataFrame({"id": np.arange(20, dtype=np.int64) + 20 * i, "name": names})


@pytest.mark.parametrize("as_arrow", [False, True], ids=["pandas", "arrow"])
def test_fifty_batches_with_nulls_coming_and_going_make_one_version(as_arrow: bool) -> None:
    registry = sk.Registry(":memory:")
    rng = np.random.default_rng(7)
    frames = [_batch(rng, i, nulls=(i == 0 or rng.random() < 0.5)) for i in range(50)]
    parts = []
    for frame in frames:
        data = pa.Table.from_pandas(frame, preserve_index=False) if as_arrow else frame
        records = sk.encode(data, topic="people", registry=registry, progress=False)
        parts.append(records if as_arrow else pa.array(records.array))
    assert registry.versions("people-value") == [1]
    back = sk.decode(pa.concat_arrays(parts), registry, output="arrow")
    assert back.column("id").to_pylist() == [i for f in frames for i in f["id"]]
    names = [None if pd.isna(n) else n for f in frames for n in f["name"]]
    assert back.column("name").to_pylist() == names


def test_a_batch_that_does_not_fit_gets_a_new_checked_version() -> None:
    registry = sk.Registry(":memory:")
    first = pd.DataFrame({"id": [1, 2], "name": ["a", None]})
    sk.encode(first, topic="people", registry=registry, progress=False)
    # nulls where the first version has none: a new, compatible version, still nullable name
    second = pd.DataFrame({"id": [3, None], "name": ["c", "d"]})
    sk.encode(second, topic="people", registry=registry, progress=False)
    assert registry.versions("people-value") == [1, 2]
    fields = {
        f["name"]: f["type"] for f in registry.get_latest("people-value").schema.to_dict()["fields"]
    }
    # name has no null in this batch, but the subject allows one there: it stays nullable
    assert fields == {"id": ["null", "double"], "name": ["null", "string"]}
    # a new required column cannot read the old data: refused, nothing registered
    third = pd.DataFrame({"id": [5.0], "name": ["e"], "age": [3]})
    with pytest.raises(sk.IncompatibleSchemaError):
        sk.encode(third, topic="people", registry=registry, progress=False)
    assert registry.versions("people-value") == [1, 2]
