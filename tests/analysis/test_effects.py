import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from cxo_sim.analysis.effects import (
    _difference_row,
    findings,
    relative_change,
)
from cxo_sim.analysis.numbers import signed, with_unit
from cxo_sim.analysis.results import open_results
from cxo_sim.errors import UserError


def test_practice_effects_recover_the_known_differences(practices_results):
    table = findings(open_results(practices_results)).set_index(["arm", "outcome"])
    meetings = table.loc[("meetings", "redundant_tools")]
    assert meetings["estimate"] == pytest.approx(-4.0, abs=0.8)
    assert meetings["low"] < -4.0 < meetings["high"]
    assert meetings["verdict"] == "better"
    assert "redundant_tools lower, -3" in meetings["sentence"]
    assert table.loc[("meetings", "coordination_cost"), "verdict"] == "worse"
    assert table.loc[("liaison", "conflicts"), "verdict"] == "better"
    assert table.loc[("liaison", "conflicts"), "g"] < -0.8
    # pilot_first changes nothing by construction
    assert table.loc[("pilot_first", "redundant_tools"), "verdict"] == "no clear change"
    assert table.loc[("pilot_first", "conflicts"), "verdict"] == "no clear change"
    assert set(table["reference"]) == {"baseline"}


def test_factorial_main_effects_compare_levels_with_the_first(grid_results):
    table = findings(open_results(grid_results))
    owner = table[
        (table["arm"] == "budget_owner = cmo") & (table["outcome"] == "shadow_spend_share")
    ]
    assert owner["reference"].item() == "budget_owner = cio"
    assert owner["estimate"].item() == pytest.approx(-0.4, abs=0.02)
    speed = table[(table["arm"] == "cmo_speed = 0.9") & (table["outcome"] == "campaign_velocity")]
    assert speed["verdict"].item() == "better"


def test_lhs_findings_are_over_configurations_and_nominal_factors_by_group(lhs_results):
    rs = open_results(lhs_results)
    table = findings(rs).set_index(["arm", "outcome"])
    risk = table.loc[("higher cio_risk", "breaches")]
    assert risk["kind"] == "rank correlation"
    configs = rs.runs.groupby("point")[["cio_risk", "breaches"]].mean()
    assert risk["n_arm"] == len(configs) == 40, "over configurations, not the 120 runs"
    assert risk["estimate"] == pytest.approx(
        spearmanr(configs["cio_risk"], configs["breaches"]).statistic
    )
    assert "over 40 configurations" in risk["sentence"]
    assert not any(arm == "higher budget_owner" for arm, _ in table.index), "never ranked"
    owner = table.loc[("budget_owner = cmo", "shadow_spend_share")]
    assert owner["kind"] == "difference" and owner["reference"] == "budget_owner = cio"
    assert owner["verdict"] == "better" and owner["estimate"] == pytest.approx(-0.4, abs=0.03)


def test_a_difference_without_spread_is_fixed_not_an_infinite_effect(practices_results):
    """Meetings cost exactly 50 k$ in every run: a fixed difference, no g, no percentage."""
    table = findings(open_results(practices_results)).set_index(["arm", "outcome"])
    cost = table.loc[("meetings", "coordination_cost")]
    assert bool(cost["fixed"]) and cost["estimate"] == 50.0
    assert cost["low"] == cost["high"] == 50.0
    assert math.isnan(cost["g"]), "no standardised effect when nothing varies"
    assert math.isnan(cost["relative"]), "no percentage on a zero baseline"
    assert "+50 k$ in every run" in cost["sentence"] and "fixed difference" in cost["sentence"]
    assert not bool(table.loc[("meetings", "redundant_tools"), "fixed"])


def test_numbers_read_the_same_in_sentence_and_table(practices_results):
    table = findings(open_results(practices_results))
    for row in table[table["verdict"] != "no clear change"].itertuples():
        if not row.fixed:
            assert f"({signed(row.low)}" in row.sentence.replace("95% CI ", "(")
            assert signed(row.estimate) in row.sentence
            assert ("higher" in row.sentence) == (row.estimate > 0)


def test_units_are_singular_for_exactly_one():
    assert with_unit("1", "weeks") == "1 week"
    assert with_unit("+1", "breaches") == "+1 breach"
    assert with_unit("-1", "tools/capability") == "-1 tool/capability"
    assert with_unit("2", "weeks") == "2 weeks" and with_unit("1", "k$") == "1 k$"
    assert with_unit("0.5", "") == "0.5"


def test_percentages_only_on_meaningful_baselines():
    assert relative_change(12.0, 10.0) == pytest.approx(0.2)
    assert math.isnan(relative_change(5.0, 0.0))
    assert math.isnan(relative_change(5.0, 0.5)), "a 900% change on a near-zero baseline"
    assert relative_change(2.0, 10.0) == pytest.approx(-0.8)


def test_user_errors_for_bad_folders(tmp_path):
    with pytest.raises(UserError, match="no such results folder"):
        open_results(tmp_path / "missing")
    with pytest.raises(UserError, match="not a results folder"):
        open_results(tmp_path)
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(UserError, match="no finished runs"):
        open_results(tmp_path)


def test_paired_differences_match_runs_by_seed_and_fall_back_when_they_do_not():
    import pandas as pd

    from cxo_sim.analysis.effects import paired_differences

    arm = pd.DataFrame({"seed": [3, 1, 2], "breaches": [4.0, 2.0, 3.0]})
    ref = pd.DataFrame({"seed": [1, 2, 3], "breaches": [1.0, 1.0, 1.0]})
    pairs = paired_differences(arm, ref, "breaches", ["seed"])
    assert sorted(pairs.tolist()) == [1.0, 2.0, 3.0]
    other = pd.DataFrame({"seed": [7, 8, 9], "breaches": [1.0, 1.0, 1.0]})
    assert paired_differences(arm, other, "breaches", ["seed"]) is None
    assert paired_differences(arm, ref.iloc[:2], "breaches", ["seed"]) is None


def test_a_spread_that_is_a_sliver_of_the_difference_is_fixed_too():
    """A fixed cost of 2,830 k$ with cents of noise has no meaningful g (it would be thousands)."""
    rng = np.random.default_rng(1)
    arm = pd.Series(2830.0 + rng.normal(0.0, 0.5, 30))
    reference = pd.Series(rng.normal(0.0, 0.5, 30))
    row = _difference_row("bundle", "old world", "coordination_cost", arm, reference)
    assert row["fixed"] and math.isnan(row["g"])
    assert row["low"] < row["estimate"] < row["high"], "the interval stays: it is not exact"
    assert "in nearly every run" in row["sentence"]
    noisy = pd.Series(2830.0 + rng.normal(0.0, 300.0, 30))
    assert not _difference_row("b", "o", "coordination_cost", noisy, reference)["fixed"]
