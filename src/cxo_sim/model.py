"""CxOModel: the CIO-CMO conflict over marketing technology, as a Mesa 3 model.

A firm's CMO wants marketing tools fast, the CIO wants them cheap and safe. Marketers turn
campaign ideas into tool requests; whoever holds the decision rights approves or refuses them;
engineers review, integrate and patch; impatient marketers buy around IT; tools get breached;
trust between the two executives moves with all of it. Built from five short articles on the
CIO-CMO relationship (shared/seeds) and calibrated to published figures (docs/ODD.md).

One step is one week; money is in k$. ``step()`` follows the ten steps of MODEL.md section 3,
with two additions it marks: the weekly update of marketing's patience and the week's bills.
"""

from __future__ import annotations

import math
import random
import statistics
from bisect import bisect
from typing import Any

import mesa
import pandas as pd

from cxo_sim import submodels as sm
from cxo_sim.agents import (
    Campaign,
    Capability,
    Engineer,
    Event,
    Executive,
    Liaison,
    Marketer,
    Task,
    Tool,
    ToolRequest,
)
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import resolve

# (name, data sensitivity, popularity, licence cost factor): MODEL.md section 2.
BASE_CATALOGUE = [
    ("email", 0.4, 0.9, 0.6),
    ("social", 0.1, 0.7, 0.4),
    ("paid_ads", 0.2, 0.6, 0.8),
    ("web_cms", 0.2, 0.5, 1.0),
    ("analytics", 0.5, 0.6, 0.9),
    ("crm", 0.8, 0.5, 1.8),
    ("marketing_automation", 0.6, 0.45, 1.4),
    ("personalisation", 0.8, 0.35, 1.3),
    ("cdp", 0.95, 0.3, 1.8),
    ("content_ai", 0.3, 0.3, 0.7),
    ("loyalty", 0.7, 0.2, 1.1),
    ("mobile_app", 0.6, 0.2, 1.2),
]
EMERGING_NAMES = [
    "generative_ai",
    "vr_showroom",
    "iot_beacons",
    "ai_agents",
    "voice_commerce",
    "ar_try_on",
    "conversational_ai",
    "metaverse_events",
]
SERIES_NAMES = OUTCOME_NAMES + DIAGNOSTIC_NAMES


