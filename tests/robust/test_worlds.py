"""Worlds are sampled once from the spec's seed: within their ranges, the same bits each time."""

from __future__ import annotations

import numpy as np

from cxo_sim.robust.spec import load_spec
from cxo_sim.robust.worlds import sample_worlds, world_table


def test_worlds_cover_the_ranges_as_a_latin_hypercube_and_repeat_with_the_seed(write_spec, tiny):
    spec = load_spec(write_spec(tiny.replace("worlds = 6", "worlds = 20")))
    table = world_table(sample_worlds(spec))
    assert table.shape == (20, 3)
    assert table["n_marketers"].between(8, 30).all()
    assert table["n_marketers"].map(type).eq(int).all()
    assert table["HYPE_START"].between(0.2, 1.0).all()
    # A Latin hypercube puts one world in each fifth... twentieth of every range.
    strata = np.floor((table["cmo_speed"] - 0.2) / 0.8 * 20).astype(int)
    assert sorted(strata) == list(range(20))
    assert table.equals(world_table(sample_worlds(spec)))
    other = load_spec(write_spec(tiny.replace("seed = 11", "seed = 12")))
    assert not table.equals(world_table(sample_worlds(other)))


def test_sobol_worlds_need_a_power_of_two_and_stay_in_range(write_spec, tiny):
    text = tiny.replace("worlds = 6", 'worlds = 16\nsampler = "sobol"')
    table = world_table(sample_worlds(load_spec(write_spec(text))))
    assert len(table) == 16 and table["cmo_speed"].between(0.2, 1.0).all()
