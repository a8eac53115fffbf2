"""A fair, bounded lock across processes: a ticket queue of byte-range locks on a sidecar file.

Why a queue: a lock taken by retrying a non-blocking request favours the process that has just
released it (it asks again at once, while the others sleep between their retries), so one
process can keep a file while another times out. Here every request takes a ticket and waits
until every earlier ticket is done, so the file is handed over in arrival order, and each wait
ends at one deadline.

The queue lives in Linux open-file-description (OFD) byte-range locks on the sidecar, which the
kernel drops when their descriptor is closed, so a process's place goes away however the process
ends (SIGKILL included):

- bytes ``0..7`` of the sidecar hold the next ticket number (little-endian); the lock of byte 0
  is held, exclusively, while a process takes a ticket (microseconds);
- ticket ``n`` is the exclusive lock of byte ``_QUEUE + n``, held until the turn ends;
- ticket ``n`` has its turn when it gets a shared lock of ``[_QUEUE, _QUEUE + n)``: then every
  earlier ticket has been released, because its holder finished, gave up, or died.

During its turn the holder also takes the exclusive ``flock`` of the whole sidecar: it is free
whenever the queue is used (the queue admits one holder), and it keeps out the older releases
that used the flock alone. Without OFD locks (not Linux) the flock is all there is, taken by a
blocking wait: a release wakes the waiters at once, but the kernel picks which one wins.

A blocking lock request has no timeout, so it runs in a helper thread while the caller waits on
an event until the deadline. A caller that gives up first releases what it holds on the
descriptor (its ticket), then leaves the descriptor to the thread, which closes it, and so drops
whatever it was granted, as soon as its request returns. So that a caller retrying against a
holder that never lets go cannot pile up such threads, past a few of them waits poll instead.
"""

from __future__ import annotations

import errno
import functools
import os
import struct
import threading
import time
from collections.abc import Callable
from typing import ClassVar, Final

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["LockTimeoutError", "acquire", "tickets_issued"]

_OFD: Final = fcntl is not None and hasattr(fcntl, "F_OFD_SETLKW")
#: The ticket counter's bytes start here; its lock is the lock of this one byte.
_COUNTER: Final = 0
#: Ticket ``n`` is the byte ``_QUEUE + n`` (after the counter's eight bytes).
_QUEUE: Final = 8
#: Counters past this (a file overwritten by something else) restart at 0.
_MAX_TICKET: Final = 2**62
# struct flock {short l_type, l_whence; off_t l_start, l_len; pid_t l_pid}, padded as C pads
# it ("0q"); l_pid must be 0 for OFD locks.
_FLOCK: Final = "hhqqi0q"
#: Threads left waiting by callers that gave up, past which waits poll (see :func:`_wait`).
_MAX_ABANDONED: Final = 16
#: Seconds between tries when polling.
_POLL: Final = 0.005
# What a refused non-blocking request fails with (POSIX allows either).
_REFUSED: Final = frozenset({errno.EAGAIN, errno.EACCES})


class LockTimeoutError(Exception):
    """The turn did not come by the deadline; the message says what was waited for."""


def _fcntl_lock(fd: int, command: int, kind: int, start: int, length: int) -> None:
    fcntl.fcntl(fd, command, struct.pack(_FLOCK, kind, os.SEEK_SET, start, length, 0))


def _try(fd: int, kind: int, start: int, length: int) -> bool:
    """An OFD lock of ``[start, start + length)`` without waiting; whether it was granted."""
    try:
        _fcntl_lock(fd, fcntl.F_OFD_SETLK, kind, start, length)
    except OSError as exc:
        if exc.errno in _REFUSED:
            return False
        raise
    return True


def _unlock(fd: int, start: int, length: int) -> None:
    """Release OFD locks of ``[start, start + length)`` (``length`` 0: to the end of the file)."""
    _fcntl_lock(fd, fcntl.F_OFD_SETLK, fcntl.F_UNLCK, start, length)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class _Request(threading.Thread):
    """A blocking lock request on ``fd``, run in a thread so that its caller can stop waiting."""

    #: Requests given up on whose threads still wait in the kernel, across the process.
    abandoned: ClassVar[int] = 0
    _count_guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, fd: int, request: Callable[[], None]) -> None:
        super().__init__(name="schemakit-lock-wait", daemon=True)
        self._fd = fd
        self._request = request
        self._guard = threading.Lock()
        self._done = threading.Event()
        self._abandoned = False
        self._error: OSError | None = None

    def run(self) -> None:
        try:
            self._request()
        except OSError as exc:
            self._error = exc
        with self._guard:
            self._done.set()
            if self._abandoned:
                os.close(self._fd)  # drops whatever the request was granted
                with _Request._count_guard:
                    _Request.abandoned -= 1

    def granted(self, deadline: float, give_back: Callable[[], None]) -> bool:
        """Whether the request was granted by ``deadline``.

        If not (or if the wait is interrupted), ``give_back`` runs (the caller releasing what
        it holds on the descriptor) and the descriptor then belongs to the thread: the caller
        must not use or close it again.
        """
        self.start()
        try:
            self._done.wait(max(0.0, deadline - time.monotonic()))
        finally:
            with self._guard:  # the thread cannot close the descriptor while this runs
                if not self._done.is_set():
                    give_back()
                    self._abandoned = True
                    with _Request._count_guard:
                        _Request.abandoned += 1
        if self._abandoned:
            return False
        if self._error is not None:
            raise self._error
        return True


