"""Figures from a results folder, chosen to fit the experiment's design.

``cxo-sim plot RESULTS_DIR`` writes PNG and SVG files to ``RESULTS_DIR/figures/``, the
per-configuration ``summary.csv`` and the per-run ``runs.csv``. Every figure's title states the
question it answers, axes carry units and the subtitle says how many replications each point
rests on. Files are deterministic: the same results give byte-identical figures. What every
figure shares is :mod:`cxo_sim.analysis.figure_style`. Covered by
``tests/analysis/test_plots_report.py``.
"""

from __future__ import annotations

import itertools
import math
import os
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402

from cxo_sim.analysis.effects import (  # noqa: E402
    BASELINE,
    baseline_effects,
    findings,
    level_order,
)
from cxo_sim.analysis.figure_style import (  # noqa: E402
    FIGURE_INCHES,
    PANEL_COLUMNS,
    STYLE,
    Figure,
    _outcome_title,
    _replication_text,
    _short,
    add_titles,
    panel_grid,
    save,
    share_axis,
)
from cxo_sim.analysis.numbers import change, fmt, is_share  # noqa: E402
from cxo_sim.analysis.numbers import level as level_value  # noqa: E402
from cxo_sim.analysis.results import (  # noqa: E402
    HEADLINE,
    ResultSet,
    measure,
    outcome_label,
    parameter_label,
    unit_label,
    words,
)
from cxo_sim.analysis.stats import clear_front, mean_ci, summarise  # noqa: E402
from cxo_sim.experiments import safe_files  # noqa: E402
from cxo_sim.params import PARAMETERS  # noqa: E402

GOOD, BAD, NEUTRAL, UNCLEAR = "#1a9850", "#d73027", "#4575b4", "#9e9e9e"
HEATMAP_OUTCOMES = ("shadow_spend_share", "breaches")
TRADEOFFS = (("campaign_velocity", "breaches"), ("campaign_velocity", "tech_spend"))
MAX_SERIES_LINES = 8
MAX_HEATMAP_PAIRS = 3
# Panels in a figure of several outcomes: the headline outcomes, then others a comparison
# clearly moves (the findings table has every outcome).
MAX_PANELS = 12


def make_figures(rs: ResultSet, table: pd.DataFrame | None = None) -> list[Figure]:
    """Draw every figure that fits the design of ``rs`` into ``rs.path / "figures"``.

    ``table`` is ``findings(rs)`` when the caller has it already.
    """
    folder = rs.path / "figures"
    os.close(safe_files.open_folder(folder, anchor=rs.path, create=True))  # refuses a link
    outcomes = figure_outcomes(rs, findings(rs) if table is None else table)
    figures: list[Figure] = []
    with plt.rc_context(STYLE):
        if rs.sampling == "scenarios" or not rs.factors:
            figures.append(outcomes_by_scenario(rs, outcomes, folder))
            if BASELINE in rs.scenario_order() and rs.runs["scenario"].nunique() > 1:
                figures.append(effects_forest(rs, outcomes, folder))
                figures.append(effects_matrix(rs, outcomes, folder))
        elif rs.sampling == "lhs":
            figures += [outcomes_by_sampled_factor(rs, f, outcomes, folder) for f in rs.factors]
        else:
            figures += [outcomes_by_level(rs, f, outcomes, folder) for f in rs.factors]
            pairs = list(itertools.combinations(rs.factors, 2))[:MAX_HEATMAP_PAIRS]
            figures += [heatmap(rs, x, y, folder) for x, y in pairs]
        if rs.runs["point"].nunique() > 1:
            figures.append(tradeoffs(rs, folder))
        if rs.timeseries is not None and not rs.timeseries.empty:
            figures.append(series_with_bands(rs, outcomes, folder))
    return figures


def varying_outcomes(rs: ResultSet) -> list[str]:
    """Outcomes that are not constant over all runs (a constant panel tells nothing)."""
    return [o for o in rs.outcomes if rs.runs[o].nunique(dropna=True) > 1] or rs.outcomes


