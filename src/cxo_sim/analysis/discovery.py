"""Scenario discovery: which parameter regions make an outcome cross a threshold.

PRIM (Friedman and Fisher 1999, the patient rule induction method, as used in robust decision
making): starting from the whole sampled space, repeatedly peel off the small slice of runs
(a tail of one numeric parameter, or one level of a categorical one) whose removal raises the
share of runs of interest most; pick the box on that peeling trajectory with the highest density
that still keeps enough coverage; drop the restrictions that add (almost) nothing, so the rule
stays short; then look for a further box among the runs not yet covered.

Coverage is the share of all runs of interest that a rule catches; density the share of the runs
a rule picks that are of interest; ``n`` the number of runs it picks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.analysis.effects import is_nominal, level_text
from cxo_sim.analysis.numbers import fmt

PEEL_ALPHA = 0.05
MIN_MASS = 0.05
MIN_COVERAGE = 0.5
PRUNE_TOLERANCE = 0.02
DENSITY_SLACK = 0.05
MAX_BOXES = 3
DISCRETE_LEVELS = 10


@dataclass(frozen=True)
class Restriction:
    """One condition of a rule.

    Attributes:
        column: parameter name.
        levels: allowed levels of a categorical parameter (empty for numeric ones).
        low: lower threshold of a numeric parameter, or None.
        high: upper threshold of a numeric parameter, or None.
        strict: whether thresholds exclude the threshold value (midpoints between sampled values
            of a continuous parameter) or include it (levels of a discrete one).
    """

    column: str
    levels: tuple = ()
    low: float | None = None
    high: float | None = None
    strict: bool = False

    def mask(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows satisfy this condition."""
        values = x[self.column]
        if self.levels:
            return values.isin(list(self.levels)).to_numpy()
        keep = np.ones(len(x), dtype=bool)
        numbers = values.to_numpy(float)
        if self.low is not None:
            keep &= numbers > self.low if self.strict else numbers >= self.low
        if self.high is not None:
            keep &= numbers < self.high if self.strict else numbers <= self.high
        return keep

    def text(self) -> str:
        """The condition as people write it."""
        if self.levels:
            if len(self.levels) == 1:
                return level_text(self.column, self.levels[0])
            shown = ", ".join(level_text("x", v).removeprefix("x = ") for v in self.levels)
            return f"{self.column} in {{{shown}}}"
        if self.low is not None and self.high is not None:
            if self.low == self.high and not self.strict:
                return f"{self.column} = {fmt(self.low)}"
            word = "<" if self.strict else "<="
            return f"{fmt(self.low)} {word} {self.column} {word} {fmt(self.high)}"
        if self.low is not None:
            return f"{self.column} {'>' if self.strict else '>='} {fmt(self.low)}"
        return f"{self.column} {'<' if self.strict else '<='} {fmt(self.high)}"


def merge_sides(restrictions: tuple[Restriction, ...]) -> tuple[Restriction, ...]:
    """Join a column's lower and upper threshold into one two-sided condition."""
    merged: dict[str, Restriction] = {}
    for r in restrictions:
        before = merged.get(r.column)
        if before is None or r.levels:
            merged[r.column] = r
            continue
        merged[r.column] = Restriction(
            r.column,
            low=r.low if r.low is not None else before.low,
            high=r.high if r.high is not None else before.high,
            strict=r.strict,
        )
    return tuple(merged.values())


@dataclass(frozen=True)
class Rule:
    """A box found by PRIM and how well it describes the runs of interest.

    Attributes:
        restrictions: the conditions, all of which must hold.
        coverage: share of all runs of interest inside the box.
        density: share of the box's runs that are of interest.
        n: runs inside the box.
    """

    restrictions: tuple[Restriction, ...]
    coverage: float
    density: float
    n: int

    def text(self) -> str:
        """``a = x AND b > y: coverage 0.81, density 0.92 (n=120)``."""
        conditions = " AND ".join(r.text() for r in merge_sides(self.restrictions))
        return (
            f"{conditions}: coverage {self.coverage:.2f}, density {self.density:.2f} (n={self.n})"
        )


