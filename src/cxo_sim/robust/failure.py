"""When a leading design fails: scenario discovery (PRIM) on the worlds where it does badly.

A design's bad worlds are those where it misses a threshold (when the spec sets any), or else
its worst quarter of worlds by regret on the headline objective. PRIM
(:mod:`cxo_sim.analysis.discovery`) peels the worlds into ever smaller boxes over the
uncertainties; each box on the way has a coverage (share of the bad worlds it holds) and a
density (share of its worlds that are bad): the tradeoff curve. The box discovery picks (dense,
still covering most bad worlds) keeps only the conditions that chance would rarely give
(:func:`~cxo_sim.analysis.discovery.prune_by_chance`): on a few dozen worlds over a dozen
uncertainties PRIM otherwise keeps cuts that only drop one good world by luck. The box is said
in words, and ``--recheck`` tries it on fresh worlds, saying whether it holds up there.
Covered by ``tests/robust/test_failure.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxo_sim.analysis.discovery import (
    Rule,
    find_box,
    merge_sides,
    peeling_trajectory,
    prune_by_chance,
)
from cxo_sim.analysis.numbers import fmt
from cxo_sim.robust.spec import Objective, RobustSpec

WORST_SHARE = 0.25
LEADING = 3
# A box's condition stays only if a cut as dense would arise by chance at most this often (over
# the number of uncertainties it could have cut); a re-checked box holds up if its fresh worlds
# inside are worse than outside at this level.
CHANCE = 0.05


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
        cut: the regret from which a world is bad (None: bad means missing a threshold).
        method: what found the rule: "box" (PRIM) or "tree" (CART's largest failure region).
    """

    design: str
    bad: np.ndarray
    meaning: str
    rule: Rule | None
    coverage: np.ndarray
    density: np.ndarray
    cut: float | None = None
    method: str = "box"

    def sentence(self) -> str:
        """The failure in words: where it happens, how sure the box is."""
        count, total = int(self.bad.sum()), len(self.bad)
        head = f"'{self.design}' {self.meaning} in {count} of {total} worlds"
        if count == 0:
            return f"'{self.design}' {self.meaning} in none of the {total} worlds."
        if self.rule is None:
            return (
                f"{head}, with no region these worlds show to be clearly denser than the rest "
                "(more worlds may find one)."
            )
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
    cut: float | None = None,
) -> tuple[np.ndarray, str, float | None]:
    """Design ``index``'s bad worlds, what "bad" means in words, and the regret cut used.

    Without thresholds, the cut is the design's own 75th-percentile regret unless ``cut`` is
    given (the re-check applies the cut found on the spec's worlds to fresh ones).
    """
    if acceptable is not None:
        wanted = " and ".join(
            f"{o.outcome} {'at least' if o.direction == 'up' else 'at most'} {fmt(o.threshold)}"
            for o in objectives
            if o.threshold is not None
        )
        return ~acceptable[index], f"misses its thresholds ({wanted})", None
    headline = objectives[0]
    mine = regret[headline.outcome][index]
    if cut is None:
        cut = float(np.quantile(mine, 1 - WORST_SHARE))
    meaning = f"has its worst regret on {headline.outcome} (at least {fmt(cut)})"
    return (mine >= cut) & (mine > 0), meaning, cut


def chance_per_condition(uncertainties: pd.DataFrame) -> float:
    """The chance level a box's condition must pass: :data:`CHANCE` over the uncertainties.

    A condition was picked among cuts of every uncertainty, so the bar is divided by their
    number (Bonferroni): on 32 worlds of 10 pure-noise uncertainties, single cuts as dense as
    p = 0.01 turn up by luck.
    """
    return CHANCE / max(1, uncertainties.shape[1])


def explain_failure(
    design: str, worlds: pd.DataFrame, bad: np.ndarray, meaning: str, cut: float | None = None
) -> Failure:
    """PRIM over the uncertainties of ``worlds`` for the worlds marked ``bad``."""
    bad = np.asarray(bad, dtype=bool)
    varied = worlds.loc[:, worlds.nunique() > 1].reset_index(drop=True)
    if not bad.any() or bad.all() or varied.empty:
        return Failure(design, bad, meaning, None, np.array([]), np.array([]), cut)
    trajectory = peeling_trajectory(varied, bad)
    coverage = np.array([bad[box].sum() / bad.sum() for box in trajectory])
    density = np.array([bad[box].mean() for box in trajectory])
    rule = prune_by_chance(varied, bad, find_box(varied, bad), chance_per_condition(varied))
    if not rule.restrictions or rule.density <= bad.mean():
        rule = None
    return Failure(design, bad, meaning, rule, coverage, density, cut)


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
        bad, meaning, cut = bad_worlds(designs.index(design), regret, acceptable, objectives)
        failures.append(explain_failure(design, worlds, bad, meaning, cut))
    return failures


