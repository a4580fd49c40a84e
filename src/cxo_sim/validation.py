"""Calibration targets (MODEL.md section 6) and patterns P1-P8 (section 7), measured.

``cxo-sim validate`` prints both tables; the test suite asserts the same checks with its own
seeds. Every check compares arms run on the same list of seeds, everything else held equal;
the arms share each seed's exogenous world and ideas (common random numbers), so a difference
between arms is the mean of per-seed differences, reported with its 95% t confidence interval.
A few checks are shapes instead: P3's diminishing returns (a per-seed contrast), P7's series
checks (an event study and a bootstrap over runs) and P8's absence of conflicts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.analysis.stats import Estimate, bootstrap_ci, mean_ci
from cxo_sim.errors import UserError
from cxo_sim.model import CxOModel
from cxo_sim.presets import preset

STEPS = 156


@dataclass
class Run:
    """What one run leaves for validation: outcomes, weekly series and breach discoveries."""

    outcomes: dict[str, float]
    series: pd.DataFrame
    shadow_breach_weeks: list[int] = field(default_factory=list)


def run_arm(params: dict[str, Any], seed: int, steps: int = STEPS) -> Run:
    """Run one model and keep its outcomes, weekly series and shadow-breach discovery weeks."""
    model = CxOModel(seed=seed, **params)
    for _ in range(steps):
        model.step()
    series = model.datacollector.get_model_vars_dataframe()
    weeks = [e.week for e in model.events if e.kind == "breach" and "a shadow" in e.text]
    return Run(model.outcomes(diagnostics=True), series, weeks)


def _run_job(job: tuple[dict[str, Any], int, int]) -> Run:
    params, seed, steps = job
    return run_arm(params, seed, steps)


def run_arms(
    arms: dict[str, dict[str, Any]], seeds: Iterable[int], workers: int = 1, steps: int = STEPS
) -> dict[str, list[Run]]:
    """Run every arm on every seed (same seeds across arms)."""
    seeds = list(seeds)
    jobs = [(params, seed, steps) for params in arms.values() for seed in seeds]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            runs = list(pool.map(_run_job, jobs, chunksize=8))
    else:
        runs = [_run_job(job) for job in jobs]
    out = {}
    for i, name in enumerate(arms):
        out[name] = runs[i * len(seeds) : (i + 1) * len(seeds)]
    return out


def column(runs: list[Run], name: str) -> np.ndarray:
    """One outcome over runs."""
    return np.array([r.outcomes[name] for r in runs], dtype=float)


# ------------------------------------------------------------------------------- calibration
@dataclass(frozen=True)
class Target:
    """A calibration target: a range and the estimate the model gives."""

    name: str
    low: float
    high: float
    estimate: Estimate
    anchor: str

    @property
    def inside(self) -> bool:
        """Whether the mean lies inside the published range."""
        return self.low <= self.estimate.value <= self.high


def yearly_breach_chance(runs: list[Run]) -> np.ndarray:
    """Per run: the share of its years with at least one breach."""
    shares = []
    for run in runs:
        cumulative = run.series["breaches"].to_numpy()
        years = (len(cumulative) - 1) // 52
        hits = [cumulative[52 * (y + 1)] > cumulative[52 * y] for y in range(years)]
        shares.append(float(np.mean(hits)) if hits else math.nan)
    return np.array(shares)


def calibration(seeds: Iterable[int], workers: int = 1) -> list[Target]:
    """The section 6 targets on the ``old_world`` preset with default preferences."""
    runs = run_arms({"old_world": preset("old_world")}, seeds, workers)["old_world"]
    breaches = column(runs, "breaches")
    costs = column(runs, "breach_cost")

    def mean_cost(idx: np.ndarray) -> float:
        total = breaches[idx.astype(int)].sum()
        return float(costs[idx.astype(int)].sum() / total) if total else math.nan

    cost = bootstrap_ci(np.arange(len(runs)), statistic=mean_cost, seed=1)
    return [
        Target(
            "yearly chance of at least one breach",
            0.08,
            0.25,
            mean_ci(yearly_breach_chance(runs)),
            "IBM/Ponemon: about 0.15",
        ),
        Target(
            "shadow share of martech spend",
            0.25,
            0.50,
            mean_ci(column(runs, "shadow_spend_share")),
            "Gartner 30-40%, Everest 50%",
        ),
        Target(
            "median campaign lead time (weeks)",
            1,
            6,
            mean_ci(column(runs, "median_lead_time")),
            "Litmus: about 2 weeks",
        ),
        Target(
            "utilisation of owned tools",
            0.30,
            0.65,
            mean_ci(column(runs, "utilization")),
            "Gartner: 58% (2019) to 33% (2023)",
        ),
        Target("mean cost of a breach (k$)", 2000, 10000, cost, "IBM: 4,450-4,880 k$ global"),
    ]


# ------------------------------------------------------------------------------- patterns
@dataclass(frozen=True)
class Check:
    """One statistical check of a pattern.

    Attributes:
        pattern: "P1" ... "P8".
        claim: what must hold, in words.
        estimate: the measured difference with its 95% CI.
        passed: whether the claim holds (the CI excludes zero on the claimed side, or the
            named shape holds).
    """

    pattern: str
    claim: str
    estimate: Estimate
    passed: bool


def paired_diff(a: np.ndarray, b: np.ndarray) -> Estimate:
    """Mean of per-seed differences a - b with a t-interval.

    Arms run on the same seeds share their exogenous world and ideas (common random numbers),
    so the per-seed difference is the natural, paired estimate of the effect.
    """
    return mean_ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))


def _diff(pattern, claim, a, b, sign: int) -> Check:
    est = paired_diff(a, b)
    passed = est.low > 0 if sign > 0 else est.high < 0
    return Check(pattern, claim, est, passed)


def _window_launches(run: Run, start: int, end: int) -> float:
    launched = run.series["campaigns_launched"].to_numpy()
    return float(launched[end] - launched[start])


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


def _arms() -> dict[str, dict[str, Any]]:
    old = preset("old_world")
    return {
        "cio": old,
        "cmo": _with(old, budget_owner="cmo"),
        "gov_none": _with(old, data_governance="none"),
        "gov_clear": _with(old, data_governance="clear"),
        "meet_0": old,
        "meet_2": _with(old, meeting_interval=2),
        "meet_1": _with(old, meeting_interval=1),
        "best": preset("best_practice"),
        "platform": _with(old, self_serve_platform=True),
        "liaison": _with(old, liaison=True),
        "trust_low": _with(old, initial_trust=0.15),
        "trust_high": _with(old, initial_trust=0.85),
        "combined": preset("combined_role"),
        "shared": _with(preset("combined_role"), combined_role=False),
        "combined_busy": _with(preset("combined_role"), n_marketers=80),
    }


def patterns(seeds: Iterable[int], workers: int = 1, only: Iterable[str] = ()) -> list[Check]:
    """The checks of patterns P1 to P8 (or of the patterns named in ``only``).

    Each pattern runs only the arms it compares, all on the same seeds.
    """
    chosen = list(only) or list(PATTERNS)
    needed = sorted({arm for pid in chosen for arm in PATTERNS[pid][0]})
    all_arms = _arms()
    runs = run_arms({name: all_arms[name] for name in needed}, seeds, workers)
    col = {name: (lambda o, r=r: column(r, o)) for name, r in runs.items()}
    checks: list[Check] = []
    for pid in chosen:
        checks += PATTERNS[pid][1](runs, col)
    return checks


Col = dict[str, Callable[[str], np.ndarray]]


def _p1(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    cmo, cio = col["cmo"], col["cio"]
    return [
        _diff(
            "P1",
            "cmo - cio: campaign velocity > 0",
            cmo("campaign_velocity"),
            cio("campaign_velocity"),
            +1,
        ),
        _diff("P1", "cmo - cio: tool count > 0", cmo("tool_count"), cio("tool_count"), +1),
        _diff(
            "P1",
            "cmo - cio: redundant tools > 0",
            cmo("redundant_tools"),
            cio("redundant_tools"),
            +1,
        ),
        _diff("P1", "cmo - cio: breaches > 0", cmo("breaches"), cio("breaches"), +1),
        _diff(
            "P1",
            "cmo - cio: unreviewed tools > 0",
            cmo("unreviewed_tools"),
            cio("unreviewed_tools"),
            +1,
        ),
        _diff(
            "P1",
            "cio - cmo: median lead time > 0",
            cio("median_lead_time"),
            cmo("median_lead_time"),
            +1,
        ),
        _diff(
            "P1",
            "cio - cmo: shadow spend share > 0",
            cio("shadow_spend_share"),
            cmo("shadow_spend_share"),
            +1,
        ),
    ]


# "No slower": data access under clear governance is at most this much slower (weeks).
NON_INFERIORITY_WEEKS = 0.25


def _p2(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    clear, none = col["gov_clear"], col["gov_none"]
    access = paired_diff(clear("data_access_weeks"), none("data_access_weeks"))
    return [
        _diff("P2", "clear - none: breaches < 0", clear("breaches"), none("breaches"), -1),
        _diff(
            "P2",
            "clear - none: compliance incidents < 0",
            clear("compliance_incidents"),
            none("compliance_incidents"),
            -1,
        ),
        Check(
            "P2",
            f"clear - none: data-access wait no slower (CI upper < {NON_INFERIORITY_WEEKS} wk)",
            access,
            access.high < NON_INFERIORITY_WEEKS,
        ),
    ]


def _contrast(never: np.ndarray, middle: np.ndarray, often: np.ndarray) -> Estimate:
    """Per seed, (never - middle) - (middle - often), with a t-interval (paired arms)."""
    return mean_ci(never - 2 * middle + often)


def _p3(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    never, fortnight, weekly = col["meet_0"], col["meet_2"], col["meet_1"]
    checks = [
        _diff(
            "P3",
            "weekly - never: redundant tools < 0",
            weekly("redundant_tools"),
            never("redundant_tools"),
            -1,
        ),
        _diff("P3", "weekly - never: conflicts < 0", weekly("conflicts"), never("conflicts"), -1),
        _diff(
            "P3",
            "weekly - never: coordination cost > 0",
            weekly("coordination_cost"),
            never("coordination_cost"),
            +1,
        ),
    ]
    for outcome in ("redundant_tools", "conflicts"):
        est = _contrast(never(outcome), fortnight(outcome), weekly(outcome))
        checks.append(
            Check(
                "P3",
                f"diminishing returns in {outcome}: (never - fortnightly) - "
                "(fortnightly - weekly) > 0",
                est,
                est.low > 0,
            )
        )
    return checks


def _p4(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    best, old = col["best"], col["cio"]
    return [
        _diff(
            "P4",
            "best_practice - old_world: campaign velocity > 0",
            best("campaign_velocity"),
            old("campaign_velocity"),
            +1,
        ),
        _diff(
            "P4", "best_practice - old_world: breaches < 0", best("breaches"), old("breaches"), -1
        ),
        _diff(
            "P4",
            "best_practice - old_world: coordination cost > 0",
            best("coordination_cost"),
            old("coordination_cost"),
            +1,
        ),
    ]


def _p5(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    with_p, without = runs["platform"], runs["cio"]
    early = (
        [_window_launches(r, 0, 26) for r in with_p],
        [_window_launches(r, 0, 26) for r in without],
    )
    late = (
        [_window_launches(r, 104, 156) for r in with_p],
        [_window_launches(r, 104, 156) for r in without],
    )
    return [
        _diff("P5", "platform - none: launches in weeks 1-26 < 0", *early, -1),
        _diff("P5", "platform - none: launches in weeks 105-156 > 0", *late, +1),
        _diff(
            "P5",
            "platform - none: shadow tools < 0",
            col["platform"]("shadow_tools"),
            col["cio"]("shadow_tools"),
            -1,
        ),
    ]


def _p6(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    on, off = col["liaison"], col["cio"]
    return [
        _diff("P6", "liaison - none: conflicts < 0", on("conflicts"), off("conflicts"), -1),
        _diff(
            "P6",
            "liaison - none: redundant tools < 0",
            on("redundant_tools"),
            off("redundant_tools"),
            -1,
        ),
    ]


def trust_drop_at_shadow_breaches(runs: list[Run]) -> np.ndarray:
    """Trust change in each week a shadow-tool breach was found, minus the run's usual change."""
    drops = []
    for run in runs:
        trust = run.series["trust"].to_numpy()
        weekly = np.diff(trust)
        typical = float(np.median(weekly))
        for week in run.shadow_breach_weeks:
            if 1 <= week < len(trust):
                drops.append(float(trust[week] - trust[week - 1]) - typical)
    return np.array(drops)


