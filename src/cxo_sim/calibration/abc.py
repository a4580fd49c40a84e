"""ABC-SMC of the behavioural constants against the calibration targets (pyabc).

:func:`calibrate` runs one calibration file into ``calibration/<name>/``:

1. the screen (``screening.py``) picks the constants the targets can identify, unless the file
   lists them;
2. with a ``[history_matching]`` table, waves of runs and Gaussian-process emulators rule out
   implausible constants (``emulator.py``) and the priors below are restricted to what remains;
3. pyabc's ABC-SMC over those constants, each with a uniform prior over its plausible range
   (ODD section 10.2), the others at their defaults. A particle is one model run of the preset
   over ``years`` years with a seed drawn from the candidate's seeded generator
   (``sampler.py``); its statistics are the targets' figures pooled over years 2 to ``years``.
   The distance (:class:`RangeDistance`) is zero inside every target's range; outside, it is
   the distance to the range's nearest end in units of the range's half-width, summed in
   quadrature over the targets. The epsilon schedule is pyabc's median epsilon, starting at 0 when
   the prior sample often meets every range (:data:`ZERO_START`); the run ends
   when epsilon reaches 0 (every accepted particle inside every range), after ``generations``
   generations, or when fewer than :data:`MIN_ACCEPTANCE` of the candidates are accepted;
4. the posterior predictive check: ``predictive`` constant sets drawn from the posterior by
   weight, one run each, their statistics against the ranges.

The reports built on the stored folder (identifiability, coverage, the card) are written by
``cxo-sim calibrate`` (``cli/calibrate.py``).

pyabc's history (SQLite) is written generation by generation; rerunning the same command after
an interruption resumes at the last complete generation and gives the same posterior.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.calibration.predictive import _predict, simulate_statistics_seeded
from cxo_sim.calibration.sampler import OrderedSampler, Progress
from cxo_sim.calibration.screening import SCREEN_FILE, identified, screen_targets
from cxo_sim.calibration.spec import Calibration, Target
from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError, one_line
from cxo_sim.experiments.backends import open_pool
from cxo_sim.experiments.pool import WorkerPool
from cxo_sim.experiments.provenance import git_revision, model_fingerprint, software_versions
from cxo_sim.experiments.reading import load_manifest
from cxo_sim.experiments.safe_files import write_json_atomically, write_output
from cxo_sim.stops import StopSignals
from cxo_sim.validation.screen import NOISE, Screen

DEFAULT_ROOT = Path("calibration")
HISTORY = "history.db"
POSTERIOR = "posterior.csv"
PREDICTIVE = "predictive.csv"
MANIFEST = "manifest.json"
# pyabc stops when fewer than this share of a generation's candidates are accepted: the
# posterior no longer narrows for the runs it costs.
MIN_ACCEPTANCE = 0.02
# If at least this share of pyabc's prior sample (the runs that set the first epsilon) already
# meets every range, the first generation is drawn from the prior at epsilon 0: plain rejection
# ABC, exact for this distance, with equal weights, at a cost of population / share runs (20 a
# particle at this threshold). Later generations weigh particles by prior over a kernel
# proposal, which in 10-20 dimensions makes the weights very uneven: under the median schedule
# old_world reached epsilon 0 with an effective sample size of 33 of 300, and the example firm
# (docs/ORGANISATION.md) with 1 of 300 after 2,700 runs, where rejection needs about 2,800.
ZERO_START = 0.05
# The transition kernel's floor under each constant's standard deviation, as a share of its
# prior range (see ridged_transition).
KERNEL_FLOOR = 1e-3
# The kernel's covariance is this many times the population's weighted covariance (Beaumont et
# al. 2009, Biometrika 96: twice it). pyabc's default, Silverman's rule for a density estimate,
# gives 0.5-0.64 times it for 7 constants: on the six synthetic truths of a seven-constant,
# 20-particle coverage check that needed SMC generations, the truth fell inside the 90%
# intervals 60% of the time (median effective sample size 5.4) with it and 81% (6.4) with
# twice the covariance, for 32% more runs (benchmarks/calibration.md).
KERNEL_SCALING = 2.0
# Every file a calibration writes (the reports' names are those of identifiability.py,
# coverage.py and emulator.py, which build on this module), and its folders.
OUTPUTS = (HISTORY, POSTERIOR, PREDICTIVE, MANIFEST, SCREEN_FILE, "card.html",
           "identifiability.md", "identifiability.csv", "coverage.md", "coverage.csv",
           "waves.csv", "waves.json", "moved.md")  # fmt: skip
FOLDERS = ("figures", "coverage")


# ---------------------------------------------------------------------- model and distance
def simulate_statistics(
    params: dict[str, Any], years: tuple[int, ...], parameter: dict
) -> dict[str, float]:
    """The model as pyabc sees it: one run with the particle's constants; its statistics.

    The run's seed comes from NumPy's global generator, which the sampler seeds per candidate.
    """
    seed = int(np.random.randint(0, 2**31 - 1))
    constants = {name: float(value) for name, value in parameter.items()}
    return simulate_statistics_seeded(params, years, seed, constants)


class RangeDistance:
    """Distance of a run's statistics from the targets' ranges (0 inside every range).

    Each statistic's excess is how far it lies outside its range, in units of the range's
    half-width (0 inside); the distance is the root of the summed squared excesses. A statistic
    that is undefined in a run (the cost of a breach in a run without one) adds nothing.
    Inside a range every value is as good as any other: a published range says where the
    figure lies, not that its centre is more likely, and a distance to the centre would pull
    the posterior towards centres no source reports.
    """

    def __init__(self, targets: list[Target]):
        self.targets = [(t.key, t.low, t.high) for t in targets]

    def __call__(self, x: dict, x_0: dict | None = None) -> float:  # noqa: ARG002
        """The distance of statistics ``x`` (pyabc passes the observed ``x_0``, unused)."""
        total = 0.0
        for key, low, high in self.targets:
            value = x[key]
            if value is None or math.isnan(value):
                continue
            half = (high - low) / 2
            excess = max(0.0, abs(value - (low + high) / 2) / half - 1.0)
            total += excess * excess
        return math.sqrt(total)


# ---------------------------------------------------------------------- the calibration
@dataclass
class Result:
    """A finished calibration.

    Attributes:
        folder: where it is stored.
        names: the constants calibrated.
        posterior: one row per particle of the last generation: constants and ``weight``.
        predictive: one row per posterior draw: its statistics.
        manifest: the manifest written.
    """

    folder: Path
    names: list[str]
    posterior: pd.DataFrame
    predictive: pd.DataFrame
    manifest: dict[str, Any]


def calibrate(
    calibration: Calibration,
    *,
    root: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    fresh: bool = False,
    progress: Progress | None = None,
    redo: str = "rerun with --fresh",
    pool: WorkerPool | None = None,
) -> Result:
    """Screen, run ABC-SMC, check the posterior; store it all in ``<root>/<name>/``.

    Args:
        calibration: a validated calibration file.
        root: calibrations' root folder (default ``./calibration``).
        workers: local processes (default: every core).
        scheduler: address of a Dask scheduler for the runs (the screen's and ABC's).
        fresh: discard an earlier calibration of this name instead of resuming it.
        progress: called with a line of progress now and then.
        redo: how the user discards an earlier calibration, for the messages that say so
            (``sweep --organisation`` calibrates, but only ``calibrate`` has ``--fresh``).
        pool: an open pool to run on (the coverage check's calibrations share one); None:
            open one from ``workers`` and ``scheduler``.

    Raises:
        UserError: the folder holds another calibration (and ``fresh`` is not set), or the
            pool or cluster cannot be used.
    """
    folder = Path(DEFAULT_ROOT if root is None else root) / calibration.name
    fingerprint = model_fingerprint()
    earlier = _prepare_folder(folder, calibration, fingerprint, fresh, redo)
    if earlier.get("finished") and (folder / POSTERIOR).is_file():
        if progress:
            progress(f"calibrate: {folder} is complete; nothing to do ({redo} to redo it)")
        return stored_result(folder)
    started = time.monotonic()
    opened = contextlib.nullcontext(pool) if pool is not None else open_pool(workers, scheduler)
    with StopSignals() as stop, opened as pool:
        if calibration.constants is not None:
            names, screen = list(calibration.constants), None
        else:
            screen = screen_targets(calibration, folder, fingerprint, pool, stop, progress)
            names = identified(screen)
            if not names:
                raise UserError(
                    f"{calibration.path}: no constant moves the targets by more than seed noise "
                    "in the screen; list the constants under [constants] calibrate, or screen "
                    "with more trajectories"
                )
        if progress:
            progress(f"calibrate: {len(names)} constants to calibrate: {', '.join(names)}")
        matching, waves = None, None
        if calibration.matching is not None:
            from cxo_sim.calibration.emulator import history_match

            matching, waves = history_match(calibration, folder, names, pool, stop, progress)
        history = _run_abc(calibration, folder, names, pool, stop, progress, matching)
        if history.max_t < 0:
            raise UserError(
                f"{folder}: ABC stopped before its first generation: fewer than "
                f"{MIN_ACCEPTANCE:.0%} of the candidates met the first epsilon; widen the "
                "targets' ranges or raise the population"
            )
        posterior = posterior_frame(history, names)
        predictive = _predict(calibration, posterior, pool, stop)
        where = pool.description
    # Through the calibrations' root: a link in the calibration folder's place is not followed.
    write_output(
        folder / POSTERIOR, lambda temp: posterior.to_csv(temp, index=False), root=folder.parent
    )
    write_output(
        folder / PREDICTIVE, lambda temp: predictive.to_csv(temp, index=False), root=folder.parent
    )
    seconds = earlier.get("wall_seconds", 0.0) + time.monotonic() - started
    manifest = _manifest(calibration, names, screen, history, fingerprint, seconds, where, waves)
    write_json_atomically(folder / MANIFEST, manifest, root=folder.parent)
    return Result(folder, names, posterior, predictive, manifest)


def stored_result(folder: Path) -> Result:
    """A finished calibration as stored in its folder."""
    manifest = load_manifest(folder)
    try:
        posterior = pd.read_csv(folder / POSTERIOR)
        predictive = pd.read_csv(folder / PREDICTIVE)
    except (OSError, ValueError) as exc:
        raise UserError(f"{folder}: cannot read the stored calibration: {exc}") from None
    return Result(folder, list(manifest["constants"]), posterior, predictive, manifest)


def _prepare_folder(
    folder: Path, calibration: Calibration, fingerprint: str, fresh: bool, redo: str
) -> dict[str, Any]:
    """Make the folder ready: empty when fresh, else refuse one holding another calibration.

    Returns:
        The earlier manifest when resuming (empty otherwise).
    """
    for path in (folder, folder / HISTORY, folder / MANIFEST):
        if path.is_symlink():  # the history is written by SQLite, which follows links
            raise UserError(
                f"{path}: is a symbolic link; a calibration folder holds its own files, "
                "so move the link away"
            )
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: exists and is not a folder")
    if fresh and folder.is_dir():
        for name in OUTPUTS:
            path = folder / name
            if path.is_file():
                path.unlink()
        for name in FOLDERS:
            if (folder / name).is_dir() and not (folder / name).is_symlink():
                shutil.rmtree(folder / name)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / MANIFEST).is_file():
        if (folder / HISTORY).is_file():
            raise UserError(f"{folder}: holds a history without a manifest; {redo} to start over")
        write_json_atomically(
            folder / MANIFEST, _identity(calibration, fingerprint), root=folder.parent
        )
        return {}
    manifest = load_manifest(folder)
    identity = _identity(calibration, fingerprint)
    for key in ("calibration_hash", "model_fingerprint"):
        if manifest.get(key) != identity[key]:
            what = "calibration file" if key == "calibration_hash" else "model"
            raise UserError(
                f"{folder}: holds a calibration made with another {what}; {redo} to replace it"
            )
    return manifest


def _identity(calibration: Calibration, fingerprint: str) -> dict[str, Any]:
    return {
        "name": calibration.name,
        "calibration_file": str(calibration.path),
        "calibration_text": calibration.text,
        "calibration_hash": calibration.text_hash,
        "model_fingerprint": fingerprint,
    }


def _run_abc(calibration, folder, names, pool, stop, progress, matching=None):
    """Run (or resume) pyabc's ABC-SMC; its history.

    With a history ``matching`` (``emulator.py``), the prior is restricted to what its waves
    left non-implausible.
    """
    import pyabc

    pyabc_logging_quiet()
    if matching is not None:
        from cxo_sim.calibration.emulator import NonImplausiblePrior

        prior = NonImplausiblePrior(matching)
    else:
        prior = pyabc.Distribution(
            **{n: pyabc.RV("uniform", CONSTANTS[n].low, CONSTANTS[n].high - CONSTANTS[n].low)
               for n in names}
        )  # fmt: skip
    model = functools.partial(simulate_statistics, calibration.params, calibration.pooled_years)
    sampler = OrderedSampler(calibration.seed, pool, calibration.steps, stop, progress)
    abc = pyabc.ABCSMC(
        model,
        prior,
        RangeDistance(calibration.targets),
        population_size=calibration.population,
        sampler=sampler,
        eps=_range_epsilon(),
        transitions=ridged_transition(names),
    )
    database = f"sqlite:///{(folder / HISTORY).resolve()}"
    observed = {t.key: t.centre for t in calibration.targets}
    try:
        if (folder / HISTORY).is_file():
            history = abc.load(database, 1, observed_sum_stat=observed)
            if progress:
                progress(f"calibrate: resuming after generation {history.max_t}")
        else:
            history = abc.new(database, observed)
        done = history.max_t + 1
        last = history.get_all_populations()
    except Exception as exc:  # SQLAlchemy's errors for a file that is not a history database
        if isinstance(exc, UserError):
            raise
        cause = getattr(exc, "orig", None) or exc  # the database's own error, without SQL
        raise UserError(
            f"{folder / HISTORY}: cannot read the calibration history ({one_line(cause)[:200]}); "
            "damaged? rerun with --fresh to start over"
        ) from None
    epsilon = float(last["epsilon"].iloc[-1]) if done > 0 else math.inf
    if done < calibration.generations and epsilon > 0 and not _starved(history):
        history = abc.run(
            minimum_epsilon=0.0,
            max_nr_populations=calibration.generations - done,
            min_acceptance_rate=MIN_ACCEPTANCE,
        )
    return history


def ridged_transition(names: list[str]):
    """The multivariate normal kernel of pyabc, on the constants' ranges, with a floor.

    Its covariance is :data:`KERNEL_SCALING` times the population's weighted covariance.

    When a population's weight sits on fewer particles than there are constants, the weighted
    covariance is singular; a new particle drawn from it can then fall a rounding error off its
    support, where scipy's density is exactly 0, its importance weight infinite and the
    population's total weight NaN (pyabc then stops with "total weight nan is not normalized").
    The constants' scales differ by orders of magnitude (``BASE_HAZARD`` about 1e-4, costs
    about 1), so the kernel is worked out with each constant divided by its prior range, where
    a floor of ``KERNEL_FLOOR`` on every standard deviation keeps the density positive
    everywhere; no particle moves by more than a rounding of the constants' plausible ranges.
    """
    import pyabc
    from scipy import stats

    spans = np.array([CONSTANTS[n].high - CONSTANTS[n].low for n in names])

    class RidgedTransition(pyabc.MultivariateNormalTransition):
        def fit(self, X, w):
            super().fit(X, w)
            scale = spans[[names.index(column) for column in X.columns]]
            outer = np.outer(scale, scale)
            scaled = self.cov / outer + np.eye(len(scale)) * KERNEL_FLOOR**2
            self.cov = scaled * outer  # what rvs draws from
            self.normal = stats.multivariate_normal(cov=scaled, allow_singular=True)
            self._scale = scale
            self._scaled_particles = self._X_arr / scale
            self._jacobian = float(np.prod(scale))

        def _pdf_single(self, x):
            near = self.normal.pdf(x / self._scale - self._scaled_particles)
            return float((near * self.w).sum()) / self._jacobian

    return RidgedTransition(scaling=KERNEL_SCALING, bandwidth_selector=_unit_bandwidth)


def _unit_bandwidth(ess: float, dim: int) -> float:  # noqa: ARG001
    """No bandwidth factor: the kernel's covariance is KERNEL_SCALING times the population's."""
    return 1.0


def _range_epsilon():
    """The epsilon schedule: pyabc's median, starting at 0 if the prior often meets every range.

    See :data:`ZERO_START`. The class is made here because pyabc is imported only when a
    calibration runs.
    """
    import pyabc

    class RangeEpsilon(pyabc.MedianEpsilon):
        def initialize(self, t, get_weighted_distances, *args, **kwargs):
            super().initialize(t, get_weighted_distances, *args, **kwargs)
            if t == 0:  # only the first generation (a resume at t > 0 keeps the median)
                distances = get_weighted_distances()["distance"].to_numpy()
                if float(np.mean(distances <= 0.0)) >= ZERO_START:
                    self._look_up[t] = 0.0

    return RangeEpsilon()


def _starved(history) -> bool:
    """Whether the last generation accepted too few candidates to go on."""
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    if populations.empty:
        return False
    last = populations.iloc[-1]
    return last["particles"] / last["samples"] < MIN_ACCEPTANCE


def pyabc_logging_quiet() -> None:
    """Quieten pyabc's INFO lines; the calibration prints its own progress."""
    import logging

    for name in ("ABC", "Sampler", "Epsilon", "Distance", "Acceptor", "History", "Transition"):
        logging.getLogger(name).setLevel(logging.WARNING)


