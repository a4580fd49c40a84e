"""scripts/report_screenshot.py: a report's first screen at 1024x768, for docs/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "report_screenshot.py"
CHROMIUM = Path("/usr/bin/chromium")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.browser
def test_the_screenshot_is_the_first_screen_at_1024_by_768(tmp_path):
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing")
    report = tmp_path / "report.html"
    report.write_text("<!DOCTYPE html><h1>a report</h1>" + "<p>line</p>" * 200)
    done = run(str(report), str(tmp_path / "shot.png"))
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "shot.png").size == (1024, 768)


def test_a_missing_report_is_one_line_and_exit_2(tmp_path):
    done = run(str(tmp_path / "nope.html"), str(tmp_path / "shot.png"))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "no such report" in done.stderr
