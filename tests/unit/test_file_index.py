"""FileIndex: gitignore rules, skipped folders, folder listing and fuzzy ranking."""

from __future__ import annotations

from pathlib import Path

from mgtui.tui.file_index import FileIndex, fuzzy_score


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _paths(index: FileIndex) -> set[str]:
    return {entry.path for entry in index.entries}


def test_gitignore_rules_are_respected(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {
        ".gitignore": "*.log\nbuild/\n!keep.log\n",
        "src/app.py": "", "src/debug.log": "", "keep.log": "",
        "build/out.txt": "",
        "docs/.gitignore": "draft.md\n", "docs/draft.md": "", "docs/final.md": "",
        "node_modules/x/index.js": "", ".venv/bin/python": "", "src/__pycache__/a.pyc": "",
    })
    paths = _paths(FileIndex(tmp_path).build())
    assert {"src/app.py", "keep.log", "docs/final.md", "src/", "docs/"} <= paths
    assert not {"src/debug.log", "build/", "build/out.txt", "docs/draft.md"} & paths
    assert not any(p.startswith((".git/", "node_modules", ".venv", "src/__pycache__")) for p in paths)


def test_parent_gitignore_applies_inside_the_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {".gitignore": "pkg/secret.txt\n*.tmp\n", "pkg/secret.txt": "", "pkg/a.tmp": "", "pkg/ok.txt": ""})
    assert _paths(FileIndex(tmp_path / "pkg").build()) == {"ok.txt"}


def test_children_lists_folders_first(tmp_path: Path) -> None:
    _tree(tmp_path, {"b.txt": "", "a/x.txt": "", "a/y/z.txt": ""})
    index = FileIndex(tmp_path).build()
    assert [e.path for e in index.children()] == ["a/", "b.txt"]
    assert [e.path for e in index.children("a/")] == ["a/y/", "a/x.txt"]


def test_search_is_fuzzy_and_ranks_file_names_first(tmp_path: Path) -> None:
    _tree(tmp_path, {"mgtui/tui/widgets/prompt_bar.py": "", "paths/bar.txt": "", "docs/readme.md": ""})
    index = FileIndex(tmp_path).build()
    assert index.search("pbar")[0].path == "mgtui/tui/widgets/prompt_bar.py"
    assert index.search("zzz") == []
    # Searching inside a folder only returns entries below it.
    assert [e.path for e in index.search("bar", "paths/")] == ["paths/bar.txt"]


def test_fuzzy_score_needs_every_character_in_order() -> None:
    assert fuzzy_score("abc", "a_b_c") is not None
    assert fuzzy_score("cba", "a_b_c") is None
    assert fuzzy_score("bar", "x/bar") > fuzzy_score("bar", "b/a/r")  # type: ignore[operator]
