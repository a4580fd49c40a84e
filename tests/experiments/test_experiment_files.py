"""Experiment files: what they expand into, and one clear line for each mistake."""

from __future__ import annotations

import pytest

from cxo_sim.errors import UserError
from cxo_sim.experiments.spec import load_experiment
from cxo_sim.params import PARAMETERS
from cxo_sim.presets import PRESETS


def test_small_experiment_reads_with_its_defaults_filled(write_experiment, small_text):
    experiment = load_experiment(write_experiment(small_text))
    assert experiment.name == "small"
    assert experiment.question == "Does a tiny grid run?"
    assert (experiment.steps, experiment.replications, experiment.seed) == (12, 3, 7)
    assert experiment.fixed == {"cmo_speed": 0.9}
    assert experiment.sampling == {"method": "factorial"}
    assert experiment.output == {"timeseries_every": 4}
    assert experiment.factor_values("cio_risk") == [0.0, 0.1, 0.2, 0.3]
    assert experiment.sensitivity is None


def test_factorial_points_are_complete_and_labelled_by_their_values(write_experiment, small_text):
    points = load_experiment(write_experiment(small_text)).points()
    assert len(points) == 8
    label, params = points[5]
    assert label == "budget_owner=cmo, cio_risk=0.1"
    assert set(params) == set(PARAMETERS)
    expected = {**PRESETS["old_world"], "cmo_speed": 0.9, "budget_owner": "cmo", "cio_risk": 0.1}
    assert params == expected


def test_defaults_give_one_point_of_the_preset(write_experiment):
    experiment = load_experiment(write_experiment('name = "plain"\n'))
    assert (experiment.preset, experiment.steps, experiment.replications) == ("old_world", 156, 10)
    assert experiment.points() == [("old_world", PRESETS["old_world"])]


def test_integer_ranges_round_and_drop_repeats(write_experiment):
    path = write_experiment(
        """
        name = "ints"
        [factors]
        meeting_interval = { min = 0, max = 3, n = 5 }
        """
    )
    assert load_experiment(path).factor_values("meeting_interval") == [0, 1, 2, 3]


def test_scenarios_overlay_their_preset_fixed_and_own_values(write_experiment):
    path = write_experiment(
        """
        name = "named"
        [fixed]
        initial_trust = 0.4
        [[scenarios]]
        name = "baseline"
        [[scenarios]]
        name = "meetings"
        meeting_interval = 4
        [[scenarios]]
        name = "bundle"
        preset = "best_practice"
        """
    )
    experiment = load_experiment(path)
    assert experiment.method == "scenarios"
    points = dict(experiment.points())
    assert list(points) == ["baseline", "meetings", "bundle"]
    assert points["baseline"] == {**PRESETS["old_world"], "initial_trust": 0.4}
    assert points["meetings"]["meeting_interval"] == 4
    assert points["bundle"] == {**PRESETS["best_practice"], "initial_trust": 0.4}
    assert experiment.design()["scenarios"] == ["baseline", "meetings", "bundle"]


def test_latin_hypercube_fills_every_stratum_once_and_repeats_with_the_seed(write_experiment):
    path = write_experiment(
        """
        name = "lhs"
        seed = 3
        [factors]
        cio_risk = { min = 0.0, max = 1.0 }
        n_engineers = { min = 1, max = 10 }
        budget_owner = ["cio", "cmo"]
        [sampling]
        method = "lhs"
        n = 10
        """
    )
    experiment = load_experiment(path)
    points = experiment.points()
    assert [label for label, _ in points][:2] == ["lhs-0000", "lhs-0001"]
    risks = [p["cio_risk"] for _, p in points]
    assert sorted(int(r * 10) for r in risks) == list(range(10))
    assert sorted(p["n_engineers"] for _, p in points) == list(range(1, 11))
    assert sorted(p["budget_owner"] for _, p in points) == ["cio"] * 5 + ["cmo"] * 5
    assert load_experiment(path).points() == points


def test_sensitivity_table_is_validated_and_kept(write_experiment):
    path = write_experiment(
        """
        name = "sens"
        [factors]
        cio_risk = { min = 0.0, max = 1.0, n = 2 }
        [sensitivity]
        method = "sobol"
        n = 64
        outcomes = ["breaches", "campaign_velocity"]
        parameters = ["cio_risk", "cmo_speed"]
        """
    )
    sensitivity = load_experiment(path).sensitivity
    assert sensitivity == {
        "method": "sobol",
        "n": 64,
        "outcomes": ["breaches", "campaign_velocity"],
        "parameters": ["cio_risk", "cmo_speed"],
    }


