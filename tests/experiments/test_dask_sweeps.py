"""Sweeps on a real Dask cluster (LocalCluster on loopback): same table, survives a lost worker.

These tests start their own cluster and fail, never skip, if it cannot start.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from cxo_sim import load_results
from cxo_sim.cli import main
from cxo_sim.experiments import dask_pool as pool
from cxo_sim.experiments.plan import plan_runs
from cxo_sim.experiments.runner import evaluate, execute_run, sweep
from cxo_sim.experiments.spec import load_experiment
from cxo_sim.validation.screen import screen_constants

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


def test_a_screen_on_the_cluster_equals_one_in_process(cluster):
    """``calibrate --scheduler`` screens the constants on the cluster too."""
    settings = {"trajectories": 2, "seeds": [1], "steps": 13, "names": ["BASE_HAZARD", "FADED"]}
    with pool.DaskPool(cluster.scheduler_address) as remote:
        on_cluster = screen_constants(pool=remote, **settings)
    in_process = screen_constants(workers=1, **settings)
    assert on_cluster.runs == in_process.runs == 8
    assert on_cluster.mu_star == in_process.mu_star


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


# 40 runs of 500 weeks on one worker thread: several seconds, so the scheduler dies mid-way.
SLOW = """
name = "slow"
question = "Does a sweep notice a lost scheduler?"
steps = 500
replications = 40
seed = 4
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(*command: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_lost_scheduler_ends_the_sweep_in_seconds_with_one_line(write_experiment, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    scheduler = start(
        "-m",
        "distributed.cli.dask_scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--dashboard-address",
        ":0",
    )
    worker = start(
        "-m",
        "distributed.cli.dask_worker",
        address,
        "--nthreads",
        "1",
        "--no-nanny",
        "--dashboard-address",
        ":0",
    )
    path = write_experiment(SLOW)
    command = [sys.executable, "-m", "cxo_sim.cli", "sweep", str(path), "--out", str(tmp_path)]
    sweep_process = None
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
            sweep_process = subprocess.Popen(
                [*command, "--scheduler", address, "--quiet"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

            def executed() -> int:
                counts = client.run(lambda dask_worker: dask_worker.state.executed_count)
                return sum(counts.values())

            wait_for(lambda: executed() >= 3 or sweep_process.poll() is not None, 60, "3 runs")
        scheduler.kill()
        lost_at = time.monotonic()
        _, err = sweep_process.communicate(timeout=60)
        took = time.monotonic() - lost_at
    finally:
        for process in (scheduler, worker, sweep_process):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
    assert sweep_process.returncode == 2, err
    assert took < 15, f"{took:.1f} s to notice the lost scheduler"
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"lost the Dask scheduler at {address}" in err
    stored = load_results(tmp_path / "slow")
    assert f"{len(stored)} of 40 runs are stored" in err and "run the same command again" in err
    # What was stored is what the model gives for those runs.
    runs = list(plan_runs(load_experiment(path).points(), steps=500, replications=40, base_seed=4))
    # Results on their way when the scheduler died are lost, so how many are stored varies.
    for row in stored.head(5).to_dict("records"):
        assert row == execute_run(runs[row["run_id"]])[0]


class _Banner(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
        time.sleep(5)


class _Silent(socketserver.BaseRequestHandler):
    def handle(self):
        time.sleep(5)


@pytest.mark.parametrize(
    ("handler", "scheme", "problem"),
    [
        (_Silent, "tcp", "no Dask scheduler answered at"),
        (_Banner, "tcp", "answered with something that is not a Dask handshake"),
        (_Silent, "tls", "TLS"),
    ],
)
def test_a_scheduler_address_that_is_no_dask_scheduler_fails_fast_with_one_line(
    handler, scheme, problem, write_experiment, small_text, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(pool, "CONNECT_SECONDS", 2.0)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    path = write_experiment(small_text)
    started = time.monotonic()
    try:
        status = main(
            ["sweep", str(path), "--out", str(tmp_path), "--scheduler", address, "--quiet"]
        )
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert status == 2
    assert time.monotonic() - started < 6
    assert err.count("\n") == 1 and err.startswith("cxo-sim sweep: error: --scheduler: "), err
    assert problem in err and address in err
    assert not (tmp_path / "small").exists()
