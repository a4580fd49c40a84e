"""The committed old_world calibration is what its file describes, and experiments can use it."""

from __future__ import annotations

import json
from pathlib import Path

from cxo_sim.calibration.spec import load_calibration
from cxo_sim.experiments.posterior import load_posterior
from cxo_sim.experiments.runner import model_fingerprint
from cxo_sim.experiments.spec import load_experiment

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "calibration" / "old_world"


def test_the_committed_calibration_matches_its_file_and_the_model():
    manifest = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))
    calibration = load_calibration(ROOT / "calibration" / "old_world.toml")
    assert manifest["calibration_hash"] == calibration.text_hash, (
        "calibration/old_world.toml changed: rerun cxo-sim calibrate calibration/old_world.toml "
        "--fresh"
    )
    assert [t["key"] for t in manifest["targets"]] == [t.key for t in calibration.targets]
    assert manifest["model_fingerprint"] == model_fingerprint(), (
        "the model changed: rerun cxo-sim calibrate calibration/old_world.toml --fresh"
    )
    posterior = load_posterior(FOLDER)
    assert list(posterior.names) == manifest["constants"]
    assert len(posterior.weights) == calibration.population
    card = (FOLDER / "card.html").read_text(encoding="utf-8")
    assert card.count("data:image/png;base64,") >= 3
    assert (FOLDER / "history.db").stat().st_size < 5_000_000


def test_the_experiment_over_the_posterior_loads_from_the_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    experiment = load_experiment(ROOT / "experiments" / "uncertainty" / "practices-posterior.toml")
    assert experiment.posterior is not None
    assert experiment.posterior.describe()["particles"] == 300
    assert (ROOT / "results" / experiment.name / "report.html").is_file()
