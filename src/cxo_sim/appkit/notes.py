"""Teaching notes for each preset: the question, things to notice, things to try.

Each note follows the patterns the model is built to reproduce (docs/ODD.md section 9), so what a
class is told to look for is what the model shows on most seeds, not on every one: a single
run is one possible history, and the Compare tab averages over several.

Covered by ``tests/app/test_app_parts.py``.
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
            "buying a tool 'around IT after waiting N weeks': the gate it cannot open.",
            "Purple tiles on marketing's side of the picture are shadow tools. IT cannot patch, "
            "monitor or retire what it does not know exists.",
            "The Spend panel's title gives the share of martech money spent on shadow tools; "
            "surveys put 30-50% of technology spend outside IT.",
            "A breach in a shadow tool is found late and costs more. Watch trust drop after it, "
            "and the CIO tighten: slower reviews and longer waits (though its closer scans also "
            "deter some purchases around IT).",
        ),
        try_next=(
            "Set cmo_speed to 1.0 (a CMO who wants everything this week) and press Reset: more "
            "bypasses, more shadow tools? Under IT's rights the CMO decides nothing, so its "
            "urgency buys little speed; try it again with budget_owner = cmo.",
            "Turn on shared_tools: purchases around IT become visible (amber) instead of shadow.",
            "Set meeting_interval to 2: at each meeting shadow tools are disclosed and the "
            "backlog is re-prioritised.",
            "On the Compare tab, put old_world against new_world over 10 seeds.",
        ),
    ),
    "new_world": TeachingNote(
        question="What if marketing holds the martech budget and the CIO only advises?",
        notice=(
            "Lead time is about three quarters of a week shorter than in old_world: marketing "
            "no longer waits for a gate or an IT release, and about one more campaign a quarter "
            "launches over three years. Run it for 260 weeks: once the budget is spent each "
            "year, campaigns wait for money, the gain in launches shrinks and the extra spend "
            "grows.",
            "Tools multiply: more redundant tools, and amber tiles (known to IT but never "
            "reviewed), because an impatient CMO skips the advisory review.",
            "Breach risk moves rather than grows: marketing's open purchases are never "
            "reviewed or monitored, but there are few shadow tools left, so expected breaches "
            "are about those of old_world. Breaches are rare, so one run may show none.",
        ),
        try_next=(
            "Set data_governance to clear: breaches and compliance incidents fall, and data "
            "access is no slower once the rules are set up.",
            "Turn on the liaison: fewer conflicts and faster campaigns; does it cut redundant "
            "tools too, or do marketers turn down the tools it points them to?",
            "Compare new_world with old_world: which would you pick, sooner campaigns or fewer "
            "breaches and less spend? Is there a configuration that gets both?",
        ),
    ),
    "combined_role": TeachingNote(
        question="What if one person holds both the CIO and the CMO titles?",
        notice=(
            "No executive conflicts: there is nobody to fight with. But decisions are not "
            "quicker than two executives sharing the budget: one person's hours bind already.",
            "One person's attention is finite: when requests pile up, decisions queue and "
            "marketers, expecting long waits, buy around IT.",
            "The executive's preferences are a blend of a CIO's and a CMO's.",
        ),
        try_next=(
            "Lower exec_attention to 2 hours a week, or raise idea_rate: watch lead time "
            "and bypasses climb as decisions queue.",
            "Raise n_marketers to 60: does the combined role scale with the organisation?",
            "Compare combined_role with turf_war: no conflict, but at what price?",
        ),
    ),
    "turf_war": TeachingNote(
        question="What does a shared budget do when the two executives do not trust each other?",
        notice=(
            "Both must agree on every purchase: disagreements become conflicts, stalemates go "
            "to the CEO (escalations), and trust falls further.",
            "Delays breed bypasses: marketing buys around IT while the two argue. In one "
            "survey, 75% of firms with shared funding reported budget-agreement delays.",
            "The CEO sides with whoever has more influence: watch the circles change size.",
        ),
        try_next=(
            "Raise alignment to 0.6: each executive weighs the other's goals, and conflicts "
            "become rarer.",
            "Set meeting_interval to 2, or turn on the liaison, who mediates conflicts (one "
            "person, so the liaison saturates when there are too many).",
            "Raise initial_trust to 0.7 and press Reset: does trust stay high?",
        ),
    ),
    "best_practice": TeachingNote(
        question="Can the whole bundle of practices buy speed and safety at once?",
        notice=(
            "The first months are slower: IT is building the self-serve platform and setting "
            "up clear data governance. The log says when each goes live.",
            "Then campaigns speed up while shadow tools stay rare and breaches few: compare "
            "with old_world on the Compare tab.",
            "Coordination cost is not zero: meetings, the liaison, the platform and embedded "
            "engineers all cost money and time.",
        ),
        try_next=(
            "Switch practices off one at a time and press Reset: which one matters most here?",
            "Set meeting_interval to 1 (weekly) and then to 2: does a weekly meeting settle "
            "twice what a fortnightly one does? (Each meeting's agenda holds only so much.)",
            "Turn off mixed_teams: over 120 seeds, the bundle's net value rises by about 1.3 M$ "
            "(docs/ODD.md 9.6): doing everything is not the best design.",
            "Turn off self_serve_platform: is the platform worth its build time?",
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
