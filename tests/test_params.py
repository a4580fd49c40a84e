import math

import pytest

from cxo_sim import PARAMETERS, PRESETS, CxOModel
from cxo_sim.params import DEFAULTS, GROUPS, markdown_table, parse_assignment, resolve, validate
from cxo_sim.presets import PRESET_CHANGES, preset


def test_every_parameter_is_fully_declared():
    for p in PARAMETERS.values():
        assert p.kind in ("float", "int", "bool", "choice")
        assert p.meaning and p.source
        assert p.group in GROUPS
        assert p.validate(p.default) == p.default
        if p.kind in ("float", "int"):
            assert p.low < p.high
            assert p.low <= p.default <= p.high
        if p.kind == "choice":
            assert p.default in p.choices


def test_model_spec_parameters_are_registered():
    for name in (
        "budget_owner",
        "combined_role",
        "alignment",
        "meeting_interval",
        "mixed_teams",
        "shared_tools",
        "data_governance",
        "liaison",
        "self_serve_platform",
        "pilot_first",
        "cio_spend",
        "cio_risk",
        "cio_speed",
        "cmo_spend",
        "cmo_risk",
        "cmo_speed",
    ):
        assert name in PARAMETERS


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("alignment", 1.5),
        ("alignment", -0.1),
        ("alignment", "high"),
        ("alignment", math.nan),
        ("meeting_interval", 2.5),
        ("meeting_interval", 53),
        ("budget_owner", "ceo"),
        ("liaison", "yes"),
        ("liaison", 1),
        ("n_marketers", 0),
    ],
)
def test_invalid_values_name_parameter_value_and_allowed(name, value):
    with pytest.raises(ValueError) as err:
        validate({name: value})
    text = str(err.value)
    assert repr(name) in text
    assert "expected" in text


def test_unknown_name_suggests_closest():
    with pytest.raises(ValueError, match="did you mean 'meeting_interval'"):
        validate({"meeting_intervall": 2})
    with pytest.raises(ValueError, match="did you mean 'cio_risk'"):
        CxOModel(seed=1, cio_rsk=0.3)


def test_model_rejects_bad_values():
    with pytest.raises(ValueError, match="'cmo_speed'"):
        CxOModel(seed=1, cmo_speed=2)


def test_integral_float_accepted_for_int_and_int_for_float():
    assert validate({"meeting_interval": 2.0}) == {"meeting_interval": 2}
    assert validate({"alignment": 1}) == {"alignment": 1.0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alignment=0.5", ("alignment", 0.5)),
        ("liaison=true", ("liaison", True)),
        ("liaison=off", ("liaison", False)),
        ("budget_owner=cmo", ("budget_owner", "cmo")),
        ("meeting_interval=4", ("meeting_interval", 4)),
    ],
)
def test_parse_assignment(text, expected):
    assert parse_assignment(text) == expected


@pytest.mark.parametrize("text", ["alignment", "alignment=lots", "liaison=maybe", "nope=1"])
def test_parse_assignment_errors(text):
    with pytest.raises(ValueError):
        parse_assignment(text)


def test_presets_are_complete_and_match_model_md():
    assert set(PRESETS) == {"old_world", "new_world", "combined_role", "turf_war", "best_practice"}
    for params in PRESETS.values():
        assert set(params) == set(DEFAULTS)
        assert resolve(params) == params
    assert PRESETS["old_world"]["budget_owner"] == "cio"
    assert PRESETS["old_world"]["data_governance"] == "basic"
    assert PRESETS["new_world"]["budget_owner"] == "cmo"
    assert PRESETS["combined_role"]["combined_role"] is True
    assert PRESETS["turf_war"]["budget_owner"] == "shared"
    assert PRESETS["turf_war"]["initial_trust"] < DEFAULTS["initial_trust"]
    best = PRESETS["best_practice"]
    assert best["budget_owner"] == "shared" and best["alignment"] >= 0.7
    assert best["meeting_interval"] == 2 and best["mixed_teams"] > 0
    assert best["shared_tools"] and best["liaison"] and best["self_serve_platform"]
    assert best["pilot_first"] and best["data_governance"] == "clear"
    for name, changes in PRESET_CHANGES.items():
        if name != "best_practice":
            assert changes["meeting_interval"] == 0 and not changes["liaison"]


def test_preset_copy_is_independent_and_unknown_preset_suggests():
    p = preset("old_world")
    p["alignment"] = 0.9
    assert PRESETS["old_world"]["alignment"] != 0.9
    with pytest.raises(ValueError, match="did you mean 'new_world'"):
        preset("new_wrld")


def test_markdown_table_lists_every_parameter():
    table = markdown_table()
    for name in PARAMETERS:
        assert f"`{name}`" in table
