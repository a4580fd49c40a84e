"""End to end: `cxo-sim app` served on localhost, driven in a real headless Chromium.

Debian's Chromium (/usr/bin/chromium) is driven by Playwright; no browser is downloaded. In CI
(CI=true) the test fails when Chromium is missing or cannot start; elsewhere it is skipped only
when /usr/bin/chromium does not exist. Every request the page makes is recorded: all must go to
the local server, which shows the app works with no internet connection.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "app-screenshot.png"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
START_TIMEOUT = 90
UI_TIMEOUT = 60_000  # ms


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_command(port: int) -> list[str]:
    """`cxo-sim app --port PORT`, through the installed script when there is one."""
    script = Path(sys.executable).with_name("cxo-sim")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "cxo_sim.cli"]
    return [*program, "app", "--host", "127.0.0.1", "--port", str(port)]


@pytest.fixture
def served_app(tmp_path):
    """The app served by `cxo-sim app` in a subprocess; killed (with its group) at the end."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        app_command(port), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"cxo-sim app exited with {process.returncode}:\n{_read(tmp_path)}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"cxo-sim app did not answer in {START_TIMEOUT} s:\n{_read(tmp_path)}")
            time.sleep(0.3)
        yield url
    finally:
        _stop(process)
        log.close()


def _read(tmp_path) -> str:
    return (tmp_path / "server.log").read_text()[-3000:]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def is_local(url: str) -> bool:
    """Whether ``url`` points at this machine (blob: and data: URLs are made by the page)."""
    if url.startswith("data:"):
        return True
    if url.startswith("blob:"):
        url = url[len("blob:") :]
    return urlsplit(url).hostname in LOCAL_HOSTS


@pytest.mark.browser
def test_app_in_headless_chromium(chromium, served_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(served_app, wait_until="networkidle")

            status = page.locator(".cxo-status")
            expect(status).to_contain_text("Week 0 of 156", timeout=UI_TIMEOUT)
            for label in ("cio_risk", "cmo_speed", "budget_owner", "meeting_interval", "liaison"):
                expect(page.get_by_text(label, exact=True).first).to_be_visible()
            charts = page.locator(".cxo-charts img")
            expect(charts).to_be_visible()
            before = charts.screenshot()

            # Change a control: the CMO becomes as impatient as can be (keyboard on the slider).
            cmo_speed = page.locator(".cxo-param", has_text="cmo_speed").get_by_role("slider")
            cmo_speed.focus()
            cmo_speed.press("End")
            expect(cmo_speed).to_have_attribute("aria-valuenow", "1")
            expect(page.get_by_text("press Reset to run with them")).to_be_visible()
            page.get_by_role("button", name="Reset", exact=True).click()
            expect(page.get_by_text("press Reset to run with them")).to_have_count(0)

            # Step: 13 weeks a click, four clicks, one year.
            per_step = page.locator(".cxo-run .cxo-step-size").get_by_role("slider")
            per_step.focus()
            per_step.press("End")
            expect(per_step).to_have_attribute("aria-valuenow", "13")
            step = page.get_by_role("button", name="Step", exact=True)
            for week in (13, 26, 39, 52):
                step.click()
                expect(status).to_contain_text(f"Week {week} of 156", timeout=UI_TIMEOUT)
            expect(page.locator(".cxo-events li").first).to_contain_text("week ")
            page.wait_for_timeout(500)
            assert charts.screenshot() != before, "the charts did not change after stepping"

            shot = tmp_path / "app-screenshot.png"
            page.screenshot(path=str(shot))
            if os.environ.get("UPDATE_SCREENSHOT"):
                shutil.copyfile(shot, SCREENSHOT)

            page.get_by_role("tab", name="Teaching notes").click()
            expect(page.locator(".cxo-note").first).to_contain_text("Things to notice")
            page.wait_for_load_state("networkidle")
        finally:
            browser.close()

    assert requests, "the page made no request at all"
    outside = sorted({url for url in requests if not is_local(url)})
    assert not outside, f"the page reached beyond localhost: {outside}"
