"""Shipped configs survive a normal (non-editable) install: build the wheel, run from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from mgtui.config.shipped import data_dir

ROOT = Path(__file__).resolve().parents[2]


def _build_wheel(tmp_path: Path) -> Path:
    # Build from a copy: an in-tree build would leave build/ and *.egg-info in the shared checkout.
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("mgtui", "configs", "themes"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy2(ROOT / name, src / name)
    readme = ROOT / "README.md"
    (src / "README.md").write_text(readme.read_text() if readme.exists() else "mgtui\n")
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("mgtui-*.whl"))


def test_wheel_carries_configs_and_themes_and_finds_them(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for config in sorted(data_dir("configs").glob("*.yaml")):
        assert f"mgtui/configs/{config.name}" in names
    for theme in sorted(p for p in data_dir("themes").glob("*") if p.is_file()):
        assert f"mgtui/themes/{theme.name}" in names

    # A wheel is a zip of site-packages content: unpacked, it is an installed package.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "from mgtui.config.shipped import data_dir, shipped_configs\n"
        "print(data_dir('configs'))\n"
        "print(' '.join(c.name for c in shipped_configs()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    folder, listed = result.stdout.splitlines()
    assert Path(folder) == site / "mgtui" / "configs"
    assert listed.split() == [p.stem for p in sorted(data_dir("configs").glob("*.yaml"))]
