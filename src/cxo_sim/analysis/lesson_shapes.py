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
- a **robust-design experiment** (``cxo-sim robust``): its pack is
  :mod:`cxo_sim.robust.lesson`'s, on this module's page head.

Covered by ``tests/analysis/test_lesson.py``.
"""

from __future__ import annotations

import pandas as pd

from cxo_sim.analysis.effects import findings
from cxo_sim.analysis.importance import importance
from cxo_sim.analysis.lesson import CSS, LESSON_OUTCOMES, _e
from cxo_sim.analysis.numbers import change, signed
from cxo_sim.analysis.results import ResultSet, measure

# How many levers the debrief names per outcome.
TOP_LEVERS = 3


def pack_head(question: str, name: str, made_from: str) -> str:
    """A lesson pack's page head: its style, title and question, and what it was made from."""
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
        pack_head(
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
