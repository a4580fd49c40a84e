"""Live charts of the main outcomes, drawn with matplotlib.

Matplotlib figures reach the browser as PNG images made on the server, so the charts need
nothing from a CDN (Altair/Vega would). One figure of six small panels per run is built once and
updated in place each week (:class:`LiveCharts`): only its lines and titles are drawn again.
Each chart image sits under a transparent overlay (:func:`ChartOverlay`, ``chart_overlay.vue``)
that puts a tooltip on every panel title (the outcomes' declared meanings) and turns a click on
a panel into the week under it (:func:`week_at`), for "why did this move?".

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import reacton.ipywidgets as rw
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from cxo_sim.analysis.numbers import share_text
from cxo_sim.appkit import update_counter
from cxo_sim.outcomes import DIAGNOSTICS, OUTCOMES


@dataclass(frozen=True)
class Panel:
    """One small chart.

    Attributes:
        title: what the panel shows.
        series: (outcome name, legend label) pairs on the left axis.
        unit: left-axis label.
        right: (outcome name, legend label) pairs on a right axis (different unit).
        right_unit: right-axis label.
        integer: whether the left axis counts whole things (integer ticks).
        first_title: title when only the first series is drawn (the comparison); the title
            when empty.
    """

    title: str
    series: tuple[tuple[str, str], ...]
    unit: str
    right: tuple[tuple[str, str], ...] = ()
    right_unit: str = ""
    integer: bool = False
    first_title: str = ""


PANELS = (
    Panel(
        "Tools in use",
        (
            ("tool_count", "all"),
            ("shadow_tools", "shadow"),
            ("unreviewed_tools", "known, unreviewed"),
            ("redundant_tools", "redundant"),
        ),
        "tools",
        integer=True,
    ),
    Panel(
        "Breaches so far",
        (("breaches", "breaches"), ("compliance_incidents", "compliance incidents")),
        "so far",
        integer=True,
    ),
    Panel(
        "Campaigns launched per quarter",
        (("campaign_velocity", "launched per quarter"),),
        "campaigns / quarter",
    ),
    Panel(
        "Median lead time, idea to launch",
        (("median_lead_time", "median, idea to launch"),),
        "weeks",
    ),
    Panel(
        "CIO-CMO trust and conflicts",
        (("trust", "trust"),),
        "trust (0-1)",
        right=(("conflicts", "conflicts"), ("escalations", "escalations")),
        right_unit="events so far",
        first_title="CIO-CMO trust",
    ),
    Panel(
        "Spend so far",
        (("tech_spend", "technology"), ("coordination_cost", "coordination")),
        "k$ so far",
        first_title="Technology spend so far",
    ),
)
PANEL_SERIES = tuple(name for p in PANELS for name, _ in p.series + p.right)
# Fastest zlib level for the live PNGs: encoding is a good part of a redraw, and size is no
# matter on localhost.
FAST_PNG = {"compress_level": 1}
# Headroom above the data per legend row, as a share of the axis height.
LEGEND_ROW_ROOM = 0.16
# Longest legend label that still fits two to a row.
LEGEND_COLUMN_CHARS = 10
# Font sizes (points at 100 dpi): ticks and axis labels at 12.5 pixels, legends at 11, when the
# figure is shown at its own 600-pixel width (beside a 1024-pixel projector's sidebar).
TICK_SIZE = 9
LEGEND_SIZE = 8
TITLE_SIZE = 10
COLOURS = ("#1f77b4", "#7b2d8e", "#e69f00", "#7f7f7f")
RIGHT_COLOURS = ("#d55e00", "#8c564b")
# The two arms of a comparison.
ARM_COLOURS = ("#1f77b4", "#d55e00")
assert all(name in OUTCOMES or name in DIAGNOSTICS for name in PANEL_SERIES)


def outcome_figure(series: pd.DataFrame, weeks: int | None = None) -> Figure:
    """The six panels for one run's per-week series (rows = weeks, columns = outcomes)."""
    charts = LiveCharts(weeks)
    charts.show(series)
    return charts.figure


