"""Statistics for replicated simulation runs: means, differences and effect sizes with CIs.

Everything here is deterministic: t-intervals are closed-form and the bootstrap takes a seed, so
the same runs always give the same summary (the committed ``summary.csv`` files rely on it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    Attributes:
        value: the estimate, in the unit of the data.
        low: lower end of the confidence interval.
        high: upper end of the confidence interval.
        n: number of observations behind it.
    """

    value: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the interval (the "plus or minus"), in the unit of the data."""
        return (self.high - self.low) / 2.0

    def excludes_zero(self) -> bool:
        """Whether the whole interval lies on one side of zero."""
        return self.low > 0.0 or self.high < 0.0


@dataclass(frozen=True)
class Comparison:
    """Arm ``a`` against arm ``b``: difference of means (a - b) and standardised effect.

    Attributes:
        mean_a: mean of arm a.
        mean_b: mean of arm b.
        diff: Welch difference of means a - b with its confidence interval.
        g: Hedges' g (bias-corrected Cohen's d) with an approximate confidence interval.
    """

    mean_a: float
    mean_b: float
    diff: Estimate
    g: Estimate

    @property
    def relative(self) -> float:
        """The difference as a share of arm b's mean (nan when b's mean is zero)."""
        return self.diff.value / abs(self.mean_b) if self.mean_b else math.nan


def _clean(x: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    values = np.asarray(x, dtype=float)
    return values[np.isfinite(values)]


def mean_ci(x: Sequence[float], level: float = 0.95) -> Estimate:
    """Mean with a Student-t confidence interval.

    Args:
        x: observations (non-finite values are dropped).
        level: confidence level, e.g. 0.95.

    Returns:
        The mean and its interval; the interval is nan with fewer than two observations and has
        zero width when all observations are equal.
    """
    values = _clean(x)
    n = values.size
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(values.mean())
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1)
    sem = float(values.std(ddof=1)) / math.sqrt(n)
    half = float(sps.t.ppf(0.5 + level / 2.0, n - 1)) * sem
    return Estimate(mean, mean - half, mean + half, n)


def diff_ci(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Estimate:
    """Difference of means ``mean(a) - mean(b)`` with a Welch confidence interval.

    Welch's interval does not assume equal variances; its degrees of freedom come from the
    Welch-Satterthwaite equation. When both arms have zero variance the interval has zero width.
    """
    xa, xb = _clean(a), _clean(b)
    na, nb = xa.size, xb.size
    if na == 0 or nb == 0:
        return Estimate(math.nan, math.nan, math.nan, na + nb)
    diff = float(xa.mean() - xb.mean())
    if na < 2 or nb < 2:
        return Estimate(diff, math.nan, math.nan, na + nb)
    va, vb = xa.var(ddof=1) / na, xb.var(ddof=1) / nb
    se = math.sqrt(va + vb)
    if se == 0.0:
        return Estimate(diff, diff, diff, na + nb)
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    half = float(sps.t.ppf(0.5 + level / 2.0, df)) * se
    return Estimate(diff, diff - half, diff + half, na + nb)


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float:
    """Cohen's d: (mean(a) - mean(b)) divided by the pooled standard deviation.

    Returns 0 when the means are equal and there is no spread, and plus or minus infinity when
    the means differ with no spread (perfectly separated arms).
    """
    xa, xb = _clean(a), _clean(b)
    na, nb = xa.size, xb.size
    if na < 2 or nb < 2:
        return math.nan
    diff = float(xa.mean() - xb.mean())
    pooled = math.sqrt(((na - 1) * xa.var(ddof=1) + (nb - 1) * xb.var(ddof=1)) / (na + nb - 2))
    if pooled == 0.0:
        return 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
    return diff / pooled


def hedges_g(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Estimate:
    """Hedges' g (Cohen's d times the small-sample correction J) with a normal-theory CI.

    The standard error is the usual large-sample one,
    ``sqrt((na + nb) / (na nb) + g^2 / (2 (na + nb)))`` (Hedges and Olkin 1985).
    """
    xa, xb = _clean(a), _clean(b)
    na, nb = xa.size, xb.size
    d = cohens_d(xa, xb)
    if not math.isfinite(d):
        return Estimate(d, d, d, na + nb)
    g = d * (1.0 - 3.0 / (4.0 * (na + nb) - 9.0))
    se = math.sqrt((na + nb) / (na * nb) + g**2 / (2.0 * (na + nb)))
    z = float(sps.norm.ppf(0.5 + level / 2.0))
    return Estimate(g, g - z * se, g + z * se, na + nb)


def compare(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Comparison:
    """Compare arm ``a`` with arm ``b``: means, Welch difference and Hedges' g, with CIs."""
    xa, xb = _clean(a), _clean(b)
    mean_a = float(xa.mean()) if xa.size else math.nan
    mean_b = float(xb.mean()) if xb.size else math.nan
    return Comparison(mean_a, mean_b, diff_ci(xa, xb, level), hedges_g(xa, xb, level))


