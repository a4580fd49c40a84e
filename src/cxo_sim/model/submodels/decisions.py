"""Decisions (ODD 7.7): decision rights, scores, negotiation, escalation and the CEO.

Executive attention is hours a week. Deciding a request takes the decider's hours (a patient
executive deliberates longer, and decides with less noise); under the CMO's rights the CIO's
advice takes the CIO's hours; under a shared budget both decide, and each round of negotiation
takes both; escalations take both. Requests an executive has no hours for wait. The combined
executive decides alone, with no one to advise, negotiate or escalate to, and with the hours of
one person doing two jobs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import known_tool, redirect
from cxo_sim.model.submodels.money import affordable, executive_time, seat_price
from cxo_sim.model.submodels.relationship import (
    ceo_sides_with_cmo,
    cmo_share,
    went_badly,
    went_well,
)

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Executive, ToolRequest

PENDING = ("decision", "negotiation", "escalated")


def decide_requests(model: CxOModel) -> None:
    """Whoever holds the decision rights works through pending requests, within their hours."""
    queue = [r for r in model.decision_queue if r.stage in PENDING]
    model.decision_queue = queue
    if not queue:
        return
    if len(queue) > 1:
        queue.sort(key=lambda r: (-r.priority, r.filed))
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
        if model.policy.reuses(model, request, reuse_gain(model, request, burden)):
            redirect(model, request, existing)
            decided(model, request)
            went_well(model)  # IT's inventory served marketing (ODD 7.12)
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
    and hears of the rest through the CIO's advice. Whether the decider then takes the tool the
    firm has is its choice (``reuse_gain``).
    """
    k = model.k
    if model.rights != "cmo":
        return k.INVENTORY_RECALL_IT
    if not advised:
        return k.INVENTORY_RECALL_CMO
    return 1.0 - (1.0 - k.INVENTORY_RECALL_CMO) * (1.0 - k.INVENTORY_RECALL_IT)


def reuse_gain(model: CxOModel, request: ToolRequest, burden: float) -> float:
    """What pointing the campaign to the tool the firm has gains the deciders, by their KPIs.

    The tool the firm has fits the campaign less well (``REUSE_FIT`` of its value) but is there
    now, costs a seat (``SEAT_SHARE`` of a licence) rather than a new licence, and brings no new
    vendor's risk nor a review or integration for IT's queue; the
    requested one is scored as ``scores`` scores it, without the noise, its value discounted
    for the weeks marketing expects a new tool to take (at marketing's delay rate). Each
    executive weighs its own KPIs plus ``alignment`` times the other's; under shared rights
    both count, and the combined executive weighs the two jobs equally (ODD 7.7).
    """
    value, cost, risk, burden = request_terms(model, request, burden)
    k = model.k
    reused = value * k.REUSE_FIT
    seat = seat_price(model, cost)
    value *= math.exp(-model.delay_rate * model.expected_wait)
    cmo, cio = model.cmo, model.cio
    cmo_gain = cmo.own_score("cmo", reused, seat, 0.0, 0.0) - cmo.own_score(
        "cmo", value, cost, risk, burden
    )
    cio_gain = cio.own_score("cio", reused, seat, 0.0, 0.0) - cio.own_score(
        "cio", value, cost, risk, burden
    )
    if model.rights == "combined":
        return 0.5 * (cmo_gain + cio_gain)
    if model.rights == "cmo":
        return cmo_gain + model.alignment * cio_gain
    if model.rights == "cio":
        return cio_gain + model.alignment * cmo_gain
    return cmo_gain + cio_gain


def pilot_price(model: CxOModel, request: ToolRequest) -> float:
    """Licence share of what is bought: a pilot costs a fraction of the full tool."""
    return model.k.PILOT_PRICE if request.pilot else 1.0


def scores(model: CxOModel, request: ToolRequest, burden: float) -> tuple[bool, bool]:
    """Whether the CMO and the CIO (or the combined executive, twice) want the tool.

    Each scores by its own KPIs plus ``alignment`` times the other's, with noise.
    """
    value, cost, risk, burden = request_terms(model, request, burden)
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
    request.scores = (cmo_score, cio_score)
    return policy.wants(model, cmo, request, cmo_score), policy.wants(
        model, cio, request, cio_score
    )


