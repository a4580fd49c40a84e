"""Agents and plain objects of the cxo-sim model (ODD sections 2 and 7).

Mesa agents: :class:`Executive` (the CIO, the CMO, or the combined executive), :class:`Marketer`,
:class:`Engineer`, :class:`Liaison` and :class:`Tool`. Plain objects: :class:`Capability`,
:class:`Campaign`, :class:`ToolRequest`, :class:`Task` and :class:`Event`.

Each agent makes its own choices here (an executive's scores and attention, a marketer's ideas and
choices, an engineer's week); the processes they share live in the modules named
after the ODD's submodels, reached through the model. Money is in k$, time in weeks; a point in
time is a float, week ``w`` running from ``w`` to ``w + 1``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mesa

# The agents call the submodels' functions directly, not through the model's one-line
# wrappers; the submodels import the plain objects below, so they are reached through their
# package (``submodels.campaigns``), whose modules are all loaded with ``cxo_sim.model``.
from cxo_sim.model import submodels

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel


@dataclass(eq=False, slots=True)
class Capability:
    """A marketing capability that tools provide and campaigns need (ODD 2.2).

    Attributes:
        name: e.g. "email", "cdp".
        sensitivity: how much customer data the capability handles, in [0, 1].
        popularity: its mainstream weight in campaign ideas.
        cost_factor: typical licence relative to an average tool.
        emerging: appeared during the run (AI, VR, IoT ...).
        value_factor: true worth for campaigns (uncertain for emerging ones, 1 for the rest).
        born: week it appeared (0 for the starting catalogue).
        hype: extra demand marketing gives it early on; fades.
        obsolete_since: week it started to become obsolete (-1 while current).
        abandoned: a failed pilot or the firm's own launches showed it is not worth it;
            campaigns stop asking for it.
        judged: the firm has judged its worth from launches on full tools (ODD 7.13).
        demand: current weight in campaign ideas (kept by the environment, ODD 7.1).
    """

    name: str
    sensitivity: float
    popularity: float
    cost_factor: float = 1.0
    emerging: bool = False
    value_factor: float = 1.0
    born: int = 0
    hype: float = 0.0
    obsolete_since: int = -1
    abandoned: bool = False
    judged: bool = False
    demand: float = 0.0


@dataclass(eq=False, slots=True)
class Campaign:
    """A campaign idea on its way to launch (ODD 2.6, 7.3-7.5).

    Attributes:
        marketer: the marketer who owns it.
        needs: the capabilities it needs (one to three).
        personalisation: how much customer data it would use, in [0, 1].
        wants_data: whether it needs customer-data access.
        base_value: value (k$) if launched at once without personalisation.
        idea_at: when the idea came up.
        ready_at: when its content is ready.
        deadline: last moment it is still worth launching.
        tools: the tool chosen for each needed capability (None while requested).
        fit: value multiplier for tools that fit less well (reuse, platform modules).
        data: "", "requested", "granted" (through governance) or "copied" (around it).
        data_share: share of the wanted customer data it got.
        data_at: when its data access came.
        data_asked: when it asked for data access.
        launch_at: IT's release that puts it live (-1 none yet; 0 waiting for IT's work).
        delay: extra weeks before launch (a compliance check's fix).
        dropped: refused, or given up after IT's refusal.
        closed: launched or abandoned; its pending IT work is cancelled.
    """

    marketer: Marketer
    needs: tuple[Capability, ...]
    personalisation: float
    wants_data: bool
    base_value: float
    idea_at: float
    ready_at: float
    deadline: float
    tools: dict = field(default_factory=dict)
    fit: float = 1.0
    data: str = ""
    data_share: float = 0.0
    data_at: float = 0.0
    data_asked: float = 0.0
    launch_at: float = -1.0
    delay: float = 0.0
    dropped: bool = False
    closed: bool = False

    @property
    def sensitivity(self) -> float:
        """Sensitivity of the customer data it would use, in [0, 1]."""
        if not self.wants_data:
            return 0.0
        return self.personalisation * max(c.sensitivity for c in self.needs)


@dataclass(eq=False, slots=True)
class ToolRequest:
    """A request for a new tool (or a pilot) waiting in a queue (ODD 2.6, 7.7, 7.9).

    Attributes:
        capability: the capability wanted.
        campaign: the campaign that needs it.
        marketer: who filed it.
        filed: week filed.
        pilot: a small pilot of an emerging capability.
        stage: "decision", "negotiation", "escalated", "budget", "review", "denied", "closed".
        rounds: negotiation rounds so far (shared budget).
        vetted: the liaison shortlisted the vendor and wrote the requirements.
        priority: raised by meetings' backlog review.
        cmo_wants: in an escalation, whether the CMO is the side that wants the tool.
        scores: the CMO's and the CIO's latest scores of it, by their KPIs (what an
            escalation is fought over).
        cost: weekly licence of the proposed tool (k$/week).
        weakness: the proposed vendor's weakness, in [0, 1].
        owner: who will own the tool ("it" or "marketing").
        decided: week of the first decision (-1 while pending).
        escalated: week it went to the CEO (-1 if never).
    """

    capability: Capability
    campaign: Campaign
    marketer: Marketer
    filed: int
    pilot: bool = False
    stage: str = "decision"
    rounds: int = 0
    vetted: bool = False
    priority: int = 0
    cmo_wants: bool = True
    scores: tuple[float, float] = (0.0, 0.0)
    cost: float = 0.0
    weakness: float = 0.5
    owner: str = "it"
    decided: int = -1
    escalated: int = -1


@dataclass(eq=False, slots=True)
class Task:
    """A unit of engineering work in IT's queue (ODD 7.8).

    Attributes:
        kind: "review", "integration", "data", "onboard", "access", "retire", "launch", "meeting",
            "governance", "scale_up".
        effort: engineer-days left.
        marketing: serves a marketing request (embedded engineers take only these).
        priority: higher first; ties go to the oldest.
        created: week queued.
        request: the tool request it serves, if any.
        tool: the tool it concerns, if any.
        campaign: the campaign it serves, if any.
        not_before: earliest time work can finish (a vendor's turnaround).
    """

    kind: str
    effort: float
    marketing: bool
    priority: int
    created: int
    request: ToolRequest | None = None
    tool: Tool | None = None
    campaign: Campaign | None = None
    not_before: float = 0.0


class Schedule:
    """Things due in a given week, in the order they were added.

    Pilots that end (ODD 7.13) and breaches that will be found (7.11).
    """

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple] = []

    def add(self, week: int, *item: Any) -> None:
        """Schedule ``item`` for ``week``."""
        self.items.append((week, *item))

    def take_due(self, week: int) -> list[tuple]:
        """Remove and return the entries due by ``week`` (``(week, *item)``), oldest first."""
        items = self.items
        if not items:
            return []
        due = [entry for entry in items if entry[0] <= week]
        if due:
            self.items = [entry for entry in items if entry[0] > week]
        return due


@dataclass(frozen=True)
class Event:
    """Something worth telling a class about, in plain words, with the facts code reads.

    ``text`` is for people and may be reworded; code (validation patterns, the app) reads
    ``kind`` and ``shadow`` (whether the tool involved was unknown to IT, or None).
    """

    week: int
    kind: str
    text: str
    shadow: bool | None = None


class Executive(mesa.Agent):
    """The CIO, the CMO, or the executive who holds both titles (ODD 2.4, 7.7, 7.12).

    Attributes:
        role: "cio", "cmo" or "combined".
        base_spend: spending appetite parameter.
        base_risk: risk tolerance parameter.
        base_speed: urgency parameter.
        influence: standing with the CEO, in (0, 1): follows how its KPIs look.
        tightening: how much a recent breach has tightened risk tolerance, in [0, 1].
        frustration: urgency gained from marketing going around IT, in [0, 1].
        hours: martech hours left this week.
        hours_used: martech hours spent over the run.
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
        self.hours = 0.0
        self.hours_used = 0.0

    @property
    def spend(self) -> float:
        """Current spending appetite."""
        return self.base_spend

    @property
    def risk(self) -> float:
        """Current risk tolerance: a breach makes an executive tighten for a while."""
        return self.base_risk * (1.0 - self.model.k.TIGHTENING_DEPTH * self.tightening)

    @property
    def speed(self) -> float:
        """Current urgency: marketing going around IT makes the CMO more urgent."""
        return min(1.0, self.base_speed + self.frustration)

    def new_week(self, hours: float) -> None:
        """Start the week with ``hours`` of martech attention; tightening and anger fade."""
        k = self.model.k
        self.hours = hours
        self.tightening *= k.TIGHTENING_DECAY
        self.frustration *= k.FRUSTRATION_DECAY

    def take(self, hours: float) -> bool:
        """Spend ``hours`` of this week's attention if they are left; say whether they were."""
        if self.hours + 1e-9 < hours:
            return False
        self.hours -= hours
        self.hours_used += hours
        return True

    def take_up_to(self, hours: float) -> float:
        """Spend ``hours`` of this week's attention, or what is left of it; return what was spent.

        For what happens whether or not the hours are there (a meeting, an escalation).
        """
        spent = min(hours, self.hours)
        self.take(spent)
        return spent

    def decision_hours(self) -> float:
        """Hours to decide one request: a patient executive deliberates longer."""
        k = self.model.k
        return k.DECISION_HOURS * (1.0 + k.DELIBERATION * (1.0 - self.speed))

    def noise(self) -> float:
        """Noise in this executive's score of a request: deliberation halves it."""
        return self.model.k.SCORE_NOISE * (0.5 + 0.5 * self.speed)

    def own_score(self, role: str, value: float, cost: float, risk: float, burden: float):
        """This executive's score of a purchase by the KPIs of ``role`` (ODD 7.7).

        The combined executive scores by both roles' KPIs, with its blended preferences.

        Args:
            role: "cmo" (velocity and value) or "cio" (cost, risk, integration burden).
            value: campaign value the tool unlocks, relative to a typical request (about 1).
            cost: the tool's licence relative to a typical tool (about 1).
            risk: the tool's security risk in [0, 1].
            burden: IT's backlog in weeks of its marketing capacity (the CIO's concern).
        """
        k = self.model.k
        thrift = k.COST_WEIGHT * (1.0 - self.spend) * cost
        if role == "cmo":
            worth = (k.CMO_VALUE_BASE + k.CMO_VALUE_SPEED * self.speed) * value
            return worth - thrift - k.CMO_RISK_WEIGHT * (1.0 - self.risk) * risk
        caution = k.CIO_RISK_WEIGHT * (1.0 - self.risk) * risk
        return value - thrift - caution - k.BURDEN_WEIGHT * burden


class Marketer(mesa.Agent):
    """A member of the CMO's team: has campaign ideas and pushes them to launch (ODD 7.3, 7.6).

    Attributes:
        campaigns: campaigns in progress.
        requests: this marketer's tool requests still open.
        ideas: this marketer's own random stream for ideas (common random numbers).
        success: what the marketer has learned of its ideas' fate: a memory of launched (1)
            against abandoned or refused (0) campaigns, in [0, 1].
        caution: how much more or less than ``CAUGHT_COST`` this marketer fears the blame of
            being found going around IT (mean 1).
        beside: an engineer embedded in marketing works in this marketer's team (mixed
            teams): it sees the tools the marketer buys around IT.
    """

    def __init__(self, model: CxOModel, ideas: random.Random):
        super().__init__(model)
        self.ideas = ideas
        self.campaigns: list[Campaign] = []
        self.requests: list[ToolRequest] = []
        self.success = 1.0
        # How much this marketer fears being found going around IT: people differ (ODD 7.6).
        self.caution = ideas.lognormvariate(-0.5 * model.k.CAUTION_SIGMA**2, model.k.CAUTION_SIGMA)
        self.beside = False

    def act(self) -> None:
        """Maybe pursue an idea, advance each campaign, go around IT where that beats waiting."""
        model = self.model
        if self.ideas.random() < model.idea_rate:
            campaign = submodels.campaigns.new_campaign(model, self)
            # An idea that needs a capability the firm has dropped is an opportunity forgone,
            # not one moved to the tools it has (ODD 7.13).
            if self.pursues() and not any(cap.abandoned for cap in campaign.needs):
                self.campaigns.append(campaign)
        if self.campaigns:
            advance = submodels.campaigns.advance_campaign
            for campaign in self.campaigns:
                advance(model, campaign)
        if self.requests:
            self.consider_bypass()

    def pursues(self) -> bool:
        """Whether the marketer puts an idea forward, by what it learned of its ideas' fate.

        A marketer whose campaigns launch puts its ideas forward; one whose ideas expire in
        queues or get refused keeps more of them to itself (ODD 7.3). The draw is always made,
        so arms keep common random numbers.
        """
        k = self.model.k
        draw = self.ideas.random()
        if not k.MECH_IDEA_RESPONSE:
            return True
        return draw < k.PURSUE_FLOOR + (1.0 - k.PURSUE_FLOOR) * self.success

    def remember(self, launched: bool) -> None:
        """Learn from a campaign that launched or was abandoned."""
        rate = self.model.k.SUCCESS_MEMORY
        self.success += rate * (float(launched) - self.success)

    def goes_around(
        self, waited: float, campaign: Campaign, cap: Capability | None, refused: bool = False
    ) -> bool:
        """Whether, having waited ``waited`` weeks on IT, the marketer acts around it this week.

        It does when acting now is worth more than waiting (``shadow_it.around_gain``; nothing,
        once IT has ``refused``), and it gets round to it: marketers reconsider now and then,
        not every week.
        """
        model = self.model
        around_gain = submodels.shadow_it.around_gain
        gain = around_gain(model, waited, campaign, cap, cap is not None, refused)
        # The default policy's answer (``Policy.yes``: yes when it gains) without its two calls.
        policy = model.policy
        if not (
            gain > 0.0
            if policy is model.DEFAULT_POLICY
            else policy.goes_around(model, self, campaign, gain)
        ):
            return False
        return model.random.random() < model.k.BYPASS_PROPENSITY

    def goes_straight_around(self, campaign: Campaign, cap: Capability) -> bool:
        """Whether, not finding a tool, the marketer buys one without asking IT at all.

        Only some employees buy technology themselves (``SELF_PROVISION``); they do when acting
        now beats waiting the time IT usually takes.
        """
        model = self.model
        if model.random.random() >= model.k.SELF_PROVISION:
            return False
        gain = submodels.shadow_it.around_gain(model, 0.0, campaign, cap, True)
        return model.policy.goes_around(model, self, campaign, gain)

    def consider_bypass(self) -> None:
        """Go around each open request for which acting beats waiting (ODD 7.6)."""
        model = self.model
        week = model.week
        still_open = []
        for request in self.requests:
            stage = request.stage
            if stage == "closed":
                continue
            still_open.append(request)
            waited = week - request.filed
            if self.goes_around(waited, request.campaign, request.capability, stage == "denied"):
                submodels.shadow_it.bypass(model, request, waited)
        self.requests = still_open


class Engineer(mesa.Agent):
    """A member of the CIO's staff serving marketing's technology (ODD 7.8).

    Attributes:
        embedded: works inside marketing (mixed teams): marketing's work only, with context.
    """

    def __init__(self, model: CxOModel, embedded: bool):
        super().__init__(model)
        self.embedded = embedded

    def work(self) -> None:
        """Spend this week's marketing time on IT's queue."""
        model = self.model
        k = model.k
        if self.embedded:
            days = k.DAYS_PER_WEEK * model.embedded_availability
            model.work_queue(days, True, k.EMBEDDED_EFFICIENCY)
        else:
            days = k.DAYS_PER_WEEK * model.marketing_share * model.regular_availability
            model.work_queue(model.build_platform(days), False, 1.0)


class Liaison(mesa.Agent):
    """A marketing technologist who reports to both executives; one person, so it saturates.

    Attributes:
        hours: hours left this week for vetting requests and mediating disagreements.
    """

    def __init__(self, model: CxOModel):
        super().__init__(model)
        self.hours = 0.0

    def take(self, hours: float) -> bool:
        """Spend ``hours`` if they are left this week; say whether they were."""
        if self.hours + 1e-9 < hours:
            return False
        self.hours -= hours
        return True

    def new_week(self) -> None:
        """Start a week with the liaison's full hours."""
        self.hours = self.model.k.LIAISON_HOURS


class Tool(mesa.Agent):
    """A martech tool: one capability, a licence, a vendor weakness, a standing with IT.

    Attributes:
        capability: the capability it provides.
        status: "reviewed", "known" (IT aware, never reviewed) or "shadow" (IT unaware).
        reviewed: went through IT's security review (platform modules count as reviewed).
        known: IT knows it exists, so it can patch, monitor and rationalise it.
        platform: a module of the self-serve platform.
        pilot: a small pilot of an emerging capability.
        owner: "it" or "marketing".
        weekly_cost: licence (k$/week).
        weakness: vendor weakness in [0, 1].
        integrated: connected to the rest of the stack.
        monitored: watched by IT's security monitoring.
        data_held: sensitivity-weighted customer data it holds, in [0, 1].
        patched_at: the model's count of security weeks when it was last patched (or bought).
        bought: week it was bought.
        ready_at: when it became usable.
        last_used: week a campaign last used it (-1 if never).
        offline_until: a breached tool is offline until then.
        breached: has been breached.
        bypass: bought around IT, from marketing's own money.
        active: still in the stack (False once retired).
        retiring: queued for retirement.
        kept_by_owner: marketing refused to retire this duplicate of a tool it owns.
        stake: what its owner would lose if it were retired, in blame units (-1 until asked).
        beside: bought by a marketer with an embedded engineer in its team, who may notice it.
        attacks: the tool's own random stream for its breaches (set by ``CxOModel.new_tool``).
        shown: values that launches on it showed (a pilot's evidence).
        seat_week: week of ``seats``.
        seats: launches on it that week (a pilot carries only a few).
        licence: its first licence (k$/week; the full one once a pilot is scaled up), which
            each further user's seats are priced against.
        users: the marketers (unique ids) who have launched on it.
    """

    def __init__(
        self,
        model: CxOModel,
        capability: Capability,
        status: str,
        owner: str,
        weekly_cost: float,
        weakness: float,
        platform: bool = False,
        pilot: bool = False,
        bypass: bool = False,
    ):
        super().__init__(model)
        self.capability = capability
        self.status = status
        self.platform = platform
        self.pilot = pilot
        self.owner = owner
        self.weekly_cost = weekly_cost
        self.weakness = weakness
        self.integrated = platform
        self.monitored = status == "reviewed"
        self.data_held = 0.0
        self.patched_at = model.security_weeks
        self.bought = model.week
        self.ready_at = float(model.week)
        self.last_used = -1
        self.offline_until = -1.0
        self.breached = False
        self.bypass = bypass
        self.active = True
        self.retiring = False
        self.kept_by_owner = False
        self.stake = -1.0
        self.beside = False
        self.attacks: random.Random | None = None
        self.shown: list[float] = []
        self.seat_week = -1
        self.seats = 0
        self.licence = weekly_cost
        self.users: set[int] = set()

    @property
    def status(self) -> str:
        """IT's standing with the tool: "reviewed", "known" or "shadow"."""
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value
        self.reviewed = value == "reviewed"
        self.known = value != "shadow"

    @property
    def patch_lag(self) -> int:
        """Weeks since the tool's last patch (or purchase), capped."""
        cap = int(self.model.k.PATCH_LAG_CAP)
        return min(cap, self.model.security_weeks - self.patched_at)

    def patch(self) -> None:
        """Apply the vendor's latest patches."""
        self.patched_at = self.model.security_weeks

    def usable(self, now: float) -> bool:
        """Active and not offline after a breach at time ``now``."""
        return self.active and now >= self.offline_until
