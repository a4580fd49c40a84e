"""Which factor matters most: a first-order importance score over configurations.

For every outcome, each configuration's mean over its replications is explained by one factor
at a time: grouped by the factor's levels (a nominal factor's names, or a numeric factor's
levels when there are few), or by quantile bins of a numeric factor sampled over a range. The
score is the adjusted share of the variance between configurations that the grouping explains
(adjusted eta squared, the first-order index of a variance-based sensitivity analysis estimated
from the design at hand), so it needs no extra runs and works for factorial and Latin-hypercube
designs alike. Configurations, not runs, are the units: replications repeat a configuration.

A permutation of the outcome over configurations (a fixed seed, so the report is reproducible)
gives each score a noise level: the 95th percentile of the scores that shuffled outcomes reach.
A factor whose score is below it cannot be told from no effect with this many configurations.

Covered by ``tests/analysis/test_plots_report.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxo_sim.analysis.effects import configuration_means, is_nominal
from cxo_sim.analysis.results import ResultSet

# A numeric factor with more distinct levels than this is grouped into this many quantile bins.
BINS = 5
PERMUTATIONS = 199
PERMUTATION_SEED = 0
IMPORTANCE_COLUMNS = ["outcome", "factor", "score", "noise", "clear", "groups", "configurations"]


def factor_groups(factor: str, values: pd.Series) -> np.ndarray:
    """Group codes of each configuration for ``factor``: its levels, or quantile bins."""
    if is_nominal(factor, values) or values.nunique() <= BINS:
        return pd.factorize(values, sort=True)[0]
    ranks = values.rank(method="first")
    return pd.qcut(ranks, BINS, labels=False).to_numpy()


def adjusted_eta_squared(groups: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Adjusted share of the variance of each column of ``y`` explained by ``groups``.

    Args:
        groups: group code of each row (0 to k - 1).
        y: one column per outcome vector (rows = configurations).

    Returns:
        One score per column: ``1 - (1 - eta^2) (n - 1) / (n - k)``, at least 0; 0 for a
        constant column.
    """
    n, k = len(groups), int(groups.max()) + 1
    if k < 2 or n <= k:
        return np.zeros(y.shape[1])
    counts = np.bincount(groups, minlength=k).astype(float)
    sums = np.zeros((k, y.shape[1]))
    np.add.at(sums, groups, y)
    centred = y - y.mean(axis=0)
    total = (centred**2).sum(axis=0)
    between = (sums**2 / counts[:, None]).sum(axis=0) - y.sum(axis=0) ** 2 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = np.where(total > 0, between / total, 0.0)
    return np.clip(1.0 - (1.0 - eta) * (n - 1) / (n - k), 0.0, 1.0)


def importance(rs: ResultSet, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Every factor's score for every outcome, with its permutation noise level.

    Returns:
        One row per (outcome, factor): ``score`` (0 to 1), ``noise`` (the score shuffled
        outcomes reach 5% of the time), ``clear`` (score above noise), ``groups`` and
        ``configurations``; within an outcome, highest score first.
    """
    outcomes = outcomes or rs.outcomes
    configs = configuration_means(rs, outcomes)
    keep = [o for o in outcomes if configs[o].notna().all() and configs[o].nunique() > 1]
    y = configs[keep].to_numpy(float)
    rng = np.random.default_rng(PERMUTATION_SEED)
    shuffles = [rng.permutation(len(configs)) for _ in range(PERMUTATIONS)]
    rows = []
    for factor in rs.factors:
        groups = factor_groups(factor, configs[factor])
        scores = adjusted_eta_squared(groups, y)
        null = np.array([adjusted_eta_squared(groups[order], y) for order in shuffles])
        noise = np.quantile(null, 0.95, axis=0) if len(keep) else np.zeros(0)
        for j, outcome in enumerate(keep):
            rows.append(
                {
                    "outcome": outcome,
                    "factor": factor,
                    "score": float(scores[j]),
                    "noise": float(noise[j]),
                    "clear": bool(scores[j] > noise[j]),
                    "groups": int(groups.max()) + 1,
                    "configurations": len(configs),
                }
            )
    table = pd.DataFrame(rows, columns=IMPORTANCE_COLUMNS)
    order = {o: i for i, o in enumerate(keep)}
    return table.sort_values(
        ["outcome", "score"], key=lambda c: c.map(order) if c.name == "outcome" else -c
    ).reset_index(drop=True)


def most_important(table: pd.DataFrame) -> pd.DataFrame:
    """The top factor of each outcome where it is above its noise level."""
    clear = table[table["clear"]]
    return clear.groupby("outcome", sort=False).head(1).reset_index(drop=True)
