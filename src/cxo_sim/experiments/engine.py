"""The one engine: jobs on a pool, with retries, blame, deadlines, stall detection and stops.

Every batch of runs goes through :func:`run_jobs`: the sweep and ``evaluate``
(:mod:`cxo_sim.experiments.runner`), validation, robustness, the calibration, ``explain`` and
the app's Compare (through :func:`process_map`). A fix here reaches all of them.

- A job whose worker was lost (killed, out of memory, machine gone) is resubmitted; the loss is
  charged to the jobs the pool says were on that worker (to every job in flight where it cannot
  tell), and a job charged :data:`MAX_ATTEMPTS` times ends the batch with a
  :class:`~cxo_sim.experiments.pool.PoolError`.
- A job executing past its deadline has its worker stopped, which charges it; a pool on which
  jobs wait but none executes for a whole deadline (a worker stopped before it could say so) is
  stopped as a whole.
- A job whose worker raised ``MemoryError`` is redone :data:`MEMORY_RETRIES` time(s), then ends
  the batch with one line naming it; any other failure of a job ends it with a ``RuntimeError``.
- Ctrl-C, SIGTERM and SIGHUP noted by :class:`~cxo_sim.stops.StopSignals` are raised
  between waits, where stopping is clean.

Covered by ``tests/experiments/test_engine.py`` and the sweep tests (``test_liveness.py``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, wait
from dataclasses import dataclass
from typing import Any

from cxo_sim.errors import one_line
from cxo_sim.experiments.local_pool import LocalPool
from cxo_sim.experiments.pool import PoolError, WorkerPool
from cxo_sim.stops import StopSignals

# Attempts per job when its worker is lost (killed, out of memory, machine gone, deadline).
MAX_ATTEMPTS = 4
# Times a job whose worker ran out of memory (a MemoryError, not a killed worker) is redone
# before the batch stops: another worker may have freed memory meanwhile.
MEMORY_RETRIES = 1
# A run's default deadline: RUN_SECONDS plus RUN_SECONDS_PER_STEP per week (see run_deadline).
RUN_SECONDS = 60.0
RUN_SECONDS_PER_STEP = 0.05
# Seconds between checks for stop signals, deadlines and a lost cluster while jobs execute.
POLL_SECONDS = 0.25


def run_deadline(steps: int) -> float:
    """Seconds a run of ``steps`` weeks may execute before its worker is stopped and it is redone.

    A 156-week run takes about 30 ms, so the default leaves a margin of hundreds for a loaded
    machine or a busy cluster, and still ends a stopped or hung worker's hold on a run.
    """
    return RUN_SECONDS + RUN_SECONDS_PER_STEP * steps


def out_of_memory(what: str, times: int) -> str:
    """The one line for a job that ran out of memory in its worker ``times`` times."""
    return (
        f"{what} ran out of memory in its worker {times} times (MemoryError); free memory, "
        "or use fewer --workers, and run the same command again"
    )


def run_jobs(
    pool: WorkerPool,
    function: Callable[[Any], Any],
    jobs: Iterable[Any],
    *,
    deadline: float | Callable[[Any], float] | None = None,
    stop: StopSignals | None = None,
    describe: Callable[[Any], str] | None = None,
    late_advice: str = "its worker was stopped each time",
) -> Iterator[tuple[Any, Any] | None]:
    """Yield ``(job, function(job))`` as each job finishes, in any order; ``None`` while waiting.

    At most ``pool.in_flight`` jobs are submitted at once, so memory stays flat however many
    jobs there are. Each job needs a ``run_id`` unique among the jobs: the pool names running
    jobs by it.

    Args:
        pool: where the jobs execute.
        function: a module-level function (workers receive it by pickle).
        jobs: the jobs, read lazily.
        deadline: seconds a job may execute (a number, or a function of the job) before its
            worker is stopped and the job redone; None: no deadline and no stall detection.
        stop: stop signals to honour between waits.
        describe: a job in words for the one-line errors (default: "job <run_id>").
        late_advice: what the error of a job past its deadline :data:`MAX_ATTEMPTS` times adds.

    Raises:
        PoolError: a job lost its worker, or ran out of memory, too often; the pool broke again
            and again without finishing a job; a cluster was lost.
        RuntimeError: a job failed by itself (names it).
    """
    what = describe or (lambda job: f"job {job.run_id}")
    limit_of = deadline if callable(deadline) or deadline is None else (lambda _job: deadline)
    queue = iter(jobs)
    retry: list[Any] = []
    charged: dict[int, int] = {}  # losses charged to jobs in flight, never to finished ones
    late: set[int] = set()  # jobs in flight whose worker was stopped for their deadline
    short: dict[int, int] = {}  # MemoryErrors per job
    pending: dict[Future, tuple[Any, int]] = {}
    fruitless_breaks = 0
    last_progress = last_check = time.monotonic()

    def replace() -> None:
        # Only a pool that really starts anew counts (a cluster replaces its own workers). A new
        # pool has a whole deadline to start executing before it counts as stalled.
        nonlocal fruitless_breaks, last_progress
        if fruitless_breaks >= MAX_ATTEMPTS:
            raise PoolError(
                f"{pool.description} broke {fruitless_breaks} times in a row without "
                "finishing a run"
            )
        generation = pool.generation
        pool.replace_broken()
        fruitless_breaks += pool.generation - generation
        last_progress = time.monotonic()

    def submit(job: Any) -> None:
        pool.check()
        try:
            future = pool.submit(function, job)
        except Exception as exc:
            if not pool.lost_worker(exc):
                raise
            replace()
            future = pool.submit(function, job)
        pending[future] = (job, pool.generation)

    def fill() -> None:
        while len(pending) < pool.in_flight:
            job = retry.pop() if retry else next(queue, None)
            if job is None:
                return
            submit(job)

    def enforce_deadlines(now: float) -> None:
        nonlocal last_progress
        pool.check()
        if limit_of is None:
            return
        in_flight = {job.run_id: job for job, _ in pending.values()}
        running = pool.running()
        for run_id, started in (running or {}).items():
            job = in_flight.get(run_id)
            if job is not None and run_id not in late and now - started > limit_of(job):
                late.add(run_id)
                pool.stop_run(run_id)
        limit = max(limit_of(job) for job in in_flight.values())
        if not running and now - last_progress > limit:
            # Jobs wait but no worker executes any: a worker stopped before it could say so.
            pool.stop_all(f"no run finished in {limit:.0f} s")
            last_progress = now

    def lost(job: Any, generation: int, error: BaseException) -> None:
        pool.check()
        if generation == pool.generation:
            replace()
        blamed = pool.lost_runs(generation)
        if blamed is None or job.run_id in blamed:
            charged[job.run_id] = charged.get(job.run_id, 0) + 1
        count = charged.get(job.run_id, 0)
        if count >= MAX_ATTEMPTS:
            if job.run_id in late:
                raise PoolError(
                    f"{what(job)} did not finish within {limit_of(job):.0f} s, {count} times; "
                    f"{late_advice}"
                )
            raise PoolError(f"{what(job)} lost its worker {count} times (last: {one_line(error)})")
        late.discard(job.run_id)
        retry.append(job)

    try:
        fill()
        while pending:
            finished, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            if stop is not None:
                stop.honour()
            now = time.monotonic()
            if now - last_check >= POLL_SECONDS:
                last_check = now
                enforce_deadlines(now)
            if not finished:
                yield None
            for future in finished:
                job, generation = pending.pop(future)
                error = _failure(future)
                if error is None:
                    last_progress, fruitless_breaks = now, 0
                    charged.pop(job.run_id, None)
                    late.discard(job.run_id)
                    yield job, future.result()
                elif pool.lost_worker(error):
                    lost(job, generation, error)
                elif isinstance(error, MemoryError):
                    short[job.run_id] = short.get(job.run_id, 0) + 1
                    if short[job.run_id] > MEMORY_RETRIES:
                        raise PoolError(out_of_memory(what(job), short[job.run_id]))
                    retry.append(job)
                else:
                    raise RuntimeError(f"{what(job)} failed: {one_line(error)}") from error
            fill()
    finally:
        for future in pending:
            future.cancel()


def _failure(future: Future) -> BaseException | None:
    """The exception a finished future ended with (a cancelled one counts as a lost worker)."""
    if future.cancelled():
        return CancelledError("the executor cancelled the run")
    return future.exception()


@dataclass(frozen=True)
class Job:
    """One of :func:`process_map`'s jobs: its position names it (``run_id``) for the pool."""

    run_id: int
    payload: Any


