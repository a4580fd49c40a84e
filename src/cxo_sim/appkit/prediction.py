"""Predict, then play: what a class expects before Play, set beside what the run did.

Before Play (or Step) the class says which way four headline series will go from the week shown
(rises, falls or about the same) and may write its expectation in words. Once the run has moved
on, the prediction is locked and each series' change is read from the model's weekly series
(row ``w`` of the data collector holds the state after week ``w``) and set beside what was
predicted; "New prediction" starts again from the week shown, and Reset (a new run) clears it.

Covered by ``tests/app/test_app_parts.py`` and ``tests/app/test_app_components.py``.
"""

from __future__ import annotations

import html
from typing import Any

import solara

from cxo_sim.analysis.numbers import fmt, is_share, share_text
from cxo_sim.appkit import update_counter

# The series a class predicts before Play, with the words for them.
PLAY_PREDICTED = {
    "shadow_tools": "shadow tools",
    "trust": "trust",
    "campaign_velocity": "campaign velocity",
    "median_lead_time": "median lead time",
}
NO_GUESS = "no guess"
RISES, FALLS, SAME = "rises", "falls", "about the same"
PLAY_GUESSES = (NO_GUESS, RISES, FALLS, SAME)
# A change smaller than this share of the starting value (or, from zero, than this) is "about
# the same": a run never stays exactly level.
SAME_WITHIN = 0.05


def series_at(model: Any, name: str, week: int) -> float:
    """Series ``name`` after ``week`` weeks (week 0: at the start), from the data collector."""
    return float(model.datacollector.model_vars[name][week])


def what_it_did(before: float, after: float) -> str:
    """Rises, falls or about the same, from ``before`` to ``after``."""
    if abs(after - before) <= SAME_WITHIN * (abs(before) or 1.0):
        return SAME
    return RISES if after > before else FALLS


def _value(name: str, value: float) -> str:
    return share_text(value) if is_share(name) else fmt(value)


def prediction_lines(model: Any, start: int, guesses: dict[str, str]) -> list[str]:
    """Each predicted series from week ``start`` to the model's week, beside its prediction."""
    end = model.week
    if end <= start:
        return []
    lines, right, made = [], 0, 0
    for name, words in PLAY_PREDICTED.items():
        guess = guesses.get(name, NO_GUESS)
        if guess == NO_GUESS:
            continue
        before, after = series_at(model, name, start), series_at(model, name, end)
        did = what_it_did(before, after)
        made += 1
        right += guess == did
        mark = "right" if guess == did else "not this time"
        went = "stayed about the same" if did == SAME else did
        lines.append(
            f"{words}: {_value(name, before)} -> {_value(name, after)}, it {went}; "
            f"you said it {guess} ({mark})"
        )
    if made:
        lines.insert(0, f"From week {start} to week {end}: {right} of {made} predictions right.")
    return lines


@solara.component
def PlayPrediction(model: Any):
    """The prediction box above the live charts; after the run moves, the check beside it."""
    update_counter.get()
    # (model, week the prediction is from, guesses, words): a new model (Reset) starts afresh.
    kept = solara.use_reactive((None, 0, {}, ""))
    mine = kept.value[0] is model
    start, guesses, said = kept.value[1:] if mine else (model.week, {}, "")
    made = any(g != NO_GUESS for g in guesses.values()) or bool(said.strip())
    locked = made and model.week > start

    def keep(guess_update: dict[str, str] | None = None, words: str | None = None) -> None:
        # Until the run moves on, a prediction is about what happens from the week shown.
        new_guesses = {**guesses, **(guess_update or {})}
        kept.set((model, model.week, new_guesses, said if words is None else words))

    def again() -> None:
        kept.set((model, model.week, {}, ""))

    with solara.Card(margin=0, classes=["cxo-play-prediction"]):
        solara.Text(
            f"Before you press Play: what will each do from week {start}?"
            if not locked
            else f"Your prediction from week {start}",
            classes=["cxo-subtitle"],
        )
        with solara.Row(classes=["cxo-play-predictions"]):
            for name, words in PLAY_PREDICTED.items():
                solara.Select(
                    words,
                    values=list(PLAY_GUESSES),
                    value=guesses.get(name, NO_GUESS),
                    on_value=lambda guess, name=name: keep({name: guess}),
                    disabled=locked,
                )
        solara.InputText(
            "What do you expect, and why? (optional)",
            value=said,
            on_value=lambda text: keep(words=text),
            disabled=locked,
            classes=["cxo-play-words"],
        )
        if locked:
            lines = prediction_lines(model, start, guesses)
            items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
            if said.strip():
                items += f"<li>You wrote: {html.escape(said.strip())}</li>"
            solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["cxo-play-verdicts"])
            solara.Button("New prediction", on_click=again, text=True, classes=["cxo-again"])
