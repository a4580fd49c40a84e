"""The results folder of a sweep, and the functions that read it back.

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
without following symbolic links, and before each part the sweep checks that those folders are
still the ones at their names: nothing is ever written through a link, into or out of the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxo_sim.errors import UserError, one_line
from cxo_sim.experiments.seeds import run_seed
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import PARAMETERS

MANIFEST = "manifest.json"
# Prefix of the runs table's columns holding a run's drawn constants (over a posterior).
COLUMN_PREFIX = "const:"
RUNS = "runs"
TIMESERIES = "timeseries"
RUN_IDENTITY = ("run_id", "point", "scenario", "replication")
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
)
_PART = re.compile(r"part-(\d{5,})\.parquet")
_TEMP_PREFIX = ".tmp-"
# Key of a part's Parquet metadata holding the hash of the experiment that wrote it.
EXPERIMENT_KEY = b"cxo_sim.experiment_hash"
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_ARROW_KINDS = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "choice": pa.string()}


def runs_schema(constants: Iterable[str] = ()) -> pa.Schema:
    """Columns and types of the runs table: identity, seed, parameters, outcomes, diagnostics.

    ``constants``: the constants a sweep over a posterior draws, one column each
    (``const:<NAME>``, after the diagnostics).
    """
    fields = [
        pa.field("run_id", pa.int64()),
        pa.field("point", pa.int64()),
        pa.field("scenario", pa.string()),
        pa.field("replication", pa.int64()),
        pa.field("seed", pa.int64()),
    ]
    fields += [pa.field(p.name, _ARROW_KINDS[p.kind]) for p in PARAMETERS.values()]
    fields += [pa.field(name, pa.float64()) for name in OUTCOME_NAMES + DIAGNOSTIC_NAMES]
    fields += [pa.field(COLUMN_PREFIX + name, pa.float64()) for name in constants]
    return pa.schema(fields)


# ---------------------------------------------------------------------- reading
# Manifest entries readers rely on, with the types they must have when present (a reader
# that needs one says so when it is missing).
MANIFEST_FIELDS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "experiment_hash": (str,),
    "steps": (int,),
    "replications": (int,),
    "runs_planned": (int,),
    "runs_done": (int,),
    "started": (str,),
    "finished": (str, type(None)),
    "versions": (dict,),
    "seed": (int,),
    "design": (dict,),
    "parts": (dict,),
}


def load_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a results folder as a dict; ``UserError`` if it is not one."""
    folder = _results_folder(path)
    file = folder / MANIFEST
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{file}: cannot read the manifest: {exc}") from None
    if not isinstance(manifest, dict):
        raise UserError(
            f"{file}: not a cxo-sim manifest (a JSON object), but {type(manifest).__name__}"
        )
    for key, kinds in MANIFEST_FIELDS.items():
        value = manifest.get(key)
        if key in manifest and (not isinstance(value, kinds) or isinstance(value, bool)):
            expected = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
            raise UserError(
                f"{file}: not a cxo-sim manifest: {key} should be {expected}, got {value!r:.40}"
            )
    return manifest


def load_results(path: str | Path) -> pd.DataFrame:
    """The runs table of a results folder, one row per finished run, sorted by run_id.

    A sweep still running or interrupted gives the runs finished so far; a folder without any
    gives an empty table with the usual columns.

    Raises:
        UserError: a part is damaged, missing, foreign, or holds rows of another sweep.
    """
    folder = _results_folder(path)
    manifest = load_manifest(folder)
    frames = {part: _frame(part, t) for part, t in _runs_tables(folder, manifest).items()}
    if not frames:
        return runs_schema().empty_table().to_pandas()
    _check_runs_parts(frames)
    frame = pd.concat(frames.values(), ignore_index=True)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


