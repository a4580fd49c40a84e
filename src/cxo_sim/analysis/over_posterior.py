"""Findings over a posterior: which keep their sign, and what changes against seed-only runs.

A sweep over a calibration's posterior (:mod:`cxo_sim.experiments.posterior`) runs each
replication with its own draw of the constants. The report lists the clear effects that keep
their sign in most replications; ``python -m cxo_sim.analysis.over_posterior SEED_ONLY
OVER_POSTERIOR`` compares two results folders of one design. Covered by
``tests/analysis/test_over_posterior.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from cxo_sim.analysis.effects import findings
from cxo_sim.analysis.numbers import fmt
from cxo_sim.analysis.results import open_results

# A finding "keeps its sign across the posterior" when at least this share of the replications
# (each a posterior draw) gives a paired difference of the finding's sign.
KEEPS_SIGN = 0.8


def sign_shares(runs: pd.DataFrame, findings: pd.DataFrame) -> pd.Series:
    """For each finding (arm against its reference), the share of draws with its sign.

    Each replication ran with its own posterior draw (the same in every configuration), so the
    paired difference of replication r is the effect under draw r (plus seed noise). The share
    is taken over the replications; NaN where the runs do not pair.
    """
    shares = []
    for row in findings.itertuples():
        arm = runs[runs["scenario"] == row.arm]
        ref = runs[runs["scenario"] == row.reference]
        merged = arm[["seed", row.outcome]].merge(
            ref[["seed", row.outcome]], on="seed", suffixes=("_a", "_r")
        )
        if merged.empty or len(merged) != len(arm):
            shares.append(math.nan)
            continue
        diff = merged[f"{row.outcome}_a"] - merged[f"{row.outcome}_r"]
        sign = np.sign(row.estimate)
        shares.append(float(np.mean(np.sign(diff) == sign)) if sign else math.nan)
    return pd.Series(shares, index=findings.index, dtype=float)


def changed_findings(seed_only: Path, over_posterior: Path) -> pd.DataFrame:
    """The findings of two results folders of one design, seed-only and over a posterior.

    One row per (arm, outcome) with each folder's verdict and estimate, and ``change``:
    "sign" (clear in both, opposite signs), "lost" (clear at the default constants only),
    "gained" (clear over the posterior only) or "" (the same verdict).
    """
    keys = ["arm", "outcome"]
    columns = [*keys, "estimate", "low", "high", "verdict"]
    before = findings(open_results(seed_only, series=False))[columns]
    after = findings(open_results(over_posterior, series=False))[columns]
    both = before.merge(after, on=keys, suffixes=("_seed", "_posterior"))
    clear_before = both["verdict_seed"] != "no clear change"
    clear_after = both["verdict_posterior"] != "no clear change"
    flipped = np.sign(both["estimate_seed"]) != np.sign(both["estimate_posterior"])
    both["change"] = np.select(
        [
            clear_before & clear_after & flipped,
            clear_before & ~clear_after,
            ~clear_before & clear_after,
        ],
        ["sign", "lost", "gained"],
        default="",
    )
    return both


def format_changes(table: pd.DataFrame) -> str:
    """The findings that changed, as Markdown."""
    changed = table[table["change"] != ""]
    kept = int(((table["change"] == "") & (table["verdict_seed"] != "no clear change")).sum())
    lines = [
        f"{len(table)} comparisons; {kept} clear at the default constants stay clear with the "
        f"same sign over the posterior; {len(changed)} change:",
        "",
        "| arm | outcome | change | default constants (95% CI) | over the posterior (95% CI) |",
        "|---|---|---|---|---|",
    ]
    for r in changed.itertuples():
        lines.append(
            f"| {r.arm} | {r.outcome} | {r.change} | {fmt(r.estimate_seed)} "
            f"[{fmt(r.low_seed)}, {fmt(r.high_seed)}] | {fmt(r.estimate_posterior)} "
            f"[{fmt(r.low_posterior)}, {fmt(r.high_posterior)}] |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(format_changes(changed_findings(Path(sys.argv[1]), Path(sys.argv[2]))))
