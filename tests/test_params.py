import math

import pytest

from cxo_sim import PARAMETERS, PRESETS, CxOModel, presets
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
        "data_strictness",
        "liaison",
        "self_serve_platform",
        "pilot_first",
        "cio_spend",
        "cio_risk",
        "cio_speed",
        "cmo_spend",
        "cmo_risk",
        "cmo_speed",
        "exec_attention",
        "martech_budget",
        "marketing_discretionary",
    ):
        assert name in PARAMETERS


def test_executive_attention_is_hours_a_week():
    p = PARAMETERS["exec_attention"]
    assert p.kind == "float" and p.unit == "hours/week"
    assert (p.low, p.high) == (0.0, 40.0)
    assert p.low < p.default < p.high
    assert validate({"exec_attention": 7.5}) == {"exec_attention": 7.5}
    assert validate({"exec_attention": 0}) == {"exec_attention": 0.0}
    assert CxOModel(seed=1, exec_attention=2.5).exec_attention == 2.5


def test_data_strictness_is_a_dial_from_open_to_locked_down():
    p = PARAMETERS["data_strictness"]
    assert p.kind == "float" and (p.low, p.high) == (0.0, 1.0)
    assert p.group == "practices"
    assert "data_strictness" in DEFAULTS
    assert validate({"data_strictness": 1}) == {"data_strictness": 1.0}


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
        ("exec_attention", 40.5),
        ("exec_attention", -1.0),
        ("exec_attention", "lots"),
        ("data_strictness", 1.2),
        ("data_strictness", -0.1),
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


def test_presets_are_complete_and_as_the_odd_describes():
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
    # The presets differ in organisation design, not in the firm or the data rules' strictness.
    for name in ("n_marketers", "n_engineers", "martech_budget", "exec_attention"):
        assert len({params[name] for params in PRESETS.values()}) == 1, name
    assert {params["data_strictness"] for params in PRESETS.values()} == {
        DEFAULTS["data_strictness"]
    }


def test_presets_module_cites_the_odd():
    doc = presets.__doc__
    assert "ODD" in doc and "MODEL.md" not in doc


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