def figure_outcomes(rs: ResultSet, table: pd.DataFrame) -> list[str]:
    """The outcomes a figure of panels shows: fewer panels, so each is legible at 1024x768.

    The headline outcomes that vary, then the other varying outcomes that some comparison
    clearly changes, the strongest first, up to ``MAX_PANELS``.
    """
    varying = varying_outcomes(rs)
    first = [o for o in HEADLINE if o in varying]
    clear = table[(table["verdict"] != "no clear change") & ~table["outcome"].isin(first)]
    strength = clear["g"].abs().fillna(clear["estimate"].abs())
    ranked = clear.assign(strength=strength).sort_values("strength", ascending=False)
    others = [o for o in dict.fromkeys(ranked["outcome"]) if o in varying]
    return (first + others)[:MAX_PANELS] or varying[:MAX_PANELS]


def left_out_text(rs: ResultSet, outcomes: list[str]) -> str:
    """The caption's note on the outcomes a figure leaves to the findings table."""
    left = len(rs.outcomes) - len(outcomes)
    return f" The other {left} outcomes are in the findings table." if left > 0 else ""


def outcomes_by_level(rs: ResultSet, factor: str, outcomes: list[str], folder: Path) -> Figure:
    """Each outcome's mean and 95% CI at each level of ``factor`` (main effect, factorial)."""
    levels = level_order(factor, rs.runs[factor])
    numeric = PARAMETERS.get(factor) is not None and PARAMETERS[factor].kind in ("float", "int")
    positions = [float(v) for v in levels] if numeric else list(range(len(levels)))
    fig, axes = panel_grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=True):
        estimates = [mean_ci(rs.runs.loc[rs.runs[factor] == v, outcome]) for v in levels]
        means = [e.value for e in estimates]
        halves = [e.half_width for e in estimates]
        # Levels of a nominal factor have no order: separate points, never a joining line.
        style = "o-" if numeric else "o"
        ax.errorbar(positions, means, yerr=halves, fmt=style, color=NEUTRAL, capsize=3, lw=1.2)
        if not numeric:
            ax.set_xlim(-0.5, len(levels) - 0.5)
        ax.set_title(_outcome_title(outcome))
        ax.set_ylabel(unit_label(outcome))
        share_axis(ax.yaxis, outcome)
        ax.set_xlabel(parameter_label(factor))
        if not numeric:
            ax.set_xticks(positions, [_short(v) for v in levels])
    per_level = rs.runs.groupby(factor, sort=False).size().min()
    title = f"How does {words(factor)} change each outcome?"
    subtitle = (
        f"{_sentence(PARAMETERS[factor].meaning if factor in PARAMETERS else words(factor))}. "
        "Mean and 95% CI; "
        f"at least {per_level} runs per level ({_replication_text(rs)}, pooled over the other "
        "factors)"
    )
    add_titles(fig, title, subtitle)
    caption = (
        f"Each panel is one outcome; points are the mean over all runs at that level of {factor}, "
        "bars the 95% confidence interval of that mean. Non-overlapping bars are a strong hint of "
        "a real difference; the findings table gives the tested difference."
        + left_out_text(rs, outcomes)
    )
    return save(fig, folder, f"by-{factor}", title, caption)


def outcomes_by_sampled_factor(
    rs: ResultSet, factor: str, outcomes: list[str], folder: Path
) -> Figure:
    """Each configuration's mean outcome against a factor sampled by Latin hypercube."""
    means = summarise(rs.runs, ["point"], outcomes)
    values = rs.configurations.set_index("point")[factor]
    numeric = PARAMETERS.get(factor) is not None and PARAMETERS[factor].kind in ("float", "int")
    levels = level_order(factor, values)
    fig, axes = panel_grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = means[means["outcome"] == outcome].set_index("point")
        x = values.loc[rows.index]
        position = x.astype(float) if numeric else x.map({v: i for i, v in enumerate(levels)})
        ax.errorbar(
            position, rows["mean"], yerr=rows["half_width"], fmt="o", ms=3, color=NEUTRAL,
            ecolor="#bbbbbb", elinewidth=0.8, capsize=0,
            rasterized=True,  # hundreds of points: keep the SVG small
        )  # fmt: skip
        ax.set_title(_outcome_title(outcome))
        ax.set_ylabel(unit_label(outcome))
        share_axis(ax.yaxis, outcome)
        ax.set_xlabel(parameter_label(factor))
        if not numeric:
            ax.set_xticks(range(len(levels)), [_short(v) for v in levels])
    title = f"How does each outcome follow {words(factor)}?"
    subtitle = (
        f"One point per sampled configuration: mean and 95% CI over {_replication_text(rs)}; "
        "the other factors vary at the same time"
    )
    add_titles(fig, title, subtitle)
    caption = (
        f"Each point is one Latin-hypercube configuration. A clear slope means the outcome "
        f"follows {factor}; a cloud means other factors or chance dominate."
        + left_out_text(rs, outcomes)
    )
    return save(fig, folder, f"by-{factor}", title, caption)