def request_terms(
    model: CxOModel, request: ToolRequest, burden: float
) -> tuple[float, float, float, float]:
    """A request as the executives' KPIs see it: value, cost, risk and IT's burden (ODD 7.7).

    Value and cost are relative to a typical request and licence; risk is the capability's data
    sensitivity times the vendor's weakness; a pilot costs and risks less and is reviewed
    lightly.
    """
    k = model.k
    cap = request.capability
    value = request.campaign.base_value / k.VALUE_MEAN * (1.0 + cap.hype)
    cost = request.cost / k.LICENCE_MEAN * pilot_price(model, request)
    risk = cap.sensitivity * (k.WEAKNESS_FLOOR + request.weakness) / (k.WEAKNESS_FLOOR + 1.0)
    if request.pilot:
        risk *= k.PILOT_DATA_CAP
        burden *= k.PILOT_REVIEW_DAYS / k.REVIEW_DAYS
    return value, cost, risk, burden


def refused_by_cio(model: CxOModel, request: ToolRequest) -> None:
    """The CIO refused under IT's decision rights; the CMO may fight it."""
    cap = request.capability
    mediated = disagreement(model, f"the CIO refused {model.a_tool(cap)} marketing wanted")
    gain = escalation_gain(model, model.cmo, request.scores[0])
    if not mediated and model.policy.escalates(model, model.cmo, request, gain):
        escalate(model, request, cmo_wants=True)
    else:
        deny(model, request, "the CIO refused")


def cio_objects(model: CxOModel, request: ToolRequest) -> None:
    """The CMO decides (the new world); the CIO's advice is against it."""
    cap = request.capability
    mediated = disagreement(model, f"the CIO advised against {model.a_tool(cap)}")
    gain = escalation_gain(model, model.cio, -request.scores[1])
    if not mediated and model.policy.escalates(model, model.cio, request, gain):
        escalate(model, request, cmo_wants=True)
    else:
        approve(model, request)


def escalation_gain(model: CxOModel, executive: Executive, stake: float) -> float:
    """What taking a disagreement to the CEO is worth to ``executive``, by its KPIs (ODD 7.7).

    It wins with the CEO as far as its influence outweighs the other's, and winning is worth
    ``stake``: how far its score of the request is from indifference (the tool it wants, or the
    one it would refuse). Going over a colleague's head costs ``ESCALATION_STAKE``: half of it
    whatever the relationship (the hours, the CEO's patience), the other half as far as the
    two trust each other (the relationship put at risk).
    """
    share = cmo_share(model)
    wins = share if executive is model.cmo else 1.0 - share
    return wins * stake - model.k.ESCALATION_STAKE * 0.5 * (1.0 + model.trust)


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
    """Refused. Marketing drops what its own leader refused; IT's refusal it may go around.

    After IT's refusal (or the CEO's) the marketer keeps the campaign if going around IT gains
    it something once waiting is worth nothing, and drops it otherwise.
    """
    decided(model, request)
    if model.rights in ("cmo", "combined") and reason != "the CEO refused":
        request.stage = "closed"
        request.campaign.dropped = True
        return
    request.stage = "denied"
    # Marketing keeps the campaign only to go around IT, when that beats dropping it now that
    # waiting is worth nothing (ODD 7.6).
    waited = model.week - request.filed
    gain = model.around_gain(waited, request.campaign, request.capability, price=True, refused=True)
    if not model.policy.goes_around(model, request.marketer, request.campaign, gain):
        request.stage = "closed"
        request.campaign.dropped = True


def decided(model: CxOModel, request: ToolRequest) -> None:
    """Count the first decision on a request and how long it took."""
    if request.decided < 0:
        request.decided = model.week
        model.tally["decisions"] += 1
        model.tally["decision_weeks_total"] += model.week - request.filed