class CxOModel(mesa.Model):
    """The organisation: budgets, decision rights, practices, trust, queues, threats and a CEO.

    Keyword parameters are those of the registry (``cxo_sim.params.PARAMETERS``); anything not
    given takes its registry default. The seed comes last. Invalid values raise ``ValueError``.

    Attributes:
        week: weeks simulated so far.
        catalogue: capabilities, emerging ones appended as they appear.
        executives: the CIO and the CMO, or the one combined executive.
        cio: the executive in the CIO role (the combined executive under ``combined_role``).
        cmo: the executive in the CMO role (the same agent under ``combined_role``).
        liaison: the marketing technologist, or None.
        trust: CIO-CMO trust in [0, 1].
        threat: current threat pressure in [0, 1].
        events: what happened, in plain words, newest last.
        datacollector: per-step series of every outcome and diagnostic.
        collect_series: whether ``step()`` adds the week to ``datacollector`` (on by default;
            ``run_one`` turns it off and keeps only the weeks it is asked for).
    """

    # Marketing's weekly chance of going around IT once a request outlasts its patience.
    BYPASS_PROPENSITY = 0.15
    # Share of marketers who accept IT's refusal and drop the campaign (Accenture 2013: 45% of
    # CMOs want to act without IT, so a bit over half comply).
    GIVE_UP = 0.55
    # Chance a marketer finds an existing tool before asking for a new one.
    FIND_KNOWN = 0.7
    FIND_KNOWN_SHARED = 0.9
    FIND_SHADOW = 0.3
    # Chance the decider knows the firm already has a tool for the capability.
    INVENTORY_KNOWLEDGE = {"cio": 0.6, "shared": 0.6, "cmo": 0.2, "combined": 0.6}
    # Mean licence cost of a tool (k$/week) and its one-off set-up fee (weeks of licence).
    COST_MEAN = 3.5
    SETUP_WEEKS = 4
    INTEGRATION_COST = 15.0
    # Typical campaign base value (k$).
    VALUE_MEAN = 60.0
    # Engineering effort in engineer-days.
    REVIEW_EFFORT = 4.0
    PILOT_REVIEW_EFFORT = 1.0
    INTEGRATION_EFFORT = 3.0
    ONBOARD_EFFORT = 1.0
    DATA_EFFORT = {"none": 2.5, "basic": 1.0, "clear": 1.0}
    INCIDENT_EFFORT = 5.0
    LAUNCH_EFFORT = 0.5
    # IT pushes changes to the systems it runs in a weekly release window.
    RELEASE_WINDOW_WEEKS = 1
    # Vendor questionnaire turnaround of a security review for a tolerant CIO (risk 0.5);
    # stricter CIOs ask more: 3-5 weeks is typical (CALIBRATION.md section 7).
    VENDOR_WEEKS = 3.0
    RETIRE_EFFORT = 1.0
    PLATFORM_EFFORT = 60.0
    # While the platform is built, it takes this share of each regular engineer's marketing
    # time: marketing's requests slow down for months, then self-service pays it back.
    PLATFORM_SHARE = 0.4
    GOVERNANCE_EFFORT = 40.0
    MEETING_EFFORT = 2.0
    PATCH_EFFORT = 0.2
    PATCH_SHARE = 0.1
    # Review rejection base rate (vendor fails the security review).
    REVIEW_REJECT = 0.3
    # Coordination costs (k$).
    MEETING_COST = 6.0
    LIAISON_COST = 3.5
    SHARED_TOOLS_COST = 1.5
    # An embedded engineer's week lost to IT's other work: an engineer costs about 3 k$/week
    # (150 k$/year) and a regular one gives ~87% of the week to non-marketing systems.
    EMBEDDED_COST = 2.6
    PLATFORM_BUILD_COST = 3.0
    PLATFORM_RUN_COST = 5.0
    PLATFORM_MODULE_COST = 2.5
    GOVERNANCE_SETUP_COST = 2.5
    # Pilots run this long before the scale-up decision; they cost a quarter of a full tool.
    PILOT_WEEKS = 8
    PILOT_COST_SHARE = 0.25
    # A pilot is scoped to a sample of customer data.
    PILOT_DATA_CAP = 0.2
    # A campaign belongs to a moment: it is dropped if not live within its window, at least
    # this many weeks after its content is ready plus an exponential slack of this mean.
    MIN_WINDOW_WEEKS = 2
    MEAN_EXTRA_WINDOW_WEEKS = 8.0
    RATIONALISE_EVERY = 13
    # Quarterly chance that marketing notices and cancels an idle subscription it bought around
    # IT (Zylo: 44-53% of SaaS licences go unused in a month, so most are not noticed).
    CANCEL_IDLE = 0.2
    # Idle for a year (a licence cycle): IT proposes retiring the tool at rationalisation, and
    # marketing may cancel its own idle subscriptions.
    UNUSED_WEEKS = 52
    NEGOTIATION_ROUNDS = 3
    QUARTER = 13

    def __init__(self, *, seed: Any = None, rng: Any = None, **kwargs: Any):
        """Create the organisation at week 0; see the class docstring for the parameters.

        The catch-all is named ``kwargs`` because Mesa's SolaraViz checks model parameters
        against the signature and accepts only a var-keyword argument of that name.
        """
        self.params = resolve(kwargs)
        super().__init__(seed=seed, rng=rng) if rng is not None else super().__init__(seed=seed)
        # The same generator, state and draws, with a faster shuffle for Mesa's shuffle_do.
        self.random.__class__ = ShuffleRandom
        for name, value in self.params.items():
            setattr(self, name, value)
        # The exogenous processes (threats, emerging capabilities, each marketer's ideas) draw
        # from their own streams, derived from the seed: runs that differ only in a practice
        # then face the same world and the same ideas (common random numbers), so the
        # difference a practice makes is measured with far less noise.
        self.streams_seed = self.random.getrandbits(64)
        self.env_random = random.Random(f"{self.streams_seed}:environment")
        self.week = 0
        self.events: list[Event] = []
        self.tally = dict.fromkeys(
            (
                "breaches",
                "breach_cost",
                "compliance_incidents",
                "campaigns_launched",
                "campaign_value",
                "tech_spend",
                "martech_spend",
                "shadow_spend",
                "coordination_cost",
                "conflicts",
                "escalations",
                "bypasses",
                "redirects",
                "reviews_done",
                "tools_bought",
                "tools_retired",
                "shadow_breaches",
                "decisions",
                "decision_weeks_total",
                "data_grants",
                "data_weeks_total",
            ),
            0.0,
        )
        self.lead_times: list[int] = []
        self.trust = self.initial_trust
        self.threat = self.threat_level
        self._threat_drift = 0.0
        self.tasks: list[Task] = []
        self._queue_start = {False: 0, True: 0}
        self.decision_queue: list[ToolRequest] = []
        self.detections: list[tuple[int, Tool, bool]] = []
        self.pilots: list[tuple[int, Tool]] = []
        self.security_weeks = 0  # weeks of exploitation so far: tools' patch lags count them
        self.tools_by_cap: dict[Capability, list[Tool]] = {}
        # Active tools in the order they were bought (the order of Mesa's own AgentSet): the
        # weekly loops walk this plain list, which is much cheaper than the weak-keyed set.
        self.stack: list[Tool] = []
        self._bill: tuple[float, float, float, float] | None = None
        self.platform_live = False
        self.platform_ready_week = -1
        self.platform_left = 0.0
        self.governance_live = self.data_governance != "clear"
        self.martech_left = self.martech_budget
        self.discretionary_left = self.marketing_discretionary
        self.patience = sm.patience_weeks(self.cmo_speed, self.trust, self.alignment)
        self._meeting_now = False

        self.catalogue = self._make_catalogue()
        self._cum_demand: list[float] = []
        self.hyped: list[Capability] = []  # emerging capabilities whose hype still fades
        self._emerging_made = 0
        self._refresh_demand()
        self._make_people()
        self._make_initial_stack()
        self._start_projects()

        self.collect_series = True
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in SERIES_NAMES}
        )
        self._snapshot = self.outcomes(diagnostics=True)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ the weekly schedule
    def step(self) -> None:
        """One week, in the order of MODEL.md section 3."""
        self.week += 1
        self.update_environment()  # 1. threat drifts, emerging capabilities appear
        if self.meeting_due():
            self.hold_meeting()  # 2. coordination: backlog review, disclosure, trust
        self.patience = sm.patience_weeks(self.cmo.speed, self.trust, self.alignment)
        self.marketers.shuffle_do("act")  # 3. ideas, campaigns, requests, going around IT
        self.decide_requests()  # 4. decisions by whoever holds the rights
        self.engineers_work()  # 5. patching, then the queue in priority order
        self.launch_campaigns()  # 6. launches (and campaigns whose moment passed)
        self.security_week()  # 7. exploitation of each tool
        self.react()  # 8. discovered breaches, noticing, pilots' end
        if self.week % self.RATIONALISE_EVERY == 0:
            self.rationalise()  # 9. quarterly rationalisation
        self.pay_the_week()  # licences and coordination costs of the week
        if self.collect_series:
            self._snapshot = self.outcomes(diagnostics=True)
            self.datacollector.collect(self)  # 10. data collection

    # ------------------------------------------------------------------ set-up
    def _make_catalogue(self) -> list[Capability]:
        catalogue = []
        for i in range(self.n_capabilities):
            if i < len(BASE_CATALOGUE):
                name, sens, pop, cost = BASE_CATALOGUE[i]
            else:
                base = BASE_CATALOGUE[i % len(BASE_CATALOGUE)]
                name = f"{base[0]}_{i // len(BASE_CATALOGUE) + 1}"
                sens = sm.clamp01(base[1] + self.env_random.uniform(-0.1, 0.1))
                pop = base[2] * self.env_random.uniform(0.5, 1.5)
                cost = base[3]
            catalogue.append(Capability(name, sens, pop, cost))
        return catalogue

    def _make_people(self) -> None:
        if self.combined_role:
            blend = Executive(
                self,
                "combined",
                spend=(self.cio_spend + self.cmo_spend) / 2,
                risk=(self.cio_risk + self.cmo_risk) / 2,
                speed=(self.cio_speed + self.cmo_speed) / 2,
            )
            self.executives = [blend]
            self.cio = self.cmo = blend
        else:
            self.cio = Executive(self, "cio", self.cio_spend, self.cio_risk, self.cio_speed)
            self.cmo = Executive(self, "cmo", self.cmo_spend, self.cmo_risk, self.cmo_speed)
            self.executives = [self.cio, self.cmo]
        # The team in hiring order, the order of Mesa's AgentSet: a plain list for plain loops.
        self.team = [
            Marketer(self, random.Random(f"{self.streams_seed}:ideas:{index}"))
            for index in range(self.n_marketers)
        ]
        self.n_embedded = round(self.mixed_teams * self.n_engineers)
        for i in range(self.n_engineers):
            Engineer(self, embedded=i < self.n_embedded)
        self.liaison = Liaison(self) if self.liaison else None

    def _make_initial_stack(self) -> None:
        """The stack the firm already has: mostly reviewed IT tools, a few marketing buys."""
        by_popularity = sorted(self.catalogue, key=lambda c: -c.popularity)
        n_core = max(1, round(0.6 * len(by_popularity)))
        # Under the new world marketing wields the martech stack; IT supports it.
        core_owner = "marketing" if self.rights == "cmo" else "it"
        for cap in by_popularity[:n_core]:
            tool = self._new_tool(cap, "reviewed", core_owner)
            tool.integrated = True
            tool.data_held = sm.INTEGRATION_EXPOSURE
        extra = max(1, round(0.08 * len(by_popularity)))
        for cap in by_popularity[n_core : n_core + extra]:
            tool = self._new_tool(cap, "known", "marketing")
            tool.monitored = True
        for cap in by_popularity[:extra]:
            self._new_tool(cap, "shadow", "marketing", bypass=True)
        self.tally["tools_bought"] = 0
        self.tally["tech_spend"] = 0.0  # the stack was paid for before the run

    def _start_projects(self) -> None:
        if self.self_serve_platform:
            self.platform_left = self.PLATFORM_EFFORT
        if self.data_governance == "clear":
            self._queue("governance", self.GOVERNANCE_EFFORT, marketing=False, priority=1)

    # ------------------------------------------------------------------ convenient views
    @property
    def tools(self) -> mesa.agent.AgentSet:
        """All active tools."""
        return self.agents_by_type.get(Tool) or mesa.agent.AgentSet([], random=self.random)

    @property
    def marketers(self) -> mesa.agent.AgentSet:
        """The CMO's team."""
        return self.agents_by_type[Marketer]

    @property
    def engineers(self) -> mesa.agent.AgentSet:
        """The CIO's staff serving marketing."""
        return self.agents_by_type[Engineer]

    @property
    def rights(self) -> str:
        """Who decides: "cio", "cmo", "shared" or "combined"."""
        return "combined" if self.combined_role else self.budget_owner

    @property
    def governance(self) -> str:
        """The data-governance regime in force (clear works as basic while it is set up)."""
        if self.data_governance == "clear" and not self.governance_live:
            return "basic"
        return self.data_governance

    def log(self, kind: str, text: str) -> None:
        """Record an event in plain words."""
        self.events.append(Event(self.week, kind, f"week {self.week}: {text}"))

    # ------------------------------------------------------------------ 1. environment
    def update_environment(self) -> None:
        """Threat pressure drifts; an emerging capability may appear; hype fades."""
        env = self.env_random
        self._threat_drift = 0.95 * self._threat_drift + env.gauss(0.0, 0.03)
        self.threat = sm.clamp01(self.threat_level * (1.0 + self._threat_drift))
        changed = env.random() < self.emerging_rate / 52.0
        if changed:
            self._new_emerging_capability()
        for cap in self.hyped:
            cap.hype = cap.hype * 0.96 if cap.hype > 0.01 else 0.0
            changed = True
        if changed:
            # Only the capabilities from the first hyped one on changed their demand.
            self._refresh_demand(self.catalogue.index(self.hyped[0]))
            self.hyped = [cap for cap in self.hyped if cap.hype > 0.0]
        if self.week % 52 == 1 and self.week > 1:  # a new budget year
            self.martech_left = self.martech_budget
            self.discretionary_left = self.marketing_discretionary
        self.trust += sm.TRUST_MEMORY * (self.initial_trust - self.trust)
        for executive in self.executives:
            executive.recover()
        if self.liaison is not None:
            self.liaison.new_week()

    def _new_emerging_capability(self) -> None:
        env = self.env_random
        index = self._emerging_made
        self._emerging_made += 1
        name = EMERGING_NAMES[index % len(EMERGING_NAMES)]
        if index >= len(EMERGING_NAMES):
            name = f"{name}_{index // len(EMERGING_NAMES) + 1}"
        cap = Capability(
            name,
            sensitivity=env.uniform(0.3, 0.9),
            popularity=env.uniform(0.05, 0.2),
            cost_factor=env.uniform(0.8, 1.6),
            emerging=True,
            value_factor=env.lognormvariate(-0.32, 0.8),
            hype=0.6,
        )
        self.catalogue.append(cap)
        self.hyped.append(cap)
        self.log("emerging", f"a new capability appeared: {name.replace('_', ' ')}")

    def _refresh_demand(self, start: int = 0) -> None:
        """Cumulative demand weights of the catalogue, for drawing the capabilities of ideas.

        Sums from ``start`` on are redone (the demand of earlier capabilities is unchanged), in
        the same order of additions as summing the whole catalogue.
        """
        cumulative = self._cum_demand[:start]
        total = cumulative[-1] if cumulative else 0.0
        for cap in self.catalogue[start:]:
            total += cap.demand
            cumulative.append(total)
        self._cum_demand = cumulative

    def _draw_capability(self, ideas: random.Random) -> Capability:
        """A capability drawn in proportion to demand: ``ideas.choices``, without its checks."""
        cumulative = self._cum_demand
        return self.catalogue[
            bisect(cumulative, ideas.random() * cumulative[-1], 0, len(cumulative) - 1)
        ]

    # ------------------------------------------------------------------ 2. coordination
    def meeting_due(self) -> bool:
        """Whether a CIO-CMO meeting falls this week."""
        return self.meeting_interval > 0 and self.week % self.meeting_interval == 0

    def hold_meeting(self) -> None:
        """Joint backlog review, shadow disclosure, re-prioritisation; trust rises; it costs."""
        self._meeting_now = True
        self.decision_queue = [r for r in self.decision_queue if r.stage in _PENDING]
        for request in list(self.decision_queue) + self._requests_in_review():
            existing = self.known_tool(request.capability)
            if existing is not None:
                self.redirect(request, existing)
            else:
                request.priority += 1
        for tool in list(self.stack):
            if not tool.known and self.random.random() < 0.3 + 0.5 * self.trust:
                self.make_known(tool, "disclosed at the CIO-CMO meeting")
        for task in self.tasks:
            if task.marketing and self.week - task.created >= 2:
                task.priority += 1
        self.trust = sm.clamp01(self.trust + sm.TRUST_MEETING * (1.0 - self.trust))
        self._queue("meeting", self.MEETING_EFFORT, marketing=False, priority=2)
        self._coordination(self.MEETING_COST)

    def _requests_in_review(self) -> list[ToolRequest]:
        return [
            t.request
            for t in self.tasks
            if t.kind == "review" and t.request is not None and t.request.stage == "review"
        ]

    # ------------------------------------------------------------------ 3. marketers act
    def new_campaign(self, marketer: Marketer) -> Campaign:
        """A marketer's new campaign idea: one to three capabilities, maybe customer data.

        Every draw comes from the marketer's own idea stream (see ``__init__``).
        """
        ideas = marketer.ideas
        draw = ideas.random()
        wanted = 1 if draw < 0.45 else 2 if draw < 0.85 else 3
        needs: list[Capability] = []
        draw_capability = self._draw_capability
        for _ in range(wanted * 3):
            cap = draw_capability(ideas)
            if cap not in needs:
                needs.append(cap)
            if len(needs) == wanted:
                break
        personalisation = ideas.random()
        base = self.VALUE_MEAN * ideas.lognormvariate(-0.18, 0.6)
        prep = 1 if ideas.random() < 0.5 else 2
        window = self.MIN_WINDOW_WEEKS + int(ideas.expovariate(1.0 / self.MEAN_EXTRA_WINDOW_WEEKS))
        return Campaign(
            marketer=marketer,
            needs=tuple(needs),
            personalisation=personalisation,
            wants_data=personalisation > 0.5,
            base_value=base,
            idea_week=self.week,
            ready_week=self.week + prep,
            deadline=self.week + prep + window,
        )

    def advance_campaign(self, campaign: Campaign) -> None:
        """Find or ask for each missing capability, and seek data access if needed."""
        tools = campaign.tools
        equipped = True  # an active tool for every need, once this loop is done
        for cap in campaign.needs:
            tool = tools.get(cap)
            if tool is None and cap in tools:
                equipped = False  # a request is open
                continue
            if tool is None or not tool.active:  # not asked for yet, or its tool was retired
                self._equip(campaign, cap)
                equipped = equipped and tools[cap] is not None
        if campaign.wants_data and not (campaign.data_granted or campaign.data_ungoverned):
            self.seek_data(campaign)
        if (
            campaign.launch_ticket == 0
            and equipped
            and self.week >= campaign.ready_week
            and self._needs_it_to_launch(campaign)
        ):
            campaign.launch_ticket = 1
            task = self._queue("launch", self.LAUNCH_EFFORT, marketing=True, priority=0)
            task.campaign = campaign
            task.not_before = self.week + self.RELEASE_WINDOW_WEEKS

    def _equipped(self, campaign: Campaign) -> bool:
        """Content ready and an active tool for every capability the campaign needs."""
        if self.week < campaign.ready_week:
            return False
        tools = campaign.tools
        for cap in campaign.needs:
            tool = tools.get(cap)
            if tool is None or not tool.active:
                return False
        return True

    def _needs_it_to_launch(self, campaign: Campaign) -> bool:
        """Campaigns on tools IT runs need IT to push them live (article 004, old world).

        Asked of an equipped campaign.
        """
        tools = campaign.tools
        for cap in campaign.needs:
            tool = tools[cap]
            if tool.owner == "it" and not tool.platform:
                return True
        return False

    def _equip(self, campaign: Campaign, cap: Capability) -> None:
        found = self.find_tool(cap)
        if found is not None:
            campaign.tools[cap] = found
            return
        if self.platform_live and not cap.emerging:
            campaign.tools[cap] = self.self_provision(cap)
            return
        campaign.tools[cap] = None
        self.file_request(campaign, cap)

    def find_tool(self, cap: Capability) -> Tool | None:
        """A tool the marketer finds for ``cap``: IT's catalogue first, then word of mouth."""
        tools = self.tools_by_cap.get(cap)
        if not tools:
            return None
        best = self.known_tool(cap)
        find_known = self.FIND_KNOWN_SHARED if self.shared_tools else self.FIND_KNOWN
        if best is not None and self.random.random() < find_known:
            return best
        shadow = [t for t in tools if not t.known]
        if shadow and self.random.random() < self.FIND_SHADOW:
            return shadow[0]
        return None

    def known_tool(self, cap: Capability) -> Tool | None:
        """The best tool IT knows for ``cap``, or None."""
        tools = self.tools_by_cap.get(cap)
        if not tools:
            return None
        if len(tools) == 1:  # the usual case: no choice to make
            return tools[0] if tools[0].known else None
        known = [t for t in tools if t.known]
        return max(known, key=_preference) if known else None

    def self_provision(self, cap: Capability) -> Tool:
        """Take ``cap`` from the self-serve platform: reviewed, integrated, monitored, cheap."""
        for tool in self.tools_by_cap.get(cap, ()):
            if tool.platform:
                return tool
        tool = self._new_tool(
            cap,
            "reviewed",
            "it",
            cost=self.PLATFORM_MODULE_COST * cap.cost_factor,
            vulnerability=0.5 * self.random.betavariate(2, 3),
            platform=True,
        )
        self.log("platform", f"marketing self-served {_words(cap)} from the platform")
        return tool

    def file_request(self, campaign: Campaign, cap: Capability) -> None:
        """Ask for a new tool; the liaison or shared tools may point to one the firm has."""
        request = ToolRequest(
            capability=cap,
            campaign=campaign,
            marketer=campaign.marketer,
            filed_week=self.week,
            pilot=self.pilot_first and cap.emerging,
            cost=self._vendor_cost(cap),
            vulnerability=self.random.betavariate(2, 3),
            owner="marketing" if self.rights == "cmo" else "it",
        )
        if self.liaison is not None and self.liaison.available():
            self.liaison.take()
            existing = self.known_tool(cap) or self._any_tool(cap)
            if existing is not None:
                self.redirect(request, existing)
                return
            request.vetted = True
        if self.shared_tools:
            existing = self.known_tool(cap)
            if existing is not None:
                self.redirect(request, existing)
                return
        campaign.marketer.requests.append(request)
        self.decision_queue.append(request)

    def _any_tool(self, cap: Capability) -> Tool | None:
        tools = self.tools_by_cap.get(cap)
        return tools[0] if tools else None

    def redirect(self, request: ToolRequest, tool: Tool) -> None:
        """Close a request by pointing its campaign to a tool the firm already has."""
        request.campaign.tools[request.capability] = tool
        self._close(request)
        self.tally["redirects"] += 1

    def seek_data(self, campaign: Campaign) -> None:
        """Get customer-data access: a pre-approved path, a request to IT, or a copy."""
        if campaign.data_requested:
            waited = self.week - campaign.data_wait_start
            if (
                self.governance != "clear"
                and waited > self.patience
                and self.random.random() < self.BYPASS_PROPENSITY
            ):
                campaign.data_ungoverned = True
                campaign.data_wait = waited
                self.tally["data_grants"] += 1
                self.tally["data_weeks_total"] += waited
            return
        tools = [campaign.tools.get(c) for c in campaign.needs]
        if self.governance == "clear" and all(t is not None and t.known for t in tools):
            campaign.data_granted = True
            self.tally["data_grants"] += 1
            return
        campaign.data_requested = True
        campaign.data_wait_start = self.week
        task = self._queue("data", self.DATA_EFFORT[self.governance], marketing=True, priority=0)
        task.campaign = campaign

    def bypass(self, request: ToolRequest, waited: int) -> None:
        """Marketing stops waiting and buys the tool itself."""
        cap = request.capability
        if self.rights == "cmo" and request.stage == "review":
            if request.pilot:
                return  # a pilot's light review is worth the wait
            if self._affordable(request.cost, self.martech_left):
                tool = self._new_tool(
                    cap, "known", "marketing", request.cost, request.vulnerability
                )
                self._queue_integration(tool)
                request.campaign.tools[cap] = tool
                self._close(request)
                self.cmo.frustration = min(1.0, self.cmo.frustration + 0.03)
                self.log(
                    "skip_review",
                    f"marketing stopped waiting for IT's review of {_a_tool(cap)} "
                    f"after {waited} weeks and bought it openly",
                )
            return
        colleague = self._any_tool(cap)
        if colleague is not None and self.random.random() < 0.5:
            request.campaign.tools[cap] = colleague
            self._close(request)
            return
        if not self._affordable(request.cost, self.discretionary_left):
            return
        status = "known" if self.shared_tools else "shadow"
        tool = self._new_tool(
            cap, status, "marketing", request.cost, request.vulnerability, bypass=True
        )
        request.campaign.tools[cap] = tool
        self._close(request)
        self.tally["bypasses"] += 1
        self.cmo.frustration = min(1.0, self.cmo.frustration + 0.03)
        self.log(
            "bypass",
            f"marketing bought {_a_tool(cap)} around IT after waiting {waited} weeks",
        )
        if self.shared_tools:
            self._queue("onboard", self.ONBOARD_EFFORT, marketing=False, priority=0, tool=tool)
            if self.random.random() < 0.5 * (1.0 - self.trust):
                self.conflict("IT saw marketing buy around it on the shared project board")

    # ------------------------------------------------------------------ 4. decisions
    def decide_requests(self) -> None:
        """Whoever holds the decision rights decides pending requests, within attention."""
        self.decision_queue = [r for r in self.decision_queue if r.stage in _PENDING]
        capacity = self.exec_attention
        if self.rights == "combined":
            capacity = max(1, self.exec_attention // 2)
        if self._meeting_now:
            capacity -= 1  # the meeting itself takes executive attention
        queue = sorted(self.decision_queue, key=lambda r: (-r.priority, r.filed_week))
        # Between meetings each executive advises the other first, and the CIO takes weeks.
        advised = self.rights != "combined" and not self._meeting_now
        turnaround = sm.cio_turnaround(self.cio.speed)  # decisions leave the CIO's urgency as is
        for request in queue:
            if request.stage == "escalated":
                self.ceo_decides(request)
                continue
            if capacity <= 0:
                break
            if advised:
                if request.filed_week >= self.week:
                    continue  # the other executive's advice takes a week
                if self.random.random() >= turnaround:
                    continue  # the CIO thinks in weeks
            capacity -= 1
            self.decide(request)
        self._meeting_now = False

    def decide(self, request: ToolRequest) -> None:
        """Score one request by each executive's KPIs and apply the decision rights."""
        existing = self.known_tool(request.capability)
        if existing is not None and self.random.random() < self.INVENTORY_KNOWLEDGE[self.rights]:
            self.redirect(request, existing)
            return
        cmo_wants, cio_wants = self.scores(request)
        if not self._affordable(request.cost, self.martech_left):
            self.deny(request, "no budget left this year")
            return
        rights = self.rights
        if rights == "combined":
            self.approve(request) if cmo_wants else self.deny(request, "not worth it")
        elif rights == "cio":
            if cio_wants:
                self.approve(request)
            else:
                self._disagree(request, cmo_wants, "the CIO refused")
        elif rights == "cmo":
            if not cmo_wants:
                self.deny(request, "the CMO refused")
            elif cio_wants:
                self.approve(request)
            else:
                self._cio_objects(request)
        elif cmo_wants == cio_wants:
            self.approve(request) if cmo_wants else self.deny(request, "both refused")
        else:
            self._negotiate(request, cmo_wants)

    def scores(self, request: ToolRequest) -> tuple[bool, bool]:
        """Whether the CMO (or the combined executive) and the CIO each want the tool."""
        cap = request.capability
        value = request.campaign.base_value / self.VALUE_MEAN * (1.0 + cap.hype)
        cost = request.cost / self.COST_MEAN
        risk = cap.sensitivity * (0.5 + request.vulnerability) / 1.5
        burden = 1.0
        if request.pilot:
            cost *= self.PILOT_COST_SHARE
            risk *= 0.3
            burden = 0.3
        cmo, cio = self.cmo, self.cio
        cmo_own = sm.cmo_kpi(value, cost, risk, cmo.spend, cmo.risk, cmo.speed)
        cio_own = sm.cio_kpi(value, cost, risk, burden, cio.spend, cio.risk)
        if self.rights == "combined":
            score = 0.5 * (cmo_own + cio_own) + self.random.gauss(0.0, 0.35)
            return score > 0.0, score > 0.0
        cmo_score = sm.blended_score(cmo_own, cio_own, self.alignment)
        cio_score = sm.blended_score(cio_own, cmo_own, self.alignment)
        cmo_score += self.random.gauss(0.0, 0.35)
        cio_score += self.random.gauss(0.0, 0.35)
        return cmo_score > 0.0, cio_score > 0.0

    def _disagree(self, request: ToolRequest, cmo_wants: bool, reason: str) -> None:
        """The CIO refused under IT's decision rights; the CMO may fight it."""
        if not cmo_wants:
            self.deny(request, reason)
            return
        self.conflict(f"the CIO refused {_a_tool(request.capability)} marketing wanted")
        if self.random.random() < 0.5 * (1.0 - self.trust):
            self.escalate(request, cmo_wants=True)
        else:
            self.deny(request, reason)

    def _cio_objects(self, request: ToolRequest) -> None:
        """The CMO decides (new world); the CIO's advice is against it."""
        self.conflict(f"the CIO advised against {_a_tool(request.capability)}")
        if self.random.random() < 0.3 * (1.0 - self.trust) * (1.0 - self.cio.risk):
            self.escalate(request, cmo_wants=True)
        else:
            self.approve(request)

    def _negotiate(self, request: ToolRequest, cmo_wants: bool) -> None:
        """Shared budget: both must agree; disagreement costs a week, then the CEO decides."""
        request.rounds += 1
        if request.rounds == 1:
            self.conflict(f"CIO and CMO disagree on {_a_tool(request.capability)}")
        if request.rounds >= self.NEGOTIATION_ROUNDS:
            self.escalate(request, cmo_wants=cmo_wants)

    def conflict(self, what: str) -> None:
        """A disagreement that may turn into a conflict; the liaison may mediate it."""
        if self.rights == "combined":
            return  # one executive: nobody to fight with
        if self.liaison is not None and self.liaison.available() and self.random.random() < 0.7:
            self.liaison.take()
            return
        if self.random.random() < 1.0 - 0.5 * self.trust:
            self.tally["conflicts"] += 1
            self.trust = sm.clamp01(self.trust - sm.TRUST_CONFLICT)
            self.log("conflict", what)

    def escalate(self, request: ToolRequest, cmo_wants: bool) -> None:
        """Send a stalemate to the CEO, who decides next week by relative influence."""
        request.stage = "escalated"
        request.cmo_wants = cmo_wants
        self.tally["escalations"] += 1
        self.log("escalation", f"{_a_tool(request.capability)} went to the CEO")

    def ceo_decides(self, request: ToolRequest) -> None:
        """The CEO sides with the executive who has more influence."""
        sides_cmo = sm.ceo_sides_with_cmo(
            self.cmo.influence, self.cio.influence, self.random.random()
        )
        if sides_cmo == request.cmo_wants:
            self.approve(request)
        else:
            self.deny(request, "the CEO refused")

    def approve(self, request: ToolRequest) -> None:
        """Approved: into IT's security review, unless an impatient CMO skips it."""
        self._decided(request)
        if self.rights == "cmo" and not request.pilot:
            skip = self.cmo.speed * (1.0 - self.alignment) * (1.0 - 0.5 * self.trust)
            if self.random.random() < skip:
                cap = request.capability
                tool = self._new_tool(
                    cap, "known", "marketing", request.cost, request.vulnerability
                )
                self._queue_integration(tool)
                request.campaign.tools[cap] = tool
                self._close(request)
                return
        request.stage = "review"
        self._queue_review(request, priority=0)

    def _queue_review(self, request: ToolRequest, priority: int) -> None:
        """A security review: engineer effort plus the vendor's turnaround time."""
        if request.pilot:
            effort, weeks = self.PILOT_REVIEW_EFFORT, 1
        else:
            effort = self.review_effort(request)
            weeks = round(self.VENDOR_WEEKS * (1.5 - self.cio.risk))
        task = self._queue("review", effort, marketing=True, priority=priority, request=request)
        task.not_before = self.week + weeks

    def review_effort(self, request: ToolRequest) -> float:
        """Engineer-days of a security review: stricter CIOs review longer; vetting helps."""
        effort = self.REVIEW_EFFORT * (1.5 - self.cio.risk)
        return effort * 0.7 if request.vetted else effort

    def deny(self, request: ToolRequest, reason: str) -> None:
        """Refused. Marketing drops what its own leader refused; IT's refusal it may bypass."""
        self._decided(request)
        if self.rights in ("cmo", "combined") and reason != "the CEO refused":
            self._close(request)
            request.campaign.dropped = True
            return
        request.stage = "denied"
        if self.random.random() < self.GIVE_UP:
            self._close(request)
            request.campaign.dropped = True

    def _decided(self, request: ToolRequest) -> None:
        if request.decided_week < 0:
            request.decided_week = self.week
            self.tally["decisions"] += 1
            self.tally["decision_weeks_total"] += self.week - request.filed_week

    def _close(self, request: ToolRequest) -> None:
        request.stage = "closed"

    # ------------------------------------------------------------------ 5. engineers work
    def engineers_work(self) -> None:
        """Patch known tools, then work the queue in priority order."""
        regular = self.n_engineers - self.n_embedded
        self.patch_tools(regular * Engineer.CAPACITY * self.PATCH_SHARE)
        self.tasks.sort(key=lambda t: (-t.priority, t.created))
        self._queue_start = {False: 0, True: 0}
        self.engineers.shuffle_do("work")
        self.tasks = [t for t in self.tasks if t.effort > 1e-9 and not _cancelled(t)]
        self._queue_start = {False: 0, True: 0}

    def build_platform(self, capacity: float) -> float:
        """Put part of ``capacity`` (engineer-days) into the platform; return what is left."""
        if not self.self_serve_platform or self.platform_live:
            return capacity
        spent = min(capacity * self.PLATFORM_SHARE, self.platform_left)
        self.platform_left -= spent
        if self.platform_left <= 1e-9:
            self.platform_live = True
            self.platform_ready_week = self.week
            self.log("platform", "IT's self-serve marketing platform went live")
        return capacity - spent

    def patch_tools(self, capacity: float) -> None:
        """Apply vendor patches to the most out-of-date tools IT knows about.

        Stale means four weeks or more behind; the most out of date go first (lags past the cap
        count as equal, in stack order).
        """
        room = int(capacity / self.PATCH_EFFORT)
        if room <= 0:
            return
        last_due = self.security_weeks - 4
        stale = [t for t in self.stack if t.known and t.patched_at <= last_due]
        if len(stale) > room:
            oldest = self.security_weeks - sm.PATCH_LAG_CAP
            stale.sort(key=lambda t: max(t.patched_at, oldest))
            del stale[room:]
        for tool in stale:
            tool.patch()

    def work_queue(self, capacity: float, marketing_only: bool, efficiency: float) -> None:
        """Spend ``capacity`` engineer-days on the queue; ``efficiency`` > 1 works faster.

        An engineer starts where the queue still holds work for it this week: every task before
        that point is done, cancelled, waiting for a later week or (for an embedded engineer)
        not marketing's, so skipping it changes nothing, and a week costs engineers plus tasks
        rather than engineers times tasks.
        """
        tasks = self.tasks
        index = self._queue_start[marketing_only]
        if index >= len(tasks):
            return  # nothing left this week (the queue's start already says so)
        week = self.week
        unfinished = -1
        while index < len(tasks) and capacity > 1e-9:  # finishing a task may queue another
            task = tasks[index]
            index += 1
            if task.effort <= 1e-9 or (marketing_only and not task.marketing):
                continue
            if task.not_before > week:
                continue
            if _cancelled(task):
                task.effort = 0.0
                continue
            spent = min(capacity, task.effort / efficiency)
            task.effort -= spent * efficiency
            capacity -= spent
            if task.effort <= 1e-9:
                task.effort = 0.0
                self.complete(task, embedded=marketing_only)
            elif unfinished < 0:
                unfinished = index - 1
        start = index if unfinished < 0 else unfinished
        self._queue_start[marketing_only] = start
        if not marketing_only:
            self._queue_start[True] = max(self._queue_start[True], start)

    def complete(self, task: Task, embedded: bool) -> None:
        """What a finished task changes."""
        kind = task.kind
        if kind == "review":
            self.finish_review(task.request, embedded)
        elif kind == "integration":
            if task.tool.active:
                task.tool.integrated = True
                # Connected tools reach the customer data flowing through the stack.
                exposure = (
                    sm.INTEGRATION_EXPOSURE
                    if task.tool.reviewed
                    else sm.INTEGRATION_EXPOSURE_UNREVIEWED
                )
                if task.tool.pilot:
                    exposure = min(exposure, self.PILOT_DATA_CAP)
                task.tool.data_held = max(task.tool.data_held, exposure)
                self._spend(self.INTEGRATION_COST)
        elif kind == "onboard":
            if task.tool.active:
                task.tool.monitored = True
        elif kind == "data":
            campaign = task.campaign
            if not campaign.data_ungoverned:
                campaign.data_granted = True
                campaign.data_wait = self.week - campaign.data_wait_start
                self.tally["data_grants"] += 1
                self.tally["data_weeks_total"] += campaign.data_wait
        elif kind == "launch":
            task.campaign.launch_ticket = 2
        elif kind == "retire":
            if task.tool.active:
                self.retire(task.tool, "rationalised")
        elif kind == "scale_up":
            self.finish_scale_up(task.tool)
        elif kind == "governance":
            self.governance_live = True
            self.log("governance", "clear data-governance rules and access paths are in place")

    def finish_review(self, request: ToolRequest, embedded: bool) -> None:
        """A review passes (the tool is bought) or fails (another vendor, another review)."""
        if request.stage != "review":
            return
        self.tally["reviews_done"] += 1
        reject = self.REVIEW_REJECT * (1.0 - self.cio.risk)
        if request.vetted:
            reject *= 0.5
        if embedded:
            reject *= 0.6
        if request.pilot:
            reject *= 0.3
        if self.random.random() < reject:
            request.vulnerability = self.random.betavariate(2, 4)
            request.cost = self._vendor_cost(request.capability)
            self._queue_review(request, priority=1)
            return
        cap = request.capability
        if not self._affordable(request.cost, self.martech_left):
            self.deny(request, "no budget left this year")
            return
        cost = request.cost * (self.PILOT_COST_SHARE if request.pilot else 1.0)
        tool = self._new_tool(
            cap, "reviewed", request.owner, cost, request.vulnerability, pilot=request.pilot
        )
        self._queue_integration(tool)
        request.campaign.tools[cap] = tool
        self._close(request)
        self.trust = sm.clamp01(self.trust + sm.TRUST_DELIVERY)
        if request.pilot:
            self.pilots.append((self.week + self.PILOT_WEEKS, tool))
            self.log("pilot", f"a small pilot of {_words(cap)} started")

    def finish_scale_up(self, tool: Tool) -> None:
        """A successful pilot becomes a full tool."""
        if not tool.active:
            return
        tool.pilot = False
        tool.weekly_cost /= self.PILOT_COST_SHARE
        self.bill_changed()
        self.log("pilot", f"the {_words(tool.capability)} pilot worked and was scaled up")

    # ------------------------------------------------------------------ 6. launches
    def launch_campaigns(self) -> None:
        """Launch every campaign that has its tools and its data; drop the hopeless ones."""
        for marketer in self.team:
            if not marketer.campaigns:
                continue
            still = []
            for campaign in marketer.campaigns:
                if self._ready(campaign):
                    self.launch(campaign)
                elif campaign.dropped or self.week > campaign.deadline:
                    self._abandon(campaign)
                else:
                    still.append(campaign)
            marketer.campaigns = still

    def _ready(self, campaign: Campaign) -> bool:
        """Equipped, not waiting for IT to push it live, and with its data if it wants some."""
        if campaign.launch_ticket == 1:
            return False
        if campaign.wants_data and not (campaign.data_granted or campaign.data_ungoverned):
            return False
        return self._equipped(campaign)

    def launch(self, campaign: Campaign) -> None:
        """Launch: value with personalisation and lead time; tools used and given data."""
        lead = self.week - campaign.idea_week
        tools = [campaign.tools[c] for c in campaign.needs]
        integrated = sum(t.integrated for t in tools) / len(tools)
        data_ok = campaign.data_granted or campaign.data_ungoverned
        base = campaign.base_value
        for cap in campaign.needs:
            base *= cap.value_factor  # an emerging capability's worth shows only in use
        value = sm.campaign_value(base, campaign.personalisation, data_ok, integrated, lead)
        shadow = False
        sensitivity = campaign.sensitivity
        copied = sensitivity
        if campaign.data_granted:
            # Governed access hands a tool only the fields the campaign needs.
            copied *= sm.DATA_MINIMISATION[self.governance]
        for tool in tools:
            tool.last_used = self.week
            shadow = shadow or not tool.known
            held = min(copied, self.PILOT_DATA_CAP) if tool.pilot else copied
            if held > tool.data_held:
                tool.data_held = held
        if campaign.wants_data:
            p = sm.compliance_probability(
                sensitivity, self.governance, shadow or campaign.data_ungoverned
            )
            if self.random.random() < p:
                self.tally["compliance_incidents"] += 1
                self.trust = sm.clamp01(self.trust - 0.02)
                self.log("compliance", "a campaign used customer data against the rules")
        campaign.closed = True
        self.tally["campaigns_launched"] += 1
        self.tally["campaign_value"] += value
        self.lead_times.append(lead)
        self.cmo.influence = min(1.0, self.cmo.influence + 0.004 * value / self.VALUE_MEAN)

    def _abandon(self, campaign: Campaign) -> None:
        campaign.closed = True
        for request in campaign.marketer.requests:
            if request.campaign is campaign:
                self._close(request)

    # ------------------------------------------------------------------ 7. security
    def security_week(self) -> None:
        """Each tool may be exploited; breaches in unmonitored tools are found later.

        A tool is breached when its week's uniform draw falls below its breach probability. No
        tool's probability exceeds the bound at this threat, and nearly every draw lies above
        it, so the probability is worked out only for the few draws below: the same draws and
        the same breaches as computing it for every tool, at a fraction of the cost.
        """
        self.security_weeks += 1  # every tool misses this week's vendor patches
        governance = self.governance
        threat = self.threat
        bound = sm.breach_probability_bound(threat)
        draw = self.random.random
        for tool in self.stack:
            u = draw()
            if u >= bound:
                continue
            # Access controls protect data where IT governs it, not copies in shadow tools.
            regime = governance if tool.known else "none"
            p = sm.breach_probability(
                tool.vulnerability,
                tool.data_held,
                tool.patch_lag,
                tool.reviewed,
                tool.monitored,
                threat,
                regime,
            )
            if u < p:
                self.breach(tool, regime)

    def breach(self, tool: Tool, governance: str) -> None:
        """Record a breach now; its discovery (and the reactions) come after a lag."""
        lag = sm.detection_weeks(tool.monitored, self.random.random())
        cost = sm.breach_cost(self.random.gauss(0.0, 1.0), tool.data_held, governance, lag)
        was_shadow = not tool.known
        tool.breached = True
        self.tally["breaches"] += 1
        self.tally["breach_cost"] += cost
        if was_shadow:
            self.tally["shadow_breaches"] += 1
        self.detections.append((self.week + lag, tool, was_shadow))

    # ------------------------------------------------------------------ 8. reactions
    def react(self) -> None:
        """Discovered breaches: the CIO tightens, trust falls, blame shifts the CEO's favour.

        Pilots reach their scale-up decision.
        """
        due = [d for d in self.detections if d[0] <= self.week]
        if due:
            self.detections = [d for d in self.detections if d[0] > self.week]
        for _, tool, was_shadow in due:
            self.cio.tightening = 1.0
            loss = sm.TRUST_BREACH + (sm.TRUST_SHADOW_BREACH if was_shadow else 0.0)
            self.trust = sm.clamp01(self.trust - loss)
            blamed = self.cmo if tool.owner == "marketing" else self.cio
            blamed.influence = max(0.0, blamed.influence - 0.1)
            where = "a shadow" if was_shadow else "an IT-known"
            self.log("breach", f"a breach in {where} {_words(tool.capability)} tool was found")
            self._queue("incident", self.INCIDENT_EFFORT, marketing=False, priority=3)
            if tool.active and not tool.known:
                self.make_known(tool, "found through the breach")
        if self.mixed_teams > 0.0:
            for tool in list(self.stack):
                if not tool.known and self.random.random() < 0.2 * self.mixed_teams:
                    self.make_known(tool, "noticed by an embedded engineer")
        self.end_pilots()

    def make_known(self, tool: Tool, how: str) -> None:
        """IT learns of a shadow tool: it can now patch, monitor and rationalise it."""
        tool.status = "known"
        self._queue("onboard", self.ONBOARD_EFFORT, marketing=False, priority=0, tool=tool)
        self.log("disclosure", f"a shadow {_words(tool.capability)} tool was {how}")

    def end_pilots(self) -> None:
        """Pilots that reached their end: scale winners up, retire the rest cheaply."""
        due = [p for p in self.pilots if p[0] <= self.week]
        if not due:
            return
        self.pilots = [p for p in self.pilots if p[0] > self.week]
        for _, tool in due:
            if not tool.active:
                continue
            cap = tool.capability
            # A pilot proves its worth only if campaigns used it.
            if tool.last_used >= 0 and cap.value_factor >= 1.0:
                self._queue("scale_up", self.REVIEW_EFFORT, marketing=True, priority=0, tool=tool)
            else:
                cap.abandoned = True
                self.retire(tool, "failed pilot")
                self.log("pilot", f"the {_words(cap)} pilot did not pay off and was stopped")
        self._refresh_demand()

    # ------------------------------------------------------------------ 9. rationalisation
    def rationalise(self) -> None:
        """Retire redundant and unused tools IT knows about, if the decision rights allow.

        Marketing cancels the idle subscriptions it pays for around IT on its own.
        """
        candidates: list[Tool] = []
        for tools in self.tools_by_cap.values():
            known = [t for t in tools if t.known and not t.pilot and not t.retiring]
            redundant: list[Tool] = []
            if len(known) > 1:
                keep = max(known, key=_preference)
                redundant = [t for t in known if t is not keep]
            candidates.extend(redundant)
            candidates.extend(t for t in known if self._idle(t) and t not in redundant)
        for tool in list(self.stack):
            if (
                tool.bypass
                and not tool.known
                and self._idle(tool)
                and self.random.random() < self.CANCEL_IDLE
            ):
                self.retire(tool, "cancelled by marketing")
        for tool in candidates:
            if self._may_retire(tool):
                tool.retiring = True
                self._queue("retire", self.RETIRE_EFFORT, marketing=False, priority=-1, tool=tool)

    def _idle(self, tool: Tool) -> bool:
        """Nobody has used the tool for ``UNUSED_WEEKS`` (nor was it bought in that time)."""
        return self.week - max(tool.last_used, tool.bought_week) > self.UNUSED_WEEKS

    def _may_retire(self, tool: Tool) -> bool:
        if tool.owner == "it" or self.rights in ("cio", "combined"):
            return True
        agree = 1.0 - self.cmo.spend * (1.0 - self.alignment)
        return self.random.random() < agree

    def retire(self, tool: Tool, why: str) -> None:
        """Remove a tool from the stack."""
        tool.active = False
        self.tools_by_cap[tool.capability].remove(tool)
        self.stack.remove(tool)
        self.bill_changed()
        self.tally["tools_retired"] += 1
        if why == "rationalised":
            # Savings are the CIO's KPI: the CEO notices.
            self.cio.influence = min(1.0, self.cio.influence + 0.01)
        tool.remove()

    # ------------------------------------------------------------------ money
    def weekly_bill(self) -> tuple[float, float, float, float]:
        """This week's licences: total, in shadow tools, sanctioned, bought outside budgets.

        Summed in stack order, and kept until the stack, a tool's standing or a licence changes
        (``bill_changed``): the same sums, without walking the stack every week.
        """
        if self._bill is None:
            licences = shadow = sanctioned = outside = 0.0
            for tool in self.stack:
                cost = tool.weekly_cost
                licences += cost
                if not tool.known:
                    shadow += cost
                if tool.bypass:
                    outside += cost
                else:
                    sanctioned += cost
            self._bill = (licences, shadow, sanctioned, outside)
        return self._bill

    def bill_changed(self) -> None:
        """A tool was bought or retired, or its standing or licence changed."""
        self._bill = None

    def pay_the_week(self) -> None:
        """Licences and running costs of the week, charged against this year's budgets."""
        licences, shadow, sanctioned, outside = self.weekly_bill()
        self.martech_left = max(0.0, self.martech_left - sanctioned)
        self.discretionary_left = max(0.0, self.discretionary_left - outside)
        self.tally["martech_spend"] += licences
        self.tally["shadow_spend"] += shadow
        self._spend(licences)
        coordination = 0.0
        if self.liaison is not None:
            coordination += self.LIAISON_COST
        if self.shared_tools:
            coordination += self.SHARED_TOOLS_COST
        coordination += self.EMBEDDED_COST * self.n_embedded
        if self.self_serve_platform:
            coordination += (
                self.PLATFORM_RUN_COST if self.platform_live else (self.PLATFORM_BUILD_COST)
            )
        if self.data_governance == "clear" and not self.governance_live:
            coordination += self.GOVERNANCE_SETUP_COST
        self._coordination(coordination)

    def _coordination(self, cost: float) -> None:
        self.tally["coordination_cost"] += cost
        self._spend(cost)

    def _spend(self, cost: float) -> None:
        self.tally["tech_spend"] += cost

    def _affordable(self, weekly_cost: float, left: float) -> bool:
        weeks_left = 52 - (self.week - 1) % 52
        return left >= weekly_cost * (weeks_left + self.SETUP_WEEKS)

    def _vendor_cost(self, cap: Capability) -> float:
        return self.COST_MEAN * cap.cost_factor * self.random.lognormvariate(-0.125, 0.5)

    # ------------------------------------------------------------------ tools and tasks
    def _new_tool(
        self,
        cap: Capability,
        status: str,
        owner: str,
        cost: float | None = None,
        vulnerability: float | None = None,
        platform: bool = False,
        pilot: bool = False,
        bypass: bool = False,
    ) -> Tool:
        tool = Tool(
            self,
            cap,
            status,
            owner,
            weekly_cost=self._vendor_cost(cap) if cost is None else cost,
            vulnerability=self.random.betavariate(2, 3) if vulnerability is None else vulnerability,
            platform=platform,
            pilot=pilot,
            bypass=bypass,
        )
        self.tools_by_cap.setdefault(cap, []).append(tool)
        self.stack.append(tool)
        self.bill_changed()
        self.tally["tools_bought"] += 1
        if not platform:
            self._spend(tool.weekly_cost * self.SETUP_WEEKS)
        return tool

    def _queue_integration(self, tool: Tool) -> None:
        # Monitoring is set up by IT's security review (or its onboarding of a tool it found);
        # a purchase that skipped the review is integrated but not monitored.
        self._queue("integration", self.INTEGRATION_EFFORT, marketing=True, priority=0, tool=tool)

    def _queue(
        self,
        kind: str,
        effort: float,
        marketing: bool,
        priority: int,
        request: ToolRequest | None = None,
        tool: Tool | None = None,
    ) -> Task:
        task = Task(kind, effort, marketing, priority, self.week, request=request, tool=tool)
        self.tasks.append(task)
        return task

    # ------------------------------------------------------------------ 10. outcomes
    def outcomes(self, diagnostics: bool = False) -> dict[str, float]:
        """The run-level outcomes of MODEL.md section 6 as of now (and the diagnostics)."""
        tally = self.tally
        tools = list(self.stack)
        count = len(tools)
        in_use = sum(1 for ts in self.tools_by_cap.values() if ts)
        shadow = sum(1 for t in tools if not t.known)
        unreviewed = sum(1 for t in tools if t.known and not t.reviewed)
        recent = self.week - self.QUARTER
        used = sum(1 for t in tools if t.last_used > recent and t.last_used >= 0)
        quarters = max(self.week, 1) / self.QUARTER
        martech = tally["martech_spend"]
        values = {
            "tool_count": float(count),
            "redundant_tools": float(count - in_use),
            "shadow_tools": float(shadow),
            "unreviewed_tools": float(unreviewed),
            "sprawl_index": count / in_use if in_use else 0.0,
            "breaches": tally["breaches"],
            "breach_cost": tally["breach_cost"],
            "compliance_incidents": tally["compliance_incidents"],
            "campaigns_launched": tally["campaigns_launched"],
            "campaign_velocity": tally["campaigns_launched"] / quarters,
            "median_lead_time": (
                float(statistics.median(self.lead_times)) if self.lead_times else math.nan
            ),
            "campaign_value": tally["campaign_value"],
            "tech_spend": tally["tech_spend"],
            "shadow_spend_share": tally["shadow_spend"] / martech if martech > 0 else 0.0,
            "coordination_cost": tally["coordination_cost"],
            "conflicts": tally["conflicts"],
            "escalations": tally["escalations"],
            "trust": self.trust,
            "utilization": used / count if count else 0.0,
        }
        if diagnostics:
            decisions = tally["decisions"]
            grants = tally["data_grants"]
            values.update(
                {
                    "bypasses": tally["bypasses"],
                    "decision_weeks": tally["decision_weeks_total"] / decisions
                    if decisions
                    else 0.0,
                    "data_access_weeks": tally["data_weeks_total"] / grants if grants else 0.0,
                    "redirects": tally["redirects"],
                    "reviews_done": tally["reviews_done"],
                    "tools_bought": tally["tools_bought"],
                    "tools_retired": tally["tools_retired"],
                    "shadow_breaches": tally["shadow_breaches"],
                    "pending_decisions": float(
                        sum(1 for r in self.decision_queue if r.stage in _PENDING)
                    ),
                    "platform_ready_week": float(self.platform_ready_week),
                }
            )
        return {k: float(v) for k, v in values.items()}


_PENDING = ("decision", "escalated")


class ShuffleRandom(random.Random):
    """Python's generator with ``shuffle`` inlined: the same permutations and the same state.

    Mesa's ``shuffle_do`` shuffles the marketers and engineers every week; the standard
    ``shuffle`` makes a method call per element to draw below a bound, which this version does
    in place, with exactly the same draws (``getrandbits`` of the bound's bit length, redrawn
    while too large).
    """

    def shuffle(self, x: list) -> None:
        """Shuffle ``x`` in place, as ``random.Random.shuffle`` does."""
        getrandbits = self.getrandbits
        for i in reversed(range(1, len(x))):
            bound = i + 1
            bits = bound.bit_length()
            j = getrandbits(bits)
            while j >= bound:
                j = getrandbits(bits)
            x[i], x[j] = x[j], x[i]


def _reporter(name: str):
    return lambda model: model._snapshot[name]


def _preference(tool: Tool) -> tuple:
    """Which of several tools for one capability the firm prefers to keep and use."""
    return (tool.platform, tool.reviewed, tool.integrated, tool.last_used, -tool.unique_id)


def _cancelled(task: Task) -> bool:
    request = task.request
    if request is not None and request.stage != "review":
        return True
    campaign = task.campaign
    if campaign is not None:
        if campaign.closed or campaign.dropped:
            return True  # launched, abandoned or refused: nothing left to do for it
        if task.kind == "data" and campaign.data_ungoverned:
            return True  # marketing already copied the data itself
    tool = task.tool
    return tool is not None and not tool.active


def _words(cap: Capability) -> str:
    return cap.name.replace("_", " ")


def _a_tool(cap: Capability) -> str:
    """The capability's tool in plain words: 'a crm tool', 'an analytics tool'."""
    words = _words(cap)
    article = "an" if words[0] in "aeiou" else "a"
    return f"{article} {words} tool"


def run_one(
    params: dict[str, Any],
    steps: int = 156,
    seed: int = 0,
    timeseries_every: int = 0,
    diagnostics: bool = True,
) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Run one model and return its outcomes and, optionally, every n-th week of its series.

    Args:
        params: model parameters (missing ones take their defaults).
        steps: weeks to simulate.
        seed: random seed.
        timeseries_every: keep every n-th week of the per-step series (0 = none).
        diagnostics: include the diagnostics with the outcomes.
    """
    model = CxOModel(seed=seed, **params)
    # Only the weeks asked for are measured: a sweep's runs skip the per-week bookkeeping.
    model.collect_series = False
    weeks, rows = [0], [model._snapshot]
    for week in range(1, steps + 1):
        model.step()
        if timeseries_every and week % timeseries_every == 0:
            weeks.append(week)
            rows.append(model.outcomes(diagnostics=True))
    series = None
    if timeseries_every:
        frame = pd.DataFrame(rows, index=pd.Index(weeks, name="week"), columns=SERIES_NAMES)
        series = frame.reset_index()
    outcomes = model.outcomes(diagnostics=diagnostics)
    # Mesa 3.3's Agent._ids holds every model ever made (mesa#3179, fixed after 3.3.1), so a
    # sweep's worker would keep all its runs in memory: let this one go.
    mesa.Agent._ids.pop(model, None)
    return outcomes, series


def simulate(steps: int = 156, seed: int = 0, diagnostics: bool = False, **params: Any):
    """Run one model and return its run-level outcomes, for black-box clients.

    Args:
        steps: weeks to simulate (default 156, three years).
        seed: random seed; the same seed gives the same result.
        diagnostics: also return the diagnostics of ``cxo_sim.outcomes.DIAGNOSTICS``.
        **params: model parameters by registry name.

    Returns:
        dict mapping each outcome name of MODEL.md section 6 to a float.
    """
    return run_one(params, steps=steps, seed=seed, diagnostics=diagnostics)[0]
