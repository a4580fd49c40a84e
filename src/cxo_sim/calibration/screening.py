"""Which constants the targets can identify: a Morris screen on the target statistics.

Before ABC, ``cxo_sim.validation.screen.screen_constants`` moves every constant over its plausible
range (ODD section 10.2) and measures each target statistic
(:func:`cxo_sim.validation.targets.run_statistics`) on the calibration's preset; a dummy factor that
only changes the seeds gives the noise floor. A constant is *identifiable* when, on at least one
statistic, the lower end of its mu*'s 95% interval lies above the dummy's mu*: it moves that
statistic by more than seed noise does. The others keep their prior (their default value in every
run) and the calibration card lists them as unidentified. The screen is stored in the calibration's
folder and reused while the model, the targets and the screen's settings are unchanged.

Covered by ``tests/calibration/test_abc.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxo_sim.calibration.spec import Calibration
from cxo_sim.constants import CONSTANTS
from cxo_sim.experiments.pool import WorkerPool
from cxo_sim.experiments.safe_files import write_json_atomically
from cxo_sim.stops import StopSignals
from cxo_sim.validation.robustness import FIRST_SEED
from cxo_sim.validation.screen import NOISE, Screen, screen_constants
from cxo_sim.validation.targets import run_statistics

SCREEN_FILE = "screen.json"


def screen_key(calibration: Calibration, fingerprint: str) -> dict[str, Any]:
    """What a stored screen must match to be reused."""
    return {
        "params": calibration.params,
        "steps": calibration.steps,
        "targets": [t.key for t in calibration.targets],
        "trajectories": calibration.trajectories,
        "seeds": calibration.screen_seeds,
        "seed": calibration.seed,
        "model_fingerprint": fingerprint,
    }


def screen_targets(
    calibration: Calibration,
    folder: Path,
    fingerprint: str,
    pool: WorkerPool,
    stop: StopSignals | None = None,
    progress: Callable[[str], None] | None = None,
) -> Screen:
    """The screen of every ranged constant on the targets, from the folder or run now.

    It runs on ``pool``, the calibration's own: local processes or a Dask cluster.
    """
    path = folder / SCREEN_FILE
    key = screen_key(calibration, fingerprint)
    if path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        if stored.get("key") == key:
            if progress:
                progress(f"calibrate: screen reused from {path}")
            return Screen(**stored["screen"])
    names = [name for name, c in CONSTANTS.items() if c.low < c.high]
    seeds = range(FIRST_SEED, FIRST_SEED + calibration.screen_seeds)
    screen = screen_constants(
        outcomes=key["targets"],
        trajectories=calibration.trajectories,
        seed=calibration.seed,
        pool=pool,
        stop=stop,
        seeds=seeds,
        steps=calibration.steps,
        progress=progress,
        names=names,
        params=calibration.params,
        measure=functools.partial(run_statistics, years=calibration.pooled_years),
    )
    screen.outcomes = tuple(screen.outcomes)
    write_json_atomically(path, {"key": key, "screen": dataclasses.asdict(screen)})
    return screen


def identified(screen: Screen) -> list[str]:
    """Constants whose mu* clears the seed-noise floor on some target (see module docstring)."""
    names = [name for name in screen.mu_star[screen.outcomes[0]] if name != NOISE]
    return [
        name
        for name in names
        if any(
            screen.mu_star[o][name] - screen.mu_star_conf[o][name] > screen.mu_star[o][NOISE]
            for o in screen.outcomes
        )
    ]
