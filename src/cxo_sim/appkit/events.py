"""The event log: what happened, in plain words, newest first; and "why did this move?".

"Why did this move?" takes a week (from its slider, or a click on a chart) and lists what the
headline series did in it and the events behind it, each with the chain of mechanisms it sets
off (docs/ODD.md section 7), read from the events' kinds (and whether the tool was a shadow one),
never from their wording.

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

# What each kind of event sets off, as the model does it (docs/ODD.md section 7). A breach's
# chain depends on whether IT knew the tool (``Event.shadow``).
CHAINS = {
    "bypass": "marketing judged waiting for IT worth less than buying now (7.6) -> a tool IT "
    "does not know: unreviewed, unpatched, unwatched (7.11) -> if IT's discovery finds it, "
    "trust falls (7.2, 7.12)",
    "skip_review": "under its own rights marketing bought before IT's review (7.7) -> an "
    "unreviewed tool with a broad integration scope (7.11)",
    "conflict": "the two executives disagreed (7.7) -> an interaction that went badly: trust "
    "falls (7.12) -> marketers expect less of IT and go around it sooner (7.6)",
    "escalation": "a stalemate went to the CEO (7.7) -> hours from both executives -> next week "
    "the CEO sides with the more influential one; the other is overruled and trust falls (7.12)",
    "disclosure": "a shadow tool became known to IT (7.2) -> IT can review, patch and watch it; "
    "if it duplicates one of IT's, it may be retired, with migration work (7.14)",
    "compliance": "customer data was used against the rules (7.5) -> a compliance incident "
    "and its cost (7.15)",
    "emerging": "a new capability appeared (7.1) -> marketers' ideas start to need it, and "
    "requests for tools nobody has reviewed follow (7.3)",
    "obsolete": "a capability goes out of use (7.1) -> fewer ideas need it; its tools go idle "
    "and become candidates for retirement (7.14)",
    "pilot": "a pilot's verdict (7.13): scaled up after a full review, or the capability "
    "dropped -> ideas that need a dropped capability are forgone",
    "platform": "the self-serve platform changed (7.10) -> mainstream capabilities come as "
    "modules, with no decision, review or release",
    "governance": "clear data rules went live (7.5) -> pre-approved data paths for the tools "
    "IT knows",
}
BREACH_CHAINS = {
    True: "a shadow tool was breached (7.11) -> found late, so it costs more -> marketing is "
    "blamed: trust falls (7.12) -> the CIO tightens its risk tolerance for a while (7.11)",
    False: "a tool IT knows was breached (7.11) -> the CIO is blamed: its influence falls "
    "(7.12) -> it tightens its risk tolerance for a while (7.11)",
}
# The weekly series "why did this move?" reads, with the words for them.
MOVED = {
    "shadow_tools": "shadow tools",
    "tool_count": "tools",
    "breaches": "breaches",
    "campaigns_launched": "campaigns launched",
    "trust": "trust",
    "conflicts": "conflicts",
    "tech_spend": "tech spend (k$)",
}


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


def chain(event) -> str:
    """The chain of mechanisms an event sets off (its kind's; a breach's by ``shadow``)."""
    if event.kind == "breach":
        return BREACH_CHAINS[bool(event.shadow)]
    return CHAINS.get(event.kind, "")


def why_lines(model, week: int) -> tuple[list[str], list[tuple[str, str]]]:
    """What the headline series did in ``week``, and its events with their chains."""
    series = model.datacollector.get_model_vars_dataframe()
    moves = []
    if 1 <= week < len(series):  # row w holds the state after week w (row 0: the start)
        now, before = series.iloc[week], series.iloc[week - 1]
        for name, words in MOVED.items():
            if name not in series:
                continue
            change = float(now[name]) - float(before[name])
            if abs(change) > 1e-9:
                moves.append(f"{words} {change:+.3g}")
    events = [(e.text, chain(e)) for e in model.events if e.week == week]
    return moves, events


def why_html(model, week: int) -> str:
    """The answer to "why did this move?" for ``week``, as HTML (texts escaped)."""
    moves, events = why_lines(model, week)
    moved = "; ".join(moves) if moves else "no headline series moved"
    items = "".join(
        f"<li>{html.escape(text)}<br><span class='cxo-chain'>{html.escape(why)}</span></li>"
        for text, why in events
    )
    if not events:
        items = "<li>No event this week: what moved came from the weekly routine (upkeep, "
        items += "patching, drifting demand).</li>"
    return f"<p>Week {week}: {html.escape(moved)}.</p><ul class='cxo-why'>{items}</ul>"


@solara.component
def WhyDidThisMove(model, chosen: solara.Reactive[int] | None = None):
    """Pick a week: what moved in it and the events behind it, with their mechanisms.

    The week comes from the slider or, when the app passes ``chosen``, from a click on a chart
    (``OutcomeCharts``), which also opens the section; 0 means the week shown.
    """
    update_counter.get()
    own = solara.use_reactive(0)
    chosen = chosen if chosen is not None else own
    week = chosen.value if 0 < chosen.value <= model.week else model.week
    with solara.Details("Why did this move?", expand=chosen.value > 0):
        if model.week < 1:
            solara.Text("Nothing has happened yet: press Step or Play.")
            return
        solara.SliderInt("week", value=week, min=1, max=model.week, on_value=chosen.set)
        solara.HTML(tag="div", unsafe_innerHTML=why_html(model, week), classes=["cxo-why-week"])


@solara.component
def EventLog(model):
    """The newest events of ``model``, in plain words."""
    update_counter.get()
    with solara.Card("What happened", margin=0, classes=["cxo-event-card"]):
        solara.HTML(tag="div", unsafe_innerHTML=event_html(model.events), classes=["cxo-event-log"])
