"""Decode the `content` of a `new_answer` call while its JSON arguments are still streaming.

Most models write their whole answer inside the tool call; without this the UI would show
nothing for the length of the answer. The decoder is incremental: each call to `feed`
looks only at the new part of the argument string.
"""

from __future__ import annotations

import json
import re

_CONTENT_KEY = re.compile(r'"content"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class DraftDecoder:
    """Feed it the growing argument string; it returns the newly decoded answer text."""

    def __init__(self) -> None:
        self._start: int | None = None  # index just after the opening quote of the value
        self._pos = 0  # next raw index to decode
        self.done = False
        self._raw = ""  # for `push`: only what is not decoded yet

    def push(self, piece: str) -> str:
        """Feed the next piece of the argument string (not the whole string: that grows,
        and joining it on every delta made long answers quadratic)."""
        if self.done:
            return ""
        out = self.feed(self._raw + piece)
        if self._start is None:
            self._raw += piece  # the "content" key is not there yet (it comes early)
        else:
            self._raw = (self._raw + piece)[self._pos :]  # keep only a cut escape, if any
            self._start = self._pos = 0
        return out

    def feed(self, raw: str) -> str:
        if self.done:
            return ""
        if self._start is None:
            match = _CONTENT_KEY.search(raw)
            if match is None:
                return ""
            self._start = self._pos = match.end()
        out: list[str] = []
        i = self._pos
        while i < len(raw):
            ch = raw[i]
            if ch == '"':
                self.done = True
                i += 1
                break
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            if i + 1 >= len(raw):
                break  # an escape cut in two: wait for the rest
            code = raw[i + 1]
            if code == "u":
                # a character outside the BMP is a surrogate pair: decode both halves together
                width = 12 if raw[i + 2 : i + 4].lower() in ("d8", "d9", "da", "db") else 6
                if i + width > len(raw):
                    break
                out.append(_unicode(raw[i : i + width]))
                i += width
                continue
            out.append(_ESCAPES.get(code, code))
            i += 2
        self._pos = i
        return "".join(out)


def _unicode(escape: str) -> str:
    try:
        text: str = json.loads(f'"{escape}"')
    except ValueError:
        return ""
    # a broken pair leaves lone surrogates: show nothing rather than break the stream
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "ignore")
