"""A sweep process killed (SIGKILL) or stopped with Ctrl-C (SIGINT) mid-way, then resumed.

The sweep runs in its own session so the whole process group (the sweep, its fork server and its
workers) can be killed at once, like a machine that is lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from cxo_sim import load_results
from cxo_sim.cli import main
from cxo_sim.experiments.reading import load_manifest, load_timeseries
from cxo_sim.experiments.runner import sweep

# 80 runs of 30 weeks, written three runs to a part.
MANY = """
name = "many"
question = "Does a sweep survive being killed?"
steps = 30
replications = 10
seed = 99
[factors]
budget_owner = ["cio", "cmo"]
meeting_interval = [0, 2, 4, 8]
[output]
timeseries_every = 10
"""

SWEEP_SCRIPT = (
    "import sys; from cxo_sim.experiments.runner import sweep; "
    "sweep(sys.argv[1], out=sys.argv[2], workers=2, progress=False, flush_runs=3)"
)


@pytest.fixture
def many(write_experiment, tmp_path):
    path = write_experiment(MANY)
    with ThreadPoolExecutor(2) as executor:
        reference = sweep(path, out=tmp_path / "reference", executor=executor, progress=False)
    return path, reference.folder


def start_in_own_session(*command: str) -> subprocess.Popen:
    return subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_first_part(folder: Path, process: subprocess.Popen) -> None:
    while not any((folder / "runs").glob("part-*.parquet")):
        if process.poll() is not None:
            raise AssertionError(f"the sweep ended early: {process.communicate()}")
        time.sleep(0.005)


def wait_for_manifest_then(seconds: float, folder: Path, process: subprocess.Popen) -> None:
    """Wait until the sweep has started writing, then a little more so that runs are underway."""
    while not (folder / "manifest.json").exists():
        if process.poll() is not None:
            raise AssertionError(f"the sweep ended early: {process.communicate()}")
        time.sleep(0.005)
    time.sleep(seconds)


def assert_same_tables(folder: Path, reference: Path) -> None:
    runs = load_results(folder)
    assert runs["run_id"].is_unique
    pd.testing.assert_frame_equal(runs, load_results(reference), check_exact=True)
    pd.testing.assert_frame_equal(load_timeseries(folder), load_timeseries(reference))


def test_sweep_killed_with_sigkill_resumes_to_the_uninterrupted_table(many, tmp_path):
    path, reference = many
    out = tmp_path / "killed"
    process = start_in_own_session(sys.executable, "-c", SWEEP_SCRIPT, str(path), str(out))
    try:
        wait_for_first_part(out / "many", process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    stored = len(load_results(out / "many"))
    assert 0 < stored < 80
    assert load_manifest(out / "many")["finished"] is None

    summary = sweep(path, out=out, workers=2, progress=False)
    assert (summary.runs_now, summary.runs_done) == (80 - stored, 80)
    assert_same_tables(out / "many", reference)


def test_ctrl_c_saves_finished_runs_says_how_to_resume_and_the_rerun_finishes(
    many, tmp_path, capsys, slow_sweep
):
    path, reference = many
    out = tmp_path / "stopped"
    # Runs slowed by 20 ms each (at least 0.8 s in all): the Ctrl-C lands mid-sweep even on a
    # fast idle machine, where the sweep could otherwise end before it.
    command = slow_sweep(0.02, str(path), "--out", str(out))
    process = start_in_own_session(*command, "--workers", "2", "--quiet")
    try:
        wait_for_manifest_then(0.5, out / "many", process)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130
    assert "Traceback" not in err
    assert "run the same command again" in err
    stored = len(load_results(out / "many"))
    assert f"{stored} of 80 runs are stored" in err

    assert main(command[command.index("sweep") :] + ["--workers", "1", "--quiet"]) == 0
    summary = capsys.readouterr().out
    assert f"{80 - stored} runs" in summary and "80 of 80 runs stored" in summary
    assert_same_tables(out / "many", reference)
