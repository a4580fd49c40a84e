"""The local pool: worker processes on this machine, each watched while it executes a run.

The local pool forks its workers from the sweep's own process while it is still single-threaded
(on Linux): they start in milliseconds with the model already imported. Elsewhere, or once the
parent runs threads, they start from a fork server that imports the model once (about 1.4 s) and
holds no copy of the parent's threads. Every worker, however started, watches the sweep's process
and exits the moment it ends, even by ``kill -9``; the fork server then ends too, as the last
process holding its pipe is gone. Workers ignore Ctrl-C: the parent stops them, after saving what
has finished. Covered by ``tests/experiments/test_liveness.py``.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import (
    Future,
    InvalidStateError,
    ProcessPoolExecutor,
)
from typing import Any

from cxo_sim import stops
from cxo_sim.errors import Stopped, UserError, one_line
from cxo_sim.experiments.pool import PoolError, WorkerPool, usable_cores

# Local workers allowed per core: more only fight for the cores, and each is a process whose
# start holds stop signals back (400 workers on 2 cores took over a minute to start).
MAX_WORKERS_PER_CORE = 4


_PRELOAD = ["cxo_sim.model", "cxo_sim.experiments.runner"]


# The exit status a worker gets from the executor's own clean-up after another worker died.
_TERMINATED = -signal.SIGTERM
# How long the sweep waits for the workers' table before reading it unlocked (see ``_slots``).
LOCK_SECONDS = 1.0


# Seconds local workers have to start (forked: milliseconds; from the fork server: about 1.4 s).
START_SECONDS = 60.0


# Seconds a broken local pool's workers have to end before the lost ones are told apart.
REAP_SECONDS = 1.0


class LocalPool(WorkerPool):
    """A ``ProcessPoolExecutor`` of ``workers`` processes (default: every core).

    At most :data:`MAX_WORKERS_PER_CORE` workers per core. Each worker writes the run it
    executes and when it started into a small table shared with the sweep, so a run past its
    deadline can be stopped by killing its worker, and a worker's death is charged to its own
    run only.
    """

    def __init__(self, workers: int | None = None):
        if workers is not None and workers < 1:
            raise UserError(f"--workers: must be at least 1, got {workers}")
        cores = usable_cores()
        if workers is not None and workers > MAX_WORKERS_PER_CORE * cores:
            raise UserError(
                f"--workers: {workers} is more than {MAX_WORKERS_PER_CORE} per core "
                f"({MAX_WORKERS_PER_CORE * cores} on this machine's {cores}); more processes "
                "would only fight for the cores"
            )
        count = workers or cores
        noun = "process" if count == 1 else "processes"
        self._lost: dict[int, set[int] | None] = {}
        # From the start, not only at close: a signal sent to the whole group kills the workers
        # before the sweep's own stop begins, and the executor's manager thread may already be
        # setting exceptions on futures the stop then cancels.
        _quiet_cancelled_breaks()
        executor, self._table = _started_pool(count)
        super().__init__(executor, count, f"{count} local {noun}")

    def submit(self, function: Callable[[Any], Any], run: Any) -> Future:
        """Submit ``function(run)`` to be recorded in the table while it executes."""
        return self.executor.submit(_tracked, function, run)

    def running(self) -> dict[int, float]:
        """Runs executing now, as run id -> ``time.monotonic()`` it started."""
        return {run_id: started for _, run_id, started in _slots(self._table) if run_id >= 0}

    def stop_run(self, run_id: int) -> None:
        """Kill the worker executing ``run_id``: the pool breaks and is replaced."""
        for pid, running, _ in _slots(self._table):
            if running == run_id:
                _kill(pid)

    def stop_all(self, why: str) -> None:
        """Kill every worker: the pool breaks, and the runs in flight are charged and redone."""
        for process in _workers(self.executor):
            _kill(process.pid)

    def lost_runs(self, generation: int) -> set[int] | None:
        """Runs that were on the workers lost when ``generation`` broke (None if none is known)."""
        return self._lost.get(generation)

    def replace_broken(self) -> None:
        """Start a new pool after a worker died and broke the old one.

        The executor terminates (SIGTERM) the other workers when one dies, so a worker that
        ended otherwise is the one that was lost; its run, if it had one, is charged.
        """
        workers = _workers(self.executor)
        # A worker's pipes close before the kernel lets its parent collect its exit status: the
        # pool can be broken by a death that exitcode does not show yet. Give the lost worker,
        # and the ones the executor terminates, a moment to be collected.
        until = time.monotonic() + REAP_SECONDS
        while any(p.exitcode is None for p in workers) and time.monotonic() < until:
            time.sleep(0.005)
        dead = {process.pid for process in workers if process.exitcode not in (None, _TERMINATED)}
        lost = {run_id for pid, run_id, _ in _slots(self._table) if pid in dead and run_id >= 0}
        self._lost[self.generation] = lost if dead else None
        _abandon_queue(self.executor)
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor, self._table = _started_pool(self.workers)
        self.generation += 1

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down; with ``cancel``, kill the workers: runs in flight are dropped."""
        if cancel:
            for process in _workers(self.executor):
                _kill(process.pid)
            _abandon_queue(self.executor)
        self.executor.shutdown(wait=True, cancel_futures=cancel)
        gc.unfreeze()


