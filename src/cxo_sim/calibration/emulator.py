"""History matching in waves: Gaussian-process emulators rule out implausible constants.

A calibration file with a ``[history_matching]`` table (``waves``, ``runs`` a wave, ``cutoff``)
runs this between the screen and ABC-SMC (``abc.py``):

1. wave 1 runs the model at ``runs`` points of a Latin hypercube over the calibrated
   constants' prior box (one run each, five years as ABC's particles, seeds from the
   calibration's seed); each later wave runs at ``runs`` points drawn uniformly from what the
   earlier waves left non-implausible;
2. after each wave, one Gaussian process per target statistic (scikit-learn: a constant times
   an anisotropic RBF kernel plus white noise for the seed noise, inputs scaled to the unit
   box) is fitted on every run so far inside the current non-implausible region;
3. a point's *implausibility* for a target is its distance outside the target's range in
   emulator standard deviations, ``max(0, |m(x) - c| - h) / sd(x)`` (``m``, ``sd`` the
   emulator's mean and standard deviation, seed noise included; ``c``, ``h`` the range's
   centre and half-width: inside the range nothing is implausible, as with ABC's distance);
   a point is ruled out when its largest implausibility over the targets exceeds ``cutoff``
   (default 3, Pukelsheim's three-sigma rule) under any wave's emulators.

The non-implausible fraction of the prior box after each wave is estimated on
:data:`CANDIDATES` uniform points. ABC-SMC then samples inside what remains: its prior is the
uniform prior restricted to the non-implausible region (:class:`NonImplausiblePrior`), so a
candidate the emulators rule out is never run. Since a cutoff of 3 rules out only points far
outside a range for the emulator's uncertainty, the posterior is the same; the runs it saves
are those ABC would have spent there. When no point is left, no region reproduces every target
at once: the calibration stops with a misspecification message naming the targets that
cannot be met together.

The last wave's emulators also give a posterior of their own, without ABC
(:func:`emulator_posterior`): the second estimator ``benchmarks/estimators.py`` compares with
ABC on the same targets.

The runs are stored in ``waves.csv`` (wave, constants, seed, statistics) and the waves'
summary in ``waves.json``; the emulators are refitted from them (deterministically), so an
interrupted calibration resumes at its last complete wave and no fitted object is stored.

Covered by ``tests/calibration/test_emulator.py``.
"""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from scipy.stats import qmc
from threadpoolctl import ThreadpoolController

from cxo_sim.calibration.predictive import _Draw, _run_draw
from cxo_sim.calibration.spec import Target
from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError
from cxo_sim.experiments.engine import ordered_map, run_deadline
from cxo_sim.experiments.safe_files import write_json_atomically, write_output

WAVES_TABLE = "waves.csv"
WAVES_SUMMARY = "waves.json"
CUTOFF = 3.0
# Uniform points of the prior box on which each wave's non-implausible fraction is estimated
# and from which the next wave's design is drawn.
CANDIDATES = 20_000
# Candidates a restricted prior draws at once before keeping the first non-implausible one
# (with a tenth of the box left, 64 draws miss it once in a thousand batches).
PRIOR_BATCH = 64
# The waves' stream of the calibration's seed.
WAVES_STREAM = 0x4D


_controller: ThreadpoolController | None = None


