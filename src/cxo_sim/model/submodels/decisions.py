"""Decisions (ODD 7.7): decision rights, scores, negotiation, escalation and the CEO.

Executive attention is hours a week. Deciding a request takes the decider's hours (a patient
executive deliberates longer, and decides with less noise); under the CMO's rights the CIO's
advice takes the CIO's hours; under a shared budget both decide, and each round of negotiation
takes both; escalations take both. Requests an executive has no hours for wait. The combined
executive decides alone, with no one to advise, negotiate or escalate to, and with the hours of
one person doing two jobs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import known_tool, redirect
from cxo_sim.model.submodels.money import affordable, executive_time
from cxo_sim.model.submodels.relationship import ceo_sides_with_cmo, went_badly, went_well

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Executive, ToolRequest

PENDING = ("decision", "negotiation", "escalated")


def decide_requests(model: CxOModel) -> None:
    """Whoever holds the decision rights works through pending requests, within their hours."""
    queue = [r for r in model.decision_queue if r.stage in PENDING]
    queue.sort(key=lambda r: (-r.priority, r.filed))
    model.decision_queue = queue
    burden = model.it_backlog_weeks()
    out_of_hours = False  # the decider's hours only shrink: once short, short for the rest
    vetting = model.week - int(model.k.VET_WEEKS)
    for request in list(queue):
        if request.vetted and request.filed > vetting:
            continue  # the liaison is still shortlisting vendors and writing requirements
        if request.stage == "escalated":
            if request.escalated < model.week:  # the CEO takes a week
                ceo_decides(model, request)
        elif request.stage == "negotiation":
            negotiate(model, request, burden)
        elif not out_of_hours:
            out_of_hours = not decide(model, request, burden)


def take_hours(model: CxOModel, pairs: list[tuple[Executive, float]]) -> bool:
    """Take each executive's hours if all have them (else none); price what was taken."""
    if any(executive.hours + 1e-9 < hours for executive, hours in pairs):
        return False
    for executive, hours in pairs:
        executive.take(hours)
        executive_time(model, hours)
    return True


def decide(model: CxOModel, request: ToolRequest, burden: float) -> bool:
    """Score one request by each executive's KPIs and apply the decision rights.

    Returns whether the deciders had the hours (if not, the request waits).
    """
    k, rights = model.k, model.rights
    cio, cmo = model.cio, model.cmo
    if rights == "shared":
        if not take_hours(model, [(cio, cio.decision_hours()), (cmo, cmo.decision_hours())]):
            return False
    elif rights == "cmo":
        if not take_hours(model, [(cmo, cmo.decision_hours())]):
            return False
    elif not take_hours(model, [(cio, cio.decision_hours())]):  # cio, or the combined one
        return False
    # Under the CMO's rights the CIO's advice costs the CIO's hours; without it the CMO
    # decides alone, on its own knowledge of the stack and with no objection raised.
    advised = rights != "cmo" or take_hours(model, [(cio, k.ADVICE_HOURS)])
    existing = known_tool(model, request.capability)
    recall = inventory_recall(model, advised) if k.MECH_INVENTORY_RECALL else 0.0
    if existing is not None and model.random.random() < recall:
        redirect(model, request, existing)
        decided(model, request)
        went_well(model)
        return True
    cmo_wants, cio_wants = scores(model, request, burden)
    if rights == "combined":
        approve(model, request) if cmo_wants else deny(model, request, "not worth it")
    elif rights == "cio":
        if cio_wants:
            approve(model, request)
            went_well(model)
        elif cmo_wants:
            refused_by_cio(model, request)
        else:
            deny(model, request, "the CIO refused")
    elif rights == "cmo":
        if not cmo_wants:
            deny(model, request, "the CMO refused")
        elif cio_wants or not advised:
            approve(model, request)
            if advised:
                went_well(model)
        else:
            cio_objects(model, request)
    elif cmo_wants == cio_wants:
        approve(model, request) if cmo_wants else deny(model, request, "both refused")
        went_well(model)
    else:
        request.stage = "negotiation"
        request.rounds = 1
        request.cmo_wants = cmo_wants
        disagreement(model, f"CIO and CMO disagree on {model.a_tool(request.capability)}")
    return True


