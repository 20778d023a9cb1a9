"""Resolve `@path` / `@path:w` references in a submitted prompt into attached file blocks.

Blocking (reads files): call `resolve_prompt` from a thread. Grammar:
`@path`, `@"path with spaces"`, a `:w` suffix marks the path writable for the tools;
`\\@` is a literal `@`, and an `@` inside a word (an e-mail address) is not a reference.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mgtui.regular_file import open_regular

MAX_FILE_BYTES = 100 * 1024
MAX_DIR_ENTRIES = 200
_BINARY_SNIFF = 8192
_SKIP_IN_LISTINGS = frozenset({".git", ".venv", "node_modules", "__pycache__"})

# An @ at the start or after whitespace/opening punctuation; a quoted or bare path;
# an optional :w suffix.
REFERENCE = re.compile(r'(?<![\w\\@])@(?:"(?P<quoted>[^"\n]+)"|(?P<bare>[^\s"]+?))(?P<write>:w)?(?=[\s,;!?)\]}]|[.](?:\s|$)|$)')


@dataclass(frozen=True)
class Attachment:
    """One resolved reference."""

    token: str  # the reference as typed, e.g. '@src/app.py:w'
    path: str  # as shown to the agents: relative to the working directory when inside it
    absolute: str
    kind: Literal["file", "directory"]
    writable: bool = False
    size: int = 0  # bytes on disk (files)
    truncated: bool = False
    outside: bool = False  # outside the working directory: the app asks before sending it


@dataclass
class ResolvedPrompt:
    text: str  # what the user typed
    question: str  # text plus the attached blocks: what the agents get
    attachments: list[Attachment] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # things the user should be told
    write_paths: list[str] = field(default_factory=list)  # absolute paths marked :w


def find_references(text: str) -> list[tuple[str, str, bool]]:
    """(token as typed, path, writable) for each reference, in order of appearance."""
    found = []
    for match in REFERENCE.finditer(text):
        path = match.group("quoted") or match.group("bare")
        found.append((match.group(0), path, match.group("write") is not None))
    return found


def resolve_prompt(text: str, cwd: Path | str, max_file_bytes: int = MAX_FILE_BYTES) -> ResolvedPrompt:
    """Read every referenced path (read-only) and build the question the agents receive."""
    root = Path(cwd).resolve()
    result = ResolvedPrompt(text=text, question=text)
    blocks: list[str] = []
    seen: set[tuple[str, bool]] = set()
    for token, raw, writable in find_references(text):
        target = (root / Path(raw).expanduser()).resolve()
        if (str(target), writable) in seen:
            continue
        seen.add((str(target), writable))
        inside = target == root or target.is_relative_to(root)
        shown = target.relative_to(root).as_posix() if inside else str(target)
        if not target.exists():
            if writable and inside and target.parent.is_dir():
                result.write_paths.append(str(target))
                result.notices.append(f"{shown} does not exist yet; agents may create it")
            else:
                result.notices.append(f"{token}: no such file or directory; not attached")
            continue
        if not inside:
            result.notices.append(f"{shown} is outside the working directory; attached anyway")
        if writable and not inside:  # reading may be allowed (the app asks); writing there never
            result.notices.append(f"{token}: writing outside the working directory is refused; attached read-only")
            writable = False
        if writable:
            result.write_paths.append(str(target))
        if target.is_dir():
            listing = _list_directory(target)
            result.attachments.append(Attachment(token, shown, str(target), "directory", writable, outside=not inside))
            blocks.append(_block(shown, "directory", writable, listing))
            continue
        body, size, truncated, notice = _read_text(target, max_file_bytes)
        if body is None:
            result.notices.append(f"{shown}: {notice}; not attached")
            continue
        if truncated:
            result.notices.append(f"{shown} is {size:,} bytes; only the first {max_file_bytes:,} are attached")
        result.attachments.append(Attachment(token, shown, str(target), "file", writable, size, truncated, not inside))
        blocks.append(_block(shown, "file", writable, body, truncated))
    if blocks:
        result.question = text.rstrip() + "\n\n" + "\n\n".join(blocks)
    return result


def _read_text(path: Path, cap: int) -> tuple[str | None, int, bool, str]:
    """(text or None, size, truncated, reason when None)."""
    try:
        size = path.stat().st_size
        with open_regular(path, "rb") as handle:  # a FIFO named by `@` must not hang the prompt
            data = handle.read(cap + 1)
    except OSError as error:
        return None, 0, False, f"cannot be read ({error.strerror or error})"
    truncated = len(data) > cap
    data = data[:cap]
    if b"\0" in data[:_BINARY_SNIFF]:
        return None, size, False, "looks like a binary file"
    try:
        return data.decode("utf-8"), size, truncated, ""
    except UnicodeDecodeError as error:
        # The cap may cut a multi-byte character in half: drop the partial tail only.
        if truncated and error.start >= len(data) - 3:
            return data[: error.start].decode("utf-8"), size, truncated, ""
        return None, size, False, "is not UTF-8 text (binary?)"


def _list_directory(path: Path) -> str:
    try:
        names = sorted(os.scandir(path), key=lambda item: item.name)
    except OSError as error:
        return f"(cannot list: {error.strerror or error})"
    lines = [item.name + ("/" if item.is_dir() else "") for item in names if item.name not in _SKIP_IN_LISTINGS]
    if len(lines) > MAX_DIR_ENTRIES:
        lines = lines[:MAX_DIR_ENTRIES] + [f"… and {len(lines) - MAX_DIR_ENTRIES} more"]
    return "\n".join(lines) or "(empty)"


def _block(shown: str, kind: str, writable: bool, body: str, truncated: bool = False) -> str:
    mode = "writable" if writable else "read-only"
    note = ' truncated="true"' if truncated else ""
    return f'<attached {kind}="{shown}" mode="{mode}"{note}>\n{body.rstrip()}\n</attached>'
