"""Which conclusions survive the behavioural constants' ranges; ``cxo-sim robustness``.

Every behavioural constant (``cxo_sim.constants``) has a plausible range. Two analyses vary
them all at once, on the same seeds everywhere (common random numbers):

- :func:`screen_constants`: a Morris screen (SALib) over every constant's [low, high] on the
  ``old_world`` preset. Each sample point is run on a few fixed seeds and their outcomes
  averaged; the result is mu* (mean absolute elementary effect: the outcome's change, in its
  unit, when the constant moves by two thirds of its range, divided by 2/3, so per whole range)
  and sigma (their spread: interactions, non-linearity and seed noise) per constant and
  outcome. A dummy factor that only changes the seeds gives the noise floor. Morris needs
  (k + 1) points per trajectory for k factors, so the default (10 trajectories, 4 seeds, 151
  constants and the dummy) is 153 x 10 x 4 = 6,120 runs.
- :func:`conclusions_across_constants`: constant sets drawn by Latin hypercube over the same
  ranges. In each set, on paired seeds, the sign of each practice's effect on velocity, expected
  breaches and total cost (as ``patterns.tradeoffs`` measures it) and whether each pattern
  P1-P8, T1-T3 and S1 passes (the checks of ``patterns.patterns``, on runs shared with the
  signs). The table gives, for each practice and outcome, the share of sets whose sign equals
  the sign at the default constants, and for each pattern the share of sets in which it passes.

Both print as Markdown for docs/ODD.md (section 9).
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample
from scipy.stats import qmc

from cxo_sim.analysis.numbers import fmt
from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError, stderr
from cxo_sim.experiments.engine import process_map, run_deadline
from cxo_sim.experiments.pool import WorkerPool
from cxo_sim.experiments.single_run import Weekly, run_model
from cxo_sim.patterns import PATTERNS, PRACTICES, RISK, _arms, _baseline, paired_diff
from cxo_sim.presets import preset
from cxo_sim.stops import StopSignals
from cxo_sim.validation import STEPS, Run, column, run_arms

# Outcomes of the Morris screen (breach_risk: expected breaches, a diagnostic).
SCREEN_OUTCOMES = ("campaign_velocity", "breach_risk", "total_cost", "shadow_spend_share")
# Outcomes whose sign is followed for each practice.
SIGN_OUTCOMES = ("campaign_velocity", RISK, "total_cost")
LABELS = {
    "campaign_velocity": "velocity",
    RISK: "expected breaches",
    "total_cost": "total cost",
    "shadow_spend_share": "shadow share",
}
MORRIS_LEVELS = 4
# A dummy factor of the screen: it changes nothing in the model but the seeds (each of its levels
# runs the point on another set of seeds), so its mu* is the noise floor, the elementary effect
# that seed noise alone makes after the averaging over seeds.
NOISE = "(seed noise)"
NOISE_SEED_STEP = 1000
TRAJECTORIES = 10
SCREEN_SEEDS = 4
SETS = 16
SEEDS = 30
# Seeds of these analyses start here: away from the tests' seeds and from ``validate``'s.
FIRST_SEED = 20_000
RESAMPLES = 1000

Progress = Callable[[str], None]


def _names() -> list[str]:
    return list(CONSTANTS)


def _problem(names: Sequence[str] | None = None) -> dict[str, Any]:
    names = list(names) if names is not None else _names()
    return {
        "num_vars": len(names) + 1,
        "names": [*names, NOISE],
        "bounds": [[CONSTANTS[n].low, CONSTANTS[n].high] for n in names] + [[0.0, 1.0]],
    }


def _pool_map(
    fn: Callable,
    jobs: list,
    workers: int,
    progress: Progress | None,
    label: str,
    pool: WorkerPool | None = None,
    stop: StopSignals | None = None,
    deadline: float | None = None,
) -> list:
    """``map(fn, jobs)`` by :func:`process_map`, reporting progress every tenth of the jobs."""
    results = []
    step = max(1, len(jobs) // 10)
    start = time.monotonic()
    for result in process_map(fn, jobs, workers, pool, stop, deadline):
        results.append(result)
        done = len(results)
        if progress and (done % step == 0 or done == len(jobs)):
            progress(f"{label}: {done}/{len(jobs)} runs, {time.monotonic() - start:.0f} s")
    return results


# ------------------------------------------------------------------------------- Morris screen
@dataclass
class Screen:
    """A Morris screen of the constants.

    Attributes:
        outcomes: the outcomes screened.
        trajectories: Morris trajectories.
        seeds: the seeds each sample point was run on (outcomes averaged over them).
        runs: model runs made.
        mu_star: ``mu_star[outcome][constant]``, mean absolute elementary effect.
        mu_star_conf: half-width of mu*'s 95% bootstrap interval, same layout.
        sigma: standard deviation of the elementary effects, same layout.
        missing: sample points whose seed-mean was not a number, per outcome (filled with the
            outcome's mean over the other points).
    """

    outcomes: tuple[str, ...]
    trajectories: int
    seeds: list[int]
    runs: int
    mu_star: dict[str, dict[str, float]]
    mu_star_conf: dict[str, dict[str, float]]
    sigma: dict[str, dict[str, float]]
    missing: dict[str, int] = field(default_factory=dict)

    def influence(self) -> dict[str, float]:
        """Each constant's largest mu* over outcomes, each relative to that outcome's largest."""
        score = dict.fromkeys(self.mu_star[self.outcomes[0]], 0.0)
        for outcome in self.outcomes:
            top = max(self.mu_star[outcome].values())
            if top > 0:
                for name, value in self.mu_star[outcome].items():
                    score[name] = max(score[name], value / top)
        return score


# Measures a run for the screen: its outcomes by name (the default), or other statistics.
Measure = Callable[[Run], dict[str, float]]


def _screen_job(job: tuple[dict[str, float], int, int, tuple[str, ...], dict, Measure | None]):
    constants, seed, steps, outcomes, params, measure = job
    run = run_model(params, steps=steps, seed=seed, constants=constants, record=Weekly())
    values = run.outcomes if measure is None else measure(run)
    return [float(values[name]) for name in outcomes]


def screen_constants(
    outcomes: Sequence[str] = SCREEN_OUTCOMES,
    trajectories: int = TRAJECTORIES,
    seed: int = 0,
    workers: int = 1,
    seeds: Iterable[int] = range(FIRST_SEED, FIRST_SEED + SCREEN_SEEDS),
    steps: int = STEPS,
    progress: Progress | None = None,
    names: Sequence[str] | None = None,
    params: dict[str, Any] | None = None,
    measure: Measure | None = None,
    pool: WorkerPool | None = None,
    stop: StopSignals | None = None,
) -> Screen:
    """Morris elementary effects of every constant over its range, on ``old_world``.

    Args:
        outcomes: outcome or diagnostic names to screen (or names ``measure`` returns).
        trajectories: Morris trajectories (r); the screen makes (k + 2) * r sample points for
            k constants and the seed-noise dummy (:data:`NOISE`).
        seed: seed of the Morris sampler and of the bootstrap of mu*.
        workers: local processes (when no ``pool`` is given).
        seeds: model seeds; every sample point runs on all of them (shifted by the dummy's
            level), outcomes averaged.
        steps: weeks per run.
        progress: called with a line of progress now and then.
        names: the constants to screen (default: all of them).
        params: the model's parameters (default: the ``old_world`` preset).
        measure: the statistics of a run, by name (default: its outcomes and diagnostics); a
            module-level function, so that worker processes can receive it.
        pool: where the runs execute (local processes or a Dask cluster); None: ``workers``.
        stop: stop signals (Ctrl-C, SIGTERM), honoured between waits.

    Returns:
        mu* and sigma per constant (and the dummy :data:`NOISE`) and outcome.
    """
    outcomes = tuple(outcomes)
    seeds = list(seeds)
    params = preset("old_world") if params is None else params
    problem = _problem(names)
    names = problem["names"]
    x = morris_sample.sample(problem, N=trajectories, num_levels=MORRIS_LEVELS, seed=seed)
    jobs = []
    for row in x:
        constants = dict(zip(names, map(float, row), strict=True))
        shift = NOISE_SEED_STEP * round(constants.pop(NOISE) * (MORRIS_LEVELS - 1))
        jobs += [(constants, s + shift, steps, outcomes, params, measure) for s in seeds]
    results = _pool_map(
        _screen_job, jobs, workers, progress, "screen", pool, stop, run_deadline(steps)
    )
    values = np.array(results, dtype=float)
    values = values.reshape(len(x), len(seeds), len(outcomes))
    mu_star, conf, sigma, missing = {}, {}, {}, {}
    for j, outcome in enumerate(outcomes):
        # A point undefined on every seed (a cost per breach without breaches) is filled below.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y = np.nanmean(np.where(np.isfinite(values[:, :, j]), values[:, :, j], np.nan), axis=1)
        bad = ~np.isfinite(y)
        missing[outcome] = int(bad.sum())
        if bad.all():
            y = np.zeros_like(y)
        elif bad.any():
            y[bad] = float(np.mean(y[~bad]))
        result = morris_analyze.analyze(
            problem, x, y, num_resamples=RESAMPLES, num_levels=MORRIS_LEVELS, seed=seed
        )
        mu_star[outcome] = dict(zip(names, map(float, result["mu_star"]), strict=True))
        conf[outcome] = dict(zip(names, map(float, result["mu_star_conf"]), strict=True))
        sigma[outcome] = dict(zip(names, map(float, result["sigma"]), strict=True))
    return Screen(outcomes, trajectories, seeds, len(jobs), mu_star, conf, sigma, missing)


def format_screen(screen: Screen, top: int | None = None) -> str:
    """The screen as Markdown, constants ranked by their largest relative mu*.

    The seed-noise dummy is ranked with them (and shown even when ``top`` leaves it out): a
    constant ranked below it moves no screened outcome by more than seed noise does.

    Args:
        screen: the screen.
        top: show only this many constants (None: all).

    Returns:
        The table, with a header line saying how it was made and a line counting the constants
        below the noise floor on every outcome.
    """
    score = screen.influence()
    ranked = sorted(score, key=lambda name: -score[name])
    shown = ranked if top is None else ranked[: top + (NOISE in ranked[:top])]
    if NOISE in score and NOISE not in shown:
        shown.append(NOISE)
    constants = [name for name in ranked if name != NOISE]
    head = " | ".join(f"{LABELS.get(o, o)} mu* | sigma" for o in screen.outcomes)
    lines = [
        f"Morris screen of {len(constants)} constants over their ranges, old_world, "
        f"{screen.trajectories} trajectories x {len(screen.seeds)} seeds ({screen.runs:,} runs). "
        "mu*: mean |elementary effect| (change of the outcome, in its unit, per move across "
        "the whole range); sigma: their standard deviation; rel.: the constant's largest mu* "
        f"relative to the outcome's largest; {NOISE}: a dummy that only changes the seeds.",
        "",
        f"| rank | constant | ODD | rel. | {head} |",
        "|---" * (4 + 2 * len(screen.outcomes)) + "|",
    ]
    for name in shown:
        cells = []
        for o in screen.outcomes:
            cells += [fmt(screen.mu_star[o][name]), fmt(screen.sigma[o][name])]
        label = f"**{NOISE}**" if name == NOISE else f"`{name}`"
        section = CONSTANTS[name].section if name in CONSTANTS else "-"
        rank = ranked.index(name) + 1
        lines.append(
            f"| {rank} | {label} | {section} | {score[name]:.2f} | " + " | ".join(cells) + " |"
        )
    hidden = [name for name in constants if name not in shown]
    if hidden:
        lines.append(f"\n{len(hidden)} more constants, each with rel. <= {score[hidden[0]]:.2f}.")
    if NOISE in score:
        below = [
            name
            for name in constants
            if all(screen.mu_star[o][name] <= screen.mu_star[o][NOISE] for o in screen.outcomes)
        ]
        inert = [name for name in below if score[name] == 0]
        lines.append(
            f"\n{len(below)} of {len(constants)} constants have mu* at or below the seed noise "
            f"on every outcome ({len(inert)} of them no effect at all: not used in old_world)."
        )
    missing = {o: n for o, n in screen.missing.items() if n}
    if missing:
        lines.append(f"\nSample points without a number (filled with the mean): {missing}.")
    return "\n".join(lines)


# ----------------------------------------------------------------- conclusions across constants
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
        only: patterns to check (empty: all of P1-P8, T1-T3 and S1).
        steps: weeks per run (P5 reads weeks 105-156, so it needs at least 156).

    Returns:
        The signs and verdicts.
    """
    seeds = list(seeds)
    chosen = list(only) or list(PATTERNS)
    tradeoff_arms = {"cio", *(_baseline(p) for p in PRACTICES), *(f"+{p}" for p in PRACTICES)}
    needed = sorted(tradeoff_arms | {arm for pid in chosen for arm in PATTERNS[pid][0]})
    arms = _arms()
    # One set of runs serves both: the checks are those of patterns.patterns(seeds, workers,
    # only, constants), evaluated on runs shared with the signs (the tests hold them equal).
    runs = run_arms({n: arms[n] for n in needed}, seeds, workers, steps, constants)
    signs = {}
    for practice in PRACTICES:
        on, off = runs[f"+{practice}"], runs[_baseline(practice)]
        signs[practice] = {
            o: _sign(paired_diff(column(on, o), column(off, o))) for o in SIGN_OUTCOMES
        }
    col = {name: (lambda o, r=r: column(r, o)) for name, r in runs.items()}
    found = [check for pid in chosen for check in PATTERNS[pid][1](runs, col)]
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


# ------------------------------------------------------------------------------- command


def robustness_command(args) -> int:
    """``cxo-sim robustness``: conclusions across constant sets, or ``--screen``: Morris."""
    for flag, value, least in (
        ("--seeds", args.seeds, 2 if not args.screen else 1),
        ("--workers", args.workers, 1),
        ("--trajectories", args.trajectories, 2),
        ("--top", args.top, 1),
    ):
        if value is not None and value < least:
            raise UserError(f"{flag} must be at least {least}, got {value}")
    if args.sets is not None and args.sets < 1:
        raise UserError(f"--sets must be at least 1, got {args.sets}")
    if args.screen and args.sets is not None:
        raise UserError("--sets applies to the conclusions; --screen draws its own points")
    if not args.screen and (args.trajectories is not None or args.top is not None):
        raise UserError("--trajectories and --top apply to --screen only")
    workers = args.workers or os.cpu_count() or 1
    start = time.monotonic()
    if args.screen:
        n_seeds = args.seeds or SCREEN_SEEDS
        screen = screen_constants(
            trajectories=args.trajectories or TRAJECTORIES,
            workers=workers,
            seeds=range(FIRST_SEED, FIRST_SEED + n_seeds),
            progress=stderr,
        )
        print(format_screen(screen, top=args.top))
    else:
        n_seeds = args.seeds or SEEDS
        result = conclusions_across_constants(
            n_sets=args.sets or SETS,
            seeds=range(FIRST_SEED, FIRST_SEED + n_seeds),
            workers=workers,
            progress=stderr,
        )
        print(format_conclusions(result))
    stderr(f"robustness: {time.monotonic() - start:.0f} s")
    return 0
