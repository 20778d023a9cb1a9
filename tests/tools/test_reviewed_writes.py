"""Writes need consent: with `review_writes` (the TUI) the presenter's changes to the user's
files are proposed with a diff and written only once accepted; rejected ones never are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import replies as R
from tests.support.model_server import ModelServer
from tests.tools.test_tool_session import beta_script
from tests.tools.tool_support import new_session, of, read_events, tool_messages


def presenter_writes_two(docs: Path) -> R.ScriptFn:
    def policy(request: R.RecordedRequest, index: int) -> R.Reply:
        if "new_answer" in request.tool_names or "vote" in request.tool_names:
            return R.answer_then_vote("main() returns 42.")(request, index)
        done = len(tool_messages(request))
        if "write_file" in request.tool_names and done == 0:
            return R.tool_call("write_file", {"path": f"{docs}/README.md", "content": "# Docs\nmain() returns 42.\n"})
        if "write_file" in request.tool_names and done == 1:
            return R.tool_call("write_file", {"path": f"{docs}/NEW.md", "content": "new file\n"})
        return R.text("Final: updated the docs.")

    return policy


async def test_proposed_writes_wait_and_only_accepted_ones_reach_the_disk(
    model_server: ModelServer, agent_config: Any, tmp_path: Path
) -> None:
    docs = tmp_path / "project" / "docs"
    docs.mkdir(parents=True)
    (docs / "README.md").write_text("# Docs\n")
    model_server.script("alpha", presenter_writes_two(docs))
    model_server.script("beta", beta_script)
    session = new_session(agent_config(context_paths=[{"path": str(docs), "permission": "write"}]), tmp_path / "logs")
    session.review_writes = True
    result = await session.ask("What does main() return?")
    readme, new = str((docs / "README.md").resolve()), str((docs / "NEW.md").resolve())
    try:
        assert result.winner == "alpha" and result.files_written == [readme, new]
        # Nothing written yet: proposed, with a diff per file.
        assert (docs / "README.md").read_text() == "# Docs\n" and not (docs / "NEW.md").exists()
        (proposed,) = of(read_events(Path(result.log_dir)), "writes_proposed")
        files = {f["path"]: f for f in proposed.files}
        assert "+main() returns 42." in files[readme]["diff"] and files[new]["new"] is True
        applied, rejected = await session.apply_writes([readme])
    finally:
        await session.aclose()
    assert (applied, rejected) == ([readme], [new])
    assert (docs / "README.md").read_text() == "# Docs\nmain() returns 42.\n"
    assert not (docs / "NEW.md").exists()
    (decided,) = of(read_events(Path(result.log_dir)), "writes_decided")
    assert (decided.applied, decided.rejected) == ([readme], [new])
