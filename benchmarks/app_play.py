"""Frames a class sees while the teaching app plays, with several browser sessions at once.

    .venv/bin/python benchmarks/app_play.py                   # 3 sessions, 52 weeks, 2 rounds
    .venv/bin/python benchmarks/app_play.py --sessions 1 --pace "as fast as it can draw"

A benchmark, not a test: it prints numbers and fails on nothing. It serves the app with
`cxo-sim app` (the helper the browser tests use), opens ``--sessions`` pages in Debian's
Chromium, each in its own browser context (its own cookie, so its own server session), sets
"stop at week" to ``--weeks`` and the Play speed to ``--pace``, and presses Play in every session
one after the other. Each page records every week its status line shows, read once per painted
frame (``browser.FRAME_RECORDER``). Per session it prints the frames shown (distinct weeks
drawn), frames per second, the weeks between consecutive frames (1 means no week skipped), and
the seconds to the last week. Issue 21 asked for this count: the old benchmark timed only "week
52 reached", which a fast-forward showing three frames passed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "app"))

from browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    frames_shown,
    record_frames,
    served_app,
)

from cxo_sim.appkit.controller import DEFAULT_PACE, PACES  # noqa: E402

TIMEOUT_MS = 600_000


def open_session(browser, url: str, weeks: int, pace: str):
    """A page of the app in a context of its own, set to stop at ``weeks`` at ``pace``."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    page.locator(".cxo-status").wait_for(timeout=TIMEOUT_MS)
    field = page.locator(".cxo-box-stop input")
    field.fill(str(weeks))
    field.press("Enter")
    page.wait_for_function(
        "document.querySelector('.cxo-stop-caption').innerText.includes('pauses at week')",
        timeout=TIMEOUT_MS,
    )
    if pace != DEFAULT_PACE:
        page.locator(".cxo-pace").click()
        page.locator(".menuable__content__active .v-list-item", has_text=pace).first.click()
    record_frames(page)
    return page


def play_round(browser, url: str, sessions: int, weeks: int, pace: str) -> list[dict]:
    """Play ``weeks`` weeks in ``sessions`` sessions at once; what each session showed."""
    pages = [open_session(browser, url, weeks, pace) for _ in range(sessions)]
    started = []
    for page in pages:
        page.get_by_role("button", name="▶").click()
        started.append(time.monotonic())
    results = []
    for page, start in zip(pages, started, strict=True):
        page.wait_for_function(
            f"document.querySelector('.cxo-status').innerText.includes('Week {weeks} of')",
            timeout=TIMEOUT_MS,
            polling=100,
        )
        seconds = time.monotonic() - start
        shown = [(t, week) for t, week in frames_shown(page) if week > 0]
        gaps = [b - a for (_, a), (_, b) in zip(shown, shown[1:], strict=False)]
        span = (shown[-1][0] - shown[0][0]) / 1000 if len(shown) > 1 else 0.0
        results.append(
            {
                "frames": len(shown),
                "fps": (len(shown) - 1) / span if span > 0 else float("nan"),
                "mean_gap": statistics.fmean(gaps) if gaps else float("nan"),
                "max_gap": max(gaps, default=0),
                "seconds": seconds,
            }
        )
    for page in pages:
        page.context.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pace", choices=list(PACES), default=DEFAULT_PACE)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")
    everyone = []
    with tempfile.TemporaryDirectory() as folder:
        with served_app(Path(folder) / "server.log") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for round_ in range(1, args.rounds + 1):
                    results = play_round(browser, url, args.sessions, args.weeks, args.pace)
                    everyone += results
                    for i, r in enumerate(results, 1):
                        print(
                            f"round {round_}, session {i}: {r['frames']} frames for "
                            f"{args.weeks} weeks, {r['fps']:.1f} frames/s, weeks between "
                            f"frames {r['mean_gap']:.2f} (at most {r['max_gap']}), "
                            f"{r['seconds']:.1f} s"
                        )
            finally:
                browser.close()
    print(
        f"median over {len(everyone)} sessions ({args.sessions} at once, {args.pace}): "
        f"{statistics.median(r['frames'] for r in everyone):.0f} frames for {args.weeks} weeks, "
        f"{statistics.median(r['fps'] for r in everyone):.1f} frames/s, "
        f"{statistics.median(r['mean_gap'] for r in everyone):.2f} weeks between frames, "
        f"{statistics.median(r['seconds'] for r in everyone):.1f} s; "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
