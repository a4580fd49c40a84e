"""The robust-design report: one self-contained HTML file that opens with the answer.

``write_report`` reads a finished results folder back (every part checked), measures the
designs (:mod:`~cxo_sim.robust.measures`), finds where the leading designs fail
(:mod:`~cxo_sim.robust.failure`) and writes, into the folder, ``summary.csv`` (every measure
with its interval), ``figures/`` and ``report.html``: the answer in words, the rank-swap
warnings, the robust front, the regret table with intervals, the failure boxes (PRIM) and
trees (CART) and, after a search, its convergence. Covered by ``tests/robust/test_cli.py``.
"""

from __future__ import annotations

import base64
import dataclasses
import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxo_sim.analysis.numbers import fmt
from cxo_sim.analysis.report import CSS
from cxo_sim.experiments import safe_files
from cxo_sim.experiments.reading import load_manifest
from cxo_sim.robust import figures as draw
from cxo_sim.robust.evaluation import read_outcomes
from cxo_sim.robust.failure import Failure, Recheck, leading_failures
from cxo_sim.robust.measures import Robustness, measure_designs
from cxo_sim.robust.spec import RobustSpec
from cxo_sim.robust.tree import tree_failure


@dataclass
class RobustReport:
    """What the report says.

    Attributes:
        answer: the opening sentences.
        robustness: the measures.
        failures: where the leading designs fail.
        path: the report file.
        rechecks: the failure boxes, and the trees' largest regions, re-checked on fresh
            worlds (empty: not asked for).
    """

    answer: list[str]
    robustness: Robustness
    failures: list[Failure]
    path: Path
    rechecks: list[Recheck]


def write_report(
    folder: Path,
    spec: RobustSpec,
    search: pd.DataFrame | None = None,
    recheck: Callable[[list[Failure]], list[Recheck]] | None = None,
) -> RobustReport:
    """Measure, discover and write ``summary.csv``, ``figures/`` and ``report.html`` in ``folder``.

    Args:
        folder: a finished robust results folder.
        spec: its spec.
        search: the search's hypervolume per generation, if a search ran.
        recheck: re-checks the failure boxes on fresh worlds (None: not re-checked).
    """
    outcomes = read_outcomes(folder, [o.outcome for o in spec.objectives])
    rob = measure_designs(outcomes.designs, outcomes.values, spec.objectives, spec.seed)
    ranked = list(rob.designs["design"])
    failures = leading_failures(
        ranked, outcomes.designs, outcomes.worlds, rob.regret, rob.acceptable, spec.objectives
    )
    trees = [tree_failure(f.design, outcomes.worlds, f.bad, f.meaning) for f in failures]
    # CART's largest failure region of each design, re-checked on the same fresh worlds.
    regions = [
        dataclasses.replace(f, rule=t.regions[0], method="tree")
        for f, t in zip(failures, trees, strict=True)
        if t.regions
    ]
    checked = recheck(failures + regions) if recheck is not None else []
    rechecks = {r.design: r for r in checked if r.method == "box"}
    tree_rechecks = {r.design: r for r in checked if r.method == "tree"}
    safe_files.write_output(folder / "summary.csv", lambda t: rob.table.to_csv(t, index=False))
    figure_folder = folder / "figures"
    figures = [draw.regret_figure(rob, spec.objectives, figure_folder)]
    front = draw.front_figure(rob, spec.objectives, figure_folder)
    failure_figures = [
        draw.failure_figure(f, outcomes.worlds, figure_folder, i + 1)
        for i, f in enumerate(failures)
    ]
    tree_figures = [draw.tree_figure(t, figure_folder, i + 1) for i, t in enumerate(trees)]
    if search is not None:
        figures.append(draw.search_figure(search, figure_folder))
    answer = answer_sentences(rob, failures, spec, len(outcomes.worlds), rechecks)
    manifest = load_manifest(folder)
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{_e(spec.name)}: {_e(spec.question)}</title>",
            f"<style>{CSS}</style></head><body>",
            f"<h1>{_e(spec.name)}</h1>",
            f'<p class="question">{_e(spec.question)}</p>',
            f'<p class="answer">{_e(" ".join(answer))}</p>',
            _warnings(rob),
            "<h2>The robust front</h2>",
            _front_text(rob, spec),
            _figure(front) if front else "",
            "<h2>Regret, satisficing and spread, with 95% intervals</h2>",
            _regret_table(rob, spec),
            _figure(figures[0]),
            "<h2>When the leading designs fail</h2>",
            "".join(
                f"<p>{_e(f.sentence())}{_recheck_text(rechecks.get(f.design))}</p>{_figure(fig)}"
                f"<p>{_e(t.sentence())}{_recheck_text(tree_rechecks.get(t.design))}</p>"
                f"{_figure(tree) if tree else ''}"
                for f, fig, t, tree in zip(
                    failures, failure_figures, trees, tree_figures, strict=True
                )
            ),
            _search_section(search, figures[-1] if search is not None else None),
            _setup(spec, manifest, len(outcomes.worlds)),
            "</body></html>",
        ]
    )
    path = safe_files.write_output(folder / "report.html", lambda t: t.write_text(page, "utf-8"))
    return RobustReport(answer, rob, failures, path, checked)


