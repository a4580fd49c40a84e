"""Robustness measures with confidence intervals from the seeded replicates.

In each world a design's outcome is the mean of its replicates (common seeds across designs);
an outcome undefined in a run (a median lead time with no launch) is left out of the summaries.
From those means, for each design and objective:

- **regret**: how far the design falls short of the best design in that world (in the
  objective's unit, never negative, zero for the world's best design), summarised over the
  worlds by its mean, its 90th percentile and its maximum;
- **satisficing**: the share of worlds in which the design meets every objective's threshold;
- **mean and spread**: the outcome's mean over the worlds and its standard deviation.

Each measure's 95% interval comes from a paired bootstrap over the replicates: within each world
the replicates are resampled with the same draw for every design (so the common-seed pairing
is kept), and every measure is recomputed; the interval narrows as replicates are added, and a
spec with one replicate per world has none, and the maximum regret has none (the maximum of
resampled regrets is biased upwards); the 90th-percentile regret's and the spread's intervals
are moved by the bias the resamples show (``BIASED``). The bootstrap's generator is seeded
from the spec's seed. Where two neighbouring designs in the ranking swap places in more than
5% of the resamples, :func:`rank_swaps` says so. The robust front is
:func:`cxo_sim.analysis.stats`'s Pareto front of the designs over the objectives'
90th-percentile regrets, and its clear front (the designs no other design beats by more than
the intervals). Covered by ``tests/robust/test_measures.py``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxo_sim.analysis.stats import clear_front, pareto_front
from cxo_sim.robust.spec import Objective

BOOTSTRAP_STREAM = (0xB0075,)
RESAMPLES = 400
CHUNK = 50
LEVEL = 0.95
SWAP_SHARE = 0.05
REGRET_STATISTICS = ("mean_regret", "p90_regret", "max_regret")
# Statistics given no interval: the maximum over the worlds of resampled regrets is the largest
# of many noisy values, biased upwards, so its percentile interval can lie wholly above the
# estimate (0.33 with [0.67, 1.0] on the example's breaches).
UNBOOTSTRAPPED = ("max_regret",)
# Statistics whose resampled values are biased upwards by the resampling noise itself (a
# percentile of regrets over the worlds, a spread over the worlds): their interval is the
# bootstrap's, moved so that its median is the estimate (the bias the resamples show is taken
# out); the plain percentile interval could lie wholly above the estimate (the example's 90th-
# percentile regret on shadow share: 0.306 with [0.308, 0.349]).
BIASED = ("p90_regret", "sd")
HEADLINE = "p90_regret"


@dataclass
class Robustness:
    """The measures of every design.

    Attributes:
        table: long form, one row per (design, objective, statistic) with ``value``, ``low``,
            ``high`` (NaN bounds with one replicate per world).
        designs: one row per design: ``satisficing`` with ``satisficing_low/high``, the
            headline (90th-percentile regret on the first objective), ``front`` and
            ``clear_front``; sorted best first.
        regret: objective -> per-world regret of each design, shape (designs, worlds).
        acceptable: per-world acceptability of each design (designs, worlds), or None when
            no objective has a threshold.
        swaps: the rank-swap warnings, as sentences.
        resamples: the bootstrap's per-design headline values, shape (resamples, designs).
    """

    table: pd.DataFrame
    designs: pd.DataFrame
    regret: dict[str, np.ndarray]
    acceptable: np.ndarray | None
    swaps: list[str]
    resamples: np.ndarray | None


def regret_of(
    means: np.ndarray, objective: Objective, best: np.ndarray | None = None
) -> np.ndarray:
    """Regret of each design in each world: the best design's value minus its own (sign-aware).

    ``means`` has designs on its second-last axis and worlds on its last. ``best``, if given,
    names each world's best design (an index per world) instead of taking the best of ``means``:
    the bootstrap measures regret against the design that is best on all the replicates, since
    the best of each resample's noisy means is biased upwards and would put the intervals above
    the estimate.
    """
    signed = objective.sign * means
    if best is not None:
        top = np.take_along_axis(
            signed, np.broadcast_to(best, (*signed.shape[:-2], 1, best.size)), -2
        )
        return top - signed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a world where no design has a value
        return np.nanmax(signed, axis=-2, keepdims=True) - signed


def best_designs(means: np.ndarray, objective: Objective) -> np.ndarray:
    """Each world's best design on ``means`` (designs, worlds), as an index per world."""
    signed = np.where(np.isnan(means), -np.inf, objective.sign * means)
    return signed.argmax(axis=0)


