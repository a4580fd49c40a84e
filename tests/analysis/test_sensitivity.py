from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cxo_sim.analysis.sensitivity import Problem, analyse, registry_factor, sensitivity_command
from cxo_sim.params import DEFAULTS


def known_model(param_sets):
    """breaches = 10 cio_risk + 5 [budget_owner = cmo] + noise; threat_level does nothing."""
    rows = []
    for point, params in enumerate(param_sets):
        for replication in range(3):
            noise = np.random.default_rng([point, replication]).normal(0.0, 0.1)
            breaches = 10.0 * params["cio_risk"] + 5.0 * (params["budget_owner"] == "cmo")
            rows.append({"point": point, "replication": replication, "breaches": breaches + noise})
    return pd.DataFrame(rows)


def known_problem():
    names = ("cio_risk", "threat_level", "budget_owner")
    return Problem(tuple(registry_factor(n) for n in names), dict(DEFAULTS))


def test_morris_finds_the_driver_and_no_effect_for_the_idle_parameter():
    table = analyse(known_problem(), known_model, "morris", n=20, seed=1, outcomes=["breaches"])
    mu = table.set_index("parameter")["mu_star"]
    # threat_level's steps see only the (averaged) noise; cio_risk's see its full slope of 10
    assert mu["cio_risk"] == pytest.approx(10.0, rel=0.05)
    assert mu["threat_level"] < 0.2
    assert mu["budget_owner"] > 1.0
    assert (table["mu_star_conf"] >= 0).all()


def test_sobol_total_index_is_zero_for_the_idle_parameter():
    table = analyse(known_problem(), known_model, "sobol", n=256, seed=2, outcomes=["breaches"])
    st = table.set_index("parameter")["ST"]
    assert st["threat_level"] < 0.01
    assert st["cio_risk"] > 0.3
    assert st["budget_owner"] > 0.3
    assert set(table.columns) >= {"S1", "S1_conf", "ST", "ST_conf"}


def test_categorical_and_integer_factors_decode_to_valid_values():
    owner = registry_factor("budget_owner")
    assert [owner.decode(u) for u in (0.0, 1.5, 3.0)] == ["cio", "cmo", "shared"]
    interval = registry_factor("meeting_interval", [0, 4])
    assert interval.decode(interval.low) == 0 and interval.decode(interval.high) == 4
    assert registry_factor("liaison").decode(1.9) is True


def test_real_model_sensitivity_command(tmp_path, capsys):
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(
        'name = "tiny-sens"\nquestion = "What drives campaigns?"\nsteps = 13\n'
        "replications = 1\nseed = 3\n[sensitivity]\nn = 3\n"
        'parameters = ["idea_rate", "initial_trust"]\noutcomes = ["campaigns_launched"]\n'
    )
    args = SimpleNamespace(experiment=str(experiment), method="morris", workers=1, out=tmp_path)
    sensitivity_command(args)
    out = capsys.readouterr().out
    folder = tmp_path / "tiny-sens" / "sensitivity"
    table = pd.read_csv(folder / "morris.csv").set_index("parameter")
    assert table.loc["idea_rate", "mu_star"] > table.loc["initial_trust", "mu_star"]
    assert (folder / "morris.png").is_file() and (folder / "morris.svg").is_file()
    assert "1    idea_rate" in out