class LiveCharts:
    """The six panels of one run, built once and updated in place week after week.

    Building the figure (axes, ticks, legends) is a good part of a redraw, and drawing its text
    most of the rest, so the figure is built once per run, and each week only the lines and the
    titles (which carry the latest values) are drawn again, over a copy of everything else. The
    axes' tops move on a coarse ladder (``nice_top``) and never down, so they change a few
    times a run; only then is the whole figure drawn again.
    """

    def __init__(self, weeks: int | None = None) -> None:
        self.figure, self.axes = _panel_grid()
        self.canvas = FigureCanvasAgg(self.figure)
        self.lines: list[tuple[Any, str]] = []  # (line, outcome), left and right axes
        self.twins: dict[int, Any] = {}
        self.rooms: list[float] = []
        for k, (ax, panel) in enumerate(zip(self.axes, PANELS, strict=True)):
            self.rooms.append(self._build(k, ax, panel, weeks))
        self.tops: tuple | None = None
        self.background = None

    def _build(self, k: int, ax, panel: Panel, weeks: int | None) -> float:
        for (name, label), colour in zip(panel.series, COLOURS, strict=False):
            (line,) = ax.plot([], [], color=colour, linewidth=1.5, label=label, animated=True)
            self.lines.append((line, name))
        if panel.integer:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(panel.unit, fontsize=TICK_SIZE)
        ax.set_title(panel.title, fontsize=TITLE_SIZE)
        ax.title.set_animated(True)
        handles, labels = ax.get_legend_handles_labels()
        if panel.right:
            twin = ax.twinx()
            self.twins[k] = twin
            for (name, label), colour in zip(panel.right, RIGHT_COLOURS, strict=False):
                (line,) = twin.plot(
                    [], [], color=colour, linewidth=1.2, label=label, linestyle="--", animated=True
                )
                self.lines.append((line, name))
            twin.set_ylabel(panel.right_unit, fontsize=TICK_SIZE)
            twin.tick_params(labelsize=TICK_SIZE)
            twin.yaxis.set_major_locator(MaxNLocator(integer=True))
            more_handles, more_labels = twin.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        _finish_axis(ax, weeks)
        room = 1.0
        if len(labels) > 1:
            # The legend sits in headroom above the data, never on a line.
            columns = 2 if max(len(label) for label in labels) <= LEGEND_COLUMN_CHARS else 1
            room = 1.0 + LEGEND_ROW_ROOM * math.ceil(len(labels) / columns)
            ax.legend(
                handles, labels, fontsize=LEGEND_SIZE, loc="upper left", ncol=columns, frameon=False
            )
        return room

    def _set_data(self, series: pd.DataFrame) -> tuple:
        """Give every line its data and every panel its title; the axes' tops they need."""
        weeks = series.index.to_numpy()
        for line, name in self.lines:
            line.set_data(weeks, series[name].to_numpy() if name in series else [])
        tops = []
        for k, (ax, panel) in enumerate(zip(self.axes, PANELS, strict=True)):
            ax.set_title(_title(panel, series), fontsize=TITLE_SIZE)
            if panel.unit.startswith("trust"):
                tops.append(1.0)
            else:
                tops.append(nice_top(_highest(series, panel.series), panel.integer))
            if k in self.twins:
                tops.append(nice_top(_highest(series, panel.right), True))
        # Never down within a run: a top that moves back and forth redraws everything.
        if self.tops is not None:
            tops = [max(a, b) for a, b in zip(tops, self.tops, strict=True)]
        return tuple(tops)

    def _apply(self, tops: tuple) -> None:
        it = iter(tops)
        for k, (ax, panel) in enumerate(zip(self.axes, PANELS, strict=True)):
            ax.set_ylim(0.0, next(it) * self.rooms[k])
            if panel.unit.startswith("trust"):
                ax.set_yticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
            if k in self.twins:
                self.twins[k].set_ylim(0.0, next(it) * self.rooms[k])
        self.tops = tops

    def show(self, series: pd.DataFrame) -> None:
        """Set the figure to ``series`` (for ``savefig``, which draws every artist)."""
        self._apply(self._set_data(series))

    def png(self, series: pd.DataFrame) -> bytes:
        """The panels for ``series`` as PNG: lines and titles over the kept rest of the figure."""
        tops = self._set_data(series)
        if tops != self.tops or self.background is None:
            self._apply(tops)
            self.canvas.draw()  # everything but the lines and the titles (animated)
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for ax in [*self.axes, *self.twins.values()]:
            for artist in (*ax.lines, ax.title):
                artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer(
            "RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=FAST_PNG["compress_level"])
        return buffer.getvalue()


# The tops an axis takes, times a power of ten: coarse, so a growing series moves its axis
# a few times a run (a redraw of everything), and at most half again as high as its data.
LADDER = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0)


