"""Patterns P1-P8, the tradeoff patterns T1-T4 and scale S1 (ODD section 9).

Each check compares arms run on the same seeds (common random numbers): the estimate is the
mean of per-seed differences with a 95% t interval that must exclude zero on the claimed side,
unless the claim names another shape. The tradeoff table is :mod:`cxo_sim.validation.tradeoffs`.
Covered by ``tests/validation/test_validation.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxo_sim.analysis.numbers import fmt
from cxo_sim.analysis.stats import Estimate, bootstrap_ci, mean_ci
from cxo_sim.experiments.single_run import Run
from cxo_sim.outcomes import DIAGNOSTICS, OUTCOMES
from cxo_sim.presets import preset
from cxo_sim.validation.arms import STEPS, column, run_arms


@dataclass(frozen=True)
class Check:
    """One statistical check of a pattern.

    Attributes:
        pattern: "P1" ... "P8", "T1" ... "T4", "S1".
        claim: what must hold, in words.
        estimate: the measured difference with its 95% CI.
        passed: whether the claim holds.
    """

    pattern: str
    claim: str
    estimate: Estimate
    passed: bool


# Claims of section 1 that the model does not reproduce, as docs/ODD.md section 9.5 says and
# explains through the mechanism that undid each. validate prints them as failures, marked; the
# tests hold every other check. Model v3's agenda, binding attention and marketers' choice
# (ODD 7.2, 7.6, 7.7) undid three: the meetings' diminishing returns in conflicts (the agenda
# binds, so weekly meetings settle up to twice as much), the combined role's faster decisions (its
# one person's hours bind at the default firm) and the cautious CIO's extra purchases around IT
# (its discovery tooling deters more than its slower reviews provoke).
NOT_HOLDING = frozenset(
    {
        "diminishing returns in conflicts: (never - fortnightly) - (fortnightly - weekly) > 0",
        "diminishing returns in redundant tools: (never - fortnightly) - (fortnightly - weekly) "
        "> 0",
        "liaison - none: redundant tools < 0",
        "combined - shared: weeks to a decision < 0",
        "cautious - lax CIO: purchases around IT (bypasses) > 0",
        "x5 / 5 vs old_world: expected breaches per capability within +-15%",
        "x5 / 5 vs old_world: campaign velocity per marketer within +-15%",
        "cmo - cio: expected breaches > 0",
    }
)


def paired_diff(a: np.ndarray, b: np.ndarray) -> Estimate:
    """Mean of per-seed differences a - b with a t-interval."""
    return mean_ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))


def _diff(pattern: str, claim: str, a, b, sign: int) -> Check:
    est = paired_diff(a, b)
    passed = est.low > 0 if sign > 0 else est.high < 0
    return Check(pattern, claim, est, passed)


def _window(run: Run, name: str, start: int, end: int) -> float:
    series = run.series[name]
    return float(series[end] - series[start])


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


# The eight collaboration practices, each as it is switched on in the best_practice preset.
PRACTICES: dict[str, dict[str, Any]] = {
    "alignment": {"alignment": 0.8},
    "meetings": {"meeting_interval": 2},
    "mixed_teams": {"mixed_teams": 0.25},
    "shared_tools": {"shared_tools": True},
    "clear_governance": {"data_governance": "clear"},
    "liaison": {"liaison": True},
    "platform": {"self_serve_platform": True},
    "pilots": {"pilot_first": True, "emerging_rate": 4.0},
}
# Pilots act on emerging capabilities only: their arm and its baseline see twice the default
# arrival of them, so that there is something to pilot in three years.
PILOT_BASELINE = "pilots_base"
# Headline outcomes of the tradeoff table.
HEADLINE = (
    "campaign_velocity",
    "campaign_value",
    "median_lead_time",
    "breach_risk",
    "compliance_incidents",
    "shadow_spend_share",
    "trust",
    "tech_spend",
    "total_cost",
    "net_value",
)


def without_practice(params: dict[str, Any], practice: str) -> dict[str, Any]:
    """``params`` with ``practice`` switched back to ``old_world``'s setting."""
    old = preset("old_world")
    return {**params, **{key: old[key] for key in PRACTICES[practice]}}


