"""Sweeps over a posterior: reproducible draws, stored with the runs, clear errors."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from cxo_sim.cli import main
from cxo_sim.errors import UserError
from cxo_sim.experiments import load_results
from cxo_sim.experiments.posterior import Posterior, load_posterior
from cxo_sim.experiments.runner import sweep
from cxo_sim.experiments.spec import load_experiment


@pytest.fixture
def calibration_folder(tmp_path):
    folder = tmp_path / "calibration" / "toy"
    folder.mkdir(parents=True)
    pd.DataFrame(
        {
            "BASE_HAZARD": [0.0005, 0.0010, 0.0015],
            "SHADOW_PRICE": [0.3, 0.5, 0.6],
            "weight": [0.2, 0.5, 0.3],
        }
    ).to_csv(folder / "posterior.csv", index=False)
    return folder


def _experiment(tmp_path, posterior: str) -> object:
    path = tmp_path / "exp.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            name = "over-posterior"
            steps = 10
            replications = 4
            seed = 9
            [uncertainty]
            posterior = "{posterior}"
            [sampling]
            method = "scenarios"
            [[scenarios]]
            name = "baseline"
            [[scenarios]]
            name = "shared tools"
            shared_tools = true
            """
        ),
        encoding="utf-8",
    )
    return path


def test_draws_are_seeded_and_follow_the_weights(calibration_folder):
    posterior = load_posterior(calibration_folder)
    assert posterior.draw(123) == posterior.draw(123)
    draws = [posterior.draw(seed)["SHADOW_PRICE"] for seed in range(2000)]
    shares = [np.mean(np.isclose(draws, v)) for v in (0.3, 0.5, 0.6)]
    np.testing.assert_allclose(shares, [0.2, 0.5, 0.3], atol=0.04)


def test_a_sweep_over_a_posterior_is_reproducible_and_stores_the_draws(
    tmp_path, calibration_folder, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    path = _experiment(tmp_path, "calibration/toy")
    first = sweep(path, out=tmp_path / "a", workers=2, progress=False)
    second = sweep(path, out=tmp_path / "b", workers=1, progress=False)
    a, b = load_results(first.folder), load_results(second.folder)
    columns = ["const:BASE_HAZARD", "const:SHADOW_PRICE"]
    pd.testing.assert_frame_equal(a, b)
    # Replication r draws the same constants in every configuration, from its own seed.
    by_replication = a.groupby("replication")[columns].nunique()
    assert (by_replication == 1).all().all()
    posterior = load_posterior(calibration_folder)
    for _, row in a.iterrows():
        drawn = posterior.draw(int(row["seed"]))
        assert row[columns[0]] == drawn["BASE_HAZARD"]
        assert row[columns[1]] == drawn["SHADOW_PRICE"]
    assert a[columns[1]].nunique() > 1, "four replications, three particles: more than one"
    manifest = first.folder / "manifest.json"
    assert '"sha256"' in manifest.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "setup, expected",
    [
        (None, "no such calibration folder"),
        ("empty", "holds no posterior.csv"),
        ("unknown", "is not a behavioural constant"),
        ("outside", "leaves its plausible range"),
        ("weights", "the weights sum to 0"),
    ],
)
def test_bad_posteriors_are_refused(tmp_path, setup, expected):
    folder = tmp_path / "cal"
    if setup is not None:
        folder.mkdir()
    frames = {
        "unknown": {"NOT_A_CONSTANT": [1.0], "weight": [1.0]},
        "outside": {"BASE_HAZARD": [5.0], "weight": [1.0]},
        "weights": {"BASE_HAZARD": [0.001], "weight": [0.0]},
    }
    if setup in frames:
        pd.DataFrame(frames[setup]).to_csv(folder / "posterior.csv", index=False)
    with pytest.raises(UserError, match=expected):
        load_posterior(folder)


def test_an_experiment_naming_a_missing_posterior_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _experiment(tmp_path, "calibration/missing")
    assert main(["sweep", str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "uncertainty.posterior" in err and "no such calibration folder" in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(UserError):
        load_experiment(path)


def test_a_posterior_describes_itself(calibration_folder):
    posterior = load_posterior(calibration_folder)
    assert isinstance(posterior, Posterior)
    assert posterior.describe()["constants"] == ["BASE_HAZARD", "SHADOW_PRICE"]
    assert posterior.describe()["particles"] == 3