def _one_thread():
    """A context with one BLAS thread (the libraries are looked up once a process: slow)."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


@dataclass
class Emulator:
    """One Gaussian process per target statistic, inputs in the unit box.

    Attributes:
        targets: the targets emulated.
        processes: the fitted processes by statistic (None when too few runs had a value).
    """

    targets: list[Target]
    processes: dict

    def implausibility(self, unit: np.ndarray) -> np.ndarray:
        """Implausibility of each point for each target, shape (points, targets).

        A point whose emulated mean lies inside a range is 0 for that target whatever its
        standard deviation, so the standard deviation (the costly part) is worked out only for
        the points outside.
        """
        result = np.zeros((len(unit), len(self.targets)))
        for j, t in enumerate(self.targets):
            process = self.processes.get(t.key)
            if process is None:
                continue
            with _one_thread():
                mean = process.predict(unit)
                excess = np.maximum(0.0, np.abs(mean - t.centre) - t.half_width)
                outside = excess > 0
                if outside.any():
                    _, sd = process.predict(unit[outside], return_std=True)
                    result[outside, j] = excess[outside] / np.maximum(sd, 1e-12)
        return result


def fit_emulator(unit: np.ndarray, statistics: pd.DataFrame, targets: list[Target], seed: int):
    """An :class:`Emulator` fitted on runs at ``unit`` (the unit box) and their statistics."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    d = unit.shape[1]
    processes = {}
    for t in targets:
        y = statistics[t.key].to_numpy(dtype=float)
        keep = np.isfinite(y)
        if keep.sum() < 2 * d + 2:
            processes[t.key] = None
            continue
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(
            np.full(d, 0.5), (0.02, 100.0)
        ) + WhiteKernel(0.1, (1e-6, 10.0))
        process = GaussianProcessRegressor(kernel, normalize_y=True, random_state=seed)
        # One BLAS thread: the matrices are small, and threads that wait for a busy core made
        # a fit ten times slower on a shared machine.
        with warnings.catch_warnings(), _one_thread():
            warnings.simplefilter("ignore", ConvergenceWarning)
            process.fit(unit[keep], y[keep])
        processes[t.key] = process
    return Emulator(targets, processes)


@dataclass
class Matching:
    """The waves' emulators and the cutoff: which points of the unit box remain.

    Attributes:
        names: the calibrated constants, in the unit box's order.
        emulators: one per wave.
        cutoff: the largest implausibility a remaining point may have.
    """

    names: list[str]
    emulators: list[Emulator]
    cutoff: float = CUTOFF

    def plausible(self, unit: np.ndarray) -> np.ndarray:
        """Whether each point survives every wave."""
        keep = np.ones(len(unit), dtype=bool)
        for emulator in self.emulators:
            if keep.any():
                keep[keep] = emulator.implausibility(unit[keep]).max(axis=1) <= self.cutoff
        return keep

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        """Constants' values (columns in ``names`` order) in the unit box."""
        lows, spans = _box(self.names)
        return (values - lows) / spans


