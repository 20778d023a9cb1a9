"""Open files mgtui reads for itself (session logs, their index, `@path` attachments) only when
they are regular files.

A FIFO (or a device) where a log should be made `open()` block for ever: one `mkfifo` in the log
folder hung `mgtui logs list`, every summary and the log browser. The file is opened with
`O_NONBLOCK` (opening a FIFO then returns at once, or fails with ENXIO for writing), checked with
`fstat`, and refused unless it is a regular file. No Textual, no pydantic: any process uses it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path
from typing import IO, Any

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _checked(path: str | os.PathLike[str], flags: int, mode: int = 0o666) -> int:
    fd = os.open(path, flags | _NONBLOCK | _CLOEXEC, mode)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if _NONBLOCK:  # a regular file: plain blocking reads and writes from here on
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_regular(path: str | os.PathLike[str], mode: str = "rb", **kwargs: Any) -> IO[Any]:
    """`open(path, mode)` for "rb"/"r" (reading) and "a"/"ab" (appending, created when missing,
    never through a symlink: the engine's log must not be redirected to another file)."""
    if mode.startswith("r"):
        flags = os.O_RDONLY
    elif mode.startswith("a"):
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW
    else:
        raise ValueError(f"unsupported mode {mode!r}")
    return os.fdopen(_checked(path, flags), mode, **kwargs)


def read_regular_bytes(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The file's bytes (the first `limit` when given); OSError unless it is a regular file."""
    with open_regular(path, "rb") as handle:
        return handle.read() if limit is None else handle.read(limit)


def read_regular_text(path: str | os.PathLike[str], errors: str = "strict") -> str:
    return read_regular_bytes(Path(path)).decode("utf-8", errors)
