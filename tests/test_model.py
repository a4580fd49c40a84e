import math
import random
from itertools import accumulate

import mesa
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxo_sim import OUTCOMES, PARAMETERS, PRESETS, CxOModel, simulate
from cxo_sim.agents import Engineer, Executive, Liaison, Marketer, Tool
from cxo_sim.model import ShuffleRandom
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.submodels import PATCH_LAG_CAP

SHARES = ("shadow_spend_share", "trust", "utilization")


def run(steps=156, seed=1, **params):
    model = CxOModel(seed=seed, **params)
    for _ in range(steps):
        model.step()
    return model


def check_invariants(model: CxOModel) -> None:
    out = model.outcomes(diagnostics=True)
    for name, value in out.items():
        if name == "median_lead_time" and math.isnan(value):
            continue
        if name == "platform_ready_week":
            assert value >= -1
            continue
        assert value >= 0, (name, value)
    for name in SHARES:
        assert 0.0 <= out[name] <= 1.0, (name, out[name])
    tools = list(model.tools)
    assert out["tool_count"] == len(tools) == sum(len(v) for v in model.tools_by_cap.values())
    assert all(t.active for t in tools)
    statuses = [t.status for t in tools]
    assert set(statuses) <= {"reviewed", "known", "shadow"}
    assert out["shadow_tools"] == statuses.count("shadow")
    assert out["unreviewed_tools"] == statuses.count("known")
    assert 0 <= out["redundant_tools"] < max(1, out["tool_count"])
    assert model.martech_left >= 0 and model.discretionary_left >= 0
    assert 0 <= model.threat <= 1
    for executive in model.executives:
        assert 0 <= executive.influence <= 1
        assert 0 <= executive.risk <= 1 and 0 <= executive.speed <= 1
    assert out["breach_cost"] == 0 or out["breaches"] > 0
    assert out["campaigns_launched"] == len(model.lead_times)
    assert out["coordination_cost"] <= out["tech_spend"] + 1e-6
    assert out["shadow_breaches"] <= out["breaches"]
    check_kept_state(model, tools)


def check_kept_state(model: CxOModel, tools: list) -> None:
    """What the model keeps between weeks for speed equals what it would work out afresh."""
    assert model.stack == tools  # Mesa's AgentSet order
    assert model.team == list(model.marketers)
    for tool in tools:
        assert tool.known == (tool.status != "shadow")
        assert tool.reviewed == (tool.status == "reviewed")
        assert 0 <= tool.patch_lag <= PATCH_LAG_CAP
    licences = shadow = sanctioned = outside = 0.0
    for tool in tools:
        licences += tool.weekly_cost
        shadow += tool.weekly_cost if tool.status == "shadow" else 0.0
        if tool.bypass:
            outside += tool.weekly_cost
        else:
            sanctioned += tool.weekly_cost
    assert model.weekly_bill() == (licences, shadow, sanctioned, outside)
    assert model._cum_demand == list(accumulate(cap.demand for cap in model.catalogue))
    assert model.hyped == [cap for cap in model.catalogue if cap.hype > 0.0]


def test_same_seed_same_series_different_seed_different():
    a = run(seed=7, **PRESETS["turf_war"]).datacollector.get_model_vars_dataframe()
    b = run(seed=7, **PRESETS["turf_war"]).datacollector.get_model_vars_dataframe()
    c = run(seed=8, **PRESETS["turf_war"]).datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_series_has_every_outcome_and_one_row_per_week():
    model = run(steps=30)
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(OUTCOME_NAMES + DIAGNOSTIC_NAMES)
    assert len(df) == 31
    last = df.iloc[-1].to_dict()
    for name, value in model.outcomes().items():
        assert last[name] == pytest.approx(value, nan_ok=True)


def test_simulate_returns_exactly_the_fixed_outcomes():
    out = simulate(steps=52, seed=3, budget_owner="cmo")
    assert list(out) == list(OUTCOMES)
    assert all(isinstance(v, float) for v in out.values())
    assert simulate(steps=52, seed=3, budget_owner="cmo") == out
    extended = simulate(steps=52, seed=3, budget_owner="cmo", diagnostics=True)
    assert set(extended) == set(OUTCOMES) | set(DIAGNOSTIC_NAMES)


def test_agents_are_mesa_agents_of_each_kind():
    model = CxOModel(seed=1, **PRESETS["best_practice"])
    kinds = model.agents_by_type
    assert len(kinds[Marketer]) == model.n_marketers
    assert len(kinds[Engineer]) == model.n_engineers
    assert len(kinds[Executive]) == 2
    assert len(kinds[Liaison]) == 1
    assert len(kinds[Tool]) > 0
    assert sum(e.embedded for e in model.engineers) == round(model.mixed_teams * model.n_engineers)
    assert isinstance(model.marketers, mesa.agent.AgentSet)


def test_combined_role_has_one_executive_and_no_conflicts():
    model = run(**PRESETS["combined_role"])
    assert model.executives == [model.cio] and model.cio is model.cmo
    assert model.cio.role == "combined"
    assert model.outcomes()["conflicts"] == 0
    assert model.outcomes()["escalations"] == 0


def test_no_liaison_agent_unless_the_practice_is_on():
    assert CxOModel(seed=1).liaison is None
    assert Liaison not in CxOModel(seed=1).agents_by_type


