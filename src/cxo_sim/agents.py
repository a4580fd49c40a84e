"""Agents and plain objects of the cxo-sim model.

Mesa agents: :class:`Executive` (the CIO, the CMO, or the combined executive), :class:`Marketer`,
:class:`Engineer`, :class:`Liaison` and :class:`Tool`. Plain objects: :class:`Capability`,
:class:`Campaign`, :class:`ToolRequest`, :class:`Task` and :class:`Event`.
Money is in k$, time in weeks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa

from cxo_sim.submodels import PATCH_LAG_CAP

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel


@dataclass(eq=False, slots=True)
class Capability:
    """A marketing capability that tools provide and campaigns need.

    Attributes:
        name: e.g. "email", "cdp".
        sensitivity: how much customer data the capability handles, in [0, 1].
        popularity: how often campaigns need it (relative weight).
        cost_factor: typical licence cost relative to an average tool.
        emerging: appeared during the run (AI, VR, IoT ...).
        value_factor: true value multiplier for campaigns (uncertain for emerging ones).
        hype: extra popularity marketing gives an emerging capability early on; decays.
        abandoned: a failed pilot showed it is not worth it; campaigns stop asking for it.
    """

    name: str
    sensitivity: float
    popularity: float
    cost_factor: float = 1.0
    emerging: bool = False
    value_factor: float = 1.0
    hype: float = 0.0
    abandoned: bool = False

    @property
    def demand(self) -> float:
        """Current weight of this capability in campaign ideas."""
        if self.abandoned:
            return 0.0
        return self.popularity + self.hype


@dataclass(eq=False, slots=True)
class Campaign:
    """A campaign idea on its way to launch.

    Attributes:
        marketer: the marketer who owns it.
        needs: the capabilities it needs (one to three).
        personalisation: how much customer data it uses, in [0, 1].
        wants_data: whether it needs customer-data access.
        base_value: value (k$) if launched at once without personalisation uplift, before the
            true worth of any emerging capability it uses (applied at launch).
        idea_week: week the idea came up.
        ready_week: week its content is ready (preparation done).
        deadline: last week it is still worth launching (its moment passes).
        tools: the tool chosen for each needed capability.
        data_granted: customer-data access granted through governed channels.
        data_ungoverned: marketing copied the data itself, outside governance.
        data_wait_start: week it started waiting for data (-1 if never).
        data_wait: weeks it waited for data.
        data_requested: a data-access request is in IT's queue.
        dropped: refused by marketing's own leadership, or given up after IT's refusal.
        closed: launched or abandoned; its pending IT work is cancelled.
        launch_ticket: 0 none needed yet, 1 waiting for IT to push it live, 2 IT done.
    """

    marketer: Marketer
    needs: tuple[Capability, ...]
    personalisation: float
    wants_data: bool
    base_value: float
    idea_week: int
    ready_week: int
    deadline: int
    tools: dict = field(default_factory=dict)
    data_granted: bool = False
    data_ungoverned: bool = False
    data_wait_start: int = -1
    data_wait: int = 0
    data_requested: bool = False
    dropped: bool = False
    closed: bool = False
    launch_ticket: int = 0

    @property
    def sensitivity(self) -> float:
        """Sensitivity of the customer data the campaign would use."""
        if not self.wants_data:
            return 0.0
        return self.personalisation * max(c.sensitivity for c in self.needs)


@dataclass(eq=False, slots=True)
class ToolRequest:
    """A request for a new tool (or a pilot) that waits in a queue.

    Attributes:
        capability: the capability wanted.
        campaign: the campaign that needs it.
        marketer: who filed it.
        filed_week: week filed.
        pilot: a small pilot of an emerging capability.
        stage: "decision", "escalated", "review", "denied", "closed".
        rounds: negotiation rounds so far (shared budget).
        vetted: the liaison wrote its requirements (fewer review rejections).
        priority: raised by meetings' backlog review.
        cmo_wants: in an escalation, whether the CMO is the side that wants the tool.
        cost: weekly licence cost of the proposed tool (k$/week).
        vulnerability: weakness of the proposed vendor, in [0, 1].
        owner: who will own the tool ("it" or "marketing").
        decided_week: week a decision was taken (-1 while pending).
    """

    capability: Capability
    campaign: Campaign
    marketer: Marketer
    filed_week: int
    pilot: bool = False
    stage: str = "decision"
    rounds: int = 0
    vetted: bool = False
    priority: int = 0
    cmo_wants: bool = True
    cost: float = 0.0
    vulnerability: float = 0.5
    owner: str = "it"
    decided_week: int = -1


@dataclass(eq=False, slots=True)
class Task:
    """A unit of engineering work waiting in IT's queue.

    Attributes:
        kind: "incident", "review", "integration", "data", "onboard", "retire", "launch",
            "meeting", "governance", "scale_up".
        effort: engineer-days of work left.
        marketing: whether it serves a marketing request (embedded engineers take these).
        priority: higher first; ties go to the oldest.
        created: week queued.
        request: the tool request it serves, if any.
        tool: the tool it concerns, if any.
        campaign: the campaign it serves (data provisioning), if any.
        not_before: first week work on it can be done (vendor turnaround, release window).
    """

    kind: str
    effort: float
    marketing: bool
    priority: int
    created: int
    request: ToolRequest | None = None
    tool: Tool | None = None
    campaign: Campaign | None = None
    not_before: int = 0


@dataclass(frozen=True)
class Event:
    """Something worth telling a class about, in plain words."""

    week: int
    kind: str
    text: str


class Executive(mesa.Agent):
    """The CIO, the CMO, or the executive who holds both titles.

    Attributes:
        role: "cio", "cmo" or "combined".
        base_spend: spending appetite parameter.
        base_risk: risk tolerance parameter.
        base_speed: urgency parameter.
        influence: standing with the CEO, in [0, 1].
        tightening: how much a recent breach has tightened risk tolerance, in [0, 1].
        frustration: how much running out of patience (each purchase made around or past IT)
            has raised urgency, in [0, 1].
    """

    def __init__(self, model: CxOModel, role: str, spend: float, risk: float, speed: float):
        super().__init__(model)
        self.role = role
        self.base_spend = spend
        self.base_risk = risk
        self.base_speed = speed
        self.influence = 0.5
        self.tightening = 0.0
        self.frustration = 0.0

    @property
    def spend(self) -> float:
        """Current spending appetite."""
        return self.base_spend

    @property
    def risk(self) -> float:
        """Current risk tolerance: a breach makes an executive tighten for a while."""
        return self.base_risk * (1.0 - 0.6 * self.tightening)

    @property
    def speed(self) -> float:
        """Current urgency: each time marketing runs out of patience, the CMO grows more urgent."""
        return min(1.0, self.base_speed + self.frustration)

    def recover(self) -> None:
        """Weekly fading of breach tightening and frustration; influence drifts back to 0.5."""
        self.tightening *= 0.95
        self.frustration *= 0.97
        self.influence += 0.01 * (0.5 - self.influence)


class Marketer(mesa.Agent):
    """A member of the CMO's team: has campaign ideas and pushes them to launch.

    Attributes:
        campaigns: campaigns in progress.
        requests: this marketer's tool requests still open.
        ideas: this marketer's own random stream for ideas (common random numbers).
    """

    def __init__(self, model: CxOModel, ideas: random.Random):
        super().__init__(model)
        self.ideas = ideas
        self.campaigns: list[Campaign] = []
        self.requests: list[ToolRequest] = []

    def act(self) -> None:
        """Advance campaigns, maybe have an idea, and go around IT when out of patience."""
        model = self.model
        if self.ideas.random() < model.idea_rate:
            self.campaigns.append(model.new_campaign(self))
        for campaign in self.campaigns:
            model.advance_campaign(campaign)
        if self.requests:
            self.consider_bypass()

    def consider_bypass(self) -> None:
        """Buy around a request that has waited longer than marketing's patience."""
        model = self.model
        patience = model.patience
        still_open = []  # requests closed since last week are dropped
        for request in self.requests:
            if request.stage == "closed":
                continue
            still_open.append(request)
            waited = model.week - request.filed_week
            if waited > patience and self.random.random() < model.BYPASS_PROPENSITY:
                model.bypass(request, waited)
        self.requests = still_open


