"""Findings: what each arm of an experiment changes, with CIs, effect sizes and words.

The comparison follows the design: scenarios against the ``baseline`` scenario (or the first one),
factorial levels against each factor's reference level pooled over the other factors (a main
effect), Latin-hypercube factors over configuration means: numeric ones by rank correlation with
each outcome, nominal ones by comparing their levels.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.analysis.numbers import change, fmt, signed
from cxo_sim.analysis.results import ResultSet, measure
from cxo_sim.analysis.stats import Estimate, compare, effect_size_word, mean_ci, spearman_ci
from cxo_sim.params import PARAMETERS

BASELINE = "baseline"
# A percentage change is shown only when the reference mean is at least this share of the
# larger of the two means (changes from -80% to +400%): on a baseline near zero a percentage
# says more about the baseline than about the change.
MEANINGFUL_BASELINE = 0.2
# A difference whose runs' standard deviation is at most this share of it is a fixed difference
# (a fixed cost plus rounding noise): its standardised effect size would measure the noise.
NEGLIGIBLE_SPREAD = 0.01
FINDING_COLUMNS = [
    "arm",
    "reference",
    "outcome",
    "kind",
    "mean_arm",
    "mean_reference",
    "estimate",
    "low",
    "high",
    "relative",
    "g",
    "g_low",
    "g_high",
    "n_arm",
    "n_reference",
    "paired",
    "fixed",
    "verdict",
    "sentence",
]


def verdict(outcome: str, interval: Estimate) -> str:
    """``better``, ``worse``, ``higher``/``lower`` (no better direction) or ``no clear change``."""
    if not interval.excludes_zero():
        return "no clear change"
    direction = "higher" if interval.value > 0 else "lower"
    better = measure(outcome).better
    if not better:
        return direction
    return "better" if better == direction else "worse"


def level_order(factor: str, values: pd.Series) -> list[Any]:
    """A factor's levels in reading order: registry choice order, False before True, ascending."""
    levels = list(pd.unique(values))
    declared = PARAMETERS.get(factor)
    if declared is not None and declared.kind == "choice":
        return [c for c in declared.choices if c in levels] + [
            c for c in levels if c not in declared.choices
        ]
    return sorted(levels, key=lambda v: (str(type(v)), v))


def level_text(factor: str, value: Any) -> str:
    """``factor = value`` as people write it (true/false in lower case, numbers short)."""
    if isinstance(value, bool | np.bool_):
        return f"{factor} = {str(bool(value)).lower()}"
    if isinstance(value, float | np.floating):
        return f"{factor} = {fmt(float(value))}"
    return f"{factor} = {value}"


def paired_differences(
    arm: pd.DataFrame, reference: pd.DataFrame, outcome: str, keys: list[str]
) -> pd.Series | None:
    """Per-run differences ``arm - reference`` matched on ``keys``, or None if they do not match.

    Sweeps give replication r of every configuration the same seed (common random numbers), so a
    run of the arm and the run of the reference with the same seed (and the same levels of the
    other factors) face the same world and the same ideas: their difference is the paired
    estimate of the effect. None when the runs do not pair one to one (e.g. older results).
    """
    if "seed" not in arm or "seed" not in reference or len(arm) != len(reference):
        return None
    left = arm[keys + [outcome]]
    right = reference[keys + [outcome]]
    if left.duplicated(keys).any() or right.duplicated(keys).any():
        return None
    merged = left.merge(right, on=keys, suffixes=("_arm", "_ref"))
    if len(merged) != len(arm):
        return None
    return merged[f"{outcome}_arm"] - merged[f"{outcome}_ref"]


def no_spread(x: pd.Series) -> bool:
    """Whether at least two finite values are all equal (a fixed cost, an integer median)."""
    values = x.to_numpy(float)
    values = values[np.isfinite(values)]
    return values.size >= 2 and bool(np.ptp(values) == 0.0)


def _spread(a: pd.Series, b: pd.Series, pairs: pd.Series | None) -> float:
    """Standard deviation behind a difference: of the pairs, else pooled over the two arms."""
    if pairs is not None:
        values = pairs.to_numpy(float)
        values = values[np.isfinite(values)]
        return float(values.std(ddof=1)) if values.size > 1 else math.nan
    xa, xb = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    if xa.size < 2 or xb.size < 2:
        return math.nan
    pooled = ((xa.size - 1) * xa.var(ddof=1) + (xb.size - 1) * xb.var(ddof=1)) / (
        xa.size + xb.size - 2
    )
    return math.sqrt(pooled)