def nice_top(value: float, integer: bool = False) -> float:
    """The smallest rung of ``LADDER`` (times a power of ten) above ``value`` with 5% room."""
    needed = 1.05 * value if math.isfinite(value) and value > 0 else 0.0
    if needed <= 0:
        return 1.0
    scale = 10.0 ** math.floor(math.log10(needed))
    top = next(rung * scale for rung in LADDER if rung * scale >= needed * (1 - 1e-12))
    return max(1.0, math.ceil(top)) if integer else top


def _highest(series: pd.DataFrame, names) -> float:
    values = [series[name].max() for name, _ in names if name in series]
    values = [float(v) for v in values if pd.notna(v)]
    return max(values, default=0.0)


def comparison_figure(arms: dict[str, list[pd.DataFrame]], weeks: int | None = None) -> Figure:
    """The six panels for two (or more) arms: the mean over seeds, with the range as a band."""
    fig, axes = _panel_grid()
    for ax, panel in zip(axes, PANELS, strict=True):
        for (label, runs), colour in zip(arms.items(), ARM_COLOURS, strict=False):
            for name, _ in panel.series[:1]:
                stacked = pd.concat([run[name] for run in runs], axis=1)
                mean = stacked.mean(axis=1)
                ax.fill_between(
                    stacked.index,
                    stacked.min(axis=1),
                    stacked.max(axis=1),
                    color=colour,
                    alpha=0.15,
                    linewidth=0,
                )
                ax.plot(mean.index, mean.values, color=colour, linewidth=1.6, label=label)
        ax.set_title(panel.first_title or panel.title, fontsize=TITLE_SIZE)
        ax.set_ylabel(panel.unit, fontsize=TICK_SIZE)
        _finish_axis(ax, weeks)
    axes[0].legend(fontsize=LEGEND_SIZE, loc="best", frameon=False)
    return fig


def _panel_grid():
    # Fixed margins: constrained layout would cost several times the drawing itself.
    fig = Figure(figsize=(6.0, 7.4), dpi=100)
    axes = fig.subplots(3, 2).ravel()
    fig.subplots_adjust(left=0.11, right=0.89, bottom=0.06, top=0.96, wspace=0.65, hspace=0.55)
    return fig, axes


def _title(panel: Panel, series: pd.DataFrame) -> str:
    """Panel title with the latest value of its first series."""
    name = panel.series[0][0]
    if name not in series or series.empty:
        return panel.title
    last = series[name].iloc[-1]
    if pd.isna(last):
        return panel.title
    if name == "tech_spend" and "shadow_spend_share" in series:
        share = series["shadow_spend_share"].iloc[-1]
        return f"Spend so far: {last:,.0f} k$ ({share_text(share)} shadow)"
    if name == "trust":
        return f"Trust {last:.2f}, conflicts {series['conflicts'].iloc[-1]:.0f}"
    if name == "breaches" and "breach_cost" in series:
        return f"Breaches so far: {last:.0f}, costing {series['breach_cost'].iloc[-1]:,.0f} k$"
    if name == "median_lead_time":
        return f"Median lead time: {last:.1f} weeks"
    return f"{panel.title}: {last:.1f}" if last % 1 else f"{panel.title}: {last:.0f}"


