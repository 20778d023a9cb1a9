"""Is a turn the log calls "running" really running? A killed engine never writes turn_finished.

The engine records its process id in `turn_started` (and the index row). A turn without an
end whose process is gone was interrupted (kill -9, crash, power loss): lists and summaries
say so instead of showing it as running forever.
"""

from __future__ import annotations

import os
from typing import Any

INTERRUPTED = "interrupted"


def process_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False  # logs from before pids were recorded: their engine is long gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return False
    return True


def turn_status(status: str, pid: Any) -> str:
    """`status` as recorded, with "running" turns of dead processes shown as interrupted."""
    if status == "running" and not process_alive(pid):
        return INTERRUPTED
    return status
