"""The submodels alone: one small test per mechanism, on a freshly made model (ODD section 7).

Each test builds a ``CxOModel``, sets the state the mechanism reads, and calls the module's
function directly, so a failure points at one mechanism rather than at a whole run.
"""

import pytest

from cxo_sim import CxOModel
from cxo_sim.model.agents import ToolRequest
from cxo_sim.model.submodels import data, environment, money, relationship, reviews, security
from cxo_sim.model.submodels.campaigns import new_campaign
from cxo_sim.presets import PRESETS


# ---------------------------------------------------------------------- security (ODD 7.11)
def breach_p(model, tool, lag=0, **state):
    """The tool's weekly breach probability with ``state`` set on the tool or the model."""
    defaults = {"weakness": 0.4, "data_held": 0.5, "monitored": True, "threat": 0.5}
    defaults.update(state)
    tool.weakness = defaults["weakness"]
    tool.data_held = defaults["data_held"]
    tool.monitored = defaults["monitored"]
    tool.patched_at = model.security_weeks - lag
    model.threat = defaults["threat"]
    model.monitor_coverage = defaults.get("coverage", 1.0)
    return security.breach_probability(model, tool)


def test_breach_probability_grows_with_each_risk_factor_and_falls_with_monitoring():
    model = CxOModel(seed=1)
    model.security_weeks = 100
    tool = model.stack[0]
    base = breach_p(model, tool)
    assert 0 < base < 0.01
    assert breach_p(model, tool, weakness=0.9) > base > breach_p(model, tool, weakness=0.1)
    assert breach_p(model, tool, data_held=1.0) > base > breach_p(model, tool, data_held=0.0)
    assert breach_p(model, tool, lag=20) > breach_p(model, tool, lag=5) > base
    assert breach_p(model, tool, threat=1.0) > base > breach_p(model, tool, threat=0.1)
    assert breach_p(model, tool, threat=0.0) == 0.0
    unmonitored = breach_p(model, tool, monitored=False)
    assert unmonitored > base
    assert breach_p(model, tool, coverage=0.0) == pytest.approx(unmonitored)
    assert base < breach_p(model, tool, coverage=0.5) < unmonitored


def test_patch_lag_is_capped_and_the_probability_stays_a_probability():
    model = CxOModel(seed=1, constants={"BASE_HAZARD": 0.002})
    model.security_weeks = 1000
    tool = model.stack[0]
    cap = int(model.k.PATCH_LAG_CAP)
    assert breach_p(model, tool, lag=cap) == breach_p(model, tool, lag=5 * cap)
    worst = breach_p(model, tool, lag=cap, weakness=1.0, data_held=1.0, monitored=False, threat=1)
    assert 0 < worst <= 1.0


class NoDraws:
    """A stand-in for the model's generator whose draws never fall below a probability."""

    def random(self) -> float:
        return 1.0


@pytest.mark.parametrize("preset", ["old_world", "new_world", "best_practice"])
def test_the_security_week_adds_each_tools_breach_probability_to_the_risk(preset):
    # security_week inlines breach_probability for speed: the two must agree on every tool.
    from cxo_sim.presets import PRESETS

    model = CxOModel(seed=3, **PRESETS[preset])
    for _ in range(60):
        model.step()
    # The check needs monitored and unmonitored tools, whatever the preset's stack holds.
    model.stack[0].monitored, model.stack[1].monitored = False, True
    monitored = {tool.monitored for tool in model.stack}
    assert monitored == {True, False}, "the check needs monitored and unmonitored tools"
    for tool in model.stack[::2]:
        tool.patched_at -= 40  # some tools past the patch-lag cap
    highest = max(security.breach_probability(model, tool) for tool in model.stack)
    model.threat *= 1.5 / highest  # the riskiest tools' probabilities clipped at 1
    for tool in model.stack:
        tool.attacks = NoDraws()
    before = model.tally["breach_risk"]
    security.security_week(model)
    expected = [security.breach_probability(model, tool) for tool in model.stack]
    assert 1.0 in expected and min(expected) < 1.0
    assert model.tally["breach_risk"] - before == pytest.approx(sum(expected), rel=1e-12)


