"""How mgtui starts Python subprocesses of its own (the engine, a web tab's app, hook calls).

`python -m X` puts the working folder first on `sys.path`, so a file a model wrote there
(`argparse.py`, `json.py`) would run inside the next engine. `-P` (Python 3.11+) leaves the
working folder off `sys.path` and keeps everything else: PYTHONPATH (the package root of a
checkout and the user's own hook/tool modules come from there), the user site-packages (a
`pip install --user mgtui`) and the PYTHON* variables (PYTHONUNBUFFERED). `-I` would drop all
three. An editable install is a `.pth` file in site-packages, which `-P` keeps.
"""

from __future__ import annotations

import os
import sys


def module_command(module: str, *args: str) -> list[str]:
    """argv that runs `python -m module args…` without the working folder on sys.path."""
    return [sys.executable, "-P", "-m", module, *args]


def pythonpath_with(root: str, current: str | None) -> str:
    """PYTHONPATH with `root` first; empty entries are dropped: an empty entry (from
    `PYTHONPATH=$PYTHONPATH:/x` with nothing set) means the working folder."""
    parts = [p for p in (current or "").split(os.pathsep) if p]
    return os.pathsep.join([root, *(p for p in parts if p != root)])
