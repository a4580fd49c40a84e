"""The one number formatter: tables, sentences, reports, the app's Compare."""

from cxo_sim.analysis.numbers import (
    change,
    fmt,
    is_share,
    level,
    share_points,
    share_text,
    signed,
    with_unit,
)


def test_fmt_is_short_and_plain():
    assert fmt(0.8) == "0.8"
    assert fmt(3234.4) == "3,234"
    assert fmt(0.0965) == "0.0965"
    assert fmt(float("nan")) == "n/a"


def test_fmt_rounds_to_three_significant_digits_without_an_exponent_for_everyday_sizes():
    assert fmt(999.6) == "1,000"
    assert fmt(12.345) == "12.3"
    assert fmt(2.0) == "2" and fmt(0) == "0"
    assert fmt(4_200_000) == "4.2e+06"
    assert fmt(float("inf")) == "inf"


def test_signed_shows_the_sign_of_a_difference():
    assert signed(2.14) == "+2.14" and signed(-0.4) == "-0.4" and signed(0.0) == "0"


def test_with_unit_is_singular_for_exactly_one():
    assert with_unit("1", "weeks") == "1 week"
    assert with_unit("2", "weeks") == "2 weeks"


def test_shares_read_as_percentages_and_their_differences_in_points():
    """Issue 21: one convention for shares in `run`, the app and the reports: "36.5 %"."""
    assert is_share("shadow_spend_share") and is_share("utilization") and not is_share("trust")
    assert share_text(0.365) == "36.5 %" and share_points(-0.021) == "-2.1 points"
    assert level("shadow_spend_share", 0.365) == "36.5 %"
    assert level("breaches", 2.0, "breaches") == "2 breaches"
    assert change("shadow_spend_share", -0.0674) == "-6.7 points"
    assert change("shadow_spend_share", 0.0012, with_units=False) == "+0.1"
    assert change("shadow_spend_share", 0.0) == "0 points"
    assert change("tech_spend", 1953.2, "k$") == "+1,953 k$"
    assert change("median_lead_time", 1.0, "weeks") == "+1 week"
