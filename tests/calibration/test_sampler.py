"""The ordered sampler: the posterior depends on the seed, not on the workers."""

from __future__ import annotations

import numpy as np
import pyabc

from cxo_sim.calibration.sampler import OrderedSampler, candidate_seed
from cxo_sim.experiments.local_pool import LocalPool


def gaussian(parameter):
    """A toy model: a noisy observation of mu (draws from NumPy's global generator)."""
    return {"y": parameter["mu"] + np.random.normal(0, 0.5)}


def distance(x, x_0):
    return abs(x["y"] - x_0["y"])


def _posterior(tmp_path, workers: int, seed: int = 3):
    with LocalPool(workers) as pool:
        abc = pyabc.ABCSMC(
            gaussian,
            pyabc.Distribution(mu=pyabc.RV("uniform", -5, 10)),
            distance,
            population_size=40,
            sampler=OrderedSampler(seed, pool, steps=0),
        )
        abc.new("sqlite://", {"y": 1.0})  # in memory: the test is about the sampler
        history = abc.run(max_nr_populations=3)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        epsilons = history.get_all_populations()["epsilon"].tolist()
    return frame["mu"].to_numpy(), np.asarray(weights), epsilons


def test_one_and_two_workers_give_the_same_posterior(tmp_path):
    one = _posterior(tmp_path, 1)
    two = _posterior(tmp_path, 2)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    assert one[2] == two[2]
    # ... and the run did something: the posterior moved towards the observation.
    assert abs(np.average(one[0], weights=one[1]) - 1.0) < 1.0
    assert one[0].std() < 10 / np.sqrt(12) * 0.6


def test_another_seed_gives_another_posterior(tmp_path):
    assert not np.array_equal(_posterior(tmp_path, 2, seed=3)[0], _posterior(tmp_path, 2, 4)[0])


def test_candidate_seeds_differ_by_seed_generation_and_index():
    seeds = {candidate_seed(s, t, i) for s in (1, 2) for t in (-1, 0, 1) for i in (None, 0, 1)}
    assert len(seeds) == 18
