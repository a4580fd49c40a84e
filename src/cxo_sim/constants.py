"""Every behavioural constant of the model, declared once: value, plausible range, source.

The parameters (``params.py``) are what a user sets to describe an organisation; these constants
are the model's functional forms, which a user normally leaves alone. Each is named once here,
with the ODD section of the submodel that uses it, its unit, a plausible range and its source (a
published figure of the ODD's calibration section, an article, or a modelling argument).

A model takes its constants from :func:`resolve_constants`, so a run may override any of them
(``CxOModel(constants={...})``): the sensitivity analysis and the calibration vary them within
their ranges. Money is in k$, time in weeks unless the unit says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from cxo_sim.params import did_you_mean, replace_generated, update_odd


@dataclass(frozen=True)
class Constant:
    """One behavioural constant.

    Attributes:
        name: the name the model code reads (``model.k.NAME``).
        value: the default value.
        low: lower end of the plausible range.
        high: upper end of the plausible range.
        unit: unit ("" for dimensionless).
        section: the ODD section of the submodel that uses it (e.g. "7.11").
        meaning: one line saying what it is.
        source: a published figure, an article, or the modelling argument for the value.
    """

    name: str
    value: float
    low: float
    high: float
    unit: str
    section: str
    meaning: str
    source: str


def _c(name, value, low, high, unit, section, meaning, source) -> Constant:
    return Constant(name, float(value), float(low), float(high), unit, section, meaning, source)


ARGUED = "modelling choice"

_DECLARATIONS = [
    # ---- 5 initialisation ------------------------------------------------------------------
    _c("START_CORE", 0.6, 0.4, 0.8, "", "5",
       "share of the catalogue (the most popular) with a reviewed, integrated tool at the start",
       f"{ARGUED}: a large firm's core channels (email, CRM, web, analytics) went through IT"),
    _c("START_EXTRA", 0.08, 0.03, 0.15, "", "5",
       "share of the catalogue with an extra, unreviewed marketing tool at the start", ARGUED),
    _c("SCREEN_TRIES", 5.0, 2.0, 10.0, "vendors", "5",
       "vendors a CIO's past reviews tried at most before settling on one for the starting stack",
       f"{ARGUED}: a shortlist of a handful of vendors"),
    # ---- 7.1 environment -------------------------------------------------------------------
    _c("THREAT_PERSISTENCE", 0.95, 0.85, 0.99, "", "7.1",
       "weekly persistence of the threat pressure's drift (AR(1) coefficient)",
       f"{ARGUED}: threat waves last months (half-life about 13 weeks)"),
    _c("THREAT_VOLATILITY", 0.03, 0.01, 0.06, "", "7.1",
       "weekly standard deviation of the threat pressure's relative drift",
       f"{ARGUED}: the threat moves by about +-20% over a year"),
    _c("FADE_WEEKS", 26.0, 8.0, 52.0, "weeks", "7.1",
       "time constant with which an obsolete capability's demand fades",
       f"{ARGUED}: campaigns move off a dying channel over about half a year"),
    _c("MATURITY_WEEKS", 52.0, 26.0, 104.0, "weeks", "7.1",
       "weeks for an emerging capability to reach its mainstream popularity",
       f"{ARGUED}: adoption of a new channel takes about a year"),
    _c("HYPE_START", 0.6, 0.2, 1.0, "", "7.1",
       "extra demand marketing gives an emerging capability when it appears",
       "article 000: marketing wants emerging capabilities early and hard"),
    _c("HYPE_DECAY", 0.96, 0.9, 0.99, "1/week", "7.1",
       "weekly factor by which hype fades (half-life about 17 weeks)",
       f"{ARGUED}: a hype cycle's peak lasts a few months"),
    _c("FADED", 0.1, 0.02, 0.25, "", "7.1",
       "share of its demand at which an obsolete capability leaves the catalogue",
       f"{ARGUED}: a channel is dropped once hardly anyone asks for it"),
    _c("EMERGING_VALUE_SIGMA", 0.8, 0.4, 1.2, "", "7.1",
       "log-sd of an emerging capability's true worth (mean 1): its value is uncertain",
       "article 000: emerging technologies' value is uncertain; 'try out ... in small tests'"),
    # ---- 7.2 meetings ----------------------------------------------------------------------
    _c("MEETING_HOURS", 1.5, 0.5, 3.0, "hours", "7.2",
       "executive hours one CIO-CMO meeting takes from each executive",
       "Perlow et al. 2017: executives spend about 23 h a week in meetings"),
    _c("MEETING_STAFF_DAYS", 1.0, 0.5, 3.0, "engineer-days", "7.2",
       "staff time to prepare the backlog for a meeting, from IT's pool",
       f"{ARGUED}: someone prepares the joint backlog and the tool inventory"),
    _c("MEETING_PREP_HOURS", 1.0, 0.5, 2.0, "hours", "7.2",
       "hours each executive spends preparing a meeting (the backlog, the inventory)",
       f"{ARGUED}: a pre-read and a briefing before each joint review"),
    _c("AGENDA_ITEM_HOURS", 0.5, 0.25, 1.0, "hours", "7.2",
       "meeting time one agenda item takes (a request settled, a tool disclosed)",
       f"{ARGUED}: two executives on one item take about the executive-hour a decision takes "
       "alone (DECISION_HOURS with deliberation): a 90-minute review settles three"),
    _c("DISCLOSE_STAKE", 1.0, 0.3, 3.0, "blame units", "7.2",
       "mean stake a marketer has in a shadow tool campaigns use, if it were retired, "
       "relative to the blame of being found to have gone around IT",
       f"{ARGUED}; calibrated so that about a third of shadow tools are disclosed when asked, "
       "as LogMeIn 2014 found (36% of employees told IT about the apps they brought in)"),
    _c("AMNESTY_DOUBT", 0.5, 0.25, 2.0, "blame units", "7.2",
       "blame a marketer still fears when disclosing at zero trust (none at full trust)",
       f"{ARGUED}: people disclose what they bought around IT when they expect no blame"),
    _c("NOTICE_RATE", 0.02, 0.005, 0.1, "1/week", "7.2",
       "weekly chance an embedded engineer notices a given shadow tool, at full embedding",
       "Gartner: fusion teams use technology IT did not recommend (70%); embedded staff see it"),
    _c("SHADOW_DISCOVERY", 0.004, 0.001, 0.02, "1/week", "7.2",
       "weekly chance a fully cautious CIO's discovery tooling (network and sign-on logs) finds "
       "a given shadow tool; a relaxed CIO looks less (times 1 - risk tolerance)",
       "Cisco 2015: IT sees 5-10% of the cloud services in use; discovery is slow"),
    _c("ALIGNMENT_TIME", 0.25, 0.125, 0.6, "", "7.7",
       "share of the hours each executive sets aside for martech (exec_attention) that joint "
       "planning and the other's KPIs take at full alignment (1 hour of the default 4)",
       "article 000: 'align on strategic vision'; a quarter of each one's martech hours, the "
       "joint KPIs agreed and reviewed each quarter; a share, so a firm whose executives have "
       "more hours (deputies) spends as large a part of them on it"),
    # ---- 7.3 campaigns ---------------------------------------------------------------------
    _c("ONE_NEED", 0.45, 0.3, 0.6, "", "7.3",
       "share of campaign ideas that need one capability",
       f"{ARGUED}: most campaigns run on one or two channels"),
    _c("TWO_NEEDS", 0.40, 0.3, 0.5, "", "7.3",
       "share of campaign ideas that need two capabilities (the rest need three)", ARGUED),
    _c("VALUE_MEAN", 60.0, 30.0, 120.0, "k$", "7.3",
       "typical value of a campaign launched at once, before personalisation",
       f"{ARGUED}: a mid-size firm's campaign; only ratios of values drive decisions"),
    _c("VALUE_SIGMA", 0.6, 0.3, 1.0, "", "7.3",
       "log-sd of a campaign idea's base value", ARGUED),
    _c("WANTS_DATA_ABOVE", 0.5, 0.3, 0.8, "", "7.3",
       "personalisation above which a campaign needs customer-data access",
       "article 000: CMOs love using customer data to personalise"),
    _c("PREP_MIN_WEEKS", 0.6, 0.2, 1.0, "weeks", "7.3",
       "shortest content preparation of a campaign",
       "Litmus: an email takes about 2 weeks to produce, 77% over a week (so no lead-time "
       "target rests on Litmus, ODD 9.2)"),
    _c("PREP_EXTRA_WEEKS", 0.9, 0.4, 2.0, "weeks", "7.3",
       "mean of the exponential extra preparation time", "Litmus (as above)"),
    _c("WINDOW_MIN_WEEKS", 2.0, 1.0, 4.0, "weeks", "7.3",
       "a campaign is dropped if not live this long after its content is ready (at least)",
       f"{ARGUED}: a campaign belongs to a moment"),
    _c("WINDOW_EXTRA_WEEKS", 8.0, 4.0, 16.0, "weeks", "7.3",
       "mean of the exponential extra window of a campaign", ARGUED),
    _c("FIND_KNOWN", 0.6, 0.4, 0.9, "", "7.3",
       "chance a marketer finds the tool IT has for a capability before asking for another",
       "LogMeIn 2014: 64% of employee-introduced apps duplicate a sanctioned one"),
    _c("FIND_KNOWN_SHARED", 0.9, 0.75, 1.0, "", "7.3",
       "the same with shared tools (one project board and inventory), while IT keeps every "
       "entry current (BOARD_DAYS); stale entries help no more than no board",
       "article 000: 'share tools ... so everyone knows what's going on'"),
    _c("BOARD_DAYS", 0.02, 0.005, 0.05, "engineer-days/week", "7.8",
       "weekly upkeep of one known tool's entry on the shared board (owner, data held, how "
       "to get access): about a day a year, from the engineers' routine time before patching",
       f"{ARGUED}: an inventory is kept or it goes stale (Ponemon/Opus 2018: 34% keep one)"),
    _c("JUSTIFY_HOURS", 0.5, 0.25, 1.5, "hours", "7.6",
       "CIO hours to have a purchase seen on the shared board justified (or contested)",
       f"{ARGUED}: article 000's shared tools make every purchase visible; each must then be "
       "explained"),
    _c("FIND_SHADOW", 0.3, 0.1, 0.5, "", "7.3",
       "chance a marketer hears of a colleague's shadow tool for the capability", ARGUED),
    _c("REUSE_FIT", 0.85, 0.7, 1.0, "", "7.3",
       "value of a campaign on an existing tool it was redirected to, relative to the tool asked "
       "for: the ask says the existing one fits less well",
       f"{ARGUED}: reuse saves a purchase and costs fit"),
    _c("SEAT_SHARE", 0.01, 0.005, 0.05, "", "7.3",
       "a tool's licence grows by this share of its first licence for each further twentieth "
       "of the marketing team that uses it (more seats, contacts or usage tier)",
       f"{ARGUED}: enterprise martech is priced by seats, contacts or usage; a licence of "
       "about 180 k$ a year covers a department, and a further seat costs 1-9 k$ a year"),
    _c("ACCESS_DAYS", 0.25, 0.1, 0.5, "engineer-days", "7.3",
       "IT's work to give a further marketer access to a tool IT knows: account, roles, single "
       "sign-on, a short training",
       f"{ARGUED}: an hour or two of administration and an hour of training"),
    # ---- 7.4 launches ----------------------------------------------------------------------
    _c("PERSONALISATION_UPLIFT", 0.6, 0.3, 1.0, "", "7.4",
       "value uplift of a fully personalised campaign with all its data and integrated tools",
       "article 000: personal touches are why marketing wants the data"),
    _c("VALUE_DECAY_WEEKS", 26.0, 13.0, 52.0, "weeks", "7.4",
       "time constant of a campaign's value decay with lead time", ARGUED),
    _c("RELEASE_INTERVAL", 1.0, 0.5, 2.0, "weeks", "7.4",
       "IT pushes changes to the systems it runs in a release every this many weeks",
       "article 004: in the old world IT runs marketing's systems; weekly release trains"),
    _c("LAUNCH_DAYS", 0.5, 0.2, 1.0, "engineer-days", "7.4",
       "work to push a campaign live on a system IT runs or an enterprise tool marketing "
       "bought (by IT, or by marketing's technologists)", ARGUED),
    _c("TECHNOLOGIST_COST", 3.0, 2.0, 4.0, "k$/week", "7.4",
       "loaded salary of one of marketing's technologists (about 150 k$ a year)",
       "Gartner IT Key Metrics: loaded IT staff cost, as ENGINEER_DAY_COST"),
    _c("FIX_WEEKS", 0.5, 0.2, 1.5, "weeks", "7.4",
       "delay to fix a campaign whose data use a compliance check caught", ARGUED),
    # ---- 7.5 data governance ---------------------------------------------------------------
    _c("MINIMISATION_MAX", 0.7, 0.4, 0.9, "", "7.5",
       "share of the customer data a campaign wants that fully strict rules withhold",
       "article 000: strict rules protect data and limit personalisation"),
    _c("DATA_DAYS_NONE", 2.5, 1.0, 5.0, "engineer-days", "7.5",
       "IT's work for a bespoke customer-data extract when there are no rules", ARGUED),
    _c("DATA_DAYS_BASIC", 1.0, 0.5, 2.0, "engineer-days", "7.5",
       "IT's work for a data-access ticket under basic rules", ARGUED),
    _c("VIOLATION_RATE", 0.06, 0.02, 0.15, "", "7.5",
       "chance a launch's data use breaks a rule, per unit of sensitivity and data used",
       f"{ARGUED}: set so that old_world has a few compliance incidents a year"),
    _c("CHECK_CATCH_BASIC", 0.5, 0.3, 0.7, "", "7.5",
       "share of rule-breaking data uses a basic (ticket) check catches before launch", ARGUED),
    _c("CHECK_CATCH_CLEAR", 0.85, 0.6, 0.95, "", "7.5",
       "share caught by clear rules' pre-approved, policy-checked paths",
       "article 000: 'check that using data for marketing follows all the legal rules'"),
    _c("COMPLIANCE_COST", 250.0, 50.0, 1500.0, "k$", "7.5",
       "mean cost of a compliance incident (remediation, notification, legal)",
       f"{ARGUED}: IBM's per-record breach costs put a small exposure near 150-300 k$"),
    _c("GOVERNANCE_SETUP_DAYS", 40.0, 20.0, 80.0, "engineer-days", "7.5",
       "IT's work to set up clear rules and pre-approved access paths",
       "article 000: clear governance takes set-up effort"),
    _c("GOVERNANCE_SETUP_COST", 2.5, 1.0, 5.0, "k$/week", "7.5",
       "running cost while clear rules are set up (legal and data office time)", ARGUED),
    _c("GOVERNANCE_RUN_COST", 1.5, 0.5, 3.0, "k$/week", "7.5",
       "upkeep of clear rules once live (a part-time data steward, about 80 k$ a year)", ARGUED),
    # ---- 7.6 going around IT ---------------------------------------------------------------
    _c("URGENCY_RATE", 0.1, 0.03, 0.3, "1/week", "7.6",
       "share of a campaign's worth a week of delay costs by marketing's KPIs under a fully "
       "urgent CMO (on top of the value's own decay)",
       "article 003: CMOs want it in days; 1 in 4 CMOs say IT doesn't grasp the need for speed"),
    _c("OVERDUE_SHARE", 0.5, 0.25, 1.0, "", "7.6",
       "a request already past IT's usual time is expected to take this share of its wait again",
       f"{ARGUED}: late work is taken as a sign of more lateness"),
    _c("AROUND_WEEKS", 0.2, 0.1, 1.0, "weeks", "7.6",
       "time to get going around IT (a card subscription, a data extract)",
       "CALIBRATION: shadow adoption takes about a day"),
    _c("CAUGHT_COST", 5.0, 1.5, 6.0, "campaign values", "7.6",
       "blame a marketer fears if IT finds it went around it, in campaigns' worth",
       f"{ARGUED}; with BYPASS_PROPENSITY it sets how much marketing goes around IT: set so "
       "the business-led share of section 9 stays inside its range (0.46-0.48 on test and "
       "held-out seeds; 3.5 gave 0.51 once the CIO's scans took engineers' time)"),
    _c("CAUTION_SIGMA", 0.5, 0.2, 1.0, "", "7.6",
       "log-sd of how much marketers differ in their fear of blame (each draws once)",
       f"{ARGUED}: some employees buy around IT freely, others never (Gartner: 41% do)"),
    _c("CARD_WEEKS", 4.0, 1.0, 13.0, "weeks", "7.6",
       "weeks of a card subscription a marketer charges to the campaign it buys it for",
       f"{ARGUED}: a month's subscription, cancelled or kept for later campaigns"),
    _c("BYPASS_PROPENSITY", 0.15, 0.05, 0.3, "1/week", "7.6",
       "weekly chance a marketer for whom acting around IT beats waiting gets round to it",
       "CMO Council/Accenture 2010: 39% of IT executives say marketing goes straight to "
       "vendors"),
    _c("PURSUE_FLOOR", 0.3, 0.1, 0.6, "", "7.3",
       "chance a marketer whose ideas have all failed still puts a new one forward",
       f"{ARGUED}: discouraged teams keep proposing the ideas they believe in most"),
    _c("SUCCESS_MEMORY", 0.1, 0.03, 0.3, "", "7.3",
       "weight of a campaign's fate (launched or abandoned) in a marketer's memory of success",
       f"{ARGUED}: about the last ten campaigns count"),
    _c("MARKETER_IT_WEIGHT", 1.0, 0.3, 2.0, "", "7.6",
       "what going around IT for a tool of full data sensitivity costs a marketer who weighs "
       "IT's KPIs fully (alignment 1), in campaigns' worth",
       f"{ARGUED}: article 003, respect each other's KPIs; MODEL: alignment acts on marketers"),
    _c("SELF_PROVISION", 0.41, 0.2, 0.75, "", "7.6",
       "chance a marketer who did not find a tool considers buying one without asking IT (it "
       "does when acting now beats waiting IT's usual time)",
       "Gartner 2020: 41% of employees build or buy technology outside IT"),
    _c("WAIT_MEMORY", 0.1, 0.03, 0.3, "", "7.6",
       "weight of the latest delivery in marketing's memory of how long IT takes", ARGUED),
    _c("SHADOW_PRICE", 0.55, 0.2, 0.7, "", "7.6",
       "licence of a tool bought on a card (a team tier), relative to the enterprise licence",
       "vendors' team tiers cost a fraction of their enterprise plans; Zylo: most apps are "
       "small expensed subscriptions"),
    _c("FRUSTRATION_STEP", 0.03, 0.01, 0.08, "", "7.6",
       "urgency a CMO gains each time marketing goes around IT", ARGUED),
    _c("FRUSTRATION_DECAY", 0.97, 0.9, 0.99, "1/week", "7.6",
       "weekly factor by which that frustration fades", ARGUED),
    # ---- 7.7 decisions ---------------------------------------------------------------------
    _c("DECISION_HOURS", 0.75, 0.25, 1.5, "hours", "7.7",
       "executive hours to decide one request, for a fully urgent executive",
       "Perlow et al. 2017: executive time is the binding resource"),
    _c("DELIBERATION", 1.0, 0.3, 2.0, "", "7.7",
       "extra decision hours (as a share) of a fully patient executive",
       "article 003: the CIO thinks things through, in weeks"),
    _c("ADVICE_HOURS", 0.4, 0.1, 1.0, "hours", "7.7",
       "hours the other executive spends advising on a request", ARGUED),
    _c("NEGOTIATION_HOURS", 1.0, 0.5, 2.0, "hours", "7.7",
       "hours one round of negotiation takes from each executive (shared budget)",
       "Gartner 2021: 75% of shared-funding buyers had budget-agreement delays"),
    _c("NEGOTIATION_ROUNDS", 3.0, 2.0, 5.0, "rounds", "7.7",
       "rounds of negotiation before a stalemate goes to the CEO", ARGUED),
    _c("ESCALATION_STAKE", 0.55, 0.2, 1.0, "", "7.7",
       "what taking a disagreement to the CEO costs the executive who does, in a request's "
       "worth by its KPIs: half of it always (the hours, the CEO's patience), half as far as "
       "the two trust each other (the relationship put at risk)",
       f"{ARGUED}: set so IT's rights see about as many escalations as the calibrated "
       "chances gave (ODD 9.5)"),
    _c("ESCALATION_HOURS", 1.0, 0.5, 3.0, "hours", "7.7",
       "hours each executive spends on an escalation to the CEO", ARGUED),
    _c("SCORE_NOISE", 0.35, 0.15, 0.6, "", "7.7",
       "sd of the noise in an executive's score of a request, for a fully urgent executive; "
       "deliberation halves it", ARGUED),
    _c("OTHER_WORK_SHARE", 0.36, 0.2, 0.5, "", "7.7",
       "mean share of an executive's martech hours that unplanned matters of its other work "
       "take in a week (uniform from none to twice this)",
       "Porter and Nohria 2018 (HBR, CEO time use): 36% of time goes to issues as they unfold"),
    _c("COMBINED_ATTENTION", 0.6, 0.4, 0.9, "", "7.7",
       "share of one executive's martech hours a combined CIO-CMO has: one person, two jobs",
       f"{ARGUED}: some overlap between the two jobs, not a whole second person"),
    _c("INVENTORY_RECALL_IT", 0.8, 0.6, 0.95, "", "7.7",
       "chance IT's inventory shows a tool it knows for a requested capability",
       "Ponemon/Opus 2018: 34% keep an inventory of third parties; IT's own estate is better "
       "known"),
    _c("INVENTORY_RECALL_CMO", 0.3, 0.1, 0.5, "", "7.7",
       "chance the CMO knows the firm already has a tool for a capability",
       "McKinsey: senior marketers underestimate their stack by up to 10x (belief 0.1-0.5x)"),
    _c("WAIVE_SENSITIVITY", 0.5, 0.2, 0.8, "", "7.7",
       "a CIO waives the review of a low-data tool when its sensitivity is below risk tolerance "
       "times this", "article 000: 'too relaxed ... serious security problems'"),
    _c("CMO_VALUE_BASE", 0.8, 0.5, 1.0, "", "7.7",
       "weight of campaign value in a patient CMO's score", ARGUED),
    _c("CMO_VALUE_SPEED", 0.6, 0.2, 1.0, "", "7.7",
       "extra weight of value for a fully urgent CMO", ARGUED),
    _c("COST_WEIGHT", 0.5, 0.2, 1.0, "", "7.7",
       "weight of cost in a cost-minimising executive's score", ARGUED),
    _c("CMO_RISK_WEIGHT", 1.0, 0.5, 2.0, "", "7.7",
       "weight of risk in a risk-averse CMO's score", ARGUED),
    _c("CIO_RISK_WEIGHT", 1.5, 0.8, 3.0, "", "7.7",
       "weight of risk in a risk-averse CIO's score", "article 003: the CIO guards security"),
    _c("BURDEN_WEIGHT", 0.4, 0.1, 1.0, "", "7.7",
       "weight of IT's backlog (weeks of queued work) in the CIO's score", ARGUED),
    # ---- 7.8 engineering -------------------------------------------------------------------
    _c("DAYS_PER_WEEK", 5.0, 4.0, 5.0, "days", "7.8", "an engineer's working days a week",
       "a working week"),
    _c("MARKETING_SHARE", 0.15, 0.05, 0.3, "", "7.8",
       "share of a regular engineer's week IT gives marketing's requests",
       "Forrester: 'marketing requests low priority for IT' 12-23%"),
    _c("ALIGNMENT_SHARE", 0.25, 0.1, 0.4, "", "7.8",
       "extra share at full alignment (taken from IT's other work)", "article 003"),
    _c("UPKEEP_DAYS", 0.35, 0.1, 0.6, "engineer-days/week", "7.8",
       "weekly upkeep of each tool IT monitors under a CIO of middling risk tolerance (times "
       "2 x (1 - risk tolerance): a cautious CIO watches more closely and it takes longer): "
       "alerts, access reviews, user provisioning, vendor updates (about 1.5 days a month)",
       "Zylo: each managed app needs ongoing administration"),
    _c("DISCOVERY_DAYS", 0.5, 0.2, 1.0, "engineer-days/week", "7.8",
       "weekly time to run and triage the discovery tooling (network and sign-on logs) for a "
       "fully cautious CIO (times 1 - risk tolerance) and a team of 20 marketers (in "
       "proportion to the team), from routine time before patching",
       f"{ARGUED}: a weekly report read and followed up"),
    _c("PATCH_DAYS", 0.2, 0.1, 0.5, "engineer-days", "7.8",
       "work to bring one tool up to date with its vendor's patches", ARGUED),
    _c("PATCH_DUE_WEEKS", 4.0, 2.0, 8.0, "weeks", "7.8",
       "a CIO of middling risk tolerance patches a tool once it is this many weeks behind; a "
       "cautious one sooner (times 0.5 + risk tolerance)", ARGUED),
    _c("OPS_SHARE", 0.25, 0.1, 0.4, "", "7.8",
       "most of a regular engineer's week that upkeep and patching may take",
       f"{ARGUED}: incidents take what they need; routine upkeep is capped"),
    _c("EMBEDDED_EFFICIENCY", 1.3, 1.0, 2.5, "", "7.8",
       "how much faster an engineer embedded in marketing works marketing's requests",
       "Gartner 2022: fusion teams progress up to 2.5x faster"),
    _c("ENGINEER_DAY_COST", 0.6, 0.4, 1.0, "k$/day", "7.8",
       "cost of an engineer-day taken from IT's other work (150 k$ a year over 250 days)",
       "Gartner IT Key Metrics: loaded IT staff cost"),
    _c("INCIDENT_DAYS", 5.0, 2.0, 15.0, "engineer-days", "7.8",
       "IT's work to respond to a discovered breach", "IBM: weeks to contain a breach"),
    _c("INTEGRATION_DAYS", 3.0, 1.0, 8.0, "engineer-days", "7.8",
       "IT's work to integrate a tool with the stack", ARGUED),
    _c("INTEGRATION_COST", 15.0, 5.0, 40.0, "k$", "7.8",
       "outside cost of an integration (connectors, consultants)", ARGUED),
    _c("ONBOARD_DAYS", 1.0, 0.5, 3.0, "engineer-days", "7.8",
       "IT's work to bring a tool it has just learned of under monitoring", ARGUED),
    _c("RETIRE_DAYS", 5.0, 2.0, 15.0, "engineer-days", "7.8",
       "IT's work to retire a tool: export its data, move its users, end the contract", ARGUED),
    # ---- 7.9 reviews -----------------------------------------------------------------------
    _c("REVIEW_DAYS", 3.0, 1.0, 6.0, "engineer-days", "7.9",
       "engineer-days of a security review by a CIO of middling strictness",
       "typical vendor reviews take 3-5 weeks elapsed, a few days of work"),
    _c("VENDOR_WEEKS", 2.5, 1.0, 5.0, "weeks", "7.9",
       "vendor questionnaire turnaround for a CIO of middling strictness",
       "ODD calibration section: vendor security reviews typically take 3-5 weeks"),
    _c("ACCEPT_BASE", 0.35, 0.2, 0.5, "", "7.9",
       "highest vendor weakness a fully risk-averse CIO accepts",
       "Ponemon/Opus 2017: third-party breach likelihood 46% with vendor review vs 66% without"),
    _c("ACCEPT_SLOPE", 0.5, 0.2, 0.7, "", "7.9",
       "how much risk tolerance raises the weakness a CIO accepts", "article 000"),
    _c("THOROUGHNESS_MAX", 1.5, 1.2, 2.0, "", "7.9",
       "thoroughness of a fully risk-averse CIO's reviews (1: middling); it falls by 1 across "
       "the risk range, scaling review effort, time and accuracy",
       f"{ARGUED}: the strictest reviews take about three times the laxest"),
    _c("REVIEW_NOISE", 0.2, 0.05, 0.35, "", "7.9",
       "sd of a middling review's estimate of a vendor's weakness; thoroughness narrows it",
       ARGUED),
    _c("VENDOR_WEAKNESS_A", 2.0, 1.5, 3.0, "", "7.9",
       "first shape of the Beta distribution of vendors' weakness", ARGUED),
    _c("VENDOR_WEAKNESS_B", 3.0, 2.0, 4.0, "", "7.9",
       "second shape (mean weakness 0.4)", ARGUED),
    _c("VETTED_WEAKNESS_B", 4.0, 3.0, 6.0, "", "7.9",
       "second shape for vendors the liaison shortlisted (mean weakness 0.33)",
       f"{ARGUED}: a liaison who writes the requirements shortlists stronger vendors (article "
       "001 only suggests the role)"),
    _c("PILOT_REVIEW_DAYS", 1.0, 0.5, 2.0, "engineer-days", "7.9",
       "a pilot's light review", "article 000: small tests"),
    # ---- 7.10 platform ---------------------------------------------------------------------
    _c("PLATFORM_BUILD_DAYS", 120.0, 60.0, 200.0, "engineer-days", "7.10",
       "IT's work to build the self-serve platform", "article 003: IT builds the infrastructure"),
    _c("PLATFORM_SHARE", 0.6, 0.3, 0.8, "", "7.10",
       "share of IT's marketing time the build takes while it lasts", ARGUED),
    _c("PLATFORM_BUILD_COST", 3.0, 1.0, 6.0, "k$/week", "7.10",
       "outside cost of the build (licences, consultants) while it lasts", ARGUED),
    _c("PLATFORM_RUN_COST", 5.0, 2.0, 10.0, "k$/week", "7.10",
       "running the platform (its core licence and upkeep team)", ARGUED),
    _c("PLATFORM_PRICE", 0.7, 0.4, 1.0, "", "7.10",
       "licence of a platform module relative to a stand-alone tool", ARGUED),
    _c("PLATFORM_FIT", 0.85, 0.7, 1.0, "", "7.10",
       "value of a campaign on a generic platform module relative to a chosen tool",
       f"{ARGUED}: a one-size platform fits each campaign less well"),
    _c("PLATFORM_WEAKNESS", 0.5, 0.3, 0.8, "", "7.10",
       "weakness of platform modules relative to a typical vendor (IT hardened them)", ARGUED),
    # ---- 7.11 security ---------------------------------------------------------------------
    _c("BASE_HAZARD", 0.00012, 0.0001, 0.002, "1/week", "7.11",
       "weekly exploitation hazard scale of a tool at threat 1",
       "calibrated: set so old_world's yearly chance of a breach of the martech stack is "
       "0.025-0.05 on the test seeds (0.01-0.04 on held-out ones), inside the stack's share of "
       "IBM/Ponemon's whole-firm 28% over 24 months, 0.01-0.07 (ODD 9.2); model v2 set it to "
       "0.0008 from the whole-firm figure"),
    _c("WEAKNESS_FLOOR", 0.1, 0.05, 0.5, "", "7.11",
       "hazard of a flawless vendor, in units of weakness: vendors differ several-fold in how "
       "often they are breached", ARGUED),
    _c("DATA_FLOOR", 0.2, 0.05, 0.5, "", "7.11",
       "attraction of a tool holding no customer data (credentials, reach into the stack)",
       ARGUED),
    _c("PATCH_LAG_HAZARD", 0.02, 0.01, 0.04, "1/week", "7.11",
       "hazard added per week behind on patches", "DBIR: unpatched systems are a top vector"),
    _c("PATCH_LAG_CAP", 40.0, 20.0, 60.0, "weeks", "7.11",
       "lag past which missing patches add no more hazard", ARGUED),
    _c("MONITOR_STOP", 0.25, 0.1, 0.5, "", "7.11",
       "share of attacks on a monitored tool stopped before they become breaches, under a CIO of "
       "middling risk tolerance (times 2 x (1 - risk tolerance))",
       "IBM: security AI and monitoring cut breach frequency and cost"),
    _c("EXPOSURE_REVIEWED", 0.4, 0.2, 0.6, "", "7.11",
       "customer data an integration reaches with the least-privilege scopes a review sets",
       "Valence 2023: integrations are attack surface"),
    _c("EXPOSURE_UNREVIEWED", 0.7, 0.5, 0.9, "", "7.11",
       "customer data an integration reaches with the vendor's default, broad scopes",
       "DBIR: 15-30% of breaches come through third parties"),
    _c("BREACH_COST_MEDIAN", 3500.0, 2000.0, 6000.0, "k$", "7.11",
       "median cost of a breach of a tool holding middling data",
       "IBM/Ponemon 2023-2025: mean 4,450-4,880 k$ (lognormal), a whole firm's breach; 3,500 "
       "since model v3, whose breaches hold more data and are found later (ODD 9.5). The same "
       "figure anchors the cost target, which so checks the cost factors, not this (ODD 9.2)"),
    _c("BREACH_COST_SIGMA", 0.9, 0.5, 1.3, "", "7.11", "log-sd of a breach's cost",
       "IBM: a long right tail"),
    _c("COST_DATA_FLOOR", 0.3, 0.1, 0.6, "", "7.11",
       "cost share of a breach of a tool holding no customer data", ARGUED),
    _c("DETECTION_WEEKS_MONITORED", 6.0, 2.0, 12.0, "weeks", "7.11",
       "mean weeks to discover a breach of a monitored tool", "IBM: detection with monitoring"),
    _c("DETECTION_WEEKS_UNMONITORED", 40.0, 25.0, 52.0, "weeks", "7.11",
       "mean weeks to discover a breach of an unmonitored tool",
       "IBM: 241-277 days to identify and contain"),
    _c("LATE_DISCOVERY_COST", 0.25, 0.1, 0.5, "1/year", "7.11",
       "extra cost share per year of late discovery",
       "IBM 2025: shadow AI adds about 670 k$ (+15%) per breach"),
    _c("DOWNTIME_WEEKS", 2.0, 0.5, 6.0, "weeks", "7.11",
       "weeks a breached tool is offline once the breach is found", ARGUED),
    _c("TIGHTENING_DEPTH", 0.6, 0.3, 0.9, "", "7.11",
       "share of risk tolerance the CIO loses right after a breach is found", "article 000"),
    _c("TIGHTENING_DECAY", 0.95, 0.9, 0.99, "1/week", "7.11",
       "weekly factor by which that tightening fades", ARGUED),
    # ---- 7.12 relationship -----------------------------------------------------------------
    _c("TRUST_RATE", 0.06, 0.02, 0.12, "1/week", "7.12",
       "how fast trust moves towards the share of recent interactions that went well", ARGUED),
    _c("TRUST_EVIDENCE", 2.0, 0.5, 5.0, "events/week", "7.12",
       "weight of evidence (per 20 marketers) at which a week's share counts half",
       f"{ARGUED}: a quiet week moves trust less than a busy one"),
    _c("WEIGHT_BREACH", 10.0, 3.0, 30.0, "events", "7.12",
       "a discovered breach counts as this many bad interactions for trust", ARGUED),
    _c("WEIGHT_SHADOW_BREACH", 20.0, 5.0, 40.0, "events", "7.12",
       "a breach in a tool bought around IT counts as this many", "article 002"),
    _c("WEIGHT_COMPLIANCE", 5.0, 2.0, 15.0, "events", "7.12",
       "a compliance incident counts as this many bad interactions", ARGUED),
    _c("KPI_WEEKS", 13.0, 4.0, 26.0, "weeks", "7.12",
       "time constant over which the CEO reads marketing's campaign results",
       f"{ARGUED}: results are reviewed quarterly"),
    _c("INFLUENCE_RATE", 0.03, 0.01, 0.1, "1/week", "7.12",
       "how fast each executive's influence with the CEO follows its KPIs", ARGUED),
    _c("BLAME", 0.5, 0.2, 0.9, "", "7.12",
       "drop of the blamed executive's KPI score in a week a breach of its tool is found",
       "article 002: blame goes to whoever bought the tool"),
    # ---- 7.13 pilots -----------------------------------------------------------------------
    _c("PILOT_WEEKS", 12.0, 6.0, 26.0, "weeks", "7.13",
       "length of a pilot before the scale-up decision", "article 000: small tests first"),
    _c("PILOT_PRICE", 0.25, 0.1, 0.5, "", "7.13",
       "licence of a pilot relative to the full tool", ARGUED),
    _c("PILOT_DATA_CAP", 0.2, 0.1, 0.4, "", "7.13",
       "customer data a pilot may hold (a sample)", ARGUED),
    _c("PILOT_SEATS", 2.0, 1.0, 5.0, "launches/week", "7.13",
       "campaigns a pilot can carry a week: the slower scale-up of winners", ARGUED),
    _c("PILOT_REACH", 0.5, 0.2, 0.8, "", "7.13",
       "share of a campaign's audience a pilot reaches: it runs on a test segment and a sample "
       "of the data, so a campaign launched on it is worth that share of a full launch",
       f"{ARGUED}: a pilot is small by design"),
    _c("LEARN_LAUNCHES", 12.0, 6.0, 30.0, "launches", "7.13",
       "launches on full tools of an emerging capability after which a firm judges its worth",
       f"{ARGUED}: a few quarters of campaigns; a pilot judges on fewer, sooner and cheaper"),
    _c("PILOT_NOISE", 0.5, 0.2, 1.0, "", "7.13",
       "log-sd of the value a launch on a pilot shows around the capability's true worth",
       f"{ARGUED}: one campaign's result is a noisy signal of a channel's worth"),
    # ---- 7.14 rationalisation --------------------------------------------------------------
    _c("RATIONALISE_EVERY", 13.0, 4.0, 26.0, "weeks", "7.14", "weeks between rationalisations",
       "a quarterly review"),
    _c("MIGRATE_DATA_DAYS", 10.0, 3.0, 30.0, "engineer-days", "7.14",
       "extra work to retire a tool holding customer data of full sensitivity (export, "
       "mapping, deletion)", f"{ARGUED}: a data migration takes weeks, not days"),
    _c("MIGRATE_LINK_DAYS", 5.0, 2.0, 15.0, "engineer-days", "7.14",
       "extra work to retire an integrated tool (its connections to the stack rewired)",
       ARGUED),
    _c("MIGRATION_FIT", 0.9, 0.8, 1.0, "", "7.14",
       "value of a campaign in progress moved off a retired tool, relative to staying",
       f"{ARGUED}: a mid-campaign migration loses set-up and history"),
    _c("NOTICE_WEEKS", 8.0, 4.0, 26.0, "weeks", "7.14",
       "weeks a retired tool's licence still runs (the contract's notice period)",
       f"{ARGUED}: SaaS contracts give 30-90 days' notice or run to the term's end"),
    _c("UNUSED_WEEKS", 52.0, 26.0, 78.0, "weeks", "7.14",
       "a tool idle this long is proposed for retirement", "a licence cycle"),
    _c("CANCEL_IDLE", 0.2, 0.05, 0.5, "1/quarter", "7.14",
       "quarterly chance marketing notices and cancels an idle subscription it bought",
       "Zylo: 44-53% of SaaS licences go unused in a month"),
    # ---- 7.15 money ------------------------------------------------------------------------
    _c("SHARED_FUNDING", 0.3, 0.1, 0.6, "", "7.15",
       "share of marketing's discretionary money that joins the martech budget under a "
       "shared budget",
       "Gartner 2021 (n=1,120): 74% of technology purchases funded at least partly by "
       "business units; the share each unit brings is not reported (modelling choice)"),
    _c("LICENCE_MEAN", 3.5, 2.0, 6.0, "k$/week", "7.15",
       "mean enterprise licence of a martech tool (about 180 k$ a year)",
       "Zylo 2025: about 49 M$ over 275 apps in large firms"),
    _c("LICENCE_SIGMA", 0.5, 0.3, 0.8, "", "7.15", "log-sd of licences", ARGUED),
    _c("SETUP_WEEKS", 4.0, 2.0, 8.0, "weeks", "7.15",
       "one-off set-up fee of a sanctioned purchase, in weeks of licence", ARGUED),
    _c("EXEC_HOUR_COST", 0.4, 0.2, 0.8, "k$/hour", "7.15",
       "cost of an executive hour (about 800 k$ a year over 2,000 hours)", ARGUED),
    _c("LIAISON_COST", 3.5, 2.0, 5.0, "k$/week", "7.15",
       "salary of the marketing technologist (about 180 k$ a year)",
       "Gartner 2014: most large firms have one"),
    _c("LIAISON_HOURS", 8.0, 4.0, 20.0, "hours/week", "7.15",
       "the liaison's hours a week for vetting and mediation, beside running marketing's "
       "stack: one person saturates",
       "Cross et al. 2016: collaboration piles on a few people"),
    _c("VET_HOURS", 4.0, 2.0, 8.0, "hours", "7.15",
       "liaison hours to vet one request (look for reuse, write requirements)", ARGUED),
    _c("VET_WEEKS", 1.0, 0.0, 3.0, "weeks", "7.15",
       "weeks a vetted request takes to reach the deciders: the liaison shortlists vendors and "
       "writes requirements in the hours it has that week", f"{ARGUED}: vetting is a step"),
    _c("MEDIATE_HOURS", 3.0, 1.0, 6.0, "hours", "7.15",
       "liaison hours to mediate one disagreement", ARGUED),
    _c("SHARED_TOOLS_COST", 1.5, 0.5, 3.0, "k$/week", "7.15",
       "licences and upkeep of shared calendars, files and project software", ARGUED),
]  # fmt: skip

CONSTANTS: dict[str, Constant] = {c.name: c for c in _DECLARATIONS}
DEFAULTS: dict[str, float] = {c.name: c.value for c in _DECLARATIONS}


@dataclass(frozen=True)
class Switch:
    """A mechanism's on/off switch, so its share of an effect can be measured (``explain``).

    A switch is not a behavioural constant: it has no plausible range, sensitivity analysis and
    calibration never vary it, and it is on in every run unless an ablation turns it off
    (``CxOModel(constants={"MECH_DISCLOSURE": 0})``). The model reads it as ``model.k.NAME``
    (1.0 on, 0.0 off).

    Attributes:
        name: the name the model code reads (``MECH_...``).
        section: the ODD section of the submodel whose mechanism it switches.
        meaning: what the mechanism does, and what the model does instead when it is off.
    """

    name: str
    section: str
    meaning: str


_SWITCHES = [
    Switch("MECH_DISCLOSURE", "7.2",
           "marketers choose to disclose shadow tools at CIO-CMO meetings (off: none is)"),
    Switch("MECH_AGENDA", "7.2",
           "a meeting handles only as many items as its length holds (off: any number)"),
    Switch("MECH_OTHER_WORK", "7.7",
           "executives' other work takes a random share of their martech hours each week "
           "(off: all the hours set aside are free)"),
    Switch("MECH_CONTESTED_RETIREMENT", "7.14",
           "retiring a marketing tool campaigns use needs its owner's consent or a "
           "disagreement (off: IT retires what it may without asking)"),
    Switch("MECH_MIGRATION", "7.14",
           "retiring costs migration work with the tool's data and integration, campaigns' "
           "fit and the notice period's licence (off: a flat RETIRE_DAYS, nothing else)"),
    Switch("MECH_BACKLOG_REVIEW", "7.2",
           "meetings redirect, settle and re-prioritise pending requests (off: they do not)"),
    Switch("MECH_DISCOVERY", "7.2",
           "IT finds shadow tools by discovery tooling and embedded engineers (off: never)"),
    Switch("MECH_RETIREMENT", "7.14",
           "IT retires redundant, idle and unaffordable tools it knows (off: none retired)"),
    Switch("MECH_INVENTORY_RECALL", "7.7",
           "the decider redirects a request to a tool the firm has (off: it never recalls one)"),
    Switch("MECH_SHARED_VISIBILITY", "7.3",
           "shared tools show IT's catalogue and marketing's purchases to both sides "
           "(off: shared tools are bought and paid for but show nothing)"),
    Switch("MECH_LIAISON_VETTING", "7.3",
           "the liaison vets requests for reuse and stronger vendors (off: it does not vet)"),
    Switch("MECH_LIAISON_MEDIATION", "7.7",
           "the liaison mediates disagreements (off: every disagreement is a conflict)"),
    Switch("MECH_WATCH_TIME", "7.8",
           "the CIO's caution takes engineers' routine time: closer monitoring and discovery "
           "scans before patching (off: monitoring at the middling upkeep, scans take no time)"),
    Switch("MECH_OPS_PAID", "7.15",
           "the stack's operations (incidents, upkeep, scans, the board's entries, patches) "
           "are paid at ENGINEER_DAY_COST for the days they take (off: only the share of "
           "engineers' time given to marketing's queue is paid)"),
    Switch("MECH_SEATS", "7.3",
           "each further marketer who uses a tool adds seats to its licence (SEAT_SHARE) and, "
           "on a tool IT knows, access work to IT's queue (off: reuse is priced only by fit)"),
    Switch("MECH_TIGHTENING", "7.11",
           "a found breach tightens the CIO's risk tolerance for a while (off: it does not)"),
    Switch("MECH_TRUST_EXPECTATION", "7.6",
           "marketers expect IT to deliver only as far as they trust it (off: they expect "
           "delivery)"),
    Switch("MECH_RELEASE", "7.4",
           "campaigns on systems IT runs wait for IT's release work (off: they go live alone)"),
    Switch("MECH_MARKETING_RELEASE", "7.4",
           "enterprise tools marketing bought need a release, by its technologists or else IT "
           "(off: marketing's tools go live with no one's work)"),
    Switch("MECH_LEARNING", "7.13",
           "any firm learns from full deployments that an emerging capability is worth less "
           "than promised, and drops it (off: only pilots teach it)"),
    Switch("MECH_PILOT_VERDICT", "7.13",
           "a pilot ends with a verdict from what its launches showed: scale up or stop "
           "(off: every pilot scales up)"),
    Switch("MECH_SHARED_FUNDING", "7.15",
           "a shared budget is funded partly from marketing's discretionary money (off: each "
           "budget stays whole with its owner)"),
    Switch("MECH_IDEA_RESPONSE", "7.3",
           "marketers put ideas forward as far as their campaigns have launched (off: every "
           "idea is pursued)"),
]  # fmt: skip

SWITCHES: dict[str, Switch] = {s.name: s for s in _SWITCHES}


def resolve_constants(overrides: dict[str, Any] | None = None) -> SimpleNamespace:
    """The constants of one model: the defaults overlaid with ``overrides``.

    Raises:
        ValueError: for an unknown name (with the closest known one) or a value that is not a
            finite number.
    """
    values = dict(DEFAULTS)
    values.update(dict.fromkeys(SWITCHES, 1.0))
    for name, value in (overrides or {}).items():
        if name in SWITCHES:
            if value not in (0, 1) or isinstance(value, str):
                raise ValueError(f"switch {name!r}: invalid value {value!r}; expected 0 or 1")
            values[name] = float(value)
            continue
        if name not in CONSTANTS:
            hint = did_you_mean(str(name).upper(), {**CONSTANTS, **SWITCHES}, 0.5)
            raise ValueError(f"unknown constant {name!r}{hint}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ValueError(f"constant {name!r}: invalid value {value!r}; expected a number")
        values[name] = float(value)
    return SimpleNamespace(**values)


def markdown_table() -> str:
    """The constants table of docs/ODD.md, generated from the declarations."""
    lines = [
        "| constant | value | plausible range | unit | ODD | meaning | source or argument |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in _DECLARATIONS:
        lines.append(
            f"| `{c.name}` | {c.value:g} | {c.low:g}-{c.high:g} | {c.unit or '-'} | {c.section} "
            f"| {c.meaning} | {c.source} |"
        )
    lines += [
        "",
        "Mechanism switches (on in every run; `cxo-sim explain` turns each off in turn):",
        "",
        "| switch | ODD | mechanism |",
        "|---|---|---|",
    ]
    lines += [f"| `{s.name}` | {s.section} | {s.meaning} |" for s in _SWITCHES]
    return "\n".join(lines) + "\n"


ODD_START = "<!-- constants-table:start (generated from src/cxo_sim/constants.py) -->"
ODD_END = "<!-- constants-table:end -->"


def sync_odd(text: str) -> str:
    """Return the ODD text with its constants table regenerated from the declarations."""
    return replace_generated(text, ODD_START, ODD_END, markdown_table())


if __name__ == "__main__":
    import sys

    update_odd(sys.argv[1] if len(sys.argv) > 1 else "docs/ODD.md", sync_odd, "constants")
