"""What carries a lever's effect: ``cxo-sim explain`` (ODD section 9.10).

A lever is a change to a baseline parameter set: one of the eight practices added to
``old_world`` (``patterns.PRACTICES``), a change of decision rights, a preference, a preset, or any
``KEY=VALUE`` setting on ``old_world``. :func:`explain` runs the baseline and the lever on common
seeds (common random numbers) with every mechanism switch on (``constants.SWITCHES``), then again
with each switch off in turn. For each headline outcome:

- the effect is the mean of the per-seed differences lever - baseline, with a 95% t interval
  (``patterns.paired_diff``);
- the share a mechanism carries is ``1 - effect_off / effect_on``, where ``effect_off`` is the
  same paired difference with that mechanism switched off in both arms: 100% means the effect
  vanishes without the mechanism, 0% that the mechanism plays no part, more than 100% that other
  mechanisms pull the other way, and a negative share that the mechanism holds the effect back.
  Its 95% interval is a percentile bootstrap over seeds (the same resampled seeds in both
  arms), computed only when the effect's own interval excludes zero ("n.s." otherwise). Shares
  of several mechanisms need not add up to 100%: mechanisms interact.

The switches are read from ``constants.SWITCHES`` at run time, so a mechanism that gains a switch
is explained without a change here. Runs go through ``experiments.engine.process_map``: the results
are the same for any number of workers, and a run two levers share (their baseline, with or
without a switch) is made once.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from cxo_sim.analysis.numbers import fmt, value_text
from cxo_sim.analysis.stats import Estimate
from cxo_sim.constants import ARGUED, CONSTANTS, SWITCHES
from cxo_sim.experiments.engine import process_map, run_deadline
from cxo_sim.experiments.single_run import Weekly, run_model
from cxo_sim.outcomes import DIAGNOSTICS, OUTCOMES
from cxo_sim.params import PARAMETERS, did_you_mean, parse_assignment
from cxo_sim.presets import PRESETS, preset
from cxo_sim.validation.arms import STEPS
from cxo_sim.validation.patterns import (
    HEADLINE,
    PRACTICES,
    RISK,
    _arms,
    _baseline,
    paired_diff,
    without_practice,
)

# Seeds of explain start here by default: held out from the tests (from 1), validate (10,000)
# and robustness (20,000).
FIRST_SEED = 70_000
SEEDS = 50
# Outcomes the model may return beyond patterns.HEADLINE that belong among the headlines.
EXTRA_HEADLINE = ("net_value",)
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 7
# A mechanism "mainly" carries an effect, in the summary sentence, from this share up.
MAIN_SHARE = 0.25

# The behavioural constants each switched mechanism rests on, read from the model code: those
# the switched branch alone uses (the meetings' backlog review also settles negotiations with
# the executives' scores, whose constants every decision shares, and they are not listed). A
# switch missing here is reported as resting on unknown constants;
# tests/validation/test_explain.py fails until its entry is added.
MECHANISM_CONSTANTS: dict[str, tuple[str, ...]] = {
    "MECH_DISCLOSURE": ("DISCLOSE_STAKE", "AMNESTY_DOUBT"),
    "MECH_AGENDA": ("AGENDA_ITEM_HOURS",),
    "MECH_BACKLOG_REVIEW": ("REUSE_FIT", "INVENTORY_RECALL_IT"),
    "MECH_DISCOVERY": ("SHADOW_DISCOVERY", "NOTICE_RATE"),
    "MECH_RETIREMENT": ("RATIONALISE_EVERY", "UNUSED_WEEKS", "CANCEL_IDLE", "RETIRE_DAYS"),
    "MECH_CONTESTED_RETIREMENT": ("UNUSED_WEEKS",),
    "MECH_MIGRATION": ("MIGRATE_DATA_DAYS", "MIGRATE_LINK_DAYS", "MIGRATION_FIT", "NOTICE_WEEKS"),
    "MECH_INVENTORY_RECALL": (
        "INVENTORY_RECALL_IT",
        "INVENTORY_RECALL_CMO",
        "REUSE_FIT",
    ),
    "MECH_SHARED_VISIBILITY": ("FIND_KNOWN_SHARED", "JUSTIFY_HOURS"),
    "MECH_LIAISON_VETTING": ("VET_HOURS", "LIAISON_HOURS", "VETTED_WEAKNESS_B", "REUSE_FIT"),
    "MECH_LIAISON_MEDIATION": ("MEDIATE_HOURS", "LIAISON_HOURS"),
    "MECH_OTHER_WORK": ("OTHER_WORK_SHARE",),
    "MECH_TIGHTENING": ("TIGHTENING_DEPTH", "TIGHTENING_DECAY"),
    "MECH_WATCH_TIME": ("UPKEEP_DAYS", "DISCOVERY_DAYS"),
    "MECH_OPS_PAID": ("ENGINEER_DAY_COST",),
    "MECH_SEATS": ("SEAT_SHARE", "ACCESS_DAYS"),
    "MECH_TRUST_EXPECTATION": ("URGENCY_RATE", "OVERDUE_SHARE", "CAUGHT_COST"),
    "MECH_RELEASE": ("RELEASE_INTERVAL", "LAUNCH_DAYS"),
    "MECH_MARKETING_RELEASE": ("LAUNCH_DAYS", "TECHNOLOGIST_COST"),
    "MECH_LEARNING": ("LEARN_LAUNCHES", "PILOT_NOISE"),
    "MECH_IDEA_RESPONSE": ("PURSUE_FLOOR", "SUCCESS_MEMORY"),
    "MECH_SHARED_FUNDING": ("SHARED_FUNDING",),
    "MECH_PILOT_VERDICT": ("PILOT_NOISE", "PILOT_WEEKS"),
}


def mechanism_constants(switch: str) -> tuple[str, ...] | None:
    """The constants a switched mechanism rests on; None when they are unknown (no entry)."""
    return MECHANISM_CONSTANTS.get(switch)


def rests_on_argued(switch: str) -> bool | None:
    """Whether every constant of the mechanism is argued (unsourced); None when unknown."""
    names = mechanism_constants(switch)
    if not names:
        return None
    return all(CONSTANTS[name].source.startswith(ARGUED) for name in names)


def mechanism_label(switch: str) -> str:
    """A switch in words: ``MECH_BACKLOG_REVIEW`` -> "backlog review"."""
    return switch.removeprefix("MECH_").lower().replace("_", " ")


def outcome_label(name: str) -> str:
    """An outcome in words, as the tradeoff table names it."""
    return "expected breaches" if name == RISK else name.replace("_", " ")


def better(name: str) -> str:
    """Which way is better for an outcome: "higher", "lower" or "" (neither)."""
    declared = {**OUTCOMES, **DIAGNOSTICS}.get(name)
    return declared.better if declared is not None else ""


def headline(outcomes: Iterable[str]) -> tuple[str, ...]:
    """The headline outcomes a run returned: ``patterns.HEADLINE`` plus net_value when present."""
    present = set(outcomes)
    return tuple(name for name in dict.fromkeys((*HEADLINE, *EXTRA_HEADLINE)) if name in present)


# ------------------------------------------------------------------------------- levers
@dataclass(frozen=True)
class Lever:
    """A change to a baseline parameter set.

    Attributes:
        name: what ``cxo-sim explain`` calls it.
        kind: "practice", "decision rights", "preference", "preset" or "setting".
        baseline_name: the baseline in words.
        baseline: the baseline's complete parameter set.
        params: the lever arm's complete parameter set.
    """

    name: str
    kind: str
    baseline_name: str
    baseline: dict[str, Any]
    params: dict[str, Any]

    def changes(self) -> str:
        """What the lever changes, e.g. "meeting_interval 0 -> 2"."""
        return ", ".join(
            f"{k} {value_text(self.baseline[k])} -> {value_text(v)}"
            for k, v in self.params.items()
            if self.baseline[k] != v
        )


# Preference levers on old_world: a lax CIO (T2's arm) and a patient CMO (urgency from 0.8 to 0.2).
PREFERENCES = {"cio_risk": 0.9, "cmo_speed": 0.2}


def _levers() -> dict[str, Lever]:
    arms = _arms()
    old = preset("old_world")
    levers = {}
    for name in PRACTICES:
        base = "old_world" if _baseline(name) == "cio" else "old_world, emerging_rate 4"
        levers[name] = Lever(name, "practice", base, arms[_baseline(name)], arms[f"+{name}"])
    rights = {
        "new_world": preset("new_world"),
        "shared": {**old, "budget_owner": "shared"},
        "combined_role": preset("combined_role"),
    }
    for name, params in rights.items():
        levers[name] = Lever(name, "decision rights", "old_world", old, params)
    for name, value in PREFERENCES.items():
        levers[name] = Lever(name, "preference", "old_world", old, {**old, name: value})
    for name in PRESETS:
        if name not in levers and name != "old_world":
            levers[name] = Lever(name, "preset", "old_world", old, preset(name))
    return levers


LEVERS: dict[str, Lever] = _levers()


def lever(name: str) -> Lever:
    """A named lever, a preset, or ``KEY=VALUE`` on ``old_world``.

    Raises:
        ValueError: for an unknown name (with the closest known one), a bad setting, or a
            setting that old_world already has.
    """
    if name in LEVERS:
        return LEVERS[name]
    if "=" in name:
        key, value = parse_assignment(name)
        old = preset("old_world")
        if old[key] == value:
            raise ValueError(f"lever {name!r}: old_world already has {key}={value_text(value)}")
        return Lever(name, "setting", "old_world", old, {**old, key: value})
    if name == "old_world":
        raise ValueError("old_world is the baseline; name a lever to compare with it")
    hint = did_you_mean(name, [*LEVERS, *PARAMETERS], 0.5)
    raise ValueError(f"unknown lever {name!r}{hint} (levers: {', '.join(LEVERS)}; or KEY=VALUE)")


# ------------------------------------------------------------------------------- runs
def lever_for(settings: dict[str, Any]) -> str | None:
    """The lever that makes ``settings`` out of ``old_world``, as ``cxo-sim explain`` names it.

    A named lever whose changes are exactly these, else ``KEY=VALUE`` for a single change, else
    None (several changes that no named lever makes, or none).
    """
    old = preset("old_world")
    changed = {k: v for k, v in settings.items() if k in old and old[k] != v}
    for name, one in LEVERS.items():
        if one.baseline == old and {k: v for k, v in one.params.items() if old[k] != v} == changed:
            return name
    if len(changed) == 1:
        ((key, value),) = changed.items()
        return f"{key}={value_text(value)}"
    return None


def within(name: str, bundle: str) -> Lever:
    """A practice explained within preset ``bundle``: the bundle against it without the practice.

    What the practice adds where the bundle's other practices are already done (the bundle table
    of ``validate``, ODD 9.6), or ``KEY=VALUE`` on the bundle.

    Raises:
        ValueError: an unknown preset, a practice the bundle does not have, a setting the bundle
            already has, or a lever that is neither a practice nor ``KEY=VALUE``.
    """
    try:
        base = preset(bundle)
    except ValueError as exc:
        raise ValueError(f"--within: {exc}") from None
    if name in PRACTICES:
        without = without_practice(base, name)
        if without == base:
            raise ValueError(f"lever {name!r}: {bundle} does not have it, so nothing to remove")
        return Lever(name, "practice", f"{bundle} without {name}", without, base)
    if "=" in name:
        key, value = parse_assignment(name)
        if base[key] == value:
            raise ValueError(f"lever {name!r}: {bundle} already has {key}={value_text(value)}")
        return Lever(name, "setting", bundle, base, {**base, key: value})
    raise ValueError(
        f"lever {name!r}: within {bundle}, name a practice ({', '.join(PRACTICES)}) or KEY=VALUE"
    )


def within_all(bundle: str) -> list[Lever]:
    """Every practice the preset ``bundle`` has, each explained within it."""
    try:
        base = preset(bundle)
    except ValueError as exc:
        raise ValueError(f"--within: {exc}") from None
    return [within(name, bundle) for name in PRACTICES if without_practice(base, name) != base]


def _freeze(params: dict[str, Any]) -> tuple:
    return tuple(sorted(params.items()))


def _run_job(job: tuple[dict[str, Any], int, int, str | None]) -> dict[str, float]:
    params, seed, steps, switch = job
    constants = {switch: 0} if switch else None
    return run_model(params, steps=steps, seed=seed, constants=constants, record=Weekly()).outcomes


@dataclass
class Plan:
    """The runs several analyses need, each made once: (parameter set, switch off) x seeds.

    Attributes:
        seeds: the seeds every arm runs on.
        steps: weeks per run.
        results: outcomes of each wanted arm, one dict per seed, once :meth:`run` has run.
    """

    seeds: list[int]
    steps: int = STEPS
    results: dict[tuple, list[dict[str, float]]] = field(default_factory=dict)
    _wanted: dict[tuple, None] = field(default_factory=dict)

    def want(self, params: dict[str, Any], switch: str | None = None) -> tuple:
        """Ask for an arm (``switch`` off, or every switch on); returns its key."""
        key = (_freeze(params), switch)
        self._wanted.setdefault(key, None)
        return key

    def run(self, workers: int = 1, progress: bool = False) -> None:
        """Make every wanted run not made yet, by ``process_map``, in a fixed order."""
        todo = [key for key in self._wanted if key not in self.results]
        if not todo:
            return  # nothing new: no pool to start
        jobs = [(dict(p), seed, self.steps, s) for p, s in todo for seed in self.seeds]
        outcomes = process_map(_run_job, jobs, workers, deadline=run_deadline(self.steps))
        bar = tqdm(outcomes, total=len(jobs), desc="explain", unit="run", file=sys.stderr,
                   disable=not progress, dynamic_ncols=True)  # fmt: skip
        done = list(bar)
        n = len(self.seeds)
        for i, key in enumerate(todo):
            self.results[key] = done[i * n : (i + 1) * n]

    def column(self, key: tuple, outcome: str) -> np.ndarray:
        """One outcome of one arm over the seeds."""
        return np.array([r[outcome] for r in self.results[key]], dtype=float)

    def outcomes(self, key: tuple) -> tuple[str, ...]:
        """The headline outcomes of an arm's runs."""
        return headline(self.results[key][0])


