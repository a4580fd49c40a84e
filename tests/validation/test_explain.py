"""cxo-sim explain: mechanism shares, shadow prices and artefact flags, on short runs."""

from __future__ import annotations

import numpy as np
import pytest

from cxo_sim.analysis.stats import Estimate
from cxo_sim.cli import main
from cxo_sim.constants import CONSTANTS, SWITCHES
from cxo_sim.presets import preset
from cxo_sim.validation import explain as ex
from cxo_sim.validation.arms import column, run_arms
from cxo_sim.validation.diagnostics import (
    RESOURCES,
    argued_flags,
    diagnose,
    format_flags,
    format_shadow_prices,
    free_lunch_flags,
    pinned_flags,
)
from cxo_sim.validation.explain import (
    LEVERS,
    MECHANISM_CONSTANTS,
    Explanation,
    explain,
    format_explanation,
    headline,
    lever,
    share_ci,
    within,
    within_all,
)
from cxo_sim.validation.patterns import PRACTICES, paired_diff

SEEDS = range(1, 13)
STEPS = 52
SWITCHED = ["MECH_DISCLOSURE", "MECH_LIAISON_VETTING", "MECH_SHARED_VISIBILITY"]


@pytest.fixture(scope="module")
def explained() -> dict[str, Explanation]:
    found = explain(["meetings", "liaison", "shared_tools"], SEEDS, switches=SWITCHED, steps=STEPS)
    return {e.lever.name: e for e in found}


def test_every_switch_names_the_constants_its_mechanism_rests_on():
    missing = sorted(set(SWITCHES) - set(MECHANISM_CONSTANTS))
    assert not missing, f"add the constants of {missing} to explain.MECHANISM_CONSTANTS"
    assert set(MECHANISM_CONSTANTS) <= set(SWITCHES), "an entry names no switch"
    for switch, names in MECHANISM_CONSTANTS.items():
        assert names, switch
        assert set(names) <= set(CONSTANTS), (switch, sorted(set(names) - set(CONSTANTS)))


def test_a_switch_without_an_entry_rests_on_unknown_constants(monkeypatch):
    monkeypatch.setattr(ex, "MECHANISM_CONSTANTS", {})
    assert ex.mechanism_constants("MECH_DISCLOSURE") is None
    assert ex.rests_on_argued("MECH_DISCLOSURE") is None


def test_argued_means_every_constant_of_the_mechanism_is_a_modelling_choice():
    assert ex.rests_on_argued("MECH_MIGRATION") is True  # migration days, fit, notice: argued
    assert ex.rests_on_argued("MECH_OTHER_WORK") is False  # Porter and Nohria's 36%


def test_the_levers_cover_practices_rights_preferences_and_presets():
    assert set(PRACTICES) <= set(LEVERS)
    for name in ("new_world", "shared", "combined_role", "cio_risk", "cmo_speed", "best_practice"):
        assert name in LEVERS
    assert LEVERS["shared"].changes() == "budget_owner cio -> shared"
    assert LEVERS["cio_risk"].changes() == "cio_risk 0.2 -> 0.9"
    setting = lever("cio_risk=0.9")
    assert setting.kind == "setting" and setting.params == LEVERS["cio_risk"].params


def test_the_effect_with_every_switch_on_is_the_paired_difference_of_the_patterns(explained):
    runs = run_arms(
        {"off": LEVERS["meetings"].baseline, "on": LEVERS["meetings"].params}, SEEDS, steps=STEPS
    )
    e = explained["meetings"]
    for name in e.outcomes:
        assert e.effect[name] == paired_diff(column(runs["on"], name), column(runs["off"], name))


def test_a_mechanism_neither_arm_uses_carries_exactly_nothing(explained):
    e = explained["meetings"]  # no liaison in either arm: vetting never happens
    assert "MECH_LIAISON_VETTING" in e.inert
    for name in e.outcomes:
        share = e.shares[name]["MECH_LIAISON_VETTING"]
        assert share is None or share == Estimate(0.0, 0.0, 0.0, len(SEEDS))


def test_visibility_carries_all_that_shared_tools_do_to_campaigns(explained):
    # Without it, shared tools are paid for and show nothing: no tool is found on the board.
    e = explained["shared_tools"]
    assert e.effect["campaign_velocity"].low > 0
    share = e.shares["campaign_velocity"]["MECH_SHARED_VISIBILITY"]
    assert share.value == share.low == share.high == 1.0
    assert "MECH_SHARED_VISIBILITY" not in e.inert
    assert "shared visibility" in ex.summary(e)


