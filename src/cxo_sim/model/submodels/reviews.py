"""Security reviews and purchases (ODD 7.9).

A review is engineer-days plus the vendor's turnaround, both longer for a stricter CIO. It
estimates the vendor's weakness, more precisely the more thorough it is, and rejects vendors
above what the CIO accepts: a risk-averse CIO accepts less and sees better, so it keeps weak
vendors out of the stack (security) at the price of more rejections, more reviews and longer
waits (speed, and the bypasses that waiting breeds). The liaison's shortlists bring stronger
vendors. What passes is bought: reviewed, monitored, then integrated with least-privilege
scopes. A purchase that skipped the review is integrated with the vendor's broad default scopes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo_sim.model.submodels.money import affordable, pay_setup, spend
from cxo_sim.model.submodels.relationship import went_well

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Tool, ToolRequest


def thoroughness(model: CxOModel) -> float:
    """How thorough the CIO's reviews are (1.5 strict to 0.5 lax by default): effort and time."""
    return model.k.THOROUGHNESS_MAX - model.cio.risk


def acceptable_weakness(model: CxOModel) -> float:
    """The highest vendor weakness the CIO accepts: more for a more tolerant CIO."""
    return model.k.ACCEPT_BASE + model.k.ACCEPT_SLOPE * model.cio.risk


def passes_review(model: CxOModel, weakness: float) -> bool:
    """Whether a review's estimate of a vendor's weakness is within what the CIO accepts.

    The estimate is noisy, less so for a thorough (risk-averse) CIO.
    """
    noise = model.k.REVIEW_NOISE * (0.5 + model.cio.risk)
    return weakness + model.random.gauss(0.0, noise) <= acceptable_weakness(model)


def queue_review(model: CxOModel, request: ToolRequest, priority: int = 0) -> None:
    """Queue a security review: a pilot's light one, or a full one with the vendor's turnaround."""
    k = model.k
    request.stage = "review"
    if request.pilot:
        effort, weeks = k.PILOT_REVIEW_DAYS, 0.0
    else:
        care = thoroughness(model)
        effort, weeks = k.REVIEW_DAYS * care, k.VENDOR_WEEKS * care
    model.queue(
        "review",
        effort,
        marketing=True,
        priority=priority,
        request=request,
        not_before=model.week + weeks,
    )


def finish_review(model: CxOModel, request: ToolRequest, at: float) -> None:
    """The review passes (the tool is bought) or fails (another vendor, another review)."""
    if request.stage != "review":
        return
    k = model.k
    model.tally["reviews_done"] += 1
    if not request.pilot:
        if not passes_review(model, request.weakness):
            model.tally["review_rejections"] += 1
            request.weakness = model.vendor_weakness(request.vetted)
            request.cost = model.vendor_licence(request.capability)
            queue_review(model, request, priority=1)
            return
    price = k.PILOT_PRICE if request.pilot else 1.0
    if not affordable(model, request.cost * price, sanctioned=True):
        request.stage = "budget"
        model.waiting_for_budget.append(request)
        return
    # A pilot's light review checks the set-up, not the vendor: it stays unreviewed until it
    # is scaled up.
    buy(model, request, "known" if request.pilot else "reviewed", at)
    went_well(model)  # IT delivered what marketing asked for


def buy(model: CxOModel, request: ToolRequest, status: str, at: float | None = None) -> Tool:
    """Buy the requested tool with the martech budget and give it to the campaign."""
    k = model.k
    cap = request.capability
    cost = request.cost * (k.PILOT_PRICE if request.pilot else 1.0)
    tool = model.new_tool(cap, status, request.owner, cost, request.weakness, pilot=request.pilot)
    tool.ready_at = float(model.week) if at is None else at
    pay_setup(model, cost)
    if status != "reviewed" and request.owner == "it" and not request.pilot:
        # IT runs it, so IT puts it under monitoring, though it skipped the review.
        model.queue("onboard", k.ONBOARD_DAYS, marketing=False, priority=0, tool=tool)
    model.queue("integration", k.INTEGRATION_DAYS, marketing=True, priority=0, tool=tool)
    request.campaign.tools[cap] = tool
    request.stage = "closed"
    model.delivered(request)
    if status != "reviewed" and not request.pilot:
        model.tally["unreviewed_purchases"] += 1
    if request.pilot:
        model.pilots.add(model.week + int(k.PILOT_WEEKS), tool)
        model.log("pilot", f"a small pilot of {cap.name.replace('_', ' ')} started")
    return tool


def integrate(model: CxOModel, tool: Tool) -> None:
    """Connect a tool to the stack: campaigns on it personalise; it reaches more data."""
    if not tool.active:
        return
    k = model.k
    tool.integrated = True
    exposure = k.EXPOSURE_REVIEWED if tool.reviewed else k.EXPOSURE_UNREVIEWED
    if tool.pilot:
        exposure = min(exposure, k.PILOT_DATA_CAP)
    tool.data_held = max(tool.data_held, exposure)
    model.martech_left = max(0.0, model.martech_left - k.INTEGRATION_COST)
    spend(model, k.INTEGRATION_COST)


def finish_scale_up(model: CxOModel, tool: Tool) -> None:
    """A pilot that showed its worth gets the full security review, then becomes a full tool.

    A vendor the review turns down ends the pilot: the capability must then be bought through
    the normal route. A budget that cannot carry the full licence puts the decision off.
    """
    if not tool.active or not tool.pilot:
        return
    k = model.k
    model.tally["reviews_done"] += 1
    if not passes_review(model, tool.weakness):
        model.tally["review_rejections"] += 1
        model.retire(tool, "failed its security review")
        return
    full = tool.weekly_cost / k.PILOT_PRICE
    if not affordable(model, full - tool.weekly_cost, sanctioned=True):
        model.pilots.add(model.week + int(k.RATIONALISE_EVERY), tool)
        return
    tool.pilot = False
    tool.status = "reviewed"
    tool.monitored = True
    tool.weekly_cost = tool.licence = full
    model.bill_changed()
    model.log(
        "pilot", f"the {tool.capability.name.replace('_', ' ')} pilot worked and was scaled up"
    )
