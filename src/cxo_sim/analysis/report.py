"""The HTML teaching report of a results folder: one self-contained file that works offline.

``cxo-sim report RESULTS_DIR`` writes ``RESULTS_DIR/report.html``: the question and its answer
in a few sentences, the set-up, a findings table (differences with 95% CIs and effect sizes, in
words and numbers), every figure (embedded as base64 PNG, so the file needs nothing else), and
teaching notes. The figures, ``summary.csv`` and ``runs.csv`` are rewritten first, so the report
always matches the runs on disk. The answer's sentences are :mod:`cxo_sim.analysis.answers`'s.
Covered by ``tests/analysis/test_plots_report.py``.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from cxo_sim.analysis.answers import _strength, answer_sentences, ranking_sentence
from cxo_sim.analysis.effects import effect_size_word, findings
from cxo_sim.analysis.figure_style import Figure
from cxo_sim.analysis.importance import importance
from cxo_sim.analysis.numbers import change, fmt, signed
from cxo_sim.analysis.over_posterior import KEEPS_SIGN, sign_shares
from cxo_sim.analysis.plots import make_figures
from cxo_sim.analysis.results import ResultSet, measure
from cxo_sim.analysis.summary import write_runs_csv, write_summary
from cxo_sim.experiments import safe_files

MAX_FINDINGS_SHOWN = 30
# Designs with more factors than this get a "which matters most" ranking.
RANKED_ABOVE_FACTORS = 2

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } .question { font-size: 1.3em; color: #333; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.better { color: #1a7f37; font-weight: 600; } .worse { color: #c62828; font-weight: 600; }
.changed { color: #3949ab; } .unclear { color: #777; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; } pre { background: #f7f7f7; padding: 0.8em;
overflow-x: auto; } details { margin: 0.6em 0; } .note { color: #555; font-size: 0.92em; }
.answer { font-size: 1.05em; background: #f4f7fb; border-left: 4px solid #3949ab;
          padding: 0.6em 1em; }
"""


def write_report(rs: ResultSet) -> Path:
    """Draw figures, write ``summary.csv``, ``runs.csv`` and ``report.html`` into the folder."""
    table = findings(rs)
    figures = make_figures(rs, table)
    write_summary(rs)
    write_runs_csv(rs)
    # Scenarios are a handful of hand-picked configurations: too few to rank factors over.
    ranked = rs.sampling != "scenarios" and len(rs.factors) > RANKED_ABOVE_FACTORS
    ranking = importance(rs) if ranked else None
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{_e(rs.name)}: {_e(rs.question)}</title>",
            f"<style>{CSS}</style></head><body>",
            f"<h1>{_e(rs.name)}</h1>",
            f'<p class="question">{_e(rs.question)}</p>',
            answer_section(rs, table, ranking),
            setup_section(rs),
            ranking_section(ranking),
            uncertainty_section(rs, table),
            findings_section(rs, table),
            figures_section(figures),
            teaching_section(rs, table),
            "</body></html>",
        ]
    )
    return safe_files.write_output(
        rs.path / "report.html", lambda temp: temp.write_text(page, encoding="utf-8")
    )


def _e(text: Any) -> str:
    return html.escape(str(text))


def answer_section(rs: ResultSet, table: pd.DataFrame, ranking: pd.DataFrame | None) -> str:
    """The answer to the file's question, in a few sentences, before any table."""
    sentences = answer_sentences(rs, table)
    if ranking is not None:
        said = ranking_sentence(ranking)
        if said:
            sentences = [*sentences[:1], said, *sentences[1:4]]
    return f'<p class="answer">{_e(" ".join(sentences))}</p>'