def test_a_share_is_shown_only_for_a_significant_effect(explained):
    for e in explained.values():
        for name in e.outcomes:
            significant = e.effect[name].excludes_zero()
            assert all((s is not None) == significant for s in e.shares[name].values())


def test_the_results_do_not_depend_on_the_number_of_workers():
    one = explain(["meetings"], range(1, 4), workers=1, switches=SWITCHED[:1], steps=26)[0]
    two = explain(["meetings"], range(1, 4), workers=2, switches=SWITCHED[:1], steps=26)[0]
    assert one.effect == two.effect and one.shares == two.shares


def test_share_ci_is_exactly_zero_when_the_switch_changes_nothing_and_one_when_it_is_all():
    on = np.array([1.0, 2.0, 3.0, 2.5])
    assert share_ci(on, on.copy()) == Estimate(0.0, 0.0, 0.0, 4)
    whole = share_ci(on, np.zeros(4))
    assert whole.value == whole.low == whole.high == 1.0
    half = share_ci(on, on / 2)
    assert half.value == pytest.approx(0.5) and half == share_ci(on, on / 2)
    undefined = np.array([np.nan, 2.0, 3.0, 2.5])  # a seed with no launch: no median
    assert share_ci(undefined, undefined / 2).value == pytest.approx(0.5)
    assert share_ci(undefined, undefined / 2).n == 3


def test_a_share_prints_as_whole_percentages_without_a_signed_zero():
    assert ex.percent(Estimate(-0.001, -0.012, 0.004, 5)) == "0% [-1, 0]"
    assert ex.percent(Estimate(0.0, 0.0, 0.0, 5)) == "0%"
    assert ex.percent(None) == "n.s."


def test_headline_takes_net_value_when_the_model_returns_it():
    outcomes = dict.fromkeys(("campaign_value", "trust", "breach_risk"), 0.0)
    assert "net_value" not in headline(outcomes)
    assert headline({**outcomes, "net_value": 1.0})[-1] == "net_value"
    assert ex.better("net_value") == "higher"


def test_format_explanation_has_a_row_per_outcome_and_a_column_per_active_switch(explained):
    text = format_explanation(explained["meetings"])
    assert "| outcome | effect | disclosure |" in text
    assert "Changing nothing here (0%): liaison vetting, shared visibility." in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(explained["meetings"].outcomes)


# ------------------------------------------------------------------------------- diagnostics
def test_shadow_prices_have_one_row_per_resource_and_flag_those_that_do_not_bind():
    found = diagnose([], range(1, 4), steps=26)
    assert [p.resource for p in found.shadow_prices] == list(RESOURCES)
    engineers = found.shadow_prices[list(RESOURCES).index("engineer time")]
    assert (engineers.before, engineers.after) == (6, 9)
    for price in found.shadow_prices:
        assert set(price.effect) == set(headline(price.effect))
    assert engineers.arm == "old_world, n_engineers 9"
    assert set(engineers.values) == set(engineers.effect)
    idle = {f.subject for f in found.flags if f.kind == "does not bind"}
    assert idle == {p.resource for p in found.shadow_prices if not p.binds}
    table = format_shadow_prices(found.shadow_prices, 3)
    assert len([line for line in table.splitlines() if line.startswith("| ")]) == 1 + 4


def test_the_pinned_flag_fires_on_zero_variance_and_on_a_share_at_its_bound():
    arms = {
        "arm": {
            "trust": np.array([1.0, 1.0, 0.9, 1.0]),
            "campaign_value": np.array([5.0, 5.0, 5.0]),
            "tech_spend": np.array([1.0, 2.0, 3.0]),
            "shadow_spend_share": np.array([0.0, 0.3, 0.4, 0.5]),
        }
    }
    texts = [f.text for f in pinned_flags(arms)]
    assert len(texts) == 2
    assert "trust is at 0 or 1 on 75% of seeds in arm arm" in texts
    assert any("campaign value is 5 on every one of 3 seeds" in t for t in texts)


def _constructed(effects: dict[str, Estimate], shares=None) -> Explanation:
    outcomes = tuple(effects)
    shares = shares or {name: {} for name in outcomes}
    return Explanation(LEVERS["meetings"], 10, outcomes, (), effects, shares, (), {})


def test_a_lever_better_on_one_headline_and_worse_on_none_is_a_free_lunch():
    better = Estimate(1.0, 0.5, 1.5, 10)
    flat = Estimate(0.0, -1.0, 1.0, 10)
    lunch = _constructed({"campaign_value": better, "total_cost": flat})
    assert [f.kind for f in free_lunch_flags([lunch])] == ["free lunch"]
    assert "net_value not among the outcomes" in free_lunch_flags([lunch])[0].text
    priced = _constructed({"campaign_value": better, "total_cost": better})  # costs more
    assert free_lunch_flags([priced]) == []


