"""Where an agent's file tools may read and write: path resolution and the permission matrix.

An agent sees one namespace:
- relative paths are in its own workspace (read-write);
- `peers/agentN/...` is agentN's latest workspace snapshot (read-only, anonymous ids);
- context paths are addressed by their absolute path: read-only during coordination,
  `write` ones become writable for the final presenter only; protected paths never.
Anything else (`..`, absolute paths outside those roots, symlinks that escape) is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

PEERS = "peers"
MGTUI_DIR = ".mgtui"
RootKind = Literal["workspace", "peer", "context"]


class ToolError(Exception):
    """A refused or failed tool call; the message goes back to the model."""


@dataclass(frozen=True)
class Root:
    kind: RootKind
    real: Path  # resolved directory or file on disk
    display: str  # how the agent writes it: "" (workspace), "peers/agent2", "/abs/src"
    writable: bool
    protected: tuple[Path, ...] = ()  # resolved; never writable
    note: str = ""  # why it is read-only, for the error message


@dataclass(frozen=True)
class Resolved:
    real: Path
    display: str  # the path as the agent should see it in results
    root: Root


@dataclass(frozen=True)
class SecretFiles:
    """Files tools may not read: the active config (literal keys) and `.env` files beside it or in
    the working folder (what `${VAR}` reads). A context path that names one of them exactly
    makes that one readable: the user asked for it."""

    files: tuple[Path, ...] = ()  # resolved
    env_dirs: tuple[Path, ...] = ()  # resolved folders whose `.env` / `.env.*` are secret

    def __contains__(self, real: object) -> bool:
        if not isinstance(real, Path):
            return False
        if real in self.files:
            return True
        return (real.name == ".env" or real.name.startswith(".env.")) and real.parent in self.env_dirs


@dataclass
class PathPolicy:
    """The permission matrix for one agent run (one phase)."""

    workspace: Path
    context: list[Root] = field(default_factory=list)
    peer_ids: Sequence[str] = ()  # anonymous ids of the other agents
    peer_lookup: Callable[[str], Path | None] = lambda _anon: None  # latest snapshot, looked up per call
    secrets: SecretFiles = field(default_factory=SecretFiles)

    def hidden(self, real: Path, root: Root) -> bool:
        """A file whose content tools may not see (unless its root is that very file)."""
        return real != root.real and real in self.secrets

    def roots(self) -> list[Root]:
        """Every root currently readable (peers without a snapshot yet are left out)."""
        out = [Root("workspace", self.workspace.resolve(), "", True)]
        for anon in self.peer_ids:
            snapshot = self.peer_lookup(anon)
            if snapshot is not None:
                out.append(Root("peer", snapshot.resolve(), f"{PEERS}/{anon}", False, note="peer snapshots are read-only"))
        return out + self.context

    def describe(self) -> str:
        """The paths this agent can use, for the tool descriptions."""
        lines = ["Relative paths are in your own workspace (read-write)."]
        if self.peer_ids:
            lines.append(
                f"`{PEERS}/agentN/` holds the latest snapshot of agentN's workspace and its execution_trace.md "
                "(read-only; only agents that have posted an answer)."
            )
        for root in self.context:
            mode = "read-write" if root.writable else ("read-only" if not root.note else f"read-only: {root.note}")
            lines.append(f"Project path {root.display} ({mode}).")
        return " ".join(lines)

    def resolve(self, raw: str, *, write: bool = False) -> Resolved:
        """Map an agent's path to a real path it may use, or raise ToolError."""
        text = (raw or ".").strip()
        if "\x00" in text:
            raise ToolError("Invalid path.")
        parts = Path(text).parts
        if ".." in parts:
            raise ToolError(f"'{raw}': '..' is not allowed in paths.")
        if Path(text).is_absolute():
            root, rest = self._absolute_root(Path(text))
        elif parts and parts[0] == PEERS:
            root, rest = self._peer_root(parts)
        else:
            root, rest = Root("workspace", self.workspace.resolve(), "", True), Path(text)
        real = _contained(root, rest, raw)
        display = _display(root, rest)
        if write:
            _check_writable(root, real, raw)
        if self.hidden(real, root):
            raise ToolError(f"'{raw}' holds secrets (the active config or a .env file); tools may not open it "
                            "unless a context path names that file.")
        return Resolved(real, display, root)

    def _absolute_root(self, path: Path) -> tuple[Root, Path]:
        workspace = Root("workspace", self.workspace.resolve(), "", True)
        best: tuple[Root, Path] | None = None
        best_len = -1
        for root in [workspace, *self.context]:
            # Accept the path as configured and as resolved (e.g. /tmp vs /private/tmp);
            # the longest match wins, so a nested context path keeps its own rules.
            spellings = {root.real, Path(os.path.abspath(root.display))} if root.display else {root.real}
            for base in spellings:
                try:
                    rest = path.relative_to(base)
                except ValueError:
                    continue
                if len(base.parts) > best_len:
                    best, best_len = (root, rest), len(base.parts)
        if best is None:
            raise ToolError(f"'{path}' is outside the paths you may use. {self.describe()}")
        return best

    def _peer_root(self, parts: tuple[str, ...]) -> tuple[Root, Path]:
        if len(parts) < 2:
            raise ToolError(f"Use {PEERS}/agentN/... ; peers with a snapshot: {', '.join(self._peers_with_snapshots()) or 'none yet'}.")
        anon = parts[1]
        snapshot = self.peer_lookup(anon) if anon in self.peer_ids else None
        if snapshot is None:
            raise ToolError(f"No snapshot of '{anon}'; peers with a snapshot: {', '.join(self._peers_with_snapshots()) or 'none yet'}.")
        root = Root("peer", snapshot.resolve(), f"{PEERS}/{anon}", False, note="peer snapshots are read-only")
        return root, Path(*parts[2:]) if len(parts) > 2 else Path()

    def _peers_with_snapshots(self) -> list[str]:
        return [a for a in self.peer_ids if self.peer_lookup(a) is not None]


