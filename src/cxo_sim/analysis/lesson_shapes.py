"""Lesson packs for experiments that are not "each arm against a reference".

The worksheet of :mod:`cxo_sim.analysis.lesson` (predict each arm's effect, fill a buys/costs
grid of paired differences) fits experiments that change one thing at a time against a
reference. Two shapes do not fit it, and get the pack that fits them instead:

- a **Latin-hypercube sweep** (``lhs-preferences``): every configuration changes every lever at
  once, so a difference between two levels of one lever is averaged over all the others and
  is not paired. What it answers is *which lever matters most*: the pack asks students to rank
  the levers for each headline outcome, and its debrief gives the report's "which matters most"
  scores (``analysis.importance``) with the direction of each lever (its rank correlation, or
  its levels' clear differences);
- a **robust-design experiment** (``cxo-sim robust``): designs are judged across plausible
  worlds by their regret (the shortfall against the best design in each world) and by the
  share of worlds where they meet every threshold, not by a difference against one reference.
  The pack asks students to rank the designs and guess where their favourite fails; its
  debrief gives the report's answer, regret and satisficing with their intervals and the
  failure boxes, computed as ``cxo-sim robust`` computes them.

Covered by ``tests/analysis/test_lesson.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from cxo_sim.analysis.answers import BY_DEFINITION
from cxo_sim.analysis.effects import findings
from cxo_sim.analysis.importance import importance
from cxo_sim.analysis.lesson import CSS, LESSON_OUTCOMES, _e
from cxo_sim.analysis.numbers import change, fmt, signed
from cxo_sim.analysis.results import ResultSet, measure

# How many levers the debrief names per outcome.
TOP_LEVERS = 3


def _head(question: str, name: str, made_from: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Lesson: {_e(question)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(question)}</h1>"
        f"<p class='note'>Lesson pack for the experiment <code>{_e(name)}</code>, made from "
        f"{made_from} by <code>cxo-sim lesson</code>. Part 1 is the students' worksheet; part 2 "
        "the teacher's debrief.</p>"
    )


def _direction(table: pd.DataFrame, factor: str, outcome: str) -> str:
    """Which way ``outcome`` goes with ``factor``: its clear rank correlation or level changes."""
    rows = table[table["outcome"] == outcome]
    correlation = rows[(rows["kind"] == "rank correlation") & (rows["arm"] == f"higher {factor}")]
    if not correlation.empty:
        row = correlation.iloc[0]
        words = {"no clear change": "direction unclear"}.get(row["verdict"], "")
        said = words or ("rises with it" if row["estimate"] > 0 else "falls with it")
        return (
            f"{said} (rank correlation {signed(row['estimate'], 2)} "
            f"[{signed(row['low'], 2)}, {signed(row['high'], 2)}])"
        )
    levels = rows[
        (rows["kind"] == "difference")
        & rows["arm"].str.startswith(f"{factor} = ")
        & (rows["verdict"] != "no clear change")
    ]
    if levels.empty:
        return "no level clearly apart from the first"
    unit = measure(outcome).unit
    return "; ".join(
        f"{row['arm']} vs {row['reference'].split(' = ', 1)[-1]}: "
        f"{change(outcome, row['estimate'], unit)} [{change(outcome, row['low'], with_units=False)}"
        f", {change(outcome, row['high'], with_units=False)}]"
        for _, row in levels.iterrows()
    )


def lhs_page(rs: ResultSet) -> str:
    """The lesson pack of a Latin-hypercube sweep: rank the levers, then read the ranking."""
    name = rs.manifest.get("name", "experiment")
    question = rs.manifest.get("question") or f"What does {name} show?"
    experiment = rs.manifest.get("experiment_file") or f"experiments/{name}.toml"
    configurations = rs.runs["point"].nunique()
    factors = list(rs.factors)
    ranking = importance(rs)
    table = findings(rs)
    outcomes = [o for o in LESSON_OUTCOMES if o in set(ranking["outcome"])]
    blanks = "<td class='blank'></td>" * 3
    predict = "".join(f"<tr><td>{_e(o.replace('_', ' '))}</td>{blanks}</tr>" for o in outcomes)
    answers = []
    for outcome in outcomes:
        clear = ranking[(ranking["outcome"] == outcome) & ranking["clear"]].head(TOP_LEVERS)
        cells = [
            f"<b>{_e(r.factor)}</b> {r.score:.0%} <span class='note'>(noise {r.noise:.0%})</span>"
            f"<br>{_e(_direction(table, r.factor, outcome))}"
            for r in clear.itertuples()
        ]
        answers.append(
            f"<tr><td>{_e(outcome.replace('_', ' '))}</td>"
            f"<td>{'<br>'.join(cells) or 'no lever above noise'}</td></tr>"
        )
    return (
        _head(
            question,
            name,
            f"its results ({configurations} configurations, each {rs.replications} times for "
            f"{rs.manifest.get('steps', '?')} weeks)",
        )
        + "<h2>Part 1. Worksheet</h2>"
        "<p>This experiment is a Latin hypercube: each of its "
        f"{configurations} configurations sets all {len(factors)} levers at once "
        f"({_e(', '.join(factors))}). It answers <b>which lever matters most</b>, not what one "
        "lever buys against a reference: a difference between two levels of one lever is "
        "averaged over every other lever and is not paired, so this pack has no buys/costs grid "
        "(the packs of <code>budget-ownership</code> and <code>practices</code> have one).</p>"
        "<h3>1. Predict</h3><p>Before running anything: for each outcome, write the lever you "
        "expect to move it most, which way (<b>+</b> the outcome rises as the lever rises or is "
        "switched on, <b>&minus;</b> it falls), and one sentence on why.</p>"
        "<table><tr><th>outcome</th><th>lever that matters most</th><th>which way</th>"
        f"<th>why</th></tr>{predict}</table>"
        "<h3>2. Run</h3><p>Run the experiment and read its report's <i>Which matters most</i> "
        "section:</p>"
        f"<pre>cxo-sim sweep {_e(experiment)}\ncxo-sim report results/{_e(name)}</pre>"
        "<h3>3. Compare</h3><p>For each outcome, write the report's leading lever and the share "
        "of the variation between configurations it explains alone. Which of your guesses were "
        "right? Which lever did nobody expect?</p>"
        "<table><tr><th>outcome</th><th>leading lever in the report</th><th>share explained</th>"
        f"<th>your guess right?</th></tr>{predict}</table>"
        "<h3>4. Explain</h3><p>A ranking says <i>which</i> lever matters, not <i>by how "
        "much</i> on its own. Take the lever that surprised you, set it alone on "
        "<code>old_world</code> in the app's Compare tab (A = old_world, B = your settings with "
        "that lever changed, 10 seeds) and run <code>cxo-sim explain KEY=VALUE</code> on it: "
        "does the paired difference agree with the ranking, and which mechanism carries it?</p>"
        "<div class='part'><h2>Part 2. Debrief (for the teacher)</h2>"
        "<h3>The model's answers: which lever matters most</h3><p>For each outcome, the levers "
        "that explain the largest share of the variation between configurations, one lever at a "
        "time (adjusted eta squared; the report's <i>Which matters most</i>), only those above "
        "the noise level that shuffled outcomes reach 5% of the time, with the direction: the "
        "rank correlation over configurations for a lever sampled over a range, the clear "
        "differences between levels (mean over configurations, not paired) for a switch or a "
        "choice. Shares need not add to 100%: interactions and noise take the rest.</p>"
        f"<table><tr><th>outcome</th><th>levers that matter most</th></tr>{''.join(answers)}"
        "</table>"
        "<p class='note'>With 15 levers and many outcomes, a lever barely above its noise "
        "level may be there by chance; a lever that leads for several outcomes is the lesson.</p>"
        "</div></body></html>"
    )


def is_robust(manifest: dict) -> bool:
    """Whether a results folder's manifest is that of a robust-design experiment."""
    return isinstance(manifest.get("robust"), dict)


