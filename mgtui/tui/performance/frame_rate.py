"""Textual's frame rate for the app's own process.

Textual draws a frame at most every 1/TEXTUAL_FPS s on a fixed grid, and a refresh asked for
just after a frame waits one to two grid steps. While agents stream, tails draw ten times a
second (`performance/tail_clock.py`), so a key press often came right after a tail frame and waited
up to 33 ms at Textual's default 60 fps before it was drawn. At 120 fps that wait is at most
17 ms; the tails still draw ten times a second, so there are not more frames, only earlier ones.
"""

from __future__ import annotations

import os
import sys

FRAMES_PER_SECOND = 120


def prefer_quick_frames() -> None:
    """Call before Textual is imported; a TEXTUAL_FPS the user set wins."""
    if "textual" not in sys.modules:
        os.environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))