def _box(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    lows = np.array([CONSTANTS[n].low for n in names])
    return lows, np.array([CONSTANTS[n].high for n in names]) - lows


class NonImplausiblePrior(pyabc.Distribution):
    """The uniform prior over the constants' ranges, restricted to the non-implausible region.

    ``rvs`` draws uniform points in batches (from NumPy's global generator, which the sampler
    seeds for each candidate) and keeps the first the waves leave; ``pdf`` is the uniform
    density there and 0 where they rule a point out (normalising it would change no weight).
    """

    def __init__(self, matching: Matching):
        lows, spans = _box(matching.names)
        super().__init__(
            **{
                n: pyabc.RV("uniform", low, span)
                for n, low, span in zip(matching.names, lows, spans, strict=True)
            }
        )
        self.matching = matching

    def rvs(self, *args, **kwargs) -> pyabc.Parameter:  # noqa: ARG002
        """A uniform draw the waves leave non-implausible."""
        lows, spans = _box(self.matching.names)
        while True:
            unit = np.random.random((PRIOR_BATCH, len(lows)))
            keep = self.matching.plausible(unit)
            if keep.any():
                values = lows + spans * unit[int(np.argmax(keep))]
                return pyabc.Parameter(
                    dict(zip(self.matching.names, map(float, values), strict=True))
                )

    def pdf(self, x) -> float:
        """The uniform density inside the non-implausible region, 0 outside."""
        density = super().pdf(x)
        if density == 0:
            return 0.0
        values = np.array([[float(x[n]) for n in self.matching.names]])
        return density if bool(self.matching.plausible(self.matching.to_unit(values))[0]) else 0.0


def history_match(
    calibration,
    folder: Path,
    names: list[str],
    pool,
    stop=None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Matching, dict]:
    """Run (or resume) the waves; the matching and the waves' summary (see module docstring)."""
    settings = calibration.matching
    waves, runs, cutoff = settings["waves"], settings["runs"], settings["cutoff"]
    lows, spans = _box(names)
    seed = calibration.seed
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(WAVES_STREAM,)))
    candidates = rng.random((CANDIDATES, len(names)))
    stored = _stored_runs(folder, names)
    matching = Matching(names, [], cutoff)
    summary = []
    table = stored
    for wave in range(1, waves + 1):
        done = table[table["wave"] == wave] if len(table) else table
        if len(done) < runs:
            design = _design(wave, runs, names, seed, candidates, matching)
            if design is None:
                raise UserError(_nothing_left(calibration.path, matching, candidates, wave - 1))
            table = pd.concat(
                [table[table["wave"] != wave] if len(table) else None,
                 _run_wave(calibration, wave, design, lows, spans, names, pool, stop)],
                ignore_index=True,
            )  # fmt: skip
            _write_table(folder, table)
        # The runs of this wave and the earlier ones only: a resumed calibration's table already
        # holds the later waves' runs, which the uninterrupted one had not made yet.
        so_far = table[table["wave"] <= wave].reset_index(drop=True)
        unit = (so_far[names].to_numpy(dtype=float) - lows) / spans
        inside = matching.plausible(unit)
        emulator = fit_emulator(unit[inside], so_far[inside], calibration.targets, seed + wave)
        matching.emulators.append(emulator)
        remaining = matching.plausible(candidates)
        summary.append(
            {
                "wave": wave,
                "runs": int((table["wave"] == wave).sum()),
                "fitted_on": int(inside.sum()),
                "non_implausible": float(remaining.mean()),
            }
        )
        if progress:
            progress(
                f"calibrate: history matching wave {wave}/{waves}: {summary[-1]['runs']} runs, "
                f"non-implausible {remaining.mean():.1%} of the prior box"
            )
        if not remaining.any():
            raise UserError(_nothing_left(calibration.path, matching, candidates, wave))
    report = {"cutoff": cutoff, "candidates": CANDIDATES, "waves": summary}
    write_json_atomically(folder / WAVES_SUMMARY, report, root=folder.parent)
    return matching, report


def _stored_runs(folder: Path, names: list[str]) -> pd.DataFrame:
    path = folder / WAVES_TABLE
    if not path.is_file():
        return pd.DataFrame()
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise UserError(
            f"{path}: cannot read the stored waves ({exc}); rerun with --fresh"
        ) from None
    if not {"wave", "seed", *names} <= set(table.columns):
        raise UserError(f"{path}: holds other constants' waves; rerun with --fresh")
    return table


def _write_table(folder: Path, table: pd.DataFrame) -> None:
    write_output(
        folder / WAVES_TABLE, lambda temp: table.to_csv(temp, index=False), root=folder.parent
    )


def _design(wave, runs, names, seed, candidates, matching) -> np.ndarray | None:
    """The wave's points in the unit box: a Latin hypercube first, then what remains."""
    if wave == 1:
        return qmc.LatinHypercube(d=len(names), seed=seed).random(runs)
    remaining = candidates[matching.plausible(candidates)]
    if len(remaining) == 0:
        return None
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(WAVES_STREAM, wave)))
    return remaining[rng.choice(len(remaining), size=runs, replace=len(remaining) < runs)]


def _run_wave(calibration, wave, design, lows, spans, names, pool, stop) -> pd.DataFrame:
    sequence = np.random.SeedSequence(calibration.seed, spawn_key=(WAVES_STREAM, wave, 0))
    seeds = sequence.generate_state(len(design)) % 2**31
    values = lows + spans * design
    jobs = [
        _Draw(i, calibration.params, calibration.pooled_years, int(s),
              dict(zip(names, map(float, row), strict=True)))
        for i, (s, row) in enumerate(zip(seeds, values, strict=True))
    ]  # fmt: skip
    statistics = list(ordered_map(pool, _run_draw, jobs, stop, run_deadline(calibration.steps)))
    frame = pd.DataFrame(values, columns=names)
    frame.insert(0, "seed", seeds.astype(np.int64))
    frame.insert(0, "wave", wave)
    return pd.concat([frame, pd.DataFrame(statistics)], axis=1)


