"""Serving the app and driving Debian's Chromium: shared by the browser tests and the Play
benchmark (``benchmarks/app_play.py``).

Playwright drives /usr/bin/chromium; no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

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
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
START_TIMEOUT = 90
# Records every week the status line shows, read once per frame the browser paints
# (requestAnimationFrame): ``window.cxoFrames`` holds [milliseconds, week] per change.
FRAME_RECORDER = """
window.cxoFrames = [];
(function watch() {
  const status = document.querySelector('.cxo-status');
  const match = status && status.innerText.match(/Week (\\d+) of/);
  if (match) {
    const week = Number(match[1]);
    const frames = window.cxoFrames;
    if (!frames.length || frames[frames.length - 1][1] !== week) {
      frames.push([performance.now(), week]);
    }
  }
  requestAnimationFrame(watch);
})();
"""


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_command(port: int) -> list[str]:
    """`cxo-sim app --port PORT`, through the installed script when there is one."""
    script = Path(sys.executable).with_name("cxo-sim")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "cxo_sim.cli"]
    return [*program, "app", "--host", "127.0.0.1", "--port", str(port)]


@contextlib.contextmanager
def served_app(log_path: Path) -> Iterator[str]:
    """Serve the app with `cxo-sim app` in a subprocess; yield its URL; kill its group after.

    Raises:
        RuntimeError: the server exited or did not answer in ``START_TIMEOUT`` seconds (the
            message ends with its log).
    """
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            app_command(port), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers(url):
                if process.poll() is not None:
                    raise RuntimeError(
                        f"cxo-sim app exited with {process.returncode}:\n"
                        + log_path.read_text()[-3000:]
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"cxo-sim app did not answer in {START_TIMEOUT} s:\n"
                        + log_path.read_text()[-3000:]
                    )
                time.sleep(0.3)
            yield url
        finally:
            _stop(process)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


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


def record_frames(page) -> None:
    """Start recording the weeks ``page`` shows (see ``FRAME_RECORDER``)."""
    page.evaluate(FRAME_RECORDER)


def frames_shown(page) -> list[tuple[float, int]]:
    """(milliseconds, week) for every change of week ``page`` has shown since recording began."""
    return [(float(t), int(week)) for t, week in page.evaluate("window.cxoFrames")]


def week_shown(page) -> int:
    """The week in ``page``'s status line."""
    text = page.locator(".cxo-status").inner_text()
    return int(text.split("Week ", 1)[1].split(" ", 1)[0])
