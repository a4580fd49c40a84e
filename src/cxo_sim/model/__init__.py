"""CxOModel: the CIO-CMO conflict over marketing technology, as a Mesa 3 model.

A firm's CMO wants marketing tools fast, the CIO wants them cheap and safe. Marketers turn
campaign ideas into tool requests; whoever holds the decision rights decides them with the hours
they have; engineers review, integrate and patch from one finite pool of time; impatient
marketers buy around IT; tools get breached; trust moves with how the interactions go. Built
from five short articles on the CIO-CMO relationship and described in docs/ODD.md, whose
section 7 has one submodel per module of this package. One step is one week; money is in k$.

``step()`` is the weekly schedule of ODD section 3.
"""

from __future__ import annotations

import random
from typing import Any

import mesa
import pandas as pd

from cxo_sim.compat import model_seeding, release_model
from cxo_sim.constants import resolve_constants
from cxo_sim.model import measures
from cxo_sim.model.agents import (
    Capability,
    Engineer,
    Event,
    Executive,
    Liaison,
    Marketer,
    Schedule,
    Task,
    Tool,
    ToolRequest,
)
from cxo_sim.model.policies import DEFAULT, Policy, check_policy
from cxo_sim.model.rng import ShuffleRandom
from cxo_sim.model.submodels import (
    campaigns,
    decisions,
    engineering,
    environment,
    meetings,
    money,
    portfolio,
    relationship,
    reviews,
    security,
    shadow_it,
)
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import resolve

SERIES_NAMES = OUTCOME_NAMES + DIAGNOSTIC_NAMES


