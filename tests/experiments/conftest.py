"""Small experiments (few runs, few weeks) and helpers shared by the experiment tests."""

from __future__ import annotations

import hashlib
import sys
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cxo_sim.experiments.runner import sweep

# Eight configurations, three replications, 12 weeks: 24 runs of about 10 ms each.
SMALL = """
name = "small"
question = "Does a tiny grid run?"
preset = "old_world"
steps = 12
replications = 3
seed = 7
[fixed]
cmo_speed = 0.9
[factors]
budget_owner = ["cio", "cmo"]
cio_risk = { min = 0.0, max = 0.3, n = 4 }
[output]
timeseries_every = 4
"""

WriteExperiment = Callable[..., Path]


@pytest.fixture
def small_text() -> str:
    """The text of the small experiment: 8 configurations x 3 replications x 12 weeks."""
    return SMALL


@pytest.fixture
def write_experiment(tmp_path: Path) -> WriteExperiment:
    """Write TOML text (dedented) to ``tmp_path/<filename>`` and return the path."""

    def write(text: str, filename: str = "exp.toml") -> Path:
        path = tmp_path / filename
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    return write


def _snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with its content hash and modification time."""
    entries = {}
    for path in sorted(root.rglob("*")):
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        entries[str(path.relative_to(root))] = f"{content} {path.stat().st_mtime_ns}"
    return entries


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, str]]:
    """Take a snapshot of a folder tree, to show that nothing on disk changed."""
    return _snapshot


# `cxo-sim sweep` whose runs sleep a while before running the model: real results, slow
# whatever the machine, so a signal lands mid-sweep. The workers are forked from this script,
# so they run the patched function.
SLOW_SWEEP = """
import sys, time
from cxo_sim.cli import main
from cxo_sim.experiments import runner
real = runner.execute_run
def slow(run):
    time.sleep(float(sys.argv[1]))
    return real(run)
runner.execute_run = slow
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def slow_sweep() -> Callable[..., list[str]]:
    """The command of `cxo-sim sweep ARGS` whose every run first sleeps ``seconds``."""

    def command(seconds: float, *args: str) -> list[str]:
        return [sys.executable, "-c", SLOW_SWEEP, str(seconds), "sweep", *args]

    return command


def _sweep_in_threads(path: Path, out: Path, **options):
    """Sweep ``path`` into ``out`` on two threads: no processes, the same results."""
    with ThreadPoolExecutor(2) as executor:
        return sweep(path, out=out, executor=executor, progress=False, **options)


@pytest.fixture
def in_threads() -> Callable[..., object]:
    """A sweep on two threads (``_sweep_in_threads``)."""
    return _sweep_in_threads


@pytest.fixture
def small_file(write_experiment, small_text) -> Path:
    """The small experiment, written as ``small.toml``."""
    return write_experiment(small_text, filename="small.toml")


@pytest.fixture
def done(small_file, tmp_path) -> Path:
    """The small experiment swept to the end, eight runs to a part: its results folder."""
    return _sweep_in_threads(small_file, tmp_path / "results", flush_runs=8).folder
