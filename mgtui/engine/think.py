"""Split `<think>…</think>` blocks out of streamed content, however the tags are cut.

Reasoning models served raw (DeepSeek-R1, Qwen3, QwQ on llama.cpp, Ollama, vLLM) write their
thinking into the content, wrapped in these tags. It is shown as "thinking" and never becomes
part of an answer, a vote reason or what other agents see. A tag may arrive split across
chunks ("<thi" + "nk>"), so a short suffix that could start a tag is held back until the next
piece decides it.
"""

from __future__ import annotations

OPEN, CLOSE = "<think>", "</think>"
Piece = tuple[str, str]  # (phase, text): phase is "content" or "reasoning"


def _held_suffix(text: str, tag: str) -> int:
    """Length of the longest end of `text` that is a proper prefix of `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkSplitter:
    """Feed content pieces; get back (phase, text) pieces with the tags removed."""

    def __init__(self) -> None:
        self.inside = False
        self._held = ""  # a possible start of the next tag

    def feed(self, piece: str) -> list[Piece]:
        text = self._held + piece
        self._held = ""
        out: list[Piece] = []
        while text:
            tag = CLOSE if self.inside else OPEN
            phase = "reasoning" if self.inside else "content"
            at = text.find(tag)
            if at >= 0:
                if at:
                    out.append((phase, text[:at]))
                text = text[at + len(tag) :]
                self.inside = not self.inside
                continue
            keep = _held_suffix(text, tag)
            if keep:
                text, self._held = text[:-keep], text[-keep:]
            if text:
                out.append((phase, text))
            break
        return out

    def flush(self) -> list[Piece]:
        """The end of the stream: whatever was held back is plain text of the current phase."""
        held, self._held = self._held, ""
        return [("reasoning" if self.inside else "content", held)] if held else []
