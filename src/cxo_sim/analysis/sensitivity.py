"""Global sensitivity analysis with SALib over the parameter registry's bounds.

``cxo-sim sensitivity EXPERIMENT.toml [--method morris|sobol]`` varies the experiment's
``[sensitivity] parameters``, else its factors (every form ``sweep`` accepts: lists, ranges with
or without ``n``), never a parameter the file does not name; it says what it varies and how many
runs that is before it starts. Parameters vary over the file's ranges, else their registry
bounds. It runs the model at each sample point, averages the replications there, and reports
Morris elementary effects (mu*, with bootstrap CIs) or Sobol first-order and total indices (S1,
ST, with CIs). Categorical parameters (bools and choices) are sampled as a uniform number over
``[0, levels)`` and rounded down to a level, so both methods can include them.

``--everything`` varies every registry parameter and every behavioural constant of
``cxo_sim.constants`` at once (the organisation's size and budgets over a band around the
experiment's values, the constants over their plausible ranges) and reports the indices of
groups: one per ODD submodel the constants belong to (section 5 and 7.1 to 7.15) and one for the
parameters, the way SALib groups factors. A grouped Sobol design needs ``N x (groups + 2)``
points (17 groups: ``19 N``) where one over the factors one by one needs ``N x (factors + 2)``
(195 factors: ``197 N``), so an analysis of everything fits in minutes
(``benchmarks/sobol_everything.py`` times it). Every point is run with the same
replication seeds (common random numbers), and the indices are of the replications' mean, so
seed noise is averaged away rather than read as sensitivity.

Results go to ``<root>/<name>/sensitivity/<method>.csv`` (and ``.parquet``) with a bar chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from cxo_sim.analysis.figure_style import STYLE, add_titles, panel_grid, plt, save, share_axis
from cxo_sim.analysis.numbers import fmt, value_text
from cxo_sim.analysis.results import measure, unit_label
from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError
from cxo_sim.experiments.safe_files import write_output
from cxo_sim.params import PARAMETERS
from cxo_sim.presets import PRESETS

METHODS = ("morris", "sobol")
DEFAULT_N = {"morris": 10, "sobol": 64}
DEFAULT_OUTCOMES = (
    "campaign_velocity",
    "breaches",
    "shadow_spend_share",
    "tech_spend",
    "redundant_tools",
    "trust",
)
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
RESAMPLES = 1000

# Runs a list of parameter sets; returns rows with a ``point`` column (the set's index) and one
# column per outcome, several rows per point when there are replications.
EvaluateFn = Callable[[list[dict[str, Any]]], pd.DataFrame]


@dataclass(frozen=True)
class Factor:
    """A parameter as the sampler sees it.

    Attributes:
        name: registry name.
        low: lower bound of the sampled number.
        high: upper bound of the sampled number.
        levels: the values a categorical parameter takes (empty for numeric ones); the sampled
            number in ``[0, len(levels))`` is rounded down to pick one.
        integer: whether the value is rounded to an integer.
        constant: a behavioural constant (``cxo_sim.constants``), not a registry parameter.
    """

    name: str
    low: float
    high: float
    levels: tuple = ()
    integer: bool = False
    constant: bool = False

    def decode(self, u: float) -> Any:
        """The parameter value for a sampled number."""
        if self.levels:
            return self.levels[min(int(math.floor(u)), len(self.levels) - 1)]
        if self.integer:
            return int(round(u))
        return float(u)


@dataclass(frozen=True)
class Problem:
    """What is varied, around which base parameter set.

    Attributes:
        factors: the varied parameters (and constants).
        base: values of every other parameter.
        groups: each factor's group, for indices of groups of factors (empty: one by one).
    """

    factors: tuple[Factor, ...]
    base: dict[str, Any]
    groups: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Names of the varied parameters."""
        return [f.name for f in self.factors]

    @property
    def labels(self) -> list[str]:
        """What the indices are of: the groups in order of first appearance, else the names."""
        return list(dict.fromkeys(self.groups)) if self.groups else self.names

    def salib(self) -> dict[str, Any]:
        """The problem in SALib's form."""
        problem = {
            "num_vars": len(self.factors),
            "names": self.names,
            "bounds": [[f.low, f.high] for f in self.factors],
        }
        if self.groups:
            problem["groups"] = list(self.groups)
        return problem

    def parameter_sets(self, samples: np.ndarray) -> list[dict[str, Any]]:
        """Complete parameter sets, one per sampled row.

        Varied constants go under the key ``constants`` (a dict by constant name), which the
        evaluation passes to the model as its constants.
        """
        sets = []
        for row in samples:
            params, constants = dict(self.base), {}
            for f, u in zip(self.factors, row, strict=True):
                (constants if f.constant else params)[f.name] = f.decode(u)
            if constants:
                params["constants"] = constants
            sets.append(params)
        return sets