def relative_change(mean_arm: float, mean_reference: float) -> float:
    """The change as a share of the reference mean; nan on a baseline near zero."""
    larger = max(abs(mean_arm), abs(mean_reference))
    if not larger or abs(mean_reference) < MEANINGFUL_BASELINE * larger:
        return math.nan
    return (mean_arm - mean_reference) / abs(mean_reference)


def _difference_row(
    arm: str,
    reference: str,
    outcome: str,
    a: pd.Series,
    b: pd.Series,
    pairs: pd.Series | None = None,
) -> dict:
    result = compare(a, b)
    if pairs is not None:
        result = dataclasses.replace(result, diff=mean_ci(pairs))
    # With no spread in either arm (or in the paired differences) the difference is exact: no
    # interval to speak of and no standardised effect (g would be infinite). With a spread that
    # is a sliver of the difference (a fixed cost plus rounding), g is as meaningless: it
    # measures the sliver. Both are fixed differences, never ranked by g.
    exact = (no_spread(a) and no_spread(b)) or (pairs is not None and no_spread(pairs))
    spread = _spread(a, b, pairs)
    fixed = exact or 0.0 < spread <= NEGLIGIBLE_SPREAD * abs(result.diff.value)
    if fixed:
        value = result.diff.value
        nothing = Estimate(math.nan, math.nan, math.nan, result.g.n)
        diff = Estimate(value, value, value, result.diff.n) if exact else result.diff
        result = dataclasses.replace(result, diff=diff, g=nothing)
    said = verdict(outcome, result.diff)
    return {
        "arm": arm,
        "reference": reference,
        "outcome": outcome,
        "kind": "difference",
        "mean_arm": result.mean_a,
        "mean_reference": result.mean_b,
        "estimate": result.diff.value,
        "low": result.diff.low,
        "high": result.diff.high,
        "relative": relative_change(result.mean_a, result.mean_b),
        "g": result.g.value,
        "g_low": result.g.low,
        "g_high": result.g.high,
        "n_arm": int(a.notna().sum()),
        "n_reference": int(b.notna().sum()),
        "paired": pairs is not None,
        "fixed": fixed,
        "verdict": said,
        "sentence": difference_sentence(
            arm, reference, outcome, result.diff, result.g, said, fixed
        ),
    }


def difference_sentence(
    arm: str,
    reference: str,
    outcome: str,
    diff: Estimate,
    g: Estimate,
    said: str,
    fixed: bool = False,
) -> str:
    """One sentence stating a difference of means with its CI and effect size.

    Numbers carry their sign (arm minus reference), as in the findings table; a share's
    difference is in percentage points.
    """
    unit = measure(outcome).unit
    amount = change(outcome, diff.value, unit)
    low, high = (change(outcome, x, with_units=False) for x in (diff.low, diff.high))
    judged = f"; {said}" if said in ("better", "worse") else ""
    if fixed:
        if diff.value == 0:
            return f"{arm} vs {reference}: {outcome} the same in every run ({amount})."
        direction = "higher" if diff.value > 0 else "lower"
        if diff.low == diff.high:
            return (
                f"{arm} vs {reference}: {outcome} {direction}, {amount} in every run "
                f"(a fixed difference: no spread){judged}."
            )
        return (
            f"{arm} vs {reference}: {outcome} {direction}, {amount} in nearly every run (a fixed "
            f"difference: the spread is under {NEGLIGIBLE_SPREAD:.0%} of it; 95% CI "
            f"{low} to {high}){judged}."
        )
    interval = f"95% CI {low} to {high}"
    if said == "no clear change":
        return f"{arm} vs {reference}: no clear change in {outcome} ({amount}, {interval})."
    direction = "higher" if diff.value > 0 else "lower"
    size = effect_size_word(g.value)
    return (
        f"{arm} vs {reference}: {outcome} {direction}, {amount} ({interval}){judged}; "
        f"{size} effect, g = {fmt(g.value, 2)}."
    )