def outcomes_by_scenario(rs: ResultSet, outcomes: list[str], folder: Path) -> Figure:
    """Each outcome's mean and 95% CI in each scenario, the baseline marked."""
    order = rs.scenario_order()
    stats = summarise(rs.runs, ["scenario"], outcomes)
    fig, axes = panel_grid(len(outcomes), height=0.6 + 0.22 * len(order))
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = stats[stats["outcome"] == outcome].set_index("scenario").loc[order]
        y = np.arange(len(order))[::-1]
        colours = [NEUTRAL if s != BASELINE else "black" for s in order]
        ax.errorbar(rows["mean"], y, xerr=rows["half_width"], fmt="none", ecolor="#888888")
        ax.scatter(rows["mean"], y, c=colours, s=18, zorder=3)
        if BASELINE in order:
            ax.axvline(rows.loc[BASELINE, "mean"], color="black", lw=0.8, ls="--")
        ax.set_yticks(y, [_short(s) for s in order])
        ax.set_title(_outcome_title(outcome))
        ax.set_xlabel(unit_label(outcome))
        share_axis(ax.xaxis, outcome)
    _names_on_first_column(axes)
    title = f"{rs.question}"
    subtitle = f"Each outcome per scenario: mean and 95% CI over {_replication_text(rs)}"
    add_titles(fig, title, subtitle)
    caption = (
        "Each panel is one outcome, each row a scenario; the dashed line is the baseline's mean. "
        "Bars are 95% confidence intervals of the mean over replications."
        + left_out_text(rs, outcomes)
    )
    return save(fig, folder, "by-scenario", title, caption)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names_on_first_column(axes: list) -> None:
    """Scenario names once per row of panels (they are the same in every panel)."""
    for k, ax in enumerate(axes):
        if k % PANEL_COLUMNS:
            ax.tick_params(labelleft=False)


def _effect_colour(verdict: str) -> str:
    return {"better": GOOD, "worse": BAD, "higher": NEUTRAL, "lower": NEUTRAL}.get(verdict, UNCLEAR)


def effects_forest(rs: ResultSet, outcomes: list[str], folder: Path) -> Figure:
    """Each scenario's difference from the baseline, per outcome, with 95% CIs, good/bad colour."""
    effects = baseline_effects(rs, outcomes)
    arms = [s for s in rs.scenario_order() if s != BASELINE]
    fig, axes = panel_grid(len(outcomes), height=0.7 + 0.22 * len(arms))
    y = np.arange(len(arms))[::-1]
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = effects[effects["outcome"] == outcome].set_index("arm").loc[arms]
        colours = [_effect_colour(v) for v in rows["verdict"]]
        ax.axvline(0.0, color="black", lw=0.8)
        for yi, (_, row), colour in zip(y, rows.iterrows(), colours, strict=True):
            ax.errorbar(
                row["estimate"], yi, xerr=[[row["estimate"] - row["low"]],
                [row["high"] - row["estimate"]]], fmt="o", ms=4, color=colour, capsize=2,
            )  # fmt: skip
        ax.set_yticks(y, [_short(a) for a in arms])
        ax.set_title(_outcome_title(outcome))
        ax.set_xlabel(f"difference ({unit_label(outcome, difference=True)})")
        share_axis(ax.xaxis, outcome)
    _names_on_first_column(axes)
    title = "What does each practice buy, and what does it cost, against the baseline?"
    subtitle = (
        f"Difference of means (scenario - baseline) with 95% CI"
        f"{' of paired, same-seed runs' if effects['paired'].all() else ''}, "
        f"{_replication_text(rs)}. "
        "Green: better; red: worse; blue: changed, neither better nor worse; grey: no clear change"
    )
    add_titles(fig, title, subtitle)
    caption = (
        "One panel per outcome, in its own unit. A point right of the zero line means the "
        "scenario raises the outcome. Colour says whether that is good news (green) or bad "
        "(red); grey intervals cross zero, so the replications cannot tell the difference "
        "from chance." + left_out_text(rs, outcomes)
    )
    return save(fig, folder, "practice-effects", title, caption)


