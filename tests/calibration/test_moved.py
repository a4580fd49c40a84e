"""What a firm's figures moved: prior against posterior, attributed to the figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cxo_sim.calibration.identifiability import Stored, identifiability
from cxo_sim.calibration.moved import MOVED, format_moved, moves, summary
from cxo_sim.calibration.spec import Target
from cxo_sim.cli.main import main


def _firm(n: int = 2000, seed: int = 1) -> Stored:
    """y rises with A and the firm puts it low; z depends on B but is met anywhere; C is idle."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.random(n), rng.random(n), rng.random(n)
    y = a + rng.normal(0, 0.05, n)
    z = b + rng.normal(0, 0.05, n)
    draws = pd.DataFrame({"A": a, "B": b, "C": c, "y": y, "z": z})
    keep = (y > 0.1) & (y < 0.3)
    posterior = draws.loc[keep, ["A", "B", "C"]].assign(weight=1.0).reset_index(drop=True)
    return Stored(
        folder=Path("."),
        names=["A", "B", "C"],
        priors={name: (0.0, 1.0) for name in "ABC"},
        targets=[Target("y", "y", 0.1, 0.3, "audit"), Target("z", "z", -5.0, 5.0, "log")],
        posterior=posterior,
        draws=draws,
    )


def test_a_figure_that_pins_a_constant_moves_it_and_the_others_stay():
    stored = _firm()
    report = identifiability(stored)
    rows = {r["constant"]: r for r in moves(stored, report)}
    assert rows["A"]["moved"] and rows["A"]["by"] == ["y"]
    assert rows["A"]["shift"] < -0.2 and rows["A"]["rho"]["y"] > 0.9
    assert "narrowed" in rows["A"]["how"] and "shifted" in rows["A"]["how"]
    # z depends on B, but the firm's wide range says nothing: B stays at its prior.
    assert not rows["B"]["moved"] and rows["B"]["by"] == ["z"]
    assert not rows["C"]["moved"] and rows["C"]["by"] == []
    text = format_moved(list(rows.values()), report, "toy")
    assert "moved `A`" in text and "depends on `B`, which stayed at the prior" in text
    assert summary(list(rows.values())).startswith("what moved: 1 of 3")


def test_a_small_posterior_does_not_call_noise_a_move():
    stored = _firm()
    # Ten particles of the prior, unweighted: their median and interval wander by chance.
    stored.posterior = stored.draws[["A", "B", "C"]].iloc[:10].assign(weight=1.0)
    report = identifiability(stored)
    assert not any(r["moved"] for r in moves(stored, report))


def test_calibrate_organisation_writes_what_moved(tmp_path, capsys):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        'name = "s"\nyears = 2\nseed = 4\npopulation = 20\ngenerations = 2\npredictive = 10\n'
        '[constants]\ncalibrate = ["BASE_HAZARD", "TECHNOLOGIST_COST"]\n',
        encoding="utf-8",
    )
    firm = tmp_path / "firm.toml"
    firm.write_text(
        'name = "firm"\n[observations]\n'
        "incidents_per_year = { value = 0.02, uncertainty = 0.015 }\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["calibrate", str(settings), "--organisation", str(firm), "--out", str(out)]
    assert main([*args, "--workers", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "what moved:" in printed
    text = (out / "firm" / MOVED).read_text(encoding="utf-8")
    # Marketing technologists' wage: old_world has none, so no figure depends on it.
    line = next(row for row in text.splitlines() if row.startswith("| `TECHNOLOGIST_COST`"))
    assert "moved (" not in line and line.endswith("| none |")
    assert "## Staying at the prior" in text
    # The settings listed the constants: the others were never screened, and it says so.
    assert "every constant not listed in the settings (no screen ran)" in text
    # Rebuilt without a run.
    (out / "firm" / MOVED).unlink()
    assert main([*args, "--report-only"]) == 0
    assert (out / "firm" / MOVED).is_file()
