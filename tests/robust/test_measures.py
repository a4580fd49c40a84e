"""Regret, satisficing and their intervals, on outcomes whose answers are known."""

from __future__ import annotations

import numpy as np

from cxo_sim.robust.measures import measure_designs, regret_of
from cxo_sim.robust.spec import Objective

UP = Objective("net_value", "up", threshold=0.0)
DOWN = Objective("breaches", "down")


def outcomes(replications: int, noise: float = 1.0, seed: int = 3) -> dict[str, np.ndarray]:
    """Three designs in five worlds: design 0 best in worlds 0-2, design 1 in worlds 3-4."""
    rng = np.random.default_rng(seed)
    truth = np.array(
        [
            [10.0, 10.0, 10.0, -5.0, -5.0],
            [5.0, 5.0, 5.0, 8.0, 8.0],
            [1.0, 1.0, 1.0, 1.0, 1.0],
        ]
    )
    value = truth[..., None] + noise * rng.standard_normal((3, 5, replications))
    breaches = np.ones((3, 5, replications))
    return {"net_value": value, "breaches": breaches}


def test_the_best_design_in_each_world_has_zero_regret_and_the_others_the_gap():
    means = outcomes(4, noise=0.0)["net_value"].mean(axis=-1)
    regret = regret_of(means, UP)
    assert (regret >= 0).all()
    assert (regret.min(axis=0) == 0).all()
    assert regret[:, 0].tolist() == [0.0, 5.0, 9.0]
    assert regret[:, 4].tolist() == [13.0, 0.0, 7.0]
    assert regret_of(-means, DOWN)[:, 0].tolist() == [0.0, 5.0, 9.0]


def test_measures_regret_satisficing_and_the_ranking():
    rob = measure_designs(["a", "b", "c"], outcomes(4, noise=0.0), [UP, DOWN], seed=1)
    table = rob.table.set_index(["design", "objective", "statistic"])["value"]
    assert table[("a", "net_value", "max_regret")] == 13.0
    assert table[("b", "net_value", "max_regret")] == 5.0
    assert table[("b", "net_value", "mean_regret")] == 3.0
    # a misses net_value >= 0 in two of five worlds; b and c never do.
    assert table[("a", "all", "satisficing")] == 0.6
    assert table[("b", "all", "satisficing")] == 1.0
    assert list(rob.designs["design"]) == ["b", "c", "a"]
    assert table[("c", "breaches", "p90_regret")] == 0.0
    assert rob.acceptable[0].tolist() == [True, True, True, False, False]


def test_intervals_come_from_the_replicates_and_shrink_as_they_grow():
    def width(replications: int) -> float:
        rob = measure_designs(["a", "b", "c"], outcomes(replications), [UP], seed=1)
        row = rob.table.set_index(["design", "statistic"]).loc[("b", "mean_regret")]
        assert row["low"] <= row["high"]
        return row["high"] - row["low"]

    assert width(40) < width(4) / 2


def test_one_replicate_gives_no_interval_and_the_same_seed_the_same_numbers():
    rob = measure_designs(["a", "b", "c"], outcomes(1), [UP], seed=1)
    assert rob.table["low"].isna().all()
    first = measure_designs(["a", "b", "c"], outcomes(5), [UP], seed=1).table
    again = measure_designs(["a", "b", "c"], outcomes(5), [UP], seed=1).table
    assert first.equals(again)


def test_designs_the_replicates_cannot_order_are_named_in_a_warning():
    values = outcomes(6)
    values["net_value"][2] = values["net_value"][1] + np.random.default_rng(0).normal(
        0, 1.0, (5, 6)
    )
    rob = measure_designs(["a", "b", "twin"], values, [UP], seed=1)
    assert any("'b'" in s and "'twin'" in s for s in rob.swaps)
    clear = measure_designs(["a", "b", "c"], outcomes(6, noise=0.0), [UP], seed=1)
    assert clear.swaps == []


def test_the_robust_front_holds_the_designs_no_other_beats_on_both_objectives():
    values = outcomes(3, noise=0.0)
    values["breaches"] = np.stack([np.full((5, 3), v) for v in (0.0, 4.0, 2.0)])
    rob = measure_designs(["a", "b", "c"], values, [UP, DOWN], seed=1)
    front = dict(zip(rob.designs["design"], rob.designs["front"], strict=True))
    assert front == {"a": True, "b": True, "c": True}  # each trades one objective for the other
    values["breaches"][2] = 5.0  # c: worse than b on both
    rob = measure_designs(["a", "b", "c"], values, [UP, DOWN], seed=1)
    front = dict(zip(rob.designs["design"], rob.designs["front"], strict=True))
    assert front == {"a": True, "b": True, "c": False}


def test_regret_intervals_hold_their_estimate_when_designs_are_close():
    # Four designs that differ by less than the replicate noise: the best of each resample's
    # noisy means would be biased upwards, so regret is resampled against each world's best
    # design on all the replicates, and the interval holds the estimate.
    rng = np.random.default_rng(5)
    values = {
        "net_value": rng.normal(0.0, 1.0, size=(4, 30, 3))
        + np.array([0, 0.1, 0.2, 0.3])[:, None, None]
    }
    result = measure_designs(["a", "b", "c", "d"], values, [Objective("net_value", "up")], seed=1)
    rows = result.table[result.table["statistic"].isin(["mean_regret", "p90_regret"])]
    assert len(rows) == 8
    assert ((rows["low"] <= rows["value"]) & (rows["value"] <= rows["high"])).all()
    # The maximum over worlds of resampled regrets is biased upwards: it gets no interval.
    top = result.table[result.table["statistic"] == "max_regret"]
    assert len(top) == 4 and top["low"].isna().all() and top["high"].isna().all()
    # Every interval given holds its estimate: the percentile and the spread's are moved by the
    # bias their resamples show.
    given = result.table.dropna(subset=["low", "high"])
    assert set(given["statistic"]) >= {"mean_regret", "p90_regret", "sd", "mean"}
    assert (
        (given["low"] <= given["value"] + 1e-12) & (given["value"] <= given["high"] + 1e-12)
    ).all()
