"""Run an experiment: every run on an executor, results streamed to disk, resumable.

:func:`sweep` runs an experiment file into its results folder; rerunning it after any
interruption does only the runs not stored yet. :func:`evaluate` runs parameter sets in memory
for the sensitivity analysis. Both go through :func:`stream_results`, which keeps a bounded number
of runs in flight on any ``concurrent.futures`` executor and resubmits runs whose worker was lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import pkgutil
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from cxo_sim.errors import one_line
from cxo_sim.experiments.plan import Run, plan_runs
from cxo_sim.experiments.pool import (
    MEMORY_RETRIES,
    PoolError,
    StopSignals,
    WorkerPool,
    open_pool,
    out_of_memory,
    run_deadline,
    wrap_executor,
)
from cxo_sim.experiments.spec import Experiment, load_experiment
from cxo_sim.experiments.storage import (
    COLUMN_PREFIX,
    RUN_IDENTITY,
    ResultsFolder,
    check_results_folder,
    open_results_folder,
)
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import resolve

DEFAULT_ROOT = Path("results")
# A part file is written every FLUSH_RUNS finished runs or FLUSH_SECONDS, whichever comes first:
# an interruption loses at most that much work, and memory holds at most that many rows.
FLUSH_RUNS = 500
FLUSH_SECONDS = 30.0
# Attempts per run when its worker is lost (killed, out of memory, machine gone, deadline).
MAX_ATTEMPTS = 4
# Seconds between checks for stop signals, deadlines and a lost cluster while runs execute.
_POLL_SECONDS = 0.25
# Modules besides the model package (every module of ``cxo_sim.model``) whose source decides a
# run's results (see model_fingerprint).
MODEL_INPUTS = (
    "cxo_sim.compat",
    "cxo_sim.constants",
    "cxo_sim.params",
    "cxo_sim.presets",
    "cxo_sim.outcomes",
)

RunResult = tuple[dict[str, Any], pd.DataFrame | None]


def execute_run(run: Run) -> RunResult:
    """Simulate one run (in a worker): its runs-table row and its time series, if asked for."""
    from cxo_sim.model import run_one

    outcomes, series = run_one(
        run.params,
        steps=run.steps,
        seed=run.seed,
        timeseries_every=run.timeseries_every,
        diagnostics=True,
        constants=run.constants,
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

    At most ``pool.in_flight`` runs are submitted at once, so memory stays flat however many
    runs there are. A run whose worker was lost is resubmitted; the loss is charged to the runs
    that were on that worker (to every run in flight where the pool cannot tell), and a run
    charged ``MAX_ATTEMPTS`` times stops the stream with a :class:`PoolError`. A run executing
    longer than ``run_timeout`` seconds (default :func:`run_deadline` of its steps) has its
    worker stopped, which charges it. A run whose worker raised ``MemoryError`` is redone
    :data:`MEMORY_RETRIES` time(s), then stops the stream with a :class:`PoolError` naming it.
    A run that fails by itself otherwise stops the stream with a ``RuntimeError`` naming it.
    A stop signal noted by ``stop`` is raised between waits.
    """
    queue = iter(runs)
    retry: list[Run] = []
    charged: dict[int, int] = {}  # losses charged to runs in flight, never to finished ones
    late: set[int] = set()  # runs in flight whose worker was stopped for their deadline
    short: dict[int, int] = {}  # MemoryErrors per run (retried MEMORY_RETRIES times)
    pending: dict[Future, tuple[Run, int]] = {}
    fruitless_breaks = 0
    last_progress = last_check = time.monotonic()

    def deadline(run: Run) -> float:
        return run_timeout if run_timeout is not None else run_deadline(run.steps)

    def replace() -> None:
        # Only a pool that really starts anew counts (a cluster replaces its own workers).
        nonlocal fruitless_breaks
        if fruitless_breaks >= MAX_ATTEMPTS:
            raise PoolError(
                f"{pool.description} broke {fruitless_breaks} times in a row without "
                "finishing a run"
            )
        generation = pool.generation
        pool.replace_broken()
        fruitless_breaks += pool.generation - generation

    def submit(run: Run) -> None:
        pool.check()
        try:
            future = pool.submit(execute_run, run)
        except Exception as exc:
            if not pool.lost_worker(exc):
                raise
            replace()
            future = pool.submit(execute_run, run)
        pending[future] = (run, pool.generation)

    def fill() -> None:
        while len(pending) < pool.in_flight:
            run = retry.pop() if retry else next(queue, None)
            if run is None:
                return
            submit(run)

    def enforce_deadlines(now: float) -> None:
        nonlocal last_progress
        pool.check()
        in_flight = {run.run_id: run for run, _ in pending.values()}
        running = pool.running()
        for run_id, started in (running or {}).items():
            run = in_flight.get(run_id)
            if run is not None and run_id not in late and now - started > deadline(run):
                late.add(run_id)
                pool.stop_run(run_id)
        limit = max(deadline(run) for run in in_flight.values())
        if not running and now - last_progress > limit:
            # Runs wait but no worker executes any: a worker stopped before it could say so.
            pool.stop_all(f"no run finished in {limit:.0f} s")
            last_progress = now

    def lost(run: Run, generation: int, error: BaseException) -> None:
        pool.check()
        if generation == pool.generation:
            replace()
        blamed = pool.lost_runs(generation)
        if blamed is None or run.run_id in blamed:
            charged[run.run_id] = charged.get(run.run_id, 0) + 1
        count = charged.get(run.run_id, 0)
        if count >= MAX_ATTEMPTS:
            what = (
                f"run {run.run_id} ({run.scenario}, replication {run.replication}, seed {run.seed})"
            )
            if run.run_id in late:
                raise PoolError(
                    f"{what} did not finish within {deadline(run):.0f} s, {count} times; "
                    "if runs this long are expected, raise the limit with --run-timeout SECONDS"
                )
            raise PoolError(f"{what} lost its worker {count} times (last: {one_line(error)})")
        late.discard(run.run_id)
        retry.append(run)

    try:
        fill()
        while pending:
            finished, _ = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            if stop is not None:
                stop.honour()
            now = time.monotonic()
            if now - last_check >= _POLL_SECONDS:
                last_check = now
                enforce_deadlines(now)
            if not finished:
                yield None
            for future in finished:
                run, generation = pending.pop(future)
                error = _failure(future)
                if error is None:
                    last_progress, fruitless_breaks = now, 0
                    charged.pop(run.run_id, None)
                    late.discard(run.run_id)
                    yield future.result()
                elif pool.lost_worker(error):
                    lost(run, generation, error)
                elif isinstance(error, MemoryError):
                    short[run.run_id] = short.get(run.run_id, 0) + 1
                    if short[run.run_id] > MEMORY_RETRIES:
                        what = (
                            f"run {run.run_id} ({run.scenario}, replication {run.replication}, "
                            f"seed {run.seed})"
                        )
                        raise PoolError(out_of_memory(what, short[run.run_id]))
                    retry.append(run)
                else:
                    raise RuntimeError(
                        f"run {run.run_id} ({run.scenario}, replication {run.replication}, "
                        f"seed {run.seed}) failed: {type(error).__name__}: {error}"
                    ) from error
            fill()
    finally:
        for future in pending:
            future.cancel()


