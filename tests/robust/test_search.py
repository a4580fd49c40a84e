"""The evolutionary search over the levers: seeded, converging, its front evaluated in full."""

from __future__ import annotations

import numpy as np

from cxo_sim.robust.search import decode, search_levers
from cxo_sim.robust.spec import load_spec

SEARCHED = """
name = "searched"
steps = 8
replications = 1
seed = 4
[levers]
budget_owner = ["cio", "cmo", "shared"]
liaison = [false, true]
alignment = { min = 0.0, max = 1.0 }
meeting_interval = { min = 0, max = 8 }
[uncertainties]
worlds = 4
[uncertainties.context]
n_marketers = { min = 8, max = 30 }
[[objectives]]
outcome = "net_value"
[[objectives]]
outcome = "tech_spend"
[search]
population = 6
generations = 3
worlds = 3
"""


def test_levers_decode_by_equal_shares_and_ranges_continuously(write_spec):
    spec = load_spec(write_spec(SEARCHED))
    assert spec.designs == []  # ranges: the search finds the designs
    levers = decode(spec, np.array([0.5, 0.99, 0.25, 1.0]))
    assert levers == {
        "budget_owner": "cmo",
        "liaison": True,
        "alignment": 0.25,
        "meeting_interval": 8,
    }


def test_the_search_is_seeded_and_reports_hypervolume_each_generation(write_spec):
    spec = load_spec(write_spec(SEARCHED))
    found = search_levers(spec, workers=1, progress=False)
    assert list(found.history["generation"]) == [0, 1, 2]
    assert found.history["hypervolume"].is_monotonic_increasing
    assert found.designs and all(label.startswith("search ") for label, _ in found.designs)
    assert found.evaluated == len(found.candidates)
    again = search_levers(spec, workers=1, progress=False)
    assert again.candidates.equals(found.candidates)
