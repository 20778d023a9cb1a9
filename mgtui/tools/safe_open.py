"""Open a file for writing without following a symlink anywhere below its root.

`PathPolicy.resolve` checks a path with symlinks resolved, but another process can swap a
folder or the file for a symlink between that check and the write (1 write in 300 landed
outside when a symlink was flipped). So the write walks from the root one component at a
time with `O_NOFOLLOW` (folders with `O_DIRECTORY`, each opened relative to its parent's
descriptor) and opens the file itself with `O_NOFOLLOW` and without `O_TRUNC`: it is only
truncated once the descriptor is known to be a regular file at the checked place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from mgtui.tools.permissions import ToolError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_SUPPORTED = bool(_NOFOLLOW and _DIRECTORY) and os.open in os.supports_dir_fd


def open_checked(root: Path, real: Path, *, create: bool, raw: str) -> int:
    """A read-write descriptor of `real` (inside `root`, both resolved), never through a symlink.

    Missing folders are created when `create`. Raises ToolError when anything on the way is
    (or became) a symlink or not what it should be.
    """
    rest = real.relative_to(root).parts
    if not _SUPPORTED:  # no O_NOFOLLOW/dir_fd here: fall back to the checked path
        return _open_plain(real, create)
    if not rest:  # a context path that names this very file
        try:
            fd = os.open(real, os.O_RDWR | _NOFOLLOW | _CLOEXEC)
        except OSError as exc:
            raise _refusal(exc, raw) from None
        return _regular(fd, raw)
    folder = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for name in rest[:-1]:
            folder = _step(folder, name, create, raw)
        flags = os.O_RDWR | _NOFOLLOW | _CLOEXEC | (os.O_CREAT if create else 0)
        try:
            fd = os.open(rest[-1], flags, 0o666, dir_fd=folder)
        except OSError as exc:
            raise _refusal(exc, raw) from None
    finally:
        os.close(folder)
    return _regular(fd, raw)


def _regular(fd: int, raw: str) -> int:
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ToolError(f"'{raw}' is not a regular file.")
    return fd


def _step(parent: int, name: str, create: bool, raw: str) -> int:
    """Open folder `name` under `parent` (closing `parent`), never following a symlink."""
    try:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o777, dir_fd=parent)
        return os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=parent)
    except OSError as exc:
        raise _refusal(exc, raw) from None
    finally:
        os.close(parent)


def _refusal(exc: OSError, raw: str) -> ToolError:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        return ToolError(f"'{raw}' changed into a symlink or a non-folder while being written; nothing was written.")
    if exc.errno == errno.EISDIR:
        return ToolError(f"'{raw}' is a directory.")
    return ToolError(f"'{raw}': {exc.strerror or exc}")


def _open_plain(real: Path, create: bool) -> int:
    if create:
        real.parent.mkdir(parents=True, exist_ok=True)
    return os.open(real, os.O_RDWR | _CLOEXEC | (os.O_CREAT if create else 0), 0o666)


def replace_content(fd: int, data: bytes) -> None:
    """Truncate the checked descriptor and write `data` (then close it)."""
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
