"""The results folder of a sweep: its layout, and the sweep writing into it.

Layout of ``<root>/<name>/``:

- ``manifest.json``: what was run, with which software, when, and how far it got.
- ``runs/part-NNNNN.parquet``: the runs table in parts, one row per finished run: run_id, point,
  scenario, replication, seed, every registry parameter, every outcome and diagnostic.
- ``timeseries/part-NNNNN.parquet``: optional per-week rows of the same runs: run_id, point,
  scenario, replication, week and the series columns.

A part is written to a temporary name in its folder, flushed to the disk and moved into place
with ``os.replace``, so a part is either whole or absent whatever interrupts the sweep. The runs
part is written after its time-series part and is the commit point: a run is done when its row is
in a runs part, and a time-series part without its runs part is an orphan that resume removes.

Nothing read back can be silently wrong. The manifest's ``parts`` holds the SHA-256 and the row
count of every part, written before the part is moved into place; every read checks the part
against it, and Parquet's page checksums as well. A part the manifest does not list (copied from
another folder), one whose hash differs (damaged), or one whose rows do not belong to the plan
(run id, point, replication and seed, and the experiment's hash in the part's metadata) is named
in a one-line error and never mixed in. A listed part that is missing is an error too, except the
last one, which an interrupted sweep may not have moved into place yet. On resume, a runs part
whose time-series part is missing or damaged is removed with it, and its runs are redone, which
regenerates their series.

Every file is written through descriptors of the results folder and its sub-folders, opened
without following symbolic links (:mod:`cxo_sim.experiments.safe_files`), and before each part
the sweep checks that those folders are still the ones at their names: nothing is ever written
through a link, into or out of the folder. Reading back is :mod:`cxo_sim.experiments.reading`'s.
Covered by ``tests/experiments/test_integrity.py`` and ``test_storage_truth.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxo_sim.errors import UserError, one_line
from cxo_sim.experiments.reading import (
    EXPERIMENT_KEY,
    MANIFEST,
    RUN_IDENTITY,
    RUNS,
    TIMESERIES,
    _check_runs_parts,
    _entry,
    _frame,
    _key,
    _listed_numbers,
    _name,
    _parts,
    _read_bytes,
    _runs_tables,
    load_manifest,
    runs_schema,
)
from cxo_sim.experiments.safe_files import (
    _TEMP_PREFIX,
    _commit,
    _json_bytes,
    _open_dir,
    _refuse_link,
    open_folder,
)

# What cxo-sim writes into a results folder: --fresh discards these and nothing else silently.
OURS = (
    MANIFEST,
    RUNS,
    TIMESERIES,
    "figures",
    "report.html",
    "summary.csv",
    "runs.csv",
    "sensitivity",
    "search",
)


@dataclass
class ResultsFolder:
    """The folder a sweep writes into, opened by exactly one sweep at a time.

    Attributes:
        path: ``<root>/<name>``.
        manifest: the manifest as last written.
        stored: ids of the runs stored when the folder was opened.
    """

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    stored: set[int] = field(default_factory=set)
    _next_part: int = 0
    _lock: Any = None
    # Descriptors of the folder ("") and of its runs and timeseries folders, opened without
    # following links: every file is written through them.
    _folders: dict[str, int] = field(default_factory=dict)

    def write_part(self, rows: list[dict[str, Any]], series: list[pd.DataFrame]) -> None:
        """Store finished runs as a new part: the time series first, the runs row last.

        The manifest lists the part's hash before the part is moved into place; the folders
        are checked to be still in place before and after.
        """
        if not rows:
            return
        name = _name(self._next_part)
        metadata = {EXPERIMENT_KEY: str(self.manifest.get("experiment_hash")).encode()}
        staged = []
        if series:
            frame = pd.concat(series, ignore_index=True)
            table = pa.Table.from_pandas(frame, preserve_index=False)
            where = self.path / TIMESERIES / name
            staged.append((TIMESERIES, _parquet_bytes(table, metadata, where), len(frame)))
        posterior = self.manifest.get("posterior") or {}
        table = pa.Table.from_pylist(rows, schema=runs_schema(posterior.get("constants", ())))
        where = self.path / RUNS / name
        staged.append((RUNS, _parquet_bytes(table, metadata, where), len(rows)))
        self.check_in_place()
        parts = dict(self.manifest.get("parts") or {})
        parts.update({f"{kind}/{name}": _entry(data, count) for kind, data, count in staged})
        self.update_manifest(parts=parts)
        for kind, data, _ in staged:
            _commit(self._folders[kind], name, data, self.path / kind / name)
        self._next_part += 1
        self.check_in_place()

    def update_manifest(self, **changes: Any) -> None:
        """Change manifest entries and rewrite the file atomically."""
        self.manifest.update(changes)
        _commit(self._folders[""], MANIFEST, _json_bytes(self.manifest), self.path / MANIFEST)

    def check_in_place(self) -> None:
        """Refuse to go on if the folder, or its runs or timeseries folder, was moved or replaced.

        Writes go through descriptors, so they never follow a link put in a folder's place;
        this check makes the sweep say so instead of claiming runs stored where they are not.
        """
        for sub, descriptor in self._folders.items():
            where = self.path / sub if sub else self.path
            try:
                now = (
                    os.stat(sub, dir_fd=self._folders[""], follow_symlinks=False)
                    if sub
                    else os.lstat(self.path)
                )
                same = os.path.samestat(now, os.fstat(descriptor))
            except OSError:
                same = False
            if not same:
                raise UserError(
                    f"{where}: was moved or replaced (by a symbolic link?) while the sweep wrote "
                    "to it; nothing was written elsewhere: put it back and rerun the sweep"
                )

    def close(self) -> None:
        """Release the folder for other sweeps."""
        for descriptor in self._folders.values():
            os.close(descriptor)
        self._folders = {}
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def check_results_folder(path: Path, manifest: dict[str, Any], *, fresh: bool) -> str:
    """Say what a sweep described by ``manifest`` may do with ``path``, touching nothing.

    Returns ``"new"`` (nothing there yet), ``"resume"`` (results of this very experiment file,
    run with the same software) or ``"fresh"`` (earlier results to discard, as asked). Raises
    ``UserError`` if the folder holds something else and ``fresh`` was not given, or if it is
    not a results folder at all (never discarded, whatever ``fresh`` says).
    """
    if path.is_symlink():
        raise UserError(
            f"{path}: is a symbolic link; give --out the folder it points into, or remove it"
        )
    if not path.exists():
        return "new"
    if not path.is_dir():
        raise UserError(f"{path}: is a file, not a results folder; remove it or use --out")
    _refuse_link(path / MANIFEST)
    if not (path / MANIFEST).is_file():
        if any(path.iterdir()):
            raise UserError(
                f"{path}: holds files but no {MANIFEST}, so it is not a cxo-sim results folder; "
                "move it away or choose another --out"
            )
        return "new"
    if fresh:
        foreign = sorted(
            e.name
            for e in path.iterdir()
            if e.name not in OURS and not e.name.startswith(_TEMP_PREFIX)
        )
        if foreign:
            shown = ", ".join(foreign[:3]) + (
                f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            )
            raise UserError(
                f"{path}: --fresh would also discard {shown}, which cxo-sim did not write; "
                "move them out first"
            )
        return "fresh"
    try:
        earlier = load_manifest(path)
    except UserError as exc:
        raise UserError(f"{exc}; rerun with --fresh to start this experiment over") from None
    if earlier.get("experiment_hash") != manifest["experiment_hash"]:
        raise UserError(
            f"{path}: holds results of a different experiment ({earlier.get('experiment_file')}, "
            f"started {earlier.get('started')}) than {manifest['experiment_file']} as it is now; "
            "rerun with --fresh to discard them, or give the experiment another name"
        )
    if earlier.get("versions") != manifest["versions"]:
        raise UserError(
            f"{path}: was started with other software versions ({_versions(earlier)}) than now "
            f"({_versions(manifest)}); rerun with --fresh so no table mixes model versions"
        )
    if earlier.get("posterior") != manifest.get("posterior"):
        raise UserError(
            f"{path}: was started with another posterior (or none); rerun with --fresh so no "
            "table mixes constants drawn from two posteriors"
        )
    if earlier.get("model_fingerprint") != manifest.get("model_fingerprint"):
        raise UserError(
            f"{path}: was started with another version of the model's code; rerun with --fresh "
            "so no table mixes model versions"
        )
    return "resume"


def open_results_folder(path: Path, manifest: dict[str, Any], *, fresh: bool) -> ResultsFolder:
    """Take the folder for one sweep: lock it, check it, discard it if ``fresh``, tidy it.

    On resume the earlier manifest is kept, with ``runs_done`` set to the runs really stored,
    and rewritten only if that changed anything: a failed or no-op resume leaves it as it was.
    A runs part whose time-series part is missing, cannot be read or differs from its hash is
    removed with it, so that resume redoes those runs and regenerates their series; a listed
    part that is absent is forgotten, so its runs are redone.
    """
    if check_results_folder(path, manifest, fresh=fresh) == "fresh":
        with contextlib.closing(_FolderLock(path)):
            _discard(path)
    path.mkdir(parents=True, exist_ok=True)
    folder = ResultsFolder(path, _lock=_FolderLock(path))
    try:
        state = check_results_folder(path, manifest, fresh=False)
        folder._folders[""] = _open_dir(path, None, path)
        for sub in (RUNS, TIMESERIES):
            _refuse_link(path / sub)
            folder._folders[sub] = open_folder(path / sub, anchor=path, create=True)
        earlier = load_manifest(path) if state == "resume" else {}
        parts = _tidy(path, earlier.get("parts"))
        current = {**earlier, "parts": parts} if state == "resume" else {}
        folder.stored = _stored_ids(path, current)
        numbers = set(_parts(path / RUNS)) | set(_parts(path / TIMESERIES))
        numbers |= _listed_numbers(parts or {}, RUNS) | _listed_numbers(parts or {}, TIMESERIES)
        folder._next_part = max(numbers, default=-1) + 1
        if state == "resume":
            if parts is None:  # written before manifests held hashes: adopt what is there
                parts = _adopt(path)
            folder.manifest = {**earlier, "parts": parts, "runs_done": len(folder.stored)}
            if folder.manifest["runs_done"] < folder.manifest["runs_planned"]:
                folder.manifest["finished"] = None
            if folder.manifest != earlier:
                folder.update_manifest()
        else:
            folder.manifest = {**manifest, "parts": {}}
            folder.update_manifest()
    except BaseException:
        folder.close()
        raise
    return folder


def _stored_ids(path: Path, manifest: dict[str, Any]) -> set[int]:
    tables = _runs_tables(path, manifest, columns=list(RUN_IDENTITY))
    columns = {part: _frame(part, table) for part, table in tables.items()}
    _check_runs_parts(columns)
    return {int(i) for frame in columns.values() for i in frame["run_id"]}


def _adopt(path: Path) -> dict[str, Any]:
    """Manifest entries for the parts of a folder written before manifests held hashes."""
    parts = {}
    for kind in (RUNS, TIMESERIES):
        for part in _parts(path / kind).values():
            data = _read_bytes(part)
            rows = pq.read_metadata(pa.BufferReader(data)).num_rows
            parts[_key(part)] = _entry(data, rows)
    return parts


def _versions(manifest: dict[str, Any]) -> str:
    versions = manifest.get("versions") or {}
    return ", ".join(f"{k} {v}" for k, v in versions.items())


def _parquet_bytes(table: pa.Table, metadata: dict[bytes, bytes], where: Path) -> bytes:
    """A table as a Parquet file's bytes, with page checksums and ``metadata`` in its schema."""
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    sink = pa.BufferOutputStream()
    try:
        pq.write_table(table, sink, write_page_checksum=True)
    except OSError as exc:
        raise UserError(f"{where}: cannot write: {exc.strerror or one_line(exc)}") from None
    return sink.getvalue().to_pybytes()


