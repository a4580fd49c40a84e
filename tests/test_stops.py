"""Stop signals: one installer of handlers, main thread only; noted, held back, or ignored."""

from __future__ import annotations

import signal
import threading

import pytest

from cxo_sim import stops
from cxo_sim.errors import Stopped


def test_handlers_are_set_in_the_main_thread_and_put_back_afterwards():
    before = signal.getsignal(signal.SIGTERM)
    with stops.StopSignals() as stop:
        assert signal.getsignal(signal.SIGTERM) is not before
        signal.raise_signal(signal.SIGTERM)
        assert stop.received == [signal.SIGTERM]
        with pytest.raises(Stopped) as stopped:
            stop.honour()
    assert stopped.value.signal_number == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before


def test_outside_the_main_thread_nothing_is_installed():
    answers = []
    thread = threading.Thread(target=lambda: answers.append(stops.install(signal.SIG_IGN)))
    thread.start()
    thread.join()
    assert answers == [{}]


def test_a_signal_held_back_is_delivered_when_the_block_ends():
    seen: list[int] = []
    with stops.handling(lambda number, _frame: seen.append(number)):
        with stops.held() as pressed:
            signal.raise_signal(signal.SIGTERM)
            assert pressed == [signal.SIGTERM] and seen == []
        assert seen == [signal.SIGTERM]


def test_ctrl_c_and_a_hang_up_are_ignored_in_the_block_and_sigterm_is_left_alone():
    # A process started in the background may begin with Ctrl-C already ignored: give it a
    # handler first, so that the block's putting it back shows.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sigterm = signal.getsignal(signal.SIGTERM)
        with stops.ignored():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            if hasattr(signal, "SIGHUP"):
                assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is sigterm
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