def _peels(x: pd.DataFrame, inside: np.ndarray, column: str, categorical: bool):
    """Candidate slices to remove from the box along one column, as boolean masks."""
    values = x[column][inside]
    if categorical:
        for level in pd.unique(values):
            yield (x[column] == level).to_numpy() & inside
        return
    numbers = values.to_numpy(float)
    unique = np.unique(numbers)
    if unique.size < 2:
        return
    quota = max(1, int(np.ceil(PEEL_ALPHA * numbers.size)))
    counts = np.array([np.sum(numbers == u) for u in unique])
    low_cut = unique[min(np.searchsorted(np.cumsum(counts), quota), unique.size - 2)]
    high_cut = unique[max(unique.size - 1 - np.searchsorted(np.cumsum(counts[::-1]), quota), 1)]
    column_values = x[column].to_numpy(float)
    yield inside & (column_values <= low_cut)
    yield inside & (column_values >= high_cut)


def peeling_trajectory(x: pd.DataFrame, hit: np.ndarray) -> list[np.ndarray]:
    """PRIM's peeling: the sequence of ever smaller boxes (as row masks), largest first."""
    categorical = {c: is_nominal(c, x[c]) for c in x.columns}
    inside = np.ones(len(x), dtype=bool)
    trajectory = [inside]
    min_rows = max(2, int(MIN_MASS * len(x)))
    while True:
        best, best_density = None, -1.0
        for column in x.columns:
            for removed in _peels(x, inside, column, categorical[column]):
                remaining = inside & ~removed
                count = remaining.sum()
                if count < min_rows or count == inside.sum():
                    continue
                density = hit[remaining].mean()
                if density > best_density or (
                    density == best_density and count > best.sum()  # type: ignore[union-attr]
                ):
                    best, best_density = remaining, density
        if best is None:
            return trajectory
        inside = best
        trajectory.append(inside)


def describe_box(x: pd.DataFrame, inside: np.ndarray) -> tuple[Restriction, ...]:
    """The restrictions that select exactly the box's runs, one side of a range at a time.

    Keeping the two sides of a numeric range apart lets :func:`prune` drop a side that adds
    nothing (for example an upper bound that only excludes a few runs).
    """
    restrictions = []
    for column in x.columns:
        values = x[column]
        kept, all_values = values[inside], values
        if is_nominal(column, values):
            levels = [v for v in pd.unique(all_values) if v in set(kept)]
            if len(levels) < all_values.nunique():
                restrictions.append(Restriction(column, levels=tuple(_sorted_levels(levels))))
            continue
        numbers = all_values.to_numpy(float)
        lo, hi = float(kept.min()), float(kept.max())
        below, above = numbers[numbers < lo], numbers[numbers > hi]
        if below.size == 0 and above.size == 0:
            continue
        discrete = np.unique(numbers).size <= DISCRETE_LEVELS
        if discrete:
            low = lo if below.size else None
            high = hi if above.size else None
        else:
            low = _midpoint(below.max(), lo) if below.size else None
            high = _midpoint(hi, above.min()) if above.size else None
        if low is not None:
            restrictions.append(Restriction(column, low=low, strict=not discrete))
        if high is not None:
            restrictions.append(Restriction(column, high=high, strict=not discrete))
    return tuple(restrictions)


def _midpoint(a: float, b: float) -> float:
    """A round number between two sampled values (three significant digits when that fits)."""
    middle = (a + b) / 2.0
    for digits in range(2, 8):
        rounded = float(f"{middle:.{digits}g}")
        if a < rounded < b:
            return rounded
    return middle


def _sorted_levels(levels: list[Any]) -> list[Any]:
    return sorted(levels, key=lambda v: (str(type(v)), str(v)))


def rule_for(x: pd.DataFrame, hit: np.ndarray, restrictions: tuple[Restriction, ...]) -> Rule:
    """Coverage, density and size of the box a set of restrictions selects."""
    inside = np.ones(len(x), dtype=bool)
    for restriction in restrictions:
        inside &= restriction.mask(x)
    n = int(inside.sum())
    total = int(hit.sum())
    caught = int(hit[inside].sum())
    return Rule(
        restrictions,
        coverage=caught / total if total else 0.0,
        density=caught / n if n else 0.0,
        n=n,
    )


def prune(x: pd.DataFrame, hit: np.ndarray, rule: Rule) -> Rule:
    """Drop restrictions whose removal lowers density by less than the tolerance."""
    while len(rule.restrictions) > 1:
        options = [
            rule_for(x, hit, tuple(r for r in rule.restrictions if r is not dropped))
            for dropped in rule.restrictions
        ]
        best = max(options, key=lambda r: (r.density, r.coverage))
        if best.density < rule.density - PRUNE_TOLERANCE:
            return rule
        rule = best
    return rule


