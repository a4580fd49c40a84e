"""``cxo-sim sweep``: run an experiment file, show progress, summarise, explain how to resume."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cxo_sim.experiments.runner import DEFAULT_ROOT, SweepSummary, sweep
from cxo_sim.experiments.spec import load_experiment
from cxo_sim.experiments.storage import MANIFEST, load_manifest, stored_run_ids


def sweep_command(args: argparse.Namespace) -> None:
    """Run ``args.experiment``; a Ctrl-C keeps finished runs and says how to finish the sweep."""
    experiment = load_experiment(args.experiment)
    folder = Path(DEFAULT_ROOT if args.out is None else args.out) / experiment.name
    try:
        summary = sweep(
            experiment,
            out=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            fresh=args.fresh,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        print(_interrupted(folder), file=sys.stderr)
        raise
    print(_summary(summary))


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
    stored = len(stored_run_ids(folder))
    planned = load_manifest(folder).get("runs_planned")
    return (
        f"sweep stopped: {stored} of {planned} runs are stored in {folder}; "
        "run the same command again to finish the sweep"
    )
