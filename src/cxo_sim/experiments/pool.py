"""Where runs execute: a local process pool or a Dask cluster, both as an executor.

Both are ``concurrent.futures`` executors, so the runner has one code path.

The local pool forks its workers from the sweep's own process while it is still single-threaded
(on Linux): they start in milliseconds with the model already imported, and the kernel kills them
when the parent dies, even by ``kill -9``. Elsewhere, or once the parent runs threads, they start
from a fork server that imports the model once (about 1.4 s) and holds no copy of the parent's
threads. Workers ignore Ctrl-C: the parent stops them, after saving what has finished.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import CancelledError, Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from cxo_sim.errors import UserError

# Futures in flight per worker: enough to keep every worker busy while results are stored,
# few enough that memory does not grow with the number of runs.
IN_FLIGHT_PER_WORKER = 4
_PRELOAD = ["cxo_sim.model", "cxo_sim.experiments.runner"]


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

    def lost_worker(self, error: BaseException) -> bool:
        """Whether ``error`` means the run's worker was lost (retry it), not that the run failed."""
        return isinstance(error, lost_worker_errors())

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


class LocalPool(WorkerPool):
    """A ``ProcessPoolExecutor`` of ``workers`` processes (default: every core)."""

    def __init__(self, workers: int | None = None):
        if workers is not None and workers < 1:
            raise UserError(f"--workers: must be at least 1, got {workers}")
        count = workers or os.cpu_count() or 1
        noun = "process" if count == 1 else "processes"
        super().__init__(_process_pool(count), count, f"{count} local {noun}")

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down; with ``cancel``, drop queued runs but let workers end cleanly.

        Waiting even then (at most one run per worker) keeps a worker that is still starting
        from finding its parent gone.
        """
        self.executor.shutdown(wait=True, cancel_futures=cancel)

    def replace_broken(self) -> None:
        """Start a new pool after a worker died and broke the old one."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = _process_pool(self.workers)
        self.generation += 1


class DaskPool(WorkerPool):
    """The executor of an existing Dask distributed cluster (``Client(address).get_executor()``)."""

    def __init__(self, address: str, timeout: float = 10.0):
        try:
            from distributed import Client
        except ImportError:
            raise UserError(
                "--scheduler needs Dask distributed: pip install 'cxo-sim[cluster]'"
            ) from None
        try:
            self.client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UserError(
                f"--scheduler: cannot reach a Dask scheduler at {address}: {exc}"
            ) from None
        threads = sum(self.client.nthreads().values())
        super().__init__(
            self.client.get_executor(pure=False),
            threads,
            f"Dask cluster at {address} ({threads} threads)",
        )

    def close(self, cancel: bool = False) -> None:
        """Shut the executor down and disconnect; the cluster itself keeps running."""
        try:
            super().close(cancel)
        finally:
            self.client.close()


def open_pool(workers: int | None = None, scheduler: str | None = None) -> WorkerPool:
    """The local pool, or the Dask cluster at ``scheduler``."""
    if scheduler is None:
        return LocalPool(workers)
    if workers is not None:
        raise UserError("--workers: applies to the local pool; a cluster has its own workers")
    return DaskPool(scheduler)


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


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool with every worker started, Ctrl-C held back until then.

    A worker half-started when its parent stops fails noisily; starting them all up front, with
    a Ctrl-C honoured only once they run, avoids that. The fork server is started deaf to
    Ctrl-C (a process inherits an ignored signal), so one cannot break its imports either.
    """
    if _can_fork_safely():
        context = multiprocessing.get_context("fork")
        initializer, initargs = _forked_worker, (os.getpid(),)
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        initializer, initargs = _ignore_interrupts, ()
    with _interrupts_held():
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(_PRELOAD)
            with _interrupts_ignored():
                from multiprocessing import forkserver

                forkserver.ensure_running()
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=initializer, initargs=initargs
        )
        for future in [pool.submit(os.getpid) for _ in range(workers)]:
            future.result()
    return pool


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold a Ctrl-C back until the block ends, then raise it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which saves finished runs before stopping."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def _can_fork_safely() -> bool:
    """Whether workers may be forked from this process: Linux, and no other Python thread.

    A fork copies only the calling thread, so a lock another thread holds would stay held in
    the worker forever; the parent-death signal that makes forked workers exit with their
    parent is Linux's.
    """
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _forked_worker(parent: int) -> None:
    """Set up a worker forked from the sweep: die with the parent, leave Ctrl-C to it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    _ignore_interrupts()
