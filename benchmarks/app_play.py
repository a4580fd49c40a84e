"""Play speed of the teaching app with several browser tabs playing at once (issue 12, item 6).

    .venv/bin/python benchmarks/app_play.py                  # 3 tabs, 3 rounds
    .venv/bin/python benchmarks/app_play.py --tabs 1 --rounds 5

Serves the app with `cxo-sim app` (the same helper the browser tests use), opens ``--tabs`` pages
in Debian's Chromium, sets 52 weeks to run in each, presses Reset, then Play in every tab one
after the other, and times each tab from its Play to "Week 52 of 52" in its status line. Prints
every tab's time, the median per round, the median over rounds, and whether it is under the
target (52 weeks in under 8 s with three tabs playing).
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

from browser import CHROMIUM, CHROMIUM_ARGS, served_app  # noqa: E402

WEEKS = 52
TARGET_SECONDS = 8.0
TIMEOUT_MS = 180_000


def open_tab(browser, url: str):
    """A page of the app with 52 weeks to run, Reset pressed, ready to Play."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(url, wait_until="networkidle")
    status = page.locator(".cxo-status")
    status.wait_for(timeout=TIMEOUT_MS)
    field = page.locator(".cxo-box-weeks input")
    field.fill(str(WEEKS))
    field.press("Enter")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function(
        f"document.querySelector('.cxo-status').innerText.includes('Week 0 of {WEEKS}')",
        timeout=TIMEOUT_MS,
    )
    return page


def play_round(browser, url: str, tabs: int) -> list[float]:
    """Seconds from Play to the last week, for each of ``tabs`` tabs playing together."""
    pages = [open_tab(browser, url) for _ in range(tabs)]
    started = []
    for page in pages:
        page.get_by_role("button", name="▶").click()
        started.append(time.monotonic())
    done = f"Week {WEEKS} of {WEEKS}"
    seconds = []
    for page, start in zip(pages, started, strict=True):
        page.wait_for_function(
            f"document.querySelector('.cxo-status').innerText.includes('{done}')",
            timeout=TIMEOUT_MS,
            polling=50,
        )
        seconds.append(time.monotonic() - start)
    for page in pages:
        page.close()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    medians = []
    with tempfile.TemporaryDirectory() as folder:
        with served_app(Path(folder) / "server.log") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for round_ in range(1, args.rounds + 1):
                    seconds = play_round(browser, url, args.tabs)
                    medians.append(statistics.median(seconds))
                    shown = ", ".join(f"{s:.2f}" for s in seconds)
                    print(f"round {round_}: {args.tabs} tabs, {WEEKS} weeks: {shown} s")
            finally:
                browser.close()
    median = statistics.median(medians)
    verdict = "under" if median < TARGET_SECONDS else "OVER"
    print(
        f"median over {args.rounds} rounds: {median:.2f} s for {WEEKS} weeks with {args.tabs} "
        f"tabs playing ({verdict} the {TARGET_SECONDS:.0f} s target); "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
