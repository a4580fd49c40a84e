"""A picture of the organisation: the executives, their teams and the tools.

Top: the CIO and the CMO (or the one combined executive), circles sized by influence with the
CEO, joined by a line coloured and thickened by trust; the liaison between them when there is
one. Middle: the teams, IT's engineers on the left (embedded engineers sit in marketing) and
the marketers on the right. Bottom: every active tool as a tile on its owner's side, coloured
by its standing with IT, outlined solid when integrated and dashed when not, with a red cross
once breached.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import math
from collections import Counter

import solara
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Rectangle

from cxo_sim.appkit import update_counter
from cxo_sim.appkit.charts import FAST_PNG, ChartFrame, picture_tips

STATUS_COLOURS = {"reviewed": "#2ca25f", "known": "#fdae61", "shadow": "#5e3c99"}
STATUS_LABELS = {
    "reviewed": "reviewed by IT",
    "known": "known to IT, unreviewed",
    "shadow": "shadow (IT does not know)",
}
ROLE_COLOURS = {"cio": "#1f77b4", "cmo": "#d55e00", "combined": "#6a3d9a"}
ROLE_LABELS = {"cio": "CIO", "cmo": "CMO", "combined": "CIO+CMO"}
BREACH_COLOUR = "#d7191c"
LIAISON_COLOUR = "#009e73"
# People drawn per team before the rest is summarised as "+N".
MAX_PEOPLE = 40
TILE_ASPECT = 2.0
MAX_TILE = (1.25, 0.5)
# Smallest font a tile's name is written in; smaller tiles go unnamed.
MIN_NAME_SIZE = 5.0
# Drawn 600 pixels wide: the width the picture gets beside a 1024-pixel projector's sidebar,
# so it is shown at its own size, not stretched (blurred) or shrunk.
FIGURE_SIZE = (6.0, 5.2)


def tile_grid(n: int, box: tuple[float, float, float, float]) -> list[tuple[float, float, float]]:
    """Positions (x, y, width) of ``n`` tiles filling ``box`` = (x0, y0, x1, y1) from the top.

    The column count is the one whose tiles come closest to the aspect ``TILE_ASPECT``; tiles
    never grow beyond ``MAX_TILE``. Each tile's height is ``width / TILE_ASPECT``.
    """
    if n <= 0:
        return []
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0

    def misfit(cols: int) -> float:
        rows = math.ceil(n / cols)
        return abs(math.log((width / cols) / (height / rows) / TILE_ASPECT))

    cols = min(range(1, n + 1), key=misfit)
    rows = math.ceil(n / cols)
    w = min(width / cols, (height / rows) * TILE_ASPECT, MAX_TILE[0], MAX_TILE[1] * TILE_ASPECT)
    h = w / TILE_ASPECT
    return [(x0 + (i % cols) * w, y1 - (i // cols + 1) * h, w) for i in range(n)]


def organisation_figure(model) -> Figure:
    """Draw the organisation of ``model`` (a ``CxOModel``) as it is this week."""
    fig = Figure(figsize=FIGURE_SIZE, dpi=100)
    ax = fig.add_axes((0.0, 0.07, 1.0, 0.86))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 7.4)
    ax.set_axis_off()
    _draw_executives(ax, model)
    _draw_teams(ax, model)
    _draw_tools(ax, model)
    tools = list(model.tools)
    shadow = sum(1 for t in tools if t.status == "shadow")
    breached = sum(1 for t in tools if t.breached)
    fig.suptitle(
        f"Week {model.week}: {len(tools)} tools, {shadow} shadow, {breached} breached",
        fontsize=10,
        y=0.985,
    )
    fig.legend(handles=_legend_handles(), loc="lower center", ncol=3, fontsize=8, frameon=False)
    return fig


def _draw_executives(ax, model) -> None:
    executives = list(model.executives)
    xs = [5.0] if len(executives) == 1 else [2.5, 7.5]
    y = 6.55
    radii = []
    for executive, x in zip(executives, xs, strict=False):
        radius = 0.3 + 0.3 * executive.influence
        radii.append(radius)
        ax.add_patch(Circle((x, y), radius, color=ROLE_COLOURS.get(executive.role, "grey")))
        ax.text(
            x,
            y,
            ROLE_LABELS.get(executive.role, executive.role),
            ha="center",
            va="center",
            color="white",
            fontsize=8,
            fontweight="bold",
        )
        ax.text(
            x,
            y - radius - 0.12,
            f"risk {executive.risk:.2f}  spend {executive.spend:.2f}  speed {executive.speed:.2f}"
            f"\ninfluence with the CEO {executive.influence:.2f}",
            ha="center",
            va="top",
            fontsize=7.5,
        )
    trust = float(model.trust)
    if len(executives) == 2:
        colour = colormaps["RdYlGn"](trust)
        ax.plot(
            [xs[0] + radii[0], xs[1] - radii[1]],
            [y, y],
            color=colour,
            linewidth=1.0 + 6.0 * trust,
            solid_capstyle="round",
        )
        ax.text(5.0, y + 0.18, f"trust {trust:.2f}", ha="center", va="bottom", fontsize=7)
    if model.liaison is not None:
        ax.plot([5.0], [y - 0.45], marker="D", markersize=7, color=LIAISON_COLOUR)
        ax.text(5.0, y - 0.62, "liaison", ha="center", va="top", fontsize=7.5)


def _draw_teams(ax, model) -> None:
    engineers = list(model.engineers)
    embedded = [e for e in engineers if e.embedded]
    it_staff = [e for e in engineers if not e.embedded]
    marketers = list(model.marketers)
    ax.axvline(5.0, ymin=0.03, ymax=0.7, color="#bbbbbb", linestyle=":", linewidth=1)
    ax.text(
        0.15,
        5.1,
        f"IT: {len(it_staff)} engineers",
        fontsize=8.5,
        va="bottom",
        color=ROLE_COLOURS["cio"],
    )
    mixed = f", {len(embedded)} IT engineers" if embedded else ""
    ax.text(
        5.15,
        5.1,
        f"Marketing: {len(marketers)} marketers{mixed}",
        fontsize=8.5,
        va="bottom",
        color=ROLE_COLOURS["cmo"],
    )
    _draw_people(ax, len(it_staff), (0.2, 4.35, 4.8, 5.0), "s", ROLE_COLOURS["cio"])
    people_box = (5.2, 4.35, 9.8, 5.0)
    if embedded:
        _draw_people(ax, len(embedded), (5.2, 4.35, 6.2, 5.0), "s", ROLE_COLOURS["cio"])
        people_box = (6.4, 4.35, 9.8, 5.0)
    _draw_people(ax, len(marketers), people_box, "o", ROLE_COLOURS["cmo"])


def _draw_people(ax, n, box, marker, colour) -> None:
    shown = min(n, MAX_PEOPLE)
    x0, y0, x1, y1 = box
    per_row = max(1, math.ceil(shown / 2))
    # Room for the "+N" after the last person when not everyone is drawn.
    dx = min((x1 - x0 - (0.45 if n > shown else 0.0)) / per_row, 0.3)
    for i in range(shown):
        row, col = divmod(i, per_row)
        ax.plot(
            x0 + (col + 0.5) * dx,
            y1 - 0.15 - row * 0.3,
            marker=marker,
            markersize=4.5,
            color=colour,
            linestyle="none",
        )
    if n > shown:
        ax.text(x0 + per_row * dx + 0.05, y1 - 0.3, f"+{n - shown}", fontsize=7.5, va="center")


def _draw_tools(ax, model) -> None:
    tools = sorted(model.tools, key=lambda t: ("reviewed", "known", "shadow").index(t.status))
    sides = {
        "it": ([t for t in tools if t.owner == "it"], (0.15, 0.5, 4.85, 3.75)),
        "marketing": ([t for t in tools if t.owner != "it"], (5.15, 0.5, 9.85, 3.75)),
    }
    titles = {"it": "IT-owned tools", "marketing": "marketing-owned tools"}
    for side, (side_tools, box) in sides.items():
        tiles = tile_grid(len(side_tools), box)
        named = bool(tiles) and _font_size(tiles[0][2]) >= MIN_NAME_SIZE
        title = f"{titles[side]} ({len(side_tools)})"
        if side_tools and not named:
            # Tiles too small for a readable name: the commonest capabilities in the title.
            counts = Counter(t.capability.name.replace("_", " ") for t in side_tools)
            title += "\n" + ", ".join(f"{name} ({n})" for name, n in counts.most_common(3))
        ax.text(box[0], box[3] + 0.08, title, fontsize=8.5, va="bottom", fontweight="bold")
        for tool, (x, y, w) in zip(side_tools, tiles, strict=True):
            _draw_tool(ax, tool, x, y, w, named)


def _font_size(width: float) -> float:
    """Font size of a tile's name for a tile ``width`` data units wide."""
    return max(4.0, min(7.5, 8.0 * width))


