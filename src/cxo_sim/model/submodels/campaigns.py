"""Campaigns (ODD 7.3, 7.4): ideas, equipping them with tools, launches and their value.

A campaign's lead time is not set anywhere: it is the time from the idea to the moment its
content, every tool it needs, its data access and (on systems IT runs) IT's release are all in
place, so it responds to every queue in between, in fractions of a week.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cxo_sim.model.agents import Campaign, Task, ToolRequest
from cxo_sim.model.submodels.data import check_data_use, seek_data
from cxo_sim.model.submodels.environment import draw_capability
from cxo_sim.model.submodels.money import add_user, vendor_licence
from cxo_sim.model.submodels.relationship import went_well

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Capability, Marketer, Tool


def new_campaign(model: CxOModel, marketer: Marketer) -> Campaign:
    """A marketer's new idea: one to three capabilities, maybe customer data, a moment.

    Every draw comes from the marketer's own idea stream (common random numbers, ODD 4).
    """
    k, ideas = model.k, marketer.ideas
    draw = ideas.random()
    wanted = 1 if draw < k.ONE_NEED else 2 if draw < k.ONE_NEED + k.TWO_NEEDS else 3
    needs: list[Capability] = []
    for _ in range(wanted * 3):
        cap = draw_capability(model, ideas)
        if cap not in needs:
            needs.append(cap)
        if len(needs) == wanted:
            break
    personalisation = ideas.random()
    sigma = k.VALUE_SIGMA
    base = k.VALUE_MEAN * ideas.lognormvariate(-0.5 * sigma * sigma, sigma)
    idea_at = model.week + ideas.random()
    ready_at = idea_at + k.PREP_MIN_WEEKS + ideas.expovariate(1.0 / k.PREP_EXTRA_WEEKS)
    window = k.WINDOW_MIN_WEEKS + ideas.expovariate(1.0 / k.WINDOW_EXTRA_WEEKS)
    return Campaign(
        marketer=marketer,
        needs=tuple(needs),
        personalisation=personalisation,
        wants_data=personalisation > k.WANTS_DATA_ABOVE,
        base_value=base,
        idea_at=idea_at,
        ready_at=ready_at,
        deadline=ready_at + window,
    )


def advance_campaign(model: CxOModel, campaign: Campaign) -> None:
    """Find or ask for each missing capability, seek data, and ask IT for a release."""
    tools = campaign.tools
    equipped = True
    for cap in campaign.needs:
        tool = tools.get(cap)
        if tool is None:
            if cap in tools:
                equipped = False  # a request is open
                continue
        elif tool.active:
            continue
        equip(model, campaign, cap)
        equipped = equipped and tools[cap] is not None
    if campaign.wants_data and campaign.data not in ("granted", "copied"):
        seek_data(model, campaign)
    if equipped and campaign.launch_at < 0 and release_lane(model, campaign) is not None:
        campaign.launch_at = 0.0  # waiting for someone's release work
        not_before = max([campaign.ready_at] + [tools[cap].ready_at for cap in campaign.needs])
        if release_lane(model, campaign) == "marketing":
            task = Task("launch", model.k.LAUNCH_DAYS, True, 0, model.week, campaign=campaign)
            task.not_before = not_before
            model.martech_tasks.append(task)
            return
        model.queue(
            "launch",
            model.k.LAUNCH_DAYS,
            marketing=True,
            priority=0,
            campaign=campaign,
            not_before=not_before,
        )


def release_lane(model: CxOModel, campaign: Campaign) -> str | None:
    """Who pushes the campaign live: "it", "marketing" (its technologists) or None (no one).

    Campaigns on systems IT runs need IT's release (article 004, the old world). Enterprise
    tools marketing bought openly need a release too: by marketing's own technologists where
    the firm has hired them (article 004, the new world: employees who can push a site live),
    else by IT. Team-tier subscriptions bought on a card and platform modules are self-serve.
    """
    k = model.k
    if not k.MECH_RELEASE:
        return None
    enterprise = False  # an enterprise tool marketing bought
    for tool in campaign.tools.values():
        if tool is None or tool.platform:
            continue
        if tool.owner == "it":
            return "it"
        enterprise = enterprise or not tool.bypass
    if not enterprise or not k.MECH_MARKETING_RELEASE:
        return None
    return "marketing" if model.marketing_technologists > 0 else "it"


def needs_release(campaign: Campaign) -> bool:
    """Whether someone must push the campaign live (``release_lane``)."""
    return release_lane(campaign.marketer.model, campaign) is not None


def equip(model: CxOModel, campaign: Campaign, cap: Capability) -> None:
    """A tool the firm has, a platform module, or a request for a new one."""
    found = find_tool(model, campaign, cap)
    if found is not None:
        campaign.tools[cap] = found
        return
    if model.platform_live and not cap.emerging:
        module = model.self_provision(cap)
        if module is not None:
            campaign.tools[cap] = module
            went_well(model)  # IT's platform served marketing
            return
    if campaign.marketer.goes_straight_around(campaign, cap):
        tool = model.buy_around(campaign, cap)
        if tool is not None:
            campaign.tools[cap] = tool
            return
    campaign.tools[cap] = None
    file_request(model, campaign, cap)


def find_tool(model: CxOModel, campaign: Campaign, cap: Capability) -> Tool | None:
    """A tool a marketer finds for ``cap``: IT's catalogue first, then word of mouth."""
    tools = model.tools_by_cap.get(cap)
    if not tools:
        return None
    k = model.k
    best = known_tool(model, cap)
    if best is not None:
        draw = model.random.random()
        if draw < k.FIND_KNOWN:
            return best
        # The shared board shows IT's tool to marketers who would not have thought of it, as
        # far as IT keeps its entries current. It fits the campaign less well than the tool
        # they would ask for (``REUSE_FIT``): they take it when that beats waiting for IT, as
        # they would take the liaison's offer (the policy's ``takes_offer``).
        board = (k.FIND_KNOWN_SHARED - k.FIND_KNOWN) * model.board_coverage if shows(model) else 0
        if draw < k.FIND_KNOWN + board and model.policy.takes_offer(
            model, campaign.marketer, offer_gain(model)
        ):
            campaign.fit *= k.REUSE_FIT
            went_well(model)  # IT's shared board served marketing, as its platform does
            return best
    shadow = [t for t in tools if not t.known]
    if shadow and model.random.random() < k.FIND_SHADOW:
        return shadow[0]
    return None


