"""Which config file is active, and why: `--config` | `@NAME` | project | user | built-in default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from mgtui.config.loader import ConfigError, ConfigIssue, LoadedConfig, load_config_file
from mgtui.config.shipped import shipped_config, shipped_configs
from mgtui.config.suggest import closest, did_you_mean

DEFAULT_CONFIG = "@local"
PROJECT_CONFIG = Path(".mgtui") / "config.yaml"


@dataclass(frozen=True)
class ResolvedConfig:
    path: Path
    source_label: str  # what the UI and `mgtui run` show, e.g. "@local (shipped)"
    loaded: LoadedConfig


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir("mgtui")) / "config.yaml"


def _shipped(name: str, label_suffix: str) -> tuple[Path, str]:
    found = shipped_config(name)
    if found is None:
        names = [c.name for c in shipped_configs()]
        hint = did_you_mean(closest(name.removeprefix("@"), names))
        known = ", ".join(f"@{n}" for n in names) or "none"
        raise ConfigError(name, [ConfigIssue(f"no shipped config named '{name}'{hint}; shipped: {known}")])
    return found.path, f"@{found.name} ({label_suffix})"


def find_config(arg: str | None, cwd: Path) -> tuple[Path, str]:
    """The file to load and the label saying where it came from (nothing is read yet)."""
    if arg:
        if arg.startswith("@"):
            return _shipped(arg, "shipped")
        path = Path(arg).expanduser()
        path = path if path.is_absolute() else cwd / path
        if not path.is_file():
            raise ConfigError(arg, [ConfigIssue("no such config file")])
        return path, f"--config {arg}"
    project = cwd / PROJECT_CONFIG
    if project.is_file():
        return project, f"./{PROJECT_CONFIG.as_posix()}"
    user = user_config_path()
    if user.is_file():
        return user, f"{user} (user config)"
    return _shipped(DEFAULT_CONFIG, "built-in default")


def resolve_config(arg: str | None, cwd: Path) -> ResolvedConfig:
    """Find and load the active config; raises ConfigError with every issue of that file."""
    path, label = find_config(arg, cwd)
    return ResolvedConfig(path=path, source_label=label, loaded=load_config_file(path))