# A worker's slot in the shared table: its pid, the run it executes (-1: none) and since when
# (time.monotonic_ns(), one clock for every process on the machine).
_SLOT_WIDTH = 3


_slot: int | None = None


_table: Any = None


def _started_pool(workers: int) -> tuple[ProcessPoolExecutor, Any]:
    """A started pool; a failure to start one is a :class:`PoolError`.

    A fork server that died, or no memory left for another process, fails here.
    """
    try:
        return _process_pool(workers)
    except Exception as exc:
        raise PoolError(f"cannot start {workers} local worker processes: {one_line(exc)}") from None


def _process_pool(workers: int) -> tuple[ProcessPoolExecutor, Any]:
    """A pool with every worker started, Ctrl-C held back until then, and its shared table.

    A worker half-started when its parent stops fails noisily; starting them all up front, with
    a Ctrl-C honoured only once they run, avoids that. The fork server is started deaf to
    Ctrl-C (a process inherits an ignored signal), so one cannot break its imports either.
    """
    if _can_fork_safely():
        context = multiprocessing.get_context("fork")
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    # The table's lock is registered with multiprocessing's resource tracker, a process of the
    # sweep's group that ignores Ctrl-C and SIGTERM but not a hang-up: start it deaf to that too,
    # or a closed terminal kills it and the sweep's clean-up prints its traceback.
    if os.name == "posix":
        from multiprocessing import resource_tracker

        with stops.ignored():
            resource_tracker.ensure_running()
    # Every slot starts unclaimed: no pid, no run (a run id of 0 would be the first run's).
    table = context.Array("q", [0, -1, 0] * workers)
    with stops.held() as pressed:
        try:
            return _start(context, workers, table), table
        except Exception:
            # A stop sent to the whole process group also ends the fork server or a worker
            # mid-start: the start fails because the command was stopped, and that is the news.
            if pressed:
                raise Stopped(pressed[0]) from None
            raise


def _start(context: Any, workers: int, table: Any) -> ProcessPoolExecutor:
    """Start the executor and every one of its workers (Ctrl-C and SIGTERM held back)."""
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(_PRELOAD)
        with stops.ignored():
            from multiprocessing import forkserver

            forkserver.ensure_running()
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_started, initargs=(os.getpid(), table)
    )
    if context.get_start_method() == "fork":
        # Keep the collector off the parent's objects, in the parent and in the workers:
        # a full collection writes to every object it scans, which copies the page it is
        # on, so shared pages became private over a sweep (about 50 MiB of PSS on 2
        # workers). LocalPool.close unfreezes them.
        gc.freeze()
    # Each start task waits until every worker has claimed its slot: the executor spawns a
    # process for a task only when no worker is idle (Python 3.9+, for the fork server and
    # spawn), so a task that returned at once could let one worker take them all and leave
    # the others never started.
    for future in [pool.submit(_await_siblings, workers) for _ in range(workers)]:
        future.result()
    # One worker may have taken every task above while another was still in its initializer,
    # where a SIGTERM (the executor's own, when a sibling dies) would still meet the handler
    # inherited from _interrupts_held and be lost, leaving it blocked on the broken pool's
    # queue for ever. A worker claims its slot once it is past that, so wait for all of them.
    started = time.monotonic()
    while len(_slots(table)) < workers:
        if any(process.exitcode is not None for process in _workers(pool)):
            raise RuntimeError("a worker process ended while starting")
        if time.monotonic() - started > START_SECONDS:
            raise TimeoutError(f"the workers did not start within {START_SECONDS:.0f} s")
        time.sleep(0.001)
    return pool


