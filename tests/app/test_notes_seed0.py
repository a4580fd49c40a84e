"""The teaching notes say what the app's default run, seed 0, shows: every number they give.

Issue 21: the notes told a class to look for what seed 0 never showed. Each fact below is a
phrase of a preset's note with its numbers left out, and how to read those numbers from seed-0
runs (the app's ``ClassroomModel`` with the app's starting settings); the test fills the phrase
from the runs and looks for it in the note. A model change that moves one of them fails here:
rerun the runs and fix the text, not the test.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from cxo_sim.analysis.numbers import share_text
from cxo_sim.appkit.classroom import ClassroomModel, starting_settings
from cxo_sim.appkit.notes import NOTES
from cxo_sim.presets import PRESETS

# The runs the notes speak of: (preset, weeks, seed, settings changed from the preset).
RUNS = {
    "old": ("old_world", 156, 0, {}),
    "old 260": ("old_world", 260, 0, {}),
    "old seed 8": ("old_world", 104, 8, {}),
    "old urgent": ("old_world", 156, 0, {"cmo_speed": 1.0}),
    "old urgent cmo": ("old_world", 156, 0, {"cmo_speed": 1.0, "budget_owner": "cmo"}),
    "old shared tools": ("old_world", 156, 0, {"shared_tools": True}),
    "old meetings": ("old_world", 156, 0, {"meeting_interval": 2}),
    "old shared budget": ("old_world", 156, 0, {"budget_owner": "shared"}),
    "new": ("new_world", 156, 0, {}),
    "new 260": ("new_world", 260, 0, {}),
    "new clear": ("new_world", 156, 0, {"data_governance": "clear"}),
    "new liaison": ("new_world", 156, 0, {"liaison": True}),
    "combined": ("combined_role", 156, 0, {}),
    "combined busy": ("combined_role", 156, 0, {"exec_attention": 2.0}),
    "turf": ("turf_war", 156, 0, {}),
    "turf aligned": ("turf_war", 156, 0, {"alignment": 0.6}),
    "turf liaison": ("turf_war", 156, 0, {"liaison": True}),
    "best": ("best_practice", 156, 0, {}),
    "best no platform": ("best_practice", 156, 0, {"self_serve_platform": False}),
}
ROOT = Path(__file__).resolve().parents[2]
WORDS = {0: "none", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@functools.cache
def run(key: str) -> ClassroomModel:
    preset, weeks, seed, changes = RUNS[key]
    model = ClassroomModel(
        **{**starting_settings(), **PRESETS[preset], **changes, "weeks": weeks, "seed": seed}
    )
    while model.running:
        model.step()
    return model


def out(key: str, name: str) -> float:
    return run(key).outcomes(diagnostics=True)[name]


def at(key: str, name: str, week: int) -> float:
    return float(run(key).datacollector.get_model_vars_dataframe()[name].iloc[week])


def first(key: str, kind: str, words: str = "") -> int:
    return next(e.week for e in run(key).events if e.kind == kind and words in e.text)


def count(key: str, kind: str, words: str = "", before: int = 10**6) -> int:
    return sum(e.kind == kind and words in e.text and e.week <= before for e in run(key).events)


def breach_week(key: str) -> int:
    breach = next(e for e in run(key).events if e.kind == "breach")
    assert breach.shadow, "the note speaks of a shadow tool's breach"
    return breach.week


def risk_after(key: str, week: int) -> float:
    """The CIO's risk tolerance after ``week`` (the run is replayed to that week)."""
    preset, _, seed, changes = RUNS[key]
    model = ClassroomModel(**{**starting_settings(), **PRESETS[preset], **changes, "seed": seed})
    for _ in range(week):
        model.step()
    return model.cio.risk


def cmo_influence_at_start(key: str) -> float:
    preset, _, seed, changes = RUNS[key]
    return ClassroomModel(**{**PRESETS[preset], **changes, "seed": seed}).cmo.influence


