"""PRIM finds the region of the worlds where a design fails, and says it in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxo_sim.robust.failure import explain_failure, recheck_failures
from cxo_sim.robust.spec import Objective


def test_the_failure_box_names_the_uncertainty_that_drives_it():
    rng = np.random.default_rng(5)
    worlds = pd.DataFrame({"n_marketers": rng.integers(5, 40, 200), "cmo_speed": rng.random(200)})
    bad = (worlds["n_marketers"] < 15).to_numpy() & (worlds["cmo_speed"] > 0.5).to_numpy()
    failure = explain_failure("liaison", worlds, bad, "stops paying")
    conditions = {r.column for r in failure.rule.restrictions}
    assert conditions == {"n_marketers", "cmo_speed"}
    assert failure.rule.density > 0.9 and failure.rule.coverage > 0.8
    assert failure.coverage[0] == 1.0 and failure.density[0] == bad.mean()
    sentence = failure.sentence()
    assert sentence.startswith(f"'liaison' stops paying in {bad.sum()} of 200 worlds")
    assert "n_marketers" in sentence and "cmo_speed" in sentence


def test_a_design_that_never_fails_says_so():
    worlds = pd.DataFrame({"x": np.linspace(0, 1, 10)})
    failure = explain_failure("d", worlds, np.zeros(10, dtype=bool), "misses its thresholds")
    assert failure.rule is None
    assert failure.sentence() == "'d' misses its thresholds in none of the 10 worlds."


def test_a_box_rechecked_on_fresh_worlds_counts_bad_worlds_inside_and_outside():
    rng = np.random.default_rng(8)
    worlds = pd.DataFrame({"n_marketers": rng.integers(5, 40, 100)})
    small = (worlds["n_marketers"] < 15).to_numpy()
    failure = explain_failure("d", worlds, small, "misses its thresholds")
    fresh = pd.DataFrame({"n_marketers": np.arange(5, 40)})
    # Design "d" loses money exactly in the small firms of the fresh worlds.
    value = np.where(fresh["n_marketers"] < 15, -1.0, 1.0)[None, :, None]
    check = recheck_failures(
        [failure], ["d"], fresh, {"net_value": value}, [Objective("net_value", "up", 0.0)]
    )[0]
    inside = (fresh["n_marketers"] < failure.rule.restrictions[0].high).sum()
    assert failure.rule.restrictions[0].column == "n_marketers" and inside in (10, 11)
    assert (check.inside, check.bad_inside, check.outside, check.bad_outside) == (
        inside,
        10,
        35 - inside,
        0,
    )
    assert check.sentence().startswith(f"On 35 fresh worlds, 'd' was bad in 10 of {inside} (")
    assert check.sentence().endswith(f"inside the box and 0 of {35 - inside} (0%) outside it.")
