"""`cxo-sim sweep`: bad input gives one line and status 2 and changes nothing on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from cxo_sim.cli import main
from cxo_sim.errors import UserError
from cxo_sim.experiments.local_pool import LocalPool
from cxo_sim.experiments.runner import sweep

BAD_INPUT = {
    "toml syntax": ('name = "small"\nsteps = = 3\n', ["line 2"]),
    "unknown parameter": (
        'name = "small"\n[fixed]\ncio_rsk = 0.3\n',
        ["fixed.cio_rsk", "did you mean 'cio_risk'"],
    ),
    "out of range": ('name = "small"\n[fixed]\ncio_risk = 7\n', ["fixed.cio_risk", "0 to 1"]),
    "wrong kind": ('name = "small"\n[factors]\nliaison = [1, 0]\n', ["factors.liaison[0]"]),
    "empty factor": ('name = "small"\n[factors]\nalignment = []\n', ["factors.alignment", "empty"]),
    "unknown preset": ('name = "small"\npreset = "utopia"\n', ["preset", "'utopia'"]),
    "unknown sampling": (
        'name = "small"\n[sampling]\nmethod = "sobol"\n',
        ["sampling.method", "'sobol'"],
    ),
    "no replications": ('name = "small"\nreplications = 0\n', ["replications", "at least 1"]),
    "no steps": ('name = "small"\nsteps = 0\n', ["steps", "at least 1"]),
}


@pytest.fixture
def earlier_results(tmp_path, write_experiment, small_text):
    """A results folder of the small experiment, and the file it came from."""
    path = write_experiment(small_text, filename="small.toml")
    with ThreadPoolExecutor(2) as executor:
        sweep(path, out=tmp_path / "results", executor=executor, progress=False, flush_runs=10)
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["sweep", *args, "--quiet"])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(err: str, *fragments: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith("cxo-sim sweep: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_experiment_file_exits_2_with_one_line_and_changes_nothing(
    case, tmp_path, capsys, earlier_results, snapshot
):
    text, fragments = BAD_INPUT[case]
    earlier_results.write_text(text)
    before = snapshot(tmp_path)
    status, out, err = run_cli(capsys, str(earlier_results), "--out", str(tmp_path / "results"))
    assert status == 2
    assert out == ""
    assert_one_line_error(err, str(earlier_results), *fragments)
    assert snapshot(tmp_path) == before


def test_folder_of_a_different_experiment_is_refused_and_kept(
    tmp_path, capsys, earlier_results, snapshot
):
    earlier_results.write_text(earlier_results.read_text().replace("n = 4", "n = 3"))
    before = snapshot(tmp_path)
    status, _, err = run_cli(capsys, str(earlier_results), "--out", str(tmp_path / "results"))
    assert status == 2
    assert_one_line_error(
        err, str(tmp_path / "results" / "small"), "different experiment", "--fresh"
    )
    assert snapshot(tmp_path) == before


def test_folder_that_is_not_a_results_folder_is_refused_even_with_fresh(
    tmp_path, capsys, write_experiment, small_text, snapshot
):
    path = write_experiment(small_text)
    notes = tmp_path / "results" / "small" / "notes.txt"
    notes.parent.mkdir(parents=True)
    notes.write_text("mine")
    before = snapshot(tmp_path)
    status, _, err = run_cli(capsys, str(path), "--out", str(tmp_path / "results"), "--fresh")
    assert status == 2
    assert_one_line_error(err, "not a cxo-sim results folder")
    assert snapshot(tmp_path) == before


def test_missing_file_and_bad_worker_count_exit_2(tmp_path, capsys, write_experiment, small_text):
    status, _, err = run_cli(capsys, str(tmp_path / "nope.toml"))
    assert status == 2
    assert_one_line_error(err, "nope.toml", "no such experiment file")
    path = write_experiment(small_text)
    status, _, err = run_cli(capsys, str(path), "--out", str(tmp_path), "--workers", "0")
    assert status == 2
    assert_one_line_error(err, "--workers", "at least 1")
    assert not (tmp_path / "small").exists()


def test_sweep_prints_a_summary_and_resumes_to_nothing_left(tmp_path, capsys, earlier_results):
    status, out, err = run_cli(capsys, str(earlier_results), "--out", str(tmp_path / "results"))
    assert status == 0
    assert "0 runs" in out and "24 were already done" in out and "24 of 24 runs stored" in out
    assert err == ""


def test_more_workers_than_four_per_core_are_refused_before_any_starts(
    write_experiment, small_text, tmp_path, capsys
):
    too_many = 4 * len(os.sched_getaffinity(0)) + 1
    path = write_experiment(small_text)
    status = main(["sweep", str(path), "--out", str(tmp_path), "--workers", str(too_many)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert f"--workers: {too_many} is more than 4 per core" in err
    assert not (tmp_path / "small").exists()
    with pytest.raises(UserError, match="per core"):
        LocalPool(too_many)


# `cxo-sim sweep` whose run 3 raises MemoryError in its worker: once (a marker file records
# it), or every time. The workers are forked from this script, so they run the patched function.
SHORT_OF_MEMORY = """
import sys
from pathlib import Path
from cxo_sim.cli import main
from cxo_sim.experiments import runner
real = runner.execute_run
marker = Path(sys.argv[2])
def short(run):
    if run.run_id == 3 and (sys.argv[1] == "always" or not marker.exists()):
        marker.touch()
        raise MemoryError
    return real(run)
runner.execute_run = short
sys.exit(main(sys.argv[3:]))
"""


def test_a_run_out_of_memory_is_redone_once_then_named_in_one_line(
    write_experiment, small_text, tmp_path
):
    path = write_experiment(small_text)
    for mode, out in (("once", tmp_path / "once"), ("always", tmp_path / "always")):
        done = subprocess.run(
            [sys.executable, "-c", SHORT_OF_MEMORY, mode, str(tmp_path / f"{mode}.marker")]
            + ["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr
        if mode == "once":
            assert done.returncode == 0, done.stderr
            assert (tmp_path / "once.marker").exists()
            assert "24 of 24 runs stored" in done.stdout
        else:
            assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
            assert "run 3 (" in done.stderr
            assert "ran out of memory in its worker 2 times" in done.stderr
            assert "runs are stored" in done.stderr