def _draw_tool(ax, tool, x, y, w, named: bool = True) -> None:
    h = w / TILE_ASPECT
    pad = 0.04 * w
    ax.add_patch(
        Rectangle(
            (x + pad, y + pad),
            w - 2 * pad,
            h - 2 * pad,
            facecolor=STATUS_COLOURS.get(tool.status, "grey"),
            edgecolor="black" if tool.integrated else "#666666",
            linewidth=1.2 if tool.integrated else 0.8,
            linestyle="-" if tool.integrated else (0, (2, 1.5)),
            hatch="////" if tool.pilot else None,
        )
    )
    if tool.platform:
        ax.plot(x + pad + 0.06, y + h - pad - 0.06, marker="s", markersize=2.5, color="white")
    if named:
        label, size = tile_label(tool.capability.name, w, _font_size(w))
        ax.text(
            x + w / 2,
            y + h / 2,
            label,
            ha="center",
            va="center",
            fontsize=size,
            color="white" if tool.status != "known" else "black",
            clip_on=True,
        )
    if tool.breached:
        ax.plot([x + pad, x + w - pad], [y + pad, y + h - pad], color=BREACH_COLOUR, lw=1.6)
        ax.plot([x + pad, x + w - pad], [y + h - pad, y + pad], color=BREACH_COLOUR, lw=1.6)