# ---------------------------------------------------------------------- data (ODD 7.5)
def test_granted_share_falls_with_strictness_and_is_whole_without_rules():
    shares = [
        data.granted_share(CxOModel(seed=1, data_governance="basic", data_strictness=s))
        for s in (0.0, 0.3, 0.7, 1.0)
    ]
    assert shares[0] == 1.0
    assert shares == sorted(shares, reverse=True) and len(set(shares)) == 4
    assert 0.0 <= shares[-1] < 1.0
    clear = CxOModel(seed=1, data_governance="clear", data_strictness=0.7)
    assert data.granted_share(clear) == shares[2]  # clarity is not strictness
    for strictness in (0.0, 0.5, 1.0):
        open_firm = CxOModel(seed=1, data_governance="none", data_strictness=strictness)
        assert data.granted_share(open_firm) == 1.0


# ---------------------------------------------------------------------- reviews (ODD 7.9)
def rejections(cio_risk: float, n: int = 300) -> float:
    """Share of ``n`` requests whose vendor a review turns down, for a CIO of ``cio_risk``."""
    model = CxOModel(seed=3, martech_budget=1_000_000.0)
    model.cio.base_risk = cio_risk
    model.step()
    marketer = model.team[0]
    cap = model.catalogue[0]
    for _ in range(n):
        request = ToolRequest(
            capability=cap,
            campaign=new_campaign(model, marketer),
            marketer=marketer,
            filed=model.week,
            stage="review",
            cost=1.0,
            weakness=model.vendor_weakness(vetted=False),
        )
        reviews.finish_review(model, request, float(model.week))
    assert model.tally["reviews_done"] == n
    return model.tally["review_rejections"] / n


def test_a_cautious_cio_rejects_more_vendors_than_a_lax_one():
    cautious, middling, lax = rejections(0.1), rejections(0.5), rejections(0.9)
    assert cautious > middling > lax
    assert cautious - lax > 0.2


def test_a_review_that_passes_buys_the_tool_reviewed():
    model = CxOModel(seed=3, martech_budget=1_000_000.0)
    model.cio.base_risk = 1.0
    model.step()
    marketer = model.team[0]
    cap = model.catalogue[0]
    campaign = new_campaign(model, marketer)
    request = ToolRequest(cap, campaign, marketer, filed=model.week, stage="review", weakness=0.0)
    before = len(model.stack)
    reviews.finish_review(model, request, float(model.week))
    assert request.stage == "closed" and len(model.stack) == before + 1
    tool = campaign.tools[cap]
    assert tool.reviewed and tool.monitored and not tool.bypass


# ---------------------------------------------------------------------- relationship (7.12)
def trust_after(n_marketers: int, good: float, bad: float, trust: float = 0.5) -> float:
    model = CxOModel(seed=1, n_marketers=n_marketers)
    model.trust = trust
    model.week_good, model.week_bad = good, bad
    relationship.update_trust(model)
    assert model.week_good == model.week_bad == 0.0
    return model.trust


def test_trust_moves_towards_the_share_of_good_interactions():
    assert 0.5 < trust_after(20, good=9, bad=1) < 0.9
    assert 0.1 < trust_after(20, good=1, bad=9) < 0.5
    assert trust_after(20, good=5, bad=5) == pytest.approx(0.5)
    assert trust_after(20, good=0, bad=0) == 0.5  # no evidence, no change
    assert trust_after(20, good=2, bad=0, trust=0.2) > 0.2
    # More evidence the same way moves it further, never past the share.
    assert trust_after(20, good=9, bad=1) < trust_after(20, good=90, bad=10) < 0.9


def test_a_five_times_larger_firm_moves_trust_the_same_on_the_same_shares():
    for good, bad in ((9, 1), (1, 4), (3, 3)):
        small = trust_after(20, good=good, bad=bad)
        large = trust_after(100, good=5 * good, bad=5 * bad)
        assert large == pytest.approx(small, rel=1e-12)
    # The same raw counts are less evidence in the larger firm.
    assert abs(trust_after(100, good=9, bad=1) - 0.5) < abs(trust_after(20, good=9, bad=1) - 0.5)