def robust_page(folder: str | Path, manifest: dict) -> str:
    """The lesson pack of a robust-design results folder: rank the designs, then read regret."""
    from cxo_sim.robust.evaluation import read_outcomes
    from cxo_sim.robust.failure import leading_failures
    from cxo_sim.robust.measures import measure_designs
    from cxo_sim.robust.report import answer_sentences
    from cxo_sim.robust.spec import load_spec

    # The spec as it was run (kept in the manifest), so the numbers are the report's.
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / Path(manifest.get("experiment_file", "spec.toml")).name
        path.write_text(manifest["experiment_text"], encoding="utf-8")
        spec = load_spec(path)
    outcomes = read_outcomes(folder, [o.outcome for o in spec.objectives])
    rob = measure_designs(outcomes.designs, outcomes.values, spec.objectives, spec.seed)
    failures = leading_failures(
        list(rob.designs["design"]),
        outcomes.designs,
        outcomes.worlds,
        rob.regret,
        rob.acceptable,
        spec.objectives,
    )
    worlds = len(outcomes.worlds)
    # The report's answer; its rank-swap table is in the report, not here.
    answer = [
        a.replace("(below)", "(the report's table of rank swaps)")
        for a in answer_sentences(rob, failures, spec, worlds)
    ]
    objectives = {o.outcome for o in spec.objectives}
    construction = [
        f"Under {param} = {value}, {', '.join(sorted(objectives & set(held)))} holds by the "
        f"model's construction ({why}): designs with it meet that threshold in every world by "
        "construction, not by earning it."
        for param, value, held, why in BY_DEFINITION
        if param in spec.levers and objectives & set(held)
    ]
    headline = spec.objectives[0]
    thresholds = [o for o in spec.objectives if o.threshold is not None]
    acceptable = " and ".join(
        f"{o.outcome} {'at most' if o.direction == 'down' else 'at least'} {o.threshold:g}"
        for o in thresholds
    )
    experiment = manifest.get("experiment_file") or "SPEC.toml"
    # Where `cxo-sim robust` writes by default (the folder given may be anywhere).
    folder_name = f"results/robust/{spec.name}"
    reps = manifest["robust"]["replications_per_world"]
    designs = list(rob.designs["design"])
    blanks = "<td class='blank'></td>" * 3
    predict = "".join(
        f"<tr><td>{_e(d)}</td>{blanks}</tr>" for d in sorted(designs, key=str.casefold)
    )
    table = rob.table.set_index(["design", "objective", "statistic"])

    def cell(design: str, objective: str, statistic: str, share: bool = False) -> str:
        row = table.loc[(design, objective, statistic)]
        show = (lambda x: f"{x:.0%}") if share else fmt
        if pd.isna(row["low"]):
            return show(row["value"])
        return f"{show(row['value'])} [{show(row['low'])}, {show(row['high'])}]"

    satisficing = "satisficing" in rob.designs
    rows = "".join(
        f"<tr><td>{_e(d)}{' ★' if front else ''}</td>"
        f"<td>{cell(d, headline.outcome, 'p90_regret')}</td>"
        f"<td>{cell(d, headline.outcome, 'mean_regret')}</td>"
        + (f"<td>{cell(d, 'all', 'satisficing', share=True)}</td>" if satisficing else "")
        + "</tr>"
        for d, front in zip(rob.designs["design"], rob.designs["front"], strict=True)
    )
    unit = measure(headline.outcome).unit
    return (
        _head(
            manifest.get("question", spec.question),
            spec.name,
            f"its results ({len(designs)} designs in the same {worlds} plausible worlds, "
            f"{reps} runs each, {manifest.get('steps', '?')} weeks)",
        )
        + "<h2>Part 1. Worksheet</h2>"
        f"<p>This is a robust-design experiment: every design (a choice of "
        f"{_e(', '.join(spec.levers))}) runs in the same {worlds} plausible worlds, firms and "
        "behaviours the firm cannot rule out. A design is judged by its <b>regret</b> in each "
        f"world (how far its {_e(headline.outcome)} falls short of the best design's in that "
        "world) and by how often it is <b>acceptable</b>"
        + (f" ({_e(acceptable)})" if acceptable else "")
        + ", not by a difference against one reference, so this pack has no buys/costs grid.</p>"
        "<h3>1. Predict</h3><p>Before running anything: rank the designs you think best "
        f"(1 = smallest regret on {_e(headline.outcome)} in a bad world), mark those you expect "
        "to be acceptable in most worlds, and say in what kind of firm your favourite "
        "fails.</p>"
        "<table><tr><th>design</th><th>your rank</th><th>acceptable in most worlds?</th>"
        f"<th>fails when...</th></tr>{predict}</table>"
        "<h3>2. Run</h3><p>Run it (a few minutes on two cores) and open its report:</p>"
        f"<pre>cxo-sim robust {_e(experiment)} --workers 2\n"
        f"{_e(folder_name)}/report.html</pre>"
        "<h3>3. Compare</h3><p>Which design has the lowest 90th-percentile regret? Which is "
        "acceptable in the most worlds? Are they the same design? If not, which would you "
        "recommend to a firm that does not know its own numbers, and why?</p>"
        "<h3>4. Explain</h3><p>Read where the leading design fails (the report's <i>When the "
        "leading designs fail</i>). Pick one condition of the box (a firm size, a threat level, "
        "a behaviour), set it in the app's sidebar and compare two designs on the Compare tab: "
        "which mechanism makes the leading design fail there?</p>"
        "<div class='part'><h2>Part 2. Debrief (for the teacher)</h2>"
        "<h3>The model's answer</h3>"
        f"<p>{_e(' '.join(answer))}</p>"
        + "".join(f"<p class='note'>{_e(line)}</p>" for line in construction)
        + "<h3>Every design</h3>"
        f"<p>Regret on {_e(headline.outcome)}{_e(f' ({unit})' if unit else '')}: the "
        "90th percentile and the mean over the worlds"
        + (
            ", and the share of worlds where the design meets every threshold"
            if satisficing
            else ""
        )
        + "; best first; ★ on the robust front; brackets: 95% interval from a paired bootstrap "
        "over the replicates.</p>"
        "<table><tr><th>design</th><th>90th-percentile regret</th><th>mean regret</th>"
        + ("<th>acceptable (every threshold)</th>" if satisficing else "")
        + f"</tr>{rows}</table>"
        "<h3>Where the leading designs fail</h3><ul>"
        + "".join(f"<li>{_e(f.sentence())}</li>" for f in failures)
        + "</ul><p class='note'>A failure box is a description of the worlds sampled, not a "
        "law: <code>cxo-sim robust ... --recheck N</code> tests it on fresh worlds "
        "(docs/ROBUST.md).</p></div></body></html>"
    )
