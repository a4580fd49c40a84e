"""Compare two configurations side by side on the same seeds.

Arm A and arm B run once per seed, with the same seeds, so the difference between them is the
difference the configuration makes, not luck. The table gives each outcome's mean per arm and
the mean per-seed difference B - A with its paired 95% t-interval, the interval the reports use
(``analysis.stats.mean_ci`` of the per-seed differences): the same configuration twice gives
differences of exactly zero and an interval of zero width.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import html
import io
import math
import statistics
from dataclasses import dataclass
from typing import Any

import pandas as pd
import solara
import solara.lab

from cxo_sim.analysis.numbers import fmt, is_share, share_points, share_text
from cxo_sim.analysis.stats import mean_ci
from cxo_sim.appkit.charts import (
    ChartFrame,
    comparison_figure,
    figure_png,
    outcome_tip,
    picture_tips,
)
from cxo_sim.appkit.classroom import (
    ClassroomModel,
    matching_preset,
    model_parameters,
)
from cxo_sim.appkit.controls import EntryField, parse_count
from cxo_sim.appkit.organisation import organisation_figure
from cxo_sim.experiments.engine import process_map
from cxo_sim.experiments.single_run import WholeModel, run_model
from cxo_sim.outcomes import OUTCOMES
from cxo_sim.presets import PRESETS

YOURS = "your settings"
MAX_SEEDS = 30
DEFAULT_SEEDS = 5

# What a class predicts before it runs a comparison: B against A on four headline outcomes.
PREDICTED = ("campaign_velocity", "tech_spend", "shadow_spend_share", "trust")
NO_GUESS = "no guess"
GUESSES = (NO_GUESS, "B higher", "B lower", "no clear change")


@dataclass
class Arm:
    """One configuration's runs.

    Attributes:
        label: what the class sees ("your settings", a preset name).
        params: the registry parameters of every run.
        seeds: the seed of each run, in order.
        series: per-week series of each run, one per seed.
        outcomes: end-of-run outcomes of each run, one per seed.
        last: the model of the first seed at the end, for the picture.
    """

    label: str
    params: dict[str, Any]
    seeds: list[int]
    series: list[pd.DataFrame]
    outcomes: list[dict[str, float]]
    last: Any = None


def run_arm(label: str, params: dict[str, Any], seeds: list[int], weeks: int, progress=None) -> Arm:
    """Run ``params`` once per seed for ``weeks`` weeks, by the engine, in this process.

    The app keeps the first seed's model to draw it, so the runs stay in the app's process.
    """
    arm = Arm(label, dict(params), list(seeds), [], [])
    jobs = [(params, seed, weeks) for seed in seeds]
    for model in process_map(_run_seed, jobs):
        arm.series.append(model.datacollector.get_model_vars_dataframe())
        arm.outcomes.append(model.outcomes())
        if arm.last is None:
            arm.last = model
        if progress is not None:
            progress()
    return arm


def _run_seed(job: tuple[dict[str, Any], int, int]) -> ClassroomModel:
    params, seed, weeks = job
    return run_model(
        params, steps=weeks, seed=seed, record=WholeModel(), model_class=ClassroomModel, weeks=weeks
    )


def arm_params(choice: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The parameters of an arm: the sidebar's (``YOURS``) or a preset's."""
    return model_parameters(settings) if choice == YOURS else dict(PRESETS[choice])


def summary_table(a: Arm, b: Arm) -> pd.DataFrame:
    """Per outcome: each arm's mean, and B - A per seed with its paired 95% t-interval.

    Only seeds where both arms have a value count.

    Columns: ``outcome``, ``unit``, ``mean A``, ``mean B``, ``B - A``, ``low``, ``high``,
    ``seeds``, ``better`` (the outcome's better direction); ``low`` and ``high`` are nan with
    one seed.
    """
    if a.seeds != b.seeds:
        raise ValueError("a paired comparison needs both arms on the same seeds")
    rows = []
    for name, outcome in OUTCOMES.items():
        pairs = [
            (x[name], y[name])
            for x, y in zip(a.outcomes, b.outcomes, strict=True)
            if not (math.isnan(x[name]) or math.isnan(y[name]))
        ]
        if not pairs:
            continue
        diff = mean_ci([y - x for x, y in pairs])
        rows.append(
            {
                "outcome": name,
                "unit": outcome.unit,
                "mean A": statistics.fmean(x for x, _ in pairs),
                "mean B": statistics.fmean(y for _, y in pairs),
                "B - A": diff.value,
                "low": diff.low,
                "high": diff.high,
                "seeds": diff.n,
                "better": outcome.better,
            }
        )
    return pd.DataFrame(rows)


