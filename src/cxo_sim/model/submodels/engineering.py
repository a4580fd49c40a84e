"""Engineering (ODD 7.8, 7.10): IT's capacity is one finite pool, and the platform it builds.

Each week the regular engineers' time goes first to incident response (as much as it takes),
then to routine upkeep (monitoring the tools IT runs, patching the stalest), capped at
``OPS_SHARE`` of their week, then a share of it to marketing's queue (``MARKETING_SHARE``, more
with alignment); the rest is IT's other work. Embedded engineers (mixed teams) give marketing
their whole week with context, and leave routine upkeep and incidents to fewer colleagues:
monitoring lapses, patches lag, incidents take longer. Everything a practice takes from the
pool slows something else down; ``money.pay_the_week`` prices the time it diverts, and the
stack's operations (incidents, upkeep, scans, patches) are paid for the days they take.

Work finishes at a point in the week: an engineer's marketing time is spread over the week, so
a task done with a third of it used is done a third into the week (or when the vendor answered,
if later). A campaign's lead time adds up these moments.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import shows
from cxo_sim.model.submodels.data import grant
from cxo_sim.model.submodels.money import affordable, spend
from cxo_sim.model.submodels.relationship import REFERENCE_TEAM
from cxo_sim.model.submodels.reviews import finish_review, finish_scale_up, integrate

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Task, Tool


def cover(need: float, days: float) -> tuple[float, float]:
    """Routine work needing ``need`` days from ``days`` left: the share done, the days left."""
    done = min(1.0, days / need) if need > 0 else 1.0
    return done, days - min(need, days)


def engineers_work(model: CxOModel) -> None:
    """Incidents, upkeep and patching from the regular engineers, then everyone's queue work."""
    k = model.k
    days = k.DAYS_PER_WEEK
    regular = (model.n_engineers - model.n_embedded) * days
    embedded = model.n_embedded * days
    # Incidents take what they need, from the regular engineers and then the embedded ones.
    on_incidents = min(model.incident_backlog, regular + embedded)
    model.incident_backlog -= on_incidents
    from_regular = min(on_incidents, regular)
    model.regular_availability = 1.0 - from_regular / regular if regular > 0 else 0.0
    lost = on_incidents - from_regular
    model.embedded_availability = 1.0 - lost / embedded if embedded > 0 else 0.0
    # Routine upkeep and patching, capped.
    routine = min(regular - from_regular, k.OPS_SHARE * regular)
    routine_at_start = routine
    # One pass over the stack: the tools IT monitors, those it knows, and those it knows whose
    # patches are due (``patch_tools``), in the stack's order.
    due = model.security_weeks - k.PATCH_DUE_WEEKS * (0.5 + model.cio.risk)
    watched = known = 0
    stale = []
    for tool in model.stack:
        if tool.monitored:
            watched += 1
        if tool.known:
            known += 1
            if tool.patched_at <= due:
                stale.append(tool)
    # The CIO's caution is what it wants done (ODD 7.8): each monitored tool watched as closely
    # as its risk tolerance asks, and its discovery tooling run as often; both take routine time
    # before patching, and get done only as far as that time goes.
    caution = 2.0 * (1.0 - model.cio.risk) if k.MECH_WATCH_TIME else 1.0
    upkeep = k.UPKEEP_DAYS * caution * watched
    model.monitor_coverage, routine = cover(upkeep, routine)
    # Scans grow with the people whose sign-ons and traffic they read.
    size = model.n_marketers / REFERENCE_TEAM
    scans = k.DISCOVERY_DAYS * (1.0 - model.cio.risk) * size if k.MECH_WATCH_TIME else 0.0
    model.discovery_coverage, routine = cover(scans, routine)
    if shows(model):  # the shared board's entries of IT's tools, kept current (ODD 7.3)
        board = k.BOARD_DAYS * known
        model.board_coverage, routine = cover(board, routine)
    patched = patch_tools(model, routine, stale)
    # The stack's operations are paid for like any engineer-day: incidents, upkeep, scans, the
    # board and patches (ODD 7.15); an embedded engineer's whole week is paid as diverted time.
    if k.MECH_OPS_PAID:
        operations = from_regular + routine_at_start - routine + patched
        spend(model, operations * k.ENGINEER_DAY_COST)
    tasks = model.tasks
    if len(tasks) > 1:
        tasks.sort(key=lambda t: (-t.priority, t.created))
    model.queue_start = start = {False: 0, True: 0}
    # Each engineer's week (``Engineer.work``) in a random order: the permutation Mesa's
    # ``shuffle_do`` draws for the staff (the same draws, the engineers in the order they
    # joined), with the days worked out once for the week.
    staff = model.staff[:]
    model.random.shuffle(staff)
    embedded_days = days * model.embedded_availability
    regular_days = days * model.marketing_share * model.regular_availability
    building = model.self_serve_platform
    # An engineer who would start past the end of the queue (``work_queue``'s resume point)
    # finds nothing to do: it is not called, and only what ``work_queue`` would then record
    # is recorded. Finishing a task may queue another, so the length is read each time.
    for engineer in staff:
        if engineer.embedded:
            if start[True] < len(tasks):
                work_queue(model, embedded_days, True, k.EMBEDDED_EFFICIENCY)
            continue
        if building and not model.platform_live:
            worked = build_platform(model, regular_days)
        else:
            worked = regular_days
        if start[False] < len(tasks):
            work_queue(model, worked, False, 1.0)
        elif worked > 1e-9 and start[True] < start[False]:
            start[True] = start[False]
    model.tasks = [t for t in model.tasks if t.effort > 1e-9 and not cancelled(t)]
    technologists_work(model)


