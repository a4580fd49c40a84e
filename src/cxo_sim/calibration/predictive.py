"""The posterior predictive check, and the summaries of a weighted posterior.

Constant sets drawn from the posterior by weight, one run each, their statistics against the
targets' ranges; the posterior's effective sample size and weighted quantiles. Covered by
``tests/calibration/test_abc.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.analysis.numbers import fmt
from cxo_sim.calibration.spec import Calibration, Target
from cxo_sim.constants import CONSTANTS
from cxo_sim.experiments.engine import ordered_map, run_deadline
from cxo_sim.experiments.single_run import Weekly, run_model
from cxo_sim.validation.targets import WEEKS, run_statistics

# Streams of the calibration's seed apart from the candidates' (sampler.candidate_seed).
PREDICTIVE_STREAM = 0x9E0


@dataclass(frozen=True)
class _Draw:
    run_id: int
    params: dict[str, Any]
    years: tuple[int, ...]
    seed: int
    constants: dict[str, float]


def _run_draw(draw: _Draw) -> dict[str, float]:
    return simulate_statistics_seeded(draw.params, draw.years, draw.seed, draw.constants)


def simulate_statistics_seeded(
    params: dict[str, Any], years: tuple[int, ...], seed: int, constants: dict[str, float]
) -> dict[str, float]:
    """The target statistics of one run of ``max(years)`` years."""
    steps = WEEKS * max(years)
    run = run_model(params, steps=steps, seed=seed, constants=constants, record=Weekly())
    return run_statistics(run, years)


def _predict(calibration: Calibration, posterior: pd.DataFrame, pool, stop) -> pd.DataFrame:
    """Statistics of ``calibration.predictive`` runs, each with a posterior draw's constants.

    The held-out targets' statistics too: their check is of evidence the fit did not see.
    """
    draws = draw_constants(posterior, calibration.seed, calibration.predictive)
    rng = np.random.default_rng(np.random.SeedSequence(calibration.seed, spawn_key=(1,)))
    seeds = rng.integers(0, 2**31 - 1, size=len(draws))
    jobs = [
        _Draw(i, calibration.params, calibration.pooled_years, int(seed), constants)
        for i, (seed, constants) in enumerate(zip(seeds, draws, strict=True))
    ]
    rows = list(ordered_map(pool, _run_draw, jobs, stop, run_deadline(calibration.steps)))
    columns = [t.key for t in (*calibration.targets, *calibration.holdout)]
    return pd.DataFrame(rows, columns=columns)


def draw_constants(posterior: pd.DataFrame, seed: int, n: int) -> list[dict[str, float]]:
    """``n`` constant sets drawn by weight from a posterior, reproducibly from ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PREDICTIVE_STREAM,)))
    names = [c for c in posterior.columns if c != "weight"]
    weights = posterior["weight"].to_numpy(dtype=float)
    rows = rng.choice(len(posterior), size=n, p=weights / weights.sum())
    values = posterior[names].to_numpy(dtype=float)
    return [dict(zip(names, map(float, values[i]), strict=True)) for i in rows]


# Below this share of the population, the effective sample size is flagged: the posterior rests
# on a handful of particles (uneven importance weights, typical of many constants and few
# generations), so its histograms and intervals are rough; a larger population helps.
LOW_ESS_SHARE = 0.1


def low_effective_sample(posterior: pd.DataFrame) -> str:
    """A warning when the posterior's effective sample size is low, else an empty string."""
    ess = effective_sample_size(posterior)
    if ess >= LOW_ESS_SHARE * len(posterior):
        return ""
    return (
        f"warning: the posterior's effective sample size is {ess:.0f} of {len(posterior)} "
        "particles: its intervals rest on a few particles; a larger population would help"
    )


def effective_sample_size(posterior: pd.DataFrame) -> float:
    """Kish's effective sample size of weighted particles (their number if weights are equal)."""
    weights = posterior["weight"].to_numpy(dtype=float)
    return float(weights.sum() ** 2 / np.sum(weights**2))


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> list[float]:
    """Quantiles of a weighted sample (the weighted empirical distribution's inverse)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return [float(values[order][np.searchsorted(cumulative, q)]) for q in qs]


def posterior_table(posterior: pd.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    """Per constant: default, prior range, posterior mean and 90% credible interval."""
    weights = posterior["weight"].to_numpy(dtype=float)
    rows = []
    for name in names:
        c = CONSTANTS[name]
        values = posterior[name].to_numpy(dtype=float)
        low, median, high = weighted_quantiles(values, weights, (0.05, 0.5, 0.95))
        rows.append(
            {
                "constant": name,
                "default": c.value,
                "prior_low": c.low,
                "prior_high": c.high,
                "mean": float(np.average(values, weights=weights)),
                "median": median,
                "ci90_low": low,
                "ci90_high": high,
                "narrowing": (high - low) / (0.9 * (c.high - c.low)),
            }
        )
    return rows


def predictive_table(predictive: pd.DataFrame, targets: list[Target]) -> list[dict[str, Any]]:
    """Per target: range, posterior predictive mean, 90% interval and coverage."""
    rows = []
    for t in targets:
        values = predictive[t.key].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        empty = len(values) == 0
        rows.append(
            {
                "target": t.key,
                "label": t.label,
                "low": t.low,
                "high": t.high,
                "source": t.source,
                "runs": int(len(values)),
                "mean": math.nan if empty else float(values.mean()),
                "p05": math.nan if empty else float(np.quantile(values, 0.05)),
                "p95": math.nan if empty else float(np.quantile(values, 0.95)),
                "coverage": math.nan
                if empty
                else float(np.mean((values >= t.low) & (values <= t.high))),
            }
        )
    return rows


def format_predictive(
    rows: list[dict[str, Any]], draws: int, years: int, held_out: bool = False
) -> str:
    """The posterior predictive table as text (``held_out``: of targets the fit did not use)."""
    what = "held-out targets (not fitted)" if held_out else "the fitted targets"
    lines = [
        f"Posterior predictive check of {what}, {draws} runs (one per posterior draw), years "
        f"2-{years} pooled:",
        f"  {'target':<44} {'range':>16} {'mean':>9} {'90% interval':>22} {'inside':>7}",
    ]
    for r in rows:
        interval = f"[{fmt(r['p05'])}, {fmt(r['p95'])}]"
        lines.append(
            f"  {r['label']:<44} {fmt(r['low']) + '-' + fmt(r['high']):>16} "
            f"{fmt(r['mean']):>9} {interval:>22} {r['coverage']:>7.0%}"
        )
    return "\n".join(lines)
