"""Calibration targets, measured (ODD section 9), for ``cxo-sim validate`` and ``calibrate``.

The calibration targets are checked as yearly figures in each of years 2 to 5 of five-year runs
of ``old_world``. The patterns (P1-P8, the tradeoff patterns T1-T4 and the scale check S1) live
in :mod:`cxo_sim.validation.patterns`. Covered by ``tests/validation/test_validation.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from cxo_sim.analysis.numbers import fmt
from cxo_sim.analysis.stats import Estimate, bootstrap_ci, mean_ci
from cxo_sim.experiments.single_run import Run
from cxo_sim.presets import preset
from cxo_sim.validation.arms import run_arms

WEEKS = 52
CALIBRATION_YEARS = (2, 3, 4, 5)


# ------------------------------------------------------------------------------- calibration
@dataclass(frozen=True)
class Target:
    """A calibration target: a range, the year it is measured in, and the model's estimate."""

    name: str
    year: int
    low: float
    high: float
    estimate: Estimate
    anchor: str

    @property
    def inside(self) -> bool:
        """Whether the mean lies inside the published range (never when it is undefined)."""
        return self.low <= self.estimate.value <= self.high


# (name, yearly figure, low, high, anchor). Each range measures what the model reports: the
# arguments are in ODD 9.2. The breach figures are IBM/Ponemon's whole-firm figures scaled to
# the martech stack; the spend share is business-led spend as Gartner counts it (the shadow
# share, spend IT does not know of, is reported but matches no published figure); the lead time
# is the slow tail, anchored on a figure that sets no constant (Litmus, which anchored the old
# median target, sets the preparation constants PREP_*).
TARGETS = (
    ("chance of a breach of the martech stack in a year (years pooled)", "breached", 0.01, 0.07,
     "IBM/Ponemon: 23-30% of firms over 24 months, times the stack's 10-40% share"),
    ("business-led share of martech spend", "business_led_share", 0.25, 0.50,
     "Gartner: 30-40% of IT spend business-led; Everest Group 50%"),
    ("90th percentile of campaign lead time (weeks)", "lead_time_p90", 4.0, 16.0,
     "McKinsey 2016: 8 weeks for an email test, serial IT and legal gates"),
    ("utilisation of owned tools", "utilization", 0.30, 0.65,
     "Gartner: 58% (2019) falling to 33% (2023)"),
    ("mean cost of a breach of the martech stack (k$, years pooled)", "cost_per_breach",
     1000.0, 10000.0,
     "IBM: 4,450-4,880 k$ a breach; partner breaches 4,760 k$"),
)  # fmt: skip
# What a firm can measure about itself besides the targets (an organisation's observations,
# ``cxo_sim.calibration.organisation``): yearly figures pooled like the targets'.
OBSERVABLES = ("shadow_spend_share", "median_lead_time")


def calibration(seeds: Iterable[int], workers: int = 1) -> list[Target]:
    """The calibration targets on ``old_world``, in each of years 2 to 5 of five-year runs."""
    years = max(CALIBRATION_YEARS)
    runs = run_arms({"old_world": preset("old_world")}, seeds, workers, steps=WEEKS * years)
    runs = runs["old_world"]
    targets = []
    # A breach of the martech stack is rare (a few in a year over dozens of runs): its chance
    # and mean cost are pooled over the calibration years, as the calibration's own statistics
    # pool them, and shown against each year.
    pooled = [run.years[year - 1] for run in runs for year in CALIBRATION_YEARS]
    rare = {
        "cost_per_breach": _cost_per_breach(pooled),
        "breached": mean_ci(
            [
                np.mean(
                    [yearly_figure(run.years[year - 1], "breached") for year in CALIBRATION_YEARS]
                )
                for run in runs
            ]
        ),
    }
    for year in CALIBRATION_YEARS:
        figures = [run.years[year - 1] for run in runs]
        for name, key, low, high, anchor in TARGETS:
            if key in rare:
                estimate = rare[key]
            else:
                estimate = mean_ci([yearly_figure(f, key) for f in figures])
            targets.append(Target(name, year, low, high, estimate, anchor))
    return targets