def effect_size_word(g: float) -> str:
    """Cohen's conventional words for a standardised effect: negligible, small, medium, large."""
    size = abs(g)
    if math.isnan(size):
        return "unknown"
    if size < 0.2:
        return "negligible"
    if size < 0.5:
        return "small"
    if size < 0.8:
        return "medium"
    return "large"


def bootstrap_ci(
    x: Sequence[float],
    statistic: Callable[[np.ndarray], float] = np.mean,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> Estimate:
    """Percentile bootstrap confidence interval of ``statistic`` (for medians, shares ...).

    Args:
        x: observations (non-finite values are dropped).
        statistic: function of a 1-d array, applied to each resample.
        level: confidence level.
        n_boot: number of resamples.
        seed: seed of the resampling, so the interval is reproducible.
    """
    values = _clean(x)
    n = values.size
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    rng = np.random.default_rng(seed)
    resamples = values[rng.integers(0, n, size=(n_boot, n))]
    boot = np.array([statistic(row) for row in resamples], dtype=float)
    boot = boot[np.isfinite(boot)]  # resamples where the statistic is undefined are dropped
    if boot.size == 0:
        return Estimate(float(statistic(values)), math.nan, math.nan, n)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(boot, [alpha, 1.0 - alpha])
    return Estimate(float(statistic(values)), float(low), float(high), n)


def spearman_ci(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> Estimate:
    """Spearman rank correlation with a Fisher-z CI (Fieller's standard error 1.06/sqrt(n-3)).

    Used to state how strongly an outcome follows a factor sampled by Latin hypercube, where
    there are no levels to compare.
    """
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    n = xs.size
    if n < 4 or np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return Estimate(math.nan if n < 4 else 0.0, math.nan, math.nan, n)
    rho = float(sps.spearmanr(xs, ys).statistic)
    clipped = min(max(rho, -0.999999), 0.999999)
    z = math.atanh(clipped)
    half = float(sps.norm.ppf(0.5 + level / 2.0)) * 1.06 / math.sqrt(n - 3)
    return Estimate(rho, math.tanh(z - half), math.tanh(z + half), n)


def summarise(
    df: pd.DataFrame, by: Sequence[str], outcomes: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """Mean and t-interval of each outcome in each group, in long form.

    Args:
        df: one row per run.
        by: grouping columns (for example ``["point", "scenario"]``); groups keep their order
            of first appearance sorted by these columns.
        outcomes: outcome columns to summarise.
        level: confidence level.

    Returns:
        One row per (group, outcome) with the ``by`` columns, ``outcome``, ``n``, ``mean``,
        ``sd``, ``low``, ``high`` and ``half_width``.
    """
    rows = []
    for key, group in df.groupby(list(by), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for outcome in outcomes:
            values = _clean(group[outcome])
            est = mean_ci(values, level)
            sd = float(values.std(ddof=1)) if values.size > 1 else math.nan
            rows.append(
                {
                    **dict(zip(by, key, strict=True)),
                    "outcome": outcome,
                    "n": est.n,
                    "mean": est.value,
                    "sd": sd,
                    "low": est.low,
                    "high": est.high,
                    "half_width": est.half_width,
                }
            )
    return pd.DataFrame(rows)


def pareto_front(
    points: pd.DataFrame, maximise: Sequence[str] = (), minimise: Sequence[str] = ()
) -> np.ndarray:
    """Which rows are Pareto-optimal: no other row is at least as good everywhere and better once.

    Returns:
        Boolean array, True for rows on the front.
    """
    zero = pd.DataFrame(0.0, index=points.index, columns=[*maximise, *minimise])
    return clear_front(points, zero, maximise, minimise)


def clear_front(
    points: pd.DataFrame,
    half_widths: pd.DataFrame,
    maximise: Sequence[str] = (),
    minimise: Sequence[str] = (),
) -> np.ndarray:
    """Which rows no other row clearly beats, given each mean's 95% interval half-width.

    A row clearly beats another when it is better or equal on every column and, on one at
    least, better with the two intervals apart (``half_widths``). Where intervals overlap the
    data cannot rank two rows, so neither rules the other out: with noisy means this front is
    wider than :func:`pareto_front`'s, never narrower.
    """
    columns = [*maximise, *minimise]
    signs = np.array([1.0] * len(maximise) + [-1.0] * len(minimise))
    signed = np.column_stack([points[c].to_numpy(float) for c in columns]) * signs
    half = np.column_stack([half_widths[c].to_numpy(float) for c in columns])
    half = np.nan_to_num(half, nan=0.0)
    n = len(signed)
    on_front = np.ones(n, dtype=bool)
    for i in range(n):
        at_least = np.all(signed >= signed[i], axis=1)
        apart = np.any(signed - half > signed[i] + half[i], axis=1)
        if np.any(at_least & apart):
            on_front[i] = False
    return on_front
