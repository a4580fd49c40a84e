"""One sweep contender, run in a fresh process by ``benchmarks/run.py``.

    python benchmarks/contenders.py MODE EXPERIMENT.toml WORKERS OUT_DIR

MODE is ``sweep`` (the ``cxo-sim sweep`` command, through its entry point), ``bare`` (a plain
``ProcessPoolExecutor`` of forked workers mapping ``simulate`` over the same runs, nothing
stored) or ``batch_run`` (``mesa.batch_run`` on ``CxOModel`` with the same configurations, run
count and weeks). The clock starts after the imports every mode shares and stops when the last
run is in; the child prints one JSON line: mode, workers, runs, seconds.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def simulate_run(run: tuple[dict, int, int]) -> dict[str, float]:
    """The bare limit's unit of work: one ``simulate`` call (outcomes and diagnostics)."""
    from cxo_sim import simulate

    params, steps, seed = run
    return simulate(steps=steps, seed=seed, diagnostics=True, **params)


def planned_runs(experiment) -> list:
    from cxo_sim.experiments.plan import plan_runs

    return list(
        plan_runs(
            experiment.points(),
            steps=experiment.steps,
            replications=experiment.replications,
            base_seed=experiment.seed,
        )
    )


def run_sweep(path: str, workers: int, out: str) -> int:
    from cxo_sim.cli import main

    args = ["sweep", path, "--workers", str(workers), "--quiet", "--fresh", "--out", out]
    if main(args) != 0:
        raise SystemExit("cxo-sim sweep failed")
    return -1


def run_bare(experiment, workers: int) -> int:
    runs = [(r.params, r.steps, r.seed) for r in planned_runs(experiment)]
    # Forked workers start with everything imported: the cheapest start there is, as a limit
    # should be. (Importing mesa makes "spawn" the default: mesa/batchrunner.py calls
    # multiprocessing.set_start_method("spawn", force=True), so each worker would import all.)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return len(list(pool.map(simulate_run, runs)))


def run_batch(experiment, workers: int) -> int:
    import mesa

    from cxo_sim import CxOModel
    from cxo_sim.compat import batch_run_max_steps, batch_run_seeding

    parameters = dict(experiment.points()[0][1])
    for name in experiment.factors:
        parameters[name] = experiment.factor_values(name)
    # The sweep's seeds of the first configuration, crossed with every configuration: the same
    # number of runs (the very same runs, as run seeds depend only on the replication).
    seeds = [run.seed for run in planned_runs(experiment) if run.point == 0]
    rows = mesa.batch_run(
        CxOModel,
        **batch_run_seeding(parameters, seeds),
        number_processes=workers,
        # The same weeks as the sweep (batch_run steps max_steps + 1 times up to Mesa 3.4).
        max_steps=batch_run_max_steps(experiment.steps),
        data_collection_period=-1,
        display_progress=False,
    )
    return len(rows)


def main(argv: list[str]) -> None:
    mode, path, workers, out = argv[0], argv[1], int(argv[2]), argv[3]
    import mesa  # noqa: F401  (every mode pays the same imports before the clock starts)

    import cxo_sim.experiments.runner  # noqa: F401
    import cxo_sim.model  # noqa: F401
    from cxo_sim.experiments.spec import load_experiment

    experiment = load_experiment(path)
    total = len(experiment.points()) * experiment.replications
    start = time.perf_counter()
    if mode == "sweep":
        run_sweep(path, workers, out)
        done = total
    elif mode == "bare":
        done = run_bare(experiment, workers)
    elif mode == "batch_run":
        done = run_batch(experiment, workers)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    seconds = time.perf_counter() - start
    print(json.dumps({"mode": mode, "workers": workers, "runs": done, "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1:])
