"""Where runs execute: the pool interface the engine runs jobs on, one module per backend.

Every backend is a ``concurrent.futures`` executor, so the engine
(:mod:`cxo_sim.experiments.engine`) has one code path. What it needs beyond ``submit`` (which
runs are executing and since when, which were on a worker that died, whether the executor can
still take work) is asked of the pool, and answered as far as the executor can tell:

- :class:`WorkerPool`: any executor made elsewhere (:func:`wrap_executor`);
- :class:`~cxo_sim.experiments.local_pool.LocalPool`: processes on this machine;
- :class:`~cxo_sim.experiments.dask_pool.DaskPool`: a Dask distributed cluster;
- :func:`~cxo_sim.experiments.backends.open_pool` opens one of them.

Covered by ``tests/experiments/test_local_sweeps.py`` and ``test_liveness.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import (
    CancelledError,
    Executor,
    Future,
)
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from cxo_sim.errors import UserError

# Futures in flight per worker: enough to keep every worker busy while results are stored,
# few enough that memory does not grow with the number of runs.
IN_FLIGHT_PER_WORKER = 4


class PoolError(UserError):
    """The executor cannot go on: its workers keep dying, or its cluster is gone or stalled."""


class WorkerPool:
    """An executor plus what the runner needs to know about it.

    Attributes:
        executor: the ``concurrent.futures.Executor`` runs are submitted to.
        workers: how many runs can execute at once.
        description: a few words for the summary, e.g. "2 local processes".
        generation: increases each time a broken executor is replaced.
    """

    def __init__(self, executor: Executor, workers: int, description: str, owned: bool = True):
        self.executor = executor
        self.workers = max(1, workers)
        self.description = description
        self.generation = 0
        self._owned = owned

    @property
    def in_flight(self) -> int:
        """Most futures the runner keeps submitted and unfinished at once."""
        return IN_FLIGHT_PER_WORKER * self.workers

    def submit(self, function: Callable[[Any], Any], run: Any) -> Future:
        """Submit ``function(run)``; ``run.run_id`` names the run for :meth:`running`."""
        return self.executor.submit(function, run)

    def check(self) -> None:
        """Raise :class:`PoolError` if the executor can take no more work (a lost cluster)."""

    def running(self) -> dict[int, float] | None:
        """Runs executing now, as run id -> ``time.monotonic()`` it started; None if unknown."""
        return None

    def stop_run(self, run_id: int) -> None:
        """Stop the worker executing ``run_id``; :class:`PoolError` where that cannot be done."""
        raise PoolError(f"run {run_id} is stuck and {self.description} cannot stop it")

    def stop_all(self, why: str) -> None:
        """Stop every worker because the pool stalled; :class:`PoolError` where impossible."""
        raise PoolError(f"{self.description}: {why}")

    def lost_worker(self, error: BaseException) -> bool:
        """Whether ``error`` means the run's worker was lost (retry it), not that the run failed."""
        return isinstance(error, lost_worker_errors())

    def lost_runs(self, generation: int) -> set[int] | None:
        """Runs that were on the workers lost when ``generation`` broke; None if unknown."""
        return None

    def replace_broken(self) -> None:
        """Replace an executor that cannot take work any more (only pools this object made)."""

    def close(self, cancel: bool = False) -> None:
        """Shut the executor down; with ``cancel``, drop queued runs instead of waiting."""
        if self._owned:
            self.executor.shutdown(wait=not cancel)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(cancel=value is not None)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def wrap_executor(executor: Executor, workers: int | None = None) -> WorkerPool:
    """A pool around an executor made elsewhere (and shut down there), sized to its workers."""
    return WorkerPool(executor, workers or executor_width(executor), "the given executor", False)


def executor_width(executor: Executor) -> int:
    """How many runs an executor can execute at once, as far as it says."""
    width = getattr(executor, "_max_workers", None)
    if isinstance(width, int):
        return width
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        return sum(client.nthreads().values())
    return os.cpu_count() or 1


def lost_worker_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean a worker went away with the run, whatever the executor."""
    errors: tuple[type[BaseException], ...] = (BrokenProcessPool, CancelledError)
    try:
        from distributed import KilledWorker
        from distributed.comm import CommClosedError
    except ImportError:
        return errors
    return (*errors, KilledWorker, CommClosedError)


# ---------------------------------------------------------------------- local workers
