"""Meetings (ODD 7.2): the CIO and the CMO review the joint backlog on a schedule.

At a meeting, requests for capabilities the firm already covers are redirected to the tool it
has, disagreements in negotiation are settled jointly, pending requests move up the queue, and
marketing discloses shadow tools as far as it trusts IT. Trust follows what the meeting
resolves, not the meeting itself: a meeting with nothing to resolve builds nothing. Each meeting
takes both executives' hours and a day of staff time to prepare; more frequent meetings find
less to resolve each, at the same cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import known_tool, redirect
from cxo_sim.model.submodels.decisions import approve, decided, deny, scores
from cxo_sim.model.submodels.money import coordinate
from cxo_sim.model.submodels.relationship import ceo_sides_with_cmo, went_well

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel


def meeting_due(model: CxOModel) -> bool:
    """Whether a CIO-CMO meeting falls this week."""
    return model.meeting_interval > 0 and model.week % model.meeting_interval == 0


def hold_meeting(model: CxOModel) -> None:
    """Joint backlog review, settled disagreements, disclosure; it costs hours and staff time."""
    k = model.k
    hours = sum(executive.take_up_to(k.MEETING_HOURS) for executive in model.executives)
    model.queue("meeting", k.MEETING_STAFF_DAYS, marketing=False, priority=2)
    coordinate(model, hours * k.EXEC_HOUR_COST + k.MEETING_STAFF_DAYS * k.ENGINEER_DAY_COST)
    resolved = 0
    burden = model.it_backlog_weeks()
    backlog = list(model.decision_queue) + model.requests_in_review() if k.MECH_BACKLOG_REVIEW else []
    for request in backlog:
        if request.stage == "closed":
            continue
        existing = known_tool(model, request.capability)
        if existing is not None:
            decided(model, request)
            redirect(model, request, existing)
            resolved += 1
        elif request.stage == "negotiation":
            cmo_wants, cio_wants = scores(model, request, burden)
            if cmo_wants != cio_wants:  # still apart: a side carries it by relative influence
                cmo_wants = ceo_sides_with_cmo(model) == cmo_wants
            approve(model, request) if cmo_wants else deny(model, request, "both refused")
            resolved += 1
        else:
            request.priority += 1
    for tool in list(model.stack) if k.MECH_DISCLOSURE else []:
        disclose = k.DISCLOSE_BASE + k.DISCLOSE_TRUST * model.trust
        if not tool.known and model.random.random() < disclose:
            model.make_known(tool, "disclosed at the CIO-CMO meeting")
            resolved += 1
    went_well(model, resolved)
