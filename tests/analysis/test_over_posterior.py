"""Findings over a posterior: the share of replications (draws) that keep a finding's sign."""

import math

import pandas as pd
import pytest

from cxo_sim.analysis.over_posterior import KEEPS_SIGN, sign_shares


def runs_of(differences: list[float]) -> pd.DataFrame:
    rows = []
    for seed, diff in enumerate(differences):
        rows.append({"scenario": "ref", "seed": seed, "breaches": 1.0})
        rows.append({"scenario": "arm", "seed": seed, "breaches": 1.0 + diff})
    return pd.DataFrame(rows)


def test_the_share_counts_the_replications_whose_paired_difference_has_the_findings_sign():
    findings = pd.DataFrame(
        [{"arm": "arm", "reference": "ref", "outcome": "breaches", "estimate": 0.5}]
    )
    shares = sign_shares(runs_of([1.0, 2.0, -1.0, 0.5, 3.0]), findings)
    assert shares.iloc[0] == pytest.approx(0.8)
    assert shares.iloc[0] >= KEEPS_SIGN


def test_runs_that_do_not_pair_give_no_share():
    runs = runs_of([1.0, 2.0])
    runs = runs[~((runs["scenario"] == "ref") & (runs["seed"] == 1))]
    findings = pd.DataFrame(
        [{"arm": "arm", "reference": "ref", "outcome": "breaches", "estimate": 0.5}]
    )
    assert math.isnan(sign_shares(runs, findings).iloc[0])