AROUND = "around IT after waiting"
# (preset, the note's phrase with {} for each number, the numbers from the runs)
FACTS = [
    ("old_world", "the first is in week {}", lambda: [first("old", "bypass", AROUND)]),
    (
        "old_world",
        "and {} come in the first year",
        lambda: [WORDS[count("old", "bypass", AROUND, 52)]],
    ),
    (
        "old_world",
        "shadow tools ({} after three years at seed 0)",
        lambda: [f"{out('old', 'shadow_tools'):.0f}"],
    ),
    ("old_world", "(the first in week {} at seed 0)", lambda: [first("old", "disclosure")]),
    (
        "old_world",
        "({} after three years at seed 0)",
        lambda: [share_text(out("old", "shadow_spend_share"))],
    ),
    ("old_world", "seed 0 has {} in three years", lambda: [WORDS[int(out("old", "breaches"))]]),
    ("old_world", "in week {} a shadow tool is breached", lambda: [breach_week("old seed 8")]),
    (
        "old_world",
        "trust drops ({:.2f} to {:.2f} that week)",
        lambda: [
            at("old seed 8", "trust", breach_week("old seed 8") - 1),
            at("old seed 8", "trust", breach_week("old seed 8")),
        ],
    ),
    (
        "old_world",
        "risk tolerance ({:g} to {:.2f}",
        lambda: [
            risk_after("old seed 8", breach_week("old seed 8") - 1),
            risk_after("old seed 8", breach_week("old seed 8")),
        ],
    ),
    (
        "old_world",
        "Seed 0: {:.0f} purchases around IT instead of {:.0f}, "
        "{:.0f} shadow tools instead of {:.0f}",
        lambda: [
            out("old urgent", "bypasses"),
            out("old", "bypasses"),
            out("old urgent", "shadow_tools"),
            out("old", "shadow_tools"),
        ],
    ),
    (
        "old_world",
        "(a median lead time of {:.2f} weeks instead of {:.2f})",
        lambda: [out("old urgent", "median_lead_time"), out("old", "median_lead_time")],
    ),
    (
        "old_world",
        "budget_owner = cmo ({:.2f} weeks)",
        lambda: [out("old urgent cmo", "median_lead_time")],
    ),
    (
        "old_world",
        "purchases around IT do not ({:.0f} against {:.0f})",
        lambda: [out("old shared tools", "bypasses"), out("old", "bypasses")],
    ),
    (
        "old_world",
        "and conflicts fall ({:.0f} instead of {:.0f}), yet",
        lambda: [out("old shared tools", "conflicts"), out("old", "conflicts")],
    ),
    (
        "old_world",
        "tech spend falls by about {:.1f} M$",
        lambda: [(out("old", "tech_spend") - out("old shared tools", "tech_spend")) / 1000],
    ),
    (
        "old_world",
        "shadow tools are left at the end ({:.0f} instead of {:.0f})",
        lambda: [out("old shared tools", "shadow_tools"), out("old", "shadow_tools")],
    ),
    (
        "old_world",
        "IT learns of no more shadow tools ({} either way)",
        lambda: (
            [count("old", "disclosure")]
            if count("old meetings", "disclosure") == count("old", "disclosure")
            else ["(more)"]
        ),
    ),
    (
        "old_world",
        "At seed 0 conflicts fall ({:.0f} instead of {:.0f}) and tech spend by about {:.1f} M$",
        lambda: [
            out("old meetings", "conflicts"),
            out("old", "conflicts"),
            (out("old", "tech_spend") - out("old meetings", "tech_spend")) / 1000,
        ],
    ),
    (
        "old_world",
        "median lead time rises ({:.2f} weeks instead of {:.2f})",
        lambda: [out("old meetings", "median_lead_time"), out("old", "median_lead_time")],
    ),
    (
        "new_world",
        "({:.2f} weeks against {:.2f} at seed 0",
        lambda: [out("new", "median_lead_time"), out("old", "median_lead_time")],
    ),
    (
        "new_world",
        "({:.1f} against {:.1f} at seed 0)",
        lambda: [out("new", "campaign_velocity"), out("old", "campaign_velocity")],
    ),
    (
        "new_world",
        "(seed 0: {:.1f} more campaigns a quarter than old_world over five years, "
        "{:.1f} over three)",
        lambda: [
            out("new 260", "campaign_velocity") - out("old 260", "campaign_velocity"),
            out("new", "campaign_velocity") - out("old", "campaign_velocity"),
        ],
    ),
    (
        "new_world",
        "grows ({:.1f} M$ in five years, {:.1f} M$ in three)",
        lambda: [
            (out("new 260", "tech_spend") - out("old 260", "tech_spend")) / 1000,
            (out("new", "tech_spend") - out("old", "tech_spend")) / 1000,
        ],
    ),
    (
        "new_world",
        "more redundant tools ({:.0f} against {:.0f} at seed 0)",
        lambda: [out("new", "redundant_tools"), out("old", "redundant_tools")],
    ),
    (
        "new_world",
        "({:.0f} known to IT but never reviewed, against {:.0f})",
        lambda: [out("new", "unreviewed_tools"), out("old", "unreviewed_tools")],
    ),
    (
        "new_world",
        "few shadow tools left ({} at seed 0)",
        lambda: [WORDS[int(out("new", "shadow_tools"))]],
    ),
    ("new_world", "seed 0 shows {}.", lambda: [WORDS[int(out("new", "breaches"))]]),
    (
        "new_world",
        "(seed 0: no compliance incident instead of {})",
        lambda: [WORDS[int(out("new", "compliance_incidents"))]],
    ),
    (
        "new_world",
        "(seed 0: {:.0f} conflicts instead of {:.0f}, "
        "{:.1f} campaigns a quarter instead of {:.1f})",
        lambda: [
            out("new liaison", "conflicts"),
            out("new", "conflicts"),
            out("new liaison", "campaign_velocity"),
            out("new", "campaign_velocity"),
        ],
    ),
    (
        "new_world",
        "({:.0f} against {:.0f} at seed 0)",
        lambda: [out("new liaison", "redundant_tools"), out("new", "redundant_tools")],
    ),
    (
        "combined_role",
        "(seed 0: a median lead time of {:.2f} weeks, "
        "against {:.2f} for old_world with budget_owner = shared)",
        lambda: [out("combined", "median_lead_time"), out("old shared budget", "median_lead_time")],
    ),
    (
        "combined_role",
        "buy around IT ({:.0f} times in three years at seed 0)",
        lambda: [out("combined", "bypasses")],
    ),
    (
        "combined_role",
        "(seed 0: {:.0f} campaigns instead of {:.0f}, {:.0f} shadow tools instead of {:.0f})",
        lambda: [
            out("combined busy", "campaigns_launched"),
            out("combined", "campaigns_launched"),
            out("combined busy", "shadow_tools"),
            out("combined", "shadow_tools"),
        ],
    ),
    (
        "turf_war",
        "(seed 0: {:.0f} conflicts and {:.0f} escalations in three years, "
        "{} and {} of them in the first year",
        lambda: [
            out("turf", "conflicts"),
            out("turf", "escalations"),
            count("turf", "conflict", before=52),
            count("turf", "escalation", before=52),
        ],
    ),
    (
        "turf_war",
        "Trust starts at {:g} and climbs only slowly ({:.2f} after a year",
        lambda: [at("turf", "trust", 0), at("turf", "trust", 52)],
    ),
    (
        "turf_war",
        "influence falls from {:g} to {:.2f})",
        lambda: [cmo_influence_at_start("turf"), run("turf").cmo.influence],
    ),
    (
        "turf_war",
        "conflicts become rarer (seed 0: {:.0f} instead of {:.0f})",
        lambda: [out("turf aligned", "conflicts"), out("turf", "conflicts")],
    ),
    (
        "turf_war",
        "seed 0: {:.0f} conflicts with the liaison",
        lambda: [out("turf liaison", "conflicts")],
    ),
    (
        "best_practice",
        "(seed 0: {:.0f} k$ of coordination by week 13, against {:.0f} k$ in old_world)",
        lambda: [at("best", "coordination_cost", 13), at("old", "coordination_cost", 13)],
    ),
    (
        "best_practice",
        "(weeks {} and {} at seed 0)",
        lambda: [first("best", "governance"), first("best", "platform", "went live")],
    ),
    (
        "best_practice",
        "(seed 0: a median lead time of {:.2f} weeks at week 13, {:.2f} at the end, "
        "against {:.2f} in old_world)",
        lambda: [
            at("best", "median_lead_time", 13),
            out("best", "median_lead_time"),
            out("old", "median_lead_time"),
        ],
    ),
    (
        "best_practice",
        "shadow tools stay rare ({:.0f} at seed 0)",
        lambda: [out("best", "shadow_tools")],
    ),
    (
        "best_practice",
        "({:.1f} M$ over three years at seed 0)",
        lambda: [out("best", "coordination_cost") / 1000],
    ),
    (
        "best_practice",
        "without it, {:.0f} purchases around IT instead of {:.0f}, "
        "and a median lead time of {:.2f} weeks instead of {:.2f}",
        lambda: [
            out("best no platform", "bypasses"),
            out("best", "bypasses"),
            out("best no platform", "median_lead_time"),
            out("best", "median_lead_time"),
        ],
    ),
]