def what_the_runs_say(low: float, high: float) -> str | None:
    """What the paired interval says of B against A (None with one seed: no interval)."""
    if math.isnan(low):
        return None
    return "B higher" if low > 0 else "B lower" if high < 0 else "no clear change"


def prediction_lines(a: Arm, b: Arm, guesses: dict[str, str]) -> list[str]:
    """Each prediction against what the runs say, and a count of those that were right."""
    table = summary_table(a, b).set_index("outcome")
    lines, right, made = [], 0, 0
    for name in PREDICTED:
        guess = guesses.get(name, NO_GUESS)
        if guess == NO_GUESS or name not in table.index:
            continue
        said = what_the_runs_say(table.loc[name, "low"], table.loc[name, "high"])
        label = name.replace("_", " ")
        if said is None:
            lines.append(f"{label}: you said {guess}; one seed cannot tell (run more seeds)")
            continue
        made += 1
        right += guess == said
        mark = "right" if guess == said else "not this time"
        lines.append(f"{label}: you said {guess}; the runs say {said} ({mark})")
    if made:
        lines.insert(0, f"Your predictions: {right} of {made} right.")
    return lines


def table_csv(a: Arm, b: Arm) -> str:
    """The comparison table as CSV; the mean columns name their arm."""
    table = summary_table(a, b).rename(columns={"mean A": f"mean A ({a.label})"})
    table = table.rename(columns={"mean B": f"mean B ({b.label})"})
    return table.to_csv(index=False, lineterminator="\n")


def table_html(a: Arm, b: Arm) -> str:
    """The summary table as HTML, with the meaning of each outcome and who does better."""
    head = (
        f"<tr><th>outcome</th><th class='cxo-a'>A: {a.label}</th>"
        f"<th class='cxo-b'>B: {b.label}</th><th>B - A</th><th>95% interval (paired)</th>"
        "<th></th></tr>"
    )
    rows = []
    for outcome, *cells, verdict in table_rows(a, b):
        if verdict.endswith(" better"):
            verdict = f"<b>{verdict}</b>"
        rows.append(
            f'<tr><td title="{html.escape(outcome_tip(outcome))}">{outcome}</td>'
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + f"<td>{verdict}</td></tr>"
        )
    seeds = f"seeds {a.seeds[0]} to {a.seeds[-1]}" if len(a.seeds) > 1 else f"seed {a.seeds[0]}"
    caption = f"<caption>A and B on {seeds}</caption>"
    return f"<table class='cxo-compare'>{caption}{head}{''.join(rows)}</table>"


def table_rows(a: Arm, b: Arm) -> list[list[str]]:
    """The comparison table's cells as the page shows them (verdicts without markup)."""
    rows = []
    for row in summary_table(a, b).itertuples(index=False):
        level, change = (share_text, share_points) if is_share(row.outcome) else (fmt, fmt)
        interval = (
            "one seed: none"
            if math.isnan(row.low)
            else f"{change(row.low)} to {change(row.high)}"
            if row.low or row.high
            else "0 to 0"
        )
        verdict = _verdict(row.low, row.high, row.better)
        rows.append(
            [
                row.outcome,
                level(row[2]),
                level(row[3]),
                change(row[4]) if row[4] else "0",
                interval,
                verdict,
            ]
        )
    return rows


