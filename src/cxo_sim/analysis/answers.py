"""The report's answer to the experiment's question, in sentences.

Which arms move which outcomes, how strongly, and how the factors rank, said in plain words
for the report's first section. Covered by ``tests/analysis/test_plots_report.py``.
"""

from __future__ import annotations

import pandas as pd

from cxo_sim.analysis.effects import level_text
from cxo_sim.analysis.importance import most_important
from cxo_sim.analysis.numbers import change, signed
from cxo_sim.analysis.results import ResultSet, measure

# The answer names at most this many arms, each by its clearest gain and its clearest cost.
MAX_ANSWER_ARMS = 3

# Outcomes that hold by the model's construction under some settings (docs/ODD.md 9.4, 7.6):
# marked in the answer, never its headline. Each entry: the parameter and value that makes it
# so (every run of the arm must have it), the outcomes, and why.
BY_DEFINITION = (
    ("combined_role", True, ("conflicts", "escalations"),
     "the combined executive has no one to disagree with"),
    ("budget_owner", "cmo", ("shadow_tools", "shadow_spend_share", "business_led_share"),
     "what marketing buys under its own rights is known to IT and all business-led"),
)  # fmt: skip


def ranking_sentence(ranking: pd.DataFrame, factors: int = 3) -> str:
    """Which factors matter most: those that explain the most outcomes, with examples."""
    top = most_important(ranking)
    if top.empty:
        return "No factor explains more of the variation between configurations than chance would."
    counts = top["factor"].value_counts(sort=False)
    leaders = sorted(counts.index, key=lambda f: -counts[f])[:factors]
    parts = []
    for factor in leaders:
        rows = top[top["factor"] == factor].sort_values("score", ascending=False)
        named = ", ".join(f"{r.outcome} {r.score:.0%}" for r in rows.head(2).itertuples())
        parts.append(f"{factor} leads for {len(rows)} ({named})")

    return (
        f"Which matters most: of the {ranking['outcome'].nunique()} outcomes that vary, "
        + "; ".join(parts)
        + " (share of the variation between configurations that the factor alone explains)."
    )


def answer_sentences(rs: ResultSet, table: pd.DataFrame) -> list[str]:
    """Three to five sentences in the outcomes' own units that answer the experiment's question.

    The design first; then each of the arms with the clearest changes (largest standardised
    effect; a fixed difference, the same in every run, ranks last), by its
    clearest gain and clearest cost with their 95% intervals (outcomes that hold by construction
    are marked, never headlined); for sampled factors, the strongest rank
    correlations over configurations; then where the rest is.
    """
    configs = rs.runs["point"].nunique()
    design = (
        f"This experiment ran {configs} configuration{'s' if configs != 1 else ''}, "
        f"each {rs.replications} time{'s' if rs.replications != 1 else ''} for "
        f"{rs.manifest.get('steps', '?')} weeks."
    )
    if table.empty:
        return [design, "There is only one configuration, so there is nothing to compare."]
    clear = table[table["verdict"] != "no clear change"]
    if clear.empty:
        return [
            design,
            f"No comparison shows a clear change: every 95% interval includes zero with "
            f"{rs.replications} replications.",
            "Either the levers do not reach these outcomes, or their effects are too small to "
            "see through the noise; more replications would narrow the intervals.",
        ]
    sentences = [design]
    differences = clear[clear["kind"] == "difference"].assign(strength=_strength)
    held = {arm: definitional(rs, arm) for arm in differences["arm"].unique()}
    pairs = zip(differences["arm"], differences["outcome"], strict=True)
    defined = pd.Series([o in held[a] for a, o in pairs], index=differences.index, dtype=bool)
    marked, differences = differences[defined], differences[~defined]
    arms = differences.groupby("arm", sort=False)["strength"].max().sort_values(ascending=False)
    for arm in arms.index[:MAX_ANSWER_ARMS]:
        rows = differences[differences["arm"] == arm].sort_values("strength", ascending=False)
        sentences.append(f"{arm}, against {rows['reference'].iloc[0]}: {_gain_and_cost(rows)}.")
    if not marked.empty:
        said = sorted({f"{r.outcome} under {r.arm}" for r in marked.itertuples()})
        sentences.append(
            "Not headlined, because they hold by the model's construction: " + "; ".join(said) + "."
        )
    correlations = clear[clear["kind"] == "rank correlation"]
    if not correlations.empty:
        top = correlations.reindex(
            correlations["estimate"].abs().sort_values(ascending=False).index
        ).head(3)
        sentences.append(
            "Across configurations, "
            + "; ".join(
                f"{row['outcome']} {'rises' if row['estimate'] > 0 else 'falls'} as "
                f"{row['arm'].removeprefix('higher ')} rises (rank correlation "
                f"{signed(row['estimate'], 2)})"
                for _, row in top.iterrows()
            )
            + "."
        )
    named = 0  # the gain and the cost named for each arm
    for arm in arms.index[:MAX_ANSWER_ARMS]:
        verdicts = set(differences.loc[differences["arm"] == arm, "verdict"])
        named += ("better" in verdicts) + ("worse" in verdicts)
    rest = len(clear) - named - len(marked) - min(3, len(correlations))
    if rest > 0:
        sentences.append(f"The findings below list {rest} more clear changes, with effect sizes.")
    return sentences[:5]


