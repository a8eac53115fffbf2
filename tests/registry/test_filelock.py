"""The fair lock itself (schemakit.registry._filelock), driven by threads of this process.

OFD locks belong to an open file description, not to a process, so threads that each open the
sidecar contend exactly as processes do; that lets hypothesis try many schedules quickly. The
processes themselves are in test_fairness.py.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemakit.registry._filelock import (
    _MAX_ABANDONED,
    LockTimeoutError,
    _Request,
    acquire,
    tickets_issued,
)

#: How late a waiter may give up after its deadline (thread wake-ups on a loaded machine).
SLACK = 0.5


def _wait_for_tickets(path: str, count: int) -> None:
    """Until ``count`` tickets were handed out: the last waiter started has queued."""
    deadline = time.monotonic() + 30
    while tickets_issued(path) < count:
        assert time.monotonic() < deadline, "a waiter never took its ticket"
        time.sleep(0.001)


@dataclass
class _Log:
    lock: threading.Lock = field(default_factory=threading.Lock)
    holding: int = 0
    most: int = 0
    granted: list[int] = field(default_factory=list)
    gave_up: dict[int, float] = field(default_factory=dict)  # waiter -> seconds past deadline


def _waiter(path: str, index: int, hold: float, timeout: float, log: _Log) -> None:
    deadline = time.monotonic() + timeout
    try:
        fd = acquire(path, deadline)
    except LockTimeoutError:
        with log.lock:
            log.gave_up[index] = time.monotonic() - deadline
        return
    assert fd is not None
    with log.lock:
        log.holding += 1
        log.most = max(log.most, log.holding)
        log.granted.append(index)
    time.sleep(hold)
    with log.lock:
        log.holding -= 1
    os.close(fd)


waiters = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.002, 0.02]),  # how long it holds the turn
        st.sampled_from([0.0, 0.03, 10.0]),  # its timeout
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first_hold=st.sampled_from([0.0, 0.01, 0.1]), plan=waiters)
def test_turns_come_in_arrival_order_one_at_a_time_and_give_up_in_time(
    tmp_path: Path, first_hold: float, plan: list[tuple[float, float]]
) -> None:
    path = str(tmp_path / f"q{time.monotonic_ns()}.lock")
    log = _Log()
    first = acquire(path, time.monotonic() + 5)
    assert first is not None
    threads = []
    for index, (hold, timeout) in enumerate(plan):
        thread = threading.Thread(target=_waiter, args=(path, index, hold, timeout, log))
        thread.start()
        threads.append(thread)
        _wait_for_tickets(path, index + 2)  # the first holder had ticket 0
    time.sleep(first_hold)
    os.close(first)
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()

    assert log.most == min(1, len(log.granted))  # never two holders at once
    assert log.granted == sorted(log.granted)  # first come, first served
    assert sorted([*log.granted, *log.gave_up]) == list(range(len(plan)))
    for index, late in log.gave_up.items():
        assert late <= SLACK, (index, late)
    # A long timeout always outlasts everything queued ahead (at most 0.1 + 5 x 0.02 s),
    # including places abandoned by waiters that gave up.
    assert all(i in log.granted for i, (_, timeout) in enumerate(plan) if timeout >= 10)


def test_a_place_given_up_does_not_hold_up_the_queue(tmp_path: Path) -> None:
    path = str(tmp_path / "abandon.lock")
    first = acquire(path, time.monotonic() + 5)
    assert first is not None
    log = _Log()
    quitter = threading.Thread(target=_waiter, args=(path, 0, 0.0, 0.2, log))
    quitter.start()
    _wait_for_tickets(path, 2)
    patient = threading.Thread(target=_waiter, args=(path, 1, 0.0, 30.0, log))
    patient.start()
    _wait_for_tickets(path, 3)
    quitter.join(10)
    assert list(log.gave_up) == [0]
    # The quitter's helper thread is still blocked behind `first`; its place is released, so
    # the patient waiter is next as soon as the first holder is done.
    os.close(first)
    patient.join(10)
    assert log.granted == [1]


def test_giving_up_again_and_again_costs_a_bounded_number_of_threads(tmp_path: Path) -> None:
    path = str(tmp_path / "stuck.lock")
    first = acquire(path, time.monotonic() + 5)
    assert first is not None
    before = threading.active_count()
    for _ in range(3 * _MAX_ABANDONED):
        deadline = time.monotonic() + 0.01
        with pytest.raises(LockTimeoutError):
            acquire(path, deadline)
        assert time.monotonic() - deadline <= SLACK
        assert threading.active_count() <= before + _MAX_ABANDONED
    os.close(first)
    # The holder is gone: the waiting threads get their (abandoned) turns and end.
    wait_until = time.monotonic() + 30
    while _Request.abandoned and time.monotonic() < wait_until:
        time.sleep(0.01)
    assert _Request.abandoned == 0
    fd = acquire(path, time.monotonic() + 5)
    assert fd is not None
    os.close(fd)


def test_a_ticket_held_by_someone_else_is_skipped(tmp_path: Path) -> None:
    # The counter went back (say the sidecar was rewritten): a held ticket byte is not reused.
    path = str(tmp_path / "reset.lock")
    first = acquire(path, time.monotonic() + 5)
    assert first is not None
    with open(path, "r+b") as file:
        file.write((0).to_bytes(8, "little"))
    log = _Log()
    thread = threading.Thread(target=_waiter, args=(path, 0, 0.0, 0.3, log))
    thread.start()
    thread.join(10)
    assert tickets_issued(path) == 2  # it took ticket 1, not the held ticket 0 ...
    assert list(log.gave_up) == [0]  # ... and so waited behind it
    os.close(first)


def test_an_unusable_sidecar_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        acquire(str(tmp_path / "missing-folder" / "x.lock"), time.monotonic() + 1)
    assert tickets_issued(str(tmp_path / "never.lock")) == 0
