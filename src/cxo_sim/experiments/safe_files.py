"""Writes that stay inside a folder: no file is written through a symbolic link.

Every file is written whole to a temporary name, flushed and moved into place with
``os.replace``, through descriptors of its folder opened without following links. Used by the
results folder (:mod:`cxo_sim.experiments.storage`), calibrations, reports and ``cxo-sim run``.
Covered by ``tests/test_faults.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxo_sim.errors import UserError, one_line

_TEMP_PREFIX = ".tmp-"


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


_FILE_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def _refuse_link(path: Path) -> None:
    """Refuse a symbolic link where a file or folder of a results folder should be.

    Writing or deleting through it would change files elsewhere.
    """
    if path.is_symlink():
        raise UserError(
            f"{path}: is a symbolic link; a results folder holds its own files, "
            "so move the link away"
        )


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
        _replace_atomically(folder, path.name, path, lambda temp: write(through / temp))
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
    """Write ``data`` as ``name`` in the folder of descriptor ``folder``, atomically."""

    def fill(temp: str) -> None:
        descriptor = os.open(temp, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=folder)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)

    _replace_atomically(folder, name, where, fill)


def _replace_atomically(folder: int, name: str, where: Path, fill: Callable[[str], Any]) -> None:
    """Make ``name`` in the folder of descriptor ``folder`` anew, atomically, following no link.

    A new temporary file is created in the same folder (never opened through a link),
    ``fill(temp)`` writes it by its name, it is flushed to the disk and moved onto ``name``; a
    link in ``name``'s place is refused before and again just before the move. ``where`` names
    the file in errors; a failure leaves the old file and no temporary one.
    """
    _refuse_link_at(folder, name, where)
    temp = f"{_TEMP_PREFIX}{os.getpid()}-{name}"
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=folder)
        os.close(os.open(temp, _FILE_FLAGS, 0o644, dir_fd=folder))  # ours, not a link
        try:
            fill(temp)
            descriptor = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=folder)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            _refuse_link_at(folder, name, where)
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