def registry_factor(name: str, values: Sequence[Any] | None = None) -> Factor:
    """A sampler factor for a registry parameter: its bounds, or the range of given values."""
    declared = PARAMETERS.get(name)
    if declared is None:
        raise UserError(f"unknown parameter {name!r} in the sensitivity analysis")
    if declared.kind == "bool":
        return Factor(name, 0.0, 2.0, levels=(False, True))
    if declared.kind == "choice":
        levels = tuple(v for v in declared.choices if values is None or v in values)
        return Factor(name, 0.0, float(len(levels)), levels=levels)
    low, high = float(declared.low), float(declared.high)
    if values:
        low, high = float(min(values)), float(max(values))
    if declared.kind == "int":
        # Widen by half a step so rounding gives the end values as often as the inner ones.
        return Factor(name, low - 0.4999, high + 0.4999, integer=True)
    return Factor(name, low, high)


def problem_for(experiment: Any) -> Problem:
    """The parameters to vary: the file's ``[sensitivity] parameters``, else its factors.

    Only parameters the file names are varied; a file that names none is an error, never an
    analysis of the whole registry the user did not ask for.
    """
    base = {**PRESETS[experiment.preset], **experiment.fixed}
    chosen = (experiment.sensitivity or {}).get("parameters")
    names = list(chosen or [])
    if not names:
        names = [
            name
            for name in experiment.factors
            if isinstance(experiment.factors[name], dict) or len(experiment.factors[name]) > 1
        ]
    if not names:
        raise UserError(
            f"{experiment.path}: nothing to vary in the sensitivity analysis; name the parameters "
            "in [sensitivity] parameters = [...] or give [factors] more than one value"
        )
    factors = [registry_factor(name, _factor_values(experiment, name)) for name in names]
    return Problem(tuple(factors), base)


# Over an analysis of everything, the organisation's size and budgets vary over this band
# around the experiment's values (a larger firm is a larger copy, ODD 7.12, and the registry's
# bounds, up to 2,000 marketers, would make the design's cost a question of the few largest
# firms); every other parameter over its registry bounds.
SIZE_BAND = (0.5, 2.0)
SIZES = (
    "n_marketers",
    "n_engineers",
    "n_capabilities",
    "martech_budget",
    "marketing_discretionary",
)
PARAMETER_GROUP = "parameters"


def constant_group(section: str) -> str:
    """The group of a constant in an analysis of everything: its ODD submodel's section."""
    return f"ODD {section}"


def everything_problem(experiment: Any) -> Problem:
    """Every registry parameter and every behavioural constant, in groups (``--everything``).

    The parameters form one group; the constants one group per ODD section of the submodel that
    uses them. Constants vary over their plausible ranges (``cxo_sim.constants``).
    """
    base = {**PRESETS[experiment.preset], **experiment.fixed}
    factors, groups = [], []
    for name in PARAMETERS:
        if name in SIZES:
            low, high = (base[name] * scale for scale in SIZE_BAND)
            if PARAMETERS[name].kind == "int":
                low, high = max(int(PARAMETERS[name].low), round(low)), max(1, round(high))
            factors.append(registry_factor(name, [low, high]))
        else:
            factors.append(registry_factor(name))
        groups.append(PARAMETER_GROUP)
    for name, declared in CONSTANTS.items():
        factors.append(Factor(name, declared.low, declared.high, constant=True))
        groups.append(constant_group(declared.section))
    return Problem(tuple(factors), base, tuple(groups))


def _factor_values(experiment: Any, name: str) -> list[Any] | None:
    """The values the file gives a factor (a range's ends), or None when it gives none."""
    if name not in experiment.factors:
        return None
    spec = experiment.factors[name]
    if isinstance(spec, dict):
        return [spec["min"], spec["max"]]
    return list(spec)


