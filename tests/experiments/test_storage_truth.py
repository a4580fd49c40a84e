"""Results folders that stay true: manifest, foreign or copied parts, damaged series, links,
and one line for every fault of the input, the file system, the manifest and the pool."""

from __future__ import annotations

import errno
import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cxo_sim import load_results
from cxo_sim.cli import main
from cxo_sim.errors import UserError
from cxo_sim.experiments import local_pool as pool
from cxo_sim.experiments.local_pool import LocalPool
from cxo_sim.experiments.pool import PoolError
from cxo_sim.experiments.reading import load_manifest, load_timeseries
from cxo_sim.experiments.runner import sweep


def cli(capsys, *args: str) -> tuple[int, str]:
    status = main([*args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if status:
        assert err.count("\n") == 1, err
    return status, err


def sweep_cli(capsys, small_file, out, *more: str) -> tuple[int, str]:
    return cli(capsys, "sweep", str(small_file), "--out", str(out), "--quiet", *more)


# ---------------------------------------------------------------------- 8: the manifest
def test_a_failed_resume_and_a_no_op_resume_leave_the_manifest_as_it_was(
    small_file, done, capsys, snapshot
):
    before = snapshot(done)
    manifest = load_manifest(done)
    assert manifest["runs_done"] == 24 and manifest["finished"] is not None
    status, err = sweep_cli(capsys, small_file, done.parent)
    assert status == 0
    assert snapshot(done) == before  # nothing rewritten, not even the manifest

    part = sorted((done / "runs").glob("part-*.parquet"))[1]
    part.write_bytes(part.read_bytes()[:100])
    before = snapshot(done)
    status, err = sweep_cli(capsys, small_file, done.parent)
    assert status == 2 and str(part) in err and "damaged part file" in err
    assert snapshot(done) == before
    assert load_manifest(done) == manifest


# ---------------------------------------------------------------------- 9: foreign parts
def test_a_copied_part_or_a_series_part_among_the_runs_is_refused_naming_the_file(
    small_file, done, capsys, snapshot
):
    runs = done / "runs"
    copy = runs / "part-00099.parquet"
    shutil.copy(runs / "part-00001.parquet", copy)
    with pytest.raises(UserError, match=r"part-00099.parquet: not written by this sweep"):
        load_results(done)
    before = snapshot(done)
    status, err = sweep_cli(capsys, small_file, done.parent)
    assert status == 2 and str(copy) in err and "not written by this sweep" in err
    assert snapshot(done) == before

    # A folder written before manifests held hashes is still checked part against part.
    manifest = load_manifest(done)
    del manifest["parts"]
    (done / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match=r"part-00099.parquet: repeats run \d+ of part-00001"):
        load_results(done)
    status, err = sweep_cli(capsys, small_file, done.parent)
    assert status == 2 and str(copy) in err and "count twice" in err

    copy.unlink()
    shutil.copy(done / "timeseries" / "part-00000.parquet", copy)
    with pytest.raises(UserError, match=r"part-00099.parquet: not a runs part"):
        load_results(done)
    status, err = sweep_cli(capsys, small_file, done.parent)
    assert status == 2 and "not a runs part" in err


# ---------------------------------------------------------------------- 10: damaged series
def test_resume_regenerates_a_damaged_time_series_part(in_threads, small_file, done, tmp_path):
    expected_runs, expected_series = load_results(done), load_timeseries(done)
    part = done / "timeseries" / "part-00001.parquet"
    part.write_bytes(part.read_bytes()[:200])
    summary = in_threads(small_file, done.parent)
    assert (summary.runs_now, summary.runs_done) == (8, 24)
    pd.testing.assert_frame_equal(load_results(done), expected_runs, check_exact=True)
    pd.testing.assert_frame_equal(load_timeseries(done), expected_series)
    assert load_manifest(done)["runs_done"] == 24


# ---------------------------------------------------------------------- 11: links
def test_links_in_place_of_a_results_folder_or_its_parts_are_refused_and_left_alone(
    small_file, done, tmp_path, capsys, snapshot
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep me")
    links = tmp_path / "links"
    links.mkdir()
    (links / "small").symlink_to(done)
    for fresh in ((), ("--fresh",)):
        status, err = sweep_cli(capsys, small_file, links, *fresh)
        assert status == 2 and "is a symbolic link" in err
        assert (links / "small").is_symlink() and (done / "manifest.json").exists()
    (links / "small").unlink()
    (links / "small").symlink_to(tmp_path / "nowhere")
    status, err = sweep_cli(capsys, small_file, links)
    assert status == 2 and "is a symbolic link" in err

    before = snapshot(elsewhere)
    shutil.rmtree(done / "timeseries")
    (done / "timeseries").symlink_to(elsewhere)
    status, err = sweep_cli(capsys, small_file, done.parent)
    assert status == 2 and f"{done / 'timeseries'}: is a symbolic link" in err
    assert snapshot(elsewhere) == before


def test_fresh_refuses_to_discard_files_cxo_sim_did_not_write(small_file, done, capsys):
    (done / "notes.txt").write_text("mine")
    status, err = sweep_cli(capsys, small_file, done.parent, "--fresh")
    assert status == 2 and "--fresh would also discard notes.txt" in err
    assert (done / "notes.txt").read_text() == "mine"
    assert load_manifest(done)["runs_done"] == 24


# ---------------------------------------------------------------------- 13: one line each
def test_input_faults_get_one_line(write_experiment, tmp_path, capsys):
    nested = write_experiment('name = "x"\nquestion = ' + "[" * 5000 + "]" * 5000 + "\n")
    status, err = sweep_cli(capsys, nested, tmp_path)
    assert status == 2 and "nested too deeply" in err
    long_name = write_experiment(f'name = "{"n" * 300}"\n')
    status, err = sweep_cli(capsys, long_name, tmp_path)
    assert status == 2 and "name:" in err and "up to 100" in err


def test_file_system_faults_get_one_line_and_damage_nothing(
    in_threads, small_file, done, tmp_path, capsys
):
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile, afile / "under"):
        status, err = sweep_cli(capsys, small_file, out)
        assert status == 2 and str(afile) in err
    assert afile.read_text() == "x"

    runs = in_threads(small_file, tmp_path / "other", flush_runs=8).folder / "runs"
    shutil.rmtree(runs)
    runs.write_text("not a folder")
    status, err = sweep_cli(capsys, small_file, tmp_path / "other")
    assert status == 2 and str(runs) in err


def test_a_full_disk_stops_the_sweep_with_one_line_and_keeps_what_was_stored(
    in_threads, small_file, tmp_path, capsys, monkeypatch
):
    written = []
    real = pq.write_table

    def fill_up(table, where, *args, **kwargs):
        if len(written) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(where))
        written.append(where)
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", fill_up)
    monkeypatch.setattr(sweep, "__kwdefaults__", {**sweep.__kwdefaults__, "flush_runs": 5})
    status, err = sweep_cli(capsys, small_file, tmp_path, "--workers", "1")
    assert status == 2 and "No space left on device" in err
    folder = tmp_path / "small"
    assert f"{folder / 'timeseries'}/part-00001.parquet: cannot write" in err  # names the file
    stored = load_results(folder)
    assert len(stored) == 5 and load_manifest(folder)["runs_done"] == 5
    assert not list(folder.rglob(".tmp-*"))
    monkeypatch.undo()
    summary = in_threads(small_file, tmp_path)
    assert (summary.runs_now, summary.runs_done) == (19, 24)


@pytest.mark.parametrize(
    "text", ["[]", "null", '{"name": 3}', "{ broken", '{"runs_planned": "24"}']
)
def test_a_manifest_that_is_not_one_gets_one_line(text, small_file, done, capsys, snapshot):
    manifest = done / "manifest.json"
    if text.startswith('{"runs_planned"'):
        text = json.dumps({**json.loads(manifest.read_text()), "runs_planned": "24"})
    manifest.write_text(text)
    with pytest.raises(UserError, match="manifest"):
        load_manifest(done)
    before = snapshot(done)
    status, err = sweep_cli(capsys, small_file, done.parent)
    assert status == 2 and str(manifest) in err
    assert snapshot(done) == before


def test_a_pool_that_cannot_start_or_restart_gets_one_line(monkeypatch):
    def fork_server_gone(workers):
        raise EOFError

    monkeypatch.setattr(pool, "_process_pool", fork_server_gone)
    with pytest.raises(PoolError, match=r"^cannot start 2 local worker processes: EOFError$"):
        LocalPool(2)