def restriction_p_value(
    x: pd.DataFrame, hit: np.ndarray, restrictions: tuple[Restriction, ...], which: Restriction
) -> float:
    """How likely a cut as dense as ``which`` would be by chance (a quasi-p-value).

    The box without ``which`` holds ``N`` runs, ``K`` of interest; ``which`` keeps ``n`` of
    them, ``k`` of interest. The value is the hypergeometric chance that ``n`` runs drawn at
    random from those ``N`` hold at least ``k`` of interest: small when the condition really
    concentrates the runs of interest, near 1/N when it only drops one run that is not.
    """
    from scipy.stats import hypergeom

    without = np.ones(len(x), dtype=bool)
    for restriction in restrictions:
        if restriction is not which:
            without &= restriction.mask(x)
    inside = without & which.mask(x)
    k, n = int(hit[inside].sum()), int(inside.sum())
    return float(hypergeom.sf(k - 1, int(without.sum()), int(hit[without].sum()), n))


def prune_by_chance(x: pd.DataFrame, hit: np.ndarray, rule: Rule, alpha: float = 0.05) -> Rule:
    """Drop, one at a time, the restriction most likely to be chance, while one is above ``alpha``.

    :func:`prune` keeps a condition that raises density by more than a fixed tolerance, which
    on a few dozen runs any cut that drops one run not of interest does (one run of 17 is 6
    points of density): PRIM peeling many dimensions of a small sample finds such cuts by luck.
    Here a condition stays only if its :func:`restriction_p_value` is at most ``alpha``; the
    box left may have no condition at all.
    """
    restrictions = rule.restrictions
    while restrictions:
        values = [restriction_p_value(x, hit, restrictions, r) for r in restrictions]
        worst = int(np.argmax(values))
        if values[worst] <= alpha:
            break
        restrictions = restrictions[:worst] + restrictions[worst + 1 :]
    return rule_for(x, hit, restrictions)


def find_box(x: pd.DataFrame, hit: np.ndarray) -> Rule:
    """The largest box on the peeling trajectory that is nearly as dense as the densest, pruned.

    Among boxes keeping at least ``MIN_COVERAGE`` (or all, if none does), the densest sets the
    bar; the first (largest) box within ``DENSITY_SLACK`` of it wins, so a rule is not narrowed
    to a tiny pure corner for a few points of density.
    """
    total = hit.sum()
    trajectory = peeling_trajectory(x, hit)
    coverage = np.array([hit[inside].sum() / total for inside in trajectory])
    density = np.array([hit[inside].mean() for inside in trajectory])
    eligible = coverage >= MIN_COVERAGE if np.any(coverage >= MIN_COVERAGE) else coverage >= 0
    bar = density[eligible].max() - DENSITY_SLACK
    chosen = next(i for i in range(len(trajectory)) if eligible[i] and density[i] >= bar)
    return prune(x, hit, rule_for(x, hit, describe_box(x, trajectory[chosen])))


def discover(x: pd.DataFrame, hit: np.ndarray, max_boxes: int = MAX_BOXES) -> list[Rule]:
    """PRIM with covering: up to ``max_boxes`` rules, each found among the runs not yet covered.

    Args:
        x: one row per run, one column per varied parameter.
        hit: True for runs of interest (the outcome crosses the threshold).
        max_boxes: most rules to return.

    Returns:
        Rules in the order found; coverage is relative to all runs of interest and density to
        the runs the rule picks among those not covered by earlier rules.
    """
    hit = np.asarray(hit, dtype=bool)
    total = hit.sum()
    base_rate = hit.mean()
    rules: list[Rule] = []
    remaining = np.ones(len(x), dtype=bool)
    while len(rules) < max_boxes and hit[remaining].sum() > 0.1 * total:
        sub_x = x[remaining].reset_index(drop=True)
        sub_hit = hit[remaining]
        found = find_box(sub_x, sub_hit)
        if not found.restrictions or found.density <= base_rate:
            break
        caught = found.coverage * sub_hit.sum()
        rules.append(Rule(found.restrictions, caught / total, found.density, found.n))
        inside = np.ones(len(x), dtype=bool)
        for restriction in found.restrictions:
            inside &= restriction.mask(x)
        remaining &= ~inside
    return rules