def describe(problem: Problem) -> list[str]:
    """One line per varied parameter: its name and what it takes."""
    lines = []
    for f in problem.factors:
        if f.levels:
            taken = ", ".join(value_text(v) for v in f.levels)
        elif f.integer:
            taken = f"{round(f.low)} to {round(f.high)} (whole numbers)"
        else:
            taken = f"{fmt(f.low)} to {fmt(f.high)}"
        lines.append(f"  {f.name}: {taken}")
    return lines


def sobol_base(n: int) -> int:
    """The Sobol base sample size for ``n``: the power of two at or above it (at least 2)."""
    return 2 ** max(1, math.ceil(math.log2(n)))


def design_points(problem: Problem, method: str, n: int) -> int:
    """How many points ``sample`` gives, without sampling: what a design costs in runs.

    Morris: ``n`` trajectories of (factors or groups + 1) points; Sobol without second-order
    indices: ``N x (factors or groups + 2)``, N the base size.
    """
    d = len(problem.labels)
    if method == "morris":
        return n * (d + 1)
    return sobol_base(n) * (d + 2)


def sample(problem: Problem, method: str, n: int, seed: int) -> np.ndarray:
    """Sample points: ``n`` Morris trajectories, or Sobol (Saltelli) with base size ``n``."""
    if method == "morris":
        return morris_sample.sample(problem.salib(), N=n, num_levels=MORRIS_LEVELS, seed=seed)
    base_size = sobol_base(n)
    return sobol_sample.sample(problem.salib(), base_size, calc_second_order=False, seed=seed)


def analyse(
    problem: Problem,
    evaluate_fn: EvaluateFn,
    method: str,
    n: int,
    seed: int,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
) -> pd.DataFrame:
    """Sample, evaluate, average replications per point, and compute the indices.

    Args:
        problem: what to vary.
        evaluate_fn: runs parameter sets (see :data:`EvaluateFn`); the model or a test function.
        method: ``morris`` or ``sobol``.
        n: Morris trajectories, or the Sobol base sample size (rounded up to a power of two).
        seed: seed of the sampling and of the bootstrap of the CIs.
        outcomes: outcome columns to analyse.

    Returns:
        One row per (outcome, parameter): for Morris ``mu_star``, ``mu_star_conf`` (half-width of
        its 95% CI), ``mu`` and ``sigma``; for Sobol ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
        Morris values are in the outcome's unit; Sobol indices are shares of variance.
    """
    if method not in METHODS:
        raise UserError(f"unknown sensitivity method {method!r}; use one of {', '.join(METHODS)}")
    samples = sample(problem, method, n, seed)
    runs = evaluate_fn(problem.parameter_sets(samples))
    means = runs.groupby("point")[list(outcomes)].mean().sort_index()
    if len(means) != len(samples):
        raise ValueError(f"evaluation returned {len(means)} points for {len(samples)} samples")
    frames = [
        _indices(problem, method, samples, means[outcome].to_numpy(float), seed).assign(
            outcome=outcome
        )
        for outcome in outcomes
    ]
    table = pd.concat(frames, ignore_index=True)
    return table[["outcome", "parameter", *[c for c in table if c not in ("outcome", "parameter")]]]


