"""The experiment library: every question a class or a board asks, each file valid and modest."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxo_sim.experiments.spec import load_experiment

LIBRARY = Path(__file__).resolve().parents[2] / "experiments"
REQUIRED = [
    "budget-ownership",
    "practices",
    "bundle",
    "meeting-cadence",
    "data-governance",
    "combined-role",
    "risk-vs-urgency",
    "lhs-preferences",
]


def test_library_holds_every_required_question():
    names = {path.stem for path in LIBRARY.glob("*.toml")}
    assert set(REQUIRED) <= names


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.toml")), ids=lambda p: p.stem)
def test_library_file_is_valid_states_its_question_and_runs_in_minutes(path):
    experiment = load_experiment(path)
    assert experiment.name == path.stem
    assert experiment.question.endswith("?")
    assert experiment.steps == 156
    assert 20 <= experiment.replications <= 30
    # About 0.05-0.3 s a run on 2 cores: at most a few minutes each.
    assert len(experiment.points()) * experiment.replications <= 2000


def test_practices_are_each_against_the_same_baseline():
    experiment = load_experiment(LIBRARY / "practices.toml")
    points = dict(experiment.points())
    baseline = points.pop("baseline")
    for name, params in points.items():
        changed = {k for k in params if params[k] != baseline[k]}
        assert len(changed) == 1, (name, changed)
