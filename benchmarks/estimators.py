"""Two estimators on the same synthetic targets: ABC-SMC against the emulator posterior.

Reads the coverage check of a calibration (``cxo-sim calibrate FILE --coverage N``, its truths
under ``<folder>/coverage/``) and, for each truth, sets the ABC posterior the check made
against the posterior of the last history-matching wave's emulators
(``cxo_sim.calibration.emulator.emulator_posterior``), which needs no model run beyond the
waves the truth's calibration already stored. For a calibration without history matching only
ABC is shown. Per estimator: the share of truths inside the 50% and 90% intervals, the median
width of the 90% interval in shares of the prior's range, the median effective sample size,
and the model runs. Also, per truth, whether the history matching left the truth itself
non-implausible (a truth it rules out cannot be covered by the ABC that samples after it).

    .venv/bin/python benchmarks/estimators.py calibration/FOLDER [FOLDER ...]

Prints Markdown.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cxo_sim.calibration.coverage import COVERAGE_DIR, hits
from cxo_sim.calibration.emulator import emulator_posterior, history_match
from cxo_sim.calibration.predictive import effective_sample_size
from cxo_sim.calibration.spec import load_calibration
from cxo_sim.constants import CONSTANTS

TRUTH = re.compile(r"^# truth: (\w+) = (\S+)$", re.MULTILINE)


def truths(folder: Path):
    """Each finished truth: its file, its values and its stored calibration folder."""
    for path in sorted((folder / COVERAGE_DIR).glob("truth-*.toml")):
        sub = path.with_suffix("")
        if (sub / "posterior.csv").is_file():
            values = {k: float(v) for k, v in TRUTH.findall(path.read_text(encoding="utf-8"))}
            yield path, values, sub


def widths(posterior: pd.DataFrame, names: list[str]) -> float:
    """Median over constants of the 90% interval's width over the prior's range."""
    rows = hits(dict.fromkeys(names, 0.0), posterior)
    return float(
        np.median(
            [
                (r["high_90%"] - r["low_90%"])
                / (CONSTANTS[r["constant"]].high - CONSTANTS[r["constant"]].low)
                for r in rows
            ]
        )
    )


def compare(folder: Path) -> pd.DataFrame:
    rows = []
    for path, truth, sub in truths(folder):
        calibration = load_calibration(path)
        manifest = json.loads((sub / "manifest.json").read_text(encoding="utf-8"))
        names = list(manifest["constants"])
        abc = pd.read_csv(sub / "posterior.csv")
        estimators = {"ABC-SMC": abc}
        in_support = np.nan
        if calibration.matching is not None:
            matching, _ = history_match(calibration, sub, names, pool=None)
            unit = matching.to_unit(np.array([[truth[n] for n in names]]))
            in_support = float(matching.plausible(unit)[0])
            estimators["emulator"] = emulator_posterior(
                matching, calibration.targets, calibration.seed
            )
        for estimator, posterior in estimators.items():
            inside = hits(truth, posterior)
            rows.append(
                {
                    "truth": path.stem,
                    "estimator": estimator,
                    "epsilon": manifest["epsilons"][-1],
                    "inside_50": np.mean([r["inside_50%"] for r in inside]),
                    "inside_90": np.mean([r["inside_90%"] for r in inside]),
                    "width_90": widths(posterior, names),
                    "ess": effective_sample_size(posterior),
                    "runs": sum(manifest["runs"].values())
                    - (manifest["runs"]["abc"] + manifest["runs"]["predictive"]
                       if estimator == "emulator" else 0),
                    "truth_non_implausible": in_support,
                }
            )  # fmt: skip
    return pd.DataFrame(rows)


def main(folders: list[str]) -> None:
    print(
        "| calibration | estimator | truths | inside 50% | inside 90% | 90% width / prior | "
        "median ESS | runs a truth | truths at epsilon 0 | truths left by the waves |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for folder in map(Path, folders):
        table = compare(folder)
        for estimator, group in table.groupby("estimator", sort=False):
            left = group["truth_non_implausible"]
            print(
                f"| {folder.name} | {estimator} | {len(group)} | {group['inside_50'].mean():.0%} "
                f"| {group['inside_90'].mean():.0%} | {group['width_90'].median():.2f} | "
                f"{group['ess'].median():.0f} | {group['runs'].median():.0f} | "
                f"{int((group['epsilon'] == 0).sum())} | "
                + ("-" if left.isna().all() else f"{int(left.sum())} of {len(left)}")
                + " |"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
