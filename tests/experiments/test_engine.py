"""The engine: ``run_jobs`` and the ordered ``process_map`` that validation and the rest use."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from cxo_sim.errors import Stopped
from cxo_sim.experiments.engine import process_map
from cxo_sim.experiments.pool import PoolError


def _square_or_hang(job: tuple[int, str]) -> int:
    """Square a number; job 3 hangs the first time (a stopped or hung worker), or every time."""
    number, marker = job
    if number == 3 and (marker == "always" or not Path(marker).exists()):
        if marker != "always":
            Path(marker).touch()
        time.sleep(600)
    return number * number


def test_results_come_in_order_inline_and_on_processes(tmp_path):
    jobs = [(n, str(tmp_path / "unused")) for n in range(20) if n != 3]
    expected = [n * n for n, _ in jobs]
    assert list(process_map(_square_or_hang, jobs, workers=1)) == expected
    assert list(process_map(_square_or_hang, jobs, workers=2)) == expected


def test_a_job_past_its_deadline_has_its_worker_killed_and_is_redone(tmp_path):
    jobs = [(n, str(tmp_path / "hung-once")) for n in range(8)]
    started = time.monotonic()
    assert list(process_map(_square_or_hang, jobs, workers=2, deadline=1.0)) == [
        n * n for n in range(8)
    ]
    assert (tmp_path / "hung-once").exists(), "job 3 did hang once"
    assert time.monotonic() - started < 30


def test_a_job_that_always_hangs_ends_the_map_with_a_pool_error():
    jobs = [(n, "always") for n in range(5)]
    started = time.monotonic()
    with pytest.raises(PoolError, match="job 3 did not finish within 1 s, 4 times"):
        list(process_map(_square_or_hang, jobs, workers=2, deadline=1.0))
    assert time.monotonic() - started < 60


def _stop_at_three(job: tuple[int, int]) -> int:
    number, sweep = job
    if number == 3:  # the map's own process: a worker's parent may be a fork server
        os.kill(sweep, signal.SIGTERM)
        time.sleep(600)
    return number


def test_a_stop_signal_during_a_map_on_its_own_pool_stops_it_between_waits():
    started = time.monotonic()
    with pytest.raises(Stopped) as stopped:
        list(process_map(_stop_at_three, [(n, os.getpid()) for n in range(6)], workers=2))
    assert stopped.value.signal_number == signal.SIGTERM
    assert time.monotonic() - started < 30