def technologists_work(model: CxOModel) -> None:
    """Marketing's own technologists push its campaigns live on the tools it bought (ODD 7.4).

    They work their queue in order, a week of ``DAYS_PER_WEEK`` each, and release when the work
    is done: no release train, so a campaign goes live at the moment its release is finished.
    """
    tasks = model.martech_tasks
    if not tasks or model.marketing_technologists <= 0:
        return
    days = model.marketing_technologists * model.k.DAYS_PER_WEEK
    week = model.week
    end = week + 1.0
    left = days
    remaining = []
    for task in tasks:
        if cancelled(task):
            continue
        if left <= 1e-9 or task.not_before >= end:
            remaining.append(task)
            continue
        spent = min(left, task.effort)
        task.effort -= spent
        left -= spent
        if task.effort > 1e-9:
            remaining.append(task)
            continue
        task.campaign.launch_at = max(task.not_before, week + (days - left) / days)
    model.martech_tasks = remaining


def marketing_capacity(model: CxOModel) -> float:
    """Engineer-days a week that go to marketing's queue (before incidents take some)."""
    k = model.k
    regular = (model.n_engineers - model.n_embedded) * k.DAYS_PER_WEEK * model.marketing_share
    return regular + model.n_embedded * k.DAYS_PER_WEEK * k.EMBEDDED_EFFICIENCY


def backlog_weeks(model: CxOModel) -> float:
    """Marketing's queued work in weeks of IT's marketing capacity (the CIO's burden)."""
    capacity = marketing_capacity(model)
    queued = sum(task.effort for task in model.tasks if task.marketing)
    return queued / capacity if capacity > 0 else queued


def patch_tools(model: CxOModel, days: float, stale: list[Tool] | None = None) -> float:
    """Bring the most out-of-date tools IT knows up to date, as far as ``days`` allow.

    A part of a patch's days left over carries to next week (a patch started is finished), so
    a small firm's odd hours count as a large firm's do. Returns the days of the patches
    finished this week. ``stale``: the tools IT knows whose patches are due, in the stack's
    order, if the caller has them (``engineers_work`` finds them in its pass over the stack).
    """
    k = model.k
    days += model.patch_credit
    room = int(days / k.PATCH_DAYS)
    if room <= 0:
        stale = []
    elif stale is None:
        due = model.security_weeks - k.PATCH_DUE_WEEKS * (0.5 + model.cio.risk)
        stale = [t for t in model.stack if t.known and t.patched_at <= due]
    if len(stale) > room:
        stale.sort(key=lambda t: t.patched_at)
        del stale[room:]
    # What is left, up to one patch's days, carries over; idle time is not banked.
    model.patch_credit = min(days - len(stale) * k.PATCH_DAYS, k.PATCH_DAYS)
    for tool in stale:
        tool.patch()
    return len(stale) * k.PATCH_DAYS