def shows(model: CxOModel) -> bool:
    """Whether shared tools make each side's catalogue and purchases visible to the other."""
    return model.shared_tools and bool(model.k.MECH_SHARED_VISIBILITY)


def known_tool(model: CxOModel, cap: Capability) -> Tool | None:
    """The best tool IT knows for ``cap``, or None."""
    known = [t for t in model.tools_by_cap.get(cap, ()) if t.known]
    if len(known) == 1:
        return known[0]  # what ``max`` returns for one, without working out its preference
    return max(known, key=preference) if known else None


def preference(tool: Tool) -> tuple:
    """Which of several tools for one capability the firm prefers to keep and use."""
    return (tool.platform, tool.reviewed, tool.integrated, tool.last_used, -tool.unique_id)


def file_request(model: CxOModel, campaign: Campaign, cap: Capability) -> None:
    """Ask for a new tool; the liaison or shared tools may point to one the firm has."""
    k = model.k
    request = ToolRequest(
        capability=cap,
        campaign=campaign,
        marketer=campaign.marketer,
        filed=model.week,
        pilot=model.pilot_first and cap.emerging,
        cost=vendor_licence(model, cap),
        weakness=model.vendor_weakness(vetted=False),
        owner="marketing" if model.rights == "cmo" else "it",
    )
    liaison = model.liaison if k.MECH_LIAISON_VETTING else None
    if liaison is not None and liaison.take(k.VET_HOURS):
        existing = liaison_finds(model, cap)
        if existing is not None and model.policy.takes_offer(
            model, campaign.marketer, offer_gain(model)
        ):
            if not existing.known:
                model.make_known(existing, "pointed out by the liaison")
            redirect(model, request, existing)
            went_well(model)  # IT's inventory served marketing, through the liaison
            return
        request.vetted = True
        request.weakness = model.vendor_weakness(vetted=True)
    campaign.marketer.requests.append(request)
    model.decision_queue.append(request)


def liaison_finds(model: CxOModel, cap: Capability) -> Tool | None:
    """A tool the liaison finds for ``cap`` (or None): it looks as IT and as a marketer would.

    It reads IT's inventory as IT does (``INVENTORY_RECALL_IT``) and hears of colleagues'
    shadow tools as a marketer does (``FIND_SHADOW``); what it finds in the shadow it tells
    IT, who must then onboard it.
    """
    k = model.k
    best = known_tool(model, cap)
    if best is not None and model.random.random() < k.INVENTORY_RECALL_IT:
        return best
    shadow = [t for t in model.tools_by_cap.get(cap, ()) if not t.known]
    if shadow and model.random.random() < k.FIND_SHADOW:
        return shadow[0]
    return None


def offer_gain(model: CxOModel) -> float:
    """What taking a tool the firm has, pointed out to it, gains a marketer over a new one.

    The existing tool now fits less well (``REUSE_FIT``); the new one would come after the wait
    the marketer expects from IT, as far as it trusts IT to deliver (ODD 7.3, 7.6). It takes the
    offer when it gains (the policy's ``takes_offer``).
    """
    return model.k.REUSE_FIT - delivery_worth(model, model.expected_wait)


