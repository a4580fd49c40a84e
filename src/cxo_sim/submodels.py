"""Submodels: the functional forms of the model, as small pure functions.

Each function is one mechanism of MODEL.md, tested alone in tests/test_submodels.py and
described with its constants in docs/ODD.md section 7. Money is in k$, time in weeks.
"""

from __future__ import annotations

import math

# --- Security (MODEL.md step 7) ---------------------------------------------------------------
# Weekly exploitation hazard scale at threat 1, before the risk factors below multiply it: set
# so that the old_world preset has about a 15% yearly chance of at least one breach
# (IBM/Ponemon: 28% over 24 months).
BASE_HAZARD = 0.00036
# Ponemon/Opus 2017: third-party breach likelihood 46% with vendor security review vs 66%
# without, so an unreviewed tool carries 66/46 = 1.43 times the hazard of a reviewed one.
UNREVIEWED_HAZARD = 1.43
# An integrated tool reaches the customer data flowing through the stack (Valence 2023:
# integrations are attack surface; DBIR: 15-30% of breaches come through third parties). IT's
# security review grants an integration least-privilege scopes; an unreviewed one gets the broad
# default scopes and so reaches more.
INTEGRATION_EXPOSURE = 0.4
INTEGRATION_EXPOSURE_UNREVIEWED = 0.7
# Unmonitored tools: attacks that monitoring would stop early succeed more often.
UNMONITORED_HAZARD = 1.3
# Each week without a vendor patch adds 2% hazard, capped at 40 weeks (+80%).
PATCH_LAG_HAZARD = 0.02
PATCH_LAG_CAP = 40
# Access controls of the data-governance regimes: hazard and blast-radius multipliers.
ACCESS_CONTROL_HAZARD = {"none": 1.25, "basic": 1.0, "clear": 0.7}
ACCESS_CONTROL_BLAST = {"none": 1.3, "basic": 1.0, "clear": 0.6}
# Share of a campaign's customer data that governed access copies into a tool: clear rules
# grant only the fields needed (least privilege); with no rules IT copies whole extracts.
# Data marketing copies itself, around governance, always goes in whole.
DATA_MINIMISATION = {"none": 1.0, "basic": 0.85, "clear": 0.6}
# IBM/Ponemon 2023-2025: mean breach cost 4,450-4,880 k$; lognormal with BREACH_COST_SIGMA
# around the median below, scaled by data held, blast radius and detection lag.
BREACH_COST_MEDIAN = 2700.0
BREACH_COST_SIGMA = 0.9
# IBM: 241-277 days to identify and contain; monitored tools are watched, so detection is fast.
DETECTION_WEEKS_MONITORED = 6.0
DETECTION_WEEKS_UNMONITORED = 40.0
# A year of late discovery adds a quarter to the cost: IBM 2025 puts shadow AI's uplift at
# +670 k$ (about +15%) per breach, which unmonitored tools' ~40-week lag then reproduces.
LATE_DISCOVERY_COST = 0.25


def breach_probability(
    vulnerability: float,
    data_held: float,
    patch_lag: int,
    reviewed: bool,
    monitored: bool,
    threat: float,
    governance: str,
) -> float:
    """Weekly probability that a tool is exploited.

    Args:
        vulnerability: vendor weakness in [0, 1].
        data_held: sensitivity-weighted customer data the tool holds, in [0, 1].
        patch_lag: weeks since the tool's last patch (shadow tools are never patched).
        reviewed: whether it went through IT's security review.
        monitored: whether IT monitors it.
        threat: current threat pressure in [0, 1].
        governance: data-governance regime (access controls).

    Returns:
        The probability, in [0, 1].
    """
    hazard = BASE_HAZARD * threat * (0.5 + vulnerability) * (0.2 + data_held)
    hazard *= 1.0 + PATCH_LAG_HAZARD * min(patch_lag, PATCH_LAG_CAP)
    if not reviewed:
        hazard *= UNREVIEWED_HAZARD
    if not monitored:
        hazard *= UNMONITORED_HAZARD
    hazard *= ACCESS_CONTROL_HAZARD[governance]
    return min(1.0, hazard)


def breach_probability_bound(threat: float) -> float:
    """An upper bound of the weekly breach probability of any tool at ``threat``.

    Every factor of :func:`breach_probability` grows with its argument, so the worst tool (full
    weakness and data, the patch-lag cap, unreviewed, unmonitored, the weakest access controls)
    has the largest probability; the bound is its hazard per unit of threat times the threat,
    widened by far more than rounding could ever take away.
    """
    return min(1.0, _WORST_HAZARD_PER_THREAT * threat)


def detection_weeks(monitored: bool, draw: float) -> int:
    """Weeks from a breach to its discovery: geometric, longer for unmonitored tools.

    Args:
        monitored: whether IT monitors the tool.
        draw: a uniform random number in [0, 1).
    """
    mean = DETECTION_WEEKS_MONITORED if monitored else DETECTION_WEEKS_UNMONITORED
    return 1 + int(-math.log(1.0 - draw) * mean)


_WORST_HAZARD_PER_THREAT = (1.0 + 1e-9) * breach_probability(
    1.0,
    1.0,
    PATCH_LAG_CAP,
    False,
    False,
    1.0,
    max(ACCESS_CONTROL_HAZARD, key=ACCESS_CONTROL_HAZARD.__getitem__),
)


def breach_cost(normal_draw: float, data_held: float, governance: str, lag_weeks: int) -> float:
    """Cost of one breach in k$: lognormal, larger with more data, less control, later discovery.

    Args:
        normal_draw: a standard normal random number.
        data_held: customer data the breached tool held, in [0, 1].
        governance: data-governance regime (blast radius of access controls).
        lag_weeks: weeks until the breach was discovered.
    """
    base = BREACH_COST_MEDIAN * math.exp(BREACH_COST_SIGMA * normal_draw)
    late = 1.0 + LATE_DISCOVERY_COST * lag_weeks / 52.0
    return base * (0.3 + data_held) * ACCESS_CONTROL_BLAST[governance] * late