def ranking_section(ranking: pd.DataFrame | None) -> str:
    """Which factor matters most for each outcome, with the scores and their noise level."""
    if ranking is None:
        return ""
    n = int(ranking["configurations"].iloc[0]) if not ranking.empty else 0
    rows = []
    for outcome, group in ranking.groupby("outcome", sort=False):
        clear = group[group["clear"]].head(3)
        cells = [
            f"<b>{_e(r.factor)}</b> {r.score:.0%} <span class='note'>(noise {r.noise:.0%})</span>"
            for r in clear.itertuples()
        ]
        text = ", ".join(cells) or "<span class='unclear'>none above noise</span>"
        rows.append(f"<tr><td><code>{_e(outcome)}</code></td><td>{text}</td></tr>")
    return (
        "<h2>Which matters most</h2>"
        "<p>For each outcome, the factors that explain the largest share of the variation "
        f"between the {n} configurations (each configuration's mean over its replications), "
        "one factor at a time: grouped by level, or by five quantile bins of a factor sampled "
        "over a range; adjusted for the number of groups (adjusted eta squared, a first-order "
        "sensitivity index estimated from this design). Only factors above the noise level are "
        "named, each with its noise level: the share that shuffled outcomes reach 5% of the "
        "time for that factor (it grows with the factor's number of groups). The shares of "
        "different "
        "factors need not add up to 100%: interactions and noise take the rest.</p>"
        "<table><tr><th>outcome</th><th>factors that matter most (share explained)</th></tr>"
        f"{''.join(rows)}</table>"
    )


def setup_section(rs: ResultSet) -> str:
    """The set-up: preset, horizon, replications, design, factors and their levels, provenance."""
    m = rs.manifest
    levels = [
        f"<li><code>{_e(f)}</code>: {_e(', '.join(_level_list(rs.runs[f])))}</li>"
        for f in rs.factors
    ]
    rows = [
        ("Base preset", m.get("preset", "?")),
        ("Horizon", f"{m.get('steps', '?')} weeks per run"),
        ("Design", f"{rs.sampling}, {rs.runs['point'].nunique()} configurations"),
        (
            "Replications",
            f"{rs.replications} per configuration (seeds derived from {m.get('seed')})",
        ),
        ("Runs", f"{len(rs.runs)} done of {m.get('runs_planned', len(rs.runs))} planned"),
        ("When", f"{m.get('started', '?')} to {m.get('finished', '?')}"),
        ("Code", f"git {m.get('git_revision') or 'unknown'}; {_versions(m.get('versions'))}"),
    ]
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    text = m.get("experiment_text") or ""
    source = (
        f"<details><summary>The experiment file ({_e(m.get('experiment_file', ''))})</summary>"
        f"<pre>{_e(text)}</pre></details>"
        if text
        else ""
    )
    varied = f"<p>What varies:</p><ul>{''.join(levels)}</ul>" if levels else ""
    return f"<h2>Set-up</h2><table>{body}</table>{varied}{source}"


def _level_list(values: pd.Series) -> list[str]:
    unique = list(pd.unique(values))
    if len(unique) > 8 and pd.api.types.is_numeric_dtype(values):
        return [f"{fmt(float(values.min()))} to {fmt(float(values.max()))} ({len(unique)} values)"]
    return [_value_text(v) for v in unique]


def _value_text(value: Any) -> str:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return str(bool(value)).lower()
    if isinstance(value, float):
        return fmt(value)
    return str(value)


def _versions(versions: Any) -> str:
    if not isinstance(versions, dict):
        return ""
    return ", ".join(f"{k} {v}" for k, v in versions.items())


INTROS = {
    "difference": (
        "Each row compares an arm with its reference: the difference of means (arm minus "
        "reference) with its 95% confidence interval, the change in percent (not shown on a "
        "baseline near zero), and the standardised effect size (Hedges' g: 0.2 small, 0.5 "
        "medium, 0.8 large). A difference that is the same in every run (a fixed cost, a "
        "median of whole weeks) is marked fixed: it has no interval and no effect size."
    ),
    "rank correlation": (
        "Each row is the rank correlation between a sampled factor and an outcome over the "
        "configurations (each configuration's mean over its replications: replications repeat "
        "a configuration, so they are not more evidence about the factor), with its 95% "
        "confidence interval (0.1 weak, 0.3 moderate, 0.5 strong)."
    ),
}


