"""MCP servers: a real stdio server (tests/tools/fixtures/mcp_server.py, the SDK's MCPServer)
started as a subprocess, used by a scripted agent in a real turn."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from mgtui.config.models import McpServerConfig
from mgtui.tools.mcp_client import McpServer
from tests.support import replies as R
from tests.support.model_server import ModelServer
from tests.tools.tool_support import new_session, of, read_events, tool_messages, uses_tools_then_answers

SERVER = str(Path(__file__).parent / "fixtures" / "mcp_server.py")


def server_config(pidfile: Path | None = None, **extra: Any) -> dict[str, Any]:
    env = {"MCP_TEST_PIDFILE": str(pidfile)} if pidfile else {}
    return {"name": "calc", "command": sys.executable, "args": [SERVER], "env": env, "timeout_seconds": 20, **extra}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_server_lists_filtered_tools_and_calls_them(tmp_path: Path) -> None:
    server = McpServer(McpServerConfig(**server_config(exclude_tools=["shout"], allowed_tools=["add", "echo", "shout"])), tmp_path / "err.log")
    await server.start()
    try:
        assert server.failure is None
        assert sorted(server.tools) == ["mcp__calc__add", "mcp__calc__echo"]
        spec = server.tools["mcp__calc__add"]["function"]
        assert spec["description"] == "Add two integers." and spec["parameters"]["required"] == ["a", "b"]
        assert await server.call("add", {"a": 40, "b": 2}, timeout=10) == "42"
    finally:
        await server.stop()
    assert not server.alive


async def test_agent_uses_mcp_tools_in_a_turn_and_servers_stop_at_close(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    pidfile = tmp_path / "server.pid"
    calls = [("mcp__calc__add", {"a": 2, "b": 3}), ("mcp__calc__echo", {"text": "hi there"}), ("mcp__calc__nope", {})]
    model_server.script("alpha", uses_tools_then_answers(calls, "2 + 3 = 5"))
    config = agent_config(["alpha"])
    config["agents"][0]["mcp_servers"] = [server_config(pidfile, exclude_tools=["crash"])]
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("What is 2 + 3?")
    pid = int(pidfile.read_text())
    assert alive(pid), "the server lives as long as the session"
    second = await session.ask("Again?")  # started once per session: same process
    assert int(pidfile.read_text()) == pid
    await session.aclose()
    assert not alive(pid)

    assert result.status == second.status == "ok" and result.final_answer == "2 + 3 = 5"
    first = model_server.requests_for("alpha")[0]
    assert {"mcp__calc__add", "mcp__calc__echo", "mcp__calc__shout"} <= set(first.tool_names)
    assert "mcp__calc__crash" not in first.tool_names
    sent = [m["content"] for m in tool_messages(model_server.requests_for("alpha")[3])]
    assert sent[0] == "5" and sent[1] == "hi there"
    assert sent[2].startswith("Error:")  # not offered, so the engine refuses it as invalid output
    events = read_events(result.log_dir)
    assert [e.name for e in of(events, "tool_result", "alpha")][:2] == ["mcp__calc__add", "mcp__calc__echo"]


async def test_a_server_that_fails_to_start_is_an_agent_error_and_the_turn_goes_on(
    model_server: ModelServer, agent_config: Any, tmp_path: Path
) -> None:
    model_server.script("alpha", R.answer_then_vote("still here"))
    model_server.script("beta", R.answer_then_vote("me too"))
    config = agent_config()
    config["agents"][0]["mcp_servers"] = [{"name": "ghost", "command": str(tmp_path / "no-such-binary"), "timeout_seconds": 10}]
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("Hello?")
    await session.aclose()
    assert result.status == "ok"
    (error,) = of(read_events(result.log_dir), "agent_error", "alpha")
    assert not error.fatal and "MCP server 'ghost' failed to start" in error.error
    assert all(set(r.tool_names) <= {"new_answer", "vote"} for r in model_server.requests_for("alpha"))


async def test_a_server_that_dies_is_an_agent_error_and_its_tools_go_away(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    model_server.script("alpha", uses_tools_then_answers([("mcp__calc__crash", {}), ("mcp__calc__add", {"a": 1, "b": 1})], "answered anyway"))
    config = agent_config(["alpha"])
    config["agents"][0]["mcp_servers"] = [server_config()]
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("Crash it")
    await session.aclose()
    assert result.status == "ok" and result.final_answer == "answered anyway"
    events = read_events(result.log_dir)
    crash = of(events, "tool_result", "alpha")[0]
    assert crash.name == "mcp__calc__crash" and "died" in crash.error
    errors = of(events, "agent_error", "alpha")
    assert any("MCP server 'calc' died" in e.error and not e.fatal for e in errors)
    # The next run of the agent is no longer offered the dead server's tools.
    later = model_server.requests_for("alpha")[-1]
    assert not any(name.startswith("mcp__calc__") for name in later.tool_names)


async def test_streamable_http_server(tmp_path: Path) -> None:
    import asyncio
    import socket
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, SERVER, "--http", str(port)], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):  # wait until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        config = McpServerConfig(name="web", type="streamable-http", url=f"http://127.0.0.1:{port}/mcp", headers={"X-Test": "1"}, timeout_seconds=20)
        server = McpServer(config)
        await server.start()
        try:
            assert server.failure is None and "mcp__web__shout" in server.tools
            assert await server.call("shout", {"text": "over http"}, timeout=10) == "OVER HTTP"
        finally:
            await server.stop()
    finally:
        process.terminate()
        process.wait(10)


async def test_sync_close_stops_servers_in_the_background_and_use_config_retires_them(
    model_server: ModelServer, agent_config: Any, tmp_path: Path
) -> None:
    import asyncio

    from mgtui.config.loader import config_from_data

    pidfiles = [tmp_path / "one.pid", tmp_path / "two.pid"]
    model_server.script("alpha", R.answer_then_vote("ok"))
    config = agent_config(["alpha"])
    config["agents"][0]["mcp_servers"] = [server_config(pidfiles[0])]
    session = new_session(config, tmp_path / "logs")
    await session.ask("first")
    config["agents"][0]["mcp_servers"] = [server_config(pidfiles[1])]
    session.use_config(config_from_data(config))  # the old config's server is retired
    await session.ask("second")
    session.close()
    pids = [int(p.read_text()) for p in pidfiles]
    assert pids[0] != pids[1]
    for _ in range(400):  # bounded wait for the background shutdown
        if not any(alive(pid) for pid in pids):
            break
        await asyncio.sleep(0.05)
    assert not any(alive(pid) for pid in pids)