def _slots(table: Any) -> list[tuple[int, int, float]]:
    """The table as (pid, run id, start in ``time.monotonic()`` seconds) per claimed slot.

    A slot no worker has claimed yet (its worker still starting) is left out: it has no process
    to stop, and its pid of 0 given to ``os.kill`` would signal the sweep's whole process group.
    """
    # A worker killed while it wrote its slot (a stopped run, a lost worker) holds the table's
    # lock for ever: waiting for it hung a sweep replacing a broken pool. The table is then read
    # as it stands; the pool it describes is being replaced anyway.
    lock = table.get_lock()
    locked = lock.acquire(timeout=LOCK_SECONDS)
    try:
        values = table.get_obj()[:]
    finally:
        if locked:
            lock.release()
    return [
        (values[i], values[i + 1], values[i + 2] / 1e9)
        for i in range(0, len(values), _SLOT_WIDTH)
        if values[i] > 0
    ]


def _tracked(function: Callable[[Any], Any], run: Any) -> Any:
    """Call ``function(run)`` in a worker, with the run and its start written in the table."""
    base = _SLOT_WIDTH * _slot
    with _table.get_lock():
        _table[base + 1 : base + 3] = [run.run_id, time.monotonic_ns()]
    try:
        return function(run)
    finally:
        with _table.get_lock():
            _table[base + 1] = -1


def _worker_started(parent: int, table: Any) -> None:
    """Set up a worker: take a slot in the table, die with the sweep, leave Ctrl-C to it."""
    global _slot, _table
    _exit_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):  # a closed terminal hangs up every process: the sweep stops them
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    # A worker forked while the sweep held SIGTERM back (``_interrupts_held``) inherits that
    # handler: let SIGTERM end it, as the executor expects when it stops the other workers of a
    # broken pool (from Python 3.12 it waits for them without sending a stop message first).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with table.get_lock():
        _slot = next(i for i in range(len(table) // _SLOT_WIDTH) if table[_SLOT_WIDTH * i] == 0)
        table[_SLOT_WIDTH * _slot : _SLOT_WIDTH * (_slot + 1)] = [os.getpid(), -1, 0]
    _table = table


def _await_siblings(workers: int) -> int:
    """A start task: return once ``workers`` workers have claimed their slots (or time is up)."""
    deadline = time.monotonic() + START_SECONDS
    while len(_slots(_table)) < workers and time.monotonic() < deadline:
        time.sleep(0.005)
    return os.getpid()


def _exit_with(parent: int) -> None:
    """Exit this process the moment process ``parent`` ends, whoever started this one.

    A worker from the fork server is not the sweep's child, so the kernel's parent-death signal
    cannot serve; a thread waits on the sweep's process instead (a pidfd on Linux 5.3+, else
    a poll twice a second).
    """
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        handle = None

    def watch() -> None:
        if handle is not None:
            select.select([handle], [], [])
        else:
            while _alive(parent):
                time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="cxo-sim-exit-with-sweep", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _workers(executor: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    """The executor's worker processes (none once it is shut down)."""
    return list((executor._processes or {}).values())


def _abandon_queue(executor: ProcessPoolExecutor) -> None:
    """Let the process exit without flushing runs queued for workers that are gone.

    The executor's call queue has a feeder thread writing pickled runs into a pipe; once the
    workers are killed nothing reads it, and a feeder blocked on a full pipe made the
    interpreter's exit wait forever (seen once, after a calibration failed). The runs it holds
    are discarded with the pool anyway.
    """
    queue = getattr(executor, "_call_queue", None)
    if queue is not None:
        queue.cancel_join_thread()


def _quiet_cancelled_breaks() -> None:
    """Keep a stopped sweep's stderr to its one line on Python 3.11.

    There, the executor's manager thread, finding the pool broken by the workers a stop kills,
    sets an exception on futures the stop has just cancelled and dies with ``InvalidStateError``
    (later Pythons skip them); that thread's traceback is all it would print.
    """
    previous = threading.excepthook
    if getattr(previous, "cxo_quiet", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if isinstance(args.exc_value, InvalidStateError):
            return
        previous(args)

    hook.cxo_quiet = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def _kill(pid: int) -> None:
    """SIGKILL one worker; a pid of 0 or below (a process group, or every process) never."""
    if pid <= 0:
        raise ValueError(f"refusing to signal pid {pid}: it names a group, not a worker")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _can_fork_safely() -> bool:
    """Whether workers may be forked from this process: Linux, and no other Python thread.

    A fork copies only the calling thread, so a lock another thread holds would stay held in
    the worker forever.
    """
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )
