"""What every figure shares: the style, the titles, the panels and the byte-stable files.

A figure's title states the question it answers, axes carry units and the subtitle says how many
replications each point rests on; the same results give byte-identical PNG and SVG files. Used
by :mod:`cxo_sim.analysis.plots` and :mod:`cxo_sim.analysis.sensitivity`. Covered by
``tests/analysis/test_plots_report.py``.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from cxo_sim.analysis.effects import level_text  # noqa: E402
from cxo_sim.analysis.numbers import is_share  # noqa: E402
from cxo_sim.analysis.results import (  # noqa: E402
    ResultSet,
    measure,
    outcome_label,
    words,
)
from cxo_sim.experiments import safe_files  # noqa: E402

# Sizes in points at PNG_DPI: a figure is at most FIGURE_INCHES wide, so a report shows it near
# its own size on a 1024-pixel screen, where 9 points is about 14 pixels.
STYLE = {
    "svg.hashsalt": "cxo-sim",
    "svg.fonttype": "none",
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


PNG_DPI = 110
# The widest figure, in inches: 990 pixels at PNG_DPI, the width of a report's column at
# 1024x768 (a projector), so no figure is shrunk there.
FIGURE_INCHES = 9.0
# Panels per row of a figure of several outcomes.
PANEL_COLUMNS = 3


@dataclass
class Figure:
    """A written figure.

    Attributes:
        stem: file name without extension.
        title: the question the figure answers.
        caption: how to read it.
        paths: the PNG and SVG files.
    """

    stem: str
    title: str
    caption: str
    paths: list[Path] = field(default_factory=list)

    @property
    def png(self) -> Path:
        """The PNG file."""
        return next(p for p in self.paths if p.suffix == ".png")


def save(fig: plt.Figure, folder: Path, stem: str, title: str, caption: str) -> Figure:
    """Write ``fig`` as PNG and SVG without timestamps, close it, and describe it."""
    png, svg = folder / f"{stem}.png", folder / f"{stem}.svg"
    try:
        # Through the folder's parent, which a figures/ link in its place cannot redirect.
        safe_files.write_output(
            png,
            lambda temp: fig.savefig(temp, dpi=PNG_DPI, metadata={"Software": None}),
            root=folder.parent,
        )
        safe_files.write_output(
            svg,
            lambda temp: fig.savefig(temp, metadata={"Date": None, "Creator": None}),
            root=folder.parent,
        )
    finally:
        plt.close(fig)
    return Figure(stem, title, caption, [png, svg])


def panel_grid(
    count: int,
    width: float = FIGURE_INCHES / PANEL_COLUMNS,
    height: float = 2.5,
    columns: int = PANEL_COLUMNS,
):
    """A figure with ``count`` panels of ``width`` x ``height`` inches, ``columns`` per row."""
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(width * columns, height * rows + 0.9), squeeze=False
    )
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:count])


def add_titles(fig: plt.Figure, title: str, subtitle: str, bottom: float = 0.0) -> None:
    """Title (the question) and subtitle (how to read it) above the panels, then lay out."""
    height, width = fig.get_figheight(), fig.get_figwidth()
    # Wrapped to the figure's width (a bold character is about 0.7 em), so nothing is clipped.
    title = textwrap.fill(title, max(30, int(width * 72 / (0.7 * 12))))
    subtitle = "\n".join(
        textwrap.fill(line, max(40, int(width * 72 / (0.55 * 9)))) for line in subtitle.split("\n")
    )
    title_lines = title.count("\n")
    lines = subtitle.count("\n") + 1
    fig.suptitle(title, y=1.0 - 0.08 / height, va="top", fontsize=12, fontweight="bold")
    fig.text(
        0.5,
        1.0 - (0.36 + 0.2 * title_lines) / height,
        subtitle,
        ha="center",
        va="top",
        fontsize=9,
        color="#444444",
    )
    top = 1.0 - (0.42 + 0.2 * title_lines + 0.15 * lines) / height
    fig.tight_layout(rect=(0, bottom, 1, top))


def _replication_text(rs: ResultSet) -> str:
    steps = rs.manifest.get("steps")
    horizon = f", {steps} weeks each" if steps else ""
    return f"{rs.replications} replications per configuration{horizon}"


def _outcome_title(outcome: str) -> str:
    better = measure(outcome).better
    label = outcome_label(outcome)
    return f"{label} ({better} is better)" if better else label


def _short(value: Any) -> str:
    """A level or a scenario in words ("CMO", "best practice", "0.5")."""
    return words(level_text("x", value).removeprefix("x = "))


def share_axis(axis: Any, outcome: str) -> None:
    """A share's ticks in percent (a difference's in points), as the tables write them."""
    if is_share(outcome):
        axis.set_major_formatter(FuncFormatter(lambda value, _: f"{100 * value:.3g}"))
