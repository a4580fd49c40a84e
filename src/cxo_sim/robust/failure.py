"""When a leading design fails: scenario discovery (PRIM) on the worlds where it does badly.

A design's bad worlds are those where it misses a threshold (when the spec sets any), or else
its worst quarter of worlds by regret on the headline objective. PRIM
(:mod:`cxo_sim.analysis.discovery`) peels the worlds into ever smaller boxes over the
uncertainties; each box on the way has a coverage (share of the bad worlds it holds) and a
density (share of its worlds that are bad): the tradeoff curve. The box discovery picks (dense,
still covering most bad worlds, pruned of conditions that add nothing) is said in words.
Covered by ``tests/robust/test_failure.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxo_sim.analysis.discovery import Rule, find_box, merge_sides, peeling_trajectory
from cxo_sim.analysis.numbers import fmt
from cxo_sim.robust.spec import Objective

WORST_SHARE = 0.25
LEADING = 3


@dataclass
class Failure:
    """Where one design does badly.

    Attributes:
        design: the design's label.
        bad: which worlds are bad for it.
        meaning: what "bad" means, in words.
        rule: the box PRIM picked, or None (no bad world, every world bad, or no box denser
            than the base rate).
        coverage: coverage of each box on the peeling trajectory, largest box first.
        density: density of each box on the trajectory.
    """

    design: str
    bad: np.ndarray
    meaning: str
    rule: Rule | None
    coverage: np.ndarray
    density: np.ndarray

    def sentence(self) -> str:
        """The failure in words: where it happens, how sure the box is."""
        count, total = int(self.bad.sum()), len(self.bad)
        head = f"'{self.design}' {self.meaning} in {count} of {total} worlds"
        if count == 0:
            return f"'{self.design}' {self.meaning} in none of the {total} worlds."
        if self.rule is None:
            return f"{head}, spread over the worlds with no region clearly denser than the rest."
        conditions = " and ".join(r.text() for r in merge_sides(self.rule.restrictions))
        return (
            f"{head}, mostly when {conditions}: that region holds {self.rule.coverage:.0%} of "
            f"its bad worlds (coverage), and {self.rule.density:.0%} of the worlds in it are "
            f"bad (density, against {self.bad.mean():.0%} overall)."
        )


def bad_worlds(
    index: int,
    regret: dict[str, np.ndarray],
    acceptable: np.ndarray | None,
    objectives: list[Objective],
) -> tuple[np.ndarray, str]:
    """Design ``index``'s bad worlds and what "bad" means, in words."""
    if acceptable is not None:
        wanted = " and ".join(
            f"{o.outcome} {'at least' if o.direction == 'up' else 'at most'} {fmt(o.threshold)}"
            for o in objectives
            if o.threshold is not None
        )
        return ~acceptable[index], f"misses its thresholds ({wanted})"
    headline = objectives[0]
    mine = regret[headline.outcome][index]
    cut = float(np.quantile(mine, 1 - WORST_SHARE))
    return (mine >= cut) & (mine > 0), (
        f"has its worst regret on {headline.outcome} (at least {fmt(cut)})"
    )


def explain_failure(design: str, worlds: pd.DataFrame, bad: np.ndarray, meaning: str) -> Failure:
    """PRIM over the uncertainties of ``worlds`` for the worlds marked ``bad``."""
    bad = np.asarray(bad, dtype=bool)
    varied = worlds.loc[:, worlds.nunique() > 1].reset_index(drop=True)
    if not bad.any() or bad.all() or varied.empty:
        return Failure(design, bad, meaning, None, np.array([]), np.array([]))
    trajectory = peeling_trajectory(varied, bad)
    coverage = np.array([bad[box].sum() / bad.sum() for box in trajectory])
    density = np.array([bad[box].mean() for box in trajectory])
    rule = find_box(varied, bad)
    if not rule.restrictions or rule.density <= bad.mean():
        rule = None
    return Failure(design, bad, meaning, rule, coverage, density)


def leading_failures(
    ranked: list[str],
    designs: list[str],
    worlds: pd.DataFrame,
    regret: dict[str, np.ndarray],
    acceptable: np.ndarray | None,
    objectives: list[Objective],
    leading: int = LEADING,
) -> list[Failure]:
    """The failures of the ``leading`` best-ranked designs."""
    failures = []
    for design in ranked[:leading]:
        bad, meaning = bad_worlds(designs.index(design), regret, acceptable, objectives)
        failures.append(explain_failure(design, worlds, bad, meaning))
    return failures
