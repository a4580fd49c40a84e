"""``cxo-sim sweep``: run an experiment file, show progress, summarise, explain how to resume.

Covered by ``tests/experiments/test_sweep_command.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from cxo_sim.errors import UserError
from cxo_sim.experiments.design import Experiment
from cxo_sim.experiments.pool import PoolError
from cxo_sim.experiments.reading import MANIFEST, load_manifest, stored_run_ids
from cxo_sim.experiments.runner import DEFAULT_ROOT, SweepSummary, sweep
from cxo_sim.experiments.spec import load_experiment


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim sweep`` and its options to the sub-commands."""
    parser = sub.add_parser("sweep", help="run an experiment file")
    parser.add_argument("experiment", help="experiment file (TOML)")
    parser.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    parser.add_argument(
        "--scheduler", default=None, help="Dask scheduler address (tcp://host:port)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="discard earlier results of this experiment"
    )
    parser.add_argument("--out", default=None, help="results root (default ./results)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--organisation",
        default=None,
        metavar="FIRM.toml",
        help="run on a firm: its parameters, and constants from its posterior (calibrated "
        "first if calibration/<firm>/ does not hold it)",
    )
    parser.add_argument(
        "--run-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop and redo a run that takes longer (default: 60 s + 0.05 s a week)",
    )
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """Run ``args.experiment``; a stop (Ctrl-C, SIGTERM, a lost cluster) keeps finished runs.

    Raises:
        UserError: bad input, or a faulty environment; a lost pool's message says how many runs
            are stored and how to finish the sweep.
    """
    if args.run_timeout is not None and not args.run_timeout > 0:
        raise UserError(
            f"--run-timeout: must be a positive number of seconds, got {args.run_timeout}"
        )
    experiment = load_experiment(args.experiment)
    if args.organisation is not None:
        experiment = _on_organisation(experiment, args)
    folder = Path(DEFAULT_ROOT if args.out is None else args.out) / experiment.name
    try:
        summary = sweep(
            experiment,
            out=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            fresh=args.fresh,
            progress=not args.quiet,
            run_timeout=args.run_timeout,
        )
    except KeyboardInterrupt:
        print(_interrupted(folder), file=sys.stderr)
        raise
    except PoolError as exc:
        raise UserError(f"{exc}; {_stopped(folder)}") from None
    print(_summary(summary))
    if summary.runs_done == summary.runs_planned:
        print(f"next: cxo-sim report {summary.folder}   (figures, summary.csv, report.html)")


def _on_organisation(experiment: Experiment, args: argparse.Namespace) -> Experiment:
    """The experiment run on a firm: calibrated first (or from calibration/<firm>/ if stored).

    The firm's parameters overlay every configuration's (the experiment's factors and
    scenarios still set what they vary), each replication draws its constants from the firm's
    posterior, and the results go to ``results/<experiment>-<firm>/``.
    """
    from cxo_sim.calibration.organisation import organisation_posterior
    from cxo_sim.errors import stderr

    if experiment.posterior is not None:
        raise UserError(
            f"{experiment.path}: has its own [uncertainty] posterior; --organisation brings the "
            "firm's, so use one or the other"
        )
    calibration, posterior = organisation_posterior(
        args.organisation,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=None if args.quiet else stderr,
    )
    text = f"{experiment.text}\n# organisation {args.organisation}:\n{calibration.text}"
    return dataclasses.replace(
        experiment,
        name=f"{experiment.name}-{calibration.name}",
        fixed={**experiment.fixed, **calibration.fixed},
        posterior=posterior,
        text=text,
    )


def _summary(summary: SweepSummary) -> str:
    earlier = summary.runs_done - summary.runs_now
    resumed = f" ({earlier} were already done)" if earlier else ""
    return (
        f"{summary.runs_now} runs in {summary.seconds:.1f} s on {summary.where}{resumed}; "
        f"{summary.runs_done} of {summary.runs_planned} runs stored in {summary.folder}"
    )


def _interrupted(folder: Path) -> str:
    if not (folder / MANIFEST).is_file():
        return "sweep stopped before it started; nothing was stored"
    return f"sweep stopped: {_stopped(folder)}"


def _stopped(folder: Path) -> str:
    """How far a stopped sweep got, and how to finish it."""
    try:
        stored = len(stored_run_ids(folder))
        planned = load_manifest(folder).get("runs_planned")
    except UserError as exc:
        return f"reading back what was stored failed: {exc}"
    return (
        f"{stored} of {planned} runs are stored in {folder}; "
        "run the same command again to finish the sweep"
    )
