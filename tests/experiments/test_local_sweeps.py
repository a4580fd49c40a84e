"""Sweeps on local executors: determinism, streaming to parts, resume, refusal, evaluate."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import pandas as pd
import pytest

from cxo_sim import load_results
from cxo_sim.errors import UserError
from cxo_sim.experiments.local_pool import LocalPool
from cxo_sim.experiments.plan import plan_runs, run_seed
from cxo_sim.experiments.pool import IN_FLIGHT_PER_WORKER
from cxo_sim.experiments.reading import load_manifest, load_timeseries
from cxo_sim.experiments.runner import evaluate, execute_run, stream_results, sweep
from cxo_sim.experiments.safe_files import write_json_atomically
from cxo_sim.experiments.spec import load_experiment
from cxo_sim.experiments.storage import open_results_folder
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import PARAMETERS


class CountingExecutor(Executor):
    """Runs in threads, remembers the most futures outstanding at once, can stop mid-way."""

    def __init__(self, interrupt_after: int | None = None):
        self.inner = ThreadPoolExecutor(2)
        self.outstanding = 0
        self.most_outstanding = 0
        self.submitted = 0
        self.interrupt_after = interrupt_after
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self.interrupt_after is not None and self.submitted >= self.interrupt_after:
            raise KeyboardInterrupt
        with self.lock:
            self.submitted += 1
            self.outstanding += 1
            self.most_outstanding = max(self.most_outstanding, self.outstanding)
        future = self.inner.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future) -> None:
        with self.lock:
            self.outstanding -= 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


@pytest.fixture
def small(write_experiment, small_text):
    return write_experiment(small_text)


@pytest.fixture
def reference(small, tmp_path):
    """The small experiment swept once, uninterrupted, in threads."""
    with CountingExecutor() as executor:
        summary = sweep(small, out=tmp_path / "reference", executor=executor, progress=False)
    return summary.folder


def test_tables_have_every_run_parameter_outcome_and_the_documented_seed(reference, small):
    runs = load_results(reference)
    experiment = load_experiment(small)
    assert list(runs["run_id"]) == list(range(24))
    assert list(runs.columns[:5]) == ["run_id", "point", "scenario", "replication", "seed"]
    assert set(PARAMETERS) | set(OUTCOME_NAMES) | set(DIAGNOSTIC_NAMES) <= set(runs.columns)
    for row in runs.itertuples():
        assert row.seed == run_seed(7, row.replication)
        assert row.run_id == row.point * 3 + row.replication
        assert row.scenario == experiment.points()[row.point][0]
    # Common random numbers: one seed per replication, shared by every configuration.
    assert runs["seed"].nunique() == 3
    assert (runs.groupby("replication")["seed"].nunique() == 1).all()
    series = load_timeseries(reference)
    assert list(series.columns[:5]) == ["run_id", "point", "scenario", "replication", "week"]
    assert sorted(series["run_id"].unique()) == list(range(24))


def test_manifest_says_what_ran_with_what_and_how_far(reference, small):
    manifest = load_manifest(reference)
    assert manifest["name"] == "small"
    assert manifest["experiment_text"] == small.read_text()
    assert len(manifest["experiment_hash"]) == 64
    assert manifest["design"] == {
        "sampling": "factorial",
        "factors": ["budget_owner", "cio_risk"],
        "points": 8,
        "scenarios": [],
    }
    assert set(manifest["versions"]) == {"cxo_sim", "mesa", "numpy", "pandas", "python"}
    assert (manifest["runs_planned"], manifest["runs_done"]) == (24, 24)
    assert manifest["finished"] is not None


def test_results_are_identical_with_one_or_two_worker_processes(small, tmp_path, reference):
    one = sweep(small, out=tmp_path / "one", workers=1, progress=False).folder
    two = sweep(small, out=tmp_path / "two", workers=2, progress=False).folder
    expected = load_results(reference)
    pd.testing.assert_frame_equal(load_results(one), expected, check_exact=True)
    pd.testing.assert_frame_equal(load_results(two), expected, check_exact=True)
    pd.testing.assert_frame_equal(load_timeseries(two), load_timeseries(reference))


def test_runs_stream_to_parts_with_a_bounded_number_in_flight(small, tmp_path, reference):
    executor = CountingExecutor()
    with executor:
        summary = sweep(
            small, out=tmp_path, executor=executor, workers=1, progress=False, flush_runs=5
        )
    assert executor.most_outstanding <= IN_FLIGHT_PER_WORKER
    assert len(list((summary.folder / "runs").glob("part-*.parquet"))) == 5
    pd.testing.assert_frame_equal(load_results(summary.folder), load_results(reference))


def test_interrupted_sweep_resumes_to_the_uninterrupted_table(small, tmp_path, reference):
    with pytest.raises(KeyboardInterrupt), CountingExecutor(interrupt_after=10) as executor:
        sweep(small, out=tmp_path, executor=executor, progress=False, flush_runs=4)
    folder = tmp_path / "small"
    stored = len(load_results(folder))
    assert 0 < stored < 24
    assert load_manifest(folder)["finished"] is None
    # What a kill can leave behind: a temporary file and a time-series part without its runs.
    (folder / "runs" / ".tmp-99-part-00077.parquet").write_bytes(b"half a part")
    shutil.copy(
        next((folder / "timeseries").glob("part-*")), folder / "timeseries/part-00077.parquet"
    )

    with CountingExecutor() as executor:
        summary = sweep(small, out=tmp_path, executor=executor, progress=False)
    assert (summary.runs_now, summary.runs_done) == (24 - stored, 24)
    assert not (folder / "runs" / ".tmp-99-part-00077.parquet").exists()
    assert not (folder / "timeseries" / "part-00077.parquet").exists()
    pd.testing.assert_frame_equal(load_results(folder), load_results(reference), check_exact=True)
    pd.testing.assert_frame_equal(load_timeseries(folder), load_timeseries(reference))


def test_finished_sweep_rerun_does_nothing(small, tmp_path, reference):
    parts = sorted((reference / "runs").iterdir())
    with CountingExecutor() as executor:
        summary = sweep(small, out=reference.parent, executor=executor, progress=False)
    assert executor.submitted == 0
    assert summary.runs_now == 0 and summary.complete
    assert sorted((reference / "runs").iterdir()) == parts


def test_changed_file_is_refused_unless_fresh(small, tmp_path, reference):
    small.write_text(small.read_text().replace("seed = 7", "seed = 8"))
    before = load_results(reference)
    with pytest.raises(UserError, match="different experiment.*--fresh"):
        sweep(small, out=reference.parent, executor=ThreadPoolExecutor(1), progress=False)
    pd.testing.assert_frame_equal(load_results(reference), before)
    with CountingExecutor() as executor:
        sweep(small, out=reference.parent, executor=executor, fresh=True, progress=False)
    after = load_results(reference)
    assert len(after) == 24
    assert list(after["seed"]) != list(before["seed"])
    assert load_manifest(reference)["seed"] == 8


def test_folder_is_written_by_one_sweep_at_a_time(small, tmp_path, reference):
    manifest = load_manifest(reference)
    first = open_results_folder(reference, manifest, fresh=False)
    try:
        with pytest.raises(UserError, match="another sweep"):
            open_results_folder(reference, manifest, fresh=False)
    finally:
        first.close()
    open_results_folder(reference, manifest, fresh=False).close()


def test_loading_a_folder_that_holds_no_results_says_so(tmp_path):
    with pytest.raises(UserError, match="not a results folder"):
        load_results(tmp_path)
    with pytest.raises(UserError, match="no such results folder"):
        load_results(tmp_path / "absent")
    (tmp_path / "practices").mkdir()
    with pytest.raises(UserError, match=r"did you mean '.*practices'\?$"):
        load_results(tmp_path / "practises")


def test_evaluate_gives_the_rows_a_sweep_gives(small, reference):
    experiment = load_experiment(small)
    param_sets = [params for _, params in experiment.points()]
    with ThreadPoolExecutor(2) as executor:
        frame = evaluate(
            param_sets, steps=12, replications=3, base_seed=7, executor=executor, progress=False
        )
    assert list(frame.columns[:3]) == ["point", "replication", "seed"]
    stored = load_results(reference)[list(frame.columns)]
    pd.testing.assert_frame_equal(frame, stored, check_exact=True)


def test_lost_local_worker_is_replaced_and_its_run_redone(small):
    experiment = load_experiment(small)
    points = experiment.points()[:2]
    runs = list(plan_runs(points, steps=60, replications=6, base_seed=1))
    results = {}
    with LocalPool(2) as pool:
        for result in stream_results(runs, pool):
            if result is None:
                continue
            results[result[0]["run_id"]] = result[0]
            if len(results) == 1:
                victim = next(iter(pool.executor._processes))
                os.kill(victim, signal.SIGKILL)
        assert pool.generation >= 1
    assert sorted(results) == list(range(12))
    assert results[7] == execute_run(runs[7])[0]


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("model_fingerprint", "0" * 64, "another version of the model"),
        ("versions", {"cxo_sim": "0.0.1"}, "other software versions"),
    ],
)
def test_resume_with_other_model_code_or_versions_is_refused(small, reference, key, value, problem):
    manifest = load_manifest(reference)
    manifest[key] = value
    write_json_atomically(reference / "manifest.json", manifest)
    with pytest.raises(UserError, match=problem):
        sweep(small, out=reference.parent, executor=ThreadPoolExecutor(1), progress=False)


def test_a_worker_still_starting_is_neither_running_nor_stopped(monkeypatch):
    """A slot no worker has claimed yet holds pid 0. Read as run 0 started at time 0, it made
    the first run look late at once, and stopping it sent SIGKILL to pid 0: the sweep's whole
    process group, the shell that started it included (seen in CI as exit 137)."""
    import multiprocessing

    from cxo_sim.experiments import local_pool as pool_module

    signalled = []
    monkeypatch.setattr(pool_module.os, "kill", lambda pid, number: signalled.append(pid))
    with LocalPool(1) as pool:
        (worker,) = pool.executor._processes
        assert pool._table[:] == [worker, -1, 0]
        # The worker's slot, then one never written, as the table was first filled (zeros).
        unclaimed = multiprocessing.Array("q", [worker, -1, 0, 0, 0, 0])
        monkeypatch.setattr(pool, "_table", unclaimed)
        assert pool.running() == {}
        pool.stop_run(0)
        unclaimed[1] = 0  # the worker now executes run 0
        assert pool.running() == {0: 0.0}
        pool.stop_run(0)
        with pytest.raises(ValueError, match="pid 0"):
            pool_module._kill(0)
        monkeypatch.undo()
    assert signalled == [worker]


def test_a_pool_start_broken_by_a_stop_signal_reports_the_stop(monkeypatch):
    """``kill`` of a sweep's process group also ends the fork server mid-start of a new pool:
    the command was stopped (exit 143), not unable to start workers (exit 2)."""
    from cxo_sim.errors import Stopped
    from cxo_sim.experiments import local_pool as pool_module
    from cxo_sim.experiments.pool import PoolError
    from cxo_sim.stops import StopSignals

    def start_killed(context, workers, table):
        signal.raise_signal(signal.SIGTERM)  # held back while the pool starts
        raise EOFError("unexpected EOF")  # what the dead fork server leaves

    monkeypatch.setattr(pool_module, "_start", start_killed)
    with StopSignals(), pytest.raises(Stopped) as stopped:
        LocalPool(2)
    assert stopped.value.signal_number == signal.SIGTERM

    def start_failed(context, workers, table):
        raise EOFError("unexpected EOF")

    monkeypatch.setattr(pool_module, "_start", start_failed)
    with StopSignals(), pytest.raises(PoolError, match="cannot start 2 local worker processes"):
        LocalPool(2)


def _hold_and_wait(lock, held):
    lock.acquire()
    held.set()
    signal.pause()


def test_a_worker_killed_holding_the_table_lock_does_not_hang_the_sweep():
    # A worker killed while it writes its slot leaves the table's lock held for ever; replacing
    # the broken pool reads the table, and once hung there (a fresh-clone CI run stopped).
    import multiprocessing

    from cxo_sim.experiments import local_pool

    context = multiprocessing.get_context("forkserver")
    table = context.Array("q", [4242, 7, 3_000_000_000, 0, -1, 0])
    held = context.Event()
    holder = context.Process(target=_hold_and_wait, args=(table.get_lock(), held))
    holder.start()
    try:
        assert held.wait(30)
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(30)
        read = []
        reader = threading.Thread(target=lambda: read.append(local_pool._slots(table)), daemon=True)
        reader.start()
        reader.join(local_pool.LOCK_SECONDS + 10)  # a hang fails the test rather than stalling it
        assert not reader.is_alive(), "reading the table waited for a dead worker's lock"
        assert read == [[(4242, 7, 3.0)]]
    finally:
        if holder.is_alive():
            holder.kill()
