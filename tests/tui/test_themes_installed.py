"""The shipped themes are found from a normal (non-editable) install, not only a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from mgtui.config.shipped import data_dir
from mgtui.tui.themes import theme_from_file
from tests.unit.test_config_packaging import _build_wheel


def test_installed_package_loads_the_shipped_themes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(_build_wheel(tmp_path)).extractall(site)
    probe = "from mgtui.tui.themes import load_themes\nprint(' '.join(sorted(t.name for t in load_themes())))\n"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # away from the checkout, whose themes/ must not be what is found
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    shipped = {theme_from_file(p).name for p in data_dir("themes").glob("*.toml")}
    assert shipped and shipped <= set(result.stdout.split())
