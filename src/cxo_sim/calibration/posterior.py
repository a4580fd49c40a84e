"""A stored posterior, drawn from by a sweep: what-ifs that carry the constants' uncertainty.

An experiment file's ``[uncertainty] posterior = "calibration/old_world"`` names a calibration
folder (relative to the current directory, like ``results/``). Each replication of the sweep
then draws one particle of the posterior, by weight, with a generator seeded by the
replication's seed: the draw is reproducible, and replication r of every configuration runs
with the same constants (and the same seed), so the paired differences between
configurations stay paired while their spread now includes the uncertainty in the constants.
The drawn constants are stored in the run's row (columns ``const:<NAME>``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError

POSTERIOR = "posterior.csv"
# The draw's stream of the replication's seed, apart from the model's own streams.
DRAW_STREAM = 0xD4A
# A finding "keeps its sign across the posterior" when at least this share of the replications
# (each a posterior draw) gives a paired difference of the finding's sign.
KEEPS_SIGN = 0.8


@dataclass(frozen=True)
class Posterior:
    """A calibration's weighted posterior sample.

    Attributes:
        path: the calibration folder as written in the experiment file.
        names: the constants it holds.
        values: one row per particle, one column per constant.
        weights: the particles' weights (summing to 1).
        digest: SHA-256 of the posterior file (a changed posterior is another experiment).
    """

    path: str
    names: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    digest: str

    def draw(self, seed: int) -> dict[str, float]:
        """One particle's constants, drawn by weight from a generator seeded by ``seed``."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DRAW_STREAM,)))
        row = int(rng.choice(len(self.weights), p=self.weights))
        return dict(zip(self.names, map(float, self.values[row]), strict=True))

    def describe(self) -> dict[str, Any]:
        """What the manifest records of it."""
        return {
            "path": self.path,
            "constants": list(self.names),
            "particles": len(self.weights),
            "sha256": self.digest,
        }


def load_posterior(path: str | Path) -> Posterior:
    """Read a calibration folder's posterior; :class:`UserError` naming what is wrong."""
    folder = Path(path)
    file = folder / POSTERIOR
    if not folder.is_dir():
        raise UserError(
            f"{folder}: no such calibration folder; run cxo-sim calibrate first (the path is "
            "read from the current directory)"
        )
    if not file.is_file():
        raise UserError(f"{folder}: holds no {POSTERIOR}; the calibration has not finished")
    try:
        data = file.read_bytes()
        frame = pd.read_csv(file)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{file}: cannot read the posterior: {exc}") from None
    if "weight" not in frame.columns or len(frame) == 0:
        raise UserError(f"{file}: not a posterior (needs a weight column and particles)")
    names = [c for c in frame.columns if c != "weight"]
    if not names:
        raise UserError(f"{file}: holds no constant")
    for name in names:
        if name not in CONSTANTS:
            raise UserError(f"{file}: column {name!r} is not a behavioural constant")
    try:
        values = frame[names].to_numpy(dtype=float)
        weights = frame["weight"].to_numpy(dtype=float)
    except ValueError:
        raise UserError(f"{file}: values that are not numbers") from None
    if not np.isfinite(values).all() or not np.isfinite(weights).all() or (weights < 0).any():
        raise UserError(f"{file}: values or weights that are not finite, or negative weights")
    total = weights.sum()
    if not total > 0 or not math.isfinite(total):
        raise UserError(f"{file}: the weights sum to {total}")
    for i, name in enumerate(names):
        c = CONSTANTS[name]
        if values[:, i].min() < c.low or values[:, i].max() > c.high:
            raise UserError(f"{file}: {name} leaves its plausible range {c.low:g}-{c.high:g}")
    return Posterior(
        str(path), tuple(names), values, weights / total, hashlib.sha256(data).hexdigest()
    )


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
    from cxo_sim.analysis.effects import findings
    from cxo_sim.analysis.results import open_results

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
    from cxo_sim.analysis.numbers import fmt

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