def work_queue(model: CxOModel, days: float, marketing_only: bool, efficiency: float) -> None:
    """Spend an engineer's ``days`` on the queue in priority order; ``efficiency`` > 1 is faster.

    The engineer's days are spread over the week, so each task finishes at the share of them
    used so far (or when its vendor answered, if that is later). An engineer starts where the
    queue still holds work for it this week: every task before that point is done, cancelled,
    waiting for a later week or (for an embedded engineer) not marketing's, so skipping it
    changes nothing, and a week costs engineers plus tasks rather than engineers times tasks.
    """
    if days <= 1e-9:
        return
    week = model.week
    end = week + 1.0
    left = days
    tasks = model.tasks
    index = model.queue_start[marketing_only]
    unfinished = -1
    while index < len(tasks) and left > 1e-9:  # finishing a task may queue another
        task = tasks[index]
        index += 1
        if task.effort <= 1e-9 or (marketing_only and not task.marketing):
            continue
        if task.not_before >= end:
            continue
        if cancelled(task):
            task.effort = 0.0
            continue
        spent = min(left, task.effort / efficiency)
        task.effort -= spent * efficiency
        left -= spent
        if task.effort <= 1e-9:
            task.effort = 0.0
            at = max(task.not_before, week + (days - left) / days)
            complete(model, task, at)
        elif unfinished < 0:
            unfinished = index - 1
    start = index if unfinished < 0 else unfinished
    model.queue_start[marketing_only] = start
    if not marketing_only:  # what a regular engineer skipped, an embedded one would skip too
        model.queue_start[True] = max(model.queue_start[True], start)


def complete(model: CxOModel, task: Task, at: float) -> None:
    """What a finished task changes, at time ``at``."""
    kind = task.kind
    if kind == "review":
        finish_review(model, task.request, at)
    elif kind == "integration":
        integrate(model, task.tool)
    elif kind == "onboard":
        if task.tool.active:
            task.tool.monitored = True
    elif kind == "data":
        grant(model, task.campaign, at)
    elif kind == "launch":
        interval = model.k.RELEASE_INTERVAL
        task.campaign.launch_at = math.floor(at / interval + 1.0) * interval
    elif kind == "retire":
        if task.tool.active:
            model.retire(task.tool, "rationalised")
    elif kind == "scale_up":
        finish_scale_up(model, task.tool)
    elif kind == "governance":
        model.governance_live = True
        model.log("governance", "clear data-governance rules and access paths are in place")


def cancelled(task: Task) -> bool:
    """Whether the work is no longer needed (its request, campaign or tool went away)."""
    request = task.request
    if request is not None and request.stage != "review":
        return True
    campaign = task.campaign
    if campaign is not None:
        if campaign.closed or campaign.dropped:
            return True
        if task.kind == "data" and campaign.data == "copied":
            return True
    tool = task.tool
    return tool is not None and not tool.active


def build_platform(model: CxOModel, days: float) -> float:
    """Put part of an engineer's marketing ``days`` into the platform; return what is left."""
    if not model.self_serve_platform or model.platform_live:
        return days
    spent = min(days * model.k.PLATFORM_SHARE, model.platform_left)
    model.platform_left -= spent
    if model.platform_left <= 1e-9:
        model.platform_live = True
        model.platform_ready_week = model.week
        model.log("platform", "IT's self-serve marketing platform went live")
    return days - spent


def self_provision(model: CxOModel, cap) -> Tool | None:
    """Take ``cap`` from the self-serve platform: reviewed, integrated, monitored, generic.

    A new module is paid from the martech budget: None if the budget cannot carry it.
    """
    k = model.k
    for tool in model.tools_by_cap.get(cap, ()):
        if tool.platform:
            return tool
    licence = model.vendor_licence(cap) * k.PLATFORM_PRICE
    if not affordable(model, licence, sanctioned=True):
        return None
    tool = model.new_tool(
        cap,
        "reviewed",
        "it",
        cost=licence,
        weakness=model.vendor_weakness(vetted=False) * k.PLATFORM_WEAKNESS,
        platform=True,
    )
    tool.data_held = k.EXPOSURE_REVIEWED
    model.log("platform", f"marketing self-served {cap.name.replace('_', ' ')} from the platform")
    return tool
