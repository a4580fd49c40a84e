"""The tradeoff table: what each practice buys and costs, on paired seeds (ODD section 9).

Covered by ``tests/validation/test_validation.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from cxo_sim.analysis.numbers import fmt
from cxo_sim.analysis.stats import Estimate
from cxo_sim.validation.arms import column, run_arms
from cxo_sim.validation.patterns import (
    HEADLINE,
    PILOT_BASELINE,
    PRACTICES,
    RISK,
    _arms,
    _baseline,
    _worse,
    paired_diff,
)


def tradeoffs(seeds: Iterable[int], workers: int = 1) -> dict[str, dict[str, Estimate]]:
    """For each practice added to ``old_world``: the paired difference on each headline."""
    arms = _arms()
    names = ["cio", PILOT_BASELINE, *(f"+{p}" for p in PRACTICES)]
    runs = run_arms({name: arms[name] for name in names}, seeds, workers)
    table = {}
    for practice in PRACTICES:
        on, off = runs[f"+{practice}"], runs[_baseline(practice)]
        table[practice] = {
            name: paired_diff(column(on, name), column(off, name)) for name in HEADLINE
        }
    return table


def bundle_tradeoffs(seeds: Iterable[int], workers: int = 1) -> dict[str, dict[str, Estimate]]:
    """For each practice within ``best_practice``: the bundle minus the bundle without it."""
    arms = _arms()
    names = ["best", *(f"best-{p}" for p in PRACTICES)]
    runs = run_arms({name: arms[name] for name in names}, seeds, workers)
    best = runs["best"]
    return {
        practice: {
            name: paired_diff(column(best, name), column(runs[f"best-{practice}"], name))
            for name in HEADLINE
        }
        for practice in PRACTICES
    }


BUNDLE_TITLE = (
    "Within the bundle: what each practice adds to best_practice (best_practice - best_practice "
    "without it)"
)


def format_tradeoffs(
    table: dict[str, dict[str, Estimate]], n: int, title: str = "each practice added to old_world"
) -> str:
    """The tradeoff table as Markdown: what each practice buys (+) and costs (-)."""
    head = " | ".join(
        "expected breaches" if name == RISK else name.replace("_", " ") for name in HEADLINE
    )
    lines = [
        f"Tradeoffs: {title}, {n} paired seeds, mean difference "
        "[95% CI]; (+) better, (-) worse, blank: not significant",
        "",
        f"| practice | {head} |",
        "|---" * (len(HEADLINE) + 1) + "|",
    ]
    for practice, row in table.items():
        cells = []
        for name in HEADLINE:
            est = row[name]
            mark = "(-)" if _worse(name, est) else "(+)" if _worse(name, _flip(est)) else ""
            cells.append(f"{fmt(est.value)} [{fmt(est.low)}, {fmt(est.high)}] {mark}".strip())
        lines.append(f"| {practice} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _flip(est: Estimate) -> Estimate:
    return Estimate(-est.value, -est.high, -est.low, est.n)
