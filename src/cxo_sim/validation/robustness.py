"""Which conclusions survive the behavioural constants' ranges (``cxo-sim robustness``).

Every behavioural constant (``cxo_sim.constants``) has a plausible range.
:func:`conclusions_across_constants` draws constant sets by Latin hypercube over those ranges.
In each set, on paired seeds, the sign of each practice's effect on velocity, expected breaches
and total cost (as :mod:`cxo_sim.validation.tradeoffs` measures it) and whether each pattern
P1-P8, T1-T4 and S1 passes (the checks of :mod:`cxo_sim.validation.patterns`, on runs shared
with the signs). The table gives, for each practice and outcome, the share of sets whose sign
equals the sign at the default constants, and for each pattern the share of sets in which it
passes. The Morris screen of the same constants is :mod:`cxo_sim.validation.screen`. Both print
as Markdown for docs/ODD.md (section 9). Covered by ``tests/validation/test_robustness.py``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from cxo_sim.constants import CONSTANTS
from cxo_sim.validation.arms import STEPS, Progress
from cxo_sim.validation.patterns import (
    PATTERNS,
    PRACTICES,
    RISK,
    checks_on,
    pattern_arms,
    run_named_arms,
)
from cxo_sim.validation.tradeoffs import PRACTICE_PAIRS, arms_of, table_on

# Outcomes whose sign is followed for each practice.
SIGN_OUTCOMES = ("campaign_velocity", RISK, "total_cost")
LABELS = {
    "campaign_velocity": "velocity",
    RISK: "expected breaches",
    "total_cost": "total cost",
    "shadow_spend_share": "shadow share",
}
SETS = 16
SEEDS = 30
# Seeds of these analyses start here: away from the tests' seeds and from ``validate``'s.
FIRST_SEED = 20_000


def _names() -> list[str]:
    return list(CONSTANTS)


SIGNS = ("+", "-", "n.s.")
# A sign "holds" across the constants' ranges when this share of the sets reproduces it.
HELD = 0.8


def _sign(est) -> str:
    if est.low > 0:
        return "+"
    if est.high < 0:
        return "-"
    return "n.s."


@dataclass
class SetResult:
    """The conclusions measured under one set of constants.

    Attributes:
        signs: ``signs[practice][outcome]``: "+", "-" or "n.s." (paired 95% t interval).
        passes: whether each pattern passes (all of its checks).
        checks: each pattern's checks as (claim, passed), in order.
    """

    signs: dict[str, dict[str, str]]
    passes: dict[str, bool]
    checks: dict[str, list[tuple[str, bool]]]


def measure_conclusions(
    constants: dict[str, float] | None,
    seeds: Iterable[int],
    workers: int = 1,
    only: Iterable[str] = (),
    steps: int = STEPS,
) -> SetResult:
    """The practices' signs and the patterns' verdicts under one set of constants.

    Args:
        constants: constants to override (None or {}: the defaults).
        seeds: paired seeds, the same for every arm.
        workers: local processes.
        only: patterns to check (empty: all of P1-P8, T1-T4 and S1).
        steps: weeks per run (P5 reads weeks 105-156, so it needs at least 156).

    Returns:
        The signs and verdicts.
    """
    chosen = list(only) or list(PATTERNS)
    # One set of runs serves both: the checks are those of patterns.patterns(seeds, workers,
    # only, constants), evaluated on runs shared with the signs (the tests hold them equal).
    needed = arms_of(PRACTICE_PAIRS) | pattern_arms(chosen)
    runs = run_named_arms(needed, seeds, workers, steps, constants)
    signs = {
        practice: {o: _sign(effect) for o, effect in row.items() if o in SIGN_OUTCOMES}
        for practice, row in table_on(runs, PRACTICE_PAIRS).items()
    }
    found = checks_on(runs, chosen)
    checks: dict[str, list[tuple[str, bool]]] = {}
    for check in found:
        checks.setdefault(check.pattern, []).append((check.claim, check.passed))
    passes = {pid: all(ok for _, ok in items) for pid, items in checks.items()}
    return SetResult(signs, passes, checks)


@dataclass
class Conclusions:
    """How the conclusions fare across constant sets.

    Attributes:
        seeds: the paired seeds of every set.
        samples: the constant sets drawn (full dicts of every constant).
        default: the conclusions at the default constants.
        sets: the conclusions in each drawn set.
    """

    seeds: list[int]
    samples: list[dict[str, float]]
    default: SetResult
    sets: list[SetResult]

    def sign_share(self, practice: str, outcome: str) -> float:
        """Share of sets whose sign equals the default's."""
        want = self.default.signs[practice][outcome]
        return float(np.mean([s.signs[practice][outcome] == want for s in self.sets]))

    def sign_counts(self, practice: str, outcome: str) -> dict[str, int]:
        """Number of sets with each sign."""
        got = [s.signs[practice][outcome] for s in self.sets]
        return {sign: got.count(sign) for sign in SIGNS}

    def pass_share(self, pattern: str) -> float:
        """Share of sets in which the pattern passes."""
        return float(np.mean([s.passes[pattern] for s in self.sets]))

    def check_shares(self, pattern: str) -> list[tuple[str, float]]:
        """Each check of a pattern (its claim at the defaults) and the share of sets passing it."""
        claims = [claim for claim, _ in self.default.checks[pattern]]
        return [
            (claim, float(np.mean([s.checks[pattern][i][1] for s in self.sets])))
            for i, claim in enumerate(claims)
        ]