# ------------------------------------------------------------------------------- explain
@dataclass(frozen=True)
class Explanation:
    """A lever's effect on each headline outcome and the share each mechanism carries.

    Attributes:
        lever: the lever.
        n: seeds per arm.
        outcomes: the headline outcomes, in table order.
        switches: the switches turned off in turn.
        effect: outcome -> paired effect (lever - baseline) with every switch on.
        shares: outcome -> switch -> share of the effect the mechanism carries (a fraction,
            bootstrap CI); None where the effect itself is not significant.
        inert: switches whose removal left every per-seed effect exactly as it was.
        arms: "baseline" and "lever" -> outcome -> values over seeds (every switch on).
    """

    lever: Lever
    n: int
    outcomes: tuple[str, ...]
    switches: tuple[str, ...]
    effect: dict[str, Estimate]
    shares: dict[str, dict[str, Estimate | None]]
    inert: tuple[str, ...]
    arms: dict[str, dict[str, np.ndarray]]


def _keys(plan: Plan, lever: Lever, switches: Sequence[str]) -> dict[str | None, tuple]:
    return {
        s: (plan.want(lever.baseline, s), plan.want(lever.params, s)) for s in (None, *switches)
    }


def share_ci(on: np.ndarray, off: np.ndarray, seed: int = BOOTSTRAP_SEED) -> Estimate:
    """``1 - mean(off) / mean(on)`` of per-seed effects, with a paired percentile bootstrap.

    The same resampled seeds enter both means (the two effects were measured on the same
    seeds); a seed where either effect is undefined (a median of no launches) is left out.
    Vectorised over resamples: one explanation computes hundreds of these.
    """
    keep = np.isfinite(on) & np.isfinite(off)
    on, off = on[keep], off[keep]
    n = on.size
    value = 1.0 - off.mean() / on.mean()
    if np.array_equal(on, off):
        return Estimate(0.0, 0.0, 0.0, n)
    index = np.random.default_rng(seed).integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = 1.0 - off[index].mean(axis=1) / on[index].mean(axis=1)
    boot = boot[np.isfinite(boot)]
    if boot.size == 0:
        return Estimate(float(value), math.nan, math.nan, n)
    low, high = np.quantile(boot, [0.025, 0.975])
    return Estimate(float(value), float(low), float(high), n)