def answer_sentences(
    rob: Robustness,
    failures: list[Failure],
    spec: RobustSpec,
    worlds: int,
    rechecks: dict[str, Recheck] | None = None,
) -> list[str]:
    """The answer: the design with the lowest 90th-percentile regret, and when it fails.

    When the failure box was re-checked, whether it held up on the fresh worlds follows it.
    """
    headline = spec.objectives[0]
    best = rob.designs.iloc[0]
    row = rob.table[
        (rob.table["design"] == best["design"])
        & (rob.table["objective"] == headline.outcome)
        & (rob.table["statistic"] == "p90_regret")
    ].iloc[0]
    interval = (
        "" if pd.isna(row["low"]) else f", 95% interval {fmt(row['low'])} to {fmt(row['high'])}"
    )
    sentences = [
        f"Across {worlds} plausible worlds, '{best['design']}' has the lowest 90th-percentile "
        f"regret on {headline.outcome} ({_amount(row['value'], headline.outcome)}{interval})."
    ]
    if "satisficing" in rob.designs:
        top = rob.designs.sort_values("satisficing", ascending=False, kind="stable").iloc[0]
        if top["design"] == best["design"]:
            sentences.append(
                f"It also meets every threshold in the most worlds ({best['satisficing']:.0%})."
            )
        else:
            sentences.append(
                f"'{top['design']}' meets every threshold in the most worlds "
                f"({top['satisficing']:.0%}); '{best['design']}' in {best['satisficing']:.0%}."
            )
    if failures:
        sentences.append(failures[0].sentence())
        check = (rechecks or {}).get(failures[0].design)
        if check is not None:
            sentences.append(check.sentence())
    if rob.swaps:
        sentences.append(
            "Some neighbours in this ranking cannot be told apart by the replicates (below)."
        )
    return sentences


def _e(text) -> str:
    return html.escape(str(text))


def _figure(figure) -> str:
    data = base64.b64encode(figure.png.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_e(figure.title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(figure.caption)} (SVG: figures/{_e(figure.stem)}.svg)</figcaption>"
        "</figure>"
    )


def _warnings(rob: Robustness) -> str:
    if not rob.swaps:
        return ""
    items = "".join(f"<li>{_e(s)}</li>" for s in rob.swaps)
    return f"<h2>Ranks within the noise</h2><ul>{items}</ul>"


def _front_text(rob: Robustness, spec: RobustSpec) -> str:
    on = list(rob.designs.loc[rob.designs["front"], "design"])
    clear = list(rob.designs.loc[rob.designs["clear_front"], "design"])
    names = ", ".join(spec.objectives[i].outcome for i in range(len(spec.objectives)))
    return (
        f"<p>On 90th-percentile regret over {_e(names)}, no design beats these on every "
        f"objective: {_e('; '.join(on))}. Allowing for the replicates' noise, "
        f"{len(clear)} design(s) cannot be ruled out.</p>"
    )


