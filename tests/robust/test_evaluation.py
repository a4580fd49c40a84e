"""Every design in every world on common seeds: stored like a sweep, resumable, worker-blind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from cxo_sim import load_results
from cxo_sim.robust.evaluation import evaluate_designs, read_outcomes
from cxo_sim.robust.spec import load_spec

# `cxo-sim robust` whose runs sleep first, so that a Ctrl-C lands mid-way (the workers are forked
# from this script and run the patched function).
SLOW = """
import sys, time
from cxo_sim.cli import main
from cxo_sim.experiments import runner
real = runner.execute_run
def slow(run):
    time.sleep(0.1)
    return real(run)
runner.execute_run = slow
sys.exit(main(["robust", sys.argv[1], "--out", sys.argv[2], "--workers", "2", "--quiet"]))
"""


def test_designs_share_each_worlds_seeds_and_differ_between_worlds(write_spec):
    spec = load_spec(write_spec())
    with ThreadPoolExecutor(2) as executor:
        summary = evaluate_designs(
            spec, out=write_spec().parent / "out", executor=executor, progress=False
        )
    runs = load_results(summary.folder)
    assert len(runs) == 4 * 6 * 2 and summary.complete
    seeds = runs.pivot(index="replication", columns="point", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()  # common random numbers across designs
    assert seeds[0].is_unique  # each (world, replicate) its own seed
    world = runs[runs["replication"] // 2 == 3]
    assert world["n_marketers"].nunique() == 1 and world["const:HYPE_START"].nunique() == 1
    assert set(world["liaison"]) == {False, True}
    outcomes = read_outcomes(summary.folder, ["net_value"])
    assert outcomes.values["net_value"].shape == (4, 6, 2)
    assert list(outcomes.worlds.columns) == ["n_marketers", "cmo_speed", "HYPE_START"]


def test_one_and_two_workers_store_the_same_runs(write_spec, tmp_path):
    spec = load_spec(write_spec())
    one = evaluate_designs(spec, out=tmp_path / "one", workers=1, progress=False)
    two = evaluate_designs(spec, out=tmp_path / "two", workers=2, progress=False)
    pd.testing.assert_frame_equal(
        load_results(one.folder), load_results(two.folder), check_exact=True
    )


def test_ctrl_c_exits_130_and_the_rerun_finishes_with_the_same_results(write_spec, tmp_path):
    path = write_spec()
    spec = load_spec(path)
    with ThreadPoolExecutor(2) as executor:
        reference = evaluate_designs(
            spec, out=tmp_path / "ref", executor=executor, progress=False, flush_runs=4
        )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW, str(path), str(out)],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    folder = out / "tiny"
    deadline = time.monotonic() + 60
    while not (folder / "manifest.json").exists() and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    time.sleep(0.8)  # some runs finish (they are stored when the stop comes), not all
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "run the same command again" in err
    stored = len(load_results(folder))
    assert 0 < stored < 48
    with ThreadPoolExecutor(2) as executor:
        resumed = evaluate_designs(spec, out=out, executor=executor, progress=False)
    assert resumed.runs_now == 48 - stored and resumed.complete
    pd.testing.assert_frame_equal(
        load_results(folder), load_results(reference.folder), check_exact=True
    )
    again = read_outcomes(folder, ["net_value"]).values["net_value"]
    assert np.array_equal(again, read_outcomes(reference.folder, ["net_value"]).values["net_value"])
