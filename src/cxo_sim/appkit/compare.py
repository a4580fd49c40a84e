"""Compare two configurations side by side on the same seeds.

Arm A and arm B run once per seed, with the same seeds, so the difference between them is the
difference the configuration makes, not luck. The table gives each outcome's mean per arm and
the difference B - A with a 95% interval (normal approximation over seeds).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

import pandas as pd
import solara
import solara.lab

from cxo_sim.appkit.charts import comparison_figure
from cxo_sim.appkit.classroom import ClassroomModel, matching_preset, model_parameters
from cxo_sim.appkit.organisation import organisation_figure
from cxo_sim.outcomes import OUTCOMES
from cxo_sim.presets import PRESETS

YOURS = "your settings"
TABLE_OUTCOMES = (
    "campaign_velocity",
    "median_lead_time",
    "tool_count",
    "shadow_tools",
    "redundant_tools",
    "breaches",
    "breach_cost",
    "compliance_incidents",
    "shadow_spend_share",
    "tech_spend",
    "coordination_cost",
    "conflicts",
    "escalations",
    "trust",
)
MAX_SEEDS = 30


@dataclass
class Arm:
    """One configuration's runs.

    Attributes:
        label: what the class sees ("your settings", a preset name).
        params: the registry parameters of every run.
        series: per-week series of each run, one per seed.
        outcomes: end-of-run outcomes of each run, one per seed.
        last: the model of the first seed at the end, for the picture.
    """

    label: str
    params: dict[str, Any]
    series: list[pd.DataFrame]
    outcomes: list[dict[str, float]]
    last: Any = None


def run_arm(label: str, params: dict[str, Any], seeds: list[int], weeks: int, progress=None) -> Arm:
    """Run ``params`` once per seed for ``weeks`` weeks."""
    arm = Arm(label, dict(params), [], [])
    for seed in seeds:
        model = ClassroomModel(seed=seed, weeks=weeks, **params)
        while model.running:
            model.step()
        arm.series.append(model.datacollector.get_model_vars_dataframe())
        arm.outcomes.append(model.outcomes())
        if arm.last is None:
            arm.last = model
        if progress is not None:
            progress()
    return arm


def arm_params(choice: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The parameters of an arm: the sidebar's (``YOURS``) or a preset's."""
    return model_parameters(settings) if choice == YOURS else dict(PRESETS[choice])


def summary_table(a: Arm, b: Arm) -> pd.DataFrame:
    """Mean of each outcome per arm, and the difference B - A with its 95% interval."""
    rows = []
    for name in TABLE_OUTCOMES:
        xs = [o[name] for o in a.outcomes if not math.isnan(o[name])]
        ys = [o[name] for o in b.outcomes if not math.isnan(o[name])]
        if not xs or not ys:
            continue
        diff = statistics.fmean(ys) - statistics.fmean(xs)
        half = 1.96 * math.sqrt(_var(xs) / len(xs) + _var(ys) / len(ys))
        rows.append(
            {
                "outcome": name,
                a.label: statistics.fmean(xs),
                b.label: statistics.fmean(ys),
                "B - A": diff,
                "95% interval": (diff - half, diff + half),
                "better": OUTCOMES[name].better,
            }
        )
    return pd.DataFrame(rows)


def _var(xs: list[float]) -> float:
    return statistics.variance(xs) if len(xs) > 1 else 0.0


def table_html(a: Arm, b: Arm) -> str:
    """The summary table as HTML, with the meaning of each outcome and who does better."""
    table = summary_table(a, b)
    head = (
        f"<tr><th>outcome</th><th class='cxo-a'>A: {a.label}</th>"
        f"<th class='cxo-b'>B: {b.label}</th><th>B - A</th><th>95% interval</th><th></th></tr>"
    )
    rows = []
    for row in table.itertuples(index=False):
        name, mean_a, mean_b, diff, (low, high), better = row
        rows.append(
            f"<tr><td title='{OUTCOMES[name].meaning}'>{name}</td><td>{_fmt(mean_a)}</td>"
            f"<td>{_fmt(mean_b)}</td><td>{_fmt(diff)}</td><td>{_fmt(low)} to {_fmt(high)}</td>"
            f"<td>{_verdict(low, high, better)}</td></tr>"
        )
    return f"<table class='cxo-compare'>{head}{''.join(rows)}</table>"