class Engineer(mesa.Agent):
    """A member of the CIO's staff who serves marketing.

    Attributes:
        embedded: works inside marketing (mixed teams): takes only marketing work, with context.

    The class constant ``CAPACITY`` is an engineer's working days per week.
    """

    CAPACITY = 5.0
    # A regular engineer gives this base share of the week to marketing technology; the rest
    # keeps IT's other systems running. Alignment raises the share: marketing's requests get
    # more of IT's time.
    MARKETING_SHARE = 0.1

    def __init__(self, model: CxOModel, embedded: bool):
        super().__init__(model)
        self.embedded = embedded

    def work(self) -> None:
        """Spend this week's capacity on the queue (see ``CxOModel.work_queue``)."""
        model = self.model
        if self.embedded:
            model.work_queue(self.CAPACITY, True, 1.5)  # marketing's work only, with context
        else:
            capacity = model.build_platform(
                self.CAPACITY * (self.MARKETING_SHARE + 0.3 * model.alignment)
            )
            model.work_queue(capacity, False, 1.0)


class Liaison(mesa.Agent):
    """A marketing technologist who reports to both executives; one person, so it saturates.

    Attributes:
        load: tasks taken this week.
    """

    CAPACITY = 6

    def __init__(self, model: CxOModel):
        super().__init__(model)
        self.load = 0

    def available(self) -> bool:
        """Whether the liaison can take one more task this week."""
        return self.load < self.CAPACITY

    def take(self) -> None:
        """Count one task against this week's capacity."""
        self.load += 1

    def new_week(self) -> None:
        """Start a new week with full capacity."""
        self.load = 0


