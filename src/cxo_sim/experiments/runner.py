"""Run an experiment: every run on an executor, results streamed to disk, resumable.

:func:`sweep` runs an experiment file into its results folder; rerunning it after any
interruption does only the runs not stored yet. :func:`evaluate` runs parameter sets in memory
for the sensitivity analysis. Both go through :func:`stream_results`, which keeps a bounded number
of runs in flight on any ``concurrent.futures`` executor and resubmits runs whose worker was lost.

Covered by ``tests/experiments/test_local_sweeps.py``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from cxo_sim.experiments.backends import open_pool
from cxo_sim.experiments.design import Experiment
from cxo_sim.experiments.engine import run_deadline, run_jobs
from cxo_sim.experiments.plan import Run, plan_runs
from cxo_sim.experiments.pool import WorkerPool, wrap_executor
from cxo_sim.experiments.provenance import (
    git_revision,
    model_fingerprint,
    now,
    software_versions,
)
from cxo_sim.experiments.reading import COLUMN_PREFIX, RUN_IDENTITY
from cxo_sim.experiments.single_run import Outcomes, run_model
from cxo_sim.experiments.spec import load_experiment
from cxo_sim.experiments.storage import ResultsFolder, check_results_folder, open_results_folder
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import resolve
from cxo_sim.stops import StopSignals

DEFAULT_ROOT = Path("results")
# A part file is written every FLUSH_RUNS finished runs or FLUSH_SECONDS, whichever comes first:
# an interruption loses at most that much work, and memory holds at most that many rows.
FLUSH_RUNS = 500
FLUSH_SECONDS = 30.0
RunResult = tuple[dict[str, Any], pd.DataFrame | None]


def execute_run(run: Run) -> RunResult:
    """Simulate one run (in a worker): its runs-table row and its time series, if asked for."""
    outcomes, series = run_model(
        run.params,
        steps=run.steps,
        seed=run.seed,
        constants=run.constants,
        record=Outcomes(every=run.timeseries_every),
    )
    identity = {
        "run_id": run.run_id,
        "point": run.point,
        "scenario": run.scenario,
        "replication": run.replication,
    }
    row = {**identity, "seed": run.seed, **run.params, **outcomes}
    for name, value in (run.constants or {}).items():
        row[COLUMN_PREFIX + name] = value
    if series is not None:
        series = series.copy()
        for position, column in enumerate(RUN_IDENTITY):
            series.insert(position, column, identity[column])
    return row, series


def stream_results(
    runs: Iterable[Run],
    pool: WorkerPool,
    run_timeout: float | None = None,
    stop: StopSignals | None = None,
) -> Iterator[RunResult | None]:
    """Yield each run's result as it finishes, in any order; ``None`` now and then while waiting.

    The runs go through the engine (:func:`~cxo_sim.experiments.engine.run_jobs`): retried when
    their worker is lost, stopped past ``run_timeout`` seconds (default :func:`run_deadline` of
    their steps), named in one line when they fail for good.
    """

    def deadline(run: Run) -> float:
        return run_timeout if run_timeout is not None else run_deadline(run.steps)

    stream = run_jobs(
        pool,
        execute_run,
        runs,
        deadline=deadline,
        stop=stop,
        describe=describe_run,
        late_advice="if runs this long are expected, raise the limit with --run-timeout SECONDS",
    )
    with contextlib.closing(stream):
        for finished in stream:
            yield None if finished is None else finished[1]


def describe_run(run: Run) -> str:
    """A run in words for a one-line error: its id, scenario, replication and seed."""
    return f"run {run.run_id} ({run.scenario}, replication {run.replication}, seed {run.seed})"


# ---------------------------------------------------------------------- sweep
@dataclass
class SweepSummary:
    """What a sweep did.

    Attributes:
        folder: the results folder.
        runs_planned: runs in the experiment.
        runs_done: runs stored, from this and earlier sessions.
        runs_now: runs done by this session.
        seconds: wall-clock time of this session, in seconds.
        where: the executor, in words.
    """

    folder: Path
    runs_planned: int
    runs_done: int
    runs_now: int
    seconds: float
    where: str

    @property
    def complete(self) -> bool:
        """Whether every planned run is stored."""
        return self.runs_done == self.runs_planned


class _Sink:
    """Buffers finished runs and writes them as a part every ``flush_runs`` runs or seconds."""

    def __init__(self, folder: ResultsFolder, done: int, flush_runs: int, flush_seconds: float):
        self.folder = folder
        self.done = done
        self.flush_runs = flush_runs
        self.flush_seconds = flush_seconds
        self.rows: list[dict[str, Any]] = []
        self.series: list[pd.DataFrame] = []
        self.last_flush = time.monotonic()

    def add(self, result: RunResult) -> None:
        row, series = result
        self.rows.append(row)
        if series is not None:
            self.series.append(series)
        self.tick()

    def tick(self) -> None:
        full = len(self.rows) >= self.flush_runs
        due = time.monotonic() - self.last_flush >= self.flush_seconds
        if full or (due and self.rows):
            self.flush()

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.rows:
            return
        self.folder.write_part(self.rows, self.series)
        self.done += len(self.rows)
        self.rows, self.series = [], []
        self.folder.update_manifest(runs_done=self.done)


def sweep(
    experiment: Experiment | str | Path,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    fresh: bool = False,
    progress: bool = True,
    flush_runs: int = FLUSH_RUNS,
    flush_seconds: float = FLUSH_SECONDS,
    run_timeout: float | None = None,
) -> SweepSummary:
    """Run every run of an experiment not stored yet and store it under ``<out>/<name>/``.

    Args:
        experiment: an experiment file, or one already loaded.
        out: results root (default ``./results``).
        workers: local processes (default: every core).
        scheduler: address of a Dask scheduler to run on instead of local processes.
        executor: any ``concurrent.futures.Executor`` to run on instead (not shut down here);
            ``workers`` then says how many runs it executes at once, if it cannot tell.
        fresh: discard earlier results of this experiment instead of resuming them.
        progress: show a progress bar on stderr.
        flush_runs: write a part file after this many finished runs...
        flush_seconds: ...or after this many seconds, whichever comes first.
        run_timeout: seconds a run may execute before its worker is stopped and the run redone
            (default: :func:`run_deadline` of the experiment's steps).

    Raises:
        UserError: a bad experiment file, or a results folder that holds something else.
        PoolError: the workers or the cluster were lost for good; what finished is stored.
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    points = experiment.points()
    path = Path(DEFAULT_ROOT if out is None else out) / experiment.name

    def plan(stored: set[int]) -> Iterator[Run]:
        return plan_runs(
            points,
            steps=experiment.steps,
            replications=experiment.replications,
            base_seed=experiment.seed,
            timeseries_every=experiment.output["timeseries_every"],
            skip=stored,
            posterior=experiment.posterior,
        )

    return store_runs(
        path,
        build_manifest(experiment, points),
        plan,
        workers=workers,
        scheduler=scheduler,
        executor=executor,
        fresh=fresh,
        progress=progress,
        flush_runs=flush_runs,
        flush_seconds=flush_seconds,
        run_timeout=run_timeout,
    )


def store_runs(
    path: Path,
    manifest: dict[str, Any],
    plan: Callable[[set[int]], Iterable[Run]],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    fresh: bool = False,
    progress: bool = True,
    flush_runs: int = FLUSH_RUNS,
    flush_seconds: float = FLUSH_SECONDS,
    run_timeout: float | None = None,
) -> SweepSummary:
    """Run ``plan(stored ids)`` into the results folder ``path``, resuming what it holds.

    The one loop behind :func:`sweep` and ``cxo-sim robust`` (:mod:`cxo_sim.robust.evaluation`):
    ``manifest`` says what the folder holds (its ``runs_planned``, its experiment hash), and
    ``plan`` yields the runs not stored yet. The keywords are :func:`sweep`'s.
    """
    started = time.monotonic()
    check_results_folder(path, manifest, fresh=fresh)
    with StopSignals() as stop, _pool(workers, scheduler, executor) as pool:
        folder = open_results_folder(path, manifest, fresh=fresh)
        try:
            stored = folder.stored
            sink = _Sink(folder, len(stored), flush_runs, flush_seconds)
            try:
                stop.honour()
                _drain(plan(stored), pool, sink, progress, manifest["name"], run_timeout, stop)
            finally:
                sink.flush()
            if sink.done == manifest["runs_planned"] and folder.manifest.get("finished") is None:
                folder.update_manifest(finished=now())
        finally:
            folder.close()
    return SweepSummary(
        folder=path,
        runs_planned=manifest["runs_planned"],
        runs_done=sink.done,
        runs_now=sink.done - len(stored),
        seconds=time.monotonic() - started,
        where=pool.description,
    )


def _drain(
    runs: Iterable[Run],
    pool: WorkerPool,
    sink: _Sink,
    progress: bool,
    name: str,
    run_timeout: float | None,
    stop: StopSignals,
) -> None:
    bar = tqdm(
        total=sink.folder.manifest["runs_planned"],
        initial=sink.done,
        desc=name,
        unit="run",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    with bar, contextlib.closing(stream_results(runs, pool, run_timeout, stop)) as results:
        for result in results:
            if result is None:
                sink.tick()
                continue
            sink.add(result)
            bar.update(1)


def _pool(workers: int | None, scheduler: str | None, executor: Executor | None) -> WorkerPool:
    if executor is None:
        return open_pool(workers, scheduler)
    return wrap_executor(executor, workers)


def build_manifest(experiment: Experiment, points: list[tuple[str, dict]]) -> dict[str, Any]:
    """The manifest of a sweep about to start (``finished`` stays null until every run is in)."""
    return {
        "name": experiment.name,
        "question": experiment.question,
        "experiment_file": str(experiment.path),
        "experiment_text": experiment.text,
        "experiment_hash": experiment.text_hash,
        "preset": experiment.preset,
        "steps": experiment.steps,
        "replications": experiment.replications,
        "seed": experiment.seed,
        "design": {**experiment.design(), "points": len(points)},
        "timeseries_every": experiment.output["timeseries_every"],
        "seed_scheme": "SeedSequence(seed, spawn_key=(replication,)), 2 uint32 -> 63 bits",
        "versions": software_versions(),
        "model_fingerprint": model_fingerprint(),
        "git_revision": git_revision(),
        "started": now(),
        "finished": None,
        "runs_planned": len(points) * experiment.replications,
        "runs_done": 0,
        "posterior": None if experiment.posterior is None else experiment.posterior.describe(),
    }


# ---------------------------------------------------------------------- evaluate
def evaluate(
    param_sets: list[dict[str, Any]],
    *,
    steps: int,
    replications: int,
    base_seed: int,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = True,
    constants: list[dict[str, float] | None] | None = None,
) -> pd.DataFrame:
    """Run each parameter set ``replications`` times in memory; nothing is written to disk.

    Args:
        param_sets: parameter sets, complete or partial (missing ones take their defaults).
        steps: weeks per run.
        replications: runs per parameter set.
        base_seed: base seed; run seeds follow the sweep's scheme with ``point`` = the set's index.
        workers: local processes (default: every core); ignored when ``executor`` is given.
        executor: any ``concurrent.futures.Executor`` to run on (not shut down here).
        progress: show a progress bar on stderr.
        constants: behavioural constants for each parameter set, in its order (None, or a
            None in the list: the default constants).

    Returns:
        One row per (point, replication), sorted so: point, replication, seed, then every outcome
        and diagnostic.
    """
    points = [(str(i), resolve(p)) for i, p in enumerate(param_sets)]
    runs = plan_runs(points, steps=steps, replications=replications, base_seed=base_seed)
    if constants is not None:
        if len(constants) != len(points):
            raise ValueError(f"{len(constants)} constant sets for {len(points)} parameter sets")
        runs = (dataclasses.replace(run, constants=constants[run.point]) for run in runs)
    columns = ["point", "replication", "seed", *OUTCOME_NAMES, *DIAGNOSTIC_NAMES]
    rows = []
    bar = tqdm(
        total=len(points) * replications,
        unit="run",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    with (
        StopSignals() as stop,
        _pool(workers, None, executor) as pool,
        bar,
        contextlib.closing(stream_results(runs, pool, stop=stop)) as results,
    ):
        for result in results:
            if result is not None:
                rows.append({c: result[0][c] for c in columns})
                bar.update(1)
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