def note_text(preset: str) -> str:
    note = NOTES[preset]
    return " ".join((note.question, *note.notice, *note.try_next))


@pytest.mark.parametrize(("preset", "phrase", "numbers"), FACTS, ids=[f[1][:40] for f in FACTS])
def test_the_note_states_what_seed_0_shows(preset, phrase, numbers):
    said = phrase.format(*numbers())
    assert said in note_text(preset), f"{preset}'s note should say: {said!r}"


def test_the_direction_words_match_the_runs():
    """The words around the numbers: what rises, falls or is rarer does so at seed 0."""
    assert out("old urgent", "bypasses") > out("old", "bypasses")
    assert out("old shared tools", "bypasses") >= out("old", "bypasses"), "they do not fall"
    assert out("old meetings", "median_lead_time") > out("old", "median_lead_time"), "it rises"
    assert out("old urgent", "median_lead_time") >= out("old", "median_lead_time"), "no speed"
    assert out("new", "median_lead_time") < out("old", "median_lead_time")
    assert out("new clear", "compliance_incidents") == 0, "no compliance incident with clear rules"
    gain = {
        years: out(f"new{tag}", "campaign_velocity") - out(f"old{tag}", "campaign_velocity")
        for years, tag in ((3, ""), (5, " 260"))
    }
    assert 0 < gain[5] < gain[3], "the gain per quarter shrinks"
    assert at("turf", "trust", 52) > at("turf", "trust", 0), "trust climbs in turf_war"
    assert at("best", "median_lead_time", 13) > out("best", "median_lead_time"), "speeds up"
    # The breach at seed 8 is found late (the tool was a shadow one) and trust drops that week.
    week = breach_week("old seed 8")
    assert at("old seed 8", "trust", week) < at("old seed 8", "trust", week - 1)
    assert risk_after("old seed 8", week) < risk_after("old seed 8", week - 1)


def test_the_app_guide_quotes_the_default_run():
    """docs/APP.md's example event and its lesson's weeks are those of seed 0 (and seed 8)."""
    guide = " ".join((ROOT / "docs" / "APP.md").read_text().split())
    example = re.search(r'for example "(week \d+: [^"]+)" \(`old_world`, seed 0\)', guide)
    assert example and example.group(1) in [e.text for e in run("old").events]
    around, found = first("old", "bypass", AROUND), first("old", "disclosure")
    assert f"the first purchase around IT comes in week {around}" in guide
    assert f"finds its first shadow tool only in week {found}" in guide
    assert out("old", "breaches") == 0 and "seed 0 has none in three years" in guide
    assert f"seed 8 has a shadow tool breached in week {breach_week('old seed 8')}" in guide


def test_the_about_tab_speaks_of_the_breaches_seed_0_and_seed_8_show():
    from cxo_sim.appkit.about import SECTIONS

    text = " ".join(" ".join(lines) for _, lines in SECTIONS)
    assert out("old", "breaches") == 0 and "seed 0 has none in three years" in text
    assert f"seed 8 has one in week {breach_week('old seed 8')}" in text