def _failure(future: Future) -> BaseException | None:
    """The exception a finished future ended with (a cancelled one counts as a lost worker)."""
    if future.cancelled():
        return CancelledError("the executor cancelled the run")
    return future.exception()


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
    started = time.monotonic()
    points = experiment.points()
    path = Path(DEFAULT_ROOT if out is None else out) / experiment.name
    manifest = build_manifest(experiment, points)
    check_results_folder(path, manifest, fresh=fresh)
    with StopSignals() as stop, _pool(workers, scheduler, executor) as pool:
        folder = open_results_folder(path, manifest, fresh=fresh)
        try:
            stored = folder.stored
            sink = _Sink(folder, len(stored), flush_runs, flush_seconds)
            runs = plan_runs(
                points,
                steps=experiment.steps,
                replications=experiment.replications,
                base_seed=experiment.seed,
                timeseries_every=experiment.output["timeseries_every"],
                skip=stored,
                posterior=experiment.posterior,
            )
            try:
                stop.honour()
                _drain(runs, pool, sink, progress, experiment.name, run_timeout, stop)
            finally:
                sink.flush()
            if sink.done == manifest["runs_planned"] and folder.manifest.get("finished") is None:
                folder.update_manifest(finished=_now())
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
        "started": _now(),
        "finished": None,
        "runs_planned": len(points) * experiment.replications,
        "runs_done": 0,
        "posterior": None if experiment.posterior is None else experiment.posterior.describe(),
    }


def software_versions() -> dict[str, str]:
    """Versions of the package and of what its results depend on."""
    import mesa
    import numpy

    import cxo_sim

    return {
        "cxo_sim": cxo_sim.__version__,
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }


def model_fingerprint() -> str:
    """SHA-256 over the source of the modules that decide a run's results.

    Resuming refuses a changed model, so one table never mixes two versions of the model even
    between commits or with uncommitted edits.
    """
    import cxo_sim.model

    package = cxo_sim.model.__path__
    modules = [info.name for info in pkgutil.walk_packages(package, "cxo_sim.model.")]
    digest = hashlib.sha256()
    for module in ["cxo_sim.model", *sorted(modules), *MODEL_INPUTS]:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            digest.update(module.encode() + b"\0" + Path(spec.origin).read_bytes())
    return digest.hexdigest()


def git_revision() -> str | None:
    """The commit of the package's source tree, or None when it is not a git checkout."""
    source = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=source,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    revision = done.stdout.strip()
    return revision if done.returncode == 0 and revision else None


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


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

    Returns:
        One row per (point, replication), sorted so: point, replication, seed, then every outcome
        and diagnostic.
    """
    points = [(str(i), resolve(p)) for i, p in enumerate(param_sets)]
    runs = plan_runs(points, steps=steps, replications=replications, base_seed=base_seed)
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