def test_under_the_combined_role_trust_is_between_it_and_marketing_staff():
    # One executive has no counterpart, but IT's and marketing's people still deal with each
    # other: their conflicts, bypasses seen and breaches move trust as in any firm (ODD 7.12).
    model = CxOModel(seed=1, combined_role=True)
    trust = model.trust
    model.week_good, model.week_bad = 0.0, 10.0
    relationship.update_trust(model)
    assert model.trust < trust


# ---------------------------------------------------------------------- decisions (ODD 7.7)
def test_a_patient_executive_deliberates_longer():
    patient = CxOModel(seed=1, cio_speed=0.1).cio
    hasty = CxOModel(seed=1, cio_speed=0.9).cio
    assert patient.decision_hours() > hasty.decision_hours() > 0
    assert patient.noise() < hasty.noise()


def test_an_executive_spends_only_the_hours_it_has():
    model = CxOModel(seed=1, exec_attention=2.0)
    model.step()
    cio = model.cio
    cio.new_week(2.0)
    assert cio.take(1.5) and cio.hours == pytest.approx(0.5)
    assert not cio.take(1.0) and cio.hours == pytest.approx(0.5)


# ---------------------------------------------------------------------- money (ODD 7.15)
def test_affordable_refuses_what_the_years_budget_cannot_carry():
    model = CxOModel(seed=1)
    model.step()
    weeks = money.weeks_left_in_year(model)
    assert weeks == 52
    _, _, sanctioned, outside = model.weekly_bill()
    setup = model.k.SETUP_WEEKS
    model.martech_left = sanctioned * weeks + 1000.0  # 1,000 k$ free after committed licences
    most = 1000.0 / (weeks + setup)  # the largest licence it can carry, set-up included
    assert money.affordable(model, 0.99 * most, sanctioned=True)
    assert not money.affordable(model, 1.01 * most, sanctioned=True)
    # It could pay that licence this week, but not to the end of the year.
    assert 1.01 * most < model.martech_left - sanctioned
    model.discretionary_left = outside * weeks + 520.0
    assert money.affordable(model, 9.9, sanctioned=False)
    assert not money.affordable(model, 10.1, sanctioned=False)


def test_an_empty_budget_affords_nothing_and_licences_already_bought_come_first():
    model = CxOModel(seed=1)
    model.step()
    model.martech_left = model.discretionary_left = 0.0
    assert not money.affordable(model, 0.01, sanctioned=True)
    assert not money.affordable(model, 0.01, sanctioned=False)
    _, _, sanctioned, _ = model.weekly_bill()
    model.martech_left = sanctioned * money.weeks_left_in_year(model)  # exactly committed
    assert not money.affordable(model, 0.01, sanctioned=True)


# ---------------------------------------------------------------------- environment (ODD 7.1)
def test_capability_ageing_draws_do_not_depend_on_practices():
    worlds = []
    for practices in ({}, {"pilot_first": True, "budget_owner": "cmo", "alignment": 0.9}):
        model = CxOModel(seed=21, emerging_rate=6.0, **practices)
        for _ in range(200):
            model.step()
        worlds.append(
            ([cap.name for cap in model.catalogue], [c.obsolete_since for c in model.catalogue])
        )
    assert worlds[0] == worlds[1]
    names, obsolete = worlds[0]
    assert any(week >= 0 for week in obsolete)  # something aged, so the check is not empty


def test_an_obsolete_capability_fades_then_leaves_the_catalogue():
    model = CxOModel(seed=1)
    cap = model.catalogue[0]
    model.week = 10
    cap.obsolete_since = 10
    environment.age_capabilities(model)
    full = cap.demand
    assert full == pytest.approx(cap.popularity)
    model.week = 10 + int(model.k.FADE_WEEKS)
    environment.age_capabilities(model)
    assert cap.demand == pytest.approx(full / 2)
    assert model.cum_demand[-1] == pytest.approx(sum(c.demand for c in model.catalogue))
    model.week = 10 + int(20 * model.k.FADE_WEEKS)
    environment.age_capabilities(model)
    assert cap not in model.catalogue


