"""Security (ODD 7.11): each tool's weekly hazard, breaches, their discovery and consequences.

A tool's hazard grows with the threat, its vendor's weakness, the customer data it holds and the
patches it misses; monitoring stops a share of attacks, as far as IT's upkeep covers it. The
security review acts through which vendors get in (``reviews``), and data governance through how
much data tools hold (``data``): neither is a multiplier here. A breach is found after a lag,
long for unmonitored tools, and its cost grows with the data held and the lag. Once found: the
tool goes offline for a while, IT responds, the CIO tightens, trust falls, and the owner's side
takes the blame with the CEO.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cxo_sim.model.submodels.environment import WEEKS_PER_YEAR
from cxo_sim.model.submodels.relationship import blame, went_badly

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Tool


def breach_probability(model: CxOModel, tool: Tool) -> float:
    """The tool's weekly probability of being breached."""
    k = model.k
    hazard = k.BASE_HAZARD * model.threat * (k.WEAKNESS_FLOOR + tool.weakness)
    hazard *= k.DATA_FLOOR + tool.data_held
    hazard *= 1.0 + k.PATCH_LAG_HAZARD * tool.patch_lag
    if tool.monitored:
        hazard *= watched_share(model)
    return min(1.0, hazard)


def watched_share(model: CxOModel) -> float:
    """Share of attacks on a monitored tool that get through.

    Monitoring stops ``MONITOR_STOP`` of them under a CIO of middling risk tolerance: a
    cautious CIO watches more closely (twice as much at zero tolerance), a relaxed one skips
    the checks; and only as far as IT's upkeep covers the tools it monitors.
    """
    vigilance = 2.0 * (1.0 - model.cio.risk)
    return 1.0 - min(1.0, model.k.MONITOR_STOP * vigilance) * model.monitor_coverage


def security_week(model: CxOModel) -> None:
    """Each tool may be breached; the week's expected breaches are summed as a risk measure.

    The loop computes ``breach_probability`` inline (the same arithmetic in the same order):
    it runs for every tool every week.
    """
    k = model.k
    model.security_weeks += 1  # every tool misses this week's vendor patches
    weeks, cap = model.security_weeks, k.PATCH_LAG_CAP
    scale = k.BASE_HAZARD * model.threat
    floor, data_floor, lag_hazard = k.WEAKNESS_FLOOR, k.DATA_FLOOR, k.PATCH_LAG_HAZARD
    watched = watched_share(model)
    risk = 0.0
    for tool in model.stack:
        hazard = scale * (floor + tool.weakness)
        hazard *= data_floor + tool.data_held
        lag = weeks - tool.patched_at
        hazard *= 1.0 + lag_hazard * (lag if lag < cap else cap)
        if tool.monitored:
            hazard *= watched
        p = hazard if hazard < 1.0 else 1.0
        risk += p
        if tool.attacks.random() < p:
            breach(model, tool)
    model.tally["breach_risk"] += risk


def breach(model: CxOModel, tool: Tool) -> None:
    """Record a breach now; it is found after a lag, and costs more the later it is found."""
    k = model.k
    mean = k.DETECTION_WEEKS_MONITORED if tool.monitored else k.DETECTION_WEEKS_UNMONITORED
    lag = 1 + int(-math.log(1.0 - tool.attacks.random()) * mean)
    size = math.exp(k.BREACH_COST_SIGMA * tool.attacks.gauss(0.0, 1.0))
    late = 1.0 + k.LATE_DISCOVERY_COST * lag / WEEKS_PER_YEAR
    cost = k.BREACH_COST_MEDIAN * size * (k.COST_DATA_FLOOR + tool.data_held) * late
    tool.breached = True
    model.tally["breaches"] += 1
    model.tally["breach_cost"] += cost
    model.year["breaches"] += 1
    model.year["breach_cost"] += cost
    shadow = not tool.known
    if shadow:
        model.tally["shadow_breaches"] += 1
    model.detections.add(model.week + lag, tool, shadow)


def discover_breaches(model: CxOModel) -> None:
    """Breaches found this week: downtime, incident response, tightening, trust and blame."""
    due = model.detections.take_due(model.week)
    if not due:
        return
    k = model.k
    for _, tool, shadow in due:
        tool.offline_until = model.week + k.DOWNTIME_WEEKS
        model.incident_backlog += k.INCIDENT_DAYS
        if k.MECH_TIGHTENING:
            model.cio.tightening = 1.0
        went_badly(model, k.WEIGHT_SHADOW_BREACH if shadow else k.WEIGHT_BREACH)
        blame(model, model.cmo if tool.owner == "marketing" else model.cio)
        where = "a shadow" if shadow else "an IT-known"
        name = tool.capability.name.replace("_", " ")
        model.log("breach", f"a breach in {where} {name} tool was found", shadow=shadow)
        if tool.active and not tool.known:
            model.make_known(tool, "found through the breach")
