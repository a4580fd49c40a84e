"""Outcomes (ODD 8): the run-level outcomes and diagnostics as of now, and yearly figures.

Run totals depend on the horizon; the ``*_per_year`` diagnostics do not: they are rates over
the weeks after the warm-up (``WARMUP_WEEKS``), NaN until it is over.
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

from cxo_sim.model.submodels.decisions import PENDING
from cxo_sim.model.submodels.environment import WEEKS_PER_YEAR
from cxo_sim.model.submodels.money import weekly_bill

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel

QUARTER = 13
# The first year is warm-up: the stylised starting stack settles into the organisation's own
# mix of tools (ODD 5).
WARMUP_WEEKS = 52
TALLIES = (
    "breaches",
    "breach_cost",
    "breach_risk",
    "compliance_incidents",
    "compliance_cost",
    "campaigns_launched",
    "campaign_value",
    "tech_spend",
    "martech_spend",
    "shadow_spend",
    "business_led_spend",
    "coordination_cost",
    "decision_cost",
    "conflicts",
    "escalations",
    "bypasses",
    "redirects",
    "reviews_done",
    "review_rejections",
    "unreviewed_purchases",
    "tools_bought",
    "tools_retired",
    "shadow_breaches",
    "decisions",
    "decision_weeks_total",
    "data_grants",
    "data_weeks_total",
    "data_copies",
)


def total_cost(tally: dict[str, float]) -> float:
    """Technology spend, breaches, compliance and executive decision time together (k$)."""
    return (
        tally["tech_spend"]
        + tally["breach_cost"]
        + tally["compliance_cost"]
        + tally["decision_cost"]
    )


def utilization(model: CxOModel) -> float:
    """Share of active tools a campaign used in the last quarter."""
    tools = model.stack
    if not tools:
        return 0.0
    recent = model.week - QUARTER
    return sum(1 for t in tools if t.last_used > recent and t.last_used >= 0) / len(tools)


def outcomes(model: CxOModel, diagnostics: bool = False) -> dict[str, float]:
    """The run-level outcomes as of now (and the diagnostics)."""
    tally = model.tally
    tools = model.stack
    count = len(tools)
    in_use = sum(1 for ts in model.tools_by_cap.values() if ts)
    quarters = max(model.week, 1) / QUARTER
    martech = tally["martech_spend"]
    leads = model.lead_times
    values = {
        "tool_count": count,
        "redundant_tools": count - in_use,
        "shadow_tools": sum(1 for t in tools if not t.known),
        "unreviewed_tools": sum(1 for t in tools if t.known and not t.reviewed),
        "sprawl_index": count / in_use if in_use else 0.0,
        "breaches": tally["breaches"],
        "breach_cost": tally["breach_cost"],
        "compliance_incidents": tally["compliance_incidents"],
        "campaigns_launched": tally["campaigns_launched"],
        "campaign_velocity": tally["campaigns_launched"] / quarters,
        "median_lead_time": statistics.median(leads) if leads else math.nan,
        "campaign_value": tally["campaign_value"],
        "tech_spend": tally["tech_spend"],
        "shadow_spend_share": tally["shadow_spend"] / martech if martech > 0 else 0.0,
        "business_led_share": tally["business_led_spend"] / martech if martech > 0 else 0.0,
        "coordination_cost": tally["coordination_cost"],
        "conflicts": tally["conflicts"],
        "escalations": tally["escalations"],
        "trust": model.trust,
        "utilization": utilization(model),
        "total_cost": total_cost(tally),
        "net_value": tally["campaign_value"] - total_cost(tally),
    }
    if diagnostics:
        decisions, grants = tally["decisions"], tally["data_grants"]
        values.update(
            {
                "mean_lead_time": statistics.fmean(leads) if leads else math.nan,
                "bypasses": tally["bypasses"],
                "decisions": decisions,
                "decision_weeks": tally["decision_weeks_total"] / decisions
                if decisions
                else math.nan,
                "pending_decisions": sum(1 for r in model.decision_queue if r.stage in PENDING),
                "data_access_weeks": tally["data_weeks_total"] / grants if grants else math.nan,
                "data_copies": tally["data_copies"],
                "redirects": tally["redirects"],
                "reviews_done": tally["reviews_done"],
                "review_rejections": tally["review_rejections"],
                "unreviewed_purchases": tally["unreviewed_purchases"],
                "tools_bought": tally["tools_bought"],
                "tools_retired": tally["tools_retired"],
                "shadow_breaches": tally["shadow_breaches"],
                "breach_risk": tally["breach_risk"],
                "compliance_cost": tally["compliance_cost"],
                "decision_cost": tally["decision_cost"],
                "platform_ready_week": model.platform_ready_week,
                "cmo_influence": model.cmo.influence,
            }
        )
        values.update(per_year(model))
    return {k: float(v) for k, v in values.items()}


def per_year(model: CxOModel) -> dict[str, float]:
    """Yearly rates over the weeks after the warm-up (NaN until it is over)."""
    start = model.at_warmup
    weeks = model.week - WARMUP_WEEKS
    names = ("campaigns_per_year", "breaches_per_year", "tech_spend_per_year")
    if start is None or weeks <= 0:
        return dict.fromkeys((*names, "total_cost_per_year"), math.nan)
    scale = WEEKS_PER_YEAR / weeks
    tally = model.tally
    out = {
        name: (tally[key] - start[key]) * scale
        for name, key in zip(names, ("campaigns_launched", "breaches", "tech_spend"), strict=True)
    }
    out["total_cost_per_year"] = (total_cost(tally) - total_cost(start)) * scale
    return out


def business_led_licences(model: CxOModel) -> float:
    """This week's licences of business-led martech (k$/week), as Gartner counts it (ODD 9.2).

    Business-led spend is what marketing chooses and pays for or controls, whether or not IT
    knows of it. Where marketing holds the decision rights (``rights == "cmo"``) that is every
    licence: marketing decides every purchase and spends the martech budget, platform modules
    included. Elsewhere it is the tools marketing owns (``Tool.owner == "marketing"``: the
    starting stack's open marketing buys, and every purchase around IT, shadow or known) and
    the notice periods of retired tools bought around IT. Tools IT owns, and the notice
    periods of retired sanctioned tools, are IT-led. Called once a week after the week is
    paid (``money.pay_the_week``), so it reads the same bill; kept until the bill changes.
    """
    bill = weekly_bill(model)
    cached = model.business_led_bill
    if cached is not None and cached[0] is bill:
        return cached[1]
    if model.rights == "cmo":
        led = bill[0]
    else:
        notice = model.notice_bill
        led = notice["outside"] + notice["shadow"]
        for tool in model.stack:
            if tool.owner == "marketing" or tool.bypass:
                led += tool.weekly_cost
    model.business_led_bill = (bill, led)
    return led


def count_week(model: CxOModel) -> None:
    """The week's business-led licences, into the run's tally and the year's figures."""
    led = business_led_licences(model)
    model.tally["business_led_spend"] += led
    model.year["business_led_spend"] += led


def slow_tail(leads: list[float]) -> float:
    """The 90th percentile of lead times (weeks; NaN if none): the slow tail of 9.2's target.

    Inclusive linear interpolation between order statistics (``statistics.quantiles``).
    """
    if not leads:
        return math.nan
    if len(leads) == 1:
        return float(leads[0])
    return statistics.quantiles(leads, n=10, method="inclusive")[-1]


def close_year(model: CxOModel) -> None:
    """File this year's figures (for yearly calibration checks) and start a new year."""
    year = model.year
    year["utilization"] = utilization(model)
    leads = year["lead_times"]
    year["median_lead_time"] = statistics.median(leads) if leads else math.nan
    year["lead_time_p90"] = slow_tail(leads)
    martech = year["martech_spend"]
    year["shadow_spend_share"] = year["shadow_spend"] / martech if martech > 0 else 0.0
    led = year["business_led_spend"]
    year["business_led_share"] = led / martech if martech > 0 else 0.0
    model.years.append(year)
    model.year = new_year()


def new_year() -> dict:
    """Empty yearly figures."""
    return {
        "breaches": 0,
        "breach_cost": 0.0,
        "martech_spend": 0.0,
        "shadow_spend": 0.0,
        "business_led_spend": 0.0,
        "tech_spend": 0.0,
        "lead_times": [],
    }