class CxOModel(mesa.Model):
    """The organisation: budgets, decision rights, practices, trust, queues, threats and a CEO.

    Keyword parameters are those of the registry (``cxo_sim.params.PARAMETERS``); anything not
    given takes its registry default. ``constants`` overrides behavioural constants
    (``cxo_sim.constants.CONSTANTS``); ``policy`` (a ``cxo_sim.model.policies.Policy``) makes
    the agents' yes-or-no choices, the ODD's agents by default. The seed comes last: a whole
    number, the same results on every supported Mesa and Python (or ``rng``, anything Mesa
    takes as one). Invalid values raise ``ValueError``.

    Attributes:
        week: weeks simulated so far.
        k: the behavioural constants of this model.
        catalogue: current capabilities (emerging ones join, obsolete ones leave).
        executives: the CIO and the CMO, or the one combined executive.
        cio: the executive in the CIO role (the combined executive under ``combined_role``).
        cmo: the executive in the CMO role (the same agent under ``combined_role``).
        liaison: the marketing technologist, or None.
        trust: CIO-CMO trust in [0, 1].
        threat: current threat pressure in [0, 1].
        stack: active tools, in the order they were bought.
        events: what happened, in plain words, newest last.
        years: each finished year's figures (ODD 9: yearly calibration).
        datacollector: per-step series of every outcome and diagnostic.
        collect_series: whether ``step()`` adds the week to ``datacollector``.
    """

    # The default policy, whose answers the agents give without calling it (yes when it gains).
    DEFAULT_POLICY = DEFAULT

    def __init__(
        self,
        *,
        seed: Any = None,
        rng: Any = None,
        scenario: Any = None,
        constants: dict[str, float] | None = None,
        policy: Policy | None = None,
        **kwargs: Any,
    ):
        """Create the organisation at week 0; see the class docstring for the parameters.

        The catch-all is named ``kwargs`` because Mesa's SolaraViz checks model parameters
        against the signature and accepts only a var-keyword argument of that name.
        ``scenario`` is what Mesa 3.5's SolaraViz passes on Reset (``cxo_sim.compat``).
        """
        self.params = resolve(kwargs)
        self.k = resolve_constants(constants)
        self.policy = check_policy(policy)  # how agents choose (ODD 7.17)
        super().__init__(**model_seeding(seed, rng, scenario))
        self.random.__class__ = ShuffleRandom  # same draws, a faster shuffle for shuffle_do
        for name, value in self.params.items():
            setattr(self, name, value)
        # Exogenous processes (threats, the catalogue, each marketer's ideas) draw from their own
        # streams: runs that differ only in a practice face the same world (ODD 4).
        self.streams_seed = self.random.getrandbits(64)
        self.env_random = random.Random(f"{self.streams_seed}:environment")
        # The executives' other work is exogenous too: two draws a week, whatever the practices.
        self.other_work = random.Random(f"{self.streams_seed}:other_work")
        self.week = 0
        self.events: list[Event] = []
        self.tally = dict.fromkeys(measures.TALLIES, 0.0)
        self.year = measures.new_year()
        self.years: list[dict] = []
        self.at_warmup: dict[str, float] | None = None
        self.lead_times: list[float] = []
        self.trust = self.initial_trust
        self.week_good = self.week_bad = self.week_value = 0.0
        self.value_read = 1.0  # marketing's results as the CEO reads them (ODD 7.12)
        self.blamed: set[str] = set()
        self.threat = self.threat_level
        self.threat_drift = 0.0
        self.tasks: list[Task] = []
        self.martech_tasks: list[Task] = []  # releases for marketing's technologists
        self.queue_start = {False: 0, True: 0}  # where engineers resume the queue this week
        self.decision_queue: list[ToolRequest] = []
        self.waiting_for_budget: list[ToolRequest] = []
        self.detections = Schedule()  # (week found, tool, shadow)
        self.pilots = Schedule()  # (week it ends, tool)
        self.notices = Schedule()  # (week a retired tool's contract ends, licence, kind)
        # Licences still paid on notice (k$/week): sanctioned, bought around IT known to it, or
        # shadow.
        self.notice_bill = {"sanctioned": 0.0, "outside": 0.0, "shadow": 0.0}
        self.incident_backlog = 0.0
        self.regular_availability = self.embedded_availability = self.monitor_coverage = 1.0
        self.board_coverage = 1.0  # share of the shared board kept current (ODD 7.3)
        self.discovery_coverage = 1.0  # share of the discovery scans the CIO wants that ran
        self.patch_credit = 0.0  # engineer-days of a patch started last week (ODD 7.8)
        self.purchases: dict[str, int] = {}  # tools bought so far for each capability
        self.security_weeks = 0
        self.tools_by_cap: dict[Capability, list[Tool]] = {}
        self.stack: list[Tool] = []
        self.bill: tuple[float, float, float, float] | None = None
        # The bill the week's business-led licences were counted from, and their sum (8, 9.2).
        self.business_led_bill: tuple[tuple[float, float, float, float], float] | None = None
        self.platform_live = False
        self.platform_ready_week = -1
        self.platform_left = self.k.PLATFORM_BUILD_DAYS if self.self_serve_platform else 0.0
        self.governance_live = self.data_governance != "clear"
        # Share of a regular engineer's week IT gives marketing's queue (ODD 7.8).
        self.marketing_share = self.k.MARKETING_SHARE + self.k.ALIGNMENT_SHARE * self.alignment
        # The yearly budgets: martech (sanctioned) and marketing's own, outside it (7.15).
        self.sanctioned_budget, self.outside_budget = money.budgets(self)
        self.martech_left = self.sanctioned_budget
        self.discretionary_left = self.outside_budget
        self.emerging_made = 0
        self.catalogue = environment.make_catalogue(self.n_capabilities, self.env_random)
        self.cum_demand: list[float] = []
        environment.age_capabilities(self)
        self._make_people()
        self._make_initial_stack()
        if self.data_governance == "clear":
            self.queue("governance", self.k.GOVERNANCE_SETUP_DAYS, marketing=False, priority=1)
        self.expected_wait = self.k.VENDOR_WEEKS  # marketing's prior of IT's delivery time
        shadow_it.expectations(self)
        self.collect_series = True
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in SERIES_NAMES}
        )
        self.snapshot = self.outcomes(diagnostics=True)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ the weekly schedule
    def step(self) -> None:
        """One week, in the order of ODD section 3."""
        self.week += 1
        environment.update_environment(self)  # 1. threat, emerging and ageing capabilities
        self.start_week()  # executives' hours, the liaison's
        if meetings.meeting_due(self):
            meetings.hold_meeting(self)  # 2. backlog review, settled disagreements, disclosure
        # 3. ideas, campaigns, requests, going around IT, in a random order each week: the
        # permutation Mesa's ``shuffle_do`` draws for the team (the same draws from the model's
        # generator, the agents in the order they joined), without its per-agent look-ups.
        order = self.team[:]
        self.random.shuffle(order)
        for marketer in order:
            marketer.act()
        decisions.decide_requests(self)  # 4. decisions within the executives' hours
        engineering.engineers_work(self)  # 5. incidents, upkeep, patches, then the queue
        campaigns.launch_campaigns(self)  # 6. launches (and campaigns whose moment passed)
        security.security_week(self)  # 7. exploitation of each tool
        self.react()  # 8. breaches found, shadow tools noticed, pilots, trust and influence
        if self.week % int(self.k.RATIONALISE_EVERY) == 0:
            portfolio.rationalise(self)  # 9. retire redundant, idle and unaffordable tools
        money.pay_the_week(self)  # licences and the running costs of the practices
        self.close_week()
        if self.collect_series:
            self.snapshot = self.outcomes(diagnostics=True)
            self.datacollector.collect(self)  # 10. data collection

    def start_week(self) -> None:
        """Executives' and the liaison's hours for the week."""
        k = self.k
        hours = self.exec_attention * (k.COMBINED_ATTENTION if self.combined_role else 1.0)
        # Unplanned matters of the executives' other jobs take a share of the hours set aside
        # for martech this week (ODD 7.7): drawn for both, used by those there are.
        draw = self.other_work.random
        other = (draw(), draw())  # both drawn whatever the design: common random numbers
        scale = 2.0 * k.OTHER_WORK_SHARE if k.MECH_OTHER_WORK else 0.0
        # Alignment is practised: joint planning takes a share of each executive's martech hours.
        aligning = 0.0 if self.combined_role else k.ALIGNMENT_TIME * hours * self.alignment
        spent = 0.0
        for executive, u in zip(self.executives, other, strict=False):
            free = hours * (1.0 - scale * u)  # a share uniform on [0, 2 * OTHER_WORK_SHARE]
            joint = aligning if aligning < free else free
            executive.new_week(free - joint)
            spent += joint
        if spent:
            money.coordinate(self, spent * k.EXEC_HOUR_COST)
        if self.liaison is not None:
            self.liaison.new_week()
        shadow_it.expectations(self)  # what marketers weigh this week (ODD 7.6)

    def caught_chance(self, beside: bool) -> float:
        """The chance a marketer expects IT to find what it bought or copied within a year.

        Worked out at the start of the week (``shadow_it.expectations``); higher for a marketer
        with an embedded engineer beside it (ODD 7.6).
        """
        return self.caught_beside if beside else self.caught

    def react(self) -> None:
        """Breaches found; embedded engineers notice shadow tools; pilots end; trust moves."""
        security.discover_breaches(self)
        # IT learns of shadow tools through its discovery tooling (the more cautious the CIO,
        # the more it looks) and through engineers embedded in marketing.
        k = self.k
        discover = shadow_it.discovery_rate(self)
        for tool in [t for t in self.stack if not t.known] if k.MECH_DISCOVERY else []:
            draw = self.random.random()
            if draw < discover:
                self.make_known(tool, "found by IT's discovery tooling")
                relationship.went_badly(self)  # IT found marketing had gone around it
            elif tool.beside and draw < discover + k.NOTICE_RATE:
                self.make_known(tool, "noticed by an embedded engineer")
                relationship.went_badly(self)
        portfolio.end_pilots(self)
        relationship.update_trust(self)
        relationship.update_influence(self, self.week_value)
        self.week_value = 0.0

    def close_week(self) -> None:
        """The week's business-led licences; the end of the warm-up and of each year."""
        measures.count_week(self)
        if self.week == measures.WARMUP_WEEKS:
            self.at_warmup = dict(self.tally)
        if self.week % environment.WEEKS_PER_YEAR == 0:
            measures.close_year(self)

    # ------------------------------------------------------------------ set-up
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
        self.team = [
            Marketer(self, random.Random(f"{self.streams_seed}:ideas:{index}"))
            for index in range(self.n_marketers)
        ]
        self.n_embedded = round(self.mixed_teams * self.n_engineers)
        self.staff = [Engineer(self, embedded=i < self.n_embedded) for i in range(self.n_engineers)]
        # Embedded engineers sit with teams of marketers in proportion to their number: those
        # marketers' purchases around IT are in view of one (ODD 7.2, 7.6).
        beside = round(self.n_marketers * self.n_embedded / max(self.n_engineers, 1))
        for marketer in self.team[:beside]:
            marketer.beside = True
        self.liaison = Liaison(self) if self.liaison else None

    def _make_initial_stack(self) -> None:
        """The stack the firm already has: mostly reviewed tools, a few marketing buys."""
        by_popularity = sorted(self.catalogue, key=lambda c: -c.popularity)
        n_core = max(1, round(self.k.START_CORE * len(by_popularity)))
        n_extra = max(1, round(self.k.START_EXTRA * len(by_popularity)))
        core_owner = "marketing" if self.rights == "cmo" else "it"
        for cap in by_popularity[:n_core]:
            # These went through the CIO's reviews before the run: vendors it would accept.
            tool = self.new_tool(cap, "reviewed", core_owner, weakness=self.screened_weakness())
            tool.integrated = True
            tool.data_held = self.k.EXPOSURE_REVIEWED
        for cap in by_popularity[n_core : n_core + n_extra]:
            self.new_tool(cap, "known", "marketing").monitored = True
        for cap in by_popularity[:n_extra]:
            licence = self.vendor_licence(cap) * self.k.SHADOW_PRICE
            self.new_tool(cap, "shadow", "marketing", cost=licence, bypass=True)
        self.tally["tools_bought"] = 0.0

    # ------------------------------------------------------------------ views
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

    def log(self, kind: str, text: str, shadow: bool | None = None) -> None:
        """Record an event in plain words; ``shadow`` says whether its tool was unknown to IT."""
        self.events.append(Event(self.week, kind, f"week {self.week}: {text}", shadow))

    def a_tool(self, cap: Capability) -> str:
        """The capability's tool in plain words: 'a crm tool', 'an analytics tool'."""
        words = cap.name.replace("_", " ")
        return f"{'an' if words[0] in 'aeiou' else 'a'} {words} tool"

    def requests_in_review(self) -> list[ToolRequest]:
        """Requests whose security review is under way."""
        return [
            t.request
            for t in self.tasks
            if t.kind == "review" and t.request is not None and t.request.stage == "review"
        ]

    # ------------------------------------------------------------------ services the agents use
    def new_campaign(self, marketer: Marketer):
        """A marketer's new campaign idea (ODD 7.3)."""
        return campaigns.new_campaign(self, marketer)

    def advance_campaign(self, campaign) -> None:
        """Equip a campaign, seek its data, ask for its release (ODD 7.3-7.5)."""
        campaigns.advance_campaign(self, campaign)

    def around_gain(
        self, waited: float, campaign, cap: Capability | None, price: bool, refused: bool = False
    ) -> float:
        """What acting around IT now gains a marketer over waiting (ODD 7.6)."""
        return shadow_it.around_gain(self, waited, campaign, cap, price, refused)

    def bypass(self, request: ToolRequest, waited: float) -> None:
        """Marketing goes around IT for ``request`` (ODD 7.6)."""
        shadow_it.bypass(self, request, waited)

    def buy_around(self, campaign, cap: Capability) -> Tool | None:
        """A marketer buys a tool without asking IT (ODD 7.6)."""
        return shadow_it.buy_around(self, campaign, cap)

    def delivered(self, request: ToolRequest) -> None:
        """A new tool was bought for a request: marketing remembers how long IT took (ODD 7.6)."""
        rate = self.k.WAIT_MEMORY
        self.expected_wait += rate * (self.week - request.filed - self.expected_wait)

    def work_queue(self, days: float, marketing_only: bool, efficiency: float) -> None:
        """An engineer's week on IT's queue (ODD 7.8)."""
        engineering.work_queue(self, days, marketing_only, efficiency)

    def build_platform(self, days: float) -> float:
        """Part of an engineer's marketing time builds the platform (ODD 7.10)."""
        return engineering.build_platform(self, days)

    def self_provision(self, cap: Capability) -> Tool | None:
        """A platform module for ``cap`` (ODD 7.10)."""
        return engineering.self_provision(self, cap)

    def it_backlog_weeks(self) -> float:
        """Marketing's queued work in weeks of IT's marketing capacity."""
        return engineering.backlog_weeks(self)

    def queue_review(self, request: ToolRequest, priority: int = 0) -> None:
        """Queue a security review (ODD 7.9)."""
        reviews.queue_review(self, request, priority)

    def buy(self, request: ToolRequest, status: str, at: float | None = None) -> Tool:
        """Buy a requested tool (ODD 7.9)."""
        return reviews.buy(self, request, status, at)

    def vendor_licence(self, cap: Capability) -> float:
        """An enterprise licence for ``cap`` (k$/week)."""
        return money.vendor_licence(self, cap)

    def vendor_weakness(self, vetted: bool) -> float:
        """A vendor's weakness in [0, 1]; the liaison's shortlists bring stronger vendors."""
        k = self.k
        b = k.VETTED_WEAKNESS_B if vetted else k.VENDOR_WEAKNESS_B
        return self.random.betavariate(k.VENDOR_WEAKNESS_A, b)

    def screened_weakness(self) -> float:
        """The weakness of a vendor that passed this CIO's review (a few tries at most)."""
        accept = reviews.acceptable_weakness(self)
        weakness = self.vendor_weakness(vetted=False)
        for _ in range(int(self.k.SCREEN_TRIES)):
            if weakness <= accept:
                break
            weakness = self.vendor_weakness(vetted=False)
        return weakness

    def weekly_bill(self) -> tuple[float, float, float, float]:
        """This week's licences: total, shadow, sanctioned, bought around IT."""
        return money.weekly_bill(self)

    def bill_changed(self) -> None:
        """A tool was bought or retired, or its standing or licence changed."""
        self.bill = None

    def new_budget_year(self) -> None:
        """Budgets are renewed; purchases that waited for money are decided again."""
        self.martech_left = self.sanctioned_budget
        self.discretionary_left = self.outside_budget
        for request in self.waiting_for_budget:
            if request.stage == "budget":
                request.stage = "decision"
                self.decision_queue.append(request)
        self.waiting_for_budget = []

    def queue(self, kind: str, effort: float, marketing: bool, priority: int, **about) -> Task:
        """Put work in IT's queue (ODD 7.8)."""
        task = Task(kind, effort, marketing, priority, self.week, **about)
        self.tasks.append(task)
        return task

    def new_tool(
        self,
        cap: Capability,
        status: str,
        owner: str,
        cost: float | None = None,
        weakness: float | None = None,
        platform: bool = False,
        pilot: bool = False,
        bypass: bool = False,
    ) -> Tool:
        """Add a tool to the stack."""
        tool = Tool(
            self,
            cap,
            status,
            owner,
            weekly_cost=self.vendor_licence(cap) if cost is None else cost,
            weakness=self.vendor_weakness(vetted=False) if weakness is None else weakness,
            platform=platform,
            pilot=pilot,
            bypass=bypass,
        )
        # The tool's own stream for its breaches: the n-th tool bought for a capability meets
        # the same attacks in every arm that buys it (common random numbers, ODD 4).
        self.purchases[cap.name] = nth = self.purchases.get(cap.name, 0) + 1
        tool.attacks = random.Random(f"{self.streams_seed}:attacks:{cap.name}:{nth}")
        self.tools_by_cap.setdefault(cap, []).append(tool)
        self.stack.append(tool)
        if self.bill is not None:
            # The kept bill with the new tool last: the very sums ``money.weekly_bill`` would
            # make over the stack, one term more, without a pass over a large firm's stack.
            self.bill = money.billed(self.bill, tool)
        self.tally["tools_bought"] += 1
        return tool

    def make_known(self, tool: Tool, how: str) -> None:
        """IT learns of a shadow tool: it can now patch, monitor and rationalise it."""
        tool.status = "known"
        self.bill_changed()
        self.queue("onboard", self.k.ONBOARD_DAYS, marketing=False, priority=0, tool=tool)
        self.log("disclosure", f"a shadow {tool.capability.name.replace('_', ' ')} tool was {how}")

    def retire(self, tool: Tool, why: str) -> None:
        """Remove a tool from the stack (ODD 7.14)."""
        portfolio.retire(self, tool, why)

    # ------------------------------------------------------------------ outcomes
    def outcomes(self, diagnostics: bool = False) -> dict[str, float]:
        """The run-level outcomes of ODD section 8 as of now (and the diagnostics)."""
        return measures.outcomes(self, diagnostics)