def yearly_figure(figures: dict, key: str) -> float:
    """One target's figure in one year of one run (``key`` as in :data:`TARGETS`).

    The cost per breach is a ratio over runs (or years), so it has no figure of its own here.
    """
    if key == "breached":
        return float(figures["breaches"] > 0)
    return float(figures[key])


def run_statistics(run: Run, years: Iterable[int] = CALIBRATION_YEARS) -> dict[str, float]:
    """Every target's figure of one run, pooled over ``years`` (the calibration's statistics).

    The observables (:data:`OBSERVABLES`), the run's tool count at its end and the trend of
    utilisation over ``years`` (:func:`utilization_trend`) come too: the last two are targets of
    the calibration only (``cxo_sim.calibration.evidence``), the others a firm's own
    observations. The business-led share, the lead time's 90th percentile, utilisation and the
    observables are means of the yearly figures; the cost of a breach is the years' breach
    costs over their breaches (NaN when the run had no breach in those years). The chance of a
    breach in a year is taken as its expectation given the run's weekly hazards,
    1 - exp(-expected breaches in the year): about the same mean as the 0/1 indicator
    :func:`calibration` averages over runs, without its noise (one run's four years give only
    0, 1/4, ..., 1).
    """
    years = list(years)
    figures = [run.years[year - 1] for year in years]
    risk = run.series["breach_risk"]
    statistics = {}
    for key in (*(key for _, key, *_ in TARGETS), *OBSERVABLES):
        if key == "breached":
            expected = [risk[WEEKS * year] - risk[WEEKS * (year - 1)] for year in years]
            statistics[key] = float(np.mean(-np.expm1(-np.array(expected))))
        elif key == "cost_per_breach":
            breaches = sum(f["breaches"] for f in figures)
            cost = sum(f["breach_cost"] for f in figures)
            statistics[key] = float(cost / breaches) if breaches else math.nan
        else:
            statistics[key] = float(np.mean([yearly_figure(f, key) for f in figures]))
    # The tools owned at the end of the run (a calibration target and a firm's own count).
    statistics["tool_count"] = float(run.outcomes["tool_count"])
    statistics["utilization_trend"] = utilization_trend(figures, years)
    return statistics


def utilization_trend(figures: list[dict], years: list[int]) -> float:
    """Least-squares slope of the year-end utilisation over ``years`` (a year; NaN if < 2 years).

    The pattern over time of the calibration's target card (``cxo_sim.calibration.evidence``):
    Gartner's utilisation falls as stacks grow.
    """
    if len(years) < 2:
        return math.nan
    values = [float(f["utilization"]) for f in figures]
    return float(np.polyfit(np.asarray(years, dtype=float), values, 1)[0])


def _cost_per_breach(figures: list[dict]) -> Estimate:
    """Mean cost of a breach over run-years (a ratio of sums, bootstrapped)."""
    costs = np.array([f["breach_cost"] for f in figures])
    counts = np.array([f["breaches"] for f in figures], dtype=float)

    def ratio(idx: np.ndarray) -> float:
        idx = idx.astype(int)
        total = counts[idx].sum()
        return float(costs[idx].sum() / total) if total else math.nan

    return bootstrap_ci(np.arange(len(figures)), statistic=ratio, seed=1)


# ------------------------------------------------------------------------------- printing
def format_calibration(targets: list[Target], n: int) -> str:
    """The calibration table as text."""
    lines = [f"Calibration, old_world preset, {n} seeds, years 2-5 (mean and 95% CI):"]
    width = max((len(t.name) for t in targets), default=0)
    for t in targets:
        e = t.estimate
        mark = "inside" if t.inside else "OUTSIDE"
        if math.isnan(e.value):
            mark, interval = "UNDEFINED", "(no runs with a breach that year)"
        elif e.n < 2 or math.isnan(e.low):
            interval = "(too few seeds for a CI)"
        else:
            interval = f"[{fmt(e.low)}, {fmt(e.high)}]"
        lines.append(
            f"  year {t.year}  {t.name:<{width}} {fmt(e.value):>8} {interval:<22}"
            f" target {fmt(t.low)}-{fmt(t.high)}  {mark}  ({t.anchor})"
        )
    return "\n".join(lines)