def posterior_frame(history, names: list[str]) -> pd.DataFrame:
    """The last generation's particles: one column per constant and their ``weight``."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    posterior = frame[names].reset_index(drop=True).astype(float)
    posterior["weight"] = np.asarray(weights, dtype=float)
    return posterior


# ---------------------------------------------------------------------- summaries


def _manifest(
    calibration, names, screen: Screen | None, history, fingerprint, seconds, where, waves=None
):
    import pyabc

    populations = history.get_all_populations()
    generations = [
        {
            "t": int(row.t),
            "epsilon": float(row.epsilon),
            "runs": int(row.samples),
            "accepted": int(row.particles),
        }
        for row in populations.itertuples()
    ]
    screened = [] if screen is None else list(screen.mu_star[screen.outcomes[0]])
    unidentified = [n for n in screened if n not in names and n != NOISE]
    return {
        **_identity(calibration, fingerprint),
        "versions": {**software_versions(), "pyabc": pyabc.__version__},
        "python": platform.python_version(),
        "git_revision": git_revision(),
        "seed": calibration.seed,
        "preset": calibration.preset,
        "fixed": calibration.fixed,
        "years": calibration.years,
        "statistics": f"each target's yearly figure pooled over years 2-{calibration.years} "
        "of one run",
        "targets": [
            {"key": t.key, "label": t.label, "low": t.low, "high": t.high, "source": t.source}
            for t in calibration.targets
        ],
        "holdout": [
            {"key": t.key, "label": t.label, "low": t.low, "high": t.high, "source": t.source}
            for t in calibration.holdout
        ],
        "constants": names,
        "priors": {
            n: {"distribution": "uniform", "low": CONSTANTS[n].low, "high": CONSTANTS[n].high}
            for n in names
        },
        "unidentified": unidentified,
        "screen": None
        if screen is None
        else {"trajectories": screen.trajectories, "seeds": screen.seeds, "runs": screen.runs},
        "history_matching": waves,
        "population": calibration.population,
        "generations_max": calibration.generations,
        "generations": generations,
        "epsilons": [g["epsilon"] for g in generations if g["t"] >= 0],
        "runs": {
            "screen": 0 if screen is None else screen.runs,
            "history_matching": 0 if waves is None else sum(w["runs"] for w in waves["waves"]),
            "abc": int(sum(g["runs"] for g in generations)),
            "predictive": calibration.predictive,
        },
        "distance": "range excess in half-widths, root of summed squares (RangeDistance)",
        "executor": where,
        "wall_seconds": round(seconds, 1),
        "finished": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
    }