def _explanation(plan: Plan, lever: Lever, switches: Sequence[str]) -> Explanation:
    keys = _keys(plan, lever, switches)
    base_on, lever_on = keys[None]
    outcomes = plan.outcomes(base_on)
    effect, shares, per_seed = {}, {}, {}
    for name in outcomes:
        diffs = {s: plan.column(lv, name) - plan.column(b, name) for s, (b, lv) in keys.items()}
        per_seed[name] = diffs
        effect[name] = paired_diff(plan.column(lever_on, name), plan.column(base_on, name))
        shares[name] = {
            s: share_ci(diffs[None], diffs[s]) if effect[name].excludes_zero() else None
            for s in switches
        }
    inert = tuple(
        s
        for s in switches
        if all(np.array_equal(per_seed[o][s], per_seed[o][None], equal_nan=True) for o in outcomes)
    )
    arms = {
        arm: {name: plan.column(key, name) for name in outcomes}
        for arm, key in (("baseline", base_on), ("lever", lever_on))
    }
    return Explanation(
        lever, len(plan.seeds), outcomes, tuple(switches), effect, shares, inert, arms
    )


def chosen_switches(switches: Iterable[str] | None = None) -> tuple[str, ...]:
    """The switches to turn off: those named (checked), or every switch the model declares."""
    if switches is None:
        return tuple(SWITCHES)
    chosen = tuple(dict.fromkeys(switches))
    for name in chosen:
        if name not in SWITCHES:
            raise ValueError(f"unknown switch {name!r}{did_you_mean(name, SWITCHES, 0.5)}")
    return chosen