def _tidy(path: Path, listed: dict[str, Any] | None) -> dict[str, Any] | None:
    """Remove what an interrupted sweep can leave, and parts whose series are lost.

    Removes temporary files, orphan time-series parts, manifest entries of parts that are
    absent, and a runs part (with its entries) whose time-series part is missing, unreadable or
    not the one its hash says. Returns the manifest's entries as they now are (None: the
    manifest holds none).
    """
    for folder in (path, path / RUNS, path / TIMESERIES):
        for entry in folder.iterdir():
            if entry.name.startswith(_TEMP_PREFIX) and entry.is_file():
                entry.unlink()
    committed = _parts(path / RUNS)
    series = _parts(path / TIMESERIES)
    parts = None if listed is None else dict(listed)
    for number, part in series.items():
        if number not in committed:
            part.unlink()
    if parts is not None:
        for number in _listed_numbers(parts, RUNS) - set(committed):
            parts.pop(f"{RUNS}/{_name(number)}", None)
            parts.pop(f"{TIMESERIES}/{_name(number)}", None)
    for number, part in committed.items():
        ts = path / TIMESERIES / _name(number)
        expected = None if parts is None else parts.get(_key(ts))
        lost = expected is not None and number not in series
        if number in series and not lost:
            lost = not _series_intact(ts, expected)
        if lost:
            part.unlink()
            ts.unlink(missing_ok=True)
            if parts is not None:
                parts.pop(_key(part), None)
                parts.pop(_key(ts), None)
    return parts


def _series_intact(part: Path, expected: dict[str, Any] | None) -> bool:
    """Whether a time-series part reads (legacy) or matches its recorded hash (cheap, no scan)."""
    try:
        if expected is not None:
            return hashlib.sha256(_read_bytes(part)).hexdigest() == expected.get("sha256")
        pq.read_metadata(part)
    except (OSError, pa.ArrowException):
        return False
    return True


def _discard(path: Path) -> None:
    """Remove an earlier results folder: renamed aside first, so a crash leaves no half folder."""
    for leftover in path.parent.glob(f".{path.name}.discarded-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    aside = path.with_name(f".{path.name}.discarded-{os.getpid()}")
    os.replace(path, aside)
    shutil.rmtree(aside)


class _FolderLock:
    """An exclusive advisory lock on the folder itself, released when the process ends."""

    def __init__(self, path: Path):
        self.descriptor = os.open(path, os.O_RDONLY)
        try:
            import fcntl
        except ImportError:  # no advisory locks on this platform: one sweep at a time by trust
            return
        try:
            fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.descriptor)
            raise UserError(
                f"{path}: another sweep is writing to this folder; wait for it or stop it"
            ) from None

    def close(self) -> None:
        os.close(self.descriptor)
