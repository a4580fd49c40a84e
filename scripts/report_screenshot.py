"""The first screen of a report at a projector's 1024x768, as a PNG for the docs.

    .venv/bin/python scripts/report_screenshot.py                      # budget-ownership
    .venv/bin/python scripts/report_screenshot.py results/practices/report.html out.png

Opens the self-contained report file in Debian's Chromium (driven by Playwright, as the app's
browser tests do; no browser is downloaded, no network is used) and saves what a class sees
before scrolling. scripts/regenerate-results.sh runs it after the reports, so the picture in
docs/ follows the report. Covered by ``tests/analysis/test_report_screenshot.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "app"))

from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

REPORT = ROOT / "results" / "budget-ownership" / "report.html"
SCREENSHOT = ROOT / "docs" / "report-1024x768.png"
SIZE = {"width": 1024, "height": 768}


def shoot(report: Path, out: Path) -> Path:
    """Save the first 1024x768 screen of ``report`` to ``out``; refuse any request off the file."""
    from playwright.sync_api import sync_playwright

    asked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=SIZE)
            page.on("request", lambda request: asked.append(request.url))
            page.goto(report.resolve().as_uri(), wait_until="load")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=False)
        finally:
            browser.close()
    outside = [url for url in asked if not url.startswith(("file:", "data:"))]
    if outside:
        raise RuntimeError(f"the report asked for more than its own file: {outside}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Shoot the report named (budget-ownership's by default); a bad path is exit 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default=str(REPORT), help="a report.html")
    parser.add_argument("out", nargs="?", default=str(SCREENSHOT), help="the PNG to write")
    args = parser.parse_args(argv)
    report = Path(args.report)
    if not report.is_file():
        print(f"report_screenshot: {report}: no such report (run cxo-sim report)", file=sys.stderr)
        return 2
    if not CHROMIUM.exists():
        print(
            f"report_screenshot: {CHROMIUM} is missing: install Debian's chromium", file=sys.stderr
        )
        return 2
    print(f"wrote {shoot(report, Path(args.out))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
