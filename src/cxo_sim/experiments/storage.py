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
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxo_sim.errors import UserError, one_line
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
    """
    folder = _results_folder(path)
    parts = sorted(_parts(folder / RUNS).values())
    if not parts:
        return runs_schema().empty_table().to_pandas()
    frames = [_read_part(p) for p in parts]
    _check_runs_parts(dict(zip(parts, frames, strict=True)))
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


def load_timeseries(path: str | Path) -> pd.DataFrame | None:
    """The per-week rows of every finished run, sorted by run_id and week; None if not stored."""
    folder = _results_folder(path)
    committed = _parts(folder / RUNS)
    parts = [p for n, p in sorted(_parts(folder / TIMESERIES).items()) if n in committed]
    if not parts:
        return None
    frame = pd.concat([_read_part(p) for p in parts], ignore_index=True)
    return frame.sort_values(["run_id", "week"], kind="stable").reset_index(drop=True)


def stored_run_ids(path: str | Path) -> set[int]:
    """Ids of the runs stored in a results folder (reads the identity columns only).

    Raises:
        UserError: a part is damaged, is not a runs part, or repeats runs of another part.
    """
    columns = {}
    for part in sorted(_parts(Path(path) / RUNS).values()):
        try:
            names = pq.read_schema(part).names
            if set(RUN_IDENTITY) <= set(names) and "week" not in names:
                names = list(RUN_IDENTITY)
            columns[part] = pq.read_table(part, columns=names).to_pandas()
        except (OSError, pa.ArrowException) as exc:
            raise UserError(
                f"{part}: damaged part file ({one_line(exc)}); delete it and rerun the sweep"
            ) from None
    _check_runs_parts(columns)
    return {int(i) for frame in columns.values() for i in frame["run_id"]}


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


def _read_part(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, pa.ArrowException) as exc:
        raise UserError(
            f"{path}: damaged part file ({one_line(exc)}); delete it and rerun the sweep"
        ) from None


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

    def write_part(self, rows: list[dict[str, Any]], series: list[pd.DataFrame]) -> None:
        """Store finished runs as a new part: the time series first, the runs row last."""
        if not rows:
            return
        name = f"part-{self._next_part:05d}.parquet"
        self._next_part += 1
        if series:
            frame = pd.concat(series, ignore_index=True)
            _write_atomically(
                pa.Table.from_pandas(frame, preserve_index=False), self.path / TIMESERIES / name
            )
        posterior = self.manifest.get("posterior") or {}
        table = pa.Table.from_pylist(rows, schema=runs_schema(posterior.get("constants", ())))
        _write_atomically(table, self.path / RUNS / name)

    def update_manifest(self, **changes: Any) -> None:
        """Change manifest entries and rewrite the file atomically."""
        self.manifest.update(changes)
        write_json_atomically(self.path / MANIFEST, self.manifest)

    def close(self) -> None:
        """Release the folder for other sweeps."""
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
    A time-series part that cannot be read is removed with its runs part, so that resume
    redoes those runs and regenerates their series.
    """
    if check_results_folder(path, manifest, fresh=fresh) == "fresh":
        with contextlib.closing(_FolderLock(path)):
            _discard(path)
    path.mkdir(parents=True, exist_ok=True)
    folder = ResultsFolder(path, _lock=_FolderLock(path))
    try:
        state = check_results_folder(path, manifest, fresh=False)
        for sub in (RUNS, TIMESERIES):
            _refuse_link(path / sub)
            (path / sub).mkdir(exist_ok=True)
        _tidy(path)
        folder.stored = stored_run_ids(path)
        numbers = set(_parts(path / RUNS)) | set(_parts(path / TIMESERIES))
        folder._next_part = max(numbers, default=-1) + 1
        if state == "resume":
            earlier = load_manifest(path)
            folder.manifest = {**earlier, "runs_done": len(folder.stored)}
            if folder.manifest["runs_done"] < folder.manifest["runs_planned"]:
                folder.manifest["finished"] = None
            if folder.manifest != earlier:
                folder.update_manifest()
        else:
            folder.manifest = dict(manifest)
            folder.update_manifest()
    except BaseException:
        folder.close()
        raise
    return folder


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


def write_output(path: Path, write: Callable[[Path], Any]) -> Path:
    """Write one of a results folder's own files (a report, a table) and return its path.

    ``write`` writes to a temporary name beside ``path``, which is then moved onto it: a reader
    never sees half a file, and a failed write leaves the old one. A symbolic link in its place
    is refused, since writing through it would change a file elsewhere.
    """
    _refuse_link(path)
    with _temporary(path) as temp:
        write(temp)
    return path


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write JSON to a temporary file in the same folder and move it into place."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    with _temporary(path) as temp:
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())


def _write_atomically(table: pa.Table, path: Path) -> None:
    with _temporary(path) as temp:
        pq.write_table(table, temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())


@contextlib.contextmanager
def _temporary(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path``, moved onto it on success and removed on failure."""
    temp = path.with_name(f"{_TEMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable across a power loss (POSIX; a no-op where folders cannot open)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _tidy(path: Path) -> None:
    """Remove what an interrupted sweep can leave: temporary files, orphan time-series parts."""
    for folder in (path, path / RUNS, path / TIMESERIES):
        for entry in folder.iterdir():
            if entry.name.startswith(_TEMP_PREFIX) and entry.is_file():
                entry.unlink()
    committed = _parts(path / RUNS)
    for number, part in _parts(path / TIMESERIES).items():
        if number not in committed:
            part.unlink()
        elif not _readable(part):
            committed[number].unlink()
            part.unlink()


def _readable(part: Path) -> bool:
    """Whether a Parquet part's footer reads (a part cut short has none); cheap, not a scan."""
    try:
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
