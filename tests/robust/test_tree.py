"""CART, PRIM's alternative: a shallow tree's failure leaves in words and as a figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxo_sim.robust.figures import tree_figure
from cxo_sim.robust.tree import tree_failure


def test_the_tree_finds_the_region_where_the_design_fails(tmp_path):
    rng = np.random.default_rng(5)
    worlds = pd.DataFrame(
        {
            "n_marketers": rng.integers(5, 40, 200),
            "cmo_speed": rng.random(200),
            "HYPE_START": rng.random(200),
        }
    )
    bad = (worlds["n_marketers"] < 15).to_numpy() & (worlds["cmo_speed"] > 0.5).to_numpy()
    failure = tree_failure("liaison", worlds, bad, "stops paying")
    region = failure.regions[0]
    assert {r.column for r in region.restrictions} == {"n_marketers", "cmo_speed"}
    assert region.density > 0.9 and region.coverage > 0.8
    assert failure.p_values[0] < 1e-6
    sentence = failure.sentence()
    assert sentence.startswith(
        f"A classification tree (CART) finds 'liaison' stops paying in {bad.sum()} of 200 worlds,"
        " mostly when "
    )
    assert "n_marketers < 14.5" in sentence and "cmo_speed > 0.491" in sentence
    figure = tree_figure(failure, tmp_path, 1)
    assert (tmp_path / "tree-1.png").is_file() and (tmp_path / "tree-1.svg").is_file()
    assert "classification tree" in figure.title


def test_leaves_that_chance_would_give_are_not_called_failure_regions():
    rng = np.random.default_rng(9)
    worlds = pd.DataFrame({f"x{i}": rng.random(32) for i in range(10)})
    bad = rng.random(32) < 0.5
    failure = tree_failure("d", worlds, bad, "misses its thresholds")
    assert failure.tree is not None and failure.regions == []
    assert failure.sentence().endswith("with no leaf clearly worse than the rest.")


def test_a_design_that_never_fails_has_no_tree(tmp_path):
    worlds = pd.DataFrame({"x": np.linspace(0, 1, 10)})
    failure = tree_failure("d", worlds, np.zeros(10, dtype=bool), "misses its thresholds")
    assert failure.tree is None and tree_figure(failure, tmp_path, 1) is None
    assert failure.sentence().endswith("misses its thresholds in none of the 10 worlds.")


def test_a_region_inside_a_larger_one_is_not_said_again(monkeypatch):
    import cxo_sim.robust.tree as tree
    from cxo_sim.analysis.discovery import Restriction

    rng = np.random.default_rng(2)
    worlds = pd.DataFrame({"n_marketers": rng.integers(5, 40, 300), "x": rng.random(300)})
    n, x = worlds["n_marketers"].to_numpy(), worlds["x"].to_numpy()
    bad = (n > 20) & ((x > 0.3) | (n > 30))
    large = [Restriction("n_marketers", low=20.5, strict=True)]
    # Pruned leaf paths can come out nested like this: the second adds nothing.
    nested = [*large, Restriction("x", low=0.3, strict=True)]
    monkeypatch.setattr(tree, "_leaf_paths", lambda *args: [nested, large])
    failure = tree.tree_failure("d", worlds, bad, "misses its thresholds")
    assert [r.restrictions for r in failure.regions] == [tuple(large)]
    assert failure.sentence().count("when ") == 1


def test_the_trees_region_is_rechecked_on_fresh_worlds_like_the_box():
    from cxo_sim.robust.failure import Recheck

    check = Recheck("d", 40, 34, 24, 9, density=0.88, method="tree")
    assert "inside the tree's region (found: 88%)" in check.sentence()
    assert "the tree's region holds up" in check.sentence()
