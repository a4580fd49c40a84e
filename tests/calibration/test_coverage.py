"""The coverage check: synthetic targets, interval counts, and a run on the real model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxo_sim.calibration.coverage import (
    COVERAGE_REPORT,
    COVERAGE_TABLE,
    _ruled_out,
    format_coverage,
    hits,
    run_coverage,
    summarise,
    synthetic_targets,
    truth_calibration,
)
from cxo_sim.calibration.emulator import WAVES_TABLE
from cxo_sim.calibration.spec import Target, load_calibration
from cxo_sim.cli.main import main
from cxo_sim.constants import CONSTANTS

NOISE = 0.1
TOY_TARGET = Target("s", "toy statistic", -0.15, 0.15, "")


def _toy_posterior(targets: list[Target], rng: np.random.Generator) -> pd.DataFrame:
    """Rejection ABC at epsilon 0 for the toy s = theta + N(0, NOISE), theta ~ U(0, 1)."""
    (target,) = targets
    theta = rng.random(40_000)
    s = theta + rng.normal(0, NOISE, theta.size)
    keep = (s >= target.low) & (s <= target.high)
    return pd.DataFrame({"theta": theta[keep][:500], "weight": 1.0})


def test_coverage_on_a_toy_model_with_a_known_posterior_is_near_nominal():
    rng = np.random.default_rng(7)
    rows = []
    for index in range(300):
        truth = float(rng.random())
        statistic = truth + rng.normal(0, NOISE)
        targets = synthetic_targets({"s": statistic}, [TOY_TARGET], rng)
        assert targets[0].half_width == pytest.approx(TOY_TARGET.half_width)
        posterior = _toy_posterior(targets, rng)
        rows += [{"truth_index": index, **row} for row in hits({"theta": truth}, posterior)]
    (theta, overall) = summarise(pd.DataFrame(rows))
    assert theta["truths"] == 300
    for level in ("50%", "90%"):
        low, high = theta[f"ci_{level}"]
        assert low <= float(level[:-1]) / 100 <= high, theta
    assert abs(theta["inside_90%"] - 0.9) < 0.05 and abs(theta["inside_50%"] - 0.5) < 0.08


def test_a_statistic_undefined_at_the_truth_drops_its_target():
    targets = [TOY_TARGET, Target("cost", "cost", 1.0, 3.0, "")]
    made = synthetic_targets({"s": 0.4, "cost": float("nan")}, targets, np.random.default_rng(1))
    assert [t.key for t in made] == ["s"]
    assert made[0].low <= 0.4 <= made[0].high  # the jitter is at most one half-width


def test_coverage_runs_on_the_real_model_and_resumes(small_calibration):
    _, calibration, result = small_calibration
    root = result.folder.parent
    table = run_coverage(calibration, 1, root=root, population=10, workers=2)
    assert sorted(table["constant"].unique()) == ["BASE_HAZARD", "TECHNOLOGIST_COST"]
    assert table["truth_index"].nunique() == 1 and (table["runs"] > 0).all()
    text = (result.folder / COVERAGE_REPORT).read_text(encoding="utf-8")
    assert "1 truths drawn from the prior" in text and "model runs" in text
    assert "truth: BASE_HAZARD" in (result.folder / "coverage" / "truth-00.toml").read_text()
    # Asked again, every truth is reread, not rerun: the same table.
    first = (result.folder / COVERAGE_TABLE).read_bytes()
    run_coverage(calibration, 1, root=root, population=10, workers=2)
    assert (result.folder / COVERAGE_TABLE).read_bytes() == first


def test_bad_coverage_options_are_one_line_errors(small_calibration, capsys):
    path = str(small_calibration[0])
    for options in (["--coverage", "-1"], ["--coverage", "2", "--coverage-population", "3"],
                    ["--report-only", "--coverage", "2"]):  # fmt: skip
        assert main(["calibrate", path, *options]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_truth_is_calibrated_as_the_file_is_history_matching_included(tmp_path):
    path = tmp_path / "hm.toml"
    path.write_text(
        'name = "hm"\nyears = 2\nseed = 4\n[history_matching]\nwaves = 2\nruns = 20\n'
        "[targets]\nbreached = true\nutilization = true\n",
        encoding="utf-8",
    )
    calibration = load_calibration(path)
    truth = {"BASE_HAZARD": 0.001}
    synthetic = truth_calibration(calibration, ["BASE_HAZARD"], 3, truth, tmp_path / "coverage")
    assert synthetic.matching == calibration.matching
    assert synthetic.constants == ["BASE_HAZARD"] and synthetic.name == "truth-03"
    widths = {t.key: t.half_width for t in synthetic.targets}
    assert widths == pytest.approx({t.key: t.half_width for t in calibration.targets})
    again = truth_calibration(calibration, ["BASE_HAZARD"], 3, truth, tmp_path / "again")
    assert again.text == synthetic.text  # the same truth, the same file: it resumes


def test_a_small_exact_posterior_covers_at_the_nominal_rate():
    # Twenty particles drawn from the exact posterior (here the prior: U(0, 1)) and a truth
    # drawn from it too: the truth is as likely at any rank among them. The end particles of
    # the 90% interval hold it only 18 of 21 times; its rank, 19 of 21 (nominal 90%).
    rng = np.random.default_rng(11)
    rows = []
    for index in range(6000):
        posterior = pd.DataFrame({"theta": rng.random(20), "weight": 1.0})
        for row in hits({"theta": float(rng.random())}, posterior):
            rows.append({"truth_index": index, **row})
    table = pd.DataFrame(rows)
    assert table["inside_90%"].mean() == pytest.approx(19 / 21, abs=0.012)
    assert table["inside_50%"].mean() == pytest.approx(11 / 21, abs=0.02)
    by_ends = (table["low_90%"] <= table["truth"]) & (table["truth"] <= table["high_90%"])
    assert by_ends.mean() == pytest.approx(18 / 21, abs=0.012)


def test_a_truth_the_history_matching_rules_out_is_counted(tmp_path):
    # One stored wave of a toy statistic rising with BASE_HAZARD; the range holds its low end.
    path = tmp_path / "hm.toml"
    path.write_text(
        'name = "truth-00"\nyears = 2\nseed = 4\n[constants]\ncalibrate = ["BASE_HAZARD"]\n'
        "[history_matching]\nwaves = 1\nruns = 40\n[targets]\n"
        "breached = { low = 0.0, high = 0.02 }\n",
        encoding="utf-8",
    )
    synthetic = load_calibration(path)
    low, high = CONSTANTS["BASE_HAZARD"].low, CONSTANTS["BASE_HAZARD"].high
    unit = (np.arange(40) + 0.5) / 40
    rng = np.random.default_rng(0)
    waves = pd.DataFrame(
        {"wave": 1, "seed": np.arange(40), "BASE_HAZARD": low + (high - low) * unit,
         "breached": 0.1 * unit + rng.normal(0, 0.002, 40)}
    )  # fmt: skip
    (tmp_path / "truth-00").mkdir()
    waves.to_csv(tmp_path / "truth-00" / WAVES_TABLE, index=False)
    kept = {"BASE_HAZARD": low + 0.05 * (high - low)}
    far = {"BASE_HAZARD": low + 0.9 * (high - low)}
    assert _ruled_out(synthetic, tmp_path, ["BASE_HAZARD"], kept, None) == 0.0
    assert _ruled_out(synthetic, tmp_path, ["BASE_HAZARD"], far, None) == 1.0
    table = pd.DataFrame(
        [{"truth_index": i, "epsilon": 0.0, "ess": 20.0, "ruled_out": float(i == 1),
          **hits({"BASE_HAZARD": 0.001}, pd.DataFrame({"BASE_HAZARD": [0.001], "weight": 1.0}))[0]}
         for i in range(3)]
    )  # fmt: skip
    text = format_coverage(table, 10, 1.0, 20, synthetic)
    assert "History matching ruled out 1 of 3 truths" in text