def _apply(function: Callable[[Any], Any], job: Job) -> Any:
    return function(job.payload)


def ordered_map(
    pool: WorkerPool,
    function: Callable[[Any], Any],
    payloads: Iterable[Any],
    stop: StopSignals | None = None,
    deadline: float | None = None,
) -> Iterator[Any]:
    """``function(payload)`` for each payload on ``pool`` by :func:`run_jobs`, in their order.

    ``function`` must be a module-level function (workers receive it by pickle). Jobs still in
    flight when the caller stops asking are cancelled.
    """
    call = functools.partial(_apply, function)
    jobs = itertools.starmap(Job, enumerate(payloads))
    done: dict[int, Any] = {}
    wanted = 0
    stream = run_jobs(pool, call, jobs, deadline=deadline, stop=stop)
    with contextlib.closing(stream):
        for finished in stream:
            if finished is None:
                continue
            job, result = finished
            done[job.run_id] = result
            while wanted in done:
                yield done.pop(wanted)
                wanted += 1


def process_map(
    function: Callable[[Any], Any],
    payloads: Iterable[Any],
    workers: int = 1,
    pool: WorkerPool | None = None,
    stop: StopSignals | None = None,
    deadline: float | None = None,
) -> Iterator[Any]:
    """``function(payload)`` for each payload, in their order, as :func:`ordered_map` runs them.

    On ``pool`` if given (the local pool or a Dask cluster); else on a
    :class:`~cxo_sim.experiments.local_pool.LocalPool` of ``workers`` processes opened for the
    purpose, with the stop signals noted while it runs; with one worker and no pool, in this
    process (where no deadline applies).
    """
    if pool is None and workers <= 1:
        yield from map(function, payloads)
        return
    if pool is not None:
        yield from ordered_map(pool, function, payloads, stop, deadline)
        return
    # A pool opened here notes the stop signals itself, so Ctrl-C, SIGTERM and SIGHUP stop the
    # map between waits, never inside the executor's own code.
    noted = contextlib.nullcontext(stop) if stop is not None else StopSignals()
    with noted as stop_signals, LocalPool(workers) as local:
        yield from ordered_map(local, function, payloads, stop_signals, deadline)