def _arms() -> dict[str, dict[str, Any]]:
    old = preset("old_world")
    arms = {
        "cio": old,
        # The new world as article 004 describes it: marketing decides and hires its own
        # technologists to push campaigns live (preset new_world).
        "cmo": _with(old, budget_owner="cmo", marketing_technologists=1),
        "gov_none": _with(old, data_governance="none"),
        "gov_clear": _with(old, data_governance="clear"),
        "meet_2": _with(old, meeting_interval=2),
        "meet_1": _with(old, meeting_interval=1),
        "best": preset("best_practice"),
        "trust_low": _with(old, initial_trust=0.15),
        "trust_high": _with(old, initial_trust=0.85),
        "combined": preset("combined_role"),
        "shared": _with(preset("combined_role"), combined_role=False),
        "combined_busy": _with(preset("combined_role"), n_marketers=80),
        "lax": _with(old, cio_risk=0.9),
        "cautious": _with(old, cio_risk=0.2),
        "half_budget": _with(old, martech_budget=old["martech_budget"] / 2),
        PILOT_BASELINE: _with(old, emerging_rate=PRACTICES["pilots"]["emerging_rate"]),
        "x5": _with(old, **{name: old[name] * SCALE for name in SCALED}),
    }
    for name, changes in PRACTICES.items():
        arms[f"+{name}"] = _with(old, **changes)
    best = preset("best_practice")
    for name in PRACTICES:
        arms[f"best-{name}"] = without_practice(best, name)
    return arms


Col = dict[str, Callable[[str], np.ndarray]]

# S1: a firm SCALE times larger in people, capabilities, budgets and the executive hours given
# to martech (its CIO and CMO decide through deputies) should behave like a larger copy of
# old_world: its extensive outcomes divided by SCALE, and its shares, within these margins of
# the original's (equivalence: the whole 95% interval inside). The margins are the resolution
# at which the tables of section 9 are read (a 15% change in a rate, 0.1 in a share). With the
# same hours, attention binds (ODD 7.7): that firm is not a copy, by design.
SCALE = 5
SCALED = ("n_marketers", "n_engineers", "n_capabilities", "martech_budget",
          "marketing_discretionary", "exec_attention")  # fmt: skip
SCALE_MARGIN_REL = 0.15
SCALE_MARGIN_SHARE = 0.1


def _p1(runs, col: Col) -> list[Check]:
    cmo, cio = col["cmo"], col["cio"]
    checks = [
        _diff("P1", f"cmo - cio: {name.replace('_', ' ')} > 0", cmo(name), cio(name), +1)
        for name in ("campaign_velocity", "tool_count", "redundant_tools", "unreviewed_tools")
    ]
    checks.append(_diff("P1", "cmo - cio: expected breaches > 0", cmo(RISK), cio(RISK), +1))
    for name in ("median_lead_time", "shadow_spend_share"):
        label = name.replace("_", " ")
        checks.append(_diff("P1", f"cio - cmo: {label} > 0", cio(name), cmo(name), +1))
    return checks


# Breaches are rare (a few per run), so claims about them are tested on the expected number of
# breaches: the sum of every tool's weekly breach probability, the same mechanism without the
# noise of the final draw (ODD 9).
RISK = "breach_risk"
# "No slower": data access under clear governance is at most this much slower (weeks).
NON_INFERIORITY_WEEKS = 0.25


def _p2(runs, col: Col) -> list[Check]:
    clear, none = col["gov_clear"], col["gov_none"]
    access = paired_diff(clear("data_access_weeks"), none("data_access_weeks"))
    return [
        _diff("P2", "clear - none: expected breaches < 0", clear(RISK), none(RISK), -1),
        _diff(
            "P2",
            "clear - none: compliance incidents < 0",
            clear("compliance_incidents"),
            none("compliance_incidents"),
            -1,
        ),
        Check(
            "P2",
            f"clear - none: data access no slower (CI upper < {NON_INFERIORITY_WEEKS} wk)",
            access,
            access.high < NON_INFERIORITY_WEEKS,
        ),
    ]


def _p3(runs, col: Col) -> list[Check]:
    never, fortnight, weekly = col["cio"], col["meet_2"], col["meet_1"]
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
        est = mean_ci(never(outcome) - 2 * fortnight(outcome) + weekly(outcome))
        checks.append(
            Check(
                "P3",
                f"diminishing returns in {outcome.replace('_', ' ')}: (never - fortnightly) - "
                "(fortnightly - weekly) > 0",
                est,
                est.low > 0,
            )
        )
    return checks


def _p4(runs, col: Col) -> list[Check]:
    best, old = col["best"], col["cio"]
    return [
        _diff(
            "P4",
            "best_practice - old_world: campaign velocity > 0",
            best("campaign_velocity"),
            old("campaign_velocity"),
            +1,
        ),
        _diff("P4", "best_practice - old_world: expected breaches < 0", best(RISK), old(RISK), -1),
        _diff(
            "P4",
            "best_practice - old_world: coordination cost > 0",
            best("coordination_cost"),
            old("coordination_cost"),
            +1,
        ),
    ]


