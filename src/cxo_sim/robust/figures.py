"""The robust report's figures: regret, the robust front, failure boxes and trees, the search.

Each figure's title is the question it answers; the files are byte-stable PNG and SVG
(:mod:`cxo_sim.analysis.figure_style`). Covered by ``tests/robust/test_cli.py`` and
``tests/robust/test_tree.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cxo_sim.analysis.discovery import merge_sides
from cxo_sim.analysis.figure_style import Figure, add_titles, panel_grid, plt, save
from cxo_sim.robust.failure import Failure
from cxo_sim.robust.measures import Robustness
from cxo_sim.robust.spec import Objective
from cxo_sim.robust.tree import TreeFailure

MAX_DESIGNS_SHOWN = 20


def regret_figure(rob: Robustness, objectives: list[Objective], folder: Path) -> Figure:
    """Each design's 90th-percentile regret per objective, with its 95% interval."""
    ranked = list(rob.designs["design"])[:MAX_DESIGNS_SHOWN]
    fig, axes = panel_grid(len(objectives), width=4.2, height=0.32 * len(ranked) + 1.2, columns=2)
    for ax, objective in zip(axes, objectives, strict=True):
        rows = rob.table[
            (rob.table["objective"] == objective.outcome) & (rob.table["statistic"] == "p90_regret")
        ].set_index("design")
        rows = rows.loc[ranked]
        y = np.arange(len(ranked))[::-1]
        ax.barh(y, rows["value"], color="#9fa8da")
        low = (rows["value"] - rows["low"]).clip(lower=0).fillna(0)
        high = (rows["high"] - rows["value"]).clip(lower=0).fillna(0)
        ax.errorbar(rows["value"], y, xerr=[low, high], fmt="none", ecolor="#222", capsize=2)
        ax.set_yticks(y, [_short(d) for d in ranked] if ax is axes[0] else [""] * len(ranked))
        ax.set_xlabel(f"90th-percentile regret on {objective.outcome}")
    add_titles(
        fig,
        "Which design loses least in its bad worlds?",
        "Regret: how far a design falls short of the best design in each world; bars: its "
        "90th percentile over the worlds, whiskers: 95% interval from the replicates.",
    )
    return save(
        fig,
        folder,
        "regret",
        "Which design loses least in its bad worlds?",
        "Designs best first; a shorter bar is a more robust design.",
    )


def front_figure(rob: Robustness, objectives: list[Objective], folder: Path) -> Figure | None:
    """The designs on the first two objectives' 90th-percentile regrets, the front marked."""
    if len(objectives) < 2:
        return None
    a, b = objectives[0].outcome, objectives[1].outcome
    table = rob.table[rob.table["statistic"] == "p90_regret"]
    x = table[table["objective"] == a].set_index("design")
    y = table[table["objective"] == b].set_index("design")
    summary = rob.designs.set_index("design")
    fig, ax = plt.subplots(figsize=(6.5, 5.2))
    for design in summary.index:
        on = summary.loc[design, "front"]
        ax.errorbar(
            x.loc[design, "value"],
            y.loc[design, "value"],
            xerr=_half(x.loc[design]),
            yerr=_half(y.loc[design]),
            fmt="o",
            color="#3949ab" if on else "#aaaaaa",
            ecolor="#cccccc",
            ms=6 if on else 4,
        )
        if on:
            ax.annotate(
                _short(design),
                (x.loc[design, "value"], y.loc[design, "value"]),
                fontsize=7,
                xytext=(4, 4),
                textcoords="offset points",
            )
    ax.set_xlabel(f"90th-percentile regret on {a}")
    ax.set_ylabel(f"90th-percentile regret on {b}")
    title = f"Which designs hold up on both {a} and {b}?"
    add_titles(
        fig,
        title,
        "Blue: the robust Pareto front (no design has less regret on both); "
        "whiskers: 95% intervals. Lower left is better.",
    )
    return save(fig, folder, "front", title, "Blue designs are on the robust front.")


