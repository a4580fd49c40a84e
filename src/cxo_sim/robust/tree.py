"""When a leading design fails, CART's view: a shallow classification tree over the worlds.

The alternative to PRIM (:mod:`cxo_sim.robust.failure`) for scenario discovery: scikit-learn's
``DecisionTreeClassifier`` splits the worlds, on the numeric uncertainties, into leaves that
are mostly bad or mostly fine for the design. The tree is kept shallow (depth
:data:`MAX_DEPTH`, leaves of at least :data:`MIN_LEAF` of the worlds and never fewer than three)
so each leaf's rule reads as a sentence. A leaf's path is pruned as PRIM's box is, keeping only the
conditions chance would rarely give (:func:`~cxo_sim.analysis.discovery.prune_by_chance`: a
tree, too, picks among many cuts of a few dozen worlds); what is left counts as a failure region
when most of its worlds are bad and a region as dense would arise by chance at most
:func:`~cxo_sim.robust.failure.chance_per_condition` of the time (hypergeometric, against all
the worlds).
Where PRIM finds one box, the tree may find several regions, and the two methods agreeing is
itself evidence. Covered by ``tests/robust/test_tree.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxo_sim.analysis.discovery import (
    Restriction,
    Rule,
    _midpoint,
    merge_sides,
    prune_by_chance,
    rule_for,
)
from cxo_sim.analysis.effects import is_nominal

MAX_DEPTH = 3
MIN_LEAF = 0.1


@dataclass
class TreeFailure:
    """Where one design does badly, as a classification tree sees it.

    Attributes:
        design: the design's label.
        bad: which worlds are bad for it.
        meaning: what "bad" means, in words.
        regions: the tree's failure leaves as rules, most bad worlds first.
        columns: the uncertainties the tree could split on.
        tree: the fitted tree (None: no bad world, every world bad, or nothing to split on).
        p_values: each region's chance of being as dense by luck, in the order of ``regions``.
    """

    design: str
    bad: np.ndarray
    meaning: str
    regions: list[Rule]
    columns: list[str]
    tree: object | None = None
    p_values: list[float] = field(default_factory=list)

    def sentence(self) -> str:
        """The tree's failure regions in words."""
        count, total = int(self.bad.sum()), len(self.bad)
        head = f"A classification tree (CART) finds '{self.design}' {self.meaning}"
        if count == 0:
            return f"{head} in none of the {total} worlds."
        if not self.regions:
            return f"{head} in {count} of {total} worlds, with no leaf clearly worse than the rest."
        parts = [
            f"when {_conditions(rule)} ({int(round(rule.density * rule.n))} of {rule.n} worlds "
            f"bad, {rule.coverage:.0%} of its bad worlds)"
            for rule in self.regions
        ]
        return f"{head} in {count} of {total} worlds, mostly " + "; or ".join(parts) + "."


def _conditions(rule: Rule) -> str:
    return " and ".join(r.text() for r in merge_sides(rule.restrictions))


def tree_failure(
    design: str, worlds: pd.DataFrame, bad: np.ndarray, meaning: str, chance: float | None = None
) -> TreeFailure:
    """Fit a shallow tree to ``bad`` over the numeric uncertainties of ``worlds``.

    ``chance``: the level conditions and regions must pass (default: as PRIM's boxes).
    """
    from scipy.stats import hypergeom
    from sklearn.tree import DecisionTreeClassifier

    from cxo_sim.robust.failure import chance_per_condition

    bad = np.asarray(bad, dtype=bool)
    table = worlds.reset_index(drop=True)
    columns = [c for c in table.columns if table[c].nunique() > 1 and not is_nominal(c, table[c])]
    chance = chance_per_condition(table[columns]) if chance is None else chance
    if not bad.any() or bad.all() or not columns:
        return TreeFailure(design, bad, meaning, [], columns)
    x = table[columns].to_numpy(float)
    tree = DecisionTreeClassifier(
        max_depth=MAX_DEPTH,
        min_samples_leaf=max(3, int(np.ceil(MIN_LEAF * len(x)))),
        random_state=0,
    ).fit(x, bad)
    found: list[tuple[Rule, float]] = []
    for path in _leaf_paths(tree.tree_, columns, table):
        rule = prune_by_chance(table, bad, rule_for(table, bad, tuple(path)), chance)
        if not rule.restrictions or any(rule == seen for seen, _ in found):
            continue
        caught = int(round(rule.density * rule.n))
        if rule.n == 0 or rule.density <= 0.5 or rule.density <= bad.mean():
            continue
        p = float(hypergeom.sf(caught - 1, len(bad), int(bad.sum()), rule.n))
        if p <= chance:
            found.append((rule, p))
    found.sort(key=lambda item: (-item[0].coverage, item[1]))
    # Pruned paths may overlap: a region whose worlds all lie in a larger one already said
    # adds nothing to the sentence.
    kept: list[tuple[Rule, float]] = []
    inside_kept: list[np.ndarray] = []
    for rule, p in found:
        inside = _inside(table, rule)
        if any(not (inside & ~other).any() for other in inside_kept):
            continue
        kept.append((rule, p))
        inside_kept.append(inside)
    found = kept
    return TreeFailure(
        design,
        bad,
        meaning,
        [rule for rule, _ in found],
        columns,
        tree,
        [p for _, p in found],
    )


def _inside(table: pd.DataFrame, rule: Rule) -> np.ndarray:
    inside = np.ones(len(table), dtype=bool)
    for restriction in rule.restrictions:
        inside &= restriction.mask(table)
    return inside


def _leaf_paths(structure, columns: list[str], table: pd.DataFrame) -> list[list[Restriction]]:
    """Every leaf's path from the root as restrictions.

    A split falls between two sampled values; it is said as a round number between them
    (as PRIM's are), so the condition is strict and selects the same worlds.
    """
    paths = []

    def walk(node: int, path: list[Restriction]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            paths.append(path)
            return
        column = columns[structure.feature[node]]
        values = table[column].to_numpy(float)
        cut = float(structure.threshold[node])
        threshold = _midpoint(values[values <= cut].max(), values[values > cut].min())
        walk(left, [*path, Restriction(column, high=threshold, strict=True)])
        walk(right, [*path, Restriction(column, low=threshold, strict=True)])

    walk(0, [])
    return paths