def load_timeseries(path: str | Path) -> pd.DataFrame | None:
    """The per-week rows of every finished run, sorted by run_id and week; None if not stored.

    Raises:
        UserError: a part is damaged, foreign or holds rows of another sweep, or the series
            part of a stored runs part is missing (rerunning the sweep regenerates it).
    """
    folder = _results_folder(path)
    manifest = load_manifest(folder)
    runs = _runs_tables(folder, manifest, columns=["run_id"])
    listed = manifest.get("parts")
    present = _parts(folder / TIMESERIES)
    ids = {i for table in runs.values() for i in table.column("run_id").to_pylist()}
    frames = []
    for number, runs_part in sorted(_numbered(runs).items()):
        part = folder / TIMESERIES / runs_part.name
        if number not in present:
            if listed is not None and _key(part) in listed:
                raise UserError(
                    f"{part}: missing, so the report would lack the series of its runs; "
                    "run the sweep again to regenerate it"
                )
            continue
        table = _read_part(part, manifest)
        names = table.schema.names
        held = set(table.column("run_id").to_pylist()) if "run_id" in names else {None}
        if held - ids:
            raise UserError(
                f"{part}: holds series of runs the runs table does not "
                f"({sorted(held - ids, key=str)[0]}); a part from another sweep? "
                f"move it out of {part.parent}"
            )
        frame = _frame(part, table)
        if frames and list(frame.columns) != list(frames[0].columns):
            raise UserError(
                f"{part}: damaged part file (its columns are not those of the other series "
                "parts); delete it and rerun the sweep"
            )
        frames.append(frame)
    if not frames:
        return None
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["run_id", "week"], kind="stable").reset_index(drop=True)


def stored_run_ids(path: str | Path) -> set[int]:
    """Ids of the runs stored in a results folder.

    Raises:
        UserError: a part is damaged, missing, is not a runs part, holds rows of another sweep,
            or repeats runs of another part.
    """
    folder = Path(path)
    manifest = load_manifest(folder)
    tables = _runs_tables(folder, manifest, columns=list(RUN_IDENTITY))
    columns = {part: _frame(part, table) for part, table in tables.items()}
    _check_runs_parts(columns)
    return {int(i) for frame in columns.values() for i in frame["run_id"]}


def _runs_tables(
    folder: Path, manifest: dict[str, Any], columns: list[str] | None = None
) -> dict[Path, pa.Table]:
    """Every committed runs part, checked (hash, checksums, identity), by path in number order.

    A part the manifest lists but that is absent is an error, unless it is the last one listed
    (an interrupted or running sweep may not have moved it into place yet).
    """
    present = _parts(folder / RUNS)
    listed = manifest.get("parts")
    if listed is not None:
        numbers = sorted(_listed_numbers(listed, RUNS))
        for number in numbers[:-1]:
            if number not in present:
                raise UserError(
                    f"{folder / RUNS / _name(number)}: missing, though the manifest lists it; "
                    "run the sweep again to redo its runs"
                )
    tables = {}
    for _, part in sorted(present.items()):
        table = _read_part(part, manifest)
        names = table.schema.names
        if set(RUN_IDENTITY) <= set(names) and "week" not in names:
            _check_columns(part, table.schema, manifest)
            _check_identity(part, table, manifest)
            if columns is not None:
                table = table.select(columns)
        tables[part] = table
    return tables


def _frame(part: Path, table: pa.Table) -> pd.DataFrame:
    """A part's table as a data frame; a damaged pandas schema in its metadata is one line."""
    try:
        return table.to_pandas()
    except (ValueError, TypeError, KeyError, pa.ArrowException) as exc:
        raise UserError(
            f"{part}: damaged part file ({one_line(exc)[:200]}); delete it and rerun the sweep"
        ) from None


def _check_runs_parts(frames: dict[Path, pd.DataFrame]) -> None:
    """Refuse a part that is not a runs part (a time-series part) or repeats stored runs.

    A copied part would count its runs twice and make every interval too narrow.
    """
    seen: dict[int, Path] = {}
    for part, frame in frames.items():
        if not set(RUN_IDENTITY) <= set(frame.columns) or "week" in frame.columns:
            raise UserError(
                f"{part}: not a runs part (its columns are not the runs table's); "
                f"move it out of {part.parent}"
            )
        ids = frame["run_id"].tolist()
        repeated = [i for i in ids if i in seen] or frame.loc[
            frame["run_id"].duplicated(), "run_id"
        ].tolist()
        if repeated:
            other = seen.get(repeated[0], part)
            raise UserError(
                f"{part}: repeats run {repeated[0]} of {other.name}, so runs would count twice; "
                "a copied part? move it out of the folder"
            )
        seen.update(dict.fromkeys(ids, part))


