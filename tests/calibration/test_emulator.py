"""History matching: the emulators rule out what the simulator rules out, and only that."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, qmc

from cxo_sim.calibration.emulator import (
    WAVES_TABLE,
    Matching,
    NonImplausiblePrior,
    _nothing_left,
    emulator_posterior,
    fit_emulator,
    history_match,
)
from cxo_sim.calibration.spec import Target, load_calibration
from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError
from cxo_sim.experiments.backends import open_pool

NAMES = ["BASE_HAZARD", "TECHNOLOGIST_COST"]
# A toy simulator on the unit box: the statistic rises with the first constant only, with noise.
TARGET = Target("s", "toy statistic", 0.0, 1.0, "")


def _simulate(unit: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({"s": 4 * unit[:, 0] ** 2 + rng.normal(0, 0.05, len(unit))})


@functools.cache
def _matching(targets=(TARGET,), runs: int = 40) -> Matching:
    rng = np.random.default_rng(2)
    design = qmc.LatinHypercube(d=2, seed=2).random(runs)
    statistics = _simulate(design, rng).assign(t=lambda f: f["s"])
    return Matching(NAMES, [fit_emulator(design, statistics, list(targets), seed=1)])


def test_the_emulator_rules_out_the_region_the_simulator_rules_out():
    matching = _matching()
    grid = np.random.default_rng(3).random((2000, 2))
    kept = matching.plausible(grid)
    truth = 4 * grid[:, 0] ** 2  # the simulator's mean: inside [0, 1] for x < 0.5
    assert kept[truth <= 0.9].all()  # nothing the simulator accepts is ruled out
    assert not kept[truth >= 1.5].any()  # far outside the range: ruled out
    assert 0.45 < kept.mean() < 0.65  # about half the box remains
    # The other constant does not matter to the statistic, so it does not matter to the cut.
    assert kept[grid[:, 1] < 0.5].mean() == pytest.approx(kept[grid[:, 1] >= 0.5].mean(), abs=0.05)


def test_the_restricted_prior_draws_only_non_implausible_points_reproducibly():
    prior = NonImplausiblePrior(_matching())
    np.random.seed(4)
    first = [prior.rvs() for _ in range(30)]
    np.random.seed(4)
    again = [prior.rvs() for _ in range(30)]
    assert [dict(p) for p in first] == [dict(p) for p in again]
    low, high = CONSTANTS["BASE_HAZARD"].low, CONSTANTS["BASE_HAZARD"].high
    assert all((p["BASE_HAZARD"] - low) / (high - low) < 0.6 for p in first)
    inside = {"BASE_HAZARD": low + 0.1 * (high - low), "TECHNOLOGIST_COST": 3.0}
    outside = {"BASE_HAZARD": high - 1e-9, "TECHNOLOGIST_COST": 3.0}
    assert prior.pdf(inside) > 0 and prior.pdf(outside) == 0


def test_targets_no_region_meets_together_stop_with_a_misspecification_message():
    low = Target("s", "low", 0.0, 0.3, "")
    high = Target("t", "high", 3.0, 4.0, "")  # the same statistic: never both at once
    matching = _matching((low, high))
    grid = np.random.default_rng(5).random((1000, 2))
    assert not matching.plausible(grid).any()
    message = _nothing_left("f.toml", matching, grid, 1)
    assert "misspecified" in message and "s with t together" in message


def test_a_bad_history_matching_table_is_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n[history_matching]\nwaves = 0\n', encoding="utf-8")
    with pytest.raises(UserError, match="history_matching.waves"):
        load_calibration(path)
    path.write_text('name = "x"\n[history_matching]\ncutof = 3\n', encoding="utf-8")
    with pytest.raises(UserError, match="cutof"):
        load_calibration(path)


HM = """
name = "hm"
seed = 8
years = 2
[constants]
calibrate = ["BASE_HAZARD", "TECHNOLOGIST_COST"]
[history_matching]
waves = 2
runs = 12
[targets]
breached = { low = 0.02, high = 0.12 }
"""


def test_history_matching_resumed_after_a_wave_gives_the_uninterrupted_waves(tmp_path):
    path = tmp_path / "hm.toml"
    path.write_text(HM, encoding="utf-8")
    calibration = load_calibration(path)
    names = calibration.constants
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    whole.mkdir(), resumed.mkdir()
    with open_pool(1) as pool:
        _, report = history_match(calibration, whole, names, pool)
        table = pd.read_csv(whole / WAVES_TABLE)
        table[table["wave"] == 1].to_csv(resumed / WAVES_TABLE, index=False)  # stopped after 1
        _, again = history_match(calibration, resumed, names, pool)
    assert again == report
    assert (resumed / WAVES_TABLE).read_bytes() == (whole / WAVES_TABLE).read_bytes()
    assert [w["runs"] for w in report["waves"]] == [12, 12]


def test_the_emulator_posterior_weighs_points_by_the_chance_of_meeting_the_range():
    # s = 4 x^2 with noise 0.05, range [0, 1]: the chance is 1/2 at x = 0 and 0.5, near 1 between,
    # near 0 above 0.55; the other constant does not matter.
    narrow = Target("s", "toy statistic", 0.0, 1.0, "")
    posterior = emulator_posterior(_matching(), [narrow], seed=5, points=4000)
    low, high = CONSTANTS["BASE_HAZARD"].low, CONSTANTS["BASE_HAZARD"].high
    x = (posterior["BASE_HAZARD"] - low) / (high - low)
    weight = posterior["weight"] / posterior["weight"].sum()
    assert weight[x > 0.6].sum() < 0.01
    # Against the exact chance of the toy simulator on the same points.
    exact = norm.cdf((1 - 4 * x**2) / 0.05) - norm.cdf((0 - 4 * x**2) / 0.05)
    exact = exact / exact.sum()
    assert (weight * x).sum() == pytest.approx((exact * x).sum(), abs=0.02)
    assert weight[x < 0.45].sum() == pytest.approx(exact[x < 0.45].sum(), abs=0.04)
    # At x = 0 the statistic sits on the range's lower end: about half the chance of x = 0.25
    # (0.34 with this emulator, whose mean and spread at the box's edge are rougher); equal
    # weights there would mean the chances were ignored.
    edge = posterior.loc[x < 0.03, "weight"].mean()
    assert 0.2 < edge / posterior.loc[(x > 0.2) & (x < 0.3), "weight"].mean() < 0.7
    other = (posterior["TECHNOLOGIST_COST"] - CONSTANTS["TECHNOLOGIST_COST"].low) / (
        CONSTANTS["TECHNOLOGIST_COST"].high - CONSTANTS["TECHNOLOGIST_COST"].low
    )
    assert weight[other < 0.5].sum() == pytest.approx(0.5, abs=0.05)
    again = emulator_posterior(_matching(), [narrow], seed=5, points=4000)
    pd.testing.assert_frame_equal(posterior, again)
