import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cxo_sim.analysis import sensitivity
from cxo_sim.analysis.sensitivity import (
    Problem,
    analyse,
    describe,
    problem_for,
    registry_factor,
)
from cxo_sim.cli.sensitivity import command as sensitivity_command
from cxo_sim.errors import UserError
from cxo_sim.experiments.spec import load_experiment
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


def write_experiment(folder, factors, sensitivity=""):
    path = folder / "file.toml"
    path.write_text(
        'name = "file"\nquestion = "What matters?"\nsteps = 4\nreplications = 2\nseed = 1\n'
        f'[factors]\n{factors}\n[sampling]\nmethod = "lhs"\nn = 4\n{sensitivity}'
    )
    return load_experiment(path)


def test_sensitivity_takes_every_factor_form_and_only_named_parameters(tmp_path):
    """Item 15: a range without n is fine; lists, switches and choices too; nothing else."""
    experiment = write_experiment(
        tmp_path,
        "cio_risk = { min = 0.2, max = 0.6 }\nmeeting_interval = [0, 4, 13]\n"
        'liaison = [false, true]\nbudget_owner = ["cio", "cmo"]\ncmo_speed = [0.5]',
    )
    problem = problem_for(experiment)
    assert problem.names == ["cio_risk", "meeting_interval", "liaison", "budget_owner"]
    lines = describe(problem)
    assert "  cio_risk: 0.2 to 0.6" in lines and "  budget_owner: cio, cmo" in lines
    assert "  meeting_interval: 0 to 13 (whole numbers)" in lines
    assert "  liaison: false, true" in lines


def test_sensitivity_refuses_to_widen_to_unnamed_parameters(tmp_path):
    experiment = write_experiment(tmp_path, "cmo_speed = [0.5]")
    with pytest.raises(UserError, match="nothing to vary"):
        problem_for(experiment)


def test_sensitivity_says_what_it_varies_before_it_runs(tmp_path, capsys, monkeypatch):
    write_experiment(tmp_path, "cio_risk = { min = 0.0, max = 1.0 }\nliaison = [false, true]")

    def stop(*args, **kwargs):
        raise StopIteration

    monkeypatch.setattr(sensitivity, "analyse", stop)
    args = SimpleNamespace(
        experiment=str(tmp_path / "file.toml"), method="morris", workers=1, out=tmp_path
    )
    with pytest.raises(StopIteration):
        sensitivity_command(args)
    out = capsys.readouterr().out
    assert "morris varies the 2 parameters of [factors]:" in out
    assert "  cio_risk: 0 to 1" in out and "  liaison: false, true" in out
    assert re.search(r"\d+ sample points x 2 replications = \d+ runs of 4 weeks", out)


def test_workers_below_one_is_refused_before_any_sampling(capsys):
    from cxo_sim.cli import main

    assert main(["sensitivity", "experiments/lhs-preferences.toml", "--workers", "0"]) == 2
    captured = capsys.readouterr()
    assert (
        captured.err.strip() == "cxo-sim sensitivity: error: --workers: must be at least 1, got 0"
    )
    assert "sample points" not in captured.out


def everything_experiment(**changes):
    fields = dict(preset="old_world", fixed={}, name="all", replications=1, steps=4, seed=1)
    return SimpleNamespace(**{**fields, **changes})


def known_everything_model(param_sets):
    """breaches = 10 BASE_HAZARD-scaled + 3 cio_risk: only ODD 7.11 and the parameters act."""
    hazard = sensitivity.CONSTANTS["BASE_HAZARD"]
    rows = []
    for point, params in enumerate(param_sets):
        k = params["constants"]["BASE_HAZARD"]
        breaches = 10.0 * (k - hazard.low) / (hazard.high - hazard.low) + 3.0 * params["cio_risk"]
        rows.append({"point": point, "replication": 0, "breaches": breaches})
    return pd.DataFrame(rows)


def test_everything_varies_every_parameter_and_constant_in_odd_groups():
    problem = sensitivity.everything_problem(everything_experiment())
    names = set(problem.names)
    assert set(DEFAULTS) <= names and set(sensitivity.CONSTANTS) <= names
    assert problem.labels[0] == "parameters"
    sections = {c.section for c in sensitivity.CONSTANTS.values()}
    assert set(problem.labels[1:]) == {f"ODD {s}" for s in sections}
    # The organisation's size varies over a band around the preset's, not the registry's bounds.
    size = next(f for f in problem.factors if f.name == "n_marketers")
    assert size.decode(size.high) == 2 * DEFAULTS["n_marketers"]
    for method, n in (("sobol", 4), ("morris", 2)):
        samples = sensitivity.sample(problem, method, n, seed=1)
        assert len(samples) == sensitivity.design_points(problem, method, n)
    params = problem.parameter_sets(sensitivity.sample(problem, "sobol", 2, seed=1))[0]
    assert set(params["constants"]) == set(sensitivity.CONSTANTS)
    assert all(not isinstance(v, dict) for k, v in params.items() if k != "constants")


def test_grouped_sobol_finds_the_groups_that_act_and_none_of_the_others():
    problem = sensitivity.everything_problem(everything_experiment())
    table = analyse(problem, known_everything_model, "sobol", 256, seed=2, outcomes=["breaches"])
    st = table.set_index("parameter")["ST"]
    assert list(st.index) == problem.labels
    assert st["ODD 7.11"] > 0.8 and 0.02 < st["parameters"] < 0.2
    assert st.drop(["ODD 7.11", "parameters"]).abs().max() < 1e-9


def test_everything_on_the_real_model_passes_the_constants_to_the_runs(tmp_path, capsys):
    experiment = tmp_path / "all.toml"
    experiment.write_text(
        'name = "all"\nquestion = "What matters?"\nsteps = 3\nreplications = 1\nseed = 3\n'
        '[sensitivity]\noutcomes = ["tech_spend"]\n'
    )
    args = SimpleNamespace(
        experiment=str(experiment), method="sobol", workers=1, out=tmp_path, everything=True, n=2
    )
    sensitivity_command(args)
    out = capsys.readouterr().out
    assert "17 groups" in out and "38 sample points" in out
    table = pd.read_csv(tmp_path / "all" / "sensitivity" / "sobol.csv")
    assert set(table["parameter"]) == {"parameters", *{
        f"ODD {c.section}" for c in sensitivity.CONSTANTS.values()
    }}  # fmt: skip


def test_evaluate_runs_each_set_with_its_constants():
    from cxo_sim.experiments.runner import evaluate

    params = [{"n_marketers": 5}, {"n_marketers": 5}]
    dearer = {"ENGINEER_DAY_COST": 2 * sensitivity.CONSTANTS["ENGINEER_DAY_COST"].value}
    runs = evaluate(
        params, steps=3, replications=1, base_seed=1, workers=1, progress=False,
        constants=[None, dearer],
    )  # fmt: skip
    spend = runs.set_index("point")["tech_spend"]
    assert spend.iloc[1] > spend.iloc[0]
    with pytest.raises(ValueError, match="1 constant sets for 2"):
        evaluate(params, steps=3, replications=1, base_seed=1, workers=1, constants=[None])
