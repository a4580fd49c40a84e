from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cxo_sim.analysis.discovery import discover
from cxo_sim.cli.discover import command as discover_command
from cxo_sim.errors import UserError


def test_prim_finds_a_known_box():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(
        {
            "cio_risk": rng.random(600),
            "threat_level": rng.random(600),
            "budget_owner": rng.choice(["cio", "cmo", "shared"], 600),
        }
    )
    hit = (x["budget_owner"] == "cmo") & (x["cio_risk"] > 0.55)
    rules = discover(x, hit.to_numpy())
    first = rules[0]
    text = first.text()
    assert "budget_owner = cmo" in text and "cio_risk >" in text
    assert "threat_level" not in text
    assert first.coverage > 0.9 and first.density > 0.9
    assert first.n == pytest.approx(hit.sum(), rel=0.1)
    threshold = next(r.low for r in first.restrictions if r.column == "cio_risk")
    assert threshold == pytest.approx(0.55, abs=0.03)


def test_discover_command_prints_rules(grid_results, capsys):
    args = SimpleNamespace(results=str(grid_results), outcome="breaches", above=6.0, below=None)
    discover_command(args)
    out = capsys.readouterr().out
    assert "1. budget_owner = cmo AND cio_risk >= 0.5: coverage" in out
    assert "density" in out and "(n=32)" in out


def test_discover_says_when_nothing_crosses(grid_results, capsys):
    args = SimpleNamespace(results=str(grid_results), outcome="breaches", above=1e6, below=None)
    discover_command(args)
    assert "no run is above the threshold" in capsys.readouterr().out


def test_unknown_outcome_names_the_closest(grid_results):
    args = SimpleNamespace(results=str(grid_results), outcome="breachs", above=None, below=1.0)
    with pytest.raises(UserError, match="did you mean 'breaches'"):
        discover_command(args)