def _reporter(name: str):
    return lambda model: model.snapshot[name]


def run_one(
    params: dict[str, Any],
    steps: int = 156,
    seed: int = 0,
    timeseries_every: int = 0,
    diagnostics: bool = True,
    constants: dict[str, float] | None = None,
) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Run one model and return its outcomes and, optionally, every n-th week of its series.

    Args:
        params: model parameters (missing ones take their defaults).
        steps: weeks to simulate.
        seed: random seed.
        timeseries_every: keep every n-th week of the per-step series (0 = none).
        diagnostics: include the diagnostics with the outcomes.
        constants: behavioural constants to override (``cxo_sim.constants``).
    """
    model = CxOModel(seed=seed, constants=constants, **params)
    model.collect_series = False  # only the weeks asked for are measured
    weeks, rows = [0], [model.snapshot]
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
    release_model(model)  # or a sweep's worker on Mesa 3.3 keeps every run in memory
    return outcomes, series


def simulate(
    steps: int = 156,
    seed: int = 0,
    diagnostics: bool = False,
    constants: dict[str, float] | None = None,
    **params: Any,
) -> dict[str, float]:
    """Run one model and return its run-level outcomes, for black-box clients.

    Args:
        steps: weeks to simulate (default 156, three years).
        seed: random seed; the same seed gives the same result.
        diagnostics: also return the diagnostics of ``cxo_sim.outcomes.DIAGNOSTICS``.
        constants: behavioural constants to override (``cxo_sim.constants``).
        **params: model parameters by registry name.

    Returns:
        dict mapping each outcome name of ODD section 8 to a float.
    """
    return run_one(params, steps=steps, seed=seed, diagnostics=diagnostics, constants=constants)[0]


__all__ = ["CxOModel", "SERIES_NAMES", "run_one", "simulate"]
