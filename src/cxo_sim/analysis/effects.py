"""Findings: what each arm of an experiment changes, with CIs, effect sizes and words.

The comparison follows the design: scenarios against the ``baseline`` scenario (or the first one),
factorial levels against each factor's reference level pooled over the other factors (a main
effect), Latin-hypercube factors by rank correlation with each outcome.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.analysis.results import ResultSet, measure
from cxo_sim.analysis.stats import Estimate, compare, effect_size_word, mean_ci, spearman_ci
from cxo_sim.params import PARAMETERS

BASELINE = "baseline"
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
    "verdict",
    "sentence",
]


def fmt(x: float, digits: int = 3) -> str:
    """A number for people: ``digits`` significant digits, no exponent for everyday sizes."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    if magnitude >= 6 or magnitude < -4:
        return f"{x:.{digits}g}"
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(x, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


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
        "relative": result.relative,
        "g": result.g.value,
        "g_low": result.g.low,
        "g_high": result.g.high,
        "n_arm": int(a.notna().sum()),
        "n_reference": int(b.notna().sum()),
        "paired": pairs is not None,
        "verdict": said,
        "sentence": difference_sentence(arm, reference, outcome, result.diff, result.g, said),
    }


def difference_sentence(
    arm: str, reference: str, outcome: str, diff: Estimate, g: Estimate, said: str
) -> str:
    """One sentence stating a difference of means with its CI and effect size."""
    unit = measure(outcome).unit
    unit_text = f" {unit}" if unit else ""
    interval = f"95% CI {fmt(diff.low)} to {fmt(diff.high)}"
    if said == "no clear change":
        return (
            f"{arm} vs {reference}: no clear change in {outcome} "
            f"({fmt(diff.value)}{unit_text}, {interval})."
        )
    direction = "higher" if diff.value > 0 else "lower"
    low, high = (diff.low, diff.high) if diff.value > 0 else (-diff.high, -diff.low)
    size = effect_size_word(g.value)
    judged = f", {said}" if said in ("better", "worse") else ""
    return (
        f"{arm} vs {reference}: {outcome} {direction} by {fmt(abs(diff.value))}{unit_text} "
        f"(95% CI {fmt(low)} to {fmt(high)}; {size} effect, g = {fmt(g.value, 2)}{judged})."
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


def correlation_effects(rs: ResultSet, outcomes: list[str] | None = None) -> pd.DataFrame:
    """How each sampled numeric factor moves each outcome: Spearman rank correlation with a CI."""
    rows = []
    for factor in rs.factors:
        x = _numeric(rs.runs[factor])
        for outcome in outcomes or rs.outcomes:
            rho = spearman_ci(x, rs.runs[outcome])
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


def _numeric(values: pd.Series) -> np.ndarray:
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        codes = {v: i for i, v in enumerate(level_order(str(values.name), values))}
        return values.map(codes).to_numpy(float)
    return values.to_numpy(float)


def _correlation_sentence(factor: str, outcome: str, rho: Estimate, said: str) -> str:
    interval = (
        f"rank correlation {fmt(rho.value, 2)}, 95% CI {fmt(rho.low, 2)} to {fmt(rho.high, 2)}"
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
