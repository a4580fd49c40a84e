"""Every design in every world on common seeds, stored like a sweep (Parquet, resume, Dask).

The runs of a spec map onto a sweep's results folder so that its storage, integrity checks and
resume serve unchanged (:func:`cxo_sim.experiments.runner.store_runs`):

- ``point`` is the design (``scenario`` its label), and the sweep's ``replication`` is
  ``world * replications + r``: run id ``design * worlds * replications + world *
  replications + r``;
- the seed is the sweep's seed of that replication (:func:`cxo_sim.experiments.seeds.run_seed`),
  so replication r of world w has one seed for every design: common random numbers, and a design
  is compared with the others on the same threats, ideas and vendors;
- the run's parameters are the preset, overlaid with the design's levers, overlaid with the
  world's context; its constants are the world's, stored as ``const:<NAME>`` columns.

Covered by ``tests/robust/test_evaluation.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.experiments.backends import open_pool
from cxo_sim.experiments.plan import Run
from cxo_sim.experiments.pool import WorkerPool
from cxo_sim.experiments.provenance import git_revision, model_fingerprint, now, software_versions
from cxo_sim.experiments.reading import COLUMN_PREFIX, load_results
from cxo_sim.experiments.runner import SweepSummary, store_runs, stream_results
from cxo_sim.experiments.seeds import run_seed
from cxo_sim.robust.spec import RobustSpec
from cxo_sim.robust.worlds import World, sample_worlds, world_table
from cxo_sim.stops import StopSignals

DEFAULT_ROOT = Path("results") / "robust"


def plan_robust_runs(
    spec: RobustSpec,
    designs: list[tuple[str, dict[str, Any]]],
    worlds: list[World],
    replications: int,
    skip: set[int] = frozenset(),
) -> Iterator[Run]:
    """Every run of ``designs`` x ``worlds`` x ``replications``, in run-id order, lazily."""
    per_design = len(worlds) * replications
    for point, (label, levers) in enumerate(designs):
        base = spec.design_params(levers)
        for world in worlds:
            params = {**base, **world.params}
            for r in range(replications):
                replication = world.index * replications + r
                run_id = point * per_design + replication
                if run_id in skip:
                    continue
                yield Run(
                    run_id=run_id,
                    point=point,
                    scenario=label,
                    replication=replication,
                    seed=run_seed(spec.seed, replication),
                    params=params,
                    steps=spec.steps,
                    constants=world.constants or None,
                )


def robust_manifest(spec: RobustSpec, worlds: list[World]) -> dict[str, Any]:
    """The results folder's manifest: a sweep's, plus what the robust analysis reads back."""
    constants = sorted({name for w in worlds for name in w.constants})
    runs = len(spec.designs) * len(worlds) * spec.replications
    return {
        "name": spec.name,
        "question": spec.question,
        "experiment_file": str(spec.path),
        "experiment_text": spec.text,
        "experiment_hash": spec.text_hash,
        "preset": spec.preset,
        "steps": spec.steps,
        "replications": len(worlds) * spec.replications,
        "seed": spec.seed,
        "design": {"sampling": "robust", "points": len(spec.designs), "factors": list(spec.levers)},
        "timeseries_every": 0,
        "seed_scheme": "SeedSequence(seed, spawn_key=(world * replications + r,)), 63 bits",
        "versions": software_versions(),
        "model_fingerprint": model_fingerprint(),
        "git_revision": git_revision(),
        "started": now(),
        "finished": None,
        "runs_planned": runs,
        "runs_done": 0,
        "posterior": {
            "constants": constants,
            "from": None if spec.posterior is None else spec.posterior.describe(),
        },
        "robust": {
            "worlds": len(worlds),
            "replications_per_world": spec.replications,
            "sampler": spec.sampler,
            "designs": [label for label, _ in spec.designs],
            "uncertainties": [*spec.context, *constants],
        },
    }


def evaluate_designs(
    spec: RobustSpec,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    fresh: bool = False,
    progress: bool = True,
    flush_runs: int = 500,
) -> SweepSummary:
    """Run every design of ``spec`` in every world into ``<out>/<name>/``, resuming what is there.

    Args:
        spec: a validated spec with designs to enumerate.
        out: results root (default ``results/robust``).
        workers: local processes (default: every core).
        scheduler: a Dask scheduler's address, to run there instead.
        executor: any ``concurrent.futures.Executor`` to run on (tests).
        fresh: discard earlier results of this spec instead of resuming them.
        progress: show a progress bar on stderr.
        flush_runs: write a part after this many finished runs.
    """
    worlds = sample_worlds(spec)
    path = Path(DEFAULT_ROOT if out is None else out) / spec.name

    def plan(stored: set[int]) -> Iterator[Run]:
        return plan_robust_runs(spec, spec.designs, worlds, spec.replications, stored)

    return store_runs(
        path,
        robust_manifest(spec, worlds),
        plan,
        workers=workers,
        scheduler=scheduler,
        executor=executor,
        fresh=fresh,
        progress=progress,
        flush_runs=flush_runs,
    )


def run_in_memory(
    spec: RobustSpec,
    designs: list[tuple[str, dict[str, Any]]],
    worlds: list[World],
    replications: int,
    outcomes: list[str],
    pool: WorkerPool,
    stop: StopSignals | None = None,
    on_design: Callable[[int, dict[str, np.ndarray]], None] | None = None,
) -> dict[str, np.ndarray]:
    """Run designs x worlds x replications on an open pool; nothing is written to disk.

    Args:
        spec: the spec (preset, weeks, seed).
        designs: (label, lever values) of each design to run.
        worlds: the worlds to run them in.
        replications: seeded runs per design and world (common seeds).
        outcomes: the outcomes to keep.
        pool: an open pool.
        stop: Ctrl-C handling while the runs stream in.
        on_design: called with a design's index and its values (outcome -> (worlds,
            replications)) as soon as all its runs are in: the search stores each candidate
            then, so an interrupted search loses only the candidates not finished.

    Returns:
        outcome -> array (designs, worlds, replications), whatever order the runs finish in.
    """
    runs = plan_robust_runs(spec, designs, worlds, replications)
    shape = (len(designs), len(worlds), replications)
    values = {name: np.full(shape, np.nan) for name in outcomes}
    position = {world.index: i for i, world in enumerate(worlds)}
    done = np.zeros(len(designs), dtype=int)
    with contextlib.closing(stream_results(runs, pool, stop=stop)) as results:
        for result in results:
            if result is None:
                continue
            row = result[0]
            world, r = divmod(row["replication"], replications)
            for name in outcomes:
                values[name][row["point"], position[world], r] = row[name]
            done[row["point"]] += 1
            if on_design is not None and done[row["point"]] == len(worlds) * replications:
                on_design(row["point"], {name: values[name][row["point"]] for name in outcomes})
    return values


def evaluate_in_memory(
    spec: RobustSpec,
    designs: list[tuple[str, dict[str, Any]]],
    worlds: list[World],
    outcomes: list[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> dict[str, np.ndarray]:
    """:func:`run_in_memory` on a pool opened for it (the failure boxes' re-check)."""
    with StopSignals() as stop, open_pool(workers, scheduler) as pool:
        return run_in_memory(spec, designs, worlds, spec.replications, outcomes, pool, stop)


@dataclass
class Outcomes:
    """The stored runs as arrays: design x world x replication, one array per outcome.

    Attributes:
        designs: the design labels, in design order.
        worlds: one row per world, one column per uncertainty.
        values: outcome name -> array of shape (designs, worlds, replications).
    """

    designs: list[str]
    worlds: pd.DataFrame
    values: dict[str, np.ndarray]


def read_outcomes(folder: str | Path, outcomes: list[str]) -> Outcomes:
    """Read a finished robust results folder back as :class:`Outcomes` (every part checked)."""
    from cxo_sim.errors import UserError
    from cxo_sim.experiments.reading import load_manifest

    manifest = load_manifest(folder)
    robust = manifest.get("robust")
    if not isinstance(robust, dict):
        raise UserError(f"{folder}: not a robust-design results folder")
    runs = load_results(folder)
    designs, count, reps = robust["designs"], robust["worlds"], robust["replications_per_world"]
    if len(runs) != len(designs) * count * reps:
        raise UserError(
            f"{folder}: holds {len(runs)} of {len(designs) * count * reps} runs; "
            "run the same command again to finish them"
        )
    runs = runs.sort_values("run_id")
    shape = (len(designs), count, reps)
    values = {name: runs[name].to_numpy(float).reshape(shape) for name in outcomes}
    first = runs[runs["point"] == 0]
    first = first[first["replication"] % reps == 0].reset_index(drop=True)
    columns = {}
    for name in robust["uncertainties"]:
        column = COLUMN_PREFIX + name if COLUMN_PREFIX + name in first else name
        columns[name] = first[column].to_list()
    worlds = pd.DataFrame(columns, index=pd.RangeIndex(count, name="world"))
    return Outcomes(list(designs), worlds, values)


__all__ = [
    "evaluate_designs",
    "evaluate_in_memory",
    "plan_robust_runs",
    "read_outcomes",
    "run_in_memory",
    "world_table",
]
