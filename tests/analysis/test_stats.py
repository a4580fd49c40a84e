import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cxo_sim.analysis.stats import (
    bootstrap_ci,
    clear_front,
    cohens_d,
    compare,
    diff_ci,
    effect_size_word,
    hedges_g,
    mean_ci,
    pareto_front,
    spearman_ci,
    summarise,
)


def test_mean_ci_matches_hand_computed_t_interval():
    # mean 3, sd sqrt(2.5), n 5: half-width t(0.975, 4) * sqrt(2.5) / sqrt(5) = 2.776445 * 0.707107
    est = mean_ci([1, 2, 3, 4, 5])
    assert est.value == 3.0
    assert est.half_width == pytest.approx(1.963243, abs=1e-6)
    assert (est.low, est.high) == pytest.approx((1.036757, 4.963243), abs=1e-6)
    assert est.n == 5


def test_mean_ci_edge_cases():
    assert math.isnan(mean_ci([]).value)
    single = mean_ci([4.0])
    assert single.value == 4.0 and math.isnan(single.low)
    constant = mean_ci([2.0, 2.0, 2.0])
    assert constant.low == constant.high == 2.0
    assert mean_ci([1.0, np.nan, 3.0]).n == 2


def test_diff_ci_is_welch():
    a, b = [5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0]
    # var a = 5/3, var b = 1; se^2 = 5/12 + 1/3 = 0.75
    se2 = 5 / 12 + 1 / 3
    df = se2**2 / ((5 / 12) ** 2 / 3 + (1 / 3) ** 2 / 2)
    half = sps.t.ppf(0.975, df) * math.sqrt(se2)
    est = diff_ci(a, b)
    assert est.value == pytest.approx(4.5)
    assert (est.low, est.high) == pytest.approx((4.5 - half, 4.5 + half))
    assert df == pytest.approx(4.9592, abs=1e-4)
    assert est.excludes_zero()


def test_diff_ci_agrees_with_scipy_welch_test():
    rng = np.random.default_rng(1)
    a, b = rng.normal(1, 2, 30), rng.normal(0, 1, 25)
    est = diff_ci(a, b)
    ci = sps.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (est.low, est.high) == pytest.approx((ci.low, ci.high))


def test_cohens_d_and_hedges_g_known_values():
    a, b = [2.0, 4.0, 6.0], [1.0, 3.0, 5.0]
    # pooled sd 2, difference 1
    assert cohens_d(a, b) == pytest.approx(0.5)
    g = hedges_g(a, b)
    assert g.value == pytest.approx(0.5 * (1 - 3 / (4 * 6 - 9)))
    se = math.sqrt(6 / 9 + g.value**2 / 12)
    assert g.half_width == pytest.approx(1.959964 * se, abs=1e-6)
    assert cohens_d([1, 1], [1, 1]) == 0.0
    assert cohens_d([2, 2], [1, 1]) == math.inf


def test_compare_relative_and_words():
    result = compare([12, 12, 12.5, 11.5], [10, 10, 10.5, 9.5])
    assert result.diff.value == pytest.approx(2.0)
    assert result.relative == pytest.approx(0.2)
    assert effect_size_word(0.1) == "negligible"
    assert effect_size_word(-0.3) == "small"
    assert effect_size_word(0.6) == "medium"
    assert effect_size_word(-2.0) == "large"


def test_bootstrap_is_seeded_and_covers_the_mean():
    x = np.random.default_rng(3).normal(10, 1, 50)
    first, second = bootstrap_ci(x, seed=5), bootstrap_ci(x, seed=5)
    assert first == second
    assert first.low < 10 < first.high
    median = bootstrap_ci(x, statistic=np.median, seed=5)
    assert median.value == pytest.approx(float(np.median(x)))


def test_spearman_ci_for_a_monotone_relation():
    x = np.linspace(0, 1, 50)
    strong = spearman_ci(x, x**3)
    assert strong.value == pytest.approx(1.0)
    noise = spearman_ci(x, np.random.default_rng(2).random(50))
    assert noise.low < 0 < noise.high


def test_summarise_groups_and_intervals():
    df = pd.DataFrame({"arm": ["a"] * 5 + ["b"] * 3, "y": [1, 2, 3, 4, 5, 7, 7, 7]})
    out = summarise(df, ["arm"], ["y"]).set_index("arm")
    assert out.loc["a", "mean"] == 3.0
    assert out.loc["a", "half_width"] == pytest.approx(1.963243, abs=1e-6)
    assert out.loc["b", "half_width"] == 0.0
    assert list(out["n"]) == [5, 3]


def test_pareto_front():
    points = pd.DataFrame({"velocity": [1, 2, 3, 2, 3], "breaches": [1, 1, 5, 3, 4]})
    front = pareto_front(points, maximise=["velocity"], minimise=["breaches"])
    assert list(front) == [False, True, False, False, True]


def test_the_clear_front_keeps_what_overlapping_intervals_cannot_rule_out():
    points = pd.DataFrame({"velocity": [1, 2, 3, 2, 3], "breaches": [1, 1, 5, 3, 4]})
    narrow = pd.DataFrame({"velocity": [0.1] * 5, "breaches": [0.1] * 5})
    wide = pd.DataFrame({"velocity": [5.0] * 5, "breaches": [5.0] * 5})
    pareto = pareto_front(points, maximise=["velocity"], minimise=["breaches"])
    clear = clear_front(points, narrow, maximise=["velocity"], minimise=["breaches"])
    assert list(clear) == list(pareto), "intervals apart everywhere: the Pareto front"
    assert clear_front(points, wide, maximise=["velocity"], minimise=["breaches"]).all()
    # Point 0 (1, 1) is beaten by point 1 (2, 1) only on velocity: apart at half-width 0.4,
    # not at 0.6.
    half = pd.DataFrame({"velocity": [0.4] * 5, "breaches": [0.0] * 5})
    assert not clear_front(points, half, maximise=["velocity"], minimise=["breaches"])[0]
    half["velocity"] = 0.6
    assert clear_front(points, half, maximise=["velocity"], minimise=["breaches"])[0]
