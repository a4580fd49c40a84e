"""The local pool: how its workers start, and that they never outlive the sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from cxo_sim.experiments.pool import LocalPool

# Opens a local pool, prints its start method and its workers' process ids, then waits.
POOL_SCRIPT = """
import os, sys, time
from cxo_sim.experiments.pool import LocalPool
pool = LocalPool(2)
pids = sorted(pool.executor._processes)
print(pool.executor._mp_context.get_start_method(), *pids, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited but is not reaped yet: not running.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers are used on Linux only")
def test_workers_are_forked_and_die_with_a_sweep_killed_by_sigkill():
    child = subprocess.Popen([sys.executable, "-c", POOL_SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        method, *pids = child.stdout.readline().split()
        workers = [int(pid) for pid in pids]
        assert method == "fork"
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its sweep"


def test_a_parent_running_threads_starts_workers_from_the_fork_server():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with LocalPool(1) as pool:
            assert pool.executor._mp_context.get_start_method() == "forkserver"
            assert pool.executor.submit(sum, [1, 2]).result() == 3
    finally:
        stop.set()
        thread.join()