def _gain_and_cost(rows: pd.DataFrame) -> str:
    """An arm's clearest gain and clearest cost, each with its interval (or "none clear").

    Rows are the arm's clear changes, strongest first. A cost the same in every run (a fixed
    difference) is a cost too: it is named when the arm has no variable one.
    """
    parts = []
    for verdict, word in (("better", "gain"), ("worse", "cost")):
        chosen = rows[rows["verdict"] == verdict]
        if chosen.empty:
            parts.append(f"no clear {word}")
        else:
            parts.append(f"its clearest {word} is {_change_phrase(chosen.iloc[0])}")
    return "; ".join(parts)


def arm_runs(rs: ResultSet, arm: str) -> pd.DataFrame:
    """The runs behind an arm's label: a scenario's, or a factor level's (``factor = level``)."""
    runs = rs.runs
    if "scenario" in runs and (runs["scenario"] == arm).any():
        return runs[runs["scenario"] == arm]
    for factor in rs.factors:
        for level in runs[factor].unique():
            if level_text(factor, level) == arm:
                return runs[runs[factor] == level]
    return runs.iloc[0:0]


def definitional(rs: ResultSet, arm: str) -> set[str]:
    """The outcomes that hold by construction in every run of ``arm`` (:data:`BY_DEFINITION`)."""
    runs = arm_runs(rs, arm)
    found: set[str] = set()
    for parameter, value, outcomes, _ in BY_DEFINITION:
        if len(runs) and parameter in runs and (runs[parameter] == value).all():
            found.update(outcomes)
    return found


def _strength(rows: pd.DataFrame) -> pd.Series:
    """How large each change is for its noise: |g|; a fixed difference has no g and ranks last.

    A fixed difference is certain but says nothing about size against noise, so it is never
    the headline; it is named only when an arm has nothing else.
    """
    return rows["g"].abs().where(~rows["fixed"].fillna(False).astype(bool), -1.0).fillna(-1.0)


def _change_phrase(row: pd.Series) -> str:
    """``breaches +2.1 breaches (95% CI +1.2 to +3), worse`` or ``... in every run``.

    A share's difference is in percentage points: ``shadow_spend_share -6.7 points (...)``.
    """
    outcome = row["outcome"]
    amount = change(outcome, row["estimate"], measure(outcome).unit)
    judged = f", {row['verdict']}" if row["verdict"] in ("better", "worse") else ""
    if row["fixed"] and row["low"] == row["high"]:
        return f"{outcome} {amount} in every run{judged}"
    low, high = (change(outcome, row[k], with_units=False) for k in ("low", "high"))
    return f"{outcome} {amount} (95% CI {low} to {high}){judged}"