def _p5(runs, col: Col) -> list[Check]:
    with_p, without = runs["+platform"], runs["cio"]

    def launches(rs, start, end):
        return [_window(r, "campaigns_launched", start, end) for r in rs]

    return [
        _diff(
            "P5",
            "platform - none: launches in weeks 1-26 < 0",
            launches(with_p, 0, 26),
            launches(without, 0, 26),
            -1,
        ),
        _diff(
            "P5",
            "platform - none: launches in weeks 105-156 > 0",
            launches(with_p, 104, 156),
            launches(without, 104, 156),
            +1,
        ),
        _diff(
            "P5",
            "platform - none: shadow tools < 0",
            col["+platform"]("shadow_tools"),
            col["cio"]("shadow_tools"),
            -1,
        ),
    ]


def _p6(runs, col: Col) -> list[Check]:
    on, off = col["+liaison"], col["cio"]
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
        trust = run.series["trust"]
        typical = float(np.median(np.diff(trust)))
        for week in run.shadow_breach_weeks:
            if 1 <= week < len(trust):
                drops.append(float(trust[week] - trust[week - 1]) - typical)
    return np.array(drops)


def bypass_rates_by_trust(runs: list[Run], threshold: float = 0.5) -> tuple[float, float]:
    """Pooled weekly bypass rate in weeks that start with trust below / above ``threshold``."""
    low_n = low_b = high_n = high_b = 0.0
    for run in runs:
        trust = run.series["trust"][:-1]
        bypasses = np.diff(run.series["bypasses"])
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


def _p7(runs, col: Col) -> list[Check]:
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
            "series: weekly bypass rate at trust < 0.5 minus at trust >= 0.5 > 0",
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