def _fmt(x: float) -> str:
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}"


def _verdict(low: float, high: float, better: str) -> str:
    """Plain words for a difference whose interval is (low, high)."""
    if low <= 0 <= high:
        return "no clear difference"
    if not better:
        return "B higher" if low > 0 else "B lower"
    b_better = (low > 0) == (better == "higher")
    return "<b>B better</b>" if b_better else "<b>A better</b>"


@solara.component
def Compare(settings: dict[str, Any]):
    """Pick two configurations, run both on the same seeds, show them side by side."""
    choice_a = solara.use_reactive(YOURS)
    # Against old_world, unless the sidebar is old_world already: then against best_practice.
    choice_b = solara.use_reactive(
        "best_practice" if matching_preset(settings) == "old_world" else "old_world"
    )
    n_seeds = solara.use_reactive(5)
    done = solara.use_reactive(0)
    result = solara.use_reactive(None)

    base_seed = int(settings["seed"])
    weeks = int(settings["weeks"])
    seeds = list(range(base_seed, base_seed + n_seeds.value))

    def run() -> None:
        done.set(0)

        def tick() -> None:
            done.set(done.value + 1)

        a = run_arm(choice_a.value, arm_params(choice_a.value, settings), seeds, weeks, tick)
        b = run_arm(choice_b.value, arm_params(choice_b.value, settings), seeds, weeks, tick)
        result.set((a, b))

    task = solara.lab.use_task(run, dependencies=None, prefer_threaded=True)
    options = [YOURS, *PRESETS]
    solara.Text(
        "Run two configurations on the same seeds, so the only difference between them is the "
        "configuration. 'your settings' are the controls in the sidebar."
    )
    with solara.Row(classes=["cxo-compare-controls"]):
        solara.Select("A", values=options, value=choice_a)
        solara.Select("B", values=options, value=choice_b)
        solara.SliderInt("seeds", value=n_seeds, min=1, max=MAX_SEEDS)
        solara.Button(
            "Run comparison",
            color="primary",
            on_click=task,
            disabled=task.pending,
            classes=["cxo-run-compare"],
        )
    solara.Text(
        f"Seeds {seeds[0]} to {seeds[-1]}, {weeks} weeks each, for both A and B.",
        classes=["cxo-caption"],
    )
    if task.pending:
        solara.ProgressLinear(done.value / (2 * len(seeds)) * 100)
    if task.error:
        solara.Error(f"The comparison failed: {task.exception}")
    if result.value is not None:
        a, b = result.value
        ComparisonResult(a, b)


@solara.component
def ComparisonResult(a: Arm, b: Arm):
    """The table, the overlaid charts and the two organisations at the end of the first seed."""
    weeks = a.last.weeks if a.last is not None else None
    charts = solara.use_memo(
        lambda: comparison_figure({f"A: {a.label}": a.series, f"B: {b.label}": b.series}, weeks),
        [a, b],
    )
    pictures = solara.use_memo(
        lambda: (organisation_figure(a.last), organisation_figure(b.last)), [a, b]
    )
    with solara.Columns([5, 4]):
        with solara.Column():
            solara.HTML(tag="div", unsafe_innerHTML=table_html(a, b), classes=["cxo-compare-table"])
            solara.Text(
                "Charts: mean over the seeds; the band runs from the lowest to the highest run.",
                classes=["cxo-caption"],
            )
        with solara.Column(classes=["cxo-compare-figure"]):
            solara.FigureMatplotlib(charts, dependencies=[a, b], format="png")
    with solara.Columns([1, 1]):
        for arm, picture in zip((a, b), pictures, strict=True):
            with solara.Column():
                solara.Text(
                    f"{'A' if arm is a else 'B'}: {arm.label}, first seed, at the end",
                    classes=["cxo-subtitle"],
                )
                with solara.Column(classes=["cxo-compare-figure"]):
                    solara.FigureMatplotlib(picture, dependencies=[arm], format="png")
