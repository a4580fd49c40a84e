"""Going around IT (ODD 7.6): the marketer's choice, and what follows it.

A marketer weighs waiting for IT against acting around it (``around_gain``): what waiting is
worth given the wait it expects (learned from IT's deliveries), the campaign's window and how
far it trusts IT to deliver at all, against what acting now is worth, less the price, the chance
IT finds out and blames it, and IT's KPIs as far as marketing weighs them (alignment). The CMO's
urgency enters as what marketing's KPIs reward for time, its spending appetite as what they
charge for money. ``bypass`` and ``buy_around`` are what follows. Under the CMO's
rights marketing stops waiting for IT's advisory review and buys openly from the martech budget:
IT knows the tool but never reviewed it. Otherwise the marketer borrows a colleague's tool
(a worse fit, but no price and nothing new for IT to find: ``borrow_gain``) or buys a team-tier
subscription on a card from marketing's own money: cheap, fast, unreviewed,
unintegrated, unmonitored, holding the customer data its campaigns put in it. With
shared tools the buyer chooses whether to post the purchase on the common board, as it would
disclose it at a meeting; a posted one is known, and seeing it strains the relationship.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import delivery_worth, redirect, shows
from cxo_sim.model.submodels.meetings import disclosure_gain
from cxo_sim.model.submodels.money import affordable, executive_time, seat_price
from cxo_sim.model.submodels.relationship import went_badly

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Campaign, Capability, Marketer, Tool, ToolRequest


def discovery_rate(model: CxOModel) -> float:
    """The weekly chance IT's discovery tooling finds a given shadow tool (ODD 7.2, 7.8).

    The more cautious the CIO, the more it looks, as far as its engineers' scans get done.
    """
    return model.k.SHADOW_DISCOVERY * (1.0 - model.cio.risk) * model.discovery_coverage


def found_within_a_year(model: CxOModel, beside: bool = False) -> float:
    """The chance, as a marketer sees it, that IT finds a given shadow tool within a year.

    IT's discovery tooling looks at every tool; an engineer embedded in the marketer's team
    (``beside``) also notices what that team buys.
    """
    k = model.k
    if not k.MECH_DISCOVERY:
        return 0.0
    weekly = discovery_rate(model)
    if beside:
        weekly += k.NOTICE_RATE
    return 1.0 - (1.0 - min(1.0, weekly)) ** 52


def exposure(model: CxOModel, marketer: Marketer, tool: bool) -> float:
    """The chance a marketer expects to be blamed for acting around IT (ODD 7.6).

    For a tool (``tool``): none under marketing's own decision rights, where it buys openly and
    nobody blames it; otherwise the chance IT finds the tool within a year (with shared tools
    the buyer chooses whether to post it, ``buy_on_card``). For a copy of customer data, always
    that chance: governance binds under any rights.
    """
    if tool and model.rights == "cmo":
        return 0.0
    return model.caught_chance(marketer.beside)


def expectations(model: CxOModel) -> None:
    """What marketing weighs this week (ODD 7.6).

    The cost of a week's delay by its KPIs (the CMO's urgency), what acting now is worth, and
    the chance IT finds a shadow tool within a year, and what money costs by its KPIs (the CMO's
    spending appetite).
    """
    k = model.k
    model.delay_rate = 1.0 / k.VALUE_DECAY_WEEKS + k.URGENCY_RATE * model.cmo.speed
    model.act_now = math.exp(-model.delay_rate * k.AROUND_WEEKS)
    model.caught = found_within_a_year(model)
    model.caught_beside = found_within_a_year(model, beside=True)
    model.thrift = 1.0 - model.cmo.spend  # what money costs by marketing's KPIs


def around_gain(
    model: CxOModel,
    waited: float,
    campaign: Campaign,
    cap: Capability | None,
    price: bool,
    refused: bool = False,
) -> float:
    """What acting around IT now gains over waiting, as a share of the campaign's value.

    Args:
        model: the organisation.
        waited: weeks the marketer has waited on IT so far (0 before asking).
        campaign: the campaign it is for (its value and window).
        cap: the capability a tool would be bought for (None for a data copy).
        price: whether acting means paying a card subscription.
        refused: IT refused the request, so waiting is worth nothing.
    """
    k = model.k
    sensitivity = campaign.sensitivity if cap is None else cap.sensitivity
    marketer = campaign.marketer
    cost = blame_cost(model, marketer, cap is not None)
    cost += model.alignment * k.MARKETER_IT_WEIGHT * sensitivity
    if price and cap is not None:
        cost += card_share(model, campaign, cap)
    gain = model.act_now - cost
    if gain <= 0.0 or refused:
        return gain  # acting loses even against a wait worth nothing, or nothing is coming
    remaining = max(model.expected_wait - waited, k.OVERDUE_SHARE * waited)
    if remaining > campaign.deadline - model.week:
        return gain  # IT would deliver after the campaign's moment: waiting is worth nothing
    return gain - delivery_worth(model, remaining)


def bypass(model: CxOModel, request: ToolRequest, waited: int) -> None:
    """Marketing stops waiting for ``request`` and gets the tool itself."""
    cap = request.capability
    if model.rights == "cmo" and request.stage == "review":
        if request.pilot:
            return  # a pilot's light review is worth the wait
        if affordable(model, request.cost, sanctioned=True):
            model.buy(request, "known")
            frustrated(model)
            model.log(
                "skip_review",
                f"marketing stopped waiting for IT's review of {model.a_tool(cap)} after "
                f"{waited} weeks and bought it openly",
            )
            return
    tools = model.tools_by_cap.get(cap)
    marketer = request.marketer
    if tools and model.policy.borrows(model, marketer, tools[0], borrow_gain(model, request)):
        redirect(model, request, tools[0], counted=False)
        return
    how = f"after waiting {waited} weeks"
    tool = buy_on_card(model, cap, request.cost, request.weakness, how, request.marketer)
    if tool is not None:
        request.campaign.tools[cap] = tool
        request.stage = "closed"
        frustrated(model)


def card_share(model: CxOModel, campaign: Campaign, cap: Capability) -> float:
    """A card subscription's price over a campaign, as a share of its value (by marketing's KPIs).

    What money costs by those KPIs is the CMO's spending appetite (``model.thrift``).
    """
    k = model.k
    licence = k.LICENCE_MEAN * cap.cost_factor * k.SHADOW_PRICE * k.CARD_WEEKS
    return model.thrift * licence / max(campaign.base_value, 1e-9)


def borrow_gain(model: CxOModel, request: ToolRequest) -> float:
    """What borrowing a colleague's tool gains a marketer over buying its own (ODD 7.6).

    A tool chosen for someone else's campaign fits this one less well (``REUSE_FIT``) and adds
    a seat to its licence (``SEAT_SHARE``), but costs no subscription of its own and adds no new
    tool for IT to find and blame it for.
    """
    caught = blame_cost(model, request.marketer, True)
    card = card_share(model, request.campaign, request.capability)
    saved = (1.0 - seat_price(model, 1.0)) * card
    return model.k.REUSE_FIT - 1.0 + saved + caught


def blame_cost(model: CxOModel, marketer: Marketer, tool: bool) -> float:
    """What a marketer expects being found acting around IT to cost it, as a campaign's share.

    The chance IT finds what it does (``exposure``: a tool, or a data copy) times the blame
    (``CAUGHT_COST``) as far as the marketer's caution makes it fear it.
    """
    return exposure(model, marketer, tool) * model.k.CAUGHT_COST * marketer.caution


def buy_around(model: CxOModel, campaign: Campaign, cap: Capability) -> Tool | None:
    """A marketer who expects IT to take too long buys a tool without asking (or None).

    It is a team-tier subscription on a card, whoever holds the decision rights (under the
    CMO's, openly). With shared tools the marketer already looked on the common board for the
    tool IT has (``campaigns.find_tool``) before deciding to buy.
    """
    licence = model.vendor_licence(cap)
    weakness = model.vendor_weakness(vetted=False)
    return buy_on_card(model, cap, licence, weakness, "without asking", campaign.marketer)


def buy_on_card(
    model: CxOModel, cap: Capability, licence: float, weakness: float, how: str, buyer: Marketer
) -> Tool | None:
    """A team-tier subscription from marketing's own money (or None if that is spent).

    It is a shadow tool unless marketing buys openly under its own decision rights, or the
    buyer chooses to post it on the shared project board, as it would disclose it at a meeting
    (``meetings.disclosure_gain``: the amnesty as far as it trusts IT, against its stake and
    the chance IT finds it anyway). A posted purchase is seen: IT onboards it, the sight strains
    the relationship, and where IT decides it must be justified.
    """
    k = model.k
    cost = licence * k.SHADOW_PRICE
    if not affordable(model, cost, sanctioned=False):
        return None
    status = "known" if model.rights == "cmo" else "shadow"
    tool = model.new_tool(cap, status, "marketing", cost, weakness, bypass=True)
    tool.beside = buyer.beside
    model.tally["bypasses"] += 1
    model.log("bypass", f"marketing bought {model.a_tool(cap)} around IT {how}")
    if not shows(model):
        return tool
    if not tool.known:
        if not model.policy.discloses(model, tool, disclosure_gain(model, tool)):
            return tool  # kept off the board: a shadow tool like any other
        tool.status = "known"
        model.bill_changed()
    model.queue("onboard", k.ONBOARD_DAYS, marketing=False, priority=0, tool=tool)
    went_badly(model)  # IT saw marketing buy around it on the shared board
    if model.rights != "cmo":  # where IT decides, a purchase it sees must be justified
        executive_time(model, model.cio.take_up_to(k.JUSTIFY_HOURS))
    return tool


def frustrated(model: CxOModel) -> None:
    """Going around IT makes the CMO more urgent for a while."""
    cmo = model.cmo
    cmo.frustration = min(1.0, cmo.frustration + model.k.FRUSTRATION_STEP)
