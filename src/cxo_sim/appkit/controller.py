"""Reset, Play and Step: the run controls, with Play's redraws throttled by time.

Mesa's ``ModelController`` redraws after every Play tick, so Play costs a full redraw of the
charts and the picture (tenths of a second each) per week, and three tabs playing at once on one
server share one Python process. Here the play interval and the render interval are separate:
Play advances a week every ``PLAY_SECONDS`` and redraws only when ``REDRAW_SECONDS`` (or twice
the server's last redraw time, whichever is longer) have passed since the last redraw finished,
and at the end: the weeks keep their pace however long a redraw takes, and a busy server draws fewer
intermediate pictures instead of playing slower. Step advances the chosen number of weeks and
redraws once.

Like Mesa's controller, it redraws through Mesa's ``update_counter`` (``force_update``), so the
views written for SolaraViz work unchanged; Reset rebuilds the model as
``ClassroomModel(**settings)``; a setting the model refuses is said in words, and the run stays.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import reacton.core
import solara
import solara.lab

from cxo_sim.appkit import force_update, update_counter

# Seconds between weeks while playing: 52 weeks in about 1.6 s plus the redraws.
PLAY_SECONDS = 0.03
# Seconds from the end of one redraw to the next while playing, at least.
REDRAW_SECONDS = 0.5
# ... and at least this many times as long as the last redraw took.
REDRAW_SHARE = 2.0


class RedrawTimer:
    """How long the server's last redraw took, in seconds: how busy it is.

    One per server process, shared by every tab, because the tabs share the process: when one
    tab's redraw is slow, the others' will be too, and Play should know before its first one.
    """

    def __init__(self) -> None:
        self.last = 0.0

    def wait(self) -> float:
        """Seconds of playing before the next redraw."""
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
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    timer: RedrawTimer = SERVER_REDRAWS,
) -> int:
    """Step ``model`` a week at a time while ``still_playing()`` and it runs; redraw by time.

    A slow redraw (a busy server) waits longer for the next: drawing takes at most a third of
    Play's time, and the weeks keep their pace.

    Returns:
        The number of redraws (the last one shows the week Play stopped at).
    """
    redraws = 0
    last = clock()
    while still_playing() and model.running:
        sleep(PLAY_SECONDS)
        model.step()
        if clock() - last >= timer.wait():
            last = timer.timed(redraw, clock)
            redraws += 1
    timer.timed(redraw, clock)
    return redraws + 1


@solara.component
def PlayController(
    model: solara.Reactive[Any],
    settings: solara.Reactive[dict[str, Any]],
    step_weeks: int,
):
    """The Reset, Play/Pause and Step buttons of ``model``."""
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
        if playing.value:
            play(model.value, lambda: playing.value, redraw)
            playing.set(False)

    task = solara.lab.use_task(run, dependencies=[playing.value], prefer_threaded=True)

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
    with solara.Row(justify="space-between"):
        solara.Button(label="Reset", color="primary", on_click=reset)
        solara.Button(
            label="❚❚" if playing.value else "▶",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=not running,
        )
        solara.Button(
            label="Step", color="primary", on_click=step, disabled=playing.value or not running
        )
    if error.value:
        solara.Error(error.value, dense=True)
    if task.error:
        solara.Error(f"Play stopped: {task.exception}", dense=True)
