"""A Morris screen of the behavioural constants over their ranges (``cxo-sim robustness --screen``).

Every behavioural constant (``cxo_sim.constants``) has a plausible range. :func:`screen_constants`
runs a Morris screen (SALib) over every constant's [low, high] on the ``old_world`` preset. Each
sample point is run on a few fixed seeds and their outcomes averaged; the result is mu* (mean
absolute elementary effect: the outcome's change, in its unit, when the constant moves by two
thirds of its range, divided by 2/3, so per whole range) and sigma (their spread: interactions,
non-linearity and seed noise) per constant and outcome. A dummy factor that only changes the
seeds gives the noise floor. Morris needs (k + 1) points per trajectory for k factors, so the
default (10 trajectories, 4 seeds) over k ranged constants and the dummy is (k + 2) x 40 runs,
some six thousand today.
The calibration's screening (:mod:`cxo_sim.calibration.screening`) uses it too. Covered by
``tests/validation/test_robustness.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from cxo_sim.analysis.numbers import fmt
from cxo_sim.constants import CONSTANTS
from cxo_sim.experiments.engine import run_deadline
from cxo_sim.experiments.pool import WorkerPool
from cxo_sim.experiments.single_run import Run, Weekly, run_model
from cxo_sim.presets import preset
from cxo_sim.stops import StopSignals
from cxo_sim.validation.arms import STEPS, Progress, pool_map
from cxo_sim.validation.robustness import FIRST_SEED, LABELS, _names

# Outcomes of the Morris screen (breach_risk: expected breaches, a diagnostic).
SCREEN_OUTCOMES = ("campaign_velocity", "breach_risk", "total_cost", "shadow_spend_share")
MORRIS_LEVELS = 4
# A dummy factor of the screen: it changes nothing in the model but the seeds (each of its levels
# runs the point on another set of seeds), so its mu* is the noise floor, the elementary effect
# that seed noise alone makes after the averaging over seeds.
NOISE = "(seed noise)"
NOISE_SEED_STEP = 1000
TRAJECTORIES = 10
SCREEN_SEEDS = 4
RESAMPLES = 1000


def _problem(names: Sequence[str] | None = None) -> dict[str, Any]:
    names = list(names) if names is not None else _names()
    return {
        "num_vars": len(names) + 1,
        "names": [*names, NOISE],
        "bounds": [[CONSTANTS[n].low, CONSTANTS[n].high] for n in names] + [[0.0, 1.0]],
    }


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
    results = pool_map(
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
