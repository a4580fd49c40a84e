"""Faults of the input and of the environment get one line and status 2; nothing is written
outside the folder a command writes into, whatever symbolic links are put in its way."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cxo_sim.cli import main
from cxo_sim.errors import UserError
from cxo_sim.experiments import safe_files, storage
from cxo_sim.experiments.runner import sweep

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "cxo_sim.cli"]
SMALL = """
name = "small"
steps = 8
replications = 2
seed = 7
[factors]
budget_owner = ["cio", "cmo"]
cio_risk = [0.0, 0.3]
[output]
timeseries_every = 4
"""


def one_line(capsys, status: int) -> str:
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def cli_child(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``cxo-sim ARGS`` in a child with 2 GiB of address space: a read that never ends, or a
    run that never ends, fails the test instead of taking the machine down."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    try:
        return subprocess.run(
            [*CLI, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=limit,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"cxo-sim {' '.join(args)} did not end within {timeout:.0f} s")


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(textwrap.dedent(SMALL))
    return path


@pytest.fixture
def done(small, tmp_path):
    with ThreadPoolExecutor(2) as executor:
        return sweep(small, out=tmp_path / "results", executor=executor, progress=False).folder


# ---------------------------------------------------------------------- special files
def test_special_files_as_input_are_refused_in_one_line(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for args, what in [
        (("sweep", "/dev/zero"), "character device"),
        (("calibrate", "/dev/zero"), "character device"),
        (("sweep", str(fifo)), "named pipe"),
        (("calibrate", "--organisation", str(fifo)), "named pipe"),
    ]:
        done = cli_child(*args, "--out", str(tmp_path / "out"))
        assert done.returncode == 2, done.stderr[-500:]
        assert done.stderr.count("\n") == 1 and what in done.stderr, done.stderr[-500:]


def test_an_input_file_larger_than_a_mebibyte_is_refused(tmp_path, capsys):
    big = tmp_path / "big.toml"
    big.write_text('name = "big"\n' + "# padding\n" * 120_000)
    err = one_line(capsys, main(["sweep", str(big), "--out", str(tmp_path)]))
    assert f"{big}: larger than 1024 KiB" in err
    assert not (tmp_path / "big").exists()


# ---------------------------------------------------------------------- values
def test_a_port_outside_the_range_is_one_line():
    # In a child: ``app`` replaces its process with the server once the port is accepted.
    for port in ("99999", "0"):
        done = cli_child("app", "--port", port, timeout=60)
        assert done.returncode == 2, done.stderr[-500:]
        assert f"--port: must be 1 to 65535, got {port}" in done.stderr
        assert done.stderr.count("\n") == 1


def test_run_refuses_more_steps_than_an_experiment_file_may_have():
    done = cli_child("run", "--steps", "100000000", timeout=60)
    assert done.returncode == 2, done.stderr
    assert "--steps must be 1 to 5_200" in done.stderr and done.stderr.count("\n") == 1


def test_a_threshold_that_is_not_a_number_is_refused(done, capsys):
    for option in ("--above", "--below"):
        for value in ("nan", "inf"):
            status = main(["discover", str(done), "--outcome", "breaches", option, value])
            err = one_line(capsys, status)
            assert f"{option}: must be a finite number" in err


def test_an_empty_out_is_refused_and_nothing_is_written_here(small, tmp_path, capsys, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for args in (
        ["sweep", str(small), "--quiet"],
        ["run", "--steps", "2"],
        ["calibrate", str(ROOT / "calibration" / "old_world.toml"), "--quiet"],
        ["sensitivity", str(small)],
    ):
        err = one_line(capsys, main([*args, "--out", ""]))
        assert "--out: is empty" in err
    assert list(here.iterdir()) == []


# ---------------------------------------------------------------------- links
@pytest.fixture
def outside(tmp_path):
    """A folder elsewhere holding a precious file, and a snapshot of it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_report_writes_no_figure_through_a_figures_link(done, outside, capsys):
    (done / "figures").symlink_to(outside, target_is_directory=True)
    before = contents(outside)
    err = one_line(capsys, main(["report", str(done)]))
    assert f"{done / 'figures'}: is a symbolic link" in err
    assert contents(outside) == before


