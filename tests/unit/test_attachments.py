"""resolve_prompt: read-only attachments, size cap, binary refusal, :w, directories."""

from __future__ import annotations

from pathlib import Path

from mgtui.tui.attachments import find_references, resolve_prompt


def test_references_grammar() -> None:
    refs = find_references('see @a.py, mail x@y.com, \\@literal, @"my notes.txt":w and @out/:w.')
    assert refs == [("@a.py", "a.py", False), ('@"my notes.txt":w', "my notes.txt", True), ("@out/:w", "out/", True)]


def test_text_file_is_attached_read_only(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("hello\nworld\n")
    result = resolve_prompt("summarise @notes.md please", tmp_path)
    assert result.text == "summarise @notes.md please"
    assert result.question.startswith("summarise @notes.md please\n\n")
    assert '<attached file="notes.md" mode="read-only">\nhello\nworld\n</attached>' in result.question
    assert [a.path for a in result.attachments] == ["notes.md"]
    assert result.write_paths == [] and result.notices == []


def test_size_cap_truncates_with_a_notice(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("é" * 3000)  # 6000 bytes, 2 bytes per character
    result = resolve_prompt("@big.txt", tmp_path, max_file_bytes=1001)
    [attachment] = result.attachments
    assert attachment.truncated and attachment.size == 6000
    body = result.question.split(">\n", 1)[1].rsplit("\n</attached>", 1)[0]
    assert body == "é" * 500  # the half character at the cut is dropped, not garbled
    assert any("6,000 bytes" in n and "1,001" in n for n in result.notices)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    result = resolve_prompt("look at @image.png", tmp_path)
    assert result.attachments == [] and result.question == "look at @image.png"
    assert result.notices == ["image.png: looks like a binary file; not attached"]


def test_missing_path_is_reported(tmp_path: Path) -> None:
    result = resolve_prompt("read @nope.txt", tmp_path)
    assert result.attachments == [] and "no such file" in result.notices[0]


def test_writable_paths_and_new_files(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x = 1\n")
    result = resolve_prompt("edit @src/a.py:w and create @src/b.py:w", tmp_path)
    assert result.write_paths == [str(tmp_path.resolve() / "src/a.py"), str(tmp_path.resolve() / "src/b.py")]
    assert 'mode="writable"' in result.question
    assert any("b.py does not exist yet" in n for n in result.notices)


def test_directory_is_listed(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "m.py").write_text("")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    result = resolve_prompt("what is in @pkg/", tmp_path)
    assert '<attached directory="pkg" mode="read-only">\nm.py\nsub/\n</attached>' in result.question


def test_outside_working_directory_only_if_it_exists(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared.txt").write_text("shared")
    result = resolve_prompt("@../shared.txt and @../ghost.txt:w", work)
    assert [a.path for a in result.attachments] == [str(tmp_path.resolve() / "shared.txt")]
    assert any("outside the working directory" in n for n in result.notices)
    assert any("ghost.txt" in n and "no such file" in n for n in result.notices)
    assert result.write_paths == []
