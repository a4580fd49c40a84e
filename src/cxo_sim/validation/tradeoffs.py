"""The tradeoff table: what each practice buys and costs, on paired seeds (ODD section 9).

Covered by ``tests/validation/test_validation.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from cxo_sim.analysis.numbers import fmt
from cxo_sim.analysis.stats import Estimate
from cxo_sim.experiments.single_run import Run
from cxo_sim.validation.arms import column
from cxo_sim.validation.patterns import (
    HEADLINE,
    PRACTICES,
    RISK,
    _baseline,
    _worse,
    paired_diff,
    run_named_arms,
)

# Each table's rows: practice -> (the arm with it, the arm without it).
PRACTICE_PAIRS = {p: (f"+{p}", _baseline(p)) for p in PRACTICES}
BUNDLE_PAIRS = {p: ("best", f"best-{p}") for p in PRACTICES}


def arms_of(pairs: dict[str, tuple[str, str]]) -> set[str]:
    """The arms a table compares."""
    return {arm for pair in pairs.values() for arm in pair}


def table_on(
    runs: dict[str, list[Run]], pairs: dict[str, tuple[str, str]]
) -> dict[str, dict[str, Estimate]]:
    """For each practice, the paired difference (with - without) on each headline outcome."""
    return {
        practice: {
            name: paired_diff(column(runs[on], name), column(runs[off], name)) for name in HEADLINE
        }
        for practice, (on, off) in pairs.items()
    }


def tradeoffs(seeds: Iterable[int], workers: int = 1) -> dict[str, dict[str, Estimate]]:
    """For each practice added to ``old_world``: the paired difference on each headline."""
    return table_on(run_named_arms(arms_of(PRACTICE_PAIRS), seeds, workers), PRACTICE_PAIRS)


def bundle_tradeoffs(seeds: Iterable[int], workers: int = 1) -> dict[str, dict[str, Estimate]]:
    """For each practice within ``best_practice``: the bundle minus the bundle without it."""
    return table_on(run_named_arms(arms_of(BUNDLE_PAIRS), seeds, workers), BUNDLE_PAIRS)


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
