"""The target card: complete for every target, committed as generated, its statistics exist."""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from cxo_sim.calibration.evidence import CARD, CARD_FILE, target_card
from cxo_sim.calibration.spec import PUBLISHED, default_targets, load_calibration
from cxo_sim.cli.main import main
from cxo_sim.experiments.single_run import Weekly, run_model
from cxo_sim.presets import preset
from cxo_sim.validation.targets import TARGETS, run_statistics, utilization_trend

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_card_is_the_generated_one():
    committed = (ROOT / "calibration" / CARD_FILE).read_text(encoding="utf-8")
    assert committed == target_card(), (
        "calibration/TARGETS.md is stale: regenerate it from cxo_sim.calibration.evidence"
    )


def test_every_target_has_its_source_year_sample_quantity_and_argument():
    assert [e.key for e in CARD] == list(PUBLISHED)
    assert {key for _, key, *_ in TARGETS} <= set(PUBLISHED)
    for e in CARD:
        for f in fields(e):
            value = getattr(e, f.name)
            assert value == value and str(value).strip(), (e.key, f.name)
        assert e.low < e.high
        assert f"`{e.key}`" in target_card()


def test_every_default_target_is_a_statistic_of_a_run():
    run = run_model(preset("old_world"), steps=52 * 3, seed=5, record=Weekly())
    statistics = run_statistics(run, (2, 3))
    for target in default_targets():
        assert target.key in statistics, target.key
    assert math.isfinite(statistics["utilization_trend"])
    assert statistics["tool_count"] == run.outcomes["tool_count"]


def test_the_trend_of_utilisation_is_the_least_squares_slope_a_year():
    figures = [{"utilization": u} for u in (0.6, 0.5, 0.45, 0.3)]
    # slope of (2, .6), (3, .5), (4, .45), (5, .3): sum((x - 3.5)(y - .4625)) / 5
    assert utilization_trend(figures, [2, 3, 4, 5]) == pytest.approx(-0.095)
    assert utilization_trend(figures[:2], [2, 3]) == pytest.approx(-0.1)
    assert math.isnan(utilization_trend(figures[:1], [2]))


def test_held_out_targets_are_predicted_not_fitted(tmp_path, capsys):
    path = tmp_path / "held.toml"
    path.write_text(
        'name = "held"\nyears = 2\nseed = 6\npopulation = 20\ngenerations = 1\npredictive = 10\n'
        'holdout = ["tool_count"]\n[constants]\ncalibrate = ["BASE_HAZARD"]\n'
        "[targets]\nbreached = { low = 0.0, high = 0.5 }\n",
        encoding="utf-8",
    )
    calibration = load_calibration(path)
    assert [t.key for t in calibration.targets] == ["breached"]
    assert [t.key for t in calibration.holdout] == ["tool_count"]
    # Without [targets], the default targets are the card's others.
    others = load_calibration_text(tmp_path, 'name = "d"\nholdout = ["tool_count"]\n')
    assert [t.key for t in others.targets] == [k for k in PUBLISHED if k != "tool_count"]
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "held-out targets (not fitted)" in printed and "martech tools owned" in printed
    predictive = pd.read_csv(out / "held" / "predictive.csv")
    assert list(predictive.columns) == ["breached", "tool_count"]
    assert predictive["tool_count"].notna().all()
    manifest = json.loads((out / "held" / "manifest.json").read_text(encoding="utf-8"))
    assert [t["key"] for t in manifest["targets"]] == ["breached"]
    assert [t["key"] for t in manifest["holdout"]] == ["tool_count"]
    assert "Held-out targets" in (out / "held" / "card.html").read_text(encoding="utf-8")


def load_calibration_text(folder: Path, text: str):
    path = folder / "d.toml"
    path.write_text(text, encoding="utf-8")
    return load_calibration(path)