def table_png(a: Arm, b: Arm) -> bytes:
    """The comparison table as a PNG, for a slide or a handout."""
    from matplotlib.figure import Figure

    rows = table_rows(a, b)
    head = ["outcome", f"A: {a.label}", f"B: {b.label}", "B - A", "95% interval (paired)", ""]
    figure = Figure(figsize=(9.0, 0.2 * (len(rows) + 2)), dpi=100)
    ax = figure.add_axes((0.01, 0.01, 0.98, 0.9))
    ax.axis("off")
    table = ax.table(cellText=rows, colLabels=head, loc="upper left", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.auto_set_column_width(list(range(len(head))))
    for (r, c), cell in table.get_celld().items():
        cell.set_linewidth(0.3)
        if c == 0:
            cell.set_text_props(ha="left")
        if r == 0:
            cell.set_text_props(weight="bold")
    seeds = f"seeds {a.seeds[0]} to {a.seeds[-1]}" if len(a.seeds) > 1 else f"seed {a.seeds[0]}"
    ax.set_title(f"A and B on {seeds}", fontsize=10, loc="left")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", pad_inches=0.1)
    return buffer.getvalue()


def _verdict(low: float, high: float, better: str) -> str:
    """Plain words for a difference whose interval is (low, high)."""
    if math.isnan(low):
        return ""
    if low == high == 0:
        return "no difference"
    if low <= 0 <= high:
        return "no clear difference"
    if not better:
        return "B higher" if low > 0 else "B lower"
    b_better = (low > 0) == (better == "higher")
    return "B better" if b_better else "A better"


@solara.component
def Compare(settings: dict[str, Any]):
    """Pick two configurations, run both on the same seeds, show them side by side."""
    choice_a = solara.use_reactive(YOURS)
    # Against old_world, unless the sidebar is old_world already: then against best_practice.
    choice_b = solara.use_reactive(
        "best_practice" if matching_preset(settings) == "old_world" else "old_world"
    )
    n_seeds = solara.use_reactive(DEFAULT_SEEDS)
    guesses = solara.use_reactive({})
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

    def start() -> None:
        # The previous table goes with the click: under "Running..." it would read as the new
        # result.
        result.set(None)
        task()

    options = [YOURS, *PRESETS]
    solara.Text(
        "Run two configurations on the same seeds, so the only difference between them is the "
        "configuration. 'your settings' are the controls in the sidebar."
    )
    with solara.Row(classes=["cxo-compare-controls"], style={"align-items": "center"}):
        solara.Select("A", values=options, value=choice_a)
        solara.Select("B", values=options, value=choice_b)
        EntryField(
            "seeds",
            n_seeds.value,
            lambda text: parse_count("seeds", text, 1, MAX_SEEDS),
            n_seeds.set,
            classes=["cxo-box-seeds"],
        )
        solara.Button(
            "Run comparison",
            color="primary",
            on_click=start,
            disabled=task.pending,
            classes=["cxo-run-compare"],
        )
    solara.Text("Before you run: what will B do against A?", classes=["cxo-subtitle"])
    with solara.Row(classes=["cxo-predictions"]):
        for name in PREDICTED:
            solara.Select(
                name.replace("_", " "),
                values=list(GUESSES),
                value=guesses.value.get(name, NO_GUESS),
                on_value=lambda guess, name=name: guesses.set({**guesses.value, name: guess}),
            )
    solara.Text(
        f"Seeds {seeds[0]} to {seeds[-1]}, {weeks} weeks each, for both A and B: "
        f"{2 * len(seeds)} runs.",
        classes=["cxo-caption"],
    )
    total = 2 * len(seeds)
    if task.pending and done.value < total:
        solara.Text(
            f"Running: {done.value} of {total} runs done.", classes=["cxo-compare-progress"]
        )
        solara.ProgressLinear(done.value / total * 100)
    if task.error:
        solara.Error(f"The comparison failed: {task.exception}")
    if result.value is not None and not task.pending:
        a, b = result.value
        lines = prediction_lines(a, b, guesses.value)
        if lines:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
            solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["cxo-verdicts"])
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
    with solara.Div(classes=["cxo-two-columns"]):
        with solara.Column():
            solara.HTML(tag="div", unsafe_innerHTML=table_html(a, b), classes=["cxo-compare-table"])
            solara.Text(
                f"B - A is the mean over the {len(a.seeds)} seeds of B's result minus A's on the "
                "same seed; the interval is the paired 95% t-interval of those differences. "
                "Charts: mean over the seeds; the band runs from the lowest to the highest run.",
                classes=["cxo-caption"],
            )
            with solara.Row():
                solara.FileDownload(
                    lambda: table_csv(a, b),
                    filename="cxo-sim-compare.csv",
                    label="This table as CSV",
                    mime_type="text/csv",
                )
                solara.FileDownload(
                    lambda: table_png(a, b),
                    filename="cxo-sim-compare-table.png",
                    label="This table as PNG",
                    mime_type="image/png",
                )
        with solara.Column(classes=["cxo-compare-figure"]):
            ChartFrame(
                lambda: solara.FigureMatplotlib(charts, dependencies=[a, b], format="png"),
                first_only=True,
                weeks=max(weeks or 0, 1),
            )
            solara.FileDownload(
                lambda: figure_png(charts),
                filename="cxo-sim-compare.png",
                label="These charts as PNG",
                mime_type="image/png",
            )
    with solara.Columns([1, 1]):
        for arm, picture in zip((a, b), pictures, strict=True):
            with solara.Column():
                solara.Text(
                    f"{'A' if arm is a else 'B'}: {arm.label}, first seed, at the end",
                    classes=["cxo-subtitle"],
                )
                with solara.Column(classes=["cxo-compare-figure"]):
                    ChartFrame(
                        lambda picture=picture, arm=arm: solara.FigureMatplotlib(
                            picture, dependencies=[arm], format="png"
                        ),
                        tips=picture_tips(),
                    )