def baseline_effects(
    rs: ResultSet, outcomes: list[str] | None = None, baseline: str | None = None
) -> pd.DataFrame:
    """Each scenario against the baseline scenario, per outcome.

    Args:
        rs: the results.
        outcomes: outcomes to compare (default: all present).
        baseline: label of the reference scenario (default ``baseline`` if present, else the
            first scenario).
    """
    order = rs.scenario_order()
    reference = baseline or (BASELINE if BASELINE in order else order[0])
    runs = rs.runs
    ref_runs = runs[runs["scenario"] == reference]
    rows = [
        _difference_row(
            scenario,
            reference,
            outcome,
            arm[outcome],
            ref_runs[outcome],
            paired_differences(arm, ref_runs, outcome, ["seed"]),
        )
        for scenario in order
        if scenario != reference
        for arm in [runs[runs["scenario"] == scenario]]
        for outcome in outcomes or rs.outcomes
    ]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def factor_effects(rs: ResultSet, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Main effects of a factorial design: each level against the factor's first level.

    Runs are pooled over the other factors' levels, which is the main effect of a balanced
    full factorial design; each run is paired with the reference run of the same seed and the
    same other factors' levels.
    """
    rows = []
    for factor in rs.factors:
        keys = ["seed"] + [f for f in rs.factors if f != factor]
        levels = level_order(factor, rs.runs[factor])
        reference = levels[0]
        ref_runs = rs.runs[rs.runs[factor] == reference]
        for level in levels[1:]:
            arm = rs.runs[rs.runs[factor] == level]
            for outcome in outcomes or rs.outcomes:
                rows.append(
                    _difference_row(
                        level_text(factor, level),
                        level_text(factor, reference),
                        outcome,
                        arm[outcome],
                        ref_runs[outcome],
                        paired_differences(arm, ref_runs, outcome, keys),
                    )
                )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def is_nominal(factor: str, values: pd.Series) -> bool:
    """Whether a factor's levels are names or switches (choice, bool), not amounts."""
    declared = PARAMETERS.get(factor)
    if declared is not None:
        return declared.kind in ("choice", "bool")
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def configuration_means(rs: ResultSet, outcomes: list[str]) -> pd.DataFrame:
    """One row per configuration: its factor levels and each outcome's mean over replications.

    Replications repeat a configuration, so they are not independent evidence about how a
    factor moves an outcome: statements across configurations are made over these means.
    """
    levels = rs.configurations.set_index("point")
    means = rs.runs.groupby("point")[outcomes].mean()
    return levels.join(means).reset_index()


def correlation_effects(rs: ResultSet, outcomes: list[str] | None = None) -> pd.DataFrame:
    """How each sampled factor moves each outcome, over configurations (not runs).

    Numeric factors: Spearman rank correlation with a CI. Nominal factors (choices, switches):
    each level against the first level, a Welch difference of configuration means; a rank
    correlation would order names that have no order.
    """
    outcomes = outcomes or rs.outcomes
    configs = configuration_means(rs, outcomes)
    rows = []
    for factor in rs.factors:
        if is_nominal(factor, configs[factor]):
            levels = level_order(factor, configs[factor])
            reference = configs[configs[factor] == levels[0]]
            for level in levels[1:]:
                arm = configs[configs[factor] == level]
                for outcome in outcomes:
                    rows.append(
                        _difference_row(
                            level_text(factor, level),
                            level_text(factor, levels[0]),
                            outcome,
                            arm[outcome],
                            reference[outcome],
                        )
                    )
            continue
        x = configs[factor].to_numpy(float)
        for outcome in outcomes:
            rho = spearman_ci(x, configs[outcome])
            said = verdict(outcome, rho) if math.isfinite(rho.low) else "no clear change"
            rows.append(
                {
                    "arm": f"higher {factor}",
                    "reference": "lower",
                    "outcome": outcome,
                    "kind": "rank correlation",
                    "estimate": rho.value,
                    "low": rho.low,
                    "high": rho.high,
                    "n_arm": rho.n,
                    "verdict": said,
                    "sentence": _correlation_sentence(factor, outcome, rho, said),
                }
            )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _correlation_sentence(factor: str, outcome: str, rho: Estimate, said: str) -> str:
    interval = (
        f"rank correlation {signed(rho.value, 2)}, 95% CI {signed(rho.low, 2)} to "
        f"{signed(rho.high, 2)} over {rho.n} configurations"
    )
    if said == "no clear change":
        return f"{outcome} does not clearly follow {factor} ({interval})."
    direction = "rises" if rho.value > 0 else "falls"
    judged = f"; {said}" if said in ("better", "worse") else ""
    return f"{outcome} {direction} as {factor} rises ({interval}{judged})."


def findings(rs: ResultSet, outcomes: list[str] | None = None) -> pd.DataFrame:
    """The findings that fit the experiment's design (see the module docstring)."""
    if rs.sampling == "scenarios" or not rs.factors:
        if rs.runs["scenario"].nunique() < 2:
            return pd.DataFrame(columns=FINDING_COLUMNS)
        return baseline_effects(rs, outcomes)
    if rs.sampling == "lhs":
        return correlation_effects(rs, outcomes)
    return factor_effects(rs, outcomes)