def delivery_worth(model: CxOModel, weeks: float) -> float:
    """What IT's delivery ``weeks`` from now is worth to a marketer now, in [0, 1] (ODD 7.6).

    The campaign's value decays at marketing's delay rate, and the marketer counts on delivery
    only as far as it trusts IT.
    """
    deliver = model.trust if model.k.MECH_TRUST_EXPECTATION else 1.0
    return deliver * math.exp(-model.delay_rate * weeks)


def redirect(model: CxOModel, request: ToolRequest, tool: Tool, counted: bool = True) -> None:
    """Close a request by pointing its campaign to a tool the firm already has (a worse fit).

    ``counted``: a redirect by the firm (decider, meeting, liaison) counts in ``redirects``; a
    marketer borrowing a colleague's tool around IT does not.
    """
    campaign = request.campaign
    campaign.tools[request.capability] = tool
    campaign.fit *= model.k.REUSE_FIT
    request.stage = "closed"
    if counted:
        model.tally["redirects"] += 1


def launch_campaigns(model: CxOModel) -> None:
    """Launch every campaign that is ready this week; drop those whose moment passed."""
    week = model.week
    end = week + 1
    for marketer in model.team:
        if not marketer.campaigns:
            continue
        still = []
        for campaign in marketer.campaigns:
            # A campaign waiting for IT's release cannot launch (``launch_time``'s first test).
            at = None if campaign.launch_at == 0.0 else launch_time(model, campaign)
            if at is not None and at < end:
                launch(model, campaign, at)
            elif campaign.dropped or week > campaign.deadline:
                abandon(campaign)
            else:
                still.append(campaign)
        marketer.campaigns = still


def launch_time(model: CxOModel, campaign: Campaign) -> float | None:
    """When everything the campaign needs is in place, or None if something is missing."""
    if campaign.launch_at == 0.0:
        return None  # IT has not pushed it live yet
    at = campaign.ready_at
    week = model.week
    tools = campaign.tools
    for cap in campaign.needs:
        tool = tools.get(cap)
        # ``Tool.usable(week)``, inline: active and not offline after a breach.
        if tool is None or not tool.active or week < tool.offline_until:
            return None
        if tool.pilot and tool.seat_week == week and tool.seats >= model.k.PILOT_SEATS:
            return None  # a pilot carries only a few campaigns at a time
        if tool.ready_at > at:  # max(at, ready_at), as ``max`` keeps the first of equals
            at = tool.ready_at
    if campaign.wants_data:
        if campaign.data not in ("granted", "copied"):
            return None
        if campaign.data_at > at:
            at = campaign.data_at
    if campaign.launch_at > 0.0:
        if campaign.launch_at > at:
            at = campaign.launch_at
    elif needs_release(campaign):
        return None  # equipped this week: the release is asked for next week
    return at


def launch(model: CxOModel, campaign: Campaign, at: float) -> None:
    """Launch: value grows with personalisation and fit and decays with lead time."""
    k = model.k
    tools = [campaign.tools[cap] for cap in campaign.needs]
    ungoverned = campaign.data == "copied" or any(not tool.known for tool in tools)
    if campaign.wants_data:
        at += check_data_use(model, campaign, ungoverned)
    lead = at - campaign.idea_at
    base = campaign.base_value * campaign.fit
    for cap, tool in zip(campaign.needs, tools, strict=True):
        worth = cap.value_factor
        if tool.pilot or (cap.emerging and k.MECH_LEARNING):
            # A launch shows a noisy sign of an emerging capability's worth (ODD 7.13).
            tool.shown.append(worth * model.random.lognormvariate(0.0, k.PILOT_NOISE))
        if tool.pilot:
            if tool.seat_week != model.week:
                tool.seat_week, tool.seats = model.week, 0
            tool.seats += 1
            base *= k.PILOT_REACH  # a test segment, not the whole audience
        base *= worth * (k.PLATFORM_FIT if tool.platform else 1.0)
    share = campaign.data_share if campaign.wants_data else 0.0
    integrated = sum(tool.integrated for tool in tools) / len(tools)
    used = min(campaign.personalisation, share)
    uplift = k.PERSONALISATION_UPLIFT * used * integrated
    value = base * (1.0 + uplift) * math.exp(-lead / k.VALUE_DECAY_WEEKS)
    held = campaign.sensitivity * share
    marketer = campaign.marketer.unique_id
    for tool in tools:
        tool.last_used = model.week
        add_user(model, tool, marketer)
        exposure = min(held, k.PILOT_DATA_CAP) if tool.pilot else held
        if exposure > tool.data_held:
            tool.data_held = exposure
    campaign.closed = True
    campaign.marketer.remember(True)
    model.tally["campaigns_launched"] += 1
    model.tally["campaign_value"] += value
    model.week_value += value
    model.lead_times.append(lead)
    model.year["lead_times"].append(lead)


def abandon(campaign: Campaign) -> None:
    """The campaign's moment passed, or it was refused: close its open requests."""
    campaign.closed = True
    campaign.marketer.remember(False)
    for request in campaign.marketer.requests:
        if request.campaign is campaign:
            request.stage = "closed"
