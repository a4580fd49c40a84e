"""Arms on seeds: every check of ODD section 9 compares arms run on the same list of seeds.

Everything else is held equal; the arms share each seed's exogenous world and ideas (common
random numbers), so a difference between arms is the mean of per-seed differences, with its 95%
t confidence interval. Runs go through the engine (:func:`~cxo_sim.experiments.engine.process_map`)
and record what validation reads (:class:`~cxo_sim.experiments.single_run.Weekly`). Covered by
``tests/validation/test_validation.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from cxo_sim.experiments.engine import process_map, run_deadline
from cxo_sim.experiments.pool import WorkerPool
from cxo_sim.experiments.single_run import Run, Weekly, run_model
from cxo_sim.stops import StopSignals

# Weeks of a validation run: three years, the default horizon.
STEPS = 156

# Called with a line of progress now and then.
Progress = Callable[[str], None]


def _run_job(job: tuple[dict[str, Any], int, int, dict[str, float] | None]) -> Run:
    params, seed, steps, constants = job
    return run_model(params, steps=steps, seed=seed, constants=constants, record=Weekly())


def run_arms(
    arms: dict[str, dict[str, Any]],
    seeds: Iterable[int],
    workers: int = 1,
    steps: int = STEPS,
    constants: dict[str, float] | None = None,
) -> dict[str, list[Run]]:
    """Run every arm on every seed (the same seeds across arms).

    ``constants`` overrides behavioural constants in every run; None keeps the defaults.
    """
    seeds = list(seeds)
    jobs = [(params, seed, steps, constants) for params in arms.values() for seed in seeds]
    runs = list(process_map(_run_job, jobs, workers, deadline=run_deadline(steps)))
    return {name: runs[i * len(seeds) : (i + 1) * len(seeds)] for i, name in enumerate(arms)}


def column(runs: list[Run], name: str) -> np.ndarray:
    """One outcome over runs."""
    return np.array([r.outcomes[name] for r in runs], dtype=float)


def pool_map(
    fn: Callable,
    jobs: list,
    workers: int,
    progress: Progress | None,
    label: str,
    pool: WorkerPool | None = None,
    stop: StopSignals | None = None,
    deadline: float | None = None,
) -> list:
    """``map(fn, jobs)`` by :func:`process_map`, reporting progress every tenth of the jobs."""
    results = []
    step = max(1, len(jobs) // 10)
    start = time.monotonic()
    for result in process_map(fn, jobs, workers, pool, stop, deadline):
        results.append(result)
        done = len(results)
        if progress and (done % step == 0 or done == len(jobs)):
            progress(f"{label}: {done}/{len(jobs)} runs, {time.monotonic() - start:.0f} s")
    return results