def test_run_out_writes_through_no_link_in_a_files_place(tmp_path, outside, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "events.txt").symlink_to(outside / "precious.txt")
    err = one_line(capsys, main(["run", "--steps", "4", "--out", str(out)]))
    assert f"{out / 'events.txt'}: is a symbolic link" in err
    assert (outside / "precious.txt").read_text() == "keep me"


def test_calibrate_writes_through_no_linked_folder_or_history(tmp_path, outside, capsys):
    calibration = ROOT / "calibration" / "old_world.toml"
    root = tmp_path / "calibrations"
    root.mkdir()
    (root / "old_world").symlink_to(outside, target_is_directory=True)
    before = contents(outside)
    err = one_line(capsys, main(["calibrate", str(calibration), "--out", str(root), "--quiet"]))
    assert f"{root / 'old_world'}: is a symbolic link" in err
    assert contents(outside) == before

    (root / "old_world").unlink()
    (root / "old_world").mkdir()
    (root / "old_world" / "history.db").symlink_to(outside / "precious.txt")
    err = one_line(capsys, main(["calibrate", str(calibration), "--out", str(root), "--quiet"]))
    assert "history.db: is a symbolic link" in err
    assert contents(outside) == before


def test_a_runs_folder_swapped_for_a_link_mid_sweep_stops_it_and_receives_nothing(
    small, tmp_path, outside, monkeypatch
):
    real = storage.ResultsFolder.write_part
    calls = []

    def swap_after_the_first_part(self, rows, series):
        calls.append(len(rows))
        if len(calls) == 2:
            (self.path / "runs").rename(tmp_path / "runs-moved")
            (self.path / "runs").symlink_to(outside, target_is_directory=True)
        return real(self, rows, series)

    monkeypatch.setattr(storage.ResultsFolder, "write_part", swap_after_the_first_part)
    before = contents(outside)
    with ThreadPoolExecutor(2) as executor, pytest.raises(UserError) as stopped:
        sweep(small, out=tmp_path / "results", executor=executor, progress=False, flush_runs=2)
    assert "runs: was moved or replaced" in str(stopped.value)
    assert "\n" not in str(stopped.value)
    assert contents(outside) == before


def test_a_results_folder_swapped_for_a_link_mid_sweep_stops_it(
    small, tmp_path, outside, monkeypatch
):
    real = storage.ResultsFolder.write_part
    calls = []

    def swap(self, rows, series):
        calls.append(len(rows))
        if len(calls) == 2:
            shutil.move(self.path, tmp_path / "moved")
            self.path.symlink_to(outside, target_is_directory=True)
        return real(self, rows, series)

    monkeypatch.setattr(storage.ResultsFolder, "write_part", swap)
    before = contents(outside)
    with ThreadPoolExecutor(2) as executor, pytest.raises(UserError, match="was moved or replaced"):
        sweep(small, out=tmp_path / "results", executor=executor, progress=False, flush_runs=2)
    assert contents(outside) == before


def test_a_damaged_calibration_history_is_one_line(tmp_path, capsys):
    from cxo_sim.calibration.abc import _identity
    from cxo_sim.calibration.spec import load_calibration
    from cxo_sim.experiments.runner import model_fingerprint

    path = tmp_path / "tiny.toml"
    path.write_text(
        'name = "tiny"\nyears = 2\npopulation = 10\ngenerations = 1\npredictive = 10\n'
        '[constants]\ncalibrate = ["BASE_HAZARD"]\n'
    )
    folder = tmp_path / "calibrations" / "tiny"
    folder.mkdir(parents=True)
    identity = _identity(load_calibration(path), model_fingerprint())
    safe_files.write_json_atomically(folder / "manifest.json", identity)
    history = folder / "history.db"
    history.write_bytes(b"SQLite format 3\0" + b"\xff" * 4000)
    root = str(folder.parent)
    status = main(["calibrate", str(path), "--out", root, "--workers", "1", "--quiet"])
    err = one_line(capsys, status)
    assert f"{history}: cannot read the calibration history" in err
