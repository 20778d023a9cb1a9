"""Per-agent workspace folders and the snapshots peers read.

Layout under the session folder:
    workspaces/<agent>/                        the agent's own folder (read-write)
    turn_<n>/<agent>/snapshot_<k>/             its workspace when it posted answer k
    turn_<n>/<agent>/execution_trace_<k>.md    the run that produced answer k
Each snapshot also holds `execution_trace.md`, so a peer reading `peers/agentN/` sees both.
Copies run in a thread; tools wait for pending copies (`settled`) before touching files.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

TRACE_IN_SNAPSHOT = "execution_trace.md"


class Workspaces:
    def __init__(self, session_dir: Path, anonymous_ids: dict[str, str]) -> None:
        self.session_dir = session_dir
        self.anon = dict(anonymous_ids)  # config id -> agentN
        self._by_anon = {v: k for k, v in self.anon.items()}
        self._latest: dict[str, Path] = {}  # config id -> newest finished snapshot
        self._pending: set[asyncio.Future[None]] = set()

    def workspace(self, agent_id: str) -> Path:
        path = self.session_dir / "workspaces" / agent_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def latest_for_anon(self, anon: str) -> Path | None:
        agent_id = self._by_anon.get(anon)
        return self._latest.get(agent_id) if agent_id else None

    def record_answer(self, agent_id: str, turn: int, k: int, trace: str) -> None:
        """Write the trace and snapshot the workspace (in a thread when a loop runs)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._copy(agent_id, turn, k, trace)
            return
        future = loop.run_in_executor(None, self._copy, agent_id, turn, k, trace)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def write_trace(self, agent_id: str, turn: int, name: str, trace: str) -> Path:
        folder = self.session_dir / f"turn_{turn}" / agent_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(trace, encoding="utf-8")
        return path

    async def settled(self) -> None:
        """Wait for snapshots still being copied (a failed copy keeps the previous snapshot)."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def _copy(self, agent_id: str, turn: int, k: int, trace: str) -> None:
        self.write_trace(agent_id, turn, f"execution_trace_{k}.md", trace)
        target = self.session_dir / f"turn_{turn}" / agent_id / f"snapshot_{k}"
        if target.exists():
            shutil.rmtree(target)
        # symlinks=True copies links as links: a link that escapes stays refused by the policy.
        shutil.copytree(self.workspace(agent_id), target, symlinks=True)
        (target / TRACE_IN_SNAPSHOT).write_text(trace, encoding="utf-8")
        self._latest[agent_id] = target