def latin_hypercube(n_sets: int, sample_seed: int = 0) -> list[dict[str, float]]:
    """``n_sets`` constant sets, a Latin hypercube over every constant's [low, high]."""
    names = _names()
    unit = qmc.LatinHypercube(d=len(names), seed=sample_seed).random(n_sets)
    low = np.array([CONSTANTS[n].low for n in names])
    high = np.array([CONSTANTS[n].high for n in names])
    values = qmc.scale(unit, low, high) if n_sets else unit
    return [dict(zip(names, map(float, row), strict=True)) for row in values]


def conclusions_across_constants(
    n_sets: int = SETS,
    seeds: Iterable[int] = range(FIRST_SEED, FIRST_SEED + SEEDS),
    workers: int = 1,
    sample_seed: int = 0,
    only: Iterable[str] = (),
    steps: int = STEPS,
    progress: Progress | None = None,
) -> Conclusions:
    """The practices' signs and the patterns' verdicts in ``n_sets`` Latin-hypercube sets.

    Args:
        n_sets: constant sets to draw.
        seeds: paired seeds, the same in every set and arm.
        workers: local processes.
        sample_seed: seed of the Latin hypercube.
        only: patterns to check (empty: all).
        steps: weeks per run (P5 needs at least 156).
        progress: called with a line after each set.

    Returns:
        The conclusions at the defaults and in every set.
    """
    seeds = list(seeds)
    only = tuple(only)
    samples = latin_hypercube(n_sets, sample_seed)
    start = time.monotonic()
    default = measure_conclusions(None, seeds, workers, only, steps)
    if progress:
        progress(f"conclusions: default constants done, {time.monotonic() - start:.0f} s")
    sets = []
    for i, constants in enumerate(samples, 1):
        sets.append(measure_conclusions(constants, seeds, workers, only, steps))
        if progress:
            progress(f"conclusions: set {i}/{n_sets} done, {time.monotonic() - start:.0f} s")
    return Conclusions(seeds, samples, default, sets)


def format_conclusions(result: Conclusions) -> str:
    """The two tables of the conclusions as Markdown: practices' signs, patterns' verdicts."""
    n = len(result.sets)
    head = " | ".join(LABELS[o] for o in SIGN_OUTCOMES)
    lines = [
        f"Sign of each practice's effect (added to old_world, {len(result.seeds)} paired seeds; "
        "+ significant increase, - significant decrease, n.s. not significant) at the default "
        f"constants, and the share of {n} Latin-hypercube constant sets with the same sign "
        "[sets with + / - / n.s.]:",
        "",
        f"| practice | {head} |",
        "|---" * (len(SIGN_OUTCOMES) + 1) + "|",
    ]
    for practice in PRACTICES:
        cells = []
        for o in SIGN_OUTCOMES:
            counts = result.sign_counts(practice, o)
            share = result.sign_share(practice, o) if n else math.nan
            cells.append(
                f"{result.default.signs[practice][o]} {share:.2f} "
                f"[{counts['+']}/{counts['-']}/{counts['n.s.']}]"
            )
        lines.append(f"| {practice} | " + " | ".join(cells) + " |")
    if n:
        cells = [(p, o) for p in PRACTICES for o in SIGN_OUTCOMES]
        held = [c for c in cells if result.sign_share(*c) >= HELD]
        significant = [c for c in cells if result.default.signs[c[0]][c[1]] != "n.s."]
        lines += [
            "",
            f"Same sign in at least {HELD:.0%} of the sets: {len(held)} of {len(cells)} "
            f"(of the {len(significant)} significant at the defaults: "
            f"{len([c for c in held if c in significant])}).",
        ]
    lines += [
        "",
        f"Patterns: verdict at the default constants and share of the {n} sets in which every "
        "check passes; the check that fails most often:",
        "",
        "| pattern | at defaults | share passing | weakest check (share passing) |",
        "|---|---|---|---|",
    ]
    for pid in PATTERNS:
        if pid not in result.default.passes:
            continue
        verdict = "pass" if result.default.passes[pid] else "FAIL"
        share = result.pass_share(pid) if n else math.nan
        weakest = min(result.check_shares(pid), key=lambda item: item[1]) if n else ("", math.nan)
        lines.append(f"| {pid} | {verdict} | {share:.2f} | {weakest[0]} ({weakest[1]:.2f}) |")
    return "\n".join(lines)
