"""Data governance (ODD 7.5): strictness of the rules and their clarity are two dials.

*Strictness* (``data_strictness``, from open to locked down) sets how much of the customer data
a campaign wants the rules grant: stricter rules put less data into tools (smaller breaches,
fewer rule-breaking uses) and personalise less (lower campaign value); the shortfall tempts
marketing to copy the data around governance, where no check and no minimisation applies.
*Clarity* (``data_governance``) sets how access is had: with no rules (``none``) IT cuts bespoke
extracts of whole tables and nothing is checked; ``basic`` rules mean a ticket for each access,
checked by a person; ``clear`` rules are pre-approved, policy-checked paths that need no IT work
for tools IT knows, at a set-up effort and an upkeep (article 000).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo_sim.model.submodels.relationship import went_badly

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Campaign


def granted_share(model: CxOModel) -> float:
    """Share of the data a campaign wants that governed access grants."""
    if model.governance == "none":
        return 1.0  # no rules: whole extracts
    return 1.0 - model.k.MINIMISATION_MAX * model.data_strictness


def seek_data(model: CxOModel, campaign: Campaign) -> None:
    """Ask for customer-data access, wait for it, or copy the data around governance."""
    if campaign.data == "requested":
        if campaign.marketer.goes_around(model.week - campaign.data_asked, campaign, None):
            copy_data(model, campaign)
        return
    tools = [campaign.tools.get(cap) for cap in campaign.needs]
    if model.governance == "clear":
        if any(tool is None for tool in tools):
            return  # the pre-approved path opens once the tools are chosen
        if all(tool.known for tool in tools):
            campaign.data_asked = model.week
            grant(model, campaign, float(model.week))
            return
    k = model.k
    days = k.DATA_DAYS_NONE if model.governance == "none" else k.DATA_DAYS_BASIC
    campaign.data = "requested"
    campaign.data_asked = model.week
    model.queue("data", days, marketing=True, priority=0, campaign=campaign)


def grant(model: CxOModel, campaign: Campaign, at: float) -> None:
    """Governed access arrives at time ``at``; a shortfall may be made up by a copy."""
    if campaign.data != "" and campaign.data != "requested":
        return
    share = granted_share(model)
    campaign.data = "granted"
    campaign.data_share = share
    campaign.data_at = at
    count_access(model, campaign, at)
    if model.policy.copies_data(model, campaign, copy_gain(model, campaign, share)):
        copy_data(model, campaign)


def copy_gain(model: CxOModel, campaign: Campaign, share: float) -> float:
    """What copying the data around governance gains the marketer, in campaigns' worth.

    The personalisation the granted share falls short of, against the blame if IT finds the
    copy within the year (as the marketer fears it) and IT's KPIs as far as marketing weighs
    them (alignment), for data of the campaign's sensitivity.
    """
    k = model.k
    marketer = campaign.marketer
    gain = k.PERSONALISATION_UPLIFT * max(0.0, campaign.personalisation - share)
    caught = model.caught_chance(marketer.beside)
    cost = caught * k.CAUGHT_COST * marketer.caution
    cost += model.alignment * k.MARKETER_IT_WEIGHT * campaign.sensitivity
    return gain - cost


def copy_data(model: CxOModel, campaign: Campaign) -> None:
    """Marketing copies the whole data set into its tools itself, outside governance."""
    if campaign.data != "granted":
        count_access(model, campaign, float(model.week))
        campaign.data_at = float(model.week)
    campaign.data = "copied"
    campaign.data_share = 1.0
    model.tally["data_copies"] += 1


def count_access(model: CxOModel, campaign: Campaign, at: float) -> None:
    """Count a campaign's access to data (governed or copied) and how long it waited for it."""
    model.tally["data_grants"] += 1
    model.tally["data_weeks_total"] += max(0.0, at - campaign.data_asked)


def check_data_use(model: CxOModel, campaign: Campaign, ungoverned: bool) -> float:
    """At launch: a data use may break a rule; checks catch some. Return the fix's delay.

    Args:
        model: the organisation.
        campaign: the launching campaign (it wants data and has it).
        ungoverned: the data went into a tool IT does not know, or was copied: no check sees it.
    """
    k = model.k
    if model.random.random() >= k.VIOLATION_RATE * campaign.sensitivity * campaign.data_share:
        return 0.0
    governance = model.governance
    if not ungoverned and governance != "none":
        catch = k.CHECK_CATCH_CLEAR if governance == "clear" else k.CHECK_CATCH_BASIC
        if model.random.random() < catch:
            return k.FIX_WEEKS
    model.tally["compliance_incidents"] += 1
    model.tally["compliance_cost"] += k.COMPLIANCE_COST
    went_badly(model, k.WEIGHT_COMPLIANCE)
    model.log("compliance", "a campaign used customer data against the rules")
    return 0.0