def uncertainty_section(rs: ResultSet, table: pd.DataFrame) -> str:
    """For a sweep over a posterior: what that means, and which findings keep their sign."""
    posterior = rs.manifest.get("posterior")
    if not posterior:
        return ""
    names = ", ".join(posterior.get("constants", []))
    intro = (
        f"<h2>Uncertainty in the constants</h2><p>Each replication drew its behavioural "
        f"constants ({_e(names)}) from the posterior of the calibration "
        f"<code>{_e(posterior.get('path'))}</code> ({posterior.get('particles')} particles), "
        "seeded by the replication's seed and the same in every configuration. The intervals "
        "below therefore include the uncertainty in the constants, not only seed noise.</p>"
    )
    clear = table[(table["verdict"] != "no clear change") & (table["kind"] == "difference")]
    if clear.empty or "scenario" not in rs.runs:
        return intro
    shares = sign_shares(rs.runs, clear)
    keeps = clear[shares >= KEEPS_SIGN]
    loses = clear[~(shares >= KEEPS_SIGN)]

    def items(rows: pd.DataFrame) -> str:
        return "".join(
            f"<li>{_e(r.arm)}: {_e(r.outcome)} {change(r.outcome, r.estimate)} "
            f"({shares[i]:.0%} of draws)</li>"
            for i, r in zip(rows.index, rows.itertuples(), strict=True)
        )

    return (
        f"{intro}<p>Of the {len(clear)} clear effects, {len(keeps)} keep their sign in at least "
        f"{KEEPS_SIGN:.0%} of the posterior draws (each replication's paired difference, which "
        "also carries seed noise):</p>"
        f"<details><summary>Keep their sign ({len(keeps)})</summary><ul>{items(keeps)}</ul>"
        f"</details><details open><summary>Do not ({len(loses)})</summary>"
        f"<ul>{items(loses)}</ul></details>"
    )


def findings_section(rs: ResultSet, table: pd.DataFrame) -> str:
    """The findings tables: clear effects first, largest first; every comparison on request."""
    if table.empty:
        return "<h2>Findings</h2><p>There is only one configuration: nothing to compare.</p>"
    parts = ["<h2>Findings</h2>"]
    for kind, rows in table.groupby("kind", sort=False):
        parts.append(_findings_block(rs, kind, rows))
    return "".join(parts)


def _findings_block(rs: ResultSet, kind: str, table: pd.DataFrame) -> str:
    clear = table[table["verdict"] != "no clear change"].copy()
    clear["size"] = _strength(clear) if kind == "difference" else clear["estimate"].abs()
    clear = clear.sort_values(["arm", "size"], ascending=[True, False], kind="stable")
    intro = INTROS[kind]
    if kind == "difference":
        paired = table["paired"].fillna(False).astype(bool)
        if paired.all():
            intro += (
                " Runs with the same seed face the same world and the same campaign ideas "
                "(common random numbers), so the interval is that of the paired, per-seed "
                "differences."
            )
        elif rs.sampling == "lhs":
            intro += (
                " The levels of a nominal factor are compared over configuration means "
                "(Welch's interval), never by rank: their names have no order."
            )
        else:
            intro += " The interval is Welch's (unpaired)."
    shown = clear.head(MAX_FINDINGS_SHOWN)
    more = (
        f"<p class='note'>{len(clear) - len(shown)} more clear effects are in the full table.</p>"
        if len(clear) > len(shown)
        else ""
    )
    unclear = len(table) - len(clear)
    return (
        f"<p>{intro} Only comparisons whose interval excludes zero are listed here; "
        f"{unclear} of {len(table)} comparisons show no clear change with "
        f"{rs.replications} replications. {multiplicity(len(table))}</p>"
        f"{_findings_table(shown, kind)}{more}"
        f"<details><summary>All {len(table)} comparisons</summary>"
        f"{_findings_table(table, kind)}</details>"
    )


