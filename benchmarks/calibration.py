"""Calibration cost: model runs and wall time of finished calibrations, side by side.

    .venv/bin/python benchmarks/calibration.py calibration/old_world /tmp/hm/old_world-emulated

Reads each folder's manifest and posterior (nothing is run) and prints a Markdown table: the
model runs of each stage (screen, history matching, ABC-SMC, predictive check), the wall time,
the generations, the posterior's effective sample size and each calibrated constant's 90%
interval width over the prior's. Runs are the measure that does not depend on the machine's
load; wall times are as the manifests recorded them. ``--out FILE`` also writes the table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from cxo_sim.calibration.predictive import effective_sample_size, posterior_table


def summary(folder: Path) -> dict:
    """The cost and result of one finished calibration folder."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    posterior = pd.read_csv(folder / "posterior.csv")
    runs = manifest["runs"]
    return {
        "folder": str(folder),
        "runs": runs,
        "wall_seconds": manifest["wall_seconds"],
        "generations": len([g for g in manifest["generations"] if g["t"] >= 0]),
        "epsilon": manifest["epsilons"][-1],
        "ess": effective_sample_size(posterior),
        "particles": len(posterior),
        "narrowing": {
            r["constant"]: r["narrowing"] for r in posterior_table(posterior, manifest["constants"])
        },
        "waves": manifest.get("history_matching"),
    }


def table(summaries: list[dict]) -> str:
    """The summaries as one Markdown table, a column per folder."""
    head = "| | " + " | ".join(f"`{s['folder']}`" for s in summaries) + " |"
    lines = [head, "|---" * (len(summaries) + 1) + "|"]

    def row(label, cell):
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in summaries) + " |")

    for stage in ("screen", "history_matching", "abc", "predictive"):
        row(f"runs: {stage}", lambda s, k=stage: f"{s['runs'].get(k, 0):,}")
    row("runs without the screen", lambda s: f"{sum(s['runs'].values()) - s['runs']['screen']:,}")
    row("wall time (s)", lambda s: f"{s['wall_seconds']:.0f}")
    row("generations", lambda s: str(s["generations"]))
    row("last epsilon", lambda s: f"{s['epsilon']:.3g}")
    row("effective sample size", lambda s: f"{s['ess']:.0f} of {s['particles']}")
    row(
        "non-implausible after each wave",
        lambda s: (
            ", ".join(f"{w['non_implausible']:.1%}" for w in s["waves"]["waves"])
            if s["waves"]
            else "-"
        ),
    )
    for name in summaries[0]["narrowing"]:
        row(f"width ratio `{name}`", lambda s, n=name: f"{s['narrowing'].get(n, float('nan')):.2f}")
    return "\n".join(lines)


def main() -> None:
    """Print (and with ``--out`` write) the comparison of the folders given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    text = table([summary(folder) for folder in args.folders])
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