def _finish_axis(ax, weeks: int | None) -> None:
    ax.set_xlabel("week", fontsize=TICK_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True, steps=[1, 2, 5, 10]))
    ax.set_xlim(0, max(weeks or 0, 1))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3, linewidth=0.5)


def charted_outcomes() -> list[str]:
    """The outcomes the live panels draw, in panel order."""
    names = [name for panel in PANELS for name, _ in (*panel.series, *panel.right)]
    return list(dict.fromkeys(names))


def outcome_words(name: str) -> tuple[str, str, str]:
    """An outcome's name in words, its unit and its meaning, as ``cxo_sim.outcomes`` declares.

    The one source of the glossary, the charts' tooltips and the Compare rows' tooltips.
    """
    declared = OUTCOMES.get(name) or DIAGNOSTICS[name]
    return name.replace("_", " "), declared.unit, declared.meaning


def outcome_tip(name: str) -> str:
    """One line on an outcome for a tooltip: "shadow tools (tools): active tools IT ..."."""
    words, unit, meaning = outcome_words(name)
    return f"{words}{f' ({unit})' if unit else ''}: {meaning}"


def panel_tip(panel: Panel, first_only: bool = False) -> str:
    """The tooltip of a panel's title: each of its series, in words, with its meaning."""
    series = panel.series[:1] if first_only else (*panel.series, *panel.right)
    return "\n".join(outcome_tip(name) for name, _ in series)


def glossary(names: list[str]) -> str:
    """Markdown: each outcome with its unit and its meaning (docs/ODD.md section 8)."""
    lines = []
    for name in names:
        words, unit, meaning = outcome_words(name)
        lines.append(f"- **{words}**{f' ({unit})' if unit else ''}: {meaning}")
    return "\n".join(lines)


# Where the panels sit in the figure (both the live and the comparison figure: ``_panel_grid``),
# as fractions of its width and height from its top-left corner: what the overlay over the PNG
# needs to put a tooltip on each title and to turn a click into a week.
@dataclass(frozen=True)
class PanelBox:
    """One panel's axes in the figure: left, top, right, bottom, as fractions from top-left."""

    left: float
    top: float
    right: float
    bottom: float


def panel_boxes() -> tuple[PanelBox, ...]:
    """Where each of ``PANELS`` sits in the figure."""
    figure, axes = _panel_grid()
    boxes = []
    for ax in axes:
        where = ax.get_position()
        boxes.append(PanelBox(where.x0, 1.0 - where.y1, where.x1, 1.0 - where.y0))
    return tuple(boxes)


PANEL_BOXES = panel_boxes()
# The band above each panel where its title is drawn, as a share of the figure's height.
TITLE_BAND = 0.04
# A click this far (a share of the figure) outside a panel's axes still picks in that panel:
# on its tick labels.
CLICK_SLACK = 0.02


def title_tips(first_only: bool = False) -> list[dict[str, Any]]:
    """Tooltip regions over the panels' titles, in percent of the figure (the overlay's props)."""
    return [
        {
            "left": 100 * box.left,
            "top": 100 * (box.top - TITLE_BAND),
            "width": 100 * (box.right - box.left),
            "height": 100 * TITLE_BAND,
            "text": panel_tip(panel, first_only),
        }
        for box, panel in zip(PANEL_BOXES, PANELS, strict=True)
    ]


def week_at(x: float, y: float, weeks: int) -> int | None:
    """The week under a click at (``x``, ``y``), fractions of the figure from its top-left.

    The panels' x axes run from week 0 to ``weeks`` (``_finish_axis``); a click outside every
    panel (beyond ``CLICK_SLACK``) picks nothing.
    """
    for box in PANEL_BOXES:
        inside_x = box.left - CLICK_SLACK <= x <= box.right + CLICK_SLACK
        inside_y = box.top - CLICK_SLACK <= y <= box.bottom + CLICK_SLACK
        if inside_x and inside_y:
            share = (x - box.left) / (box.right - box.left)
            return round(min(max(share, 0.0), 1.0) * max(weeks, 1))
    return None