def multiplicity(comparisons: int) -> str:
    """The sentence on many comparisons at once: how many clear changes chance alone makes."""
    if comparisons < 2:
        return ""
    chance = comparisons * 0.05
    return (
        f"With {comparisons} comparisons at 95%, about {fmt(chance)} would show a clear change "
        "by chance alone even if nothing differed: read a lone, barely clear result as a "
        "question for more replications, not an answer."
    )


def _findings_table(rows: pd.DataFrame, kind: str) -> str:
    if rows.empty:
        return "<p>No comparison shows a clear change.</p>"
    if kind == "difference":
        head = (
            "<tr><th>arm</th><th>vs</th><th>outcome</th><th>difference (95% CI)</th>"
            "<th>change</th><th>effect size g</th><th>verdict</th><th>in words</th></tr>"
        )
    else:
        head = (
            "<tr><th>factor</th><th>outcome</th><th>rank correlation (95% CI)</th>"
            "<th>verdict</th><th>in words</th></tr>"
        )
    body = "".join(_finding_row(row, kind) for _, row in rows.iterrows())
    return f"<table>{head}{body}</table>"


def _finding_row(row: pd.Series, kind: str) -> str:
    verdict = row["verdict"]
    css = {"better": "better", "worse": "worse", "no clear change": "unclear"}.get(
        verdict, "changed"
    )
    unit = measure(row["outcome"]).unit
    if kind != "difference":
        interval = (
            f"{signed(row['estimate'], 2)} ({signed(row['low'], 2)} to {signed(row['high'], 2)})"
        )
        return (
            f"<tr><td>{_e(row['arm'])}</td><td><code>{_e(row['outcome'])}</code></td>"
            f"<td class='num'>{_e(interval)}</td><td class='{css}'>{_e(verdict)}</td>"
            f"<td>{_e(row['sentence'])}</td></tr>"
        )
    outcome = row["outcome"]
    amount = change(outcome, row["estimate"], unit)
    low, high = (change(outcome, row[k], with_units=False) for k in ("low", "high"))
    if row["fixed"] and row["low"] == row["high"]:
        interval, size = f"{amount} in every run", "fixed"
    elif row["fixed"]:
        interval, size = f"{amount} ({low} to {high})", "fixed"
    else:
        interval = f"{amount} ({low} to {high})"
        g = row["g"]
        size = f"{fmt(g, 2)} ({effect_size_word(g)})" if _finite(g) else "n/a"
    relative = row["relative"]
    percent = f"{relative * 100:+.0f}%" if _finite(relative) else "n/a"
    return (
        f"<tr><td>{_e(row['arm'])}</td><td>{_e(row['reference'])}</td>"
        f"<td><code>{_e(row['outcome'])}</code></td>"
        f"<td class='num'>{_e(interval)}</td><td class='num'>{_e(percent)}</td>"
        f"<td class='num'>{_e(size)}</td><td class='{css}'>{_e(verdict)}</td>"
        f"<td>{_e(row['sentence'])}</td></tr>"
    )


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def figures_section(figures: list[Figure]) -> str:
    """Every figure as an embedded PNG with its question as heading and a reading guide."""
    parts = ["<h2>Figures</h2>"]
    for figure in figures:
        data = base64.b64encode(figure.png.read_bytes()).decode("ascii")
        parts.append(
            f"<figure><h3>{_e(figure.title)}</h3>"
            f'<img alt="{_e(figure.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_e(figure.caption)} (SVG: figures/{_e(figure.stem)}.svg)"
            "</figcaption></figure>"
        )
    return "\n".join(parts)


