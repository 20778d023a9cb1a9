"""How a question is shown in one line: what the user typed, and a chip per attached file.

`turn_started.question` is the question as typed; the files attached with `@path` travel beside
it in `turn_started.attachments` (the agents get their contents as well).
"""

from __future__ import annotations


def one_line(question: str, limit: int = 200) -> str:
    """The typed question's first line, shortened to `limit`; '…' marks anything left out."""
    typed = question.strip()
    first = typed.split("\n", 1)[0].strip()
    cut = len(first) > limit or first != typed
    return first[: limit - 1] + "…" if len(first) > limit else first + (" …" if cut else "")


def chip(attachment: dict[str, object]) -> str:
    """`⟨notes.txt · 1.2 kB⟩`, `⟨docs/ ✎⟩` (✎: writable): an attachment as what it is."""
    path = str(attachment.get("path", "?"))
    raw = attachment.get("bytes") or 0
    size = int(raw) if isinstance(raw, (int, float, str)) else 0
    shown = f"{size / 1024:.1f} kB" if size >= 1024 else (f"{size} B" if size else "")
    mark = " ✎" if attachment.get("mode") == "write" else ""
    return f"⟨{path}{' · ' + shown if shown else ''}{mark}⟩"


def with_chips(question: str, attachments: list[dict[str, object]] | None, limit: int = 200) -> str:
    """The typed question's first line followed by one chip per attachment."""
    chips = " ".join(chip(a) for a in attachments or [] if isinstance(a, dict))
    return f"{one_line(question, limit)}  {chips}" if chips else one_line(question, limit)
