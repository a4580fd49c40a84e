"""The event log: what happened, in plain words, newest first.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import html

import solara

from cxo_sim.appkit import update_counter

# Colour of the mark before an event, by kind (kinds the model does not list here are grey).
KIND_COLOURS = {
    "breach": "#d7191c",
    "compliance": "#d7191c",
    "bypass": "#5e3c99",
    "skip_review": "#e08214",
    "disclosure": "#5e3c99",
    "conflict": "#e08214",
    "escalation": "#e08214",
    "meeting": "#2ca25f",
    "platform": "#2ca25f",
    "governance": "#2ca25f",
    "pilot": "#1f77b4",
    "emerging": "#1f77b4",
}
SHOWN = 60


def event_lines(events, limit: int = SHOWN) -> list[tuple[str, str]]:
    """The newest ``limit`` events as (kind, text) pairs, newest first."""
    return [(event.kind, event.text) for event in reversed(events[-limit:])]


def event_html(events, limit: int = SHOWN) -> str:
    """The event log as an HTML list (texts escaped)."""
    if not events:
        return "<div class='cxo-events-empty'>Nothing has happened yet: press Step or Play.</div>"
    items = []
    for kind, text in event_lines(events, limit):
        colour = KIND_COLOURS.get(kind, "#888888")
        items.append(
            f"<li><span class='cxo-kind' style='background:{colour}'></span>"
            f"{html.escape(text)}</li>"
        )
    more = len(events) - limit
    tail = f"<li class='cxo-more'>... and {more} earlier events</li>" if more > 0 else ""
    return f"<ul class='cxo-events'>{''.join(items)}{tail}</ul>"


@solara.component
def EventLog(model):
    """The newest events of ``model``, in plain words."""
    update_counter.get()
    with solara.Card("What happened", margin=0, classes=["cxo-event-card"]):
        solara.HTML(tag="div", unsafe_innerHTML=event_html(model.events), classes=["cxo-event-log"])