@dataclass(frozen=True)
class Recheck:
    """A failure box tried on fresh worlds: is the design still worse inside than outside?

    Attributes:
        design: the design's label.
        inside: fresh worlds inside the box.
        bad_inside: of those, the bad ones.
        outside: fresh worlds outside the box.
        bad_outside: of those, the bad ones.
        density: the box's density on the spec's worlds, for comparison.
        method: "box" (PRIM's) or "tree" (CART's region).
    """

    design: str
    inside: int
    bad_inside: int
    outside: int
    bad_outside: int
    density: float | None = None
    method: str = "box"

    @property
    def p_value(self) -> float | None:
        """One-sided Fisher test that fresh worlds inside are bad more often than outside.

        None when no fresh world fell inside the box or none outside it.
        """
        if not self.inside or not self.outside:
            return None
        from scipy.stats import fisher_exact

        table = [
            [self.bad_inside, self.inside - self.bad_inside],
            [self.bad_outside, self.outside - self.bad_outside],
        ]
        return float(fisher_exact(table, alternative="greater").pvalue)

    @property
    def holds(self) -> bool | None:
        """Whether the box holds up on the fresh worlds (None: cannot tell)."""
        p = self.p_value
        return None if p is None else p <= CHANCE

    def sentence(self) -> str:
        """The re-check in words."""

        def share(bad: int, count: int) -> str:
            return f"{bad} of {count} ({bad / count:.0%})" if count else "none (no world there)"

        found = "" if self.density is None else f" (found: {self.density:.0%})"
        box = "the box" if self.method == "box" else "the tree's region"
        counts = (
            f"On {self.inside + self.outside} fresh worlds, '{self.design}' was bad in "
            f"{share(self.bad_inside, self.inside)} inside {box}{found} and "
            f"{share(self.bad_outside, self.outside)} outside it"
        )
        if self.holds is None:
            return f"{counts}: too few fresh worlds on one side to tell whether {box} holds up."
        if self.holds:
            return f"{counts}: {box} holds up (one-sided Fisher p = {self.p_value:.2g})."
        return (
            f"{counts}: {box} does NOT hold up; fresh worlds inside it are not clearly worse "
            f"than outside (one-sided Fisher p = {self.p_value:.2g}), so it may be chance."
        )


def recheck_failures(
    failures: list[Failure],
    designs: list[str],
    worlds: pd.DataFrame,
    values: dict[str, np.ndarray],
    objectives: list[Objective],
) -> list[Recheck]:
    """Each failure box tried on fresh ``worlds``, where ``designs`` were run (``values``).

    Bad means what it meant on the spec's worlds: missing a threshold, or a regret (against the
    ``designs`` run) at least the cut found there.
    """
    from cxo_sim.robust.measures import regret_of

    means = {o.outcome: values[o.outcome].mean(axis=-1) for o in objectives}
    regret = {o.outcome: regret_of(means[o.outcome], o) for o in objectives}
    acceptable = None
    if any(o.threshold is not None for o in objectives):
        acceptable = np.logical_and.reduce(
            [o.meets(means[o.outcome]) for o in objectives if o.threshold is not None]
        )
    table = worlds.reset_index(drop=True)
    checks = []
    for failure in failures:
        if failure.rule is None or failure.design not in designs:
            continue
        index = designs.index(failure.design)
        bad, _, _ = bad_worlds(index, regret, acceptable, objectives, failure.cut)
        inside = np.ones(len(table), dtype=bool)
        for restriction in failure.rule.restrictions:
            inside &= restriction.mask(table)
        checks.append(
            Recheck(
                failure.design,
                int(inside.sum()),
                int(bad[inside].sum()),
                int((~inside).sum()),
                int(bad[~inside].sum()),
                failure.rule.density,
                failure.method,
            )
        )
    return checks


def recheck_on_fresh_worlds(
    spec: RobustSpec,
    failures: list[Failure],
    count: int,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[Recheck]:
    """Run the designs on ``count`` fresh worlds (and fresh seeds) and re-check each box.

    With thresholds only the failing designs are run (a threshold needs no other design);
    without, every design is (regret does).
    """
    from cxo_sim.robust.evaluation import evaluate_in_memory
    from cxo_sim.robust.worlds import RECHECK_STREAM, sample_worlds, world_table

    fresh = [
        dataclasses.replace(world, index=spec.worlds + world.index)
        for world in sample_worlds(spec, count, stream=RECHECK_STREAM)
    ]
    failing = {f.design for f in failures if f.rule is not None}
    if not failing:
        return []
    thresholds = any(o.threshold is not None for o in spec.objectives)
    chosen = [d for d in spec.designs if d[0] in failing] if thresholds else spec.designs
    outcomes = [o.outcome for o in spec.objectives]
    values = evaluate_in_memory(spec, chosen, fresh, outcomes, workers=workers, scheduler=scheduler)
    labels = [label for label, _ in chosen]
    return recheck_failures(failures, labels, world_table(fresh), values, spec.objectives)
