"""Calibration targets and patterns, measured (ODD section 9), for ``cxo-sim validate``.

Every check compares arms run on the same list of seeds, everything else held equal; the arms
share each seed's exogenous world and ideas (common random numbers), so a difference between
arms is the mean of per-seed differences, with its 95% t confidence interval. The calibration
targets are checked as yearly figures in each of years 2 to 5 of five-year runs. The patterns
(P1-P8, the tradeoff patterns T1-T3 and the scale check S1) live in ``cxo_sim.patterns``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cxo_sim.analysis.stats import Estimate, bootstrap_ci, mean_ci
from cxo_sim.compat import release_model
from cxo_sim.experiments.pool import process_map, run_deadline
from cxo_sim.model import CxOModel
from cxo_sim.presets import preset

STEPS = 156
WEEKS = 52
CALIBRATION_YEARS = (2, 3, 4, 5)
# Per-week series the patterns and the calibration read (from the model's tallies, cheaper than
# the DataCollector); breach_risk is the expected number of breaches so far (ODD 7.11).
SERIES = ("campaigns_launched", "bypasses", "breaches", "breach_risk")


@dataclass
class Run:
    """What one run leaves for validation.

    Attributes:
        outcomes: run-level outcomes and diagnostics.
        series: week-by-week values (index 0 is the start) of ``SERIES`` and of trust.
        shadow_breach_weeks: weeks in which a breach of a shadow tool was found.
        years: each finished year's figures.
    """

    outcomes: dict[str, float]
    series: dict[str, np.ndarray]
    shadow_breach_weeks: list[int] = field(default_factory=list)
    years: list[dict] = field(default_factory=list)


def run_arm(
    params: dict[str, Any],
    seed: int,
    steps: int = STEPS,
    constants: dict[str, float] | None = None,
) -> Run:
    """Run one model and keep its outcomes, weekly series, breach discoveries and years.

    ``constants`` overrides behavioural constants (``cxo_sim.constants``); None keeps them all.
    """
    model = CxOModel(seed=seed, constants=constants, **params)
    model.collect_series = False
    rows = [[model.tally[name] for name in SERIES] + [model.trust]]
    for _ in range(steps):
        model.step()
        rows.append([model.tally[name] for name in SERIES] + [model.trust])
    table = np.array(rows, dtype=float)
    series = {name: table[:, i] for i, name in enumerate((*SERIES, "trust"))}
    run = Run(model.outcomes(diagnostics=True), series, shadow_breach_weeks_of(model), model.years)
    release_model(model)  # a calibration's worker makes thousands of runs
    return run


def shadow_breach_weeks_of(model: CxOModel) -> list[int]:
    """Weeks in which a breach of a tool IT did not know was found (read from event fields)."""
    return [e.week for e in model.events if e.kind == "breach" and e.shadow]


def _run_job(job: tuple[dict[str, Any], int, int, dict[str, float] | None]) -> Run:
    params, seed, steps, constants = job
    return run_arm(params, seed, steps, constants)


def run_arms(
    arms: dict[str, dict[str, Any]],
    seeds: Iterable[int],
    workers: int = 1,
    steps: int = STEPS,
    constants: dict[str, float] | None = None,
) -> dict[str, list[Run]]:
    """Run every arm on every seed (the same seeds across arms).

    ``constants`` overrides behavioural constants in every run; None keeps the defaults.
    """
    seeds = list(seeds)
    jobs = [(params, seed, steps, constants) for params in arms.values() for seed in seeds]
    runs = list(process_map(_run_job, jobs, workers, deadline=run_deadline(steps)))
    return {name: runs[i * len(seeds) : (i + 1) * len(seeds)] for i, name in enumerate(arms)}


def column(runs: list[Run], name: str) -> np.ndarray:
    """One outcome over runs."""
    return np.array([r.outcomes[name] for r in runs], dtype=float)


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
    ("chance of a breach of the martech stack in the year", "breached", 0.01, 0.07,
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
    # A breach of the martech stack is rare (a few in a year over dozens of runs): its mean cost
    # is pooled over the calibration years, as the calibration's own statistic pools it, and
    # shown against each year.
    pooled = [run.years[year - 1] for run in runs for year in CALIBRATION_YEARS]
    cost = _cost_per_breach(pooled)
    for year in CALIBRATION_YEARS:
        figures = [run.years[year - 1] for run in runs]
        for name, key, low, high, anchor in TARGETS:
            if key == "cost_per_breach":
                estimate = cost
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

    The observables (:data:`OBSERVABLES`) and the run's tool count come too, for a firm's own
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
    # Not a published target, but what a firm can count about itself (its stack at the end).
    statistics["tool_count"] = float(run.outcomes["tool_count"])
    return statistics


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
def fmt(x: float) -> str:
    """A number for a table: three significant digits, thousands separated."""
    if math.isnan(x):
        return "nan"
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


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
