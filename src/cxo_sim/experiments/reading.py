"""Reading a results folder back: the manifest, the runs and the time series, every part checked.

A part the manifest does not list, one whose hash or Parquet checksums differ, or one whose rows
do not belong to the plan is named in a one-line error and never mixed in (the layout is
:mod:`cxo_sim.experiments.storage`'s). Covered by ``tests/experiments/test_storage_truth.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxo_sim.errors import UserError, one_line
from cxo_sim.experiments.seeds import run_seed
from cxo_sim.experiments.spec import nearby
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import PARAMETERS

MANIFEST = "manifest.json"


# Prefix of the runs table's columns holding a run's drawn constants (over a posterior).
COLUMN_PREFIX = "const:"


RUNS = "runs"


TIMESERIES = "timeseries"


RUN_IDENTITY = ("run_id", "point", "scenario", "replication")


_PART = re.compile(r"part-(\d{5,})\.parquet")


# Key of a part's Parquet metadata holding the hash of the experiment that wrote it.
EXPERIMENT_KEY = b"cxo_sim.experiment_hash"


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
        raise UserError(f"{folder}: no such results folder{nearby(folder, folders=True)}")
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