def week_marks(week: int, weeks: int) -> list[dict[str, float]]:
    """A thin vertical line at ``week`` in every panel, in percent of the figure."""
    share = week / max(weeks, 1)
    return [
        {
            "left": 100 * (box.left + share * (box.right - box.left)),
            "top": 100 * box.top,
            "height": 100 * (box.bottom - box.top),
        }
        for box in PANEL_BOXES
    ]


@solara.component_vue("chart_overlay.vue")
def ChartOverlay(
    tips: list, marks: list, pickable: bool, event_pick: Callable[[dict], None] | None = None
):
    """Transparent layer over a chart image: a tooltip on each title, a click picks a point.

    A click sends ``{"x": ..., "y": ...}``, fractions of the image from its top-left corner, to
    ``event_pick`` (only when ``pickable``); ``marks`` are thin vertical lines.
    """


def picture_tips() -> list[dict[str, Any]]:
    """The tooltip over the organisation picture's title: what its three counts mean."""
    text = "\n".join(outcome_tip(name) for name in ("tool_count", "shadow_tools", "breaches"))
    return [{"left": 0.0, "top": 0.0, "width": 100.0, "height": 100 * TITLE_BAND, "text": text}]


@solara.component
def ChartFrame(
    image, first_only: bool = False, weeks: int = 1, chosen=None, on_week=None, tips=None
) -> None:
    """A chart image under its overlay: a tooltip on each title, and a click to choose a week.

    ``image`` makes the image element; with ``on_week``, a click on a panel calls it with the
    week under the click, and ``chosen`` (a week, or 0) is marked on every panel. ``tips``
    replaces the panels' title tooltips (a figure other than the six panels).
    """

    def pick(where: dict) -> None:
        week = week_at(float(where.get("x", -1)), float(where.get("y", -1)), weeks)
        if week is not None and on_week is not None:
            on_week(week)

    with solara.Div(classes=["cxo-chart-frame"]):
        image()
        ChartOverlay(
            tips=title_tips(first_only) if tips is None else tips,
            marks=week_marks(chosen, weeks) if chosen else [],
            pickable=on_week is not None,
            event_pick=pick,
        )


def figure_png(figure: Figure) -> bytes:
    """A figure as PNG bytes, for download at print resolution."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


@solara.component
def OutcomeCharts(model, chosen_week: solara.Reactive[int] | None = None):
    """The six live panels of ``model`` (a ``CxOModel``), redrawn when the week changes.

    Each title's tooltip says what its series are; with ``chosen_week``, a click on a panel
    sets it to the week under the click (the app's "Why did this move?" reads it).
    """
    update_counter.get()
    weeks = getattr(model, "weeks", None)
    # One figure per run, updated in place each week (LiveCharts), not rebuilt.
    charts = solara.use_memo(lambda: LiveCharts(weeks), [model])

    def series() -> pd.DataFrame:
        return model.datacollector.get_model_vars_dataframe()

    def choose(week: int) -> None:
        # Only weeks already run: a click beyond the lines picks the week shown.
        chosen_week.set(min(max(week, 1), max(model.week, 1)))

    png = solara.use_memo(lambda: charts.png(series()), [model, model.week])
    chosen = chosen_week.value if chosen_week is not None else 0
    with solara.Column(classes=["cxo-charts"]):
        ChartFrame(
            lambda: rw.Image(value=png, format="png"),
            weeks=max(weeks or 0, 1),
            chosen=chosen if 0 < chosen <= model.week else 0,
            on_week=choose if chosen_week is not None and model.week > 0 else None,
        )
        solara.FileDownload(
            lambda: figure_png(outcome_figure(series(), weeks)),
            filename=f"cxo-sim-week-{model.week}.png",
            label="These charts as PNG",
            mime_type="image/png",
        )
        with solara.Details("What the charts show"):
            solara.Markdown(glossary(charted_outcomes()))