def test_an_effect_carried_mainly_by_an_argued_or_unknown_mechanism_is_flagged(monkeypatch):
    effect = Estimate(1.0, 0.5, 1.5, 10)
    share = Estimate(0.8, 0.6, 1.0, 10)
    e = _constructed(
        {"trust": effect},
        {"trust": {"MECH_MIGRATION": share, "MECH_OTHER_WORK": share}},
    )
    flags = argued_flags([e])
    assert len(flags) == 1 and "migration" in flags[0].text and "NOTICE_WEEKS" in flags[0].text
    monkeypatch.setitem(MECHANISM_CONSTANTS, "MECH_OTHER_WORK", ())
    assert any("unknown" in f.text for f in argued_flags([e]))
    assert "Artefact flags (10 seeds): 2" in format_flags(argued_flags([e]), 10)


# ------------------------------------------------------------------------------- command
@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["meeting"], "did you mean 'meetings'?"),
        (["--switch", "MECH_DISCLOSUR", "meetings"], "did you mean 'MECH_DISCLOSURE'?"),
        (["old_world"], "old_world is the baseline"),
        ([], "name a lever"),
        (["meetings", "--seeds", "1"], "--seeds must be at least 2"),
        (["meetings", "--within", "best_practise"], "did you mean 'best_practice'?"),
        (["meetings", "--within", "old_world"], "old_world does not have it"),
        (["new_world", "--within", "best_practice"], "name a practice"),
        (["--shadow-prices", "--within", "best_practice"], "--within explains levers"),
    ],
)
def test_a_bad_explain_command_says_what_is_wrong_on_one_line_and_exits_2(argv, says, capsys):
    assert main(["explain", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_explain_prints_a_table_shadow_prices_and_flags(capsys):
    argv = ["explain", "meetings", "--seeds", "3", "--steps", "26", "--workers", "1", "--quiet"]
    argv += ["--switch", "MECH_DISCLOSURE", "--shadow-prices", "--flags"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "### meetings (practice: meeting_interval 0 -> 2; vs old_world)" in out
    assert "| outcome | effect | disclosure |" in out
    assert "Shadow prices: 50% more of each resource in old_world, 3 paired seeds" in out
    assert "Artefact flags (3 seeds):" in out


def test_validate_takes_flags_without_making_them_checks():
    from cxo_sim.cli import build_parser

    assert build_parser().parse_args(["validate", "--flags"]).flags is True
    assert build_parser().parse_args(["validate"]).flags is False


def test_a_plan_makes_each_run_once(monkeypatch):
    plan = ex.Plan([1, 2], steps=13)
    first = plan.want(LEVERS["meetings"].baseline)
    assert plan.want(dict(LEVERS["meetings"].baseline)) == first  # the same arm, asked twice
    plan.run()
    made = plan.results[first]
    monkeypatch.setattr(ex, "process_map", lambda *a, **k: pytest.fail("ran again"))
    plan.run(workers=2)
    assert plan.results[first] is made


def test_a_practice_within_a_bundle_is_the_bundle_against_it_without_the_practice():
    bundle = preset("best_practice")
    mixed = within("mixed_teams", "best_practice")
    assert mixed.params == bundle
    assert mixed.baseline == {**bundle, "mixed_teams": 0.0}
    assert mixed.changes() == "mixed_teams 0 -> 0.25"
    assert mixed.baseline_name == "best_practice without mixed_teams"
    assert [lv.name for lv in within_all("best_practice")] == list(PRACTICES)
    assert within_all("old_world") == []
    setting = within("n_engineers=9", "best_practice")
    assert setting.baseline == bundle and setting.params["n_engineers"] == 9


def test_explain_within_a_bundle_gives_the_bundle_table_effect(capsys):
    """The effect explain prints within best_practice is validate's bundle table's."""
    from cxo_sim.validation.tradeoffs import bundle_tradeoffs

    seeds = range(5)
    (e,) = explain([within("mixed_teams", "best_practice")], seeds, switches=["MECH_WATCH_TIME"])
    table = bundle_tradeoffs(seeds)
    assert e.effect["net_value"].value == pytest.approx(table["mixed_teams"]["net_value"].value)
    argv = ["explain", "mixed_teams", "--within", "best_practice", "--seeds", "3", "--steps", "26"]
    assert main([*argv, "--workers", "1", "--quiet", "--switch", "MECH_WATCH_TIME"]) == 0
    out = capsys.readouterr().out
    assert (
        "### mixed_teams (practice: mixed_teams 0 -> 0.25; vs best_practice without mixed_teams)"
        in out
    )
