"""The robustness analyses over the behavioural constants, on tiny settings."""

import math

import pytest

from cxo_sim.cli import main
from cxo_sim.constants import CONSTANTS, DEFAULTS
from cxo_sim.validation.patterns import PRACTICES, patterns
from cxo_sim.validation.robustness import (
    SIGN_OUTCOMES,
    Conclusions,
    conclusions_across_constants,
    format_conclusions,
    latin_hypercube,
    measure_conclusions,
)
from cxo_sim.validation.screen import NOISE, SCREEN_OUTCOMES, format_screen, screen_constants

SEEDS = range(3)
WEEKS = 26


def test_screen_covers_every_constant_and_outcome():
    screen = screen_constants(trajectories=2, seeds=[1], steps=13)
    # Morris: (factors + 1) points per trajectory; the factors are the constants and the dummy.
    assert screen.runs == (len(CONSTANTS) + 2) * 2
    for outcome in SCREEN_OUTCOMES:
        assert set(screen.mu_star[outcome]) == {*CONSTANTS, NOISE}
        assert set(screen.sigma[outcome]) == {*CONSTANTS, NOISE}
        assert all(v >= 0 and math.isfinite(v) for v in screen.mu_star[outcome].values())
    assert max(screen.influence().values()) == pytest.approx(1.0)
    text = format_screen(screen, top=5)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == 5
    assert f"**{NOISE}**" in text  # the noise floor is always shown
    assert f"{len(CONSTANTS) - 5} more constants" in text
    assert "below the seed noise on every outcome" in text


def test_latin_hypercube_stays_in_range_and_is_seeded():
    sets = latin_hypercube(5, sample_seed=3)
    assert len(sets) == 5
    assert sets == latin_hypercube(5, sample_seed=3)
    assert sets != latin_hypercube(5, sample_seed=4)
    for name, c in CONSTANTS.items():
        values = sorted(s[name] for s in sets)
        assert c.low <= values[0] and values[-1] <= c.high
        # One value in each fifth of the range: a Latin hypercube.
        bins = [int((v - c.low) / (c.high - c.low) * 5) for v in values]
        assert bins == [0, 1, 2, 3, 4]


@pytest.fixture(scope="module")
def conclusions():
    return conclusions_across_constants(n_sets=3, seeds=SEEDS, only=("P6",), steps=WEEKS)


def test_conclusions_table_shape(conclusions):
    assert len(conclusions.sets) == len(conclusions.samples) == 3
    for practice in PRACTICES:
        for outcome in SIGN_OUTCOMES:
            assert conclusions.default.signs[practice][outcome] in ("+", "-", "n.s.")
            assert 0.0 <= conclusions.sign_share(practice, outcome) <= 1.0
            assert sum(conclusions.sign_counts(practice, outcome).values()) == 3
    assert set(conclusions.default.passes) == {"P6"}
    assert 0.0 <= conclusions.pass_share("P6") <= 1.0
    text = format_conclusions(conclusions)
    assert sum(line.startswith(f"| {p} |") for p in PRACTICES for line in text.splitlines()) == 8
    assert "| P6 |" in text


def test_default_constants_reproduce_the_default_signs(conclusions):
    again = measure_conclusions(dict(DEFAULTS), SEEDS, only=("P6",), steps=WEEKS)
    assert again.signs == conclusions.default.signs
    assert again.checks == conclusions.default.checks
    only_defaults = Conclusions(list(SEEDS), [dict(DEFAULTS)], conclusions.default, [again])
    for practice in PRACTICES:
        for outcome in SIGN_OUTCOMES:
            assert only_defaults.sign_share(practice, outcome) == 1.0
    assert only_defaults.pass_share("P6") == float(conclusions.default.passes["P6"])


def test_checks_are_those_of_patterns_with_the_same_constants():
    constants = latin_hypercube(1, sample_seed=7)[0]
    measured = measure_conclusions(constants, range(2), only=("P6",))
    expected = [(c.claim, c.passed) for c in patterns(range(2), only=("P6",), constants=constants)]
    assert measured.checks["P6"] == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["--sets", "0"],
        ["--seeds", "1"],
        ["--workers", "0"],
        ["--screen", "--sets", "4"],
        ["--screen", "--trajectories", "1"],
        ["--trajectories", "5"],
        ["--top", "5"],
    ],
)
def test_bad_arguments_are_one_line_errors(argv, capsys):
    assert main(["robustness", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cxo-sim robustness: error:")
    assert len(err.splitlines()) == 1


def test_screen_is_the_same_inline_and_on_two_processes():
    settings = {"trajectories": 2, "seeds": [1, 2], "steps": 13, "names": list(CONSTANTS)[:4]}
    inline = screen_constants(workers=1, **settings)
    pooled = screen_constants(workers=2, **settings)
    assert pooled.runs == inline.runs == (4 + 2) * 2 * 2
    assert pooled.mu_star == inline.mu_star and pooled.sigma == inline.sigma
