"""The built-in file tools: read_file, list_dir, search_files, write_file, edit_file.

Every path goes through the run's `PathPolicy`; disk work runs in a thread so a large
project never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

from mgtui.tools.permissions import PathPolicy, Resolved, ToolError
from mgtui.tools.safe_open import open_checked, read_all, replace_content
from mgtui.tools.staged_writes import StagedWrites

READ_MAX_CHARS = 60_000
LIST_MAX_ENTRIES = 300
SEARCH_MAX_MATCHES = 100
SEARCH_MAX_FILE_BYTES = 2_000_000
SEARCH_MAX_FILES = 20_000  # bounds one search of a huge tree
_SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache"})

FILE_TOOL_NAMES = ("read_file", "list_dir", "search_files", "write_file", "edit_file")
WRITE_TOOLS = frozenset({"write_file", "edit_file"})


def _spec(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required, "additionalProperties": False},
        },
    }


_PATH = {"type": "string", "description": "A path (see list_dir for the paths you can use)."}


def file_tool_specs(where: str) -> list[dict[str, Any]]:
    """Tool specs; `where` (PathPolicy.describe()) tells the model which paths exist."""
    return [
        _spec("list_dir", f"List a directory. {where}", {"path": {**_PATH, "default": "."}}, []),
        _spec("read_file", "Read a text file.", {"path": _PATH}, ["path"]),
        _spec(
            "search_files",
            "Search file contents under a directory for a regular expression; returns path:line: text.",
            {"pattern": {"type": "string", "description": "Python regular expression."}, "path": {**_PATH, "default": "."}},
            ["pattern"],
        ),
        _spec("write_file", "Create or overwrite a text file (parent folders are created).", {"path": _PATH, "content": {"type": "string"}}, ["path",
            "content"]),
        _spec(
            "edit_file",
            "Replace one exact occurrence of `old` with `new` in a text file.",
            {"path": _PATH, "old": {"type": "string"}, "new": {"type": "string"}},
            ["path", "old", "new"],
        ),
    ]


def _is_binary(head: bytes) -> bool:
    return b"\x00" in head


class FileTools:
    """The file tools of one agent run. `files_written` lists real paths written, in order."""

    def __init__(self, policy: PathPolicy, staging: StagedWrites | None = None) -> None:
        self.policy = policy
        self.files_written: list[str] = []
        self.staging = staging  # set: writes to the user's files wait for review (tools/staged_writes.py)

    def _held(self, target: Resolved) -> bool:
        return self.staging is not None and target.root.kind != "workspace"

    def specs(self) -> list[dict[str, Any]]:
        return file_tool_specs(self.policy.describe())

    def handles(self, name: str) -> bool:
        return name in FILE_TOOL_NAMES

    async def call(self, name: str, arguments: dict[str, Any]) -> str:
        handler = getattr(self, f"_{name}")
        try:
            return await asyncio.to_thread(handler, **arguments)
        except TypeError as exc:  # wrong or missing arguments from the model
            raise ToolError(f"Bad arguments for {name}: {exc}") from None

    # the tools (run in a thread) --------------------------------------------------------
    def _read_file(self, path: str) -> str:
        target = self.policy.resolve(path)
        if not target.real.is_file():
            raise ToolError(f"'{path}' is not a file.")
        with target.real.open("rb") as handle:
            data = handle.read(READ_MAX_CHARS * 4 + 1)
        if _is_binary(data[:8192]):
            raise ToolError(f"'{path}' is a binary file.")
        text = data.decode("utf-8", errors="replace")
        if len(text) > READ_MAX_CHARS:
            return text[:READ_MAX_CHARS] + f"\n[... truncated at {READ_MAX_CHARS} characters]"
        return text

    def _list_dir(self, path: str = ".") -> str:
        target = self.policy.resolve(path)
        if not target.real.is_dir():
            raise ToolError(f"'{path}' is not a directory.")
        entries = sorted(target.real.iterdir(), key=lambda p: (not p.is_dir(), p.name))
        lines = []
        for entry in entries[:LIST_MAX_ENTRIES]:
            if entry.is_dir():
                lines.append(f"{entry.name}/")
            else:
                lines.append(f"{entry.name}  ({_size(entry)} bytes)")
        if len(entries) > LIST_MAX_ENTRIES:
            lines.append(f"[... {len(entries) - LIST_MAX_ENTRIES} more entries]")
        if target.display == "." and self.policy.peer_ids:
            peers = [a for a in self.policy.peer_ids if self.policy.peer_lookup(a) is not None]
            lines.append(f"(peer snapshots, read-only: {', '.join(f'peers/{a}/' for a in peers) or 'none yet'})")
        return f"{target.display}:\n" + ("\n".join(lines) if lines else "(empty)")

    def _search_files(self, pattern: str, path: str = ".") -> str:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise ToolError(f"Invalid regular expression: {exc}") from None
        target = self.policy.resolve(path)
        matches: list[str] = []
        files = _walk(target.real, SEARCH_MAX_FILES + 1)
        for file in files[:SEARCH_MAX_FILES]:
            try:
                real = file.resolve()
                if real != target.real and target.real not in real.parents:
                    continue  # a symlink out of the searched tree
                if self.policy.hidden(real, target.root):
                    continue  # the active config or a .env: its lines must not leak through a search
                if file.stat().st_size > SEARCH_MAX_FILE_BYTES:
                    continue
                data = file.read_bytes()
            except (OSError, RuntimeError):  # RuntimeError: a symlink loop (resolve, Python 3.11)
                continue
            if _is_binary(data[:8192]):
                continue
            shown = _join(target.display, file.relative_to(target.real)) if file != target.real else target.display
            for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
                if regex.search(line):
                    matches.append(f"{shown}:{number}: {line.strip()[:300]}")
                    if len(matches) >= SEARCH_MAX_MATCHES:
                        return "\n".join(matches) + f"\n[stopped at {SEARCH_MAX_MATCHES} matches]"
        note = f"\n[searched only the first {SEARCH_MAX_FILES} files]" if len(files) > SEARCH_MAX_FILES else ""
        return ("\n".join(matches) if matches else "No matches.") + note

    def _write_file(self, path: str, content: str) -> str:
        target = self.policy.resolve(path, write=True)
        if target.real.is_dir():
            raise ToolError(f"'{path}' is a directory.")
        if self._held(target):
            assert self.staging is not None
            self.staging.stage(target.real, content, target.root.real)
            self._written(target.real)
            return f"Prepared {len(content)} characters for {target.display}; it is written once the user accepts the change."
        fd = open_checked(target.root.real, target.real, create=True, raw=path)  # no symlink on the way
        replace_content(fd, content.encode("utf-8"))
        self._written(target.real)
        return f"Wrote {len(content)} characters to {target.display}."

    def _edit_file(self, path: str, old: str, new: str) -> str:
        target = self.policy.resolve(path, write=True)
        staged = self.staging.read(target.real) if self.staging is not None else None
        if staged is None and not target.real.is_file():
            raise ToolError(f"'{path}' is not a file.")
        if self._held(target):
            assert self.staging is not None
            if staged is None:  # read through the same checks as a write would
                fd = open_checked(target.root.real, target.real, create=False, raw=path)
                try:
                    staged = read_all(fd).decode("utf-8", errors="replace")
                finally:
                    os.close(fd)
            count = staged.count(old) if old else 0
            if count != 1:
                raise ToolError(f"`old` must occur exactly once in {target.display}; it occurs {count} times.")
            self.staging.stage(target.real, staged.replace(old, new, 1), target.root.real)
            self._written(target.real)
            return f"Prepared an edit of {target.display}; it is written once the user accepts the change."
        fd = open_checked(target.root.real, target.real, create=False, raw=path)  # read and write one checked file
        try:
            text = read_all(fd).decode("utf-8", errors="replace")
            count = text.count(old) if old else 0
            if count != 1:
                raise ToolError(f"`old` must occur exactly once in {target.display}; it occurs {count} times.")
        except BaseException:
            os.close(fd)
            raise
        replace_content(fd, text.replace(old, new, 1).encode("utf-8"))
        self._written(target.real)
        return f"Edited {target.display}."

    def _written(self, real: Path) -> None:
        if str(real) not in self.files_written:
            self.files_written.append(str(real))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _join(display: str, rel: Path) -> str:
    return rel.as_posix() if display == "." else f"{display.rstrip('/')}/{rel.as_posix()}"


def _walk(root: Path, limit: int) -> list[Path]:
    """Up to `limit` files under root, sorted per folder; directory symlinks are not followed."""
    if root.is_file():
        return [root]
    files: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(names):
            files.append(Path(folder) / name)
            if len(files) >= limit:
                return files
    return files
