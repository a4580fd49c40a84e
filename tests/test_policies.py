"""Decisions behind one interface (``cxo_sim.model.policies``, ODD 7.17)."""

import pytest

from cxo_sim import CxOModel
from cxo_sim.model.policies import CHOICES, Policy, Threshold
from cxo_sim.presets import PRESETS


def run(weeks=104, **kwargs):
    model = CxOModel(**kwargs)
    for _ in range(weeks):
        model.step()
    return model


class Recorder(Policy):
    """The default answers, with a count of each choice asked."""

    def __init__(self):
        self.asked = dict.fromkeys(CHOICES, 0)

    def yes(self, choice, gain):
        self.asked[choice] += 1
        return super().yes(choice, gain)


def test_the_default_policy_is_the_odds_agents():
    params = PRESETS["best_practice"]
    plain = run(seed=3, **params).outcomes(diagnostics=True)
    recorded = run(seed=3, policy=Recorder(), **params).outcomes(diagnostics=True)
    assert recorded == plain


def test_every_choice_goes_through_the_policy():
    asked = dict.fromkeys(CHOICES, 0)
    designs = [
        {**PRESETS["old_world"], "meeting_interval": 2},  # disclosure, going around, consent
        PRESETS["new_world"],  # skipping IT's review
        {**PRESETS["old_world"], "data_governance": "basic", "data_strictness": 0.9},
        {**PRESETS["old_world"], "liaison": True},  # the liaison's offers
    ]
    for params in designs:
        for seed in (1, 2):
            recorder = Recorder()
            run(seed=seed, policy=recorder, **params)
            for choice, count in recorder.asked.items():
                asked[choice] += count
    assert all(count > 0 for count in asked.values()), asked


def test_a_policy_stands_in_for_one_choice_and_the_model_follows():
    class Loyal(Policy):
        def goes_around(self, model, marketer, campaign, gain):
            return False

    params = PRESETS["turf_war"]
    plain = run(seed=2, **params).outcomes(diagnostics=True)
    loyal = run(seed=2, policy=Loyal(), **params).outcomes(diagnostics=True)
    assert plain["bypasses"] > 0
    assert loyal["bypasses"] == 0
    assert loyal["shadow_tools"] <= plain["shadow_tools"]


def test_a_threshold_rule_above_every_gain_stops_marketers_going_around():
    # A stricter rule need not mean fewer purchases around IT in between: marketers who no
    # longer buy without asking file requests, IT's queue grows and long waits then clear
    # higher thresholds (the congestion of ODD 7.6). At the extremes the order is certain.
    params = PRESETS["turf_war"]

    def bypasses(threshold):
        rule = Threshold(goes_around=threshold)
        return sum(
            run(seed=s, policy=rule, **params).outcomes(diagnostics=True)["bypasses"]
            for s in (1, 2, 3)
        )

    never = bypasses(2.0)  # acting around IT never gains two campaigns' worth
    assert never == 0
    assert bypasses(-0.5) > never
    assert bypasses(0.0) > never


def test_bad_policies_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown choice 'bypass'"):
        Threshold(bypass=0.1)
    with pytest.raises(ValueError, match="policy must be a cxo_sim Policy"):
        CxOModel(seed=1, policy=lambda *a: True)
