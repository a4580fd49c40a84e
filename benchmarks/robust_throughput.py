"""Runs per second of the robust evaluation, and its regret intervals at two replicate counts.

    .venv/bin/python benchmarks/robust_throughput.py                 # 2 workers, 156 weeks
    .venv/bin/python benchmarks/robust_throughput.py --workers 1 --steps 52

A benchmark, not a test: it prints numbers and fails on nothing. It evaluates the budget-ownership
spec's levers (12 designs) in ``--worlds`` worlds of its context, first with 2 replicates per
world, then with 8, into a scratch folder, and prints for each the runs, the seconds and runs per
second of the evaluation alone (the report is not drawn), and the mean 95% interval width of the
designs' 90th-percentile regret on net_value: it should narrow as replicates are added.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from cxo_sim.robust.evaluation import evaluate_designs, read_outcomes
from cxo_sim.robust.measures import measure_designs
from cxo_sim.robust.spec import load_spec

SPEC = Path(__file__).resolve().parents[1] / "experiments" / "robust" / "budget-ownership.toml"


def main() -> None:
    """Evaluate at two replicate counts and print throughput and interval widths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=156)
    parser.add_argument("--worlds", type=int, default=16)
    args = parser.parse_args()
    text = SPEC.read_text(encoding="utf-8")
    # The context alone: the posterior's path is relative to the repository's root.
    text = re.sub(r"(?m)^posterior = .*$", "", text)
    text = re.sub(r"(?m)^steps = \d+", f"steps = {args.steps}", text)
    text = re.sub(r"(?m)^worlds = \d+", f"worlds = {args.worlds}", text)
    with tempfile.TemporaryDirectory(prefix="cxo-sim-bench-") as scratch:
        for replications in (2, 8):
            path = Path(scratch) / f"spec-{replications}.toml"
            path.write_text(
                re.sub(r"(?m)^replications = \d+", f"replications = {replications}", text)
            )
            spec = load_spec(path)
            started = time.monotonic()
            summary = evaluate_designs(
                spec, out=Path(scratch) / str(replications), workers=args.workers, progress=False
            )
            seconds = time.monotonic() - started
            outcomes = read_outcomes(summary.folder, [o.outcome for o in spec.objectives])
            rob = measure_designs(outcomes.designs, outcomes.values, spec.objectives, spec.seed)
            rows = rob.table[
                (rob.table["objective"] == "net_value") & (rob.table["statistic"] == "p90_regret")
            ]
            width = float(np.mean(rows["high"] - rows["low"]))
            print(
                f"{replications} replicates x {args.worlds} worlds x {len(spec.designs)} designs: "
                f"{summary.runs_now} runs of {args.steps} weeks in {seconds:.1f} s on "
                f"{summary.where} ({summary.runs_now / seconds:.1f} runs/s); mean 95% interval "
                f"of 90th-percentile regret on net_value: {width:,.0f} k$"
            )


if __name__ == "__main__":
    main()