def test_breach_draws_come_from_each_tools_own_stream():
    """The n-th tool bought for a capability meets the same attacks whatever else happens."""
    a, b = CxOModel(seed=4), CxOModel(seed=4)
    b.random.random()  # the model's own stream moves on in one arm only
    cap = a.stack[0].capability
    same = next(c for c in b.tools_by_cap if c.name == cap.name)
    first_a = a.new_tool(cap, "known", "it")
    first_b = b.new_tool(same, "known", "it")
    assert [first_a.attacks.random() for _ in range(5)] == [
        first_b.attacks.random() for _ in range(5)
    ]
    second = a.new_tool(cap, "known", "it")
    assert second.attacks.random() != first_a.attacks.random()


# ------------------------------------------------------------- going around IT (ODD 7.6)
def test_no_blame_is_feared_for_buying_openly_under_marketings_rights():
    from cxo_sim.model.submodels.shadow_it import exposure

    cio = CxOModel(seed=1, mixed_teams=0.5)
    cmo = CxOModel(seed=1, mixed_teams=0.5, budget_owner="cmo")
    for model in (cio, cmo):
        model.step()
    marketer = cio.team[0]
    assert marketer.beside
    assert exposure(cio, marketer, tool=True) == cio.caught_beside > cio.caught > 0
    assert exposure(cmo, cmo.team[0], tool=True) == 0.0
    # governance binds data copies under any rights
    assert exposure(cmo, cmo.team[0], tool=False) == cmo.caught_beside


def test_a_cautious_cios_watching_and_scans_take_routine_time_from_patching():
    from cxo_sim.model.submodels import engineering

    def routine_use(risk):
        model = CxOModel(seed=1, cio_risk=risk)
        model.step()
        patched = []
        original = engineering.patch_tools
        engineering.patch_tools = lambda m, days, *due: patched.append(days) or 0.0
        try:
            engineering.engineers_work(model)
        finally:
            engineering.patch_tools = original
        return patched[0], model.discovery_coverage

    cautious, lax = routine_use(0.0), routine_use(1.0)
    assert cautious[0] < lax[0]  # less time left to patch
    assert lax[1] == 1.0  # a CIO who wants no scans runs them all
    switched = CxOModel(seed=1, cio_risk=0.0, constants={"MECH_WATCH_TIME": 0})
    switched.step()
    assert switched.discovery_coverage == 1.0


def test_embedded_engineers_sit_with_marketers_in_proportion_to_their_number():
    for share, expected in ((0.0, 0), (0.25, 7), (0.5, 10), (1.0, 20)):
        model = CxOModel(seed=1, mixed_teams=share, n_engineers=6, n_marketers=20)
        assert sum(m.beside for m in model.team) == expected


def test_a_liaison_finds_a_shadow_tool_only_by_hearing_of_it_and_then_tells_it():
    from cxo_sim.model.submodels.campaigns import liaison_finds

    model = CxOModel(seed=1, liaison=True)
    cap = next(c for c, tools in model.tools_by_cap.items() if tools)
    for tool in list(model.tools_by_cap[cap]):
        tool.status = "shadow"
    found = [liaison_finds(model, cap) is not None for _ in range(400)]
    assert 0.2 < sum(found) / len(found) < 0.4  # FIND_SHADOW = 0.3, not certain


def test_the_shared_board_helps_only_as_far_as_its_entries_are_kept():
    from cxo_sim.model.submodels.campaigns import find_tool

    def found_share(coverage):
        model = CxOModel(seed=5, shared_tools=True)
        model.board_coverage = coverage
        campaign = new_campaign(model, model.team[0])
        cap = next(c for c, tools in model.tools_by_cap.items() if tools)
        for tool in model.tools_by_cap[cap]:
            tool.status = "known"  # no colleague's shadow tool to hear of
        return sum(find_tool(model, campaign, cap) is not None for _ in range(2000)) / 2000

    assert found_share(0.0) == pytest.approx(0.6, abs=0.04)  # FIND_KNOWN
    assert found_share(1.0) == pytest.approx(0.9, abs=0.03)  # FIND_KNOWN_SHARED


