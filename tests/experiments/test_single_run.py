"""``run_model``: the one way to run one model, and what each recorder keeps."""

from __future__ import annotations

import numpy as np

from cxo_sim.experiments.single_run import SERIES, Outcomes, Weekly, WholeModel, run_model
from cxo_sim.model import CxOModel, run_one
from cxo_sim.presets import preset


def test_outcomes_record_what_the_models_own_run_one_returns():
    params = preset("new_world")
    outcomes, series = run_model(params, steps=26, seed=5, record=Outcomes(every=13))
    expected, expected_series = run_one(params, steps=26, seed=5, timeseries_every=13)
    assert outcomes == expected
    assert series.equals(expected_series)
    assert list(series["week"]) == [0, 13, 26]


def test_outcomes_without_a_series_and_without_diagnostics():
    outcomes, series = run_model({}, steps=4, seed=1, record=Outcomes(diagnostics=False))
    assert series is None
    assert outcomes == run_one({}, steps=4, seed=1, diagnostics=False)[0]


def test_weekly_keeps_a_row_per_week_and_the_start():
    run = run_model({}, steps=10, seed=2, record=Weekly())
    assert set(run.series) == {*SERIES, "trust"}
    assert all(len(values) == 11 for values in run.series.values())
    assert np.all(np.diff(run.series["campaigns_launched"]) >= 0)
    assert run.outcomes == run_one({}, steps=10, seed=2)[0]


def test_the_whole_model_is_stepped_and_kept_with_its_datacollector():
    model = run_model({}, steps=6, seed=3, record=WholeModel())
    assert isinstance(model, CxOModel) and model.week == 6
    assert len(model.datacollector.get_model_vars_dataframe()) == 7  # the start and 6 weeks
    assert model.outcomes() == run_one({}, steps=6, seed=3, diagnostics=False)[0]


def test_constants_reach_the_model():
    changed = {"LICENCE_MEAN": 5.5}
    dear = run_model({}, steps=52, seed=2, record=Weekly(), constants=changed).outcomes
    assert dear == run_one({}, steps=52, seed=2, constants=changed)[0]
    assert dear != run_model({}, steps=52, seed=2, record=Weekly()).outcomes