def _check_columns(part: Path, schema: pa.Schema, manifest: dict[str, Any]) -> None:
    """Refuse a runs part with a column the runs table does not have, or of another type.

    A folder of an older cxo-sim may lack columns added since, but never has unknown ones.
    """
    posterior = manifest.get("posterior") or {}
    constants = posterior.get("constants", ()) if isinstance(posterior, dict) else ()
    expected = runs_schema(constants)
    names = schema.names
    for name in names:
        index = expected.get_field_index(name)
        if index < 0 and not name.startswith(COLUMN_PREFIX):
            problem = f"unknown column {name!r}"
        elif names.count(name) > 1:
            problem = f"column {name!r} twice"
        elif index >= 0 and _kind(schema.field(name).type) != _kind(expected.field(index).type):
            problem = f"column {name!r} of type {schema.field(name).type}"
        else:
            continue
        raise UserError(
            f"{part}: not a runs part of this folder ({problem}); damaged or from another "
            f"sweep? move it out of {part.parent}"
        )


def _kind(kind: pa.DataType) -> str:
    """A column type's family: a part written by pandas may hold large strings or int32s."""
    for family, test in (
        ("string", pa.types.is_string),
        ("string", pa.types.is_large_string),
        ("int", pa.types.is_integer),
        ("float", pa.types.is_floating),
        ("bool", pa.types.is_boolean),
    ):
        if test(kind):
            return family
    return str(kind)


def _check_identity(part: Path, table: pa.Table, manifest: dict[str, Any]) -> None:
    """Refuse rows that are not runs of this sweep's plan, or a part of another experiment.

    Every row's run id must be ``point * replications + replication`` with both in range, and
    its seed the one the plan gives its replication (``seeds.run_seed``).
    """
    written_by = (table.schema.metadata or {}).get(EXPERIMENT_KEY)
    expected = manifest.get("experiment_hash")
    written_by = None if written_by is None else written_by.decode(errors="replace")
    if written_by is not None and expected is not None and written_by != expected:
        raise UserError(
            f"{part}: written by another experiment (its hash {written_by[:12]!r} is not "
            f"this folder's {expected[:12]}); a part from another sweep? move it out of "
            f"{part.parent}"
        )
    replications = manifest.get("replications")
    points = (manifest.get("design") or {}).get("points")
    base_seed = manifest.get("seed")
    columns = {name: table.column(name).to_pylist() for name in ("run_id", "point", "replication")}
    seeds = table.column("seed").to_pylist() if "seed" in table.schema.names else None
    planned_seeds: dict[int, int] = {}
    for row, (run_id, point, replication) in enumerate(zip(*columns.values(), strict=True)):
        problem = None
        if isinstance(replications, int) and not (
            0 <= replication < replications and run_id == point * replications + replication
        ):
            problem = f"point {point}, replication {replication} do not give run id {run_id}"
        elif isinstance(points, int) and not 0 <= point < points:
            problem = f"point {point} is not among the {points} configurations"
        elif seeds is not None and isinstance(base_seed, int):
            if replication not in planned_seeds:
                planned_seeds[replication] = run_seed(base_seed, replication)
            if seeds[row] != planned_seeds[replication]:
                problem = f"seed {seeds[row]} is not the planned {planned_seeds[replication]}"
        if problem:
            raise UserError(
                f"{part}: run {run_id} is not one of this sweep's ({problem}); a part from "
                f"another sweep? move it out of {part.parent}"
            )


def _results_folder(path: str | Path) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such results folder")
    if not (folder / MANIFEST).is_file():
        raise UserError(
            f"{folder}: not a results folder (no {MANIFEST}); "
            "create one with `cxo-sim sweep EXPERIMENT.toml`"
        )
    return folder


