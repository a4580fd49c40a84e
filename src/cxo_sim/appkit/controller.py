"""Reset, Play and Step: the run controls, with Play paced by the drawing.

Play steps a week only after the previous week has been drawn: each week is stepped, then the
charts, the picture and the status line are redrawn, then Play waits out the rest of the chosen
pace (``PACES``: a number of weeks a second, or "as fast as it can draw"). On a busy server a
redraw takes longer and Play goes slower; it never skips a week, so a class sees every week. Only
the fast-forward pace (the old behaviour, for a long horizon) skips: it steps a week every
``FAST_FORWARD_SECONDS`` and redraws by time, at most once every ``REDRAW_SECONDS`` (or twice the
server's last redraw time, whichever is longer), and at the end.

Pause stops at the week shown: Play checks the Pause button before each step, and a week stepped
while Pause was pressed is drawn before Play ends, so the status line always ends on the
model's week; the Play button comes back only then. "stop at week" pauses Play at that week.
Step advances the chosen number of weeks and redraws once.

Like Mesa's controller, it redraws through Mesa's ``update_counter`` (``force_update``), so the
views written for SolaraViz work unchanged; Reset rebuilds the model as
``ClassroomModel(**settings)``; a setting the model refuses is said in words, and the run stays.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reacton.core
import solara
import solara.lab

from cxo_sim.appkit import force_update, update_counter

# Fast-forward: seconds between weeks (52 weeks in about 1.6 s plus the redraws).
FAST_FORWARD_SECONDS = 0.03
# Fast-forward: seconds from the end of one redraw to the next, at least ...
REDRAW_SECONDS = 0.5
# ... and at least this many times as long as the last redraw took.
REDRAW_SHARE = 2.0


@dataclass(frozen=True)
class Pace:
    """How fast Play goes.

    Attributes:
        label: what the speed menu shows.
        weeks_per_second: the most weeks a second; None for as fast as the drawing allows.
        every_week: whether every week is drawn (False: fast-forward, redraws by time).
    """

    label: str
    weeks_per_second: float | None
    every_week: bool = True


PACES = {
    pace.label: pace
    for pace in (
        Pace("1 week a second", 1.0),
        Pace("2 weeks a second", 2.0),
        Pace("5 weeks a second", 5.0),
        Pace("10 weeks a second", 10.0),
        Pace("as fast as it can draw", None),
        Pace("fast-forward (draws some weeks)", None, every_week=False),
    )
}
DEFAULT_PACE = "5 weeks a second"


class RedrawTimer:
    """How long the server's last redraw took, in seconds: how busy it is.

    One per server process, shared by every tab, because the tabs share the process: when one
    tab's redraw is slow, the others' will be too, and fast-forward should know before its
    first one.
    """

    def __init__(self) -> None:
        self.last = 0.0

    def wait(self) -> float:
        """Seconds of fast-forward before the next redraw."""
        return max(REDRAW_SECONDS, REDRAW_SHARE * self.last)

    def timed(self, redraw: Callable[[], None], clock: Callable[[], float]) -> float:
        """Redraw, remember how long it took, and return the time it ended."""
        started = clock()
        redraw()
        ended = clock()
        self.last = ended - started
        return ended


SERVER_REDRAWS = RedrawTimer()


def play(
    model: Any,
    still_playing: Callable[[], bool],
    redraw: Callable[[], None],
    pace: Pace = PACES[DEFAULT_PACE],
    stop_at: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    timer: RedrawTimer = SERVER_REDRAWS,
) -> int:
    """Step ``model`` a week at a time while ``still_playing()``, it runs and before ``stop_at``.

    At an every-week pace each week is drawn before the next is stepped; fast-forward draws by
    time. Either way the last redraw shows the week Play stopped at.

    Args:
        model: the model (``running`` false at the horizon).
        still_playing: false once Pause is pressed; asked before every step.
        redraw: draws the model as it is now.
        pace: how fast.
        stop_at: the week to stop at (None: the horizon).
        sleep: waits (seconds).
        clock: the time (seconds).
        timer: how long redraws take on this server.

    Returns:
        The number of redraws.
    """

    def more() -> bool:
        return still_playing() and model.running and (stop_at is None or model.week < stop_at)

    if not pace.every_week:
        return _fast_forward(model, more, redraw, sleep, clock, timer)
    interval = 1.0 / pace.weeks_per_second if pace.weeks_per_second else 0.0
    redraws = 0
    while more():
        started = clock()
        model.step()
        timer.timed(redraw, clock)
        redraws += 1
        rest = interval - (clock() - started)
        if rest > 0:
            sleep(rest)
    return redraws


def _fast_forward(model, more, redraw, sleep, clock, timer) -> int:
    redraws = 0
    last = clock()
    while more():
        sleep(FAST_FORWARD_SECONDS)
        model.step()
        if clock() - last >= timer.wait():
            last = timer.timed(redraw, clock)
            redraws += 1
    timer.timed(redraw, clock)
    return redraws + 1


def stop_week(model: Any, stop_at: int | None) -> int | None:
    """The week Play stops at before the horizon: ``stop_at`` if still ahead, else None."""
    if stop_at is not None and model.week < stop_at < model.weeks:
        return stop_at
    return None


@solara.component
def PlayController(
    model: solara.Reactive[Any],
    settings: solara.Reactive[dict[str, Any]],
    step_weeks: int,
    pace: str = DEFAULT_PACE,
    stop_at: int | None = None,
):
    """The Reset, Play/Pause and Step buttons of ``model``.

    Args:
        model: the running model.
        settings: the controls' values, for Reset.
        step_weeks: weeks per Step.
        pace: a key of ``PACES``.
        stop_at: Play pauses at this week (None or past: at the horizon).
    """
    update_counter.get()
    playing = solara.use_reactive(False)
    error = solara.use_reactive(None)
    context = reacton.core.get_render_context()

    def redraw() -> None:
        # One render pass for every view: each view listening to update_counter would
        # otherwise get a pass of its own over the whole page (six passes per redraw).
        with context:
            force_update()

    def run() -> None:
        try:
            play(
                model.value,
                lambda: playing.value,
                redraw,
                PACES[pace],
                stop_week(model.value, stop_at),
            )
        finally:
            playing.set(False)

    task = solara.lab.use_task(run, dependencies=None, prefer_threaded=True)

    def start() -> None:
        playing.set(True)
        task()

    def reset() -> None:
        playing.set(False)
        try:
            # The model's own class, as Mesa's controller does (a subclass stays a subclass).
            model.set(model.value.__class__(**settings.value))
        except ValueError as exc:
            error.set(f"Reset kept the current run: {exc}")
            return
        error.set(None)

    def step() -> None:
        for _ in range(step_weeks):
            if not model.value.running:
                break
            model.value.step()
        SERVER_REDRAWS.timed(redraw, time.monotonic)

    running = model.value.running
    # Until Play's last week is drawn, the button stays Pause (greyed once pressed): the Play
    # button comes back only when the week shown is the model's week.
    busy = playing.value or task.pending
    with solara.Row(justify="space-between"):
        solara.Button(label="Reset", color="primary", on_click=reset)
        solara.Button(
            label="❚❚" if busy else "▶",
            color="primary",
            on_click=(lambda: playing.set(False)) if busy else start,
            disabled=(busy and not playing.value) or (not busy and not running),
            classes=["cxo-play"],
        )
        solara.Button(label="Step", color="primary", on_click=step, disabled=busy or not running)
    if error.value:
        solara.Error(error.value, dense=True)
    if task.error:
        solara.Error(f"Play stopped: {task.exception}", dense=True)
