"""Artefact diagnostics (ODD section 9.10): shadow prices and the flags of a suspect result.

- Shadow prices: for each declared binding resource (:data:`RESOURCES`: executive hours,
  engineers, each budget), the paired effect of 50% more of it on the headline outcomes at the
  default firm (``old_world``). A resource whose increase changes no headline outcome
  significantly does not bind, and is flagged.
- Flags, each one line (:class:`Flag`):

  - "argued": a significant headline effect of which a mechanism carries more than half (point
    estimate of its share) while every constant it rests on is argued, unsourced
    (``explain.MECHANISM_CONSTANTS``; a mechanism with no entry counts as unknown, and is
    flagged too);
  - "pinned": a headline outcome with zero variance across seeds, or a share-type outcome (in
    [0, 1]) at 0 or 1 in at least half the seeds, in any arm run with every switch on;
  - "free lunch": a lever significantly better on some headline outcome and significantly worse
    on none, net_value included when the model returns it;
  - "does not bind": a resource whose shadow price is nil.

Covered by ``tests/validation/test_explain.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxo_sim.analysis.numbers import fmt, value_text
from cxo_sim.analysis.stats import Estimate
from cxo_sim.outcomes import DIAGNOSTICS, OUTCOMES
from cxo_sim.params import PARAMETERS
from cxo_sim.presets import preset
from cxo_sim.validation.arms import STEPS
from cxo_sim.validation.explain import (
    EXTRA_HEADLINE,
    LEVERS,
    Explanation,
    Lever,
    Plan,
    better,
    chosen_switches,
    explanations,
    mechanism_constants,
    mechanism_label,
    outcome_label,
    percent,
    plan_levers,
    rests_on_argued,
)
from cxo_sim.validation.patterns import paired_diff

# The binding resources of the firm: label -> the parameter that sets it.
RESOURCES = {
    "executive hours": "exec_attention",
    "engineer time": "n_engineers",
    "martech budget": "martech_budget",
    "marketing discretionary budget": "marketing_discretionary",
}
MORE = 0.5
# A mechanism carries an effect "mainly" from this share up (the argued-constants flag).
ARGUED_SHARE = 0.5
# A share-type outcome is pinned when at least this share of seeds sits at 0 or 1.
PINNED_SEEDS = 0.5


@dataclass(frozen=True)
class Flag:
    """A result that may be an artefact of the model rather than of the world it describes.

    Attributes:
        kind: "argued", "pinned", "free lunch" or "does not bind".
        subject: the lever, arm or resource concerned.
        text: one line saying what was found.
    """

    kind: str
    subject: str
    text: str


@dataclass(frozen=True)
class ShadowPrice:
    """The effect of 50% more of a resource at the default firm.

    Attributes:
        resource: the resource in words.
        parameter: the parameter that sets it.
        before: its value in old_world.
        after: the value with 50% more (rounded for a count).
        effect: outcome -> paired effect (more - default) with its 95% CI.
        values: outcome -> values over seeds with more of the resource.
    """

    resource: str
    parameter: str
    before: Any
    after: Any
    effect: dict[str, Estimate]
    values: dict[str, np.ndarray]

    @property
    def arm(self) -> str:
        """The arm with more of the resource, in words."""
        return f"old_world, {self.parameter} {value_text(self.after)}"

    @property
    def binds(self) -> bool:
        """Whether more of the resource changes some headline outcome significantly."""
        return any(est.excludes_zero() for est in self.effect.values())


def more_of(params: dict[str, Any], name: str, by: float = MORE) -> dict[str, Any]:
    """``params`` with ``by`` more of parameter ``name`` (rounded for a count, within bounds)."""
    declared = PARAMETERS[name]
    value = params[name] * (1.0 + by)
    value = round(value) if declared.kind == "int" else value
    return {**params, name: declared.validate(min(value, declared.high))}


def _resource_arms(base: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {label: more_of(base, name) for label, name in RESOURCES.items()}


def shadow_prices(plan: Plan) -> list[ShadowPrice]:
    """The shadow price of each resource, from a plan asked for them (:func:`plan_shadow`)."""
    base = preset("old_world")
    base_key = plan.want(base)
    prices = []
    for label, params in _resource_arms(base).items():
        key = plan.want(params)
        name = RESOURCES[label]
        values = {o: plan.column(key, o) for o in plan.outcomes(base_key)}
        effect = {o: paired_diff(v, plan.column(base_key, o)) for o, v in values.items()}
        prices.append(ShadowPrice(label, name, base[name], params[name], effect, values))
    return prices


def plan_shadow(plan: Plan) -> None:
    """Ask ``plan`` for the runs of :func:`shadow_prices`."""
    base = preset("old_world")
    plan.want(base)
    for params in _resource_arms(base).values():
        plan.want(params)


# ------------------------------------------------------------------------------- flags
def _significant(est: Estimate, name: str) -> int:
    """+1 significantly better, -1 significantly worse, 0 neither (or no better side)."""
    side = better(name)
    if not side or not est.excludes_zero():
        return 0
    up = est.low > 0
    return 1 if up == (side == "higher") else -1


def argued_flags(explained: Iterable[Explanation]) -> list[Flag]:
    """Significant effects carried mainly by a mechanism resting only on argued constants."""
    flags = []
    for e in explained:
        for name in e.outcomes:
            for switch, share in e.shares[name].items():
                if share is None or not share.value > ARGUED_SHARE:
                    continue
                argued = rests_on_argued(switch)
                if argued is False:
                    continue
                names = mechanism_constants(switch)
                basis = (
                    f"whose constants are all argued ({', '.join(names)})"
                    if names
                    else f"whose constants are unknown ({switch} has no entry in "
                    "explain.MECHANISM_CONSTANTS)"
                )
                flags.append(
                    Flag(
                        "argued",
                        e.lever.name,
                        f"{percent(share)} of the effect of {e.lever.name} on "
                        f"{outcome_label(name)} runs through {mechanism_label(switch)}, {basis}",
                    )
                )
    return flags


def _bounded(name: str) -> bool:
    """Whether an outcome is a share in [0, 1]: dimensionless with a better side."""
    declared = {**OUTCOMES, **DIAGNOSTICS}.get(name)
    return declared is not None and declared.unit == "" and declared.better != ""


def pinned_flags(arms: dict[str, dict[str, np.ndarray]]) -> list[Flag]:
    """Outcomes pinned in an arm: zero variance across seeds, or a share at a bound.

    Args:
        arms: arm label -> outcome -> values over seeds.
    """
    flags = []
    for arm, outcomes in arms.items():
        for name, values in outcomes.items():
            values = values[np.isfinite(values)]
            if values.size < 2:
                continue
            if np.ptp(values) == 0:
                text = (
                    f"{outcome_label(name)} is {fmt(float(values[0]))} on every one of "
                    f"{values.size} seeds in arm {arm} (zero variance)"
                )
                flags.append(Flag("pinned", arm, text))
                continue
            if _bounded(name):
                at = np.mean((values == 0.0) | (values == 1.0))
                if at >= PINNED_SEEDS:
                    text = f"{outcome_label(name)} is at 0 or 1 on {at:.0%} of seeds in arm {arm}"
                    flags.append(Flag("pinned", arm, text))
    return flags


def free_lunch_flags(explained: Iterable[Explanation]) -> list[Flag]:
    """Levers better on some headline outcome and worse on none."""
    flags = []
    for e in explained:
        verdicts = {name: _significant(e.effect[name], name) for name in e.outcomes}
        gains = [outcome_label(n) for n, v in verdicts.items() if v > 0]
        if gains and not any(v < 0 for v in verdicts.values()):
            missing = [n for n in EXTRA_HEADLINE if n not in e.outcomes]
            note = f" ({', '.join(missing)} not among the outcomes)" if missing else ""
            text = (
                f"{e.lever.name} is better or equal on every headline outcome{note}: better on "
                f"{', '.join(gains)}, significantly worse on none"
            )
            flags.append(Flag("free lunch", e.lever.name, text))
    return flags


def binding_flags(prices: Iterable[ShadowPrice]) -> list[Flag]:
    """Resources whose 50% increase changes no headline outcome."""
    return [
        Flag(
            "does not bind",
            p.resource,
            f"{p.resource} ({p.parameter} {value_text(p.before)} -> {value_text(p.after)}) "
            "changes no headline outcome significantly",
        )
        for p in prices
        if not p.binds
    ]


def flags(explained: Sequence[Explanation], prices: Sequence[ShadowPrice] = ()) -> list[Flag]:
    """Every flag of these explanations and shadow prices."""
    arms: dict[str, dict[str, np.ndarray]] = {}
    for e in explained:
        arms.setdefault(e.lever.baseline_name, e.arms["baseline"])
        arms.setdefault(e.lever.name, e.arms["lever"])
    for price in prices:
        arms.setdefault(price.arm, price.values)
    return (
        argued_flags(explained)
        + pinned_flags(arms)
        + free_lunch_flags(explained)
        + binding_flags(prices)
    )


@dataclass(frozen=True)
class Diagnosis:
    """Explanations, shadow prices and flags measured on one set of runs."""

    explanations: list[Explanation]
    shadow_prices: list[ShadowPrice]
    flags: list[Flag]


def diagnose(
    levers: Sequence[Lever] | None,
    seeds: Iterable[int],
    workers: int = 1,
    switches: Iterable[str] | None = None,
    steps: int = STEPS,
    shadow: bool = True,
    progress: bool = False,
) -> Diagnosis:
    """Explain ``levers`` (default: every named lever), measure the shadow prices, flag.

    One plan: the baseline runs the levers and the shadow prices share are made once.
    """
    chosen = list(LEVERS.values()) if levers is None else list(levers)
    names = chosen_switches(switches)
    plan = Plan(list(seeds), steps)
    plan_levers(plan, chosen, names)
    if shadow:
        plan_shadow(plan)
    plan.run(workers, progress)
    explained = explanations(plan, chosen, names)
    prices = shadow_prices(plan) if shadow else []
    return Diagnosis(explained, prices, flags(explained, prices))


# ------------------------------------------------------------------------------- printing
def format_shadow_prices(prices: Sequence[ShadowPrice], n: int) -> str:
    """The shadow prices as Markdown: one row per resource, one column per headline outcome."""
    if not prices:
        return ""
    outcomes = list(prices[0].effect)
    lines = [
        f"Shadow prices: 50% more of each resource in old_world, {n} paired seeds, mean "
        "difference [95% CI]; blank: not significant",
        "",
        "| resource | " + " | ".join(map(outcome_label, outcomes)) + " | binds |",
        "|---" * (len(outcomes) + 2) + "|",
    ]
    for p in prices:
        cells = [
            f"{fmt(est.value)} [{fmt(est.low)}, {fmt(est.high)}]" if est.excludes_zero() else ""
            for est in p.effect.values()
        ]
        change = f"{p.resource} ({p.parameter} {value_text(p.before)} -> {value_text(p.after)})"
        lines.append(f"| {change} | " + " | ".join(cells) + f" | {'yes' if p.binds else 'NO'} |")
    return "\n".join(lines)


def format_flags(found: Sequence[Flag], n: int) -> str:
    """The flags, one line each."""
    head = f"Artefact flags ({n} seeds): {len(found) or 'none'}"
    return "\n".join([head, *(f"  [{f.kind}] {f.text}" for f in found)])