def test_batch_run_works_as_mesa_documents_it():
    results = mesa.batch_run(
        CxOModel,
        parameters={"budget_owner": ["cio", "cmo"], "seed": [1, 2]},
        iterations=1,
        max_steps=20,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    assert len(df) == 4
    assert set(OUTCOME_NAMES) <= set(df.columns)
    assert (df["Step"] == 20).all()
    direct = simulate(steps=20, seed=1, budget_owner="cmo")
    row = df[(df.budget_owner == "cmo") & (df.seed == 1)].iloc[0]
    assert row["tool_count"] == direct["tool_count"]
    assert row["trust"] == pytest.approx(direct["trust"])


def test_shared_tools_make_every_bypass_visible():
    model = run(seed=2, **{**PRESETS["turf_war"], "shared_tools": True})
    bought_around = [t for t in model.tools if t.bypass and t.bought_week > 0]
    assert model.outcomes(diagnostics=True)["bypasses"] > 0
    assert all(t.status != "shadow" for t in bought_around)


def test_self_serve_platform_goes_live_and_is_used():
    model = run(seed=3, **{**PRESETS["old_world"], "self_serve_platform": True})
    assert model.platform_ready_week > 0
    platform = [t for t in model.tools if t.platform]
    assert platform and all(t.reviewed and t.integrated for t in platform)
    assert model.outcomes()["coordination_cost"] > 0


def test_pilots_start_and_end():
    model = run(seed=4, **{**PRESETS["old_world"], "pilot_first": True, "emerging_rate": 12.0})
    texts = [e.text for e in model.events if e.kind == "pilot"]
    assert any("pilot of" in t for t in texts)
    assert any("scaled up" in t or "was stopped" in t for t in texts)


def test_meetings_cost_money_and_happen_on_schedule():
    model = run(seed=5, **{**PRESETS["old_world"], "meeting_interval": 4})
    assert model.outcomes()["coordination_cost"] == pytest.approx(39 * model.MEETING_COST)


def test_clear_governance_is_set_up_then_live():
    model = CxOModel(seed=1, data_governance="clear")
    assert model.governance == "basic"
    for _ in range(52):
        model.step()
    assert model.governance_live and model.governance == "clear"


def test_event_log_speaks_plain_words():
    model = run(seed=1, **PRESETS["turf_war"])
    texts = [e.text for e in model.events]
    assert any("around IT after waiting" in t for t in texts)
    assert all(t.startswith(f"week {e.week}:") for t, e in zip(texts, model.events, strict=True))
    assert not any(" a a" in t or " a e" in t for t in texts)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_invariants_hold_every_week_of_every_preset(preset):
    model = CxOModel(seed=11, **PRESETS[preset])
    for _ in range(156):
        model.step()
        check_invariants(model)


def _edge_cases():
    cases = []
    for p in PARAMETERS.values():
        if p.kind in ("float", "int"):
            cases += [(p.name, p.low), (p.name, p.high)]
        elif p.kind == "bool":
            cases += [(p.name, True), (p.name, False)]
        else:
            cases += [(p.name, c) for c in p.choices]
    return cases


@pytest.mark.parametrize(("name", "value"), _edge_cases())
def test_every_parameter_at_the_edges_of_its_range(name, value):
    big = name in ("n_marketers", "n_engineers", "n_capabilities") and value > 100
    model = CxOModel(seed=5, **{name: value})
    for _ in range(8 if big else 104):
        model.step()
        check_invariants(model)


def _param_strategy():
    fields = {}
    for p in PARAMETERS.values():
        if p.name in ("n_marketers", "n_engineers", "n_capabilities"):
            fields[p.name] = st.integers(int(p.low), {"n_marketers": 60}.get(p.name, 30))
        elif p.name in ("martech_budget", "marketing_discretionary"):
            fields[p.name] = st.floats(0.0, 30_000.0)
        elif p.kind == "float":
            fields[p.name] = st.floats(p.low, p.high)
        elif p.kind == "int":
            fields[p.name] = st.integers(int(p.low), int(p.high))
        elif p.kind == "bool":
            fields[p.name] = st.booleans()
        else:
            fields[p.name] = st.sampled_from(p.choices)
    return st.fixed_dictionaries(fields)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=_param_strategy(), seed=st.integers(0, 2**31))
def test_invariants_over_generated_parameter_sets(params, seed):
    model = CxOModel(seed=seed, **params)
    for week in range(60):
        model.step()
        if week % 5 == 4:
            check_invariants(model)


@given(seed=st.integers(min_value=0, max_value=2**63), size=st.integers(min_value=0, max_value=70))
def test_model_generator_shuffles_exactly_as_pythons(seed, size):
    ours, python = ShuffleRandom(seed), random.Random(seed)
    mine, theirs = list(range(size)), list(range(size))
    ours.shuffle(mine)
    python.shuffle(theirs)
    assert mine == theirs
    assert ours.getstate() == python.getstate()


def test_shuffle_do_orders_agents_as_a_plain_generator_would():
    model = CxOModel(seed=11)
    assert type(model.random) is ShuffleRandom
    plain = random.Random()
    plain.setstate(model.random.getstate())
    expected = list(model.marketers)
    plain.shuffle(expected)
    acted: list = []
    model.marketers.shuffle_do(acted.append)
    assert acted == expected
    assert model.random.getstate() == plain.getstate()
