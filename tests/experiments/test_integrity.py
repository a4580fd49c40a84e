"""Results that cannot be silently wrong: a hash per part in the manifest, Parquet page
checksums, every row's identity checked against the plan, and missing parts named or redone."""

from __future__ import annotations

import hashlib
import json
import random
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxo_sim import load_results
from cxo_sim.cli import main
from cxo_sim.errors import UserError
from cxo_sim.experiments.reading import load_manifest, load_timeseries

FLIPS = 320


def forget_hashes(folder):
    """Make the manifest one written before manifests held hashes (no ``parts``)."""
    manifest = load_manifest(folder)
    del manifest["parts"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


def flip_every_way(part, read, expected, flips=FLIPS, seed=0):
    """Flip one random bit of ``part`` ``flips`` times (restoring it in between).

    Returns how many flips were detected (a one-line UserError naming the part) and how many
    read back identical; any flip that reads back different data fails the test.
    """
    original = part.read_bytes()
    rng = random.Random(seed)
    detected = identical = 0
    try:
        for _ in range(flips):
            position = rng.randrange(len(original) * 8)
            damaged = bytearray(original)
            damaged[position // 8] ^= 1 << (position % 8)
            part.write_bytes(bytes(damaged))
            try:
                frame = read()
            except UserError as exc:
                assert str(part) in str(exc) and "\n" not in str(exc), str(exc)
                detected += 1
                continue
            pd.testing.assert_frame_equal(frame, expected, check_exact=True)
            identical += 1
    finally:
        part.write_bytes(original)
    return detected, identical


def test_the_manifest_holds_the_hash_and_row_count_of_every_part(done):
    parts = load_manifest(done)["parts"]
    on_disk = sorted(f"{p.parent.name}/{p.name}" for p in done.glob("*/part-*.parquet"))
    assert sorted(parts) == on_disk and len(on_disk) == 6
    for key, entry in parts.items():
        data = (done / key).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["rows"] == pq.read_metadata(done / key).num_rows
    # Page checksums are written, so a part is checked even without the manifest.
    column = pq.ParquetFile(done / "runs" / "part-00000.parquet").metadata.row_group(0).column(0)
    assert column.total_compressed_size > 0
    table = pq.read_table(done / "runs" / "part-00000.parquet", page_checksum_verification=True)
    assert table.num_rows == 8


def test_every_bit_flip_in_a_runs_part_is_detected(done):
    expected = load_results(done)
    detected, identical = flip_every_way(
        done / "runs" / "part-00001.parquet", lambda: load_results(done), expected
    )
    assert (detected, identical) == (FLIPS, 0)


def test_every_bit_flip_in_a_series_part_is_detected(done):
    expected = load_timeseries(done)
    detected, identical = flip_every_way(
        done / "timeseries" / "part-00001.parquet", lambda: load_timeseries(done), expected
    )
    assert (detected, identical) == (FLIPS, 0)


def test_without_hashes_a_bit_flip_is_detected_or_changes_nothing(done):
    # A folder from before manifests held hashes: the page checksums and the identity checks
    # still leave no flipped value unnoticed.
    forget_hashes(done)
    expected = load_results(done)
    detected, identical = flip_every_way(
        done / "runs" / "part-00001.parquet", lambda: load_results(done), expected
    )
    assert detected + identical == FLIPS and detected > FLIPS // 2


def test_a_part_from_a_sweep_with_another_seed_is_refused_naming_it(
    in_threads, small_file, done, tmp_path, capsys, snapshot
):
    other = small_file.with_name("other.toml")
    other.write_text(small_file.read_text().replace("seed = 7", "seed = 8"))
    foreign = in_threads(other, tmp_path / "other", flush_runs=8).folder
    part = done / "runs" / "part-00001.parquet"
    shutil.copy(foreign / "runs" / "part-00001.parquet", part)
    with pytest.raises(UserError, match=r"runs/part-00001.parquet: damaged part file"):
        load_results(done)
    before = snapshot(done)
    assert main(["sweep", str(small_file), "--out", str(done.parent), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(part) in err
    assert main(["report", str(done)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(part) in err
    assert snapshot(done) == before

    # Without the manifest's hashes, the experiment hash in the part's metadata tells.
    forget_hashes(done)
    with pytest.raises(UserError, match=r"part-00001.parquet: written by another experiment"):
        load_results(done)


def test_every_row_is_checked_against_the_plan(done):
    forget_hashes(done)
    part = done / "runs" / "part-00001.parquet"
    table = pq.read_table(part).replace_schema_metadata(None)
    seeds = table.column("seed").to_pylist()
    replications = table.column("replication").to_pylist()
    for column, values, problem in [
        ("seed", [seeds[0] + 1, *seeds[1:]], "is not the planned"),
        ("replication", [(replications[0] + 1) % 3, *replications[1:]], "do not give run id"),
        ("point", [99] * 8, "do not give run id"),
    ]:
        values = pa.array(values, pa.int64())
        changed = table.set_column(table.schema.get_field_index(column), column, values)
        pq.write_table(changed, part)
        with pytest.raises(UserError, match=rf"part-00001.parquet: run \d+ is not one .*{problem}"):
            load_results(done)


def test_a_missing_series_part_is_named_and_regenerated_on_resume(in_threads, small_file, done):
    expected_runs, expected_series = load_results(done), load_timeseries(done)
    part = done / "timeseries" / "part-00001.parquet"
    part.unlink()
    with pytest.raises(UserError, match=r"timeseries/part-00001.parquet: missing"):
        load_timeseries(done)
    summary = in_threads(small_file, done.parent)
    assert (summary.runs_now, summary.runs_done) == (8, 24)
    pd.testing.assert_frame_equal(load_results(done), expected_runs, check_exact=True)
    pd.testing.assert_frame_equal(load_timeseries(done), expected_series, check_exact=True)


def test_a_missing_runs_part_is_named_and_redone_on_resume(in_threads, small_file, done):
    expected = load_results(done)
    (done / "runs" / "part-00001.parquet").unlink()
    with pytest.raises(UserError, match=r"runs/part-00001.parquet: missing"):
        load_results(done)
    summary = in_threads(small_file, done.parent)
    assert (summary.runs_now, summary.runs_done) == (8, 24)
    pd.testing.assert_frame_equal(load_results(done), expected, check_exact=True)


def test_the_last_part_listed_but_not_yet_in_place_is_not_an_error(in_threads, small_file, done):
    # A sweep stopped between writing the manifest and moving its last part into place.
    expected = load_results(done)
    (done / "runs" / "part-00002.parquet").unlink()
    assert len(load_results(done)) == 16
    summary = in_threads(small_file, done.parent)
    assert (summary.runs_now, summary.runs_done) == (8, 24)
    pd.testing.assert_frame_equal(load_results(done), expected, check_exact=True)


def test_a_folder_from_before_hashes_is_read_and_adopted_on_resume(in_threads, small_file, done):
    expected = load_results(done)
    forget_hashes(done)
    pd.testing.assert_frame_equal(load_results(done), expected, check_exact=True)
    summary = in_threads(small_file, done.parent)
    assert summary.runs_now == 0
    assert sorted(load_manifest(done)["parts"]) == sorted(
        f"{p.parent.name}/{p.name}" for p in done.glob("*/part-*.parquet")
    )


def test_a_hand_written_part_without_checksums_still_reads(done):
    # Parquet files without page checksums (older cxo-sim) are read as before.
    forget_hashes(done)
    part = done / "runs" / "part-00001.parquet"
    table = pq.read_table(part)
    pq.write_table(table, part)
    assert len(load_results(done)) == 24
    assert isinstance(table, pa.Table)
