"""Tools inside real turns: file tools, workspaces, peer snapshots, traces and the presenter.

The agents are the loopback model server scripted to call tools, through real LiteLLM.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support import replies as R
from tests.support.model_server import ModelServer
from tests.tools.tool_support import new_session, of, read_events, tool_messages, uses_tools_then_answers


def project(tmp_path: Path) -> tuple[Path, Path]:
    src, docs = tmp_path / "project" / "src", tmp_path / "project" / "docs"
    src.mkdir(parents=True)
    docs.mkdir(parents=True)
    (src / "app.py").write_text("def main():\n    return 42\n")
    (docs / "README.md").write_text("# Docs\n")
    return src, docs


async def test_plain_config_offers_no_tools_and_makes_no_workspaces(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    model_server.script("alpha", R.answer_then_vote("Paris."))
    model_server.script("beta", R.answer_then_vote("Paris!"))
    session = new_session(agent_config(), tmp_path / "logs")
    result = await session.ask("Capital of France?")
    await session.aclose()
    assert result.status == "ok"
    for request in model_server.requests:
        assert set(request.tool_names) <= {"new_answer", "vote"}
    assert not (Path(result.log_dir) / "workspaces").exists()


def alpha_script(src: Path, docs: Path) -> R.ScriptFn:
    """Reads the project, keeps notes in its workspace, tries (and fails) to write docs, answers;
    as the presenter it writes docs/ANSWER.md, then presents."""
    coordination = uses_tools_then_answers(
        [
            ("read_file", {"path": f"{src}/app.py"}),
            ("write_file", {"path": "notes.md", "content": "alpha notes: main returns 42"}),
            ("write_file", {"path": f"{docs}/EARLY.md", "content": "too early"}),
        ],
        "main() returns 42.",
    )

    def policy(request: R.RecordedRequest, index: int) -> R.Reply:
        if "new_answer" in request.tool_names or "vote" in request.tool_names:
            return coordination(request, index)
        if "write_file" in request.tool_names and not tool_messages(request):
            return R.tool_call("write_file", {"path": f"{docs}/ANSWER.md", "content": "# Answer\nmain() returns 42.\n"})
        return R.text("Final: main() returns 42 (see docs/ANSWER.md).")

    return policy


def beta_script(request: R.RecordedRequest, _index: int) -> R.Reply:
    """Answers while agent1 has none (then stands by its own answer, however long alpha's tools
    take); once agent1 has answered, reads its snapshot and votes for it."""
    if not request.tool_names:
        return R.text("beta presents")
    if "agent1" not in request.vote_enum:
        return R.vote("agent2", "mine, until alpha answers") if "agent2" in request.vote_enum else R.new_answer("I think it returns 41.")
    done = len(tool_messages(request))
    if done == 0:
        return R.tool_call("read_file", {"path": "peers/agent1/notes.md"})
    if done == 1:
        return R.tool_call("read_file", {"path": "peers/agent1/execution_trace.md"})
    return R.vote("agent1", "agent1 read the code")


async def test_turn_with_context_paths_workspaces_snapshots_traces_and_presenter(
    model_server: ModelServer, agent_config: Any, tmp_path: Path
) -> None:
    src, docs = project(tmp_path)
    model_server.script("alpha", alpha_script(src, docs))
    model_server.script("beta", beta_script)
    config = agent_config(context_paths=[{"path": str(src)}, {"path": str(docs), "permission": "write"}])
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("What does main() return?")
    await session.aclose()
    folder = Path(result.log_dir)
    events = read_events(folder)

    assert result.status == "ok" and result.winner == "alpha"
    assert result.final_answer == "Final: main() returns 42 (see docs/ANSWER.md)."
    # Only the presenter could write into the write path, and what it wrote is listed.
    assert result.files_written == [str((docs / "ANSWER.md").resolve())]
    assert (docs / "ANSWER.md").read_text() == "# Answer\nmain() returns 42.\n"
    assert not (docs / "EARLY.md").exists()
    (final,) = of(events, "final_answer")
    assert final.files_written == result.files_written

    # Tool calls and results are events, with durations and errors.
    results = {(e.name, json.dumps(c.arguments, sort_keys=True)): e for c, e in zip(of(events, "tool_call", "alpha"), of(events, "tool_result", "alpha"),
        strict=True)}
    read = results[("read_file", json.dumps({"path": f"{src}/app.py"}))]
    assert read.error is None and "return 42" in read.result and read.duration_s is not None
    early = results[("write_file", json.dumps({"content": "too early", "path": f"{docs}/EARLY.md"}, sort_keys=True))]
    assert "read-only" in early.error and early.result.startswith("Error:")

    # The workspace, its snapshot (with the trace) and the trace file in the log.
    assert (folder / "workspaces" / "alpha" / "notes.md").read_text() == "alpha notes: main returns 42"
    snapshot = folder / "turn_1" / "alpha" / "snapshot_1"
    assert (snapshot / "notes.md").read_text() == "alpha notes: main returns 42"
    trace = (folder / "turn_1" / "alpha" / "execution_trace_1.md").read_text()
    assert (snapshot / "execution_trace.md").read_text() == trace
    assert trace.startswith("# Execution trace: agent1.1")
    for expected in ("`read_file`", f"{src}/app.py", "return 42", "`write_file`", "read-only", "main() returns 42."):
        assert expected in trace
    assert "alpha" not in trace.replace("alpha notes", "")  # peers see anonymous ids only

    # beta read alpha's latest snapshot through peers/agent1/.
    beta_saw = "\n".join(m["content"] for r in model_server.requests_for("beta") for m in tool_messages(r))
    assert "alpha notes: main returns 42" in beta_saw
    assert "# Execution trace: agent1.1" in beta_saw
    # The presenter's own run has a trace too.
    final_trace = (folder / "turn_1" / "alpha" / "execution_trace_final.md").read_text()
    assert "ANSWER.md" in final_trace and "Final: main() returns 42" in final_trace


async def test_prompt_paths_apply_to_their_turn_only(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    src, _docs = project(tmp_path)
    model_server.script("alpha", uses_tools_then_answers([("read_file", {"path": f"{src}/app.py"})], "42"))
    session = new_session(agent_config(["alpha"]), tmp_path / "logs")
    first = await session.ask("What does main return?", context_paths=[{"path": str(src)}])
    requests_turn_1 = len(model_server.requests_for("alpha"))
    second = await session.ask("And now?")
    await session.aclose()
    assert first.status == second.status == "ok"
    turn_1 = model_server.requests_for("alpha")[:requests_turn_1]
    turn_2 = model_server.requests_for("alpha")[requests_turn_1:]
    assert "read_file" in turn_1[0].tool_names and str(src) in turn_1[0].tool("list_dir")["function"]["description"]
    assert "return 42" in tool_messages(turn_1[1])[0]["content"]
    assert all(set(r.tool_names) <= {"new_answer", "vote"} for r in turn_2)


async def test_tool_results_are_truncated_and_the_cap_holds(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    (big / "huge.txt").write_text("x" * 100_000)
    reads = [("read_file", {"path": f"{big}/huge.txt"})] * 5
    model_server.script("alpha", uses_tools_then_answers(reads, "done"))
    config = agent_config(["alpha"], context_paths=[{"path": str(big)}], max_tool_calls_per_run=2)
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("Read it")
    await session.aclose()
    first_run = model_server.requests_for("alpha")
    # After two calls the file tools are no longer offered.
    assert "read_file" in first_run[0].tool_names and "read_file" in first_run[1].tool_names
    assert "read_file" not in first_run[2].tool_names
    sent = tool_messages(first_run[1])[0]["content"]
    assert len(sent) < 25_000 and "truncated" in sent
    # Calls past the cap are not run: the agent keeps trying, is told off, and is dropped.
    events = read_events(result.log_dir)
    assert len(of(events, "tool_result", "alpha")) == 2
    assert result.status == "failed"
    assert of(events, "agent_error", "alpha")[-1].fatal