# --- Compliance -------------------------------------------------------------------------------
# Chance that a launch using sensitive data breaks a rule, per unit of sensitivity.
COMPLIANCE_RISK = {"none": 0.05, "basic": 0.02, "clear": 0.004}
# Data copied into a tool IT does not govern (shadow) doubles the chance.
SHADOW_COMPLIANCE = 2.0


def compliance_probability(sensitivity: float, governance: str, shadow_involved: bool) -> float:
    """Probability that one launch causes a compliance incident.

    Args:
        sensitivity: sensitivity of the customer data the campaign used, in [0, 1].
        governance: data-governance regime (its compliance checks).
        shadow_involved: whether the data left governance: a shadow tool of the campaign, or
            data marketing copied itself.
    """
    p = sensitivity * COMPLIANCE_RISK[governance]
    if shadow_involved:
        p *= SHADOW_COMPLIANCE
    return min(1.0, p)


# --- Patience and bypass (MODEL.md section 4) -----------------------------------------------
# Weeks a fully patient, fully trusting marketing team with no regard for IT's KPIs would wait
# for IT (full alignment doubles it).
PATIENCE_MAX = 19.0


def patience_weeks(cmo_speed: float, trust: float, alignment: float) -> float:
    """Weeks marketing waits on a request before going around IT.

    Falls with the CMO's urgency and with low trust; alignment (respect for IT's KPIs)
    lengthens it.

    Args:
        cmo_speed: the CMO's current urgency in [0, 1].
        trust: CIO-CMO trust in [0, 1].
        alignment: weight on the other executive's KPIs in [0, 1].
    """
    return PATIENCE_MAX * (1.0 - 0.7 * cmo_speed) * (0.2 + 0.8 * trust) * (1.0 + alignment)


# --- Request evaluation (MODEL.md section 4) ------------------------------------------------


def cmo_kpi(value: float, cost: float, risk: float, spend: float, risk_tol: float, speed: float):
    """The CMO's own score of buying a tool: velocity and campaign value against cost and risk.

    Args:
        value: expected campaign value the tool unlocks, relative to a typical request (about 1).
        cost: the tool's cost relative to a typical tool (about 1).
        risk: the tool's security risk in [0, 1] (data sensitivity times vendor weakness).
        spend: the CMO's spending appetite.
        risk_tol: the CMO's risk tolerance.
        speed: the CMO's urgency.
    """
    return (0.8 + 0.6 * speed) * value - 0.5 * (1.0 - spend) * cost - (1.0 - risk_tol) * risk


def cio_kpi(
    value: float, cost: float, risk: float, burden: float, spend: float, risk_tol: float
) -> float:
    """The CIO's own score of buying a tool: cost, risk and integration burden against value.

    Args:
        value: expected campaign value the tool unlocks, relative to a typical request.
        cost: the tool's cost relative to a typical tool.
        risk: the tool's security risk in [0, 1].
        burden: integration and upkeep burden relative to a typical tool.
        spend: the CIO's spending appetite.
        risk_tol: the CIO's risk tolerance.
    """
    return value - 0.5 * (1.0 - spend) * cost - 1.5 * (1.0 - risk_tol) * risk - 0.1 * burden


def cio_turnaround(cio_speed: float) -> float:
    """Weekly chance that the CIO's advice or decision on a request arrives.

    It applies after the first week; a CIO who thinks in weeks (low urgency) takes longer.

    Args:
        cio_speed: the CIO's current urgency in [0, 1].
    """
    return 0.4 + 0.6 * cio_speed


def blended_score(own: float, other: float, alignment: float) -> float:
    """An executive's score of a request: its own KPIs plus ``alignment`` times the other's."""
    return own + alignment * other


def ceo_sides_with_cmo(cmo_influence: float, cio_influence: float, draw: float) -> bool:
    """The CEO arbitrates an escalation by relative influence."""
    total = cmo_influence + cio_influence
    share = 0.5 if total <= 0 else cmo_influence / total
    return draw < share


# --- Campaigns ------------------------------------------------------------------------------
# Personalisation with data access and integrated tools raises value by up to 60%.
PERSONALISATION_UPLIFT = 0.6
# Value decays with lead time: half of it is gone after about 18 weeks (exp(-lead/26)).
VALUE_DECAY_WEEKS = 26.0


def campaign_value(
    base: float, personalisation: float, data_ok: bool, integrated_share: float, lead: int
) -> float:
    """Value of a launched campaign in k$.

    Args:
        base: the idea's base value (k$).
        personalisation: how personalised the campaign is, in [0, 1].
        data_ok: whether it got the customer data (granted, or copied around governance).
        integrated_share: share of its tools that are integrated with the stack.
        lead: weeks from idea to launch.
    """
    uplift = PERSONALISATION_UPLIFT * personalisation * integrated_share if data_ok else 0.0
    return base * (1.0 + uplift) * math.exp(-lead / VALUE_DECAY_WEEKS)


# --- Trust ---------------------------------------------------------------------------------
TRUST_CONFLICT = 0.02
TRUST_BREACH = 0.08
TRUST_SHADOW_BREACH = 0.12
TRUST_DELIVERY = 0.012
TRUST_MEETING = 0.08


# Without events, trust drifts back towards where the relationship started (2% a week).
TRUST_MEMORY = 0.02


def clamp01(x: float) -> float:
    """Clip to [0, 1]."""
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x
