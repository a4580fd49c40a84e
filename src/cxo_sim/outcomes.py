"""Run-level outcomes (ODD section 8) and the per-step reporters.

:data:`OUTCOMES` fixes the names that the experiment tools, the app and outside clients rely on.
:data:`DIAGNOSTICS` are extra run-level measures used by the pattern tests and the ODD; they are
returned by ``simulate(..., diagnostics=True)`` and stored by sweeps, never in place of an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """A run-level measure.

    Attributes:
        name: fixed name.
        meaning: one line.
        unit: unit ("" if dimensionless).
        better: "higher", "lower" or "" when neither is simply better.
    """

    name: str
    meaning: str
    unit: str = ""
    better: str = ""


_OUTCOMES = [
    Outcome("tool_count", "active tools at the end", "tools", ""),
    Outcome(
        "redundant_tools",
        "active tools whose capability another active tool provides",
        "tools",
        "lower",
    ),
    Outcome("shadow_tools", "active tools IT does not know about", "tools", "lower"),
    Outcome("unreviewed_tools", "active tools IT knows about but never reviewed", "tools", "lower"),
    Outcome("sprawl_index", "active tools per capability in use", "tools/capability", "lower"),
    Outcome("breaches", "breaches over the run", "breaches", "lower"),
    Outcome("breach_cost", "total cost of breaches", "k$", "lower"),
    Outcome("compliance_incidents", "compliance incidents over the run", "incidents", "lower"),
    Outcome("campaigns_launched", "campaigns launched over the run", "campaigns", "higher"),
    Outcome(
        "campaign_velocity",
        "campaigns launched per quarter (13 weeks)",
        "campaigns/quarter",
        "higher",
    ),
    Outcome(
        "median_lead_time",
        "weeks from idea to launch, median over launched campaigns",
        "weeks",
        "lower",
    ),
    Outcome("campaign_value", "total value of launched campaigns", "k$", "higher"),
    Outcome(
        "tech_spend",
        "total technology spend: licences, set-up fees, integration and coordination",
        "k$",
        "lower",
    ),
    Outcome("shadow_spend_share", "share of martech spend on shadow tools", "", "lower"),
    Outcome(
        "business_led_share",
        "share of martech spend marketing chooses and pays for or controls, known to IT or not",
        "",
        "",
    ),
    Outcome(
        "coordination_cost",
        "cost of meetings, liaison, shared tools, clear rules, platform, mixed teams, alignment",
        "k$",
        "lower",
    ),
    Outcome("conflicts", "conflict events", "events", "lower"),
    Outcome("escalations", "escalations to the CEO", "events", "lower"),
    Outcome("trust", "CIO-CMO trust at the end", "", "higher"),
    Outcome(
        "utilization", "share of owned tools used by a campaign in the last quarter", "", "higher"
    ),
    Outcome(
        "total_cost",
        "the whole bill: technology spend, breach and compliance costs, executive decision time",
        "k$",
        "lower",
    ),
    Outcome(
        "net_value",
        "campaign value minus total cost: the bill and the benefit in one number",
        "k$",
        "higher",
    ),
]

_DIAGNOSTICS = [
    Outcome(
        "mean_lead_time",
        "weeks from idea to launch, mean over launched campaigns",
        "weeks",
        "lower",
    ),
    Outcome(
        "bypasses",
        "purchases made around IT over the run (shadow, or visible with shared tools)",
        "tools",
        "lower",
    ),
    Outcome("decisions", "requests decided over the run (NaN weeks below if none)", "requests", ""),
    Outcome(
        "decision_weeks", "mean weeks from filing a tool request to its decision", "weeks", "lower"
    ),
    Outcome(
        "pending_decisions", "tool requests waiting for a decision at the end", "requests", "lower"
    ),
    Outcome(
        "data_access_weeks",
        "mean weeks from asking for customer data to getting it",
        "weeks",
        "lower",
    ),
    Outcome(
        "data_copies",
        "campaigns whose data marketing copied around governance",
        "campaigns",
        "lower",
    ),
    Outcome("redirects", "requests redirected to a tool the firm already has", "requests", ""),
    Outcome("reviews_done", "security reviews completed", "reviews", ""),
    Outcome("review_rejections", "vendors a security review turned down", "vendors", ""),
    Outcome(
        "unreviewed_purchases",
        "sanctioned purchases that skipped or were spared the review",
        "tools",
        "lower",
    ),
    Outcome("tools_bought", "tools bought over the run (all routes)", "tools", ""),
    Outcome(
        "tools_retired", "tools retired (rationalised, cut, cancelled, failed pilots)", "tools", ""
    ),
    Outcome(
        "shadow_breaches", "breaches in tools that were shadow when breached", "breaches", "lower"
    ),
    Outcome(
        "breach_risk",
        "expected breaches: the sum of every tool's weekly breach probability",
        "breaches",
        "lower",
    ),
    Outcome("compliance_cost", "cost of compliance incidents", "k$", "lower"),
    Outcome(
        "decision_cost",
        "executive hours on decisions, advice, negotiation, escalation",
        "k$",
        "lower",
    ),
    Outcome(
        "platform_ready_week", "week the self-serve platform went live (-1 = never)", "week", ""
    ),
    Outcome("cmo_influence", "the CMO's influence with the CEO at the end", "", ""),
    Outcome(
        "campaigns_per_year",
        "campaigns launched per year after the first year",
        "campaigns",
        "higher",
    ),
    Outcome("breaches_per_year", "breaches per year after the first year", "breaches", "lower"),
    Outcome("tech_spend_per_year", "technology spend per year after the first year", "k$", "lower"),
    Outcome("total_cost_per_year", "total cost per year after the first year", "k$", "lower"),
]

OUTCOMES: dict[str, Outcome] = {o.name: o for o in _OUTCOMES}
DIAGNOSTICS: dict[str, Outcome] = {o.name: o for o in _DIAGNOSTICS}
OUTCOME_NAMES: tuple[str, ...] = tuple(OUTCOMES)
DIAGNOSTIC_NAMES: tuple[str, ...] = tuple(DIAGNOSTICS)
