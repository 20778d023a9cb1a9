"""The permission matrix of the built-in file tools, plus traversal and symlink attacks.

Every cell runs the real tool through `FileTools` on a real directory tree.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mgtui.tools.file_tools import FileTools
from mgtui.tools.permissions import PathPolicy, ToolError, context_roots

SECRET = "top secret outside"


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    ws = tmp_path / "session" / "workspaces" / "alpha"
    peer = tmp_path / "session" / "turn_1" / "beta" / "snapshot_1"
    src = tmp_path / "project" / "src"
    docs = tmp_path / "project" / "docs"
    outside = tmp_path / "outside"
    for folder in (ws, peer, src, docs / "locked", outside):
        folder.mkdir(parents=True)
    (ws / "mine.txt").write_text("my notes\n")
    (peer / "theirs.txt").write_text("peer notes\n")
    (src / "app.py").write_text("print('hello')\n")
    (docs / "guide.md").write_text("# Guide\n")
    (docs / "locked" / "keep.md").write_text("do not touch\n")
    (outside / "secret.txt").write_text(SECRET + "\n")
    return {"ws": ws, "peer": peer, "src": src, "docs": docs, "outside": outside}


def tools_for(tree: dict[str, Path], phase: str) -> FileTools:
    roots = context_roots([(tree["src"], False, []), (tree["docs"], True, ["locked"])], phase)
    policy = PathPolicy(
        workspace=tree["ws"],
        context=roots,
        peer_ids=["agent2", "agent3"],
        peer_lookup=lambda anon: tree["peer"] if anon == "agent2" else None,
    )
    return FileTools(policy)


# location -> (directory as the agent writes it, an existing file in it)
def locations(tree: dict[str, Path]) -> dict[str, tuple[str, str]]:
    return {
        "workspace": (".", "mine.txt"),
        "peer": ("peers/agent2", "peers/agent2/theirs.txt"),
        "read_path": (str(tree["src"]), f"{tree['src']}/app.py"),
        "write_path": (str(tree["docs"]), f"{tree['docs']}/guide.md"),
        "protected": (f"{tree['docs']}/locked", f"{tree['docs']}/locked/keep.md"),
        "outside": (str(tree["outside"]), f"{tree['outside']}/secret.txt"),
    }


READABLE = {"workspace", "peer", "read_path", "write_path", "protected"}
WRITABLE = {"coordination": {"workspace"}, "final": {"workspace", "write_path"}}


FIRST_LINES = {"mine.txt": "my notes", "theirs.txt": "peer notes", "app.py": "print('hello')", "guide.md": "# Guide", "keep.md": "do not touch",
    "secret.txt": SECRET}


async def run(tools: FileTools, name: str, directory: str, file: str) -> str:
    arguments = {
        "read_file": {"path": file},
        "list_dir": {"path": directory},
        "search_files": {"pattern": ".", "path": directory},
        "write_file": {"path": f"{directory}/new.txt", "content": "written"},
        "edit_file": {"path": file, "old": FIRST_LINES[Path(file).name], "new": "EDITED"},
    }[name]
    return await tools.call(name, arguments)


@pytest.mark.parametrize("phase", ["coordination", "final"])
@pytest.mark.parametrize("location", ["workspace", "peer", "read_path", "write_path", "protected", "outside"])
@pytest.mark.parametrize("tool", ["read_file", "list_dir", "search_files", "write_file", "edit_file"])
async def test_permission_matrix(tree: dict[str, Path], tool: str, location: str, phase: str) -> None:
    tools = tools_for(tree, phase)
    directory, file = locations(tree)[location]
    writes = tool in ("write_file", "edit_file")
    allowed = location in (WRITABLE[phase] if writes else READABLE)
    real_file = tools.policy.workspace / file if location == "workspace" else None
    before = {p: p.read_bytes() for p in tree["outside"].parent.rglob("*") if p.is_file()}
    if allowed:
        result = await run(tools, tool, directory, file)
        assert not result.startswith("Error")
        if tool == "read_file":
            assert result.strip()
        if writes:
            assert tools.files_written, "a successful write is listed"
    else:
        with pytest.raises(ToolError, match="outside the paths|read-only|protected path"):
            await run(tools, tool, directory, file)
        after = {p: p.read_bytes() for p in tree["outside"].parent.rglob("*") if p.is_file()}
        assert after == before, "a refused call changed nothing on disk"
        assert not tools.files_written
    if real_file is not None and tool == "edit_file":
        assert real_file.read_text().startswith("EDITED")


async def test_results_name_paths_as_the_agent_sees_them(tree: dict[str, Path]) -> None:
    tools = tools_for(tree, "coordination")
    listing = await tools.call("list_dir", {"path": "."})
    assert "mine.txt" in listing and "peers/agent2/" in listing and "agent3" not in listing
    found = await tools.call("search_files", {"pattern": "notes", "path": "peers/agent2"})
    assert found == "peers/agent2/theirs.txt:1: peer notes"
    assert "beta" not in found  # anonymous ids only


@pytest.mark.parametrize(
    "path",
    [
        "../outside/secret.txt",
        "../../outside/secret.txt",
        "peers/agent2/../../../../outside/secret.txt",
        "sub/../../x",
        "/etc/passwd",
        "peers/agent3/x.txt",  # no snapshot yet
        "peers/beta/theirs.txt",  # config ids are not a way in
        "peers",
    ],
)
async def test_traversal_is_refused(tree: dict[str, Path], path: str) -> None:
    tools = tools_for(tree, "final")
    with pytest.raises(ToolError):
        await tools.call("read_file", {"path": path})
    with pytest.raises(ToolError):
        await tools.call("write_file", {"path": path, "content": "x"})


async def test_absolute_path_with_dotdot_inside_a_context_path_is_refused(tree: dict[str, Path]) -> None:
    tools = tools_for(tree, "final")
    with pytest.raises(ToolError, match=r"'\.\.'"):
        await tools.call("read_file", {"path": f"{tree['docs']}/../../outside/secret.txt"})


@pytest.mark.parametrize("where", ["ws", "docs", "peer"])
async def test_symlinks_that_escape_are_refused(tree: dict[str, Path], where: str) -> None:
    link_file = tree[where] / "escape.txt"
    link_dir = tree[where] / "escape_dir"
    os.symlink(tree["outside"] / "secret.txt", link_file)
    os.symlink(tree["outside"], link_dir)
    tools = tools_for(tree, "final")
    prefix = {"ws": "", "docs": f"{tree['docs']}/", "peer": "peers/agent2/"}[where]
    for call, args in [
        ("read_file", {"path": f"{prefix}escape.txt"}),
        ("list_dir", {"path": f"{prefix}escape_dir"}),
        ("read_file", {"path": f"{prefix}escape_dir/secret.txt"}),
        ("write_file", {"path": f"{prefix}escape.txt", "content": "overwritten"}),
        ("write_file", {"path": f"{prefix}escape_dir/new.txt", "content": "x"}),
        ("edit_file", {"path": f"{prefix}escape.txt", "old": "top", "new": "x"}),
    ]:
        with pytest.raises(ToolError, match="outside"):
            await tools.call(call, args)
    # A search from the folder does not follow the links out either.
    listing_root = prefix.rstrip("/") or "."
    found = await tools.call("search_files", {"pattern": "secret", "path": listing_root})
    assert SECRET not in found
    assert (tree["outside"] / "secret.txt").read_text() == SECRET + "\n"
    assert not (tree["outside"] / "new.txt").exists()


async def test_a_symlink_into_a_protected_path_cannot_be_written_through(tree: dict[str, Path]) -> None:
    os.symlink(tree["docs"] / "locked", tree["docs"] / "alias")
    tools = tools_for(tree, "final")
    with pytest.raises(ToolError, match="protected"):
        await tools.call("write_file", {"path": f"{tree['docs']}/alias/keep.md", "content": "x"})
    assert (tree["docs"] / "locked" / "keep.md").read_text() == "do not touch\n"


async def test_a_symlink_that_stays_inside_is_fine(tree: dict[str, Path]) -> None:
    os.symlink(tree["ws"] / "mine.txt", tree["ws"] / "alias.txt")
    tools = tools_for(tree, "coordination")
    assert await tools.call("read_file", {"path": "alias.txt"}) == "my notes\n"


async def test_edit_file_needs_exactly_one_occurrence(tree: dict[str, Path]) -> None:
    tools = tools_for(tree, "coordination")
    (tree["ws"] / "twice.txt").write_text("a a")
    with pytest.raises(ToolError, match="2 times"):
        await tools.call("edit_file", {"path": "twice.txt", "old": "a", "new": "b"})
    with pytest.raises(ToolError, match="0 times"):
        await tools.call("edit_file", {"path": "twice.txt", "old": "zzz", "new": "b"})
    assert await tools.call("edit_file", {"path": "twice.txt", "old": "a a", "new": "b"}) == "Edited twice.txt."
    assert (tree["ws"] / "twice.txt").read_text() == "b"


async def test_binary_files_and_bad_arguments_are_tool_errors(tree: dict[str, Path]) -> None:
    tools = tools_for(tree, "coordination")
    (tree["ws"] / "blob.bin").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ToolError, match="binary"):
        await tools.call("read_file", {"path": "blob.bin"})
    with pytest.raises(ToolError, match="Bad arguments"):
        await tools.call("read_file", {"file": "mine.txt"})
    with pytest.raises(ToolError, match="regular expression"):
        await tools.call("search_files", {"pattern": "("})


def test_relative_protected_paths_are_read_against_the_context_path_and_the_cwd(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "docs").mkdir(parents=True)
    (root,) = context_roots([(docs, True, ["index.md", "docs/index.md"])], "final", cwd=tmp_path)
    assert set(root.protected) == {docs / "index.md", docs / "docs" / "index.md"}
    policy = PathPolicy(workspace=tmp_path / "ws", context=[root])
    with pytest.raises(ToolError, match="protected"):
        policy.resolve(f"{docs}/index.md", write=True)
    assert policy.resolve(f"{docs}/other.md", write=True).real == docs / "other.md"


async def test_the_active_config_and_the_session_log_are_never_writable(tmp_path: Path) -> None:
    """Even when the user makes the whole project writable (`@.:w`) and both live inside it."""
    from types import SimpleNamespace

    from mgtui.config.models import ContextPath
    from mgtui.tools.factory import SessionTools
    from tests.conftest import make_config

    project = tmp_path / "project"
    session_dir = project / ".mgtui" / "logs" / "20261125-120000-abcdef"
    session_dir.mkdir(parents=True)
    (session_dir / "events.jsonl").write_text("{}\n")
    config_file = project / ".mgtui" / "config.yaml"
    config_file.write_text("agents: []\n")
    (project / "notes.md").write_text("old\n")
    session = SimpleNamespace(dir=session_dir, turn=1, emit=lambda _event: None, add_sink=lambda _sink: None,
                              turn_context_paths=[ContextPath(path=str(project), permission="write")])
    config = make_config(SimpleNamespace(url="http://127.0.0.1:9/v1"), ("alpha",))  # no model is called
    from mgtui.config.loader import config_from_data

    tools = SessionTools(config_from_data(config).config, session, cwd=project, config_path=config_file)
    agent_tools = tools(tools.config.agents[0], "final")  # the presenter, as the engine builds it
    assert agent_tools is not None
    result = await agent_tools.execute("c1", "write_file", {"path": f"{project}/notes.md", "content": "new\n"})
    assert not result.startswith("Error"), result  # the project itself: yes
    assert (project / "notes.md").read_text() == "new\n"
    for n, target in enumerate((config_file, session_dir / "events.jsonl", session_dir / "new.txt")):
        result = await agent_tools.execute(f"c{n + 2}", "write_file", {"path": str(target), "content": "tools: [all]\n"})
        assert result.startswith("Error") and "protected" in result
    assert config_file.read_text() == "agents: []\n"
    assert (session_dir / "events.jsonl").read_text() == "{}\n"
    assert not (session_dir / "new.txt").exists()