def plan_levers(plan: Plan, levers: Sequence[Lever], switches: Sequence[str]) -> None:
    """Ask ``plan`` for every run :func:`explanations` will read."""
    for one in levers:
        _keys(plan, one, switches)


def explanations(plan: Plan, levers: Sequence[Lever], switches: Sequence[str]) -> list:
    """The explanation of each lever from a plan that has run (see :func:`plan_levers`)."""
    return [_explanation(plan, one, switches) for one in levers]


def explain(
    levers: Sequence[str | Lever],
    seeds: Iterable[int],
    workers: int = 1,
    switches: Iterable[str] | None = None,
    steps: int = STEPS,
    progress: bool = False,
) -> list[Explanation]:
    """Explain each lever: its paired effects and the share each mechanism carries.

    Args:
        levers: lever names (see :func:`lever`) or levers.
        seeds: the seeds every arm runs on.
        workers: local processes (1: in this process); the results do not depend on it.
        switches: the switches to turn off in turn (default: every declared switch).
        steps: weeks per run.
        progress: show a progress bar on stderr.
    """
    chosen = [one if isinstance(one, Lever) else lever(one) for one in levers]
    names = chosen_switches(switches)
    plan = Plan(list(seeds), steps)
    plan_levers(plan, chosen, names)
    plan.run(workers, progress)
    return explanations(plan, chosen, names)


