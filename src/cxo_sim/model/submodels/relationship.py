"""The relationship (ODD 7.12): trust and influence move on rates, not raw counts.

Trust between the CIO and the CMO moves each week towards the share of that week's interactions
that went well (deliveries, agreements, matters a meeting resolved) against those that went
badly (conflicts, purchases seen going around IT, breaches, compliance incidents), weighted by
how much evidence the week holds relative to the size of the organisation. A firm five times as
large has five times the interactions and the same shares, so it behaves like a larger copy.

Each executive's influence with the CEO follows how its KPIs look: the CMO's the value its
campaigns deliver against what the team is expected to deliver, the CIO's the cost of the
sanctioned stack against its budget; a breach found in a tool it owns drops the owner's score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo_sim.model.submodels.environment import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Executive

# The organisation size (marketers) to which TRUST_EVIDENCE refers.
REFERENCE_TEAM = 20


def went_well(model: CxOModel, weight: float = 1.0) -> None:
    """Record an interaction between IT and marketing that went well."""
    model.week_good += weight


def went_badly(model: CxOModel, weight: float = 1.0) -> None:
    """Record an interaction between IT and marketing that went badly."""
    model.week_bad += weight


def update_trust(model: CxOModel) -> None:
    """Move trust towards the week's share of good interactions, as far as evidence allows."""
    good, bad = model.week_good, model.week_bad
    model.week_good = model.week_bad = 0.0
    total = good + bad
    if total <= 0.0:
        return
    k = model.k
    evidence = total / (total + k.TRUST_EVIDENCE * model.n_marketers / REFERENCE_TEAM)
    model.trust += k.TRUST_RATE * evidence * (good / total - model.trust)


def blame(model: CxOModel, executive: Executive) -> None:
    """A breach was found in a tool this executive's side owns: its KPIs look bad this week."""
    model.blamed.add(executive.role)


def update_influence(model: CxOModel, value_this_week: float) -> None:
    """Each executive's influence follows its KPI score of the week (a rate, in (0, 1))."""
    if model.combined_role:  # one executive: no one to be compared with
        model.blamed.clear()
        return
    k = model.k
    expected = k.VALUE_MEAN * model.idea_rate * model.n_marketers
    week = value_this_week / expected if expected > 0 else 1.0
    # The CEO reads marketing's results over a quarter, as IT's cost is read on a stack that
    # changes slowly: both KPIs are as smooth when they are compared (ODD 7.12).
    model.value_read += (week - model.value_read) / k.KPI_WEEKS
    value = model.value_read
    cmo_score = value / (1.0 + value)
    budget = model.sanctioned_budget / WEEKS_PER_YEAR
    sanctioned = model.weekly_bill()[2]
    headroom = budget / sanctioned if sanctioned > 0 else 1.0
    cio_score = headroom / (1.0 + headroom)
    for executive, score in ((model.cmo, cmo_score), (model.cio, cio_score)):
        if executive.role in model.blamed:
            score *= 1.0 - k.BLAME
        executive.influence += k.INFLUENCE_RATE * (score - executive.influence)
    model.blamed.clear()


def cmo_share(model: CxOModel) -> float:
    """The CMO's share of the two executives' influence: its chance with the CEO."""
    cmo, cio = model.cmo.influence, model.cio.influence
    return cmo / (cmo + cio) if cmo + cio > 0 else 0.5


def ceo_sides_with_cmo(model: CxOModel) -> bool:
    """The CEO arbitrates an escalation by the executives' relative influence."""
    return model.random.random() < cmo_share(model)