def _wait(
    fd: int,
    request: Callable[[], None],
    attempt: Callable[[], bool],
    deadline: float,
    give_back: Callable[[], None],
) -> bool:
    """Wait until ``deadline`` for a lock: ``request`` blocks for it, ``attempt`` tries once.

    On ``False`` the descriptor is no longer the caller's (a thread still waiting owns it, or
    it was closed). Each give-up leaves a thread waiting until its request returns; past
    ``_MAX_ABANDONED`` of them (a holder that never lets go, and a caller that keeps retrying)
    this polls instead, so that giving up again and again costs no more threads.
    """
    if _Request.abandoned < _MAX_ABANDONED:
        return _Request(fd, request).granted(deadline, give_back)
    while time.monotonic() < deadline:
        if attempt():
            return True
        time.sleep(min(_POLL, max(0.0, deadline - time.monotonic())))
    if attempt():
        return True
    give_back()
    os.close(fd)
    return False


def _nothing() -> None:
    return None


def _take_ticket(fd: int, deadline: float) -> int | None:
    """The next ticket, its byte locked; ``None`` (``fd`` handed off) if the deadline passed."""
    if not _try(fd, fcntl.F_WRLCK, _COUNTER, 1) and not _wait(
        fd,
        lambda: _fcntl_lock(fd, fcntl.F_OFD_SETLKW, fcntl.F_WRLCK, _COUNTER, 1),
        lambda: _try(fd, fcntl.F_WRLCK, _COUNTER, 1),
        deadline,
        _nothing,
    ):
        return None
    try:
        raw = os.pread(fd, 8, _COUNTER)
        ticket = int.from_bytes(raw, "little") if len(raw) == 8 else 0
        if ticket >= _MAX_TICKET:
            ticket = 0
        # A ticket byte that is held means the counter went back (the sidecar was replaced
        # while in use): skip to a free one. At most one step per process holding a ticket.
        while not _try(fd, fcntl.F_WRLCK, _QUEUE + ticket, 1):
            ticket += 1
        os.pwrite(fd, (ticket + 1).to_bytes(8, "little"), _COUNTER)
    finally:
        _unlock(fd, _COUNTER, 1)
    return ticket


def _wait_turn(fd: int, ticket: int, deadline: float) -> bool:
    """Whether every earlier ticket was released by ``deadline`` (else ``fd`` is handed off)."""
    if ticket == 0 or _try(fd, fcntl.F_RDLCK, _QUEUE, ticket):  # length 0 would mean "to EOF"
        return True
    return _wait(
        fd,
        lambda: _fcntl_lock(fd, fcntl.F_OFD_SETLKW, fcntl.F_RDLCK, _QUEUE, ticket),
        lambda: _try(fd, fcntl.F_RDLCK, _QUEUE, ticket),
        deadline,
        lambda: _unlock(fd, _QUEUE + ticket, 1),  # the tickets behind need not wait for us
    )


def _wait_flock(fd: int, deadline: float) -> bool:
    if _try_flock(fd):
        return True
    give_back = (lambda: _unlock(fd, 0, 0)) if _OFD else _nothing
    request = functools.partial(fcntl.flock, fd, fcntl.LOCK_EX)
    return _wait(fd, request, functools.partial(_try_flock, fd), deadline, give_back)


def acquire(path: str, deadline: float) -> int | None:
    """Wait, in arrival order, for the turn on the sidecar ``path`` (created if missing).

    Parameters
    ----------
    path : str
        The sidecar lock file.
    deadline : float
        A :func:`time.monotonic` time after which to give up.

    Returns
    -------
    int or None
        The descriptor that holds the turn: closing it ends the turn. ``None`` where there is
        no ``fcntl`` (not POSIX).

    Raises
    ------
    LockTimeoutError
        The turn did not come by ``deadline``; the message says what was waited for.
    OSError
        The sidecar cannot be created or opened for writing, or a lock call failed.
    """
    if fcntl is None:  # pragma: no cover - not POSIX
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        if _OFD:
            ticket = _take_ticket(fd, deadline)
            if ticket is None:
                raise LockTimeoutError(f"waited for a ticket of the queue in {path!r}")
            if not _wait_turn(fd, ticket, deadline):
                raise LockTimeoutError(f"waited for its turn in the queue in {path!r}")
        if not _wait_flock(fd, deadline):
            raise LockTimeoutError(f"waited for the flock of {path!r}, held by another process")
    except LockTimeoutError:
        raise  # the descriptor went to the thread still waiting
    except BaseException:
        os.close(fd)
        raise
    return fd


def tickets_issued(path: str) -> int:
    """How many tickets the queue in ``path`` has handed out (0 without a sidecar)."""
    try:
        with open(path, "rb") as file:
            raw = file.read(8)
    except FileNotFoundError:
        return 0
    return int.from_bytes(raw, "little") if len(raw) == 8 else 0