class Tool(mesa.Agent):
    """A martech tool: one capability, a cost, a vendor weakness and a standing with IT.

    Attributes:
        capability: the capability it provides.
        status: "reviewed", "known" (IT aware, never reviewed) or "shadow" (IT unaware).
        reviewed: went through IT's security review (platform modules count as reviewed).
        known: IT knows the tool exists, so it can patch, monitor and rationalise it.
        platform: provisioned from the self-serve platform.
        pilot: a small pilot of an emerging capability.
        owner: "it" or "marketing".
        weekly_cost: licence cost (k$/week).
        vulnerability: vendor weakness in [0, 1].
        integrated: connected to the rest of the stack.
        monitored: watched by IT's security monitoring.
        data_held: sensitivity-weighted customer data it holds, in [0, 1].
        patched_at: the model's count of security weeks when it was last patched (or bought).
        patch_lag: weeks since its last patch (each security week is one more, up to the cap).
        bought_week: week it was bought.
        last_used: week a campaign last used it (-1 if never).
        breached: has been breached.
        bypass: bought around IT, paid from marketing's own money.
        active: still in the stack (False once retired).
        retiring: queued for retirement by rationalisation.
    """

    def __init__(
        self,
        model: CxOModel,
        capability: Capability,
        status: str,
        owner: str,
        weekly_cost: float,
        vulnerability: float,
        platform: bool = False,
        pilot: bool = False,
        bypass: bool = False,
    ):
        super().__init__(model)
        self.capability = capability
        self.status = status  # sets ``reviewed`` and ``known`` too
        self.platform = platform
        self.pilot = pilot
        self.owner = owner
        self.weekly_cost = weekly_cost
        self.vulnerability = vulnerability
        self.integrated = platform
        self.monitored = status == "reviewed"
        self.data_held = 0.0
        self.patched_at = model.security_weeks
        self.bought_week = model.week
        self.last_used = -1
        self.breached = False
        self.bypass = bypass
        self.active = True
        self.retiring = False

    # The weekly loops read ``reviewed`` and ``known`` for every tool, so they are plain
    # attributes, kept in step with ``status`` by its setter.
    @property
    def status(self) -> str:
        """IT's standing with the tool: "reviewed", "known" or "shadow"."""
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value
        self.reviewed = value == "reviewed"
        self.known = value != "shadow"
        self.model.bill_changed()  # shadow spend is summed by standing

    # Vendors release patches every week; a tool misses each one until IT patches it. The lag is
    # counted from the model's tally of security weeks rather than aged tool by tool.
    @property
    def patch_lag(self) -> int:
        """Weeks since the tool's last patch (or purchase), capped at ``PATCH_LAG_CAP``."""
        return min(PATCH_LAG_CAP, self.model.security_weeks - self.patched_at)

    def patch(self) -> None:
        """Apply the vendor's latest patch."""
        self.patched_at = self.model.security_weeks