def failure_figure(failure: Failure, worlds: pd.DataFrame, folder: Path, number: int) -> Figure:
    """PRIM's coverage/density tradeoff and the worlds on the box's first two conditions."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    if len(failure.coverage):
        left.plot(failure.coverage, failure.density, "-o", ms=3, color="#3949ab")
        if failure.rule is not None:
            left.plot([failure.rule.coverage], [failure.rule.density], "s", ms=9, color="#c62828")
    left.set_xlabel("coverage (share of its bad worlds in the box)")
    left.set_ylabel("density (share of the box's worlds that are bad)")
    left.set_title("peeling: smaller boxes to the left")
    columns = (
        [] if failure.rule is None else [r.column for r in merge_sides(failure.rule.restrictions)]
    )
    varied = [c for c in worlds.columns if worlds[c].nunique() > 1]
    columns = (columns + [c for c in varied if c not in columns])[:2]
    if len(columns) == 2:
        xs, ys = worlds[columns[0]].to_numpy(), worlds[columns[1]].to_numpy()
        right.scatter(xs[~failure.bad], ys[~failure.bad], s=14, color="#9e9e9e", label="fine")
        right.scatter(xs[failure.bad], ys[failure.bad], s=18, color="#c62828", label="bad")
        right.set_xlabel(columns[0])
        right.set_ylabel(columns[1])
        right.legend(loc="best")
        if failure.rule is not None:
            _draw_box(right, failure, columns, worlds)
    title = f"When does '{_short(failure.design, 50)}' fail?"
    add_titles(fig, title, failure.sentence())
    return save(
        fig,
        folder,
        f"failure-{number}",
        title,
        "Left: each box PRIM peeled, the chosen one red. Right: the worlds, the box dashed.",
    )


def search_figure(history: pd.DataFrame, folder: Path) -> Figure:
    """Hypervolume of the search's non-dominated candidates, generation by generation."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(history["generation"], history["hypervolume"], "-o", color="#3949ab", ms=4)
    ax.set_xlabel("generation")
    ax.set_ylabel("hypervolume (normalised objectives)")
    title = "Has the search converged?"
    add_titles(
        fig,
        title,
        "Hypervolume of the non-dominated candidates so far; a flat line "
        "means later generations found nothing better.",
    )
    return save(fig, folder, "search", title, "Hypervolume per generation.")


def _draw_box(ax, failure: Failure, columns: list[str], worlds: pd.DataFrame) -> None:
    limits = {}
    for r in merge_sides(failure.rule.restrictions):
        if r.column in columns and not r.levels:
            limits[r.column] = (r.low, r.high)
    bounds = []
    for column in columns:
        low, high = limits.get(column, (None, None))
        values = worlds[column].to_numpy(float) if worlds[column].dtype != object else None
        if values is None:
            return
        bounds.append(
            (values.min() if low is None else low, values.max() if high is None else high)
        )
    (x0, x1), (y0, y1) = bounds
    ax.add_patch(
        plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ls="--", lw=1.4, color="#c62828")
    )


def _half(row: pd.Series) -> list[list[float]] | None:
    if not np.isfinite(row["low"]):
        return None
    return [[max(row["value"] - row["low"], 0)], [max(row["high"] - row["value"], 0)]]


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def tree_figure(failure: TreeFailure, folder: Path, number: int) -> Figure | None:
    """CART's tree of a design's bad worlds, its failure leaves named in the subtitle."""
    if failure.tree is None:
        return None
    from sklearn.tree import plot_tree

    depth = failure.tree.get_depth()
    fig, ax = plt.subplots(figsize=(max(7.0, 2.6 * 2**depth / 2), 1.6 + 1.5 * depth))
    plot_tree(
        failure.tree,
        feature_names=failure.columns,
        class_names=["fine", "bad"],
        filled=True,
        impurity=False,
        proportion=False,
        rounded=True,
        fontsize=7,
        ax=ax,
    )
    title = f"Where does '{_short(failure.design, 50)}' fail, by a classification tree?"
    add_titles(fig, title, failure.sentence())
    return save(
        fig,
        folder,
        f"tree-{number}",
        title,
        "CART over the uncertainties: each box is a split or a leaf with its worlds "
        "[fine, bad]; blue leaves are mostly bad, orange mostly fine.",
    )
