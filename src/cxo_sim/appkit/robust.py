"""The Robust designs tab: a chosen design's regret map over two chosen uncertainties.

It reads a stored ``cxo-sim robust`` result (a folder under ``results/robust/``: its manifest,
its runs and the spec text kept in the manifest), never runs the model. Each world is a point
at its two uncertainties' values, coloured by the design's regret there on the chosen objective
(the best design's outcome in that world minus the design's own, as in the report), so a class
sees where in the space of what we do not know the design loses. The folders offered are those
under ``results/robust`` of the current directory and of the repository the package runs from;
any other folder can be typed in. Covered by ``tests/app/test_robust_tab.py`` and the browser
test in ``tests/app/test_app_browser.py``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import solara

from cxo_sim.analysis.figure_style import plt
from cxo_sim.analysis.numbers import fmt
from cxo_sim.errors import UserError
from cxo_sim.robust.spec import Objective

ROOTS = (Path("results") / "robust", Path(__file__).resolve().parents[3] / "results" / "robust")


@dataclass
class StoredResult:
    """A robust result read back for the map.

    Attributes:
        folder: where it is stored.
        question: the spec's question.
        designs: the design labels, in the ranking's order of the stored runs.
        objectives: the spec's objectives.
        worlds: one row per world, one column per uncertainty.
        regret: objective -> regret per design and world (designs, worlds).
    """

    folder: Path
    question: str
    designs: list[str]
    objectives: list[Objective]
    worlds: pd.DataFrame
    regret: dict[str, np.ndarray]

    @property
    def uncertainties(self) -> list[str]:
        """The uncertainties that vary over the worlds."""
        return [c for c in self.worlds.columns if self.worlds[c].nunique() > 1]


def stored_results(roots: tuple[Path, ...] | None = None) -> list[Path]:
    """The robust results folders under ``roots`` (default :data:`ROOTS`), each once, by name."""
    found: dict[Path, Path] = {}
    for root in ROOTS if roots is None else roots:
        if not root.is_dir():
            continue
        for manifest in sorted(root.glob("*/manifest.json")):
            found.setdefault(manifest.parent.resolve(), manifest.parent)
    return sorted(found.values(), key=lambda p: (p.name, str(p)))


def load_result(folder: str | Path) -> StoredResult:
    """Read a stored robust result; :class:`UserError` when it is not one, or not finished."""
    from cxo_sim.experiments.reading import load_manifest
    from cxo_sim.robust.evaluation import read_outcomes
    from cxo_sim.robust.measures import regret_of
    from cxo_sim.robust.spec import _Checker

    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise UserError(f"{folder}: no robust result here (no manifest.json)")
    manifest = load_manifest(folder)
    text = manifest.get("experiment_text") or ""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{folder}: the spec kept in the manifest does not read: {exc}") from None
    objectives = _Checker(folder / "manifest.json").objectives(data.get("objectives"))
    outcomes = read_outcomes(folder, [o.outcome for o in objectives])
    regret = {o.outcome: regret_of(outcomes.values[o.outcome].mean(axis=-1), o) for o in objectives}
    return StoredResult(
        folder,
        str(manifest.get("question", "")),
        outcomes.designs,
        objectives,
        outcomes.worlds,
        regret,
    )


def regret_map(result: StoredResult, design: str, objective: str, x: str, y: str) -> plt.Figure:
    """The worlds at (``x``, ``y``), coloured by ``design``'s regret on ``objective``."""
    regret = result.regret[objective][result.designs.index(design)]
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    xs, ys = result.worlds[x].to_numpy(), result.worlds[y].to_numpy()
    top = float(np.nanmax(regret)) if np.isfinite(regret).any() else 0.0
    points = ax.scatter(
        xs, ys, c=regret, cmap="Reds", vmin=0.0, vmax=top or 1.0, s=46, edgecolors="#555"
    )
    fig.colorbar(points, ax=ax, label=f"regret on {objective}")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"Where does '{design}' lose on {objective}?", fontsize=10, wrap=True)
    fig.tight_layout()
    plt.close(fig)
    return fig


