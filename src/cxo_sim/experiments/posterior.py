"""A stored posterior, drawn from by a sweep: what-ifs that carry the constants' uncertainty.

An experiment file's ``[uncertainty] posterior = "calibration/old_world"`` names a calibration
folder (relative to the current directory, like ``results/``). Each replication of the sweep
then draws one particle of the posterior, by weight, with a generator seeded by the
replication's seed: the draw is reproducible, and replication r of every configuration runs
with the same constants (and the same seed), so the paired differences between
configurations stay paired while their spread now includes the uncertainty in the constants.
The drawn constants are stored in the run's row (columns ``const:<NAME>``). Which findings keep
their sign over the posterior is :mod:`cxo_sim.analysis.over_posterior`'s. Covered by
``tests/experiments/test_posterior.py``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError

POSTERIOR = "posterior.csv"
# The draw's stream of the replication's seed, apart from the model's own streams.
DRAW_STREAM = 0xD4A


@dataclass(frozen=True)
class Posterior:
    """A calibration's weighted posterior sample.

    Attributes:
        path: the calibration folder as written in the experiment file.
        names: the constants it holds.
        values: one row per particle, one column per constant.
        weights: the particles' weights (summing to 1).
        digest: SHA-256 of the posterior file (a changed posterior is another experiment).
    """

    path: str
    names: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    digest: str

    def draw(self, seed: int) -> dict[str, float]:
        """One particle's constants, drawn by weight from a generator seeded by ``seed``."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DRAW_STREAM,)))
        row = int(rng.choice(len(self.weights), p=self.weights))
        return dict(zip(self.names, map(float, self.values[row]), strict=True))

    def describe(self) -> dict[str, Any]:
        """What the manifest records of it."""
        return {
            "path": self.path,
            "constants": list(self.names),
            "particles": len(self.weights),
            "sha256": self.digest,
        }


def load_posterior(path: str | Path) -> Posterior:
    """Read a calibration folder's posterior; :class:`UserError` naming what is wrong."""
    folder = Path(path)
    file = folder / POSTERIOR
    if not folder.is_dir():
        raise UserError(
            f"{folder}: no such calibration folder; run cxo-sim calibrate first (the path is "
            "read from the current directory)"
        )
    if not file.is_file():
        raise UserError(f"{folder}: holds no {POSTERIOR}; the calibration has not finished")
    try:
        data = file.read_bytes()
        frame = pd.read_csv(file)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{file}: cannot read the posterior: {exc}") from None
    if "weight" not in frame.columns or len(frame) == 0:
        raise UserError(f"{file}: not a posterior (needs a weight column and particles)")
    names = [c for c in frame.columns if c != "weight"]
    if not names:
        raise UserError(f"{file}: holds no constant")
    for name in names:
        if name not in CONSTANTS:
            raise UserError(f"{file}: column {name!r} is not a behavioural constant")
    try:
        values = frame[names].to_numpy(dtype=float)
        weights = frame["weight"].to_numpy(dtype=float)
    except ValueError:
        raise UserError(f"{file}: values that are not numbers") from None
    if not np.isfinite(values).all() or not np.isfinite(weights).all() or (weights < 0).any():
        raise UserError(f"{file}: values or weights that are not finite, or negative weights")
    total = weights.sum()
    if not total > 0 or not math.isfinite(total):
        raise UserError(f"{file}: the weights sum to {total}")
    for i, name in enumerate(names):
        c = CONSTANTS[name]
        if values[:, i].min() < c.low or values[:, i].max() > c.high:
            raise UserError(f"{file}: {name} leaves its plausible range {c.low:g}-{c.high:g}")
    return Posterior(
        str(path), tuple(names), values, weights / total, hashlib.sha256(data).hexdigest()
    )
