"""Calibration end to end: recovery of known constants, resume after SIGKILL, the outputs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxo_sim.calibration.abc import KERNEL_FLOOR, RangeDistance, calibrate, ridged_transition
from cxo_sim.calibration.card import write_card
from cxo_sim.calibration.predictive import (
    effective_sample_size,
    low_effective_sample,
    posterior_table,
    predictive_table,
)
from cxo_sim.calibration.spec import Target, load_calibration
from cxo_sim.constants import CONSTANTS
from cxo_sim.experiments.single_run import Weekly, run_model
from cxo_sim.presets import preset
from cxo_sim.validation.targets import run_statistics

# The truth of the recovery test, inside both constants' ranges but off their defaults.
TRUTH = {"BASE_HAZARD": 0.0013, "SHADOW_PRICE": 0.3}


def test_the_distance_is_zero_inside_every_range_and_counts_half_widths_outside():
    distance = RangeDistance([Target("a", "a", 0.0, 2.0, ""), Target("b", "b", 10.0, 20.0, "")])
    assert distance({"a": 1.5, "b": 10.0}) == 0.0
    assert distance({"a": 3.0, "b": 15.0}) == pytest.approx(1.0)  # one half-width above
    assert distance({"a": 3.0, "b": 30.0}) == pytest.approx(np.sqrt(1 + 4))
    assert distance({"a": float("nan"), "b": 5.0}) == pytest.approx(1.0)  # undefined: ignored


def _synthetic_targets() -> str:
    """Targets around what the model does under TRUTH (six seeds, +-2 s.d. and at least 10%).

    Model v3's shadow IT varies more from seed to seed than model v2's (a seed's shadow share
    runs from 0.2 to 0.38 under TRUTH), and with it the breach exposure: three seeds and +-3 s.d.
    gave a breach range wide enough to admit every hazard of the prior. The spend target is the
    business-led share (ODD 9.2), which the card price moves through the licences marketing
    buys around IT.
    """
    runs = [
        run_statistics(
            run_model(preset("old_world"), steps=156, seed=s, constants=TRUTH, record=Weekly()),
            years=(2, 3),
        )
        for s in range(91, 97)
    ]
    lines = []
    for key in ("breached", "business_led_share"):
        values = np.array([r[key] for r in runs])
        half = max(2 * values.std(), 0.1 * values.mean())
        lines.append(f"{key} = {{ low = {values.mean() - half}, high = {values.mean() + half} }}")
    return "\n".join(lines)


def test_recovery_of_known_constants(tmp_path):
    path = tmp_path / "synthetic.toml"
    path.write_text(
        textwrap.dedent(
            """
            name = "synthetic"
            seed = 5
            years = 3
            population = 30
            generations = 3
            predictive = 10
            [constants]
            calibrate = ["BASE_HAZARD", "SHADOW_PRICE"]
            [targets]
            """
        )
        + _synthetic_targets()
        + "\n",
        encoding="utf-8",
    )
    calibration = load_calibration(path)
    result = calibrate(calibration, root=tmp_path, workers=2)
    rows = {r["constant"]: r for r in posterior_table(result.posterior, result.names)}
    for name, truth in TRUTH.items():
        row = rows[name]
        print(f"{name}: truth {truth}, 90% CI [{row['ci90_low']:.4g}, {row['ci90_high']:.4g}]")
        assert row["ci90_low"] <= truth <= row["ci90_high"], row
    # The breach chance identifies the hazard: its interval is clearly narrower than the prior's
    # (about 0.6 of it with this seed: the first generation is exact rejection from the prior).
    # The card price barely moves model v3's business-led share against its seed-to-seed spread, so
    # SHADOW_PRICE is only checked to cover its truth, and its narrowing to be measured.
    assert rows["BASE_HAZARD"]["narrowing"] < 0.75
    assert 0.5 < rows["SHADOW_PRICE"]["narrowing"] < 1.25
    # The outputs are all there, and the card is self-contained.
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["constants"] == ["BASE_HAZARD", "SHADOW_PRICE"]
    assert manifest["versions"]["pyabc"] and manifest["seed"] == 5
    assert manifest["priors"]["BASE_HAZARD"]["low"] == CONSTANTS["BASE_HAZARD"].low
    assert [g["t"] for g in manifest["generations"] if g["t"] >= 0][0] == 0
    # Most prior draws meet these wide ranges, so the first generation is rejection from the
    # prior at epsilon 0 (ZERO_START): one generation, equal weights.
    first = [g for g in manifest["generations"] if g["t"] >= 0]
    assert len(first) == 1 and first[0]["epsilon"] == 0.0
    assert effective_sample_size(result.posterior) == pytest.approx(30)
    card = write_card(result, calibration).read_text(encoding="utf-8")
    assert card.count("data:image/png;base64,") >= 3
    assert "http://" not in card and "https://" not in card
    table = predictive_table(result.predictive, calibration.targets)
    assert [r["target"] for r in table] == ["breached", "business_led_share"]


RESUMABLE = """
name = "resumable"
seed = 11
years = 2
population = 10
generations = 3
predictive = 10
[constants]
calibrate = ["BASE_HAZARD"]
[targets]
breached = { low = 0.17, high = 0.1705 }
"""
# The range is narrow enough that few prior draws meet it (fewer than ZERO_START), so the
# calibration goes through several SMC generations, and one can be interrupted between them.


def _stored_generation(history: Path) -> int:
    try:
        with sqlite3.connect(f"file:{history}?mode=ro", uri=True, timeout=0.1) as db:
            value = db.execute("select max(t) from populations").fetchone()[0]
    except sqlite3.Error:
        return -2
    return -2 if value is None else int(value)


def _command(path: Path, root: Path) -> list[str]:
    return [sys.executable, "-m", "cxo_sim.cli", "calibrate", str(path), "--workers", "2",
            "--out", str(root)]  # fmt: skip


def test_resume_after_sigkill_gives_the_uninterrupted_posterior(tmp_path):
    path = tmp_path / "resumable.toml"
    path.write_text(RESUMABLE, encoding="utf-8")
    whole = calibrate(load_calibration(path), root=tmp_path / "whole", workers=2)
    assert len([g for g in whole.manifest["generations"] if g["t"] >= 0]) >= 3

    root = tmp_path / "killed"
    history = root / "resumable" / "history.db"
    process = subprocess.Popen(_command(path, root), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while _stored_generation(history) < 1 and process.poll() is None:
        assert time.monotonic() < deadline, "generation 1 was never stored"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert _stored_generation(history) == 1

    again = subprocess.run(_command(path, root), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "resuming after generation 1" in again.stderr
    resumed = (root / "resumable" / "posterior.csv").read_bytes()
    assert resumed == (whole.folder / "posterior.csv").read_bytes()
    assert (root / "resumable" / "card.html").is_file()


def test_a_posterior_resting_on_few_particles_is_flagged():
    even = pd.DataFrame({"BASE_HAZARD": np.linspace(0.0004, 0.0019, 50), "weight": 1.0})
    assert effective_sample_size(even) == pytest.approx(50)
    assert low_effective_sample(even) == ""
    uneven = even.assign(weight=[100.0] + [0.01] * 49)
    assert effective_sample_size(uneven) < 2
    assert "effective sample size is 1 of 50" in low_effective_sample(uneven)


def test_the_kernel_keeps_a_positive_density_when_weight_sits_on_few_particles():
    """Weight on 2 of 3 particles in 3 constants: a singular covariance, yet every draw counts."""
    names = ["BASE_HAZARD", "CAUGHT_COST", "SHADOW_PRICE"]
    rng = np.random.default_rng(5)
    lows = np.array([CONSTANTS[n].low for n in names])
    spans = np.array([CONSTANTS[n].high - CONSTANTS[n].low for n in names])
    X = pd.DataFrame(lows + spans * rng.random((3, 3)), columns=names)
    w = np.array([0.5, 0.5, 0.0])
    kernel = ridged_transition(names)
    kernel.fit(X[names[::-1]], w)  # columns in another order than the names
    floor = (KERNEL_FLOOR * spans[::-1]) ** 2
    assert np.all(np.diag(kernel.cov) >= floor)
    # The density is the mixture of normals the covariance says, in the constants' own units.
    from scipy import stats

    many = pd.DataFrame(lows + spans * rng.random((40, 3)), columns=names)
    regular = ridged_transition(names)
    regular.fit(many, np.full(40, 1 / 40))
    point = many.iloc[0] + spans * 0.01
    expected = np.mean(
        [stats.multivariate_normal(row, regular.cov).pdf(point) for row in many.to_numpy()]
    )
    assert regular.pdf(point) == pytest.approx(expected, rel=1e-6)
    np.random.seed(0)
    draws = kernel.rvs(size=200)
    density = kernel.pdf(draws)
    assert np.all(np.isfinite(density)) and np.all(density > 0)
