"""A gitignore-aware index of the files under a directory, with fuzzy search.

`FileIndex.build()` walks the tree and is meant to run in a thread (it touches the disk);
`search()` and `children()` are pure and fast enough for a keystroke, but callers on the
event loop should still run `search()` in a thread on large trees.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Never worth offering, whatever .gitignore says.
ALWAYS_SKIP = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache",
                         ".pytest_cache", ".ruff_cache", ".tox", ".mgtui"})
MAX_ENTRIES = 50_000  # a home directory must not stall the picker
_SEPARATORS = "/_-. "


@dataclass(frozen=True, slots=True)
class Entry:
    """One indexed path, relative to the root, '/'-separated; directories end with '/'."""

    path: str

    @property
    def is_dir(self) -> bool:
        return self.path.endswith("/")

    @property
    def parent(self) -> str:
        """The containing directory ('' for the root, else ending with '/')."""
        cut = self.path.rstrip("/").rfind("/")
        return self.path[: cut + 1]


def _load_spec(directory: Path) -> GitIgnoreSpec | None:
    from pathspec import GitIgnoreSpec  # noqa: PLC0415 - ~30 ms; only needed once '@' is typed

    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return GitIgnoreSpec.from_lines(lines) if lines else None


@dataclass(frozen=True, slots=True)
class _Rule:
    """One .gitignore file. Git matches paths relative to the file's own directory, so a
    root-relative path is re-based: `above` is prepended for files above the root, `inside`
    stripped for files in a subdirectory."""

    spec: GitIgnoreSpec
    above: str = ""
    inside: str = ""

    def ignores(self, rel: str) -> bool:
        if not rel.startswith(self.inside):
            return False
        return self.spec.match_file(self.above + rel[len(self.inside):])


def _ancestor_rules(root: Path) -> list[_Rule]:
    """.gitignore files above the root, up to the top of the enclosing repository."""
    rules: list[_Rule] = []
    here = root
    while not (here / ".git").exists() and here.parent != here:
        here = here.parent
        if (spec := _load_spec(here)) is not None:
            rules.append(_Rule(spec, above=root.relative_to(here).as_posix() + "/"))
    if not (here / ".git").exists():
        return []  # not inside a repository: parents' .gitignore files do not apply
    return rules


class FileIndex:
    """Paths under `root` that git would not ignore."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self.entries: list[Entry] = []
        self._dirs: set[str] = set()
        self.truncated = False
        self.built_at: float | None = None

    def build(self) -> FileIndex:
        """Walk the tree (blocking: run it in a thread). Returns self for chaining."""
        entries: list[Entry] = []
        # Each pending directory carries the .gitignore rules in force there.
        pending: list[tuple[str, list[_Rule]]] = [("", _ancestor_rules(self.root))]
        truncated = False
        while pending and not truncated:
            rel_dir, rules = pending.pop()
            absolute = self.root / rel_dir
            if (own := _load_spec(absolute)) is not None:
                rules = [*rules, _Rule(own, inside=rel_dir)]
            try:
                with os.scandir(absolute) as scan:
                    items = sorted(scan, key=lambda item: item.name)
            except OSError:
                continue
            for item in items:
                try:
                    is_dir = item.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir and item.name in ALWAYS_SKIP:
                    continue
                rel = rel_dir + item.name + ("/" if is_dir else "")
                if any(rule.ignores(rel) for rule in rules):
                    continue
                entries.append(Entry(rel))
                if is_dir:
                    pending.append((rel, rules))
                if len(entries) >= MAX_ENTRIES:
                    truncated = True
                    break
        entries.sort(key=lambda e: (e.path.count("/") - e.is_dir, e.path.casefold()))
        self.entries, self.truncated, self.built_at = entries, truncated, time.monotonic()
        self._dirs = {entry.path for entry in entries if entry.is_dir}
        return self

    def has_dir(self, directory: str) -> bool:
        return directory in self._dirs

    def children(self, directory: str = "") -> list[Entry]:
        """Direct children of `directory` ('' or 'a/b/'), folders first."""
        kids = [e for e in self.entries if e.parent == directory]
        return sorted(kids, key=lambda e: (not e.is_dir, e.path.casefold()))

    def search(self, query: str, directory: str = "", limit: int = 50) -> list[Entry]:
        """Entries under `directory` whose path (below it) fuzzily matches `query`, best first."""
        if not query:
            return self.children(directory)[:limit]
        needle = query.casefold()
        scored: list[tuple[float, str, Entry]] = []
        for entry in self.entries:
            if not entry.path.startswith(directory) or entry.path == directory:
                continue
            score = fuzzy_score(needle, entry.path[len(directory):].rstrip("/").casefold())
            if score is not None:
                scored.append((-score, entry.path, entry))
        scored.sort(key=lambda item: (item[0], len(item[1]), item[1]))
        return [entry for _, _, entry in scored[:limit]]


def fuzzy_score(needle: str, haystack: str) -> float | None:
    """Score an in-order (subsequence) match of `needle` in `haystack`; None if absent.

    A match inside the last segment (the file name) beats one spread over the path, and
    consecutive characters and segment/word starts score higher, so 'pbar' finds
    'widgets/prompt_bar.py' before 'paths/bar.txt'.
    """
    name = haystack[haystack.rfind("/") + 1:]
    in_name = _subsequence_score(needle, name)
    score = in_name + 10.0 if in_name is not None else _subsequence_score(needle, haystack)
    if score is None:
        return None
    if haystack.endswith(needle):
        score += 5.0
    return score - 0.02 * len(haystack)


def _subsequence_score(needle: str, haystack: str) -> float | None:
    score = 0.0
    position = -1
    run = 0
    for char in needle:
        found = haystack.find(char, position + 1)
        if found < 0:
            return None
        run = run + 1 if found == position + 1 else 0
        score += 1.0 + 2.0 * run
        if found == 0 or haystack[found - 1] in _SEPARATORS:
            score += 3.0
        position = found
    return score
