"""``cxo-sim sensitivity EXPERIMENT.toml``: Morris or Sobol indices of an experiment's factors.

Covered by ``tests/analysis/test_sensitivity.py``.
"""

from __future__ import annotations

import argparse

from cxo_sim.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim sensitivity`` and its options to the sub-commands."""
    parser = sub.add_parser("sensitivity", help="global sensitivity analysis (SALib)")
    parser.add_argument("experiment", help="experiment file (TOML)")
    parser.add_argument(
        "--method",
        choices=["morris", "sobol"],
        default=None,
        help="default: the file's [sensitivity] method, else morris",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    parser.add_argument(
        "--everything",
        action="store_true",
        help="vary every parameter and behavioural constant, with indices of groups: one per "
        "ODD submodel and one for the parameters",
    )
    parser.add_argument(
        "--n",
        type=int,
        default=None,
        help="Morris trajectories or the Sobol base size (default: the file's [sensitivity] n)",
    )
    parser.add_argument("--out", default=None, help="results root (default ./results)")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """``cxo-sim sensitivity EXPERIMENT.toml [--method M] [--everything] [--n N] [--workers N]``."""
    from pathlib import Path
    from typing import Any

    import pandas as pd

    from cxo_sim.analysis.results import measure
    from cxo_sim.analysis.sensitivity import (
        DEFAULT_N,
        DEFAULT_OUTCOMES,
        analyse,
        describe,
        everything_problem,
        problem_for,
        ranked_text,
        sample,
        write_outputs,
    )
    from cxo_sim.experiments.runner import evaluate
    from cxo_sim.experiments.spec import load_experiment

    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: must be at least 1, got {args.workers}")
    experiment = load_experiment(args.experiment)
    settings = experiment.sensitivity or {}
    method = args.method or settings.get("method", "morris")
    given_n = getattr(args, "n", None)
    n = given_n if given_n is not None else int(settings.get("n", DEFAULT_N[method]))
    if n < 1:
        raise UserError(f"--n: must be at least 1, got {n}")
    outcomes = tuple(settings.get("outcomes", DEFAULT_OUTCOMES))
    for outcome in outcomes:
        measure(outcome)
    if getattr(args, "everything", False):
        problem = everything_problem(experiment)
        points = len(sample(problem, method, n, experiment.seed))
        print(
            f"{method} varies every parameter and constant ({len(problem.factors)} factors) in "
            f"{len(problem.labels)} groups: {', '.join(problem.labels)}"
        )
    else:
        problem = problem_for(experiment)
        points = len(sample(problem, method, n, experiment.seed))
        source = "[sensitivity] parameters" if settings.get("parameters") else "[factors]"
        print(f"{method} varies the {len(problem.factors)} parameters of {source}:")
        print("\n".join(describe(problem)))
    print(
        f"{points} sample points x {experiment.replications} replications = "
        f"{points * experiment.replications} runs of {experiment.steps} weeks",
        flush=True,
    )

    def run_model(param_sets: list[dict[str, Any]]) -> pd.DataFrame:
        constants = [p.get("constants") for p in param_sets]
        return evaluate(
            [{k: v for k, v in p.items() if k != "constants"} for p in param_sets],
            steps=experiment.steps,
            replications=experiment.replications,
            base_seed=experiment.seed,
            workers=args.workers,
            constants=constants if any(constants) else None,
        )

    table = analyse(problem, run_model, method, n, experiment.seed, outcomes)
    folder = Path(args.out or "results") / experiment.name / "sensitivity"
    written = write_outputs(table, method, folder, experiment, points)
    print(ranked_text(table, method))
    for path in written:
        print(f"wrote {path}")