def _statistics(
    means: dict[str, np.ndarray],
    objectives: list[Objective],
    best: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Every measure from per-world means ``(..., designs, worlds)``: name -> ``(..., designs)``.

    ``best`` (outcome -> index per world) fixes each world's best design for the regrets.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an outcome undefined in every world
        return _nan_statistics(means, objectives, best or {})


def _nan_statistics(
    means: dict[str, np.ndarray], objectives: list[Objective], best: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    out = {}
    acceptable = None
    for objective in objectives:
        m = means[objective.outcome]
        regret = regret_of(m, objective, best.get(objective.outcome))
        name = objective.outcome
        out[f"{name}:mean_regret"] = np.nanmean(regret, axis=-1)
        out[f"{name}:p90_regret"] = np.nanquantile(regret, 0.9, axis=-1)
        out[f"{name}:max_regret"] = np.nanmax(regret, axis=-1)
        out[f"{name}:mean"] = np.nanmean(m, axis=-1)
        out[f"{name}:sd"] = np.nanstd(m, axis=-1)
        if objective.threshold is not None:
            meets = objective.meets(m)
            acceptable = meets if acceptable is None else acceptable & meets
    if acceptable is not None:
        out["satisficing"] = acceptable.mean(axis=-1)
    return out


def measure_designs(
    designs: list[str],
    values: dict[str, np.ndarray],
    objectives: list[Objective],
    seed: int,
    resamples: int = RESAMPLES,
) -> Robustness:
    """Every robustness measure of each design, with bootstrap intervals over the replicates.

    Args:
        designs: the design labels.
        values: outcome -> array (designs, worlds, replications) of stored outcomes.
        objectives: the spec's objectives, the first the headline.
        seed: the spec's seed (the bootstrap's generator derives from it).
        resamples: bootstrap resamples.
    """
    means = {o.outcome: values[o.outcome].mean(axis=-1) for o in objectives}
    point = _statistics(means, objectives)
    replications = values[objectives[0].outcome].shape[-1]
    best = {o.outcome: best_designs(means[o.outcome], o) for o in objectives}
    boot = _bootstrap(values, objectives, seed, resamples, best) if replications > 1 else None
    alpha = (1 - LEVEL) / 2
    rows = []
    for key, estimate in point.items():
        objective, _, statistic = key.rpartition(":")
        for i, design in enumerate(designs):
            low = high = np.nan
            if boot is not None and statistic not in UNBOOTSTRAPPED:
                low, high = np.quantile(boot[key][:, i], [alpha, 1 - alpha])
                if statistic in BIASED:
                    shift = np.median(boot[key][:, i]) - estimate[i]
                    low, high = low - shift, high - shift
            rows.append(
                {
                    "design": design,
                    "objective": objective or "all",
                    "statistic": statistic,
                    "value": float(estimate[i]),
                    "low": float(low),
                    "high": float(high),
                }
            )
    table = pd.DataFrame(rows)
    headline = f"{objectives[0].outcome}:{HEADLINE}"
    summary = pd.DataFrame({"design": designs, "headline": point[headline]})
    if "satisficing" in point:
        sat = table[table["statistic"] == "satisficing"].set_index("design")
        summary["satisficing"] = sat.loc[designs, "value"].to_numpy()
        summary["satisficing_low"] = sat.loc[designs, "low"].to_numpy()
        summary["satisficing_high"] = sat.loc[designs, "high"].to_numpy()
    front_columns = [f"{o.outcome}:{HEADLINE}" for o in objectives]
    points = pd.DataFrame({c: point[c] for c in front_columns})
    half = pd.DataFrame(
        {
            c: (
                np.zeros(len(designs))
                if boot is None
                else np.diff(np.quantile(boot[c], [alpha, 1 - alpha], axis=0), axis=0)[0] / 2
            )
            for c in front_columns
        }
    )
    summary["front"] = pareto_front(points, minimise=front_columns)
    summary["clear_front"] = clear_front(points, half, minimise=front_columns)
    order = summary.sort_values(["headline", "design"], kind="stable").index
    summary = summary.loc[order].reset_index(drop=True)
    acceptable = None
    if any(o.threshold is not None for o in objectives):
        acceptable = np.logical_and.reduce(
            [o.meets(means[o.outcome]) for o in objectives if o.threshold is not None]
        )
    resampled = None if boot is None else boot[headline]
    swaps = rank_swaps(list(summary["design"]), designs, resampled, objectives[0].outcome)
    return Robustness(
        table=table,
        designs=summary,
        regret={o.outcome: regret_of(means[o.outcome], o) for o in objectives},
        acceptable=acceptable,
        swaps=swaps,
        resamples=resampled,
    )


def _bootstrap(
    values: dict[str, np.ndarray],
    objectives: list[Objective],
    seed: int,
    resamples: int,
    best: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Every measure recomputed on ``resamples`` paired resamples of the replicates.

    Regret is taken against each world's best design on all the replicates (``best``).
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=BOOTSTRAP_STREAM))
    _, worlds, replications = values[objectives[0].outcome].shape
    collected: dict[str, list[np.ndarray]] = {}
    for start in range(0, resamples, CHUNK):
        size = min(CHUNK, resamples - start)
        picks = rng.integers(0, replications, size=(size, 1, worlds, replications))
        means = {
            o.outcome: np.take_along_axis(
                values[o.outcome][None],
                np.broadcast_to(picks, (size, *values[o.outcome].shape)),
                -1,
            ).mean(axis=-1)
            for o in objectives
        }
        for key, stat in _statistics(means, objectives, best).items():
            collected.setdefault(key, []).append(stat)
    return {key: np.concatenate(parts) for key, parts in collected.items()}


def rank_swaps(
    ranked: list[str], designs: list[str], resampled: np.ndarray | None, outcome: str
) -> list[str]:
    """Sentences for neighbouring designs whose order flips in over 5% of the resamples."""
    if resampled is None:
        return []
    column = {d: i for i, d in enumerate(designs)}
    said = []
    for better, worse in zip(ranked, ranked[1:], strict=False):
        a, b = resampled[:, column[better]], resampled[:, column[worse]]
        share = float(np.mean(a > b))
        if share > SWAP_SHARE:
            said.append(
                f"'{better}' and '{worse}' swap places on 90th-percentile regret of {outcome} "
                f"in {share:.0%} of replicate resamples: the replicates cannot order them"
            )
    return said