def bypass_rates_by_trust(runs: list[Run], threshold: float = 0.4) -> tuple[float, float]:
    """Pooled weekly bypass rate in weeks that start with trust below / above ``threshold``."""
    low_n = low_b = high_n = high_b = 0.0
    for run in runs:
        trust = run.series["trust"].to_numpy()[:-1]
        bypasses = np.diff(run.series["bypasses"].to_numpy())
        low = trust < threshold
        low_n += low.sum()
        low_b += bypasses[low].sum()
        high_n += (~low).sum()
        high_b += bypasses[~low].sum()
    return low_b / max(low_n, 1), high_b / max(high_n, 1)


def bypass_gap_by_trust(runs: list[Run]) -> Estimate:
    """Low-trust minus high-trust weekly bypass rate, with a bootstrap CI over runs."""

    def gap(idx: np.ndarray) -> float:
        low, high = bypass_rates_by_trust([runs[int(i)] for i in idx])
        return low - high

    return bootstrap_ci(np.arange(len(runs)), statistic=gap, n_boot=400, seed=2)


def _p7(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    pooled = runs["cio"] + runs["trust_low"] + runs["trust_high"]
    drop = mean_ci(trust_drop_at_shadow_breaches(pooled))
    gap = bypass_gap_by_trust(pooled)
    return [
        Check(
            "P7",
            "series: trust change in a week a shadow breach is found < typical",
            drop,
            drop.high < 0,
        ),
        Check(
            "P7",
            "series: weekly bypass rate at trust < 0.4 minus at trust >= 0.4 > 0",
            gap,
            gap.low > 0,
        ),
        _diff(
            "P7",
            "initial trust 0.15 - 0.85: bypasses > 0",
            col["trust_low"]("bypasses"),
            col["trust_high"]("bypasses"),
            +1,
        ),
    ]


def _p8(runs: dict[str, list[Run]], col: Col) -> list[Check]:
    combined, shared, busy = col["combined"], col["shared"], col["combined_busy"]
    conflicts = mean_ci(combined("conflicts"))
    return [
        Check(
            "P8",
            "combined role: no executive conflicts (mean 0)",
            conflicts,
            conflicts.value == 0 and conflicts.high == 0,
        ),
        _diff(
            "P8",
            "combined - shared: weeks to a decision < 0",
            combined("decision_weeks"),
            shared("decision_weeks"),
            -1,
        ),
        _diff(
            "P8",
            "combined, 80 vs 20 marketers: weeks to a decision > 0",
            busy("decision_weeks"),
            combined("decision_weeks"),
            +1,
        ),
        _diff(
            "P8",
            "combined, 80 vs 20 marketers: requests waiting for a decision > 0",
            busy("pending_decisions"),
            combined("pending_decisions"),
            +1,
        ),
    ]


PATTERNS: dict[str, tuple[tuple[str, ...], Callable[..., list[Check]]]] = {
    "P1": (("cio", "cmo"), _p1),
    "P2": (("gov_none", "gov_clear"), _p2),
    "P3": (("meet_0", "meet_2", "meet_1"), _p3),
    "P4": (("best", "cio"), _p4),
    "P5": (("platform", "cio"), _p5),
    "P6": (("liaison", "cio"), _p6),
    "P7": (("cio", "trust_low", "trust_high"), _p7),
    "P8": (("combined", "shared", "combined_busy"), _p8),
}


# ------------------------------------------------------------------------------- printing
def _fmt(x: float) -> str:
    if math.isnan(x):
        return "nan"
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def format_calibration(targets: list[Target], n: int) -> str:
    """The calibration table as text."""
    lines = [f"Calibration, old_world preset, {n} seeds (mean and 95% CI):"]
    for t in targets:
        e = t.estimate
        mark = "inside" if t.inside else "OUTSIDE"
        lines.append(
            f"  {t.name:<40} {_fmt(e.value):>8} [{_fmt(e.low)}, {_fmt(e.high)}]"
            f"  target {_fmt(t.low)}-{_fmt(t.high)}  {mark}  ({t.anchor})"
        )
    return "\n".join(lines)


def format_patterns(checks: list[Check], n: int) -> str:
    """The pattern checks as text."""
    lines = [f"Patterns, {n} seeds per arm (mean paired difference, 95% CI):"]
    for c in checks:
        e = c.estimate
        mark = "pass" if c.passed else "FAIL"
        interval = f"[{_fmt(e.low)}, {_fmt(e.high)}]"
        lines.append(f"  {c.pattern} {mark}  {c.claim:<72} {_fmt(e.value):>8} {interval}")
    return "\n".join(lines)


def validate_command(args) -> int:
    """``cxo-sim validate``: print the calibration table and the pattern checks."""
    if args.seeds < 2:
        raise UserError(
            f"--seeds must be at least 2 (a confidence interval needs two), got {args.seeds}"
        )
    if args.first_seed < 0:
        raise UserError(f"--first-seed must be a non-negative integer, got {args.first_seed}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    workers = args.workers or os.cpu_count() or 1
    targets = calibration(seeds, workers)
    print(format_calibration(targets, args.seeds))
    checks = patterns(seeds, workers)
    print(format_patterns(checks, args.seeds))
    failed = [c for c in checks if not c.passed] + [t for t in targets if not t.inside]
    print(f"{len(failed)} of {len(checks) + len(targets)} checks failed")
    return 1 if failed else 0