def _regret_table(rob: Robustness, spec: RobustSpec) -> str:
    """One table per objective: regret (mean, 90th percentile, maximum), mean and spread."""
    table = rob.table.set_index(["design", "objective", "statistic"])
    satisficing = "satisficing" in rob.designs
    parts = []
    for number, o in enumerate(spec.objectives):
        unit = _unit(o.outcome)
        wanted = "" if o.threshold is None else f", acceptable at {o.threshold:g}"
        header = (
            f"<tr><th>design</th><th>mean regret</th><th>90th-percentile regret</th>"
            f"<th>maximum regret</th><th>mean ± sd over the worlds</th>"
            f"{'<th>satisficing (every threshold)</th>' if satisficing and number == 0 else ''}"
            "</tr>"
        )
        rows = []
        for _, design in rob.designs.iterrows():
            name = design["design"]
            cells = [f"<td>{_e(name)}{' ★' if design['front'] else ''}</td>"]
            for statistic in ("mean_regret", "p90_regret", "max_regret"):
                cells.append(
                    f"<td class='num'>{_cell(table.loc[(name, o.outcome, statistic)])}</td>"
                )
            mean = table.loc[(name, o.outcome, "mean")]["value"]
            sd = table.loc[(name, o.outcome, "sd")]["value"]
            cells.append(f"<td class='num'>{fmt(mean)} ± {fmt(sd)}</td>")
            if satisficing and number == 0:
                share = _cell(table.loc[(name, "all", "satisficing")], share=True)
                cells.append(f"<td class='num'>{share}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        parts.append(
            f"<h3>{_e(o.outcome)} ({'more' if o.direction == 'up' else 'less'} is better"
            f"{_e(wanted)}){_e(f'; {unit}' if unit else '')}</h3>"
            f"<table>{header}{''.join(rows)}</table>"
        )
    parts.append(
        f"<p class='note'>Best design first (by 90th-percentile regret on "
        f"{_e(spec.objectives[0].outcome)}); ★: on the robust front; brackets: 95% interval "
        "from a paired bootstrap over the replicates.</p>"
    )
    return "".join(parts)


def _unit(outcome: str) -> str:
    from cxo_sim.analysis.results import measure

    return measure(outcome).unit


def _cell(row: pd.Series, share: bool = False) -> str:
    show = (lambda x: f"{x:.0%}") if share else fmt
    if pd.isna(row["low"]):
        return show(row["value"])
    return f"{show(row['value'])} [{show(row['low'])}, {show(row['high'])}]"


def _search_section(search: pd.DataFrame | None, figure) -> str:
    if search is None:
        return ""
    return (
        "<h2>The search</h2><p>An evolutionary search over the levers; each candidate was "
        f"evaluated over a fixed sample of worlds. Final hypervolume "
        f"{fmt(search['hypervolume'].iloc[-1])} after {len(search)} generations.</p>"
        + _figure(figure)
    )


def _setup(spec: RobustSpec, manifest: dict, worlds: int) -> str:
    uncertainties = [
        *(f"{n}: {_range_text(v)}" for n, v in spec.context.items()),
        *(f"{n}: {fmt(lo)} to {fmt(hi)}" for n, (lo, hi) in spec.constants.items()),
    ]
    if spec.posterior is not None:
        uncertainties.append(f"constants from the posterior in {spec.posterior.path}")
    items = "".join(f"<li>{_e(u)}</li>" for u in uncertainties)
    return (
        "<h2>Set-up</h2>"
        f"<p>{len(spec.designs)} designs from preset {_e(spec.preset)}, each run in {worlds} "
        "worlds "
        f"({_e(spec.sampler)}) x {spec.replications} seeded replicates of {spec.steps} weeks on "
        f"common seeds; seed {spec.seed}; "
        f"model {_e(manifest.get('model_fingerprint', '?'))[:12]}, "
        f"git {_e(manifest.get('git_revision'))}.</p><p>Uncertainties:</p><ul>{items}</ul>"
        f"<details><summary>The spec</summary><pre>{_e(spec.text)}</pre></details>"
    )


def _range_text(spec) -> str:
    if isinstance(spec, list):
        return ", ".join(map(str, spec))
    return f"{fmt(spec['min'])} to {fmt(spec['max'])}"


def _amount(value: float, outcome: str) -> str:
    unit = _unit(outcome)
    return f"{fmt(value)} {unit}" if unit else fmt(value)


def _recheck_text(recheck: Recheck | None) -> str:
    return "" if recheck is None else f" <b>Re-checked:</b> {_e(recheck.sentence())}"