def _parts(folder: Path) -> dict[int, Path]:
    """Committed part files of a folder by number (temporary files are never listed)."""
    if not folder.is_dir():
        return {}
    found = {}
    for entry in folder.iterdir():
        match = _PART.fullmatch(entry.name)
        if match:
            found[int(match.group(1))] = entry
    return found


def _numbered(parts: Iterable[Path]) -> dict[int, Path]:
    return {int(_PART.fullmatch(p.name).group(1)): p for p in parts}


def _name(number: int) -> str:
    return f"part-{number:05d}.parquet"


def _key(part: Path) -> str:
    """A part's key in the manifest's ``parts``: ``runs/part-NNNNN.parquet``."""
    return f"{part.parent.name}/{part.name}"


def _listed_numbers(listed: dict[str, Any], kind: str) -> set[int]:
    numbers = set()
    for key in listed:
        folder, _, name = key.partition("/")
        match = _PART.fullmatch(name)
        if folder == kind and match:
            numbers.add(int(match.group(1)))
    return numbers


def _read_part(path: Path, manifest: dict[str, Any]) -> pa.Table:
    """A part as a table, checked against its hash in the manifest and its page checksums.

    A folder written before the manifest held hashes (no ``parts``) is checked by checksums
    and identity only.
    """
    try:
        data = _read_bytes(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or one_line(exc)}") from None
    listed = manifest.get("parts")
    if listed is not None:
        entry = listed.get(_key(path))
        if not isinstance(entry, dict):
            raise UserError(
                f"{path}: not written by this sweep (the manifest holds no hash for it); "
                f"a copied part? move it out of {path.parent}"
            )
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise UserError(
                f"{path}: damaged part file (its SHA-256 is not the one the manifest recorded); "
                "delete it and rerun the sweep"
            )
    try:
        table = pq.read_table(pa.BufferReader(data), page_checksum_verification=True)
        table.schema.names  # noqa: B018 (a flipped bit can make a name that is not UTF-8)
        return table
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise UserError(
            f"{path}: damaged part file ({one_line(exc)}); delete it and rerun the sweep"
        ) from None