def effects_matrix(rs: ResultSet, outcomes: list[str], folder: Path) -> Figure:
    """Practices by outcomes at a glance: standardised effect coloured good (green) or bad (red)."""
    effects = baseline_effects(rs, outcomes)
    arms = [s for s in rs.scenario_order() if s != BASELINE]
    goodness = np.full((len(arms), len(outcomes)), np.nan)
    fig, ax = plt.subplots(
        figsize=(min(FIGURE_INCHES, 2.0 + 0.62 * len(outcomes)), 3.8 + 0.45 * len(arms))
    )
    for (i, arm), (j, outcome) in itertools.product(enumerate(arms), enumerate(outcomes)):
        row = effects[(effects["arm"] == arm) & (effects["outcome"] == outcome)].iloc[0]
        sign = {"higher": 1.0, "lower": -1.0}.get(measure(outcome).better, 0.0)
        if row["verdict"] in ("better", "worse"):
            # A fixed difference has no g: it is as certain as a difference gets.
            g = math.copysign(2.0, row["estimate"]) if row["fixed"] else row["g"]
            goodness[i, j] = np.clip(sign * g, -2.0, 2.0)
        text = "·" if row["verdict"] == "no clear change" else _relative_text(row)
        ax.text(j, i, text, ha="center", va="center", fontsize=8.5)
    ax.imshow(
        np.ma.masked_invalid(goodness),
        cmap="RdYlGn",
        norm=TwoSlopeNorm(0.0, -2.0, 2.0),
        aspect="auto",
    )
    ax.set_facecolor("#f2f2f2")
    ax.set_xticks(range(len(outcomes)), map(outcome_label, outcomes), rotation=50, ha="right")
    ax.set_yticks(range(len(arms)), [_short(a) for a in arms])
    ax.set_xticks(np.arange(len(outcomes) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(arms) + 1) - 0.5, minor=True)
    ax.grid(False)
    ax.grid(which="minor", color="white", lw=2)
    ax.tick_params(which="minor", length=0)
    title = "What each practice buys and costs, at a glance"
    subtitle = (
        "Cell text: change against the baseline in % (in units when the baseline is 0; shares "
        "in percentage points, pt); "
        "'·' no clear change (95% CI includes 0).\nColour: green better, red worse, stronger "
        f"for larger standardised effects (Hedges' g up to 2); grey: no better direction. "
        f"{_replication_text(rs)}"
    )
    add_titles(fig, title, subtitle)
    caption = (
        "Rows are scenarios, columns outcomes. Read a row to see what a practice buys (green) "
        "and what it costs (red). Numbers are relative changes from the baseline mean."
        + left_out_text(rs, outcomes)
    )
    return save(fig, folder, "practice-matrix", title, caption)


def _relative_text(row: pd.Series) -> str:
    if is_share(row["outcome"]):  # a share's change in points, never a percent of a percent
        return f"{100 * row['estimate']:+.1f} pt"
    relative = row["relative"]
    if isinstance(relative, float) and math.isfinite(relative):
        return f"{relative * 100:+.0f}%"
    return change(row["outcome"], row["estimate"])