# ------------------------------------------------------------------------------- printing
def percent(est: Estimate | None) -> str:
    """A share as "62% [41, 85]"; "n.s." when its effect is not significant."""
    if est is None:
        return "n.s."
    if est.low == est.high == est.value:
        return f"{_whole(est.value)}%"
    if math.isnan(est.low):
        return f"{_whole(est.value)}% [no CI]"
    return f"{_whole(est.value)}% [{_whole(est.low)}, {_whole(est.high)}]"


def _whole(share: float) -> str:
    """A share as a whole percentage; an integer, so a rounded zero has no sign ("-0")."""
    return str(round(100 * share))


def _effect_text(est: Estimate) -> str:
    return f"{fmt(est.value)} [{fmt(est.low)}, {fmt(est.high)}]"


def summary(e: Explanation, top: int = 3) -> str:
    """One sentence: the lever's largest significant effects and the mechanisms carrying them."""
    significant = [o for o in e.outcomes if e.effect[o].excludes_zero()]
    if not significant:
        return f"{e.lever.name} changes no headline outcome significantly on {e.n} seeds."

    def strength(name: str) -> float:
        est = e.effect[name]
        return abs(est.value) / est.half_width if est.half_width else math.inf

    clauses = []
    for name in sorted(significant, key=strength, reverse=True)[:top]:
        shares = {s: est.value for s, est in e.shares[name].items() if est is not None}
        carried = sorted((s for s in shares if shares[s] >= MAIN_SHARE), key=lambda s: -shares[s])
        through = " and ".join(
            f"{mechanism_label(s)} ({percent(e.shares[name][s])})" for s in carried[:2]
        )
        how = f"mainly through {through}" if through else "with no mechanism carrying a quarter"
        verb = "raises" if e.effect[name].value > 0 else "cuts"
        clauses.append(f"{verb} {outcome_label(name)} ({fmt(e.effect[name].value)}) {how}")
    return f"{e.lever.name} " + "; ".join(clauses) + "."


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def format_explanation(e: Explanation) -> str:
    """A lever's table as Markdown: effect and mechanism shares per headline outcome."""
    active = [s for s in e.switches if s not in e.inert]
    lines = [
        f"### {e.lever.name} ({e.lever.kind}: {e.lever.changes()}; vs {e.lever.baseline_name})",
        "",
        f"Paired effect (lever - baseline), {e.n} seeds, mean [95% CI]; share of the effect each "
        "mechanism carries, 1 - effect without it / effect with it, % [95% bootstrap CI]; n.s.: "
        "effect not significant.",
        "",
        _row(["outcome", "effect", *map(mechanism_label, active)]),
        "|---" * (len(active) + 2) + "|",
    ]
    for name in e.outcomes:
        cells = [percent(e.shares[name][s]) for s in active]
        lines.append(_row([outcome_label(name), _effect_text(e.effect[name]), *cells]))
    if e.inert:
        lines += [
            "",
            "Changing nothing here (0%): " + ", ".join(map(mechanism_label, e.inert)) + ".",
        ]
    lines += ["", summary(e)]
    return "\n".join(lines)
