import pytest

from cxo_sim.analysis.effects import findings, fmt
from cxo_sim.analysis.results import open_results
from cxo_sim.errors import UserError


def test_practice_effects_recover_the_known_differences(practices_results):
    table = findings(open_results(practices_results)).set_index(["arm", "outcome"])
    meetings = table.loc[("meetings", "redundant_tools")]
    assert meetings["estimate"] == pytest.approx(-4.0, abs=0.8)
    assert meetings["low"] < -4.0 < meetings["high"]
    assert meetings["verdict"] == "better"
    assert "redundant_tools lower by" in meetings["sentence"]
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


def test_lhs_findings_are_rank_correlations(lhs_results):
    table = findings(open_results(lhs_results)).set_index(["arm", "outcome"])
    assert table.loc[("higher cio_risk", "breaches"), "kind"] == "rank correlation"
    assert table.loc[("higher cio_risk", "breaches"), "verdict"] == "worse"
    assert table.loc[("higher threat_level", "breaches"), "verdict"] == "no clear change"


def test_fmt_is_short_and_plain():
    assert fmt(0.8) == "0.8"
    assert fmt(3234.4) == "3,234"
    assert fmt(0.0965) == "0.0965"
    assert fmt(float("nan")) == "n/a"


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