def tradeoffs(rs: ResultSet, folder: Path) -> Figure:
    """Velocity against breaches and tech spend: a point per configuration, the Pareto front."""
    pairs = [(x, y) for x, y in TRADEOFFS if x in rs.runs and y in rs.runs]
    stats = summarise(rs.runs, ["point"], sorted({c for pair in pairs for c in pair}))
    configs = rs.configurations.set_index("point")
    colour_by, colours = _tradeoff_colours(rs, configs)
    width = FIGURE_INCHES / 2
    fig, axes = plt.subplots(1, len(pairs), figsize=(width * len(pairs), 5.2), squeeze=False)
    front_notes = []
    for ax, (x, y) in zip(axes.flat, pairs, strict=True):
        mx = stats[stats["outcome"] == x].set_index("point")
        my = stats[stats["outcome"] == y].set_index("point").loc[mx.index]
        front = clear_front(
            pd.DataFrame({x: mx["mean"], y: my["mean"]}),
            pd.DataFrame({x: mx["half_width"], y: my["half_width"]}),
            maximise=[x],
            minimise=[y],
        )
        ax.errorbar(
            mx["mean"], my["mean"], xerr=mx["half_width"], yerr=my["half_width"], fmt="none",
            ecolor="#cccccc", elinewidth=0.8, zorder=1,
        )  # fmt: skip
        order = np.argsort(mx["mean"][front].to_numpy())
        ax.plot(
            mx["mean"][front].to_numpy()[order],
            my["mean"][front].to_numpy()[order],
            color="black", lw=1, ls="--", label="front (diamonds)", zorder=2,
        )  # fmt: skip
        for level, colour in colours.items():
            chosen = (configs.loc[mx.index, colour_by] == level).to_numpy() if colour_by else None
            mask = chosen if chosen is not None else np.ones(len(mx), dtype=bool)
            for on_front, marker, size in ((False, "o", 24), (True, "D", 48)):
                pick = mask & (front == on_front)
                ax.scatter(
                    mx["mean"][pick], my["mean"][pick], s=size, marker=marker, color=colour,
                    edgecolors="black" if on_front else "none", zorder=3,
                    label=_short(level) if colour_by and not on_front else None,
                )  # fmt: skip
        short_names = len(mx) <= 12 and configs["scenario"].str.len().max() <= 20
        for point in mx.index if short_names else mx.index[front]:
            label = _short(configs.loc[point, "scenario"]) if short_names else f"#{point}"
            ax.annotate(
                label, (mx.loc[point, "mean"], my.loc[point, "mean"]),
                textcoords="offset points", xytext=(5, 4), fontsize=9,
            )  # fmt: skip
        front_notes.append(
            f"{outcome_label(y)}: "
            + "; ".join(f"#{p} {_short(configs.loc[p, 'scenario'])}" for p in mx.index[front])
        )
        ax.set_xlabel(f"{outcome_label(x)} ({unit_label(x)}; higher is better)")
        ax.set_ylabel(f"{outcome_label(y)} ({unit_label(y)}; lower is better)")
        share_axis(ax.xaxis, x)
        share_axis(ax.yaxis, y)
        ax.legend(loc="best", title=words(colour_by) if colour_by else None)
    title = "Can campaigns go faster without more breaches or more spend?"
    subtitle = (
        f"One point per configuration: mean and 95% CI over {_replication_text(rs)}; "
        "diamonds: nothing else is clearly both faster and safer (or cheaper), intervals apart"
    )
    notes = "\n".join(textwrap.shorten(n, 150, placeholder=" ...") for n in front_notes)
    fig.text(0.01, 0.01, "Front by panel. " + notes, fontsize=8.5, va="bottom")
    add_titles(fig, title, subtitle, bottom=(0.2 + 0.14 * len(front_notes)) / fig.get_figheight())
    caption = (
        "Right is faster, down is safer (left panel) or cheaper (right panel): the best place is "
        "bottom right. Diamonds are on the front: no other configuration beats them on both "
        "axes at once with its 95% interval apart on at least one, so where intervals overlap "
        "the front keeps every configuration the data cannot rule out. Their numbers (#point) "
        "are listed under the panels."
    )
    return save(fig, folder, "tradeoffs", title, caption)


def _tradeoff_colours(rs: ResultSet, configs: pd.DataFrame) -> tuple[str | None, dict]:
    """Colour points by the first factor of a grid when it has few levels, else one colour."""
    palette = plt.get_cmap("tab10")
    for factor in rs.factors[:1] if rs.sampling != "scenarios" else []:
        levels = level_order(factor, configs[factor])
        if len(levels) <= 6:
            return factor, {level: palette(k) for k, level in enumerate(levels)}
    return None, {"all": NEUTRAL}


