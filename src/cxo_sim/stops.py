"""Stop signals: Ctrl-C, SIGTERM and SIGHUP, and the one place their handlers are set.

Signal handlers belong to the main thread: :func:`install` sets them there and does nothing in
any other thread, so no caller writes that guard again. The CLI makes the stop signals raise
``KeyboardInterrupt``; the engine notes them instead (:class:`StopSignals`) and honours them
where stopping is clean; the pool holds them back while workers start. Covered by
``tests/test_stops.py``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cxo_sim.errors import Stopped

# Signals that stop a command the way Ctrl-C does: what is finished is saved first. SIGTERM is
# what kill, container stops, systemd and cluster schedulers send before SIGKILL; SIGHUP what a
# closed terminal or a dropped SSH session sends (exit status 129).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)

Handler = Callable[[int, Any], Any] | int | signal.Handlers


def install(handler: Handler, numbers: Iterable[int] = STOP_SIGNALS) -> dict[int, Any]:
    """Set ``handler`` for each signal of ``numbers``; the handlers it replaced.

    Only the main thread may set handlers: elsewhere nothing changes and the answer is empty.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {number: signal.signal(number, handler) for number in numbers}


def restore(previous: dict[int, Any]) -> None:
    """Put back the handlers :func:`install` replaced."""
    for number, handler in previous.items():
        signal.signal(number, handler)


@contextlib.contextmanager
def handling(handler: Handler, numbers: Iterable[int] = STOP_SIGNALS) -> Iterator[None]:
    """``handler`` for ``numbers`` while the block runs (main thread only), then the old ones."""
    previous = install(handler, numbers)
    try:
        yield
    finally:
        restore(previous)


class StopSignals:
    """Ctrl-C, SIGTERM and SIGHUP, noted while runs execute and honoured where stopping is clean.

    A ``KeyboardInterrupt`` raised wherever the main thread happens to be can fire inside the
    executor's own code with one of its locks taken, and shutting the executor down then waits
    forever. Noted instead, a stop is raised as :class:`~cxo_sim.errors.Stopped` by
    :meth:`honour`, which the engine calls between waits. Outside the main thread, where
    handlers cannot be set, nothing changes.
    """

    def __init__(self) -> None:
        self.received: list[int] = []
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        self._previous = install(lambda number, _frame: self.received.append(number))
        return self

    def __exit__(self, kind, value, traceback) -> None:
        restore(self._previous)

    def honour(self) -> None:
        """Raise :class:`~cxo_sim.errors.Stopped` if a stop signal has arrived."""
        if self.received:
            raise Stopped(self.received[0])


@contextlib.contextmanager
def held() -> Iterator[list[int]]:
    """Hold the stop signals back until the block ends, then deliver them (main thread only).

    The block gets the list of signals held so far.
    """
    pressed: list[int] = []
    with handling(lambda number, _frame: pressed.append(number)):
        yield pressed
    for number in dict.fromkeys(pressed):
        signal.raise_signal(number)


@contextlib.contextmanager
def ignored() -> Iterator[None]:
    """Ctrl-C and a hang-up ignored while the block runs (main thread only); SIGTERM untouched.

    They reach the whole process group; a process started in the block (the fork server, the
    resource tracker) inherits them ignored, and SIGTERM still ends it.
    """
    deaf = [number for number in STOP_SIGNALS if number != signal.SIGTERM]
    with handling(signal.SIG_IGN, deaf):
        yield
