"""A lesson pack for one experiment's results: a worksheet, a buys/costs grid and a debrief.

For a class: students predict which way each arm moves the headline outcomes, run the
experiment (or Compare in the app), fill the buys/costs grid and explain one effect; the
teacher's debrief gives the model's answers, from the results folder itself (so its numbers are
the results'), and, where the ODD's ``cxo-sim explain`` sentences are given, the mechanism
behind each arm. One self-contained HTML page, printable (each part starts a new page)::

    cxo-sim lesson results/budget-ownership results/practices --out docs/teaching

Covered by ``tests/analysis/test_lesson.py``.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from cxo_sim.analysis.answers import definitional
from cxo_sim.analysis.effects import findings
from cxo_sim.analysis.numbers import change
from cxo_sim.analysis.results import HEADLINE, ResultSet, measure

# The outcomes a class predicts and reads, in the order of the worksheet's columns: the
# headline outcomes the report's figures show first.
LESSON_OUTCOMES = HEADLINE
# The debrief's grid also names what coordination costs (meetings, a liaison, shared tools...):
# the same in every run, it is a cost a class should see beside what a practice buys.
GRID_OUTCOMES = (*HEADLINE, "coordination_cost")

CSS = """
body { font-family: sans-serif; max-width: 60rem; margin: 1.5rem auto; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #999; padding: 0.25rem 0.45rem; vertical-align: top; }
td.blank { min-width: 3.5rem; height: 1.6rem; }
.part { page-break-before: always; break-before: page; }
.note { color: #555; font-size: 0.85rem; }
pre { background: #f4f4f4; padding: 0.5rem; }
@media print { body { margin: 0.5cm; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


# In docs/ODD.md 9.10, the code block after this line holds one sentence per lever against
# old_world (the bundle's sentences in 9.6 are against best_practice, not these).
SENTENCES_MARK = "The sentence of each lever:"


def explain_sentences(odd: str) -> dict[str, str]:
    """The one-sentence summary of each lever that ODD 9.10 prints, by lever name."""
    start = odd.find(SENTENCES_MARK)
    if start < 0:
        return {}
    opening = odd.find("```", start)
    closing = odd.find("```", opening + 3)
    sentences = {}
    for line in odd[opening + 3 : closing].splitlines():
        match = re.match(r"^([a-z_]+) (raises|cuts|changes) ", line)
        if match:
            sentences[match.group(1)] = line.strip()
    return sentences


def _amount(row: pd.Series) -> str:
    outcome = row["outcome"]
    text = change(outcome, row["estimate"], measure(outcome).unit)
    if row["fixed"] and row["low"] == row["high"]:
        return f"{text} (in every run)"
    low, high = (change(outcome, row[k], with_units=False) for k in ("low", "high"))
    return f"{text} [{low}, {high}]"


def grid(rs: ResultSet, table: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """Each arm's clear gains ("buys") and clear losses ("costs"), coordination cost included.

    An outcome that holds by the model's construction for that arm (``answers.definitional``)
    is listed with a note saying so.
    """
    rows = table[(table["kind"] == "difference") & table["outcome"].isin(GRID_OUTCOMES)]
    out: dict[str, dict[str, list[str]]] = {}
    for arm, group in rows.groupby("arm", sort=False):
        held = definitional(rs, arm)
        cells: dict[str, list[str]] = {"buys": [], "costs": []}
        for _, row in group.iterrows():
            side = {"better": "buys", "worse": "costs"}.get(row["verdict"])
            if side is None:
                continue
            note = " (by the model's construction)" if row["outcome"] in held else ""
            cells[side].append(f"{row['outcome']} {_amount(row)}{note}")
        out[arm] = cells
    return out


def lesson_page(rs: ResultSet, explained: dict[str, tuple[str, str]] | None = None) -> str:
    """The lesson pack of one results folder as a self-contained HTML page.

    ``explained`` maps an arm to the ``cxo-sim explain`` command that explains it and, where the
    ODD prints one, its sentence (``cxo-sim lesson`` works them out).
    """
    table = findings(rs)
    differences = table[table["kind"] == "difference"]
    name = rs.manifest.get("name", "experiment")
    question = rs.manifest.get("question") or f"What does {name} show?"
    arms = list(dict.fromkeys(differences["arm"]))
    references = dict(zip(differences["arm"], differences["reference"], strict=False))
    outcomes = [o for o in LESSON_OUTCOMES if o in set(differences["outcome"])]
    head = "".join(f"<th>{_e(o.replace('_', ' '))}</th>" for o in outcomes)
    blanks = "".join('<td class="blank"></td>' for _ in outcomes)
    predict = "".join(
        f"<tr><td>{_e(arm)} <span class='note'>vs {_e(references[arm])}</span></td>{blanks}</tr>"
        for arm in arms
    )
    answers = grid(rs, table)
    blank_grid = "".join(
        f"<tr><td>{_e(arm)}</td><td class='blank'></td><td class='blank'></td></tr>" for arm in arms
    )
    filled = "".join(
        f"<tr><td>{_e(arm)}</td><td>{'<br>'.join(map(_e, answers[arm]['buys'])) or 'nothing clear'}"
        f"</td><td>{'<br>'.join(map(_e, answers[arm]['costs'])) or 'nothing clear'}</td></tr>"
        for arm in arms
    )
    mechanisms = []
    for arm in arms:
        command, said = (explained or {}).get(arm, ("cxo-sim explain KEY=VALUE", ""))
        mechanisms.append(
            f"<li><b>{_e(arm)}</b>: <code>{_e(command)}</code>"
            + (f"<br>{_e(said)}" if said else "")
            + "</li>"
        )
    runs_per_arm = rs.replications
    experiment = rs.manifest.get("experiment_file") or f"experiments/{name}.toml"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Lesson: {_e(question)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(question)}</h1>"
        f"<p class='note'>Lesson pack for the experiment <code>{_e(name)}</code>, made from its "
        f"results ({runs_per_arm} replications of {rs.manifest.get('steps', '?')} weeks per arm) "
        "by <code>cxo-sim lesson</code>. Part 1 is the students' worksheet; "
        "part 2 the teacher's debrief.</p>"
        "<h2>Part 1. Worksheet</h2>"
        "<h3>1. Predict</h3><p>Before running anything: for each arm, mark each outcome "
        "<b>+</b> (higher), <b>&minus;</b> (lower) or <b>=</b> (no clear change) against its "
        "reference, and write one sentence on why.</p>"
        f"<table><tr><th>arm</th>{head}</tr>{predict}</table>"
        "<h3>2. Run</h3><p>Run the experiment and read its report, or set the arms side by side "
        "in the app's Compare tab:</p>"
        f"<pre>cxo-sim sweep {_e(experiment)}\ncxo-sim report results/{_e(name)}"
        "\ncxo-sim app</pre>"
        "<h3>3. Compare: what each arm buys and what it costs</h3><p>Only changes whose 95% "
        "interval excludes zero count.</p>"
        f"<table><tr><th>arm</th><th>buys</th><th>costs</th></tr>{blank_grid}</table>"
        "<h3>4. Explain</h3><p>Pick the arm whose cost surprised you most. Which mechanism "
        "carries it? Run <code>cxo-sim explain</code> on it and name the mechanism and the "
        "resource that binds (docs/ODD.md 7.16). Was your prediction wrong because of what an "
        "agent knows, wants, can afford or has time for?</p>"
        "<div class='part'><h2>Part 2. Debrief (for the teacher)</h2>"
        "<h3>The model's answers</h3><p>Clear changes on the lesson's outcomes and on "
        "coordination cost, mean paired "
        "difference [95% CI]; outcomes with no clear change are left out. With many comparisons "
        "at 95%, about one in twenty is clear by chance: a lone, barely clear result is a "
        "question for more replications.</p>"
        f"<table><tr><th>arm</th><th>buys</th><th>costs</th></tr>{filled}</table>"
        "<h3>The mechanism behind each arm</h3><ul>"
        + "".join(mechanisms)
        + "</ul><p class='note'>Sentences are those of docs/ODD.md 9.10 (50 seeds against "
        "old_world), where an arm is one of its levers; the command prints the whole table.</p>"
        "</div></body></html>"
    )