BAD_FILES = {
    "toml syntax": ('name = "x"\nsteps = \n', ["TOML syntax error", "line 2"]),
    "unknown parameter": (
        'name = "x"\n[factors]\ncmo_speeed = [0.1]\n',
        ["factors.cmo_speeed", "unknown parameter", "did you mean 'cmo_speed'"],
    ),
    "unknown fixed parameter": (
        'name = "x"\n[fixed]\nbudgetowner = "cmo"\n',
        ["fixed.budgetowner", "did you mean 'budget_owner'"],
    ),
    "value out of range": (
        'name = "x"\n[factors]\ncio_risk = [0.5, 1.5]\n',
        ["factors.cio_risk[1]", "1.5", "from 0 to 1"],
    ),
    "range out of range": (
        'name = "x"\n[factors]\ncio_risk = { min = 0.0, max = 2.0, n = 3 }\n',
        ["factors.cio_risk.max", "from 0 to 1"],
    ),
    "wrong kind": (
        'name = "x"\n[fixed]\nliaison = "yes"\n',
        ["fixed.liaison", "'yes'", "true or false"],
    ),
    "wrong choice": (
        'name = "x"\n[factors]\nbudget_owner = ["cio", "ceo"]\n',
        ["factors.budget_owner[1]", "'ceo'", "one of"],
    ),
    "empty factor list": ('name = "x"\n[factors]\ncio_risk = []\n', ["factors.cio_risk", "empty"]),
    "empty factor range": (
        'name = "x"\n[factors]\ncio_risk = { min = 0.0, max = 1.0, n = 0 }\n',
        ["factors.cio_risk.n", "empty"],
    ),
    "unknown preset": (
        'name = "x"\npreset = "old_wrld"\n',
        ["preset", "unknown preset 'old_wrld'", "did you mean 'old_world'"],
    ),
    "unknown sampling": (
        'name = "x"\n[sampling]\nmethod = "latin"\n',
        ["sampling.method", "unknown method 'latin'"],
    ),
    "replications below 1": ('name = "x"\nreplications = 0\n', ["replications", "at least 1"]),
    "steps below 1": ('name = "x"\nsteps = -5\n', ["steps", "at least 1"]),
    "steps not an integer": ('name = "x"\nsteps = 1.5\n', ["steps", "expected an integer"]),
    "unknown key": (
        'name = "x"\nreplication = 3\n',
        ["replication", "did you mean 'replications'"],
    ),
    "missing name": ('question = "?"\n', ["name", "missing"]),
    "name not a folder": ('name = "../up"\n', ["name", "cannot name a results folder"]),
    "negative seed": ('name = "x"\nseed = -1\n', ["seed", "at least 0"]),
    "lhs without n": (
        'name = "x"\n[factors]\ncio_risk = { min = 0.0, max = 1.0 }\n[sampling]\nmethod = "lhs"\n',
        ["sampling.n", "lhs needs n"],
    ),
    "range without n": (
        'name = "x"\n[factors]\ncio_risk = { min = 0.0, max = 1.0 }\n',
        ["factors.cio_risk", "needs n"],
    ),
    "range of a choice": (
        'name = "x"\n[factors]\nbudget_owner = { min = 0, max = 1, n = 2 }\n',
        ["factors.budget_owner", "numeric"],
    ),
    "fixed and varied": (
        'name = "x"\n[fixed]\ncio_risk = 0.1\n[factors]\ncio_risk = [0.2]\n',
        ["factors.cio_risk", "[fixed]"],
    ),
    "repeated value": (
        'name = "x"\n[factors]\nmeeting_interval = [4, 4.0]\n',
        ["factors.meeting_interval[1]", "twice"],
    ),
    "scenario without name": ('name = "x"\n[[scenarios]]\nliaison = true\n', ["scenarios[0]"]),
    "scenario bad value": (
        'name = "x"\n[[scenarios]]\nname = "a"\nmixed_teams = 3\n',
        ["scenarios.a.mixed_teams", "from 0 to 1"],
    ),
    "scenario named twice": (
        'name = "x"\n[[scenarios]]\nname = "a"\n[[scenarios]]\nname = "a"\n',
        ["scenarios[1].name", "twice"],
    ),
    "timeseries negative": (
        'name = "x"\n[output]\ntimeseries_every = -1\n',
        ["output.timeseries_every", "at least 0"],
    ),
    "sensitivity unknown outcome": (
        'name = "x"\n[sensitivity]\noutcomes = ["breaches", "breeches"]\n',
        ["sensitivity.outcomes[1]", "did you mean 'breaches'"],
    ),
    "sensitivity bad method": (
        'name = "x"\n[sensitivity]\nmethod = "fast"\n',
        ["sensitivity.method", "'fast'"],
    ),
    "sensitivity n too small": (
        'name = "x"\n[sensitivity]\nn = 1\n',
        ["sensitivity.n", "at least 2"],
    ),
    "sensitivity unknown parameter": (
        'name = "x"\n[sensitivity]\nparameters = ["cio_risks"]\n',
        ["sensitivity.parameters[0]", "did you mean 'cio_risk'"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_gives_one_line_naming_file_key_and_problem(case, write_experiment):
    text, fragments = BAD_FILES[case]
    path = write_experiment(text, filename="bad.toml")
    with pytest.raises(UserError) as raised:
        load_experiment(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(UserError, match="no such experiment file") as raised:
        load_experiment(tmp_path / "absent.toml")
    assert "did you mean" not in str(raised.value)


def test_a_mistyped_file_name_gets_the_closest_one_beside_it(tmp_path):
    (tmp_path / "budget-ownership.toml").write_text("")
    (tmp_path / "budget-ownership.csv").write_text("")
    with pytest.raises(UserError) as raised:
        load_experiment(tmp_path / "budget-ownershp.toml")
    hint = f"did you mean {str(tmp_path / 'budget-ownership.toml')!r}?"
    assert str(raised.value).endswith(hint)