def teaching_section(rs: ResultSet, table: pd.DataFrame) -> str:
    """Things to notice (from the findings), things to try, discussion questions."""
    notice = _things_to_notice(rs, table)
    try_out = _things_to_try(rs)
    questions = _discussion_questions(rs, table)

    def items(lines: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"

    return (
        "<h2>Teaching notes</h2>"
        f"<h3>Things to notice</h3>{items(notice)}"
        f"<h3>Things to try</h3>{items(try_out)}"
        f"<h3>Discussion questions</h3>{items(questions)}"
    )


def _things_to_notice(rs: ResultSet, table: pd.DataFrame) -> list[str]:
    if table.empty:
        return ["There is a single configuration: look at the spread between replications."]
    notes = []
    fixed = table["fixed"].fillna(False).astype(bool)
    differences = table["kind"] == "difference"
    # Ranked by standardised size; a fixed difference has none and is told apart below.
    score = table["g"].where(differences, table["estimate"]).abs()
    ranked = table[~fixed].assign(score=score[~fixed]).sort_values("score", ascending=False)
    for verdict, lead in (("better", "Largest gain"), ("worse", "Largest cost")):
        top = ranked[ranked["verdict"] == verdict].head(2)
        notes += [f"{lead} for its noise: {row['sentence']}" for _, row in top.iterrows()]
    exact = table[fixed & table["verdict"].isin(["better", "worse"])]
    if not exact.empty:
        notes.append(
            "Fixed differences, the same (or nearly) in every run, so no effect size applies: "
            + " ".join(exact["sentence"].head(3))
        )
    unclear = table[table["verdict"] == "no clear change"]["outcome"].value_counts()
    if not unclear.empty:
        never = [o for o, n in unclear.items() if n == table["arm"].nunique()]
        if never:
            notes.append(
                "No arm clearly moves "
                + ", ".join(never[:6])
                + f" with {rs.replications} replications: either the lever does not reach it, "
                "or the effect is too small to see through the noise."
            )
    notes.append(
        "In the trade-off figure, the configurations on the Pareto front are the only ones worth "
        "arguing about: every other one is beaten on both axes by some configuration."
    )
    return notes


def _things_to_try(rs: ResultSet) -> list[str]:
    folder = rs.path
    file = rs.manifest.get("experiment_file") or "experiments/<this experiment>.toml"
    threshold = ""
    if "breaches" in rs.runs:
        median = float(rs.runs["breaches"].median())
        threshold = (
            f"Find where breaches are high: cxo-sim discover {folder} --outcome breaches "
            f"--above {fmt(median)} (the median), and read the rules' coverage and density."
        )
    tries = [
        f"Double the replications in {file} and rerun: do the grey (unclear) intervals shrink "
        "enough to become a finding?",
        f"Rank the levers globally: cxo-sim sensitivity {file} --method morris.",
        "Run one configuration in the app (cxo-sim app) and watch trust and shadow tools week "
        "by week: which feedback loop of docs/ODD.md section 4 (design concepts) do you see?",
    ]
    return ([threshold] if threshold else []) + tries


def _discussion_questions(rs: ResultSet, table: pd.DataFrame) -> list[str]:
    questions = [
        f"The experiment asks: {rs.question} What is your answer, and which row of the findings "
        "table would you show a sceptical board to defend it?",
        "Which effect here is large in the model's units (k$, breaches, campaigns per quarter) "
        "but small as a standardised effect, or the other way round? Which matters to a CFO?",
        "Through which mechanism (docs/ODD.md section 7.16) does the strongest lever act, and what "
        "would a CIO and a CMO each say about it?",
        "What does the model leave out that could reverse a finding in a real firm?",
    ]
    if not table.empty and (table["verdict"] == "worse").any():
        questions.insert(
            1,
            "Every gain here has a price somewhere else. Which cost would you accept, and who in "
            "the organisation pays it?",
        )
    return questions
