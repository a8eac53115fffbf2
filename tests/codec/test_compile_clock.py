"""The clock of first calls: the length of the union of the intervals, whatever their order."""

from __future__ import annotations

from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemakit.codec import _jit

_interval = st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0, 10, allow_nan=False)).map(
    lambda t: (t[0], t[0] + t[1])
)


def _union(intervals: list[tuple[float, float]]) -> float:
    total, until = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > until:
            total += end - max(start, until)
            until = end
    return total


@given(st.lists(_interval, max_size=20), st.randoms())
def test_the_total_is_the_length_of_the_union(
    intervals: list[tuple[float, float]], order: Random
) -> None:
    shuffled = list(intervals)
    order.shuffle(shuffled)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_jit, "_first_calls", [])
        patch.setattr(_jit, "_compile_total", 0.0)
        for start, end in shuffled:
            _jit._count(start, end)
        total = _jit.compile_seconds()
    assert total == pytest.approx(_union(intervals))
    assert total <= sum(end - start for start, end in intervals) + 1e-9


@given(st.lists(_interval, max_size=20))
def test_disjoint_intervals_add_up(intervals: list[tuple[float, float]]) -> None:
    spaced = [(start + 200 * i, end + 200 * i) for i, (start, end) in enumerate(intervals)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_jit, "_first_calls", [])
        patch.setattr(_jit, "_compile_total", 0.0)
        for start, end in spaced:
            _jit._count(start, end)
        total = _jit.compile_seconds()
    assert total == pytest.approx(sum(end - start for start, end in spaced))
