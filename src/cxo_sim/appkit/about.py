"""The model's description in the app, in the sections of NetLogo's Info tab.

What it is, how it works, how to use it, things to notice, things to try, extending the model,
credits and references: written for the app's users, pointing to the ODD description
(docs/ODD.md) for everything exact. Nothing here states a model number (those live in the ODD and
the registry), so the text stays true when the model is recalibrated. Plain HTML, not Markdown:
Solara's Markdown loads KaTeX from a CDN.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import html

import solara

from cxo_sim.params import GROUP_TITLES, GROUPS
from cxo_sim.presets import PRESETS

ODD = "docs/ODD.md"

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "What is it?",
        (
            "An agent-based model of the conflict between a chief information officer (CIO) and "
            "a chief marketing officer (CMO) over marketing technology (martech): who decides "
            "which tools marketing gets, how fast, and at what risk. It shows how decision "
            "rights, the two executives' preferences and collaboration practices shape tool "
            "sprawl, shadow IT, breaches, campaign speed, spending and the executives' trust.",
            "It is a model for exploring and teaching a theory, not a forecast: the practices "
            f"act through mechanisms with costs, and their sizes are modelling choices ({ODD}, "
            "section 1, Purpose and patterns).",
        ),
    ),
    (
        "How it works",
        (
            "Each step is one week. Marketers have campaign ideas; a campaign needs "
            "capabilities (email, analytics, a customer data platform ...), and a marketer who "
            "lacks one asks for a tool. Whoever holds the decision rights (the CIO, the CMO, "
            "both, or one executive holding both titles) weighs each request by cost, risk and "
            "speed, with each executive's own appetite for each.",
            "IT's engineers review, integrate and patch tools. A marketer who waits too long "
            "may buy a tool around IT: a shadow tool that IT cannot patch or monitor. Tools can "
            "be breached; a breach found late costs more, and every breach, conflict or bypass "
            "moves the trust between the two executives, which in turn changes how they decide: "
            "the feedback loops of the model.",
            "Practices (meetings, a liaison, mixed teams, shared tools, data governance, a "
            "self-serve platform, pilots) each act through one mechanism and each has a cost. "
            f"The schedule is in {ODD} section 3 (Process overview and scheduling), the loops "
            "in section 4 (Design concepts), every process in section 7 (Submodels).",
        ),
    ),
    (
        "How to use it",
        (
            "Pick a preset at the top of the sidebar, press Reset, then Step (the weeks per "
            "Step slider sets how far) or Play. Play stops at 'weeks to run'.",
            "The controls are grouped as "
            + ", ".join(GROUP_TITLES[g] for g in GROUPS)
            + ". Drag a slider or type an exact value in the box beside it (the box takes the "
            "full range, the slider a range for class). A change takes effect on Reset; the "
            "sidebar lists what differs from the preset, and 'Copy as --set / TOML' gives the "
            "command line that repeats your run.",
            "The seed fixes the chance events: the same settings and seed give the same "
            "history. One run is one possible history: the Compare tab runs two configurations "
            "on the same seeds and shows the differences with their 95% intervals.",
        ),
    ),
    (
        "Things to notice",
        (
            "Purple tiles in the picture are shadow tools; amber ones are known to IT but never "
            "reviewed. Watch where they appear and what happens after a breach (breaches are "
            "rare: seed 0 has none in three years; seed 8 has one in week 90).",
            "The event log says why things happen: a purchase made around IT after waiting, a "
            "conflict sent to the CEO, a practice going live. Click a chart at a week and 'Why "
            "did this move?' lists that week's events and the mechanisms they set off.",
            "Gains have prices: faster campaigns often come with more tools and more breaches, "
            "and every practice costs coordination money.",
        ),
    ),
    (
        "Things to try",
        (
            "Each preset has its own questions in the Teaching notes tab: "
            + ", ".join(PRESETS)
            + ".",
            "Change one control at a time and press Reset, then compare the change with the "
            "original on the Compare tab: a difference that survives several seeds is the "
            "configuration's, not luck's.",
            "Make the organisation bigger (more marketers) and see which practices scale.",
        ),
    ),
    (
        "Extending the model",
        (
            "Every parameter is declared once, in src/cxo_sim/params.py: add one there and the "
            "app, the command line and the experiment files see it. Each process is a function "
            f"named in {ODD} section 7.",
            "Experiment files (experiments/*.toml) ask what-if questions over many seeds: "
            "cxo-sim sweep runs them and cxo-sim report writes a report with confidence "
            "intervals. cxo-sim params lists every parameter.",
        ),
    ),
    (
        "Credits and references",
        (
            "cxo-sim, an open-source model built on Mesa (Python agent-based modelling) and "
            "served with Solara. The model is described with the ODD protocol (Grimm et al. "
            "2020, 'The ODD protocol for describing agent-based and other simulation models: a "
            f"second update', JASSS 23(2) 7) in {ODD}, which cites the articles and published "
            "figures behind every default.",
            "The sections of this page follow the Info tab of NetLogo models (Wilensky 1999, "
            "NetLogo, Center for Connected Learning, Northwestern University).",
        ),
    ),
)


def about_html() -> str:
    """Every section as HTML: a heading and its paragraphs (texts escaped)."""
    parts = []
    for title, paragraphs in SECTIONS:
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        parts.append(f"<h3>{html.escape(title)}</h3>{body}")
    return "".join(parts)


@solara.component
def AboutModel():
    """The model's description, in NetLogo's Info-tab sections."""
    solara.HTML(tag="div", unsafe_innerHTML=about_html(), classes=["cxo-about"])