# ------------------------------------------------------------- the liaison and pilots (7.13, 7.15)
def test_a_vetted_request_reaches_the_deciders_after_the_vetting():
    from cxo_sim.model.submodels import decisions

    model = CxOModel(seed=1, liaison=True)
    model.step()
    campaign = new_campaign(model, model.team[0])
    cap = campaign.needs[0]
    request = ToolRequest(
        capability=cap, campaign=campaign, marketer=model.team[0], filed=model.week, vetted=True
    )
    model.decision_queue = [request]
    for executive in model.executives:
        executive.hours = 100.0
    decisions.decide_requests(model)
    assert request.stage == "decision" and request.decided < 0  # still being vetted
    model.week += int(model.k.VET_WEEKS)
    decisions.decide_requests(model)
    assert request.decided == model.week or request.stage != "decision"


def test_a_campaign_on_a_pilot_reaches_only_a_test_segment():
    from cxo_sim.model.submodels.campaigns import launch

    values = {}
    for pilot in (False, True):
        model = CxOModel(seed=2)
        campaign = new_campaign(model, model.team[0])
        campaign.wants_data = False
        for cap in campaign.needs:
            tool = model.new_tool(cap, "reviewed", "it", pilot=pilot and cap is campaign.needs[0])
            campaign.tools[cap] = tool
        before = model.tally["campaign_value"]
        launch(model, campaign, float(model.week))
        values[pilot] = model.tally["campaign_value"] - before
    assert values[True] == pytest.approx(model.k.PILOT_REACH * values[False])


# ---------------------------------------------------------- choices by gain (7.6, 7.7)
def a_request(model, **fields):
    campaign = new_campaign(model, model.team[0])
    cap = campaign.needs[0]
    return ToolRequest(cap, campaign, model.team[0], filed=model.week, cost=1.0, **fields)


def test_escalating_pays_with_influence_and_costs_more_the_more_the_two_trust_each_other():
    from cxo_sim.model.submodels.decisions import escalation_gain

    model = CxOModel(seed=1)
    model.step()
    model.cmo.influence, model.cio.influence = 0.6, 0.2
    model.trust = 0.2
    strong = escalation_gain(model, model.cmo, 1.0)
    weak = escalation_gain(model, model.cio, 1.0)
    assert strong - weak == pytest.approx(0.5)  # wins 3 in 4 against 1 in 4
    model.trust = 0.8
    assert escalation_gain(model, model.cmo, 1.0) < strong
    assert escalation_gain(model, model.cmo, 0.0) < 0.0  # nothing at stake: never worth it


def test_an_executive_that_never_escalates_sends_nothing_to_the_ceo():
    from cxo_sim.model.policies import Policy

    class Loyal(Policy):
        def escalates(self, model, executive, request, gain):
            return False

    params = {**PRESETS["turf_war"], "budget_owner": "cio"}  # no negotiation to stall
    plain = CxOModel(seed=2, **params)
    loyal = CxOModel(seed=2, policy=Loyal(), **params)
    for model in (plain, loyal):
        for _ in range(104):
            model.step()
    assert plain.tally["escalations"] > 0
    assert loyal.tally["escalations"] == 0


def test_under_marketings_rights_alignment_makes_the_cmo_take_the_tool_the_firm_has():
    from cxo_sim.model.submodels.decisions import reuse_gain

    gains = []
    for alignment in (0.0, 1.0):
        model = CxOModel(seed=4, budget_owner="cmo", alignment=alignment)
        model.step()
        gains.append(reuse_gain(model, a_request(model, weakness=0.8), burden=2.0))
    # weighing IT's KPIs adds IT's licence, risk and queue to what a new tool costs the CMO
    assert gains[1] > gains[0]


def test_a_borrowed_tool_fits_less_well_and_costs_nothing():
    from cxo_sim.model.policies import Policy
    from cxo_sim.model.submodels import shadow_it

    class Borrows(Policy):
        def borrows(self, model, marketer, tool, gain):
            return True

    model = CxOModel(seed=5, policy=Borrows())
    model.step()
    request = a_request(model, stage="review")
    model.new_tool(request.capability, "reviewed", "it")
    existing = model.tools_by_cap[request.capability][0]  # a colleague's, known or not
    fit, tools = request.campaign.fit, len(model.stack)
    shadow_it.bypass(model, request, waited=3)
    assert request.campaign.tools[request.capability] is existing
    assert request.campaign.fit == pytest.approx(fit * model.k.REUSE_FIT)
    assert len(model.stack) == tools and request.stage == "closed"


