"""Issue 20 items 5 and 6 through the real tools path (SessionTools -> AgentTools.execute):
no `.mgtui/` folder or log root is writable whatever the context paths say, and the active
config and `.env` files are not readable unless a context path names them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from mgtui.config.loader import config_from_data
from mgtui.config.models import ContextPath
from mgtui.tools.executor import AgentTools
from mgtui.tools.factory import SessionTools
from tests.conftest import make_config

KEY = "sk-live-0123456789abcdef"


def presenter_tools(cwd: Path, session_dir: Path, config_file: Path, *paths: tuple[Path, str], phase: str = "final") -> AgentTools:
    session = SimpleNamespace(dir=session_dir, turn=1, emit=lambda _event: None, add_sink=lambda _sink: None,
                              turn_context_paths=[ContextPath(path=str(p), permission=perm) for p, perm in paths])
    config = make_config(SimpleNamespace(url="http://127.0.0.1:9/v1"), ("alpha",))  # no model is called
    tools = SessionTools(config_from_data(config).config, session, cwd=cwd, config_path=config_file)
    agent_tools = tools(tools.config.agents[0], phase)
    assert agent_tools is not None
    return agent_tools


async def write(tools: AgentTools, target: Path, content: str = "overwritten\n") -> str:
    return await tools.execute("c", "write_file", {"path": str(target), "content": content})


async def test_no_mgtui_folder_and_no_session_log_is_writable(tmp_path: Path) -> None:
    project = tmp_path / "project"
    logs = project / ".mgtui" / "logs"
    earlier, current = logs / "20261125-110000-aaaaaa", logs / "20261125-120000-bbbbbb"
    for folder in (earlier, current, project / "sub" / ".mgtui"):
        folder.mkdir(parents=True)
    (earlier / "events.jsonl").write_text("{}\n")
    folder_config = project / ".mgtui" / "config.yaml"
    folder_config.write_text("agents: []\n")
    active = project / "team.yaml"
    active.write_text("agents: []\n")
    tools = presenter_tools(project, current, active, (project, "write"))
    assert not (await write(tools, project / "notes.md")).startswith("Error")  # the project itself: yes
    targets = [earlier / "events.jsonl", earlier / "final.md", folder_config, project / ".mgtui" / "new.txt",
               project / "sub" / ".mgtui" / "config.yaml", active]
    for target in targets:
        result = await write(tools, target)
        assert result.startswith("Error") and "protected" in result, (target, result)
    edit = await tools.execute("e", "edit_file", {"path": str(earlier / "events.jsonl"), "old": "{}", "new": "[]"})
    assert edit.startswith("Error") and "protected" in edit
    assert (earlier / "events.jsonl").read_text() == "{}\n"
    assert folder_config.read_text() == "agents: []\n"
    assert not (project / ".mgtui" / "new.txt").exists() and not (project / "sub" / ".mgtui" / "config.yaml").exists()


async def test_a_log_root_elsewhere_is_protected_too(tmp_path: Path) -> None:
    """`--log-root` outside the project, inside a writable context path: every session in it."""
    logs = tmp_path / "shared" / "logs"
    earlier, current = logs / "20261125-110000-aaaaaa", logs / "20261125-120000-bbbbbb"
    for folder in (earlier, current):
        folder.mkdir(parents=True)
    (earlier / "events.jsonl").write_text("{}\n")
    tools = presenter_tools(tmp_path, current, tmp_path / "team.yaml", (tmp_path / "shared", "write"))
    assert not (await write(tools, tmp_path / "shared" / "ok.md")).startswith("Error")
    result = await write(tools, earlier / "events.jsonl")
    assert result.startswith("Error") and "protected" in result
    assert (earlier / "events.jsonl").read_text() == "{}\n"


def secret_project(tmp_path: Path) -> tuple[Path, Path, Path]:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text("API = 'public'\n")
    config = project / "team.yaml"
    config.write_text(f"agents:\n  - id: alpha\n    model: openai/x\n    api_key: {KEY}\n")
    env = project / ".env"
    env.write_text(f"OPENAI_API_KEY={KEY}\n")
    (project / ".env.local").write_text(f"OTHER_KEY={KEY}\n")
    return project, config, env


async def test_the_active_config_and_env_files_are_not_readable(tmp_path: Path) -> None:
    project, config, env = secret_project(tmp_path)
    session_dir = tmp_path / "logs" / "20261125-120000-bbbbbb"
    session_dir.mkdir(parents=True)
    tools = presenter_tools(project, session_dir, config, (project, "read"), phase="coordination")
    for target in (config, env, project / ".env.local"):
        result = await tools.execute("r", "read_file", {"path": str(target)})
        assert result.startswith("Error") and "secrets" in result and KEY not in result, result
    found = await tools.execute("s", "search_files", {"pattern": "KEY|key|API", "path": str(project)})
    assert KEY not in found and "app.py" in found  # the search works, the secret files are skipped
    single = await tools.execute("s2", "search_files", {"pattern": "sk-", "path": str(config)})
    assert KEY not in single
    listing = await tools.execute("l", "list_dir", {"path": str(project)})
    assert "team.yaml" in listing and ".env" in listing  # listing names them; that is fine


async def test_a_context_path_naming_the_file_makes_it_readable(tmp_path: Path) -> None:
    project, config, env = secret_project(tmp_path)
    session_dir = tmp_path / "logs" / "20261125-120000-bbbbbb"
    session_dir.mkdir(parents=True)
    tools = presenter_tools(project, session_dir, config, (project, "read"), (env, "read"), phase="coordination")
    assert KEY in await tools.execute("r", "read_file", {"path": str(env)})
    refused = await tools.execute("r2", "read_file", {"path": str(config)})  # not named: still refused
    assert refused.startswith("Error") and KEY not in refused


async def test_a_symlink_to_the_config_in_the_workspace_is_not_readable(tmp_path: Path) -> None:
    project, config, _env = secret_project(tmp_path)
    session_dir = tmp_path / "logs" / "20261125-120000-bbbbbb"
    session_dir.mkdir(parents=True)
    tools = presenter_tools(project, session_dir, config, (project / "src", "read"), phase="coordination")
    assert not (await tools.execute("w", "write_file", {"path": "mine.txt", "content": "x"})).startswith("Error")
    workspace = Path(tools.files_written[0]).parent  # the agent's own workspace
    (workspace / "link.yaml").symlink_to(config)
    result = await tools.execute("r", "read_file", {"path": "link.yaml"})
    assert result.startswith("Error") and KEY not in result