def _indices(
    problem: Problem, method: str, x: np.ndarray, y: np.ndarray, seed: int
) -> pd.DataFrame:
    salib = problem.salib()
    names = problem.labels
    if method == "morris":
        result = morris_analyze.analyze(
            salib, x, y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
        )
        columns = ("mu_star", "mu_star_conf", "mu", "sigma")
    else:
        if np.nanvar(y) == 0.0:
            # A constant outcome has no variance to apportion: every index is zero.
            zeros = np.zeros(len(names))
            result = {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
        else:
            result = sobol_analyze.analyze(
                salib, y, calc_second_order=False, num_resamples=RESAMPLES,
                conf_level=CONF_LEVEL, seed=seed,
            )  # fmt: skip
        columns = ("S1", "S1_conf", "ST", "ST_conf")
    return pd.DataFrame(
        {"parameter": names, **{c: np.asarray(result[c], dtype=float) for c in columns}}
    )


def ranking_key(method: str) -> str:
    """The index that ranks parameters: Morris mu*, Sobol total index ST."""
    return "mu_star" if method == "morris" else "ST"


def write_outputs(
    table: pd.DataFrame, method: str, folder: Path, experiment: Any, points: int
) -> list[Path]:
    """Write the indices as CSV and Parquet and draw the chart; return the paths."""
    csv, parquet = folder / f"{method}.csv", folder / f"{method}.parquet"
    write_output(
        csv,
        lambda temp: table.to_csv(temp, index=False, float_format="%.6g", lineterminator="\n"),
        root=folder.parent,
    )
    write_output(parquet, lambda temp: table.to_parquet(temp, index=False), root=folder.parent)
    return [csv, parquet, *draw_chart(table, method, folder, experiment, points)]


def nonnegative_errors(value: pd.Series, conf: pd.Series) -> np.ndarray:
    """Error bar lengths (below, above) for indices that cannot be negative.

    mu* is a mean of absolute values and Sobol indices are shares of variance: a symmetric
    interval that reaches below zero is cut at zero rather than drawn there.
    """
    values, halves = value.to_numpy(float), conf.to_numpy(float)
    return np.vstack([np.clip(np.minimum(halves, values), 0.0, None), halves])


def draw_chart(
    table: pd.DataFrame, method: str, folder: Path, experiment: Any, points: int
) -> list[Path]:
    """One panel per outcome: parameters ranked by mu* (Morris) or ST and S1 (Sobol), 95% CIs."""
    key = ranking_key(method)
    outcomes = list(dict.fromkeys(table["outcome"]))
    with plt.rc_context(STYLE):
        height = 0.9 + 0.24 * table["parameter"].nunique()
        fig, axes = panel_grid(len(outcomes), width=4.2, height=height, columns=3)
        for ax, outcome in zip(axes, outcomes, strict=True):
            rows = table[table["outcome"] == outcome].sort_values(key, kind="stable")
            y = np.arange(len(rows))
            if method == "morris":
                ax.barh(y, rows["mu_star"], xerr=nonnegative_errors(rows["mu_star"],
                        rows["mu_star_conf"]), color="#4575b4", ecolor="#333333",
                        capsize=2)  # fmt: skip
                ax.set_xlabel(
                    f"mu*: mean |elementary effect| ({unit_label(outcome, difference=True)})"
                )
                share_axis(ax.xaxis, outcome)
            else:
                ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=nonnegative_errors(rows["ST"],
                        rows["ST_conf"]), color="#4575b4", ecolor="#333333", capsize=2,
                        label="ST total")  # fmt: skip
                ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=nonnegative_errors(rows["S1"],
                        rows["S1_conf"]), color="#fdae61", ecolor="#333333", capsize=2,
                        label="S1 first order")  # fmt: skip
                ax.set_xlabel("share of output variance")
                ax.legend(loc="lower right")
            ax.set_xlim(left=0)
            ax.set_yticks(y, rows["parameter"])
            ax.set_title(outcome)
        what = "Morris mu*" if method == "morris" else "Sobol indices"
        title = f"Which parameters drive the outcomes? ({experiment.name})"
        subtitle = (
            f"{what} with 95% CIs; {points} sample points, each the mean of "
            f"{experiment.replications} replications of {experiment.steps} weeks"
        )
        add_titles(fig, title, subtitle)
        figure = save(fig, folder, method, title, "")
    return figure.paths


def ranked_text(table: pd.DataFrame, method: str) -> str:
    """Per outcome, the parameters ranked by their main index, as an aligned text table."""
    key = ranking_key(method)
    lines = []
    for outcome, rows in table.groupby("outcome", sort=False):
        unit = measure(outcome).unit
        lines.append(f"\n{outcome}" + (f" ({unit})" if unit else ""))
        if method == "morris":
            lines.append(f"  {'rank':<5}{'parameter':<22}{'mu*':>10}{'95% CI':>12}{'sigma':>10}")
        else:
            lines.append(f"  {'rank':<5}{'parameter':<22}{'ST':>8}{'+-':>8}{'S1':>8}{'+-':>8}")
        ranked = rows.sort_values(key, ascending=False, kind="stable")
        for rank, (_, row) in enumerate(ranked.iterrows(), start=1):
            if method == "morris":
                lines.append(
                    f"  {rank:<5}{row['parameter']:<22}{fmt(row['mu_star']):>10}"
                    f"{'+-' + fmt(row['mu_star_conf']):>12}{fmt(row['sigma']):>10}"
                )
            else:
                lines.append(
                    f"  {rank:<5}{row['parameter']:<22}{row['ST']:>8.3f}{row['ST_conf']:>8.3f}"
                    f"{row['S1']:>8.3f}{row['S1_conf']:>8.3f}"
                )
    return "\n".join(lines)