def heatmap(rs: ResultSet, x: str, y: str, folder: Path) -> Figure:
    """Two factors as a grid, coloured by shadow spend share and by breaches (pooled means)."""
    shown = [o for o in HEATMAP_OUTCOMES if o in rs.runs]
    x_levels, y_levels = level_order(x, rs.runs[x]), level_order(y, rs.runs[y])
    width = FIGURE_INCHES / 2
    fig, axes = plt.subplots(1, len(shown), figsize=(width * len(shown), 4.6), squeeze=False)
    for ax, outcome in zip(axes.flat, shown, strict=True):
        grid = np.full((len(y_levels), len(x_levels)), np.nan)
        halves = np.full_like(grid, np.nan)
        for (i, yv), (j, xv) in itertools.product(enumerate(y_levels), enumerate(x_levels)):
            cell = mean_ci(rs.runs.loc[(rs.runs[x] == xv) & (rs.runs[y] == yv), outcome])
            grid[i, j], halves[i, j] = cell.value, cell.half_width
        cmap = "YlGn" if measure(outcome).better == "higher" else "YlOrRd"
        image = ax.imshow(grid, cmap=cmap, origin="lower", aspect="auto")
        for i, j in itertools.product(range(len(y_levels)), range(len(x_levels))):
            # Each cell says how noisy it is: its mean and the 95% CI's half-width.
            half = f"{100 * halves[i, j]:.1f} points" if is_share(outcome) else fmt(halves[i, j], 2)
            text = f"{level_value(outcome, grid[i, j])}\n±{half}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(x_levels)), [_short(v) for v in x_levels])
        ax.set_yticks(range(len(y_levels)), [_short(v) for v in y_levels])
        ax.set_xlabel(parameter_label(x))
        ax.set_ylabel(parameter_label(y))
        ax.set_title(_outcome_title(outcome))
        ax.grid(False)
        bar = fig.colorbar(image, ax=ax, label=f"{outcome_label(outcome)} ({unit_label(outcome)})")
        share_axis(bar.ax.yaxis, outcome)
    others = [f for f in rs.factors if f not in (x, y)]
    pooled = f", pooled over {', '.join(map(words, others))}" if others else ""
    title = f"How do {words(x)} and {words(y)} together shape shadow spend and breaches?"
    subtitle = f"Mean ± 95% CI half-width over runs per cell, {_replication_text(rs)}{pooled}"
    add_titles(fig, title, subtitle)
    caption = (
        f"Each cell is one combination of {x} (across) and {y} (up), with the mean outcome "
        "and the half-width of its 95% confidence interval written in it: two cells whose "
        "difference is smaller than their half-widths may differ by chance. Darker is more. "
        "Look for corners and for rows whose colour changes along the row: that is an "
        "interaction."
    )
    return save(fig, folder, f"heatmap-{x}-{y}", title, caption)


def series_with_bands(rs: ResultSet, outcomes: list[str], folder: Path) -> Figure:
    """Per-week series of each scenario: mean with a 95% CI band over replications."""
    group, groups, series = _series_groups(rs)
    shown = [o for o in outcomes if o in series.columns]
    fig, axes = panel_grid(len(shown))
    colours = plt.get_cmap("tab10")
    for ax, outcome in zip(axes, shown, strict=True):
        stats = summarise(series, [group, "week"], [outcome])
        for k, value in enumerate(groups):
            rows = stats[stats[group] == value].sort_values("week")
            colour = "black" if value == BASELINE else colours(k % 10)
            ax.plot(rows["week"], rows["mean"], color=colour, lw=1.2, label=_short(value))
            # Every series is a count, a cost or a share: a band below zero is only the
            # t-interval's symmetry, so it is cut at zero.
            low = rows["low"].clip(lower=0.0)
            ax.fill_between(rows["week"], low, rows["high"], color=colour, alpha=0.15)
        ax.set_title(_outcome_title(outcome))
        ax.set_ylabel(unit_label(outcome))
        share_axis(ax.yaxis, outcome)
        ax.set_xlabel("week")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 4), title=words(group))
    title = "How do the configurations unfold week by week?"
    subtitle = f"Mean per week with 95% CI band (cut at zero) over {_replication_text(rs)}"
    if group != "scenario":
        subtitle += f"; runs grouped by {words(group)}"
    legend_rows = math.ceil(len(names) / 4) + 1
    add_titles(fig, title, subtitle, bottom=0.2 * legend_rows / fig.get_figheight())
    caption = (
        "Each panel is one per-week series; the line is the mean over replications, the band its "
        "95% confidence interval. Cumulative counts rise over time; stocks such as tool counts "
        "and trust show where the organisation is heading." + left_out_text(rs, shown)
    )
    return save(fig, folder, "series", title, caption)


def _series_groups(rs: ResultSet) -> tuple[str, list[Any], pd.DataFrame]:
    """Plot each scenario when there are few; otherwise group runs by the first factor."""
    order = rs.scenario_order()
    series = rs.timeseries
    if len(order) <= MAX_SERIES_LINES or not rs.factors:
        return "scenario", order[:MAX_SERIES_LINES], series
    factor = rs.factors[0]
    levels = series["point"].map(rs.configurations.set_index("point")[factor])
    series = series.assign(**{factor: levels})
    return factor, level_order(factor, series[factor])[:MAX_SERIES_LINES], series
