import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxo_sim import submodels as sm


def bp(**kw):
    base = dict(
        vulnerability=0.4,
        data_held=0.5,
        patch_lag=0,
        reviewed=True,
        monitored=True,
        threat=0.5,
        governance="basic",
    )
    base.update(kw)
    return sm.breach_probability(**base)


def test_breach_probability_grows_with_each_risk_factor():
    base = bp()
    assert 0 < base < 0.01
    assert bp(vulnerability=0.9) > base
    assert bp(data_held=1.0) > base
    assert bp(patch_lag=20) > base
    assert bp(threat=1.0) > base
    assert bp(reviewed=False) == pytest.approx(base * sm.UNREVIEWED_HAZARD)
    assert bp(monitored=False) == pytest.approx(base * sm.UNMONITORED_HAZARD)
    assert bp(governance="clear") < base < bp(governance="none")
    assert bp(threat=0.0) == 0.0


unit = st.floats(min_value=0.0, max_value=1.0)
# The riskiest tool there is (short of the threat and the access controls).
WORST_TOOL = dict(vulnerability=1, data_held=1, patch_lag=999, reviewed=False, monitored=False)


@given(
    vulnerability=unit,
    data_held=unit,
    patch_lag=st.integers(min_value=0, max_value=10 * sm.PATCH_LAG_CAP),
    reviewed=st.booleans(),
    monitored=st.booleans(),
    threat=unit,
    governance=st.sampled_from(sorted(sm.ACCESS_CONTROL_HAZARD)),
)
def test_no_tool_exceeds_the_bound_the_security_week_skips_by(**state):
    assert sm.breach_probability(**state) <= sm.breach_probability_bound(state["threat"])


def test_the_bound_is_tight_at_the_worst_tool():
    worst = WORST_TOOL
    for threat in (0.1, 0.5, 1.0):
        assert sm.breach_probability_bound(threat) == pytest.approx(
            bp(**worst, threat=threat, governance="none"), rel=1e-8
        )
    assert sm.breach_probability_bound(0.5) > bp(**worst, threat=0.5, governance="basic")
    threats = [i / 10_000 for i in range(10_001)]
    assert all(
        sm.breach_probability_bound(t) >= bp(**worst, threat=t, governance="none") for t in threats
    )


def test_patch_lag_effect_is_capped():
    assert bp(patch_lag=sm.PATCH_LAG_CAP) == bp(patch_lag=sm.PATCH_LAG_CAP * 5)


def test_breach_probability_stays_a_probability():
    assert bp(**WORST_TOOL, threat=1, governance="none") <= 1.0


def test_detection_is_later_without_monitoring():
    draws = [i / 100 for i in range(100)]
    monitored = sum(sm.detection_weeks(True, d) for d in draws) / 100
    unmonitored = sum(sm.detection_weeks(False, d) for d in draws) / 100
    assert 1 <= monitored < unmonitored
    assert sm.detection_weeks(True, 0.0) == 1


def test_breach_cost_scales_with_data_control_and_lag():
    base = sm.breach_cost(0.0, 0.5, "basic", 0)
    assert base == pytest.approx(sm.BREACH_COST_MEDIAN * 0.8)
    assert sm.breach_cost(0.0, 1.0, "basic", 0) > base
    assert sm.breach_cost(0.0, 0.5, "clear", 0) < base < sm.breach_cost(0.0, 0.5, "none", 0)
    assert sm.breach_cost(0.0, 0.5, "basic", 52) == pytest.approx(
        (1 + sm.LATE_DISCOVERY_COST) * base
    )


def test_compliance_probability():
    assert sm.compliance_probability(0.0, "none", True) == 0.0
    assert (
        sm.compliance_probability(0.8, "clear", False)
        < sm.compliance_probability(0.8, "basic", False)
        < sm.compliance_probability(0.8, "none", False)
    )
    assert sm.compliance_probability(0.8, "basic", True) == pytest.approx(
        sm.SHADOW_COMPLIANCE * sm.compliance_probability(0.8, "basic", False)
    )


def test_patience_falls_with_urgency_and_distrust_rises_with_alignment():
    base = sm.patience_weeks(0.5, 0.5, 0.0)
    assert sm.patience_weeks(0.9, 0.5, 0.0) < base
    assert sm.patience_weeks(0.5, 0.1, 0.0) < base
    assert sm.patience_weeks(0.5, 0.5, 0.8) > base
    assert sm.patience_weeks(1.0, 0.0, 0.0) > 0


def test_kpis_reflect_preferences():
    # The CMO values campaign value more the more urgent it is; the CIO dislikes risk.
    assert sm.cmo_kpi(1, 1, 0.3, 0.5, 0.5, 0.9) > sm.cmo_kpi(1, 1, 0.3, 0.5, 0.5, 0.1)
    assert sm.cio_kpi(1, 1, 0.8, 1, 0.3, 0.1) < sm.cio_kpi(1, 1, 0.1, 1, 0.3, 0.1)
    assert sm.cio_kpi(1, 2, 0.1, 1, 0.0, 0.5) < sm.cio_kpi(1, 2, 0.1, 1, 1.0, 0.5)
    assert sm.blended_score(1.0, -2.0, 0.0) == 1.0
    assert sm.blended_score(1.0, -2.0, 0.5) == 0.0


def test_ceo_sides_by_relative_influence():
    assert sm.ceo_sides_with_cmo(0.9, 0.1, 0.5)
    assert not sm.ceo_sides_with_cmo(0.1, 0.9, 0.5)
    assert sm.ceo_sides_with_cmo(0.0, 0.0, 0.49)


def test_campaign_value_personalisation_and_decay():
    plain = sm.campaign_value(100, 1.0, False, 1.0, 0)
    assert plain == 100
    assert sm.campaign_value(100, 1.0, True, 1.0, 0) == pytest.approx(
        100 * (1 + sm.PERSONALISATION_UPLIFT)
    )
    assert sm.campaign_value(100, 1.0, True, 0.0, 0) == 100
    assert sm.campaign_value(100, 0, False, 1, 26) == pytest.approx(100 / math.e)


def test_clamp01():
    assert sm.clamp01(-1) == 0.0 and sm.clamp01(2) == 1.0 and sm.clamp01(0.3) == 0.3