def _p8(runs, col: Col) -> list[Check]:
    combined, shared, busy = col["combined"], col["shared"], col["combined_busy"]
    conflicts = mean_ci(combined("conflicts"))
    return [
        Check(
            "P8",
            "combined role: no executive conflicts (mean 0: no counterpart to disagree with)",
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


def _worse(name: str, est: Estimate) -> bool:
    """Whether a paired difference shows the practice significantly worse on ``name``."""
    if {**OUTCOMES, **DIAGNOSTICS}[name].better == "higher":
        return est.high < 0
    return est.low > 0


def _baseline(practice: str) -> str:
    return PILOT_BASELINE if practice == "pilots" else "cio"


def _t1(runs, col: Col) -> list[Check]:
    free = []
    for practice in PRACTICES:
        on, off = col[f"+{practice}"], col[_baseline(practice)]
        if not any(_worse(name, paired_diff(on(name), off(name))) for name in HEADLINE):
            free.append(practice)
    count = mean_ci([float(len(free))] * 2)
    names = ", ".join(free) or "none"
    return [Check("T1", f"at most 2 practices cost nothing on any headline ({names})", count,
                  len(free) <= 2)]  # fmt: skip


def _t4(runs, col: Col) -> list[Check]:
    """Doing everything is not best: dropping some practice from best_practice adds net value.

    How many practices cost nothing within the bundle is printed by validate's bundle table; it
    is not a check, since it counts non-significant effects and so moves with the seed count.
    """
    best = col["best"]
    gains = {
        practice: paired_diff(col[f"best-{practice}"]("net_value"), best("net_value"))
        for practice in PRACTICES
    }
    leader = max(gains, key=lambda p: gains[p].value)
    claim = (
        f"best_practice without its costliest practice - best_practice: net value > 0 ({leader})"
    )
    return [Check("T4", claim, gains[leader], gains[leader].low > 0)]


def _t2(runs, col: Col) -> list[Check]:
    lax, cautious = col["lax"], col["cautious"]
    return [
        _diff("T2", "lax - cautious CIO: expected breaches > 0", lax(RISK), cautious(RISK), +1),
        _diff(
            "T2",
            "cautious - lax CIO: purchases around IT (bypasses) > 0",
            cautious("bypasses"),
            lax("bypasses"),
            +1,
        ),
        _diff(
            "T2",
            "cautious - lax CIO: mean lead time > 0",
            cautious("mean_lead_time"),
            lax("mean_lead_time"),
            +1,
        ),
    ]


def _t3(runs, col: Col) -> list[Check]:
    half, full = col["half_budget"], col["cio"]
    cut = mean_ci(half("tech_spend") / full("tech_spend") - 1.0)
    value = paired_diff(half("campaign_value"), full("campaign_value"))
    velocity = paired_diff(half("campaign_velocity"), full("campaign_velocity"))
    lower = value if value.high < 0 or velocity.high >= 0 else velocity
    return [
        Check(
            "T3",
            "half - full martech budget: tech spend cut by 10% or more",
            cut,
            cut.value <= -0.10 and cut.high < 0,
        ),
        Check(
            "T3",
            "half - full martech budget: campaign value (or velocity) < 0",
            lower,
            lower.high < 0,
        ),
    ]


def _s1(runs, col: Col) -> list[Check]:
    big, base = col["x5"], col["cio"]
    checks = []
    for name, label in (
        ("campaign_velocity", "campaign velocity per marketer"),
        ("tool_count", "tools per capability"),
        (RISK, "expected breaches per capability"),
        ("tech_spend", "tech spend per budget dollar"),
    ):
        mean = float(np.mean(base(name)))
        est = paired_diff(big(name) / SCALE, base(name))
        rel = Estimate(est.value / mean, est.low / mean, est.high / mean, est.n)
        claim = f"x{SCALE} / {SCALE} vs old_world: {label} within +-{SCALE_MARGIN_REL:.0%}"
        checks.append(
            Check("S1", claim, rel, -SCALE_MARGIN_REL < rel.low <= rel.high < SCALE_MARGIN_REL)
        )
    for name in ("trust", "shadow_spend_share"):
        est = paired_diff(big(name), base(name))
        claim = f"x{SCALE} - old_world: {name.replace('_', ' ')} within +-{SCALE_MARGIN_SHARE}"
        inside = -SCALE_MARGIN_SHARE < est.low <= est.high < SCALE_MARGIN_SHARE
        checks.append(Check("S1", claim, est, inside))
    return checks


PATTERNS: dict[str, tuple[tuple[str, ...], Callable[..., list[Check]]]] = {
    "P1": (("cio", "cmo"), _p1),
    "P2": (("gov_none", "gov_clear"), _p2),
    "P3": (("cio", "meet_2", "meet_1"), _p3),
    "P4": (("best", "cio"), _p4),
    "P5": (("+platform", "cio"), _p5),
    "P6": (("+liaison", "cio"), _p6),
    "P7": (("cio", "trust_low", "trust_high"), _p7),
    "P8": (("combined", "shared", "combined_busy"), _p8),
    "T1": (("cio", PILOT_BASELINE, *(f"+{p}" for p in PRACTICES)), _t1),
    "T2": (("lax", "cautious"), _t2),
    "T3": (("half_budget", "cio"), _t3),
    "T4": (("best", *(f"best-{p}" for p in PRACTICES)), _t4),
    "S1": (("x5", "cio"), _s1),
}


def patterns(
    seeds: Iterable[int],
    workers: int = 1,
    only: Iterable[str] = (),
    constants: dict[str, float] | None = None,
) -> list[Check]:
    """The checks of every pattern (or of those named in ``only``), all on the same seeds.

    ``constants`` overrides behavioural constants in every run; None keeps the defaults.
    """
    chosen = list(only) or list(PATTERNS)
    return checks_on(
        run_named_arms(pattern_arms(chosen), seeds, workers, constants=constants), chosen
    )


def pattern_arms(only: Iterable[str] = ()) -> set[str]:
    """The arms the patterns named in ``only`` (default: all) compare."""
    return {arm for pid in list(only) or list(PATTERNS) for arm in PATTERNS[pid][0]}


def run_named_arms(
    names: Iterable[str],
    seeds: Iterable[int],
    workers: int = 1,
    steps: int = STEPS,
    constants: dict[str, float] | None = None,
) -> dict[str, list[Run]]:
    """Run the named arms of this module (``cio``, ``+meetings``, ``best-liaison`` ...)."""
    arms = _arms()
    return run_arms({name: arms[name] for name in sorted(names)}, seeds, workers, steps, constants)


def checks_on(runs: dict[str, list[Run]], only: Iterable[str] = ()) -> list[Check]:
    """The checks of the patterns named in ``only`` (default: all), on runs of their arms."""
    col = {name: (lambda o, r=r: column(r, o)) for name, r in runs.items()}
    checks: list[Check] = []
    for pid in list(only) or list(PATTERNS):
        checks += PATTERNS[pid][1](runs, col)
    return checks


def format_patterns(checks: list[Check], n: int) -> str:
    """The pattern checks as text."""
    lines = [f"Patterns, {n} seeds per arm (mean paired difference, 95% CI):"]
    for c in checks:
        e = c.estimate
        mark = "pass" if c.passed else "FAIL"
        known = "  (known not to hold)" if c.claim in NOT_HOLDING and not c.passed else ""
        lines.append(
            f"  {c.pattern} {mark}  {c.claim:<78} {fmt(e.value):>8} [{fmt(e.low)}, {fmt(e.high)}]"
            + known
        )
    return "\n".join(lines)
