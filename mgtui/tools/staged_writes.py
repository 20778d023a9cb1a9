"""Writes that wait for the person: in the TUI the final presenter's changes to the user's
files (context paths, not its own workspace) are held here, shown as a diff, and written
only once accepted (`Session.apply_writes`). `mgtui run` has no one to ask and writes
directly, unless `--no-write`.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from mgtui.tools.permissions import ToolError
from mgtui.tools.safe_open import open_checked, replace_content

MAX_DIFF_CHARS = 20_000  # the event stays small; the file itself is written whole


class StagedWrites:
    def __init__(self) -> None:
        self.files: dict[str, str] = {}  # real path -> the content proposed for it
        self.roots: dict[str, Path] = {}  # real path -> the permitted folder it was checked against

    def stage(self, real: Path, content: str, root: Path | None = None) -> None:
        self.files[str(real)] = content
        self.roots[str(real)] = root or real.parent

    def read(self, real: Path) -> str | None:
        """The proposed content, so a later edit in the same run builds on it."""
        return self.files.get(str(real))

    def proposals(self) -> list[dict[str, Any]]:
        """[{path, diff, bytes, new}] for the review dialog (read the disk: call in a thread)."""
        out = []
        for path, content in self.files.items():
            target = Path(path)
            try:
                old = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else ""
            except OSError:
                old = ""
            diff = "".join(difflib.unified_diff(old.splitlines(keepends=True), content.splitlines(keepends=True),
                                                fromfile=f"a/{target.name}", tofile=f"b/{target.name}"))
            if len(diff) > MAX_DIFF_CHARS:
                diff = diff[:MAX_DIFF_CHARS] + "\n[… diff cut here; the whole file is written if accepted]\n"
            out.append({"path": path, "diff": diff, "bytes": len(content.encode("utf-8")), "new": not target.exists()})
        return out

    def apply(self, accept: list[str]) -> tuple[list[str], list[str]]:
        """Write the accepted files (atomically), drop the rest; (applied, rejected)."""
        applied, rejected = [], []
        for path, content in self.files.items():
            if path not in accept:
                rejected.append(path)
                continue
            try:  # the same checks as a direct write: nothing on the way may have become a symlink
                fd = open_checked(self.roots[path], Path(path), create=True, raw=path)
                replace_content(fd, content.encode("utf-8"))
            except ToolError:
                rejected.append(path)
                continue
            applied.append(path)
        self.files.clear()
        self.roots.clear()
        return applied, rejected
