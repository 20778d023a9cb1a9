"""Outside text (model output, dataset questions) made safe for a terminal or a report."""

from __future__ import annotations

import re

# C0 and C1 control characters except newline and tab: escape sequences start with them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """`text` without control characters (ESC, CR, BEL, CSI ...); newlines and tabs kept."""
    return _CONTROL.sub("", text)


def one_line(text: str | None, limit: int = 80) -> str:
    """Cleaned, its lines joined with ⏎, shortened to `limit` characters ('…' marks a cut)."""
    if not text:
        return ""
    lines = [line.strip() for line in clean(text).splitlines() if line.strip()]
    joined = " ⏎ ".join(lines)
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"
