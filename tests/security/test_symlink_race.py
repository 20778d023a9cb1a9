"""Issue 20 item 12: a symlink flipped by another process while the file tools write.

A second process keeps swapping a folder and a file inside the writable path for symlinks
to an outside folder; the presenter writes and edits through both 300 times each. Whatever
the timing, nothing may land outside.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mgtui.tools.file_tools import FileTools
from mgtui.tools.permissions import PathPolicy, ToolError, context_roots

WRITES = 300

FLIPPER = r"""
import os, sys, time
root, outside, stop = sys.argv[1], sys.argv[2], sys.argv[3]
os.chdir(root)
deadline = time.monotonic() + 120  # a guard: the test stops it long before
while not os.path.exists(stop) and time.monotonic() < deadline:
    # the folder `d`: a real folder, then a symlink to the outside folder
    try:
        os.rename("d", "d_saved"); os.symlink(outside, "d")
        os.unlink("d"); os.rename("d_saved", "d")
    except OSError:
        pass
    # the file `f.txt`: a regular file, then (atomically) a symlink to a file outside
    try:
        os.symlink(os.path.join(outside, "f.txt"), "f.tmp"); os.replace("f.tmp", "f.txt")
        with open("g.tmp", "w") as handle: handle.write("inside\n")
        os.replace("g.tmp", "f.txt")
    except OSError:
        pass
"""


async def test_writes_never_land_outside_while_a_symlink_flips(tmp_path: Path) -> None:
    root, outside, workspace = tmp_path / "project", tmp_path / "outside", tmp_path / "ws"
    for folder in (root / "d", outside, workspace):
        folder.mkdir(parents=True)
    (root / "f.txt").write_text("inside\n")
    (root / "d" / "f.txt").write_text("inside\n")
    (outside / "f.txt").write_text("outside\n")
    policy = PathPolicy(workspace=workspace, context=context_roots([(root, True, [])], "final"))
    tools = FileTools(policy)
    stop = tmp_path / "stop"
    flipper = subprocess.Popen([sys.executable, "-c", FLIPPER, str(root), str(outside), str(stop)])
    wrote = refused = 0
    try:
        for n in range(WRITES):
            for name, arguments in [
                ("write_file", {"path": str(root / "f.txt"), "content": "inside\n"}),
                ("write_file", {"path": str(root / "d" / "f.txt"), "content": "inside\n"}),
                ("write_file", {"path": str(root / "d" / f"new{n}.txt"), "content": "inside\n"}),
                ("edit_file", {"path": str(root / "f.txt"), "old": "inside", "new": "inside"}),
            ]:
                try:
                    await tools.call(name, arguments)
                    wrote += 1
                except (ToolError, OSError):  # refused or raced: allowed; landing outside is not
                    refused += 1
    finally:
        stop.touch()
        flipper.wait(timeout=60)
    assert (outside / "f.txt").read_text() == "outside\n"
    assert sorted(p.name for p in outside.iterdir()) == ["f.txt"]
    assert wrote > 0  # the tools did write (inside) while the flipper ran