def test_after_its_refusal_waiting_on_it_is_worth_nothing():
    model = CxOModel(seed=6)
    model.step()
    request = a_request(model)
    campaign, cap = request.campaign, request.capability
    waiting = model.around_gain(0.0, campaign, cap, price=True)
    refused = model.around_gain(0.0, campaign, cap, price=True, refused=True)
    assert refused >= waiting


def test_the_stacks_operations_are_paid_for_the_days_they_take():
    spends = {}
    for paid in (0.0, 1.0):
        model = CxOModel(seed=7, constants={"MECH_OPS_PAID": paid})
        for _ in range(26):
            model.step()
        spends[paid] = model.tally["tech_spend"]
    # the same weeks, the same work: only the bill differs, by whole engineer-days
    days = (spends[1.0] - spends[0.0]) / CxOModel(seed=7).k.ENGINEER_DAY_COST
    assert days > 26 * 0.5


# ------------------------------------------------------------------ seats (ODD 7.3, 7.15)
def test_a_further_user_adds_a_seat_to_the_licence_and_access_work_to_its_queue():
    model = CxOModel(seed=3)
    tool = next(t for t in model.stack if t.known and not t.platform and not t.pilot)
    first, second = (m.unique_id for m in list(model.team)[:2])
    licence, tasks = tool.weekly_cost, len(model.tasks)
    money.add_user(model, tool, first)  # its first user is what the licence was bought for
    assert tool.weekly_cost == licence and len(model.tasks) == tasks
    money.add_user(model, tool, second)
    seat = model.k.SEAT_SHARE * tool.licence  # 20 marketers: one twentieth of the team
    assert tool.weekly_cost == pytest.approx(licence + seat)
    assert model.weekly_bill()[0] == pytest.approx(sum(t.weekly_cost for t in model.stack))
    access = model.tasks[-1]
    assert (access.kind, access.effort, access.marketing, access.tool) == (
        "access",
        model.k.ACCESS_DAYS,
        True,
        tool,
    )
    money.add_user(model, tool, second)  # a user already on it adds nothing
    assert tool.weekly_cost == pytest.approx(licence + seat) and len(model.tasks) == tasks + 1


def test_a_shadow_tools_seat_is_paid_on_the_card_with_no_work_for_it():
    model = CxOModel(seed=3)
    cap = model.catalogue[0]
    tool = model.new_tool(cap, "shadow", "marketing", cost=2.0, bypass=True)
    ids = [m.unique_id for m in list(model.team)[:2]]
    tasks = len(model.tasks)
    for marketer in ids:
        money.add_user(model, tool, marketer)
    assert tool.weekly_cost == pytest.approx(2.0 * (1 + model.k.SEAT_SHARE))
    assert len(model.tasks) == tasks  # IT does not know the tool: no access work
    assert model.weekly_bill()[3] >= tool.weekly_cost  # on marketing's own money


def test_seats_are_priced_by_the_share_of_the_firm_and_switch_off():
    small, large = CxOModel(seed=3), CxOModel(seed=3, n_marketers=100)
    assert money.seat_price(large, 10.0) == pytest.approx(money.seat_price(small, 10.0) / 5)
    off = CxOModel(seed=3, constants={"MECH_SEATS": 0})
    assert money.seat_price(off, 10.0) == 0.0
    tool = next(t for t in off.stack if t.known and not t.platform)
    licence, tasks = tool.weekly_cost, len(off.tasks)
    for marketer in list(off.team)[:3]:
        money.add_user(off, tool, marketer.unique_id)
    assert tool.weekly_cost == licence and len(off.tasks) == tasks


def test_a_board_find_is_the_marketers_choice():
    from cxo_sim import Policy

    class Never(Policy):
        def takes_offer(self, model, marketer, gain):
            return False

    finds = {}
    for name, policy in (("default", None), ("never", Never())):
        model = CxOModel(seed=5, shared_tools=True, policy=policy)
        for _ in range(52):
            model.step()
        finds[name] = model.tally["campaigns_launched"], model.tally["decisions"]
    # refusing every find sends those campaigns to IT's queue instead: more decisions
    assert finds["never"][1] > finds["default"][1]
