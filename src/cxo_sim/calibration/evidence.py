"""The target card: for every calibration target, its source, year, sample, the model's quantity.

Each published figure describes something other than what the model reports (a whole firm, all
of IT, one email, a survey's average over firms), so each target carries the argument that turns
the figure into a range for the model's statistic (docs/ODD.md section 9.2 gives the longer
form for the first five). :data:`CARD` holds one :class:`Evidence` per target, the five
targets of ``cxo_sim.validation.targets.TARGETS`` (which ``cxo-sim validate`` checks year by
year) and the calibration's own: a pattern over time (:data:`UTILIZATION_TREND`, Gartner's
utilisation falling as stacks grow) and the tool count (:data:`TOOL_COUNT`).
:data:`NOT_USED` lists the published figures the model cannot be compared with, and why.

``calibration/TARGETS.md`` is :func:`target_card`'s text, committed; a test keeps the two equal
(``tests/calibration/test_files.py``), so the card cannot drift from the ranges the calibration
uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxo_sim.validation.targets import TARGETS

CARD_FILE = "TARGETS.md"


@dataclass(frozen=True)
class Evidence:
    """One calibration target and the evidence behind it.

    Attributes:
        key: the statistic (``cxo_sim.validation.targets.run_statistics``).
        label: what it is, in words.
        low: lower end of the range.
        high: upper end of the range.
        source: the short source shown on the calibration card.
        citation: who published the figure, and where it was read.
        year: the years the figure describes.
        sample: who was measured, and how many.
        reliability: A (random-probability survey or large incident set), B (analyst survey,
            convenience sample, self-report), C (vendor telemetry or vendor survey), D
            (second-hand, anecdote, assumption).
        quantity: the model's statistic compared with the range.
        why: why the figure, so turned into a range, measures that statistic.
    """

    key: str
    label: str
    low: float
    high: float
    source: str
    citation: str
    year: str
    sample: str
    reliability: str
    quantity: str
    why: str


_VALIDATED = {key: (label, low, high, source) for label, key, low, high, source in TARGETS}


def _validated(key: str, **card: str) -> Evidence:
    label, low, high, source = _VALIDATED[key]
    return Evidence(key, label, low, high, source, **card)


UTILIZATION_TREND = Evidence(
    key="utilization_trend",
    label="change of utilisation a year, years 2-5 (pattern over time)",
    low=-0.09,
    high=0.01,
    source="Gartner: utilisation 61% (2018), 58% (2019, 2020), 42% (2022), 33% (2023)",
    citation="Gartner Marketing Technology Surveys 2018-2023, read in marketscreener.com "
    "(23 Aug 2023), gartner.com (Gartner marketing tech survey 2020), devicedaily.com, "
    "growthspreeofficial.com",
    year="2018-2023",
    sample="marketing leaders, n=324 (2022) and n=405 (2023), each year a new sample; "
    "self-estimated share of the stack's capability in use",
    reliability="B",
    quantity="least-squares slope of one run's year-end utilisation (share of owned tools a "
    "campaign used in the last quarter) over years 2-5, a year (`utilization_trend`)",
    why="Gartner's series falls by 28 points in five years, about 5.6 a year, as stacks and the "
    "capabilities on offer grew; its steps run from flat (58% in 2019 and 2020) to 9 points "
    "(2022-2023). The range is that: from a fall of 9 points a year to flat, with a point of "
    "rounding (-0.09 to +0.01): utilisation does not rise after the warm-up year. The survey's "
    "series is an average over a new sample of firms each year, the model's slope one firm's "
    "over four years, so one run's slope is noisier (about 0.05 between runs at the default "
    "constants) than the series; a firm that keeps its stack flat is allowed a flat "
    "utilisation, as the survey's firms of 2019-2020 had.",
)
TOOL_COUNT = Evidence(
    key="tool_count",
    label="martech tools owned at the end of the run",
    low=17.0,
    high=51.0,
    source="Zylo 2023: 172-255 SaaS apps (small and mid-sized firms), marketing's 10-20%",
    citation="Zylo SaaS Management Index 2023, read in chiefmartec.com/?p=5717 and "
    "we.yesky.com/blog/286123; marketing's share of a firm's apps: an assumption of the design "
    "notes",
    year="2023",
    sample="Zylo's customers' billing and expense data (self-selected firms that manage their "
    "SaaS); firms of at most 500 staff 172 apps, mid-market 255, enterprise 664",
    reliability="C (the counts); D (marketing's share)",
    quantity="tools in the stack at the end of the run, known to IT or not (`tool_count`)",
    why="Zylo counts the apps a firm pays for, found in its invoices and expense claims, so "
    "it counts tools bought on cards as well as sanctioned ones, as the model's stack does. "
    "The modelled firm (20 marketers, a martech budget of about 30% of a 500 M$ firm's) is "
    "small to mid-sized: 172-255 apps, of which marketing's 10-20% gives 17-51. Marketing's "
    "share is not measured anywhere found, so the range is as uncertain as that share.",
)

CARD: tuple[Evidence, ...] = (
    _validated(
        "breached",
        citation="IBM/Ponemon Cost of a Data Breach (read in foodinstitute.com, "
        "itgovernance.co.uk, firmguardian.com); Zylo SMI 2023; Gartner IT Key Metrics 2021; "
        "Verizon DBIR 2024-2025",
        year="2014-2019 (chance); 2021-2025 (shares)",
        sample="firms that had a breach, costed by IBM/Ponemon (non-random); DBIR: 10,626 and "
        "12,195 breaches",
        reliability="B",
        quantity="one run's chance of at least one breach of the martech stack in a year, "
        "1 - exp(-expected breaches), years 2-5 pooled (`breached`)",
        why="IBM's 22.6-29.6% of firms with a material breach within 24 months counts a whole "
        "firm's breaches; the martech stack is 10-40% of that exposure (by count of apps, by "
        "spend, and as third-party SaaS: DBIR's 15-30% via third parties), so "
        "1 - exp(-s x rate) runs from 0.013 to 0.068 (ODD 9.2).",
    ),
    _validated(
        "business_led_share",
        citation="Gartner (it-online.co.za 2021-06-21); Everest Group "
        "(everestgrp.com/eliminate-enterprise-shadow-sherpas-blue-shirts)",
        year="2021",
        sample="large enterprises; methods not disclosed",
        reliability="B",
        quantity="share of martech licences marketing chooses and pays for or controls, known "
        "to IT or not, years 2-5 (`business_led_share`)",
        why="Gartner's 30-40% and Everest's 50% are business-led spend, what business units "
        "fund or lead whether or not IT knows of it; the model counts the same from its tools' "
        "owners (ODD 9.2). Widened to 0.25 for the undisclosed methods.",
    ),
    _validated(
        "lead_time_p90",
        citation="McKinsey, 'Making your marketing organization agile', Nov 2016 (scribd copy)",
        year="2016",
        sample="one international bank (an anecdote)",
        reliability="D",
        quantity="90th percentile of the year's campaign lead times, years 2-5 (`lead_time_p90`)",
        why="8 weeks to launch an email test where IT and legal gates ran in series describes "
        "a slow campaign at a firm where IT owns the tools: the slow tail of old_world, with the "
        "figure halved and doubled; it sets no constant (ODD 9.2).",
    ),
    _validated(
        "utilization",
        citation="Gartner Marketing Technology Surveys (marketscreener.com 23 Aug 2023; "
        "gartner.com 2020 survey)",
        year="2019-2023",
        sample="marketing leaders, n=324-405 a year; self-estimated",
        reliability="B",
        quantity="share of owned tools a campaign used in the last quarter, at each year's end, "
        "years 2-5 (`utilization`)",
        why="Gartner asks how much of the stack's capability is used; the model counts the "
        "tools in use. No constant is set from it (ODD 9.2).",
    ),
    _validated(
        "cost_per_breach",
        citation="IBM/Ponemon Cost of a Data Breach 2023-2025 (readkong.com, "
        "abnormalsecurity.com, asisonline.org)",
        year="2023-2025",
        sample="n=553-604 breached organisations a year (activity-based costing; mega-breaches "
        "excluded)",
        reliability="B",
        quantity="breach costs over breaches, years 2-5 (`cost_per_breach`; undefined without "
        "a breach)",
        why="a breach of a martech tool is one breach, so IBM's cost per breach applies "
        "unscaled; the lower end is widened to a quarter of the mean for breaches confined to "
        "marketing's tools. BREACH_COST_MEDIAN is set from the same figure, so this tests the "
        "factors that move the mean from the median only (ODD 9.2).",
    ),
    UTILIZATION_TREND,
    TOOL_COUNT,
)

# Published figures the model has no quantity for, or whose quantity a constant is set from.
NOT_USED: tuple[tuple[str, str], ...] = (
    (
        "Martech share of the marketing budget: 22-29% (Gartner CMO Spend Surveys 2016-2025, "
        "n=353-600+ a year, B); 19-19.9% (The CMO Survey, spring 2024, B)",
        "the model has no marketing budget: `martech_budget` is an input, set at about 30% of "
        "Gartner's martech budget for a 500 M$ firm (the tools modelled), and the money of "
        "marketing outside martech (people, media, agencies) is not modelled; the share would "
        "be set by inputs. A `marketing_budget` parameter with the model's martech spend "
        "(licences, shadow included) over it would make it a target.",
    ),
    (
        "Detection and containment: 241-277 days (IBM 2023-2025, B)",
        "sets DETECTION_WEEKS_MONITORED and DETECTION_WEEKS_UNMONITORED (ODD 7.11): met by "
        "inputs, no test.",
    ),
    (
        "Shadow-IT discovery ratios: IT estimated 51 cloud services against 730 (Cisco 2015, C); "
        "3.2 employee-introduced apps against 21 (LogMeIn 2014, C)",
        "counts of services, most free or per seat, across a whole firm; the model's shadow "
        "tools are paid martech licences (ODD 9.2, 'No shadow target').",
    ),
    (
        "CIO-CMO relationship: 8% strategic partners (Forrester 2019, B); marketing requests "
        "seen as low priority by IT, 23% falling to 12% (Forrester); 46% of marketers say IT "
        "does not prioritise them (CMO Council 2010, B)",
        "self-reported perceptions; the model's trust (0-1) has no survey scale, and no "
        "statistic counts what a marketer would call a low priority.",
    ),
    (
        "Marketing staff using shadow IT though they know the policy; 41% of employees build or "
        "buy technology outside IT (Gartner 2020, B)",
        "the model's marketers are not surveyed one by one; the share of marketers who ever "
        "bought around IT is not recorded by the model's outcomes (it would need a per-marketer "
        "tally in the model).",
    ),
)


def target_card() -> str:
    """The target card as Markdown (``calibration/TARGETS.md``)."""
    lines = [
        "# Target card",
        "",
        "Every target the calibrations use by default (`cxo-sim calibrate`; a calibration "
        "file's `[targets]` table can pick some), each a statistic of one model run, with the "
        "published figure it stands for. Generated from `src/cxo_sim/calibration/evidence.py`; "
        "docs/ODD.md section 9.2 gives the longer argument for the first five. Reliability: "
        "A random-probability survey or large incident set; B analyst survey (convenience "
        "sample, self-report); C vendor telemetry or vendor survey; D second-hand, anecdote "
        "or assumption.",
        "",
    ]
    for e in CARD:
        lines += [
            f"## `{e.key}`: {e.label}",
            "",
            f"- **Range**: {e.low:g} to {e.high:g}",
            f"- **Source**: {e.source}. {e.citation}",
            f"- **Year**: {e.year}",
            f"- **Sample**: {e.sample}",
            f"- **Reliability**: {e.reliability}",
            f"- **Model quantity**: {e.quantity}",
            f"- **Why they match**: {e.why}",
            "",
        ]
    lines += [
        "## Published figures not used as targets",
        "",
        *(f"- {figure}: {why}" for figure, why in NOT_USED),
    ]
    return "\n".join(lines) + "\n"