def _read_bytes(path: Path) -> bytes:
    """A regular file's bytes, read without following a symbolic link."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(0, "not a regular file", str(path))
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)


def _entry(data: bytes, rows: int) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "rows": rows}


# ---------------------------------------------------------------------- writing
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


def _refuse_link(path: Path) -> None:
    """Refuse a symbolic link where a file or folder of a results folder should be.

    Writing or deleting through it would change files elsewhere.
    """
    if path.is_symlink():
        raise UserError(
            f"{path}: is a symbolic link; a results folder holds its own files, "
            "so move the link away"
        )


def _versions(manifest: dict[str, Any]) -> str:
    versions = manifest.get("versions") or {}
    return ", ".join(f"{k} {v}" for k, v in versions.items())


def write_output(path: Path, write: Callable[[Path], Any], *, root: Path | None = None) -> Path:
    """Write one of a folder's own files (a report, a table, a figure) and return its path.

    ``write`` writes to a temporary name beside ``path``, which is then moved onto it: a reader
    never sees half a file, and a failed write leaves the old one. No symbolic link is
    followed: not in the file's place, nor in any folder between ``root`` (default: the file's
    folder) and the file. On Linux the temporary file is reached through the folder's
    descriptor (``/proc/self/fd``), so a folder swapped for a link meanwhile cannot redirect
    it; elsewhere ``write`` writes into a scratch folder and the bytes are copied in.
    """
    _refuse_link(path)
    folder = open_folder(path.parent, anchor=root, create=True)
    try:
        through = Path(f"/proc/self/fd/{folder}")
        if not through.is_dir():
            with tempfile.TemporaryDirectory(prefix="cxo-sim-") as scratch:
                temp = Path(scratch) / path.name
                write(temp)
                _commit(folder, path.name, temp.read_bytes(), path)
            return path
        temp = f"{_TEMP_PREFIX}{os.getpid()}-{path.name}"
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp, dir_fd=folder)
            os.close(os.open(temp, _FILE_FLAGS, 0o644, dir_fd=folder))  # ours, not a link
            try:
                write(through / temp)
                flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                descriptor = os.open(temp, flags, dir_fd=folder)
                try:
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
                _refuse_link_at(folder, path.name, path)
                os.replace(temp, path.name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=folder)
                raise
        except OSError as exc:
            raise UserError(f"{path}: cannot write: {exc.strerror or one_line(exc)}") from None
        with contextlib.suppress(OSError):
            os.fsync(folder)
    finally:
        os.close(folder)
    return path


def write_bytes(path: Path, data: bytes, *, root: Path | None = None) -> None:
    """Write ``data`` to ``path`` atomically, following no link below ``root`` (see above)."""
    descriptor = open_folder(path.parent, anchor=root, create=True)
    try:
        _commit(descriptor, path.name, data, path)
    finally:
        os.close(descriptor)


def write_json_atomically(path: Path, data: dict[str, Any], *, root: Path | None = None) -> None:
    """Write JSON to a temporary file in the same folder and move it into place."""
    write_bytes(path, _json_bytes(data), root=root)


def open_folder(path: Path, *, anchor: Path | None = None, create: bool = False) -> int:
    """A descriptor of folder ``path``, following no symbolic link below ``anchor``.

    ``anchor`` (default: ``path`` itself) must be ``path`` or one of its parents; it is created
    with its parents if missing and ``create`` is given, and so is every folder below it.
    ``anchor`` itself and the links above it are the user's to choose and are followed.

    Raises:
        UserError: a link, a file or something unreadable where a folder should be.
    """
    anchor = path if anchor is None else anchor
    below = path.relative_to(anchor).parts
    if create and not anchor.is_symlink():
        try:
            anchor.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            pass
        except OSError as exc:
            raise UserError(f"{anchor}: cannot create the folder: {exc.strerror}") from None
    descriptor = _open_dir(anchor, None, anchor, follow=True)
    where = anchor
    try:
        for name in below:
            where = where / name
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, dir_fd=descriptor)
            inner = _open_dir(name, descriptor, where)
            os.close(descriptor)
            descriptor = inner
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _open_dir(name: str | Path, parent: int | None, where: Path, follow: bool = False) -> int:
    flags = _DIR_FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow else _DIR_FLAGS
    try:
        return os.open(name, flags, dir_fd=parent)
    except OSError as exc:
        try:
            mode = os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode
        except OSError:
            mode = None
        if mode is not None and stat.S_ISLNK(mode):
            raise UserError(
                f"{where}: is a symbolic link; cxo-sim writes only into real folders, "
                "so move the link away"
            ) from None
        if mode is not None and not stat.S_ISDIR(mode):
            raise UserError(f"{where}: is a file, not a folder; move it away") from None
        raise UserError(f"{where}: cannot open the folder: {exc.strerror}") from None


def _commit(folder: int, name: str, data: bytes, where: Path) -> None:
    """Write ``data`` as ``name`` in the folder of descriptor ``folder``, atomically.

    The bytes go to a new temporary file (created, never opened through a link), are flushed
    to the disk and moved onto ``name`` in the same folder. ``where`` names the file in errors.
    """
    _refuse_link_at(folder, name, where)
    temp = f"{_TEMP_PREFIX}{os.getpid()}-{name}"
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=folder)
        descriptor = os.open(temp, _FILE_FLAGS, 0o644, dir_fd=folder)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=folder)
            raise
    except OSError as exc:
        raise UserError(f"{where}: cannot write: {exc.strerror or one_line(exc)}") from None
    with contextlib.suppress(OSError):
        os.fsync(folder)


def _refuse_link_at(folder: int, name: str, where: Path) -> None:
    """Refuse a symbolic link named ``name`` in the folder of descriptor ``folder``."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
            raise UserError(
                f"{where}: is a symbolic link; writing through it would change a file "
                "elsewhere, so move the link away"
            )


def _json_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


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
