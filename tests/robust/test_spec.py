"""A spec is validated before any run: one line naming the file, the key and the closest name."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxo_sim.cli import main
from cxo_sim.errors import UserError
from cxo_sim.robust.spec import load_spec


def test_a_valid_spec_enumerates_every_combination_of_the_levers(write_spec):
    spec = load_spec(write_spec())
    assert [label for label, _ in spec.designs] == [
        "budget_owner=cio, liaison=false",
        "budget_owner=cio, liaison=true",
        "budget_owner=cmo, liaison=false",
        "budget_owner=cmo, liaison=true",
    ]
    assert spec.constants["HYPE_START"] == (0.2, 1.0)
    assert [o.direction for o in spec.objectives] == ["up", "down"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "liaison = [false, true]",
            "liason = [false, true]",
            "levers.liason: unknown lever 'liason'; did you mean 'liaison'?",
        ),
        (
            'HYPE_START = "plausible"',
            'HYPE_STRAT = "plausible"',
            "unknown constant 'HYPE_STRAT'; did you mean 'HYPE_START'?",
        ),
        (
            'outcome = "breaches"',
            'outcome = "breachs"',
            "objectives[1].outcome: unknown outcome 'breachs'; did you mean 'breaches'?",
        ),
        (
            "cmo_speed = { min = 0.2, max = 1.0 }",
            "liaison = [false, true]",
            "uncertainties.context.liaison: is also a lever",
        ),
        (
            'HYPE_START = "plausible"',
            "HYPE_START = { min = 0.1, max = 0.5 }",
            "expected min < max within 0.2 to 1",
        ),
        ("worlds = 6", 'worlds = 6\nsampler = "sobol"', "sobol needs a power of two worlds"),
        ("threshold = 0", 'threshold = "zero"', "objectives[0].threshold: expected a number"),
        (
            'budget_owner = ["cio", "cmo"]\nliaison = [false, true]',
            '[[designs]]\nname = "small"\nn_marketers = 5',
            "designs.small.n_marketers: is uncertain context",
        ),
        (
            "liaison = [false, true]",
            'liaison = [false, true]\n[[designs]]\nname = "x"',
            "give [levers] (every combination) or [[designs]], not both",
        ),
    ],
)
def test_a_bad_spec_names_the_key_and_the_closest_name(write_spec, tiny, old, new, message):
    assert old in tiny
    with pytest.raises(UserError, match=None) as error:
        load_spec(write_spec(tiny.replace(old, new)))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_bad_spec_exits_2_with_one_line_and_writes_nothing(write_spec, tiny, tmp_path, capsys):
    path = write_spec(tiny.replace("liaison = [false, true]", "liason = [false, true]"))
    status = main(["robust", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "did you mean 'liaison'" in err
    assert not (tmp_path / "out").exists()


def test_every_committed_spec_loads(monkeypatch):
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)  # a posterior's path is read from the repository's root
    specs = sorted((root / "experiments" / "robust").glob("*.toml"))
    assert specs
    for path in specs:
        spec = load_spec(path)
        assert spec.designs and spec.objectives
        # minutes, not hours: 2,304 runs of 156 weeks took about two minutes on 2 cores
        assert len(spec.designs) * spec.worlds * spec.replications <= 3_000