def _contained(root: Root, rest: Path, raw: str) -> Path:
    """root/rest with symlinks resolved; refused when the result leaves the root."""
    real = (root.real / rest).resolve() if rest.parts else root.real
    if real != root.real and root.real not in real.parents:
        raise ToolError(f"'{raw}' resolves outside the allowed paths (a symlink that escapes?).")
    return real


def _display(root: Root, rest: Path) -> str:
    if root.kind == "workspace" and not root.display:
        return rest.as_posix() if rest.parts else "."
    return (Path(root.display) / rest).as_posix() if rest.parts else root.display


def _check_writable(root: Root, real: Path, raw: str) -> None:
    if not root.writable:
        why = root.note or "read-only"
        raise ToolError(f"'{raw}' is read-only ({why}).")
    for protected in root.protected:
        if real == protected or protected in real.parents:
            raise ToolError(f"'{raw}' is a protected path and cannot be written.")
    # Any project's `.mgtui/` holds its folder config and its session logs: never a tool's to write.
    if root.kind == "context" and MGTUI_DIR in real.relative_to(root.real).parts:
        raise ToolError(f"'{raw}' is a protected path ({MGTUI_DIR}/ holds configs and session logs) and cannot be written.")


def context_roots(paths: Sequence[tuple[Path, bool, Sequence[str]]], phase: str, cwd: Path | None = None) -> list[Root]:
    """Roots for context paths given as (absolute path, write permission, protected paths).

    During coordination every context path is read-only; `write` paths become writable
    only in the final phase (the presenter).
    """
    roots = []
    for path, write, protected in paths:
        real = path.resolve()
        guarded = tuple(p for spec in protected for p in _protected(real, spec, cwd))
        if write and phase == "final":
            roots.append(Root("context", real, str(path), True, guarded))
        else:
            note = "writable only by the final presenter" if write else "a read-only project path"
            roots.append(Root("context", real, str(path), False, guarded, note=note))
    return roots


def _protected(context: Path, spec: str, cwd: Path | None) -> list[Path]:
    """A relative protected path is read against the context path; when it also names a path
    inside the context path from the working directory, that is protected too (never less)."""
    if Path(spec).is_absolute():
        return [Path(spec).resolve()]
    found = [(context / spec).resolve()]
    if cwd is not None:
        from_cwd = (cwd / spec).resolve()
        if context in from_cwd.parents:
            found.append(from_cwd)
    return found
