"""`cxo-sim params` lists the registry and the presets; `cxo-sim --help` shows examples."""

from __future__ import annotations

import pytest

from cxo_sim.analysis.numbers import value_text
from cxo_sim.cli import main
from cxo_sim.cli.params import allowed_text
from cxo_sim.params import GROUP_TITLES, PARAMETERS
from cxo_sim.presets import PRESETS


def test_params_lists_every_parameter_with_bounds_default_and_unit(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    for name, p in PARAMETERS.items():
        line = lines[name]
        assert allowed_text(p) in line and p.meaning in line, name
        assert f" {value_text(p.default)} " in line, name
        if p.unit:
            assert f" {p.unit} " in line, name
    for title in GROUP_TITLES.values():
        assert f"{title}:" in out
    for preset in PRESETS:
        assert f"  {preset}: " in out


def test_allowed_values_read_plainly():
    kinds = {p.kind: p for p in PARAMETERS.values()}
    assert allowed_text(kinds["bool"]) == "true/false"
    assert allowed_text(kinds["choice"]) == " | ".join(kinds["choice"].choices)
    number = kinds["float"]
    assert allowed_text(number) == f"{value_text(number.low)} to {value_text(number.high)}"
    assert value_text(0.1 + 0.2) == "0.3" and value_text(9600.0) == "9600"


def test_help_shows_examples(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "cxo-sim params" in out and "cxo-sim report results/" in out
