"""Sweeps on a real Dask cluster (LocalCluster on loopback): same table, survives a lost worker.

These tests start their own cluster and fail, never skip, if it cannot start.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from cxo_sim import load_results
from cxo_sim.experiments.runner import evaluate, sweep
from cxo_sim.experiments.spec import load_experiment

pytestmark = pytest.mark.cluster

# 24 runs of 80 weeks: long enough for a worker to be killed while it holds a run.
LONGER = """
name = "longer"
question = "Does a sweep survive a lost worker?"
steps = 80
replications = 12
seed = 11
[factors]
liaison = [false, true]
"""


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes with nannies, on loopback; closed after the module."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as running:
        yield running


def in_threads(path, out):
    with ThreadPoolExecutor(2) as executor:
        return sweep(path, out=out, executor=executor, progress=False).folder


def test_cluster_sweep_equals_local_pool_sweep(cluster, write_experiment, small_text, tmp_path):
    path = write_experiment(small_text)
    local = sweep(path, out=tmp_path / "local", workers=2, progress=False)
    remote = sweep(path, out=tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    assert remote.where.startswith("Dask cluster at tcp://127.0.0.1")
    pd.testing.assert_frame_equal(
        load_results(remote.folder), load_results(local.folder), check_exact=True
    )


def test_evaluate_on_a_cluster_executor_equals_threads(cluster, write_experiment, small_text):
    param_sets = [p for _, p in load_experiment(write_experiment(small_text)).points()[:3]]
    settings = {"steps": 12, "replications": 2, "base_seed": 5, "progress": False}
    with Client(cluster.scheduler_address) as client:
        on_cluster = evaluate(param_sets, executor=client.get_executor(), **settings)
    with ThreadPoolExecutor(2) as executor:
        in_process = evaluate(param_sets, executor=executor, **settings)
    pd.testing.assert_frame_equal(on_cluster, in_process, check_exact=True)


def test_sweep_completes_when_a_worker_is_killed_mid_way(cluster, write_experiment, tmp_path):
    path = write_experiment(LONGER)
    expected = load_results(in_threads(path, tmp_path / "reference"))
    folder = tmp_path / "dask" / "longer"
    outcome: dict = {}

    with Client(cluster.scheduler_address) as client:

        def run_sweep():
            try:
                outcome["summary"] = sweep(
                    path,
                    out=tmp_path / "dask",
                    scheduler=cluster.scheduler_address,
                    progress=False,
                    flush_runs=1,
                )
            except BaseException as exc:  # reported by the assertion below
                outcome["error"] = exc

        thread = threading.Thread(target=run_sweep)
        thread.start()
        victim = busy_worker_after_first_run(client, folder, thread)
        stored_at_kill = len(list((folder / "runs").glob("part-*.parquet")))
        pids = client.run(os.getpid)
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive()
        restarted = client.run(os.getpid)  # the nanny has started a new worker process

    assert "error" not in outcome, outcome.get("error")
    assert stored_at_kill < 24
    assert pids[victim] not in restarted.values()
    assert outcome["summary"].runs_done == 24
    pd.testing.assert_frame_equal(load_results(folder), expected, check_exact=True)


def busy_worker_after_first_run(client: Client, folder, sweep_thread: threading.Thread) -> str:
    """Wait until a run is stored and a worker is holding another; return that worker."""
    while sweep_thread.is_alive():
        if any((folder / "runs").glob("part-*.parquet")):
            busy = [worker for worker, keys in client.processing().items() if keys]
            if busy:
                return busy[0]
        time.sleep(0.01)
    raise AssertionError("the sweep ended before a worker could be killed")
