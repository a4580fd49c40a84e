"""Teaching notes for each preset: the question, things to notice, things to try.

Each note follows the patterns the model is built to reproduce (docs/ODD.md section 9), and what
a class is told to look for is what the app's default run, seed 0, shows, with its numbers (a
claim about the average over seeds says so): a single run is one possible history, and the
Compare tab averages over several. ``tests/app/test_notes_seed0.py`` runs seed 0 and holds every
number here to it.

Covered by ``tests/app/test_app_parts.py`` and ``tests/app/test_notes_seed0.py``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import solara

from cxo_sim.presets import PRESET_DESCRIPTIONS, PRESETS


@dataclass(frozen=True)
class TeachingNote:
    """What to discuss with a preset.

    Attributes:
        question: the question the preset puts to the class.
        notice: things to watch for while it runs.
        try_next: changes to make and what to look for after them.
    """

    question: str
    notice: tuple[str, ...]
    try_next: tuple[str, ...]


NOTES: dict[str, TeachingNote] = {
    "old_world": TeachingNote(
        question="What happens when IT holds the keys to every marketing tool?",
        notice=(
            "Requests wait for IT's security review. In the event log, look for marketing "
            "buying a tool 'around IT after waiting N weeks': the gate it cannot open (at seed 0 "
            "the first is in week 18, and two come in the first year).",
            "Purple tiles on marketing's side of the picture are shadow tools (18 after three "
            "years at seed 0). IT cannot patch, monitor or retire what it does not know exists; "
            "its discovery finds a few, late (the first in week 55 at seed 0).",
            "The Spend panel's title gives the share of martech money spent on shadow tools "
            "(37.0 % after three years at seed 0); surveys put 30-50% of technology spend "
            "outside IT.",
            "Breaches are rare: seed 0 has none in three years. Set the seed to 8 and press "
            "Reset: in week 90 a shadow tool is breached and found late, trust drops (0.58 to "
            "0.55 that week) and the CIO tightens its risk tolerance (0.2 to 0.08, then back "
            "slowly): slower reviews and longer waits (though its closer scans also deter some "
            "purchases around IT).",
        ),
        try_next=(
            "Set cmo_speed to 1.0 (a CMO who wants everything this week) and press Reset: more "
            "bypasses, more shadow tools? (Seed 0: 35 purchases around IT instead of 26, 24 "
            "shadow tools instead of 18.) Under IT's rights the CMO decides nothing, so its "
            "urgency buys no speed (a median lead time of 2.29 weeks instead of 2.00); try it "
            "again with budget_owner = cmo (1.86 weeks).",
            "Turn on shared_tools: marketers find IT's tools on the common board more often, "
            "and a buyer around IT may post the purchase there (amber) instead of hiding it. At "
            "seed 0, tech spend falls by about 2.4 M$ and conflicts fall (8 instead of 34), yet "
            "purchases around IT do not (27 against 26) and more shadow tools are left at the "
            "end (20 instead of 18): one seed is one history; does the shadow spend share fall "
            "on Compare over 10 seeds?",
            "Set meeting_interval to 2: at each meeting shadow tools may be disclosed and the "
            "backlog is re-prioritised. At seed 0 conflicts fall (19 instead of 34) and tech "
            "spend by about 2.0 M$, but IT learns of no more shadow tools (4 either way) and the "
            "median lead time rises (2.22 weeks instead of 2.00): why might it?",
            "On the Compare tab, put old_world against new_world over 10 seeds.",
        ),
    ),
    "new_world": TeachingNote(
        question="What if marketing holds the martech budget and the CIO only advises?",
        notice=(
            "Lead time is shorter than in old_world (1.35 weeks against 2.00 at seed 0): "
            "marketing no longer waits for a gate or an IT release, and more campaigns launch "
            "each quarter over three years (19.3 against 17.1 at seed 0). Run it for 260 weeks: "
            "once the budget is spent each year, campaigns wait for money, the gain per quarter "
            "shrinks (seed 0: 1.4 more campaigns a quarter than old_world over five years, 2.2 "
            "over three) and the extra spend grows (1.3 M$ in five years, 0.7 M$ in three).",
            "Tools multiply: more redundant tools (25 against 14 at seed 0), and amber tiles "
            "(32 known to IT but never reviewed, against 1), because an impatient CMO skips the "
            "advisory review.",
            "Breach risk moves rather than grows: marketing's open purchases are never "
            "reviewed or monitored, but there are few shadow tools left (one at seed 0), so "
            "expected breaches are about those of old_world. Breaches are rare: seed 0 shows "
            "none.",
        ),
        try_next=(
            "Set data_governance to clear: on average breaches and compliance incidents fall "
            "(seed 0: no compliance incident instead of two), and data access is no slower once "
            "the rules are set up.",
            "Turn on the liaison: fewer conflicts and faster campaigns (seed 0: 2 conflicts "
            "instead of 9, 21.0 campaigns a quarter instead of 19.3); does it cut redundant "
            "tools too (23 against 25 at seed 0), or do marketers turn down the tools it points "
            "them to?",
            "Compare new_world with old_world: which would you pick, sooner campaigns or fewer "
            "breaches and less spend? Is there a configuration that gets both?",
        ),
    ),
    "combined_role": TeachingNote(
        question="What if one person holds both the CIO and the CMO titles?",
        notice=(
            "No executive conflicts: there is nobody to fight with. But decisions are not "
            "quicker than two executives sharing the budget: one person's hours bind already "
            "(seed 0: a median lead time of 2.22 weeks, against 2.10 for old_world with "
            "budget_owner = shared).",
            "One person's attention is finite: when requests pile up, decisions queue and "
            "marketers, expecting long waits, buy around IT (29 times in three years at "
            "seed 0).",
            "The executive's preferences are a blend of a CIO's and a CMO's.",
        ),
        try_next=(
            "Lower exec_attention to 2 hours a week: decisions queue, fewer campaigns launch "
            "and more is bought behind IT's back (seed 0: 171 campaigns instead of 204, 21 "
            "shadow tools instead of 16).",
            "Raise n_marketers to 60: does the combined role scale with the organisation?",
            "Compare combined_role with turf_war: no conflict, but at what price?",
        ),
    ),
    "turf_war": TeachingNote(
        question="What does a shared budget do when the two executives do not trust each other?",
        notice=(
            "Both must agree on every purchase: disagreements become conflicts and stalemates "
            "go to the CEO (seed 0: 26 conflicts and 13 escalations in three years, 13 and 7 of "
            "them in the first year, while trust is low). Trust starts at 0.2 and climbs only "
            "slowly (0.46 after a year at seed 0), as the interactions that go well outweigh "
            "the conflicts.",
            "Delays breed bypasses: marketing buys around IT while the two argue. In one "
            "survey, 75% of firms with shared funding reported budget-agreement delays.",
            "The CEO sides with whoever has more influence: watch the circles change size (at "
            "seed 0 the CMO's influence falls from 0.5 to 0.43).",
        ),
        try_next=(
            "Raise alignment to 0.6: each executive weighs the other's goals, and conflicts "
            "become rarer (seed 0: 3 instead of 26).",
            "Set meeting_interval to 2, or turn on the liaison, who mediates conflicts (one "
            "person, so the liaison saturates when there are too many; seed 0: 7 conflicts "
            "with the liaison).",
            "Raise initial_trust to 0.7 and press Reset: does trust stay high?",
        ),
    ),
    "best_practice": TeachingNote(
        question="Can the whole bundle of practices buy speed and safety at once?",
        notice=(
            "The practices cost from the first week (seed 0: 252 k$ of coordination by week "
            "13, against 7 k$ in old_world) while IT sets up clear data governance and builds "
            "the self-serve platform; the log says when each goes live (weeks 18 and 29 at "
            "seed 0).",
            "Then campaigns speed up (seed 0: a median lead time of 1.74 weeks at week 13, 1.38 "
            "at the end, against 2.00 in old_world) while shadow tools stay rare (1 at seed 0) "
            "and breaches few: compare with old_world on the Compare tab.",
            "Coordination cost is not zero (3.2 M$ over three years at seed 0): meetings, the "
            "liaison, the platform and embedded engineers all cost money and time.",
        ),
        try_next=(
            "Switch practices off one at a time and press Reset: which one matters most here?",
            "Set meeting_interval to 1 (weekly) and then to 2: does a weekly meeting settle "
            "twice what a fortnightly one does? (Each meeting's agenda holds only so much.)",
            "Turn off mixed_teams: over 120 seeds, the bundle's net value rises by about 1.3 M$ "
            "(docs/ODD.md 9.6): doing everything is not the best design.",
            "Turn off self_serve_platform: is the platform worth its build time? (Seed 0: "
            "without it, 24 purchases around IT instead of 1, and a median lead time of 1.84 "
            "weeks instead of 1.38.)",
        ),
    ),
}
assert set(NOTES) == set(PRESETS), "every preset needs a teaching note"

HOW_TO = (
    "Pick a preset, press Reset, then Step (one week) or Play. Change any control and press "
    "Reset to run the organisation you made; the seed fixes the chance events, so the same "
    "settings and seed give the same history."
)


@solara.component
def TeachingNotes(preset: str):
    """The note of ``preset``, then the notes of the other presets, collapsed."""
    NoteCard(preset, expanded=True)
    solara.Text("Other presets", classes=["cxo-subtitle"])
    for name in NOTES:
        if name != preset:
            with solara.Details(summary=f"{name}: {NOTES[name].question}"):
                NoteCard(name, expanded=False)


def note_html(preset: str, with_title: bool = True) -> str:
    """One preset's note as HTML: the question, things to notice, things to try.

    Plain HTML rather than ``solara.Markdown``, whose front end loads KaTeX from the CDN.
    """
    note = NOTES[preset]
    title = f"<h2>{html.escape(preset)}: {html.escape(note.question)}</h2>" if with_title else ""
    notice = "".join(f"<li>{html.escape(line)}</li>" for line in note.notice)
    try_next = "".join(f"<li>{html.escape(line)}</li>" for line in note.try_next)
    return (
        f"{title}<p><i>{html.escape(PRESET_DESCRIPTIONS[preset])}.</i></p>"
        f"<h4>Things to notice</h4><ul>{notice}</ul>"
        f"<h4>Things to try</h4><ul>{try_next}</ul>"
    )


@solara.component
def NoteCard(preset: str, expanded: bool):
    """One preset's note, with its title when ``expanded``."""
    solara.HTML(tag="div", unsafe_innerHTML=note_html(preset, expanded), classes=["cxo-note"])
