"""Meetings (ODD 7.2): the CIO and the CMO review the joint backlog on a schedule.

Each executive prepares (reads the backlog and the inventory) and sits the meeting, with hours
taken from the same week's decisions; a staff day prepares the backlog. The meeting lasts what
both can give of ``MEETING_HOURS``, and each item on its agenda takes ``AGENDA_ITEM_HOURS``, so a
meeting handles only so many: first the backlog (requests for capabilities the firm already
covers are redirected to the tool it has, disagreements in negotiation are settled jointly,
other pending requests move up the queue), then what marketers choose to disclose.

Disclosure is each owner's choice, not a lottery (``disclosure_gain``): the meeting offers an
amnesty, but a disclosed tool that duplicates one IT has will be proposed for retirement, and a
marketer who does not trust the amnesty still fears the blame. Hiding risks being found by IT
anyway, and blamed. Trust follows what the meeting resolves, not the meeting itself.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import known_tool, redirect
from cxo_sim.model.submodels.decisions import (
    approve,
    decided,
    deny,
    inventory_recall,
    reuse_gain,
    scores,
)
from cxo_sim.model.submodels.money import coordinate
from cxo_sim.model.submodels.portfolio import idle, stake
from cxo_sim.model.submodels.relationship import ceo_sides_with_cmo, went_well

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Tool


def meeting_due(model: CxOModel) -> bool:
    """Whether a CIO-CMO meeting falls this week."""
    return model.meeting_interval > 0 and model.week % model.meeting_interval == 0


def hold_meeting(model: CxOModel) -> None:
    """Joint backlog review, settled disagreements, disclosure, as far as the agenda holds."""
    k = model.k
    executives = model.executives
    hours = sum(executive.take_up_to(k.MEETING_PREP_HOURS) for executive in executives)
    length = min([k.MEETING_HOURS] + [executive.hours for executive in executives])
    for executive in executives:
        hours += executive.take_up_to(length)
    model.queue("meeting", k.MEETING_STAFF_DAYS, marketing=False, priority=2)
    coordinate(model, hours * k.EXEC_HOUR_COST + k.MEETING_STAFF_DAYS * k.ENGINEER_DAY_COST)
    items = int(length / k.AGENDA_ITEM_HOURS + 1e-9) if k.MECH_AGENDA else math.inf
    resolved = 0
    burden = model.it_backlog_weeks()
    backlog = list(model.decision_queue) + model.requests_in_review()
    for request in backlog if k.MECH_BACKLOG_REVIEW else []:
        if request.stage == "closed":
            continue
        if items <= 0:
            break
        existing = known_tool(model, request.capability)
        if (
            existing is not None
            and model.random.random() < inventory_recall(model, True)
            and model.policy.reuses(model, request, reuse_gain(model, request, burden))
        ):
            decided(model, request)
            redirect(model, request, existing)
            resolved += 1
            items -= 1
        elif request.stage == "negotiation":
            cmo_wants, cio_wants = scores(model, request, burden)
            if cmo_wants != cio_wants:  # still apart: a side carries it by relative influence
                cmo_wants = ceo_sides_with_cmo(model) == cmo_wants
            approve(model, request) if cmo_wants else deny(model, request, "both refused")
            resolved += 1
            items -= 1
        else:
            request.priority += 1
    for tool in list(model.stack) if k.MECH_DISCLOSURE else []:
        if items <= 0:
            break
        if not tool.known and model.policy.discloses(model, tool, disclosure_gain(model, tool)):
            model.make_known(tool, "disclosed at the CIO-CMO meeting")
            resolved += 1
            items -= 1
    went_well(model, resolved)


def disclosure_gain(model: CxOModel, tool: Tool) -> float:
    """What the owner gains by disclosing ``tool`` now rather than hiding it (blame units).

    Disclosing: the amnesty holds as far as the owner trusts IT (else it fears the blame of
    having gone around), and a tool that duplicates one IT has and that campaigns still use
    will be proposed for retirement: the owner loses its stake in it. Hiding: IT may find it
    within the year, with the blame and the same loss. The stake in a tool is the owner's own,
    drawn once (``DISCLOSE_STAKE`` on average).
    """
    k = model.k
    owned = stake(model, tool)
    duplicate = any(t.known for t in model.tools_by_cap.get(tool.capability, ()))
    stake_lost = owned if duplicate and not idle(model, tool) else 0.0
    # worked out at the start of the week (shadow_it.expectations)
    caught = model.caught_chance(tool.beside)
    disclose = -stake_lost - k.AMNESTY_DOUBT * (1.0 - model.trust)
    hide = -caught * (1.0 + stake_lost)
    return disclose - hide
