"""Going around IT (ODD 7.6): what marketing does once a marketer runs out of patience.

The marketer decides when (``Marketer.out_of_patience``: patience falls with the CMO's urgency
and with low trust, and alignment lengthens it); this module is what follows. Under the CMO's
rights marketing stops waiting for IT's advisory review and buys openly from the martech budget:
IT knows the tool but never reviewed it. Otherwise the marketer borrows a colleague's tool or
buys a team-tier subscription on a card from marketing's own money: cheap, fast, unreviewed,
unintegrated, unmonitored, holding the customer data its campaigns put in it. With
shared tools IT sees the purchase as it happens: the tool is known, and seeing it strains the
relationship.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import shows
from cxo_sim.model.submodels.money import affordable, executive_time
from cxo_sim.model.submodels.relationship import went_badly

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Campaign, Capability, Tool, ToolRequest


def bypass(model: CxOModel, request: ToolRequest, waited: int) -> None:
    """Marketing stops waiting for ``request`` and gets the tool itself."""
    k = model.k
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
    if tools and model.random.random() < k.BORROW:
        request.campaign.tools[cap] = tools[0]
        request.stage = "closed"
        return
    how = f"after waiting {waited} weeks"
    tool = buy_on_card(model, cap, request.cost, request.weakness, how)
    if tool is not None:
        request.campaign.tools[cap] = tool
        request.stage = "closed"
        frustrated(model)


def buy_around(model: CxOModel, campaign: Campaign, cap: Capability) -> Tool | None:
    """A marketer who expects IT to take too long buys a tool without asking (or None).

    It is a team-tier subscription on a card, whoever holds the decision rights (under the
    CMO's, openly). With shared tools the marketer already looked on the common board for the
    tool IT has (``campaigns.find_tool``) before deciding to buy.
    """
    licence = model.vendor_licence(cap)
    weakness = model.vendor_weakness(vetted=False)
    return buy_on_card(model, cap, licence, weakness, "without asking")


def buy_on_card(
    model: CxOModel, cap: Capability, licence: float, weakness: float, how: str
) -> Tool | None:
    """A team-tier subscription from marketing's own money (or None if that is spent).

    It is a shadow tool unless marketing buys openly: under its own decision rights, or in
    view of IT on the shared project board.
    """
    k = model.k
    cost = licence * k.SHADOW_PRICE
    if not affordable(model, cost, sanctioned=False):
        return None
    status = "known" if shows(model) or model.rights == "cmo" else "shadow"
    tool = model.new_tool(cap, status, "marketing", cost, weakness, bypass=True)
    model.tally["bypasses"] += 1
    model.log("bypass", f"marketing bought {model.a_tool(cap)} around IT {how}")
    if shows(model):
        model.queue("onboard", k.ONBOARD_DAYS, marketing=False, priority=0, tool=tool)
        went_badly(model)  # IT saw marketing buy around it on the shared board
        if model.rights != "cmo":  # where IT decides, a purchase it sees must be justified
            executive_time(model, model.cio.take_up_to(k.JUSTIFY_HOURS))
    return tool


def frustrated(model: CxOModel) -> None:
    """Running out of patience makes the CMO more urgent for a while."""
    cmo = model.cmo
    cmo.frustration = min(1.0, cmo.frustration + model.k.FRUSTRATION_STEP)