def inventory_recall(model: CxOModel, advised: bool) -> float:
    """Chance the decider learns the firm already has a tool for the capability.

    IT keeps the inventory of what it knows; a CMO deciding alone knows far less of the stack,
    and hears of the rest only through the CIO's advice, when it heeds it.
    """
    k = model.k
    if model.rights != "cmo":
        return k.INVENTORY_RECALL_IT
    if not advised:
        return k.INVENTORY_RECALL_CMO
    heed = k.HEED_ADVICE + (1.0 - k.HEED_ADVICE) * model.alignment
    return 1.0 - (1.0 - k.INVENTORY_RECALL_CMO) * (1.0 - k.INVENTORY_RECALL_IT * heed)


def pilot_price(model: CxOModel, request: ToolRequest) -> float:
    """Licence share of what is bought: a pilot costs a fraction of the full tool."""
    return model.k.PILOT_PRICE if request.pilot else 1.0


def scores(model: CxOModel, request: ToolRequest, burden: float) -> tuple[bool, bool]:
    """Whether the CMO and the CIO (or the combined executive, twice) want the tool.

    Each scores by its own KPIs plus ``alignment`` times the other's, with noise.
    """
    k = model.k
    cap = request.capability
    value = request.campaign.base_value / k.VALUE_MEAN * (1.0 + cap.hype)
    cost = request.cost / k.LICENCE_MEAN * pilot_price(model, request)
    risk = cap.sensitivity * (k.WEAKNESS_FLOOR + request.weakness) / (k.WEAKNESS_FLOOR + 1.0)
    if request.pilot:
        risk *= k.PILOT_DATA_CAP
        burden *= k.PILOT_REVIEW_DAYS / k.REVIEW_DAYS
    cmo, cio = model.cmo, model.cio
    cmo_own = cmo.own_score("cmo", value, cost, risk, burden)
    cio_own = cio.own_score("cio", value, cost, risk, burden)
    gauss, policy = model.random.gauss, model.policy
    if model.rights == "combined":
        score = 0.5 * (cmo_own + cio_own) + gauss(0.0, cio.noise())
        wants = policy.wants(model, cio, request, score)
        return wants, wants
    cmo_score = cmo_own + model.alignment * cio_own + gauss(0.0, cmo.noise())
    cio_score = cio_own + model.alignment * cmo_own + gauss(0.0, cio.noise())
    return policy.wants(model, cmo, request, cmo_score), policy.wants(
        model, cio, request, cio_score
    )


def refused_by_cio(model: CxOModel, request: ToolRequest) -> None:
    """The CIO refused under IT's decision rights; the CMO may fight it."""
    cap = request.capability
    mediated = disagreement(model, f"the CIO refused {model.a_tool(cap)} marketing wanted")
    if not mediated and model.random.random() < model.k.ESCALATE_REFUSAL * (1.0 - model.trust):
        escalate(model, request, cmo_wants=True)
    else:
        deny(model, request, "the CIO refused")


def cio_objects(model: CxOModel, request: ToolRequest) -> None:
    """The CMO decides (the new world); the CIO's advice is against it."""
    k = model.k
    cap = request.capability
    mediated = disagreement(model, f"the CIO advised against {model.a_tool(cap)}")
    chance = k.ESCALATE_OBJECTION * (1.0 - model.trust) * (1.0 - model.cio.risk)
    if not mediated and model.random.random() < chance:
        escalate(model, request, cmo_wants=True)
    else:
        approve(model, request)


def negotiate(model: CxOModel, request: ToolRequest, burden: float) -> None:
    """Shared budget: another round, if both have the hours; a stalemate goes to the CEO."""
    k = model.k
    hours = k.NEGOTIATION_HOURS
    if not take_hours(model, [(model.cio, hours), (model.cmo, hours)]):
        return
    request.rounds += 1
    cmo_wants, cio_wants = scores(model, request, burden)
    if cmo_wants == cio_wants:
        went_well(model)
        approve(model, request) if cmo_wants else deny(model, request, "both refused")
    elif request.rounds >= k.NEGOTIATION_ROUNDS:
        escalate(model, request, cmo_wants=cmo_wants)


