"""The Mesa-version differences of ``cxo_sim.compat``: the same model on every supported Mesa."""

import gc
import warnings
import weakref

import mesa
import numpy as np
import pytest

from cxo_sim import CxOModel, simulate
from cxo_sim.compat import (
    MESA_VERSION,
    batch_run_max_steps,
    batch_run_seeding,
    model_seeding,
    release_model,
)


class BareScenario:
    """What Mesa 3.5's SolaraViz passes on Reset: a scenario, iterable as (name, value) pairs."""

    def __init__(self, rng=None, **params):
        self.rng = rng
        self.items = {"rng": rng, "model": None, "_scenario_id": 0, **params}

    def __iter__(self):
        return iter(self.items.items())


def test_supported_mesa_version():
    assert (3, 3) <= MESA_VERSION < (4, 0)


def test_a_whole_number_seed_goes_to_mesa_as_rng():
    assert model_seeding(7, None) == {"rng": 7}
    assert model_seeding(np.int64(7), None) == {"rng": 7}
    assert type(model_seeding(np.uint32(7), None)["rng"]) is int
    assert model_seeding(None, None) == {"rng": None}
    generator = np.random.default_rng(3)
    assert model_seeding(None, generator) == {"rng": generator}


@pytest.mark.parametrize("seed", [1.5, "7", True])
def test_a_seed_that_is_not_a_whole_number_is_refused(seed):
    with pytest.raises(ValueError, match="whole number"):
        model_seeding(seed, None)


def test_seed_and_rng_together_are_refused():
    with pytest.raises(ValueError, match="not both"):
        CxOModel(seed=1, rng=1)


def test_seed_rng_and_numpy_seed_give_the_same_run():
    out = simulate(steps=30, seed=5)
    assert simulate(steps=30, seed=np.int64(5)) == out
    model = CxOModel(rng=5)
    for _ in range(30):
        model.step()
    assert model.outcomes() == out


def test_making_and_running_a_model_warns_of_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = CxOModel(seed=1)
        for _ in range(3):
            model.step()
        simulate(steps=3, seed=1)


def test_a_scenario_without_parameters_is_accepted_and_lends_its_seed():
    out = simulate(steps=20, seed=4)
    model = CxOModel(scenario=BareScenario(rng=4))
    for _ in range(20):
        model.step()
    assert model.outcomes() == out
    assert model_seeding(4, None, BareScenario()) == {"rng": 4}
    assert model_seeding(4, None, BareScenario(rng=4)) == {"rng": 4}


def test_a_scenario_with_parameters_or_another_seed_is_refused():
    with pytest.raises(ValueError, match="not in a Mesa scenario.*cmo_speed"):
        CxOModel(seed=1, scenario=BareScenario(cmo_speed=0.9))
    with pytest.raises(ValueError, match="differs"):
        CxOModel(seed=1, scenario=BareScenario(rng=2))


def test_a_released_model_is_freed():
    model = CxOModel(seed=1)
    model.step()
    ref = weakref.ref(model)
    release_model(model)
    del model
    gc.collect()
    assert ref() is None


def test_batch_run_arguments_for_the_installed_mesa():
    args = batch_run_seeding({"budget_owner": ["cio"]}, [1, 2])
    if MESA_VERSION < (3, 4):
        assert args == {"parameters": {"budget_owner": ["cio"], "seed": [1, 2]}, "iterations": 1}
    else:
        assert args == {"parameters": {"budget_owner": ["cio"]}, "rng": [1, 2]}


class CountedModel(CxOModel):
    """CxOModel that records how many weeks each instance was stepped."""

    weeks_run: list[int] = []

    def step(self) -> None:
        super().step()
        if self.week == 1:
            CountedModel.weeks_run.append(0)
        CountedModel.weeks_run[-1] = self.week


def test_batch_run_steps_a_model_the_weeks_asked_on_the_seeds_given():
    CountedModel.weeks_run.clear()
    rows = mesa.batch_run(
        CountedModel,
        **batch_run_seeding({"budget_owner": "cio"}, [3, 4]),
        max_steps=batch_run_max_steps(12),
        number_processes=1,
        display_progress=False,
    )
    assert CountedModel.weeks_run == [12, 12]
    assert sorted(row["seed"] for row in rows) == [3, 4]