def tile_label(name: str, width: float, size: float) -> tuple[str, float]:
    """A capability's name on a tile ``width`` data units wide, and its font size.

    Words go on lines of their own ("marketing" / "automation"); a word too long for one line
    is split in two with a hyphen; a line still too long gets a smaller font, down to
    ``MIN_NAME_SIZE`` + 1; only then is it cut short.
    """

    def chars(at: float) -> int:
        return max(3, int(width * 72 / at))

    words = name.split("_")
    if len(" ".join(words)) <= chars(size):
        return " ".join(words), size
    if len(words) == 1:
        half = math.ceil(len(name) / 2)
        words = [name[:half] + "-", name[half:]]
    cut = len(words) // 2
    lines = [" ".join(words[:cut]), " ".join(words[cut:])]
    longest = max(len(line) for line in lines)
    size = min(size, max(MIN_NAME_SIZE + 1, size * chars(size) / longest))
    room = chars(size)
    return "\n".join(x if len(x) <= room else x[: room - 1] + "." for x in lines), size


def _legend_handles() -> list:
    handles = [Patch(facecolor=c, label=STATUS_LABELS[s]) for s, c in STATUS_COLOURS.items()]
    handles += [
        Patch(facecolor="white", edgecolor="black", linewidth=1.2, label="integrated"),
        Patch(facecolor="white", edgecolor="#666666", linestyle="--", label="not integrated"),
        Line2D([], [], color=BREACH_COLOUR, marker="x", linestyle="none", label="breached"),
        Patch(facecolor="white", edgecolor="#666666", hatch="////", label="pilot"),
        Line2D(
            [],
            [],
            color="#444444",
            marker="s",
            markersize=3,
            linestyle="none",
            label="from the self-serve platform",
        ),
    ]
    return handles


@solara.component
def OrganisationPicture(model):
    """The picture of ``model``'s organisation, redrawn when the week changes."""
    update_counter.get()
    figure = solara.use_memo(lambda: organisation_figure(model), [model, model.week])
    with solara.Column(classes=["cxo-organisation"]):
        # Its title's counts, explained on hover, as the charts' titles are.
        ChartFrame(
            lambda: solara.FigureMatplotlib(
                figure, dependencies=[model, model.week], format="png", pil_kwargs=FAST_PNG
            ),
            tips=picture_tips(),
        )