def disagreement(model: CxOModel, what: str) -> bool:
    """Two executives disagree: the liaison may mediate it, else it is a conflict.

    Returns whether the liaison mediated it.
    """
    liaison = model.liaison if model.k.MECH_LIAISON_MEDIATION else None
    if liaison is not None and liaison.take(model.k.MEDIATE_HOURS):
        went_well(model)  # a disagreement settled with the liaison's help
        return True
    model.tally["conflicts"] += 1
    went_badly(model)
    model.log("conflict", what)
    return False


def escalate(model: CxOModel, request: ToolRequest, cmo_wants: bool) -> None:
    """Send a stalemate to the CEO, who decides next week by relative influence."""
    hours = model.k.ESCALATION_HOURS
    for executive in (model.cio, model.cmo):
        executive_time(model, executive.take_up_to(hours))
    request.stage = "escalated"
    request.cmo_wants = cmo_wants
    request.escalated = model.week
    model.tally["escalations"] += 1
    went_badly(model)
    model.log("escalation", f"{model.a_tool(request.capability)} went to the CEO")


def ceo_decides(model: CxOModel, request: ToolRequest) -> None:
    """The CEO sides with the executive who has more influence; the other is overruled."""
    went_badly(model)  # one side's decision was overruled
    if ceo_sides_with_cmo(model) == request.cmo_wants:
        approve(model, request)
    else:
        deny(model, request, "the CEO refused")


def approve(model: CxOModel, request: ToolRequest) -> None:
    """Approved: into IT's security review, unless it is waived or skipped.

    A request approved weeks after its first decision (negotiated, escalated, settled at a
    meeting) may find the year's budget gone: it then waits for next year's.
    """
    decided(model, request)
    if not affordable(model, request.cost * pilot_price(model, request), sanctioned=True):
        request.stage = "budget"
        model.waiting_for_budget.append(request)
        return
    if request.pilot:
        model.queue_review(request)
        return
    k = model.k
    if model.rights == "cmo":
        # The CIO's review is advisory: marketing skips it when buying now beats waiting.
        if model.policy.skips_review(model, request, skip_margin(model, request)):
            model.buy(request, "known")
            return
    elif request.capability.sensitivity < model.cio.risk * k.WAIVE_SENSITIVITY:
        model.buy(request, "known")  # a relaxed CIO waives the review of a low-data tool
        return
    model.queue_review(request)


def skip_margin(model: CxOModel, request: ToolRequest) -> float:
    """What skipping IT's advisory review gains marketing under its own rights, by its KPIs.

    It weighs buying now against waiting the time IT usually takes, as a marketer weighs going
    around IT (``shadow_it.around_gain``: the campaign's window, its urgency, trust that IT
    delivers, IT's KPIs as far as alignment weighs them), less what an unreviewed vendor
    holding this capability's data is worth to a CMO of its risk tolerance (campaigns' worth).
    """
    cap = request.capability
    own_caution = (1.0 - model.cmo.risk) * model.k.MARKETER_IT_WEIGHT * cap.sensitivity
    return model.around_gain(0.0, request.campaign, cap, price=False) - own_caution


def deny(model: CxOModel, request: ToolRequest, reason: str) -> None:
    """Refused. Marketing drops what its own leader refused; IT's refusal it may go around."""
    decided(model, request)
    if model.rights in ("cmo", "combined") and reason != "the CEO refused":
        request.stage = "closed"
        request.campaign.dropped = True
        return
    request.stage = "denied"
    if model.random.random() < model.k.GIVE_UP:
        request.stage = "closed"
        request.campaign.dropped = True


def decided(model: CxOModel, request: ToolRequest) -> None:
    """Count the first decision on a request and how long it took."""
    if request.decided < 0:
        request.decided = model.week
        model.tally["decisions"] += 1
        model.tally["decision_weeks_total"] += model.week - request.filed