def map_summary(result: StoredResult, design: str, objective: str, x: str, y: str) -> str:
    """The map in one sentence: how often the design is the best, and its worst world."""
    regret = result.regret[objective][result.designs.index(design)]
    worst = int(np.nanargmax(regret))
    world = result.worlds.iloc[worst]
    best = int(np.sum(regret <= 0))
    return (
        f"Across {len(regret)} worlds, '{design}' is the best design on {objective} in {best} "
        f"and its regret is {fmt(float(np.nanmean(regret)))} on average; its worst world "
        f"({fmt(float(regret[worst]))}) has {x} = {fmt(world[x])} and {y} = {fmt(world[y])}."
    )


@solara.component
def RobustView():
    """Pick a stored robust result, a design, an objective and two uncertainties; see the map."""
    offered = solara.use_memo(lambda: [str(p) for p in stored_results()], [])
    folder = solara.use_reactive(offered[0] if offered else "")
    design = solara.use_reactive(None)
    objective = solara.use_reactive(None)
    x = solara.use_reactive(None)
    y = solara.use_reactive(None)

    def read():
        if not folder.value:
            return None, "No stored robust result: run `cxo-sim robust SPEC.toml` first."
        try:
            return load_result(folder.value), None
        except (UserError, OSError, ValueError) as exc:
            return None, str(exc)

    result, problem = solara.use_memo(read, [folder.value])
    with solara.Column(classes=["cxo-robust"]):
        solara.Markdown(
            "Which organisation design loses where? A stored `cxo-sim robust` result: each "
            "point is a plausible world, coloured by how far the design falls short of the "
            "best design in that world (its regret)."
        )
        if offered:
            solara.Select(
                "stored result", values=offered, value=folder, classes=["cxo-robust-folder"]
            )
        solara.InputText(
            "or a results folder",
            value=folder,
            continuous_update=False,
            classes=["cxo-robust-path"],
        )
        if result is None:
            solara.Warning(problem, classes=["cxo-robust-problem"])
            return
        uncertainties = result.uncertainties
        chosen_design = design.value if design.value in result.designs else result.designs[0]
        outcomes = [o.outcome for o in result.objectives]
        chosen_objective = objective.value if objective.value in outcomes else outcomes[0]
        chosen_x = x.value if x.value in uncertainties else uncertainties[0]
        others = [u for u in uncertainties if u != chosen_x] or uncertainties
        chosen_y = y.value if y.value in others else others[0]
        if result.question:
            solara.Text(result.question, classes=["cxo-robust-question"])
        with solara.Row(classes=["cxo-robust-controls"]):
            solara.Select(
                "design",
                values=result.designs,
                value=chosen_design,
                on_value=design.set,
                classes=["cxo-robust-design"],
            )
            solara.Select(
                "objective",
                values=outcomes,
                value=chosen_objective,
                on_value=objective.set,
                classes=["cxo-robust-objective"],
            )
            solara.Select(
                "across",
                values=uncertainties,
                value=chosen_x,
                on_value=x.set,
                classes=["cxo-robust-x"],
            )
            solara.Select(
                "and", values=others, value=chosen_y, on_value=y.set, classes=["cxo-robust-y"]
            )
        RegretMap(result, chosen_design, chosen_objective, chosen_x, chosen_y)


@solara.component
def RegretMap(result: StoredResult, design: str, objective: str, x: str, y: str):
    """The map and its sentence; redrawn only when a choice changes."""
    chosen = (design, objective, x, y)
    solara.Text(map_summary(result, *chosen), classes=["cxo-robust-summary"])
    figure = solara.use_memo(lambda: regret_map(result, *chosen), [result, *chosen])
    with solara.Column(classes=["cxo-robust-map"]):
        solara.FigureMatplotlib(figure, dependencies=[result, *chosen], format="png")