def _nothing_left(path, matching: Matching, candidates: np.ndarray, waves: int) -> str:
    """The misspecification message: which targets no region meets, alone or together."""
    keep = np.ones((len(candidates), len(matching.emulators[-1].targets)), dtype=bool)
    for emulator in matching.emulators:
        keep &= emulator.implausibility(candidates) <= matching.cutoff
    alone = {t.key: keep[:, j] for j, t in enumerate(matching.emulators[-1].targets)}
    never = [k for k, v in alone.items() if not v.any()]
    apart = [f"{a} with {b}" for a, b in itertools.combinations(alone, 2)
             if alone[a].any() and alone[b].any() and not (alone[a] & alone[b]).any()]  # fmt: skip
    what = (
        f"no constants meet {', '.join(never)}"
        if never
        else f"no constants meet {'; '.join(apart)} together"
        if apart
        else "no constants meet every target together"
    )
    return (
        f"{path}: misspecified: after {waves} history-matching waves {what} (implausibility "
        f"above {matching.cutoff:g} everywhere); widen the ranges or revisit the model"
    )


def emulator_posterior(
    matching: Matching, targets: list[Target], seed: int, points: int = CANDIDATES
) -> pd.DataFrame:
    """A posterior from the last wave's emulators alone, without ABC: a second estimator.

    ``points`` uniform draws of the prior box are kept where the waves leave them
    non-implausible, and weighted by the emulated chance that each statistic falls in its
    range, ``Phi((high - m) / sd) - Phi((low - m) / sd)`` multiplied over the targets (``m``
    and ``sd`` the emulator's mean and standard deviation, seed noise included). That is ABC's
    likelihood at epsilon 0 (a run is kept when every statistic is in its range) if each
    statistic is normal around the emulator's mean, the targets independent given the
    constants; it costs no run beyond the waves'. Where a statistic can be undefined (a cost
    per breach without a breach) ABC counts such runs as meeting it and the emulator does not:
    a difference between the two estimators, not an error of either.

    Returns:
        One row per kept point: the constants and ``weight``.
    """
    from scipy.stats import norm

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(WAVES_STREAM, 0xE)))
    unit = rng.random((points, len(matching.names)))
    unit = unit[matching.plausible(unit)]
    emulator = matching.emulators[-1]
    log_weight = np.zeros(len(unit))
    for t in targets:
        process = emulator.processes.get(t.key)
        if process is None or not len(unit):
            continue
        with _one_thread():
            mean, sd = process.predict(unit, return_std=True)
        sd = np.maximum(sd, 1e-12)
        chance = norm.cdf((t.high - mean) / sd) - norm.cdf((t.low - mean) / sd)
        log_weight += np.log(np.maximum(chance, 1e-300))
    lows, spans = _box(matching.names)
    frame = pd.DataFrame(lows + spans * unit, columns=matching.names)
    frame["weight"] = np.exp(log_weight - (log_weight.max() if len(unit) else 0.0))
    return frame


def format_waves(report: dict) -> str:
    """The waves' summary as one line."""
    parts = [
        f"wave {w['wave']}: {w['runs']} runs, {w['non_implausible']:.1%} left"
        for w in report["waves"]
    ]
    return "history matching: " + "; ".join(parts)


def waves_runs(report: dict | None) -> int:
    """Model runs the waves made."""
    return 0 if not report else int(sum(w["runs"] for w in report["waves"]))


def load_waves(folder: Path) -> dict | None:
    """The stored waves' summary, if the calibration matched history."""
    path = folder / WAVES_SUMMARY
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
