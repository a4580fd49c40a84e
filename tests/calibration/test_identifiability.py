"""The identifiability report: what the targets pin, what no target constrains, conflicts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxo_sim.calibration.identifiability import (
    REPORT,
    TABLE,
    Stored,
    identifiability,
    joint_fit,
    misspecification_warning,
    principal_directions,
)
from cxo_sim.calibration.spec import Target
from cxo_sim.cli.main import main


def _stored(n: int = 400, seed: int = 0) -> Stored:
    """A toy calibration: y depends on A + B, z on nothing; the posterior pins A + B."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.random(n), rng.random(n), rng.random(n)
    y = a + b + rng.normal(0, 0.05, n)
    z = rng.normal(0, 1, n)
    draws = pd.DataFrame({"A": a, "B": b, "C": c, "y": y, "z": z})
    keep = np.abs(y - 1.0) < 0.1
    posterior = draws.loc[keep, ["A", "B", "C"]].assign(weight=1.0).reset_index(drop=True)
    return Stored(
        folder=Path("."),
        names=["A", "B", "C"],
        priors={"A": (0.0, 1.0), "B": (0.0, 1.0), "C": (0.0, 1.0)},
        targets=[Target("y", "y", 0.9, 1.1, ""), Target("z", "z", -10.0, 10.0, "")],
        posterior=posterior,
        draws=draws,
    )


def test_a_constant_no_target_depends_on_is_named_unconstrained():
    report = identifiability(_stored())
    rows = {r["constant"]: r for r in report.rows}
    assert report.unconstrained == ["C"]
    assert rows["C"]["constrained_by"] == []
    assert rows["A"]["constrained_by"] == ["y"] and rows["B"]["constrained_by"] == ["y"]
    # A and B trade off: each alone stays wide, their sum is pinned.
    assert rows["A"]["width_ratio"] > 0.6 and rows["C"]["width_ratio"] > 0.9
    assert [(a, b) for a, b, _ in report.pairs] == [("A", "B")] and report.pairs[0][2] < -0.8


def test_the_stiff_direction_is_the_sum_the_target_fixes():
    stored = _stored()
    directions = principal_directions(stored.posterior, stored.names, stored.priors)
    stiff = directions[0]
    assert stiff["sd_ratio"] < 0.3 and all(d["sd_ratio"] > 0.6 for d in directions[1:])
    assert set(stiff["loadings"]) == {"A", "B"}
    assert stiff["loadings"]["A"] == pytest.approx(stiff["loadings"]["B"], abs=0.1)


def test_targets_no_run_meets_together_are_named_as_a_misspecification():
    x = np.linspace(0, 1, 101)
    draws = pd.DataFrame({"p": x, "q": x})  # q always equals p
    targets = [Target("p", "p", 0.0, 0.2, ""), Target("q", "q", 0.8, 1.0, "")]
    fit = joint_fit(draws, targets, epsilon=0.4)
    assert fit["together"] == 0 and fit["conflicts"] == [("p", "q")]
    warning = misspecification_warning(fit)
    assert "no region of the constants reproduces every target" in warning
    assert "No stored run meets p with q" in warning
    assert misspecification_warning(joint_fit(draws, targets[:1], epsilon=0.0)) == ""


def test_the_report_of_a_real_calibration_is_rebuilt_from_its_folder(small_calibration, capsys):
    path, calibration, result = small_calibration
    command = ["calibrate", str(path), "--report-only", "--out", str(result.folder.parent)]
    assert main(command) == 0
    assert "no target constrains: TECHNOLOGIST_COST" in capsys.readouterr().out
    table = pd.read_csv(result.folder / TABLE)
    rows = table.set_index("constant")
    assert rows.loc["TECHNOLOGIST_COST", "verdict"] == "unconstrained"
    assert rows.loc["BASE_HAZARD", "constrained_by"] == "breached"
    assert rows.loc["BASE_HAZARD", "width_ratio"] < 0.6
    text = (result.folder / REPORT).read_text(encoding="utf-8")
    assert "`TECHNOLOGIST_COST`: calibrated, but no target depends on them" in text
    card = (result.folder / "card.html").read_text(encoding="utf-8")
    assert f'href="{REPORT}"' in card and "unconstrained" in card
    # Again, byte for byte: the report is a function of the folder.
    first = (result.folder / REPORT).read_bytes()
    assert main(command) == 0 and (result.folder / REPORT).read_bytes() == first


def test_report_only_refuses_a_folder_without_a_calibration(tmp_path, small_calibration, capsys):
    command = ["calibrate", str(small_calibration[0]), "--report-only", "--out", str(tmp_path)]
    assert main(command) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
