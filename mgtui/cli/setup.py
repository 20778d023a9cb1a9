"""Shared start-up for commands that run the team: resolve the config, open or resume a session."""

from __future__ import annotations

from pathlib import Path

from mgtui.config.loader import ConfigError, LoadedConfig


class SetupError(Exception):
    """A problem the user can fix; the message says how."""


def resolve(config_arg: str | None, cwd: Path | None = None) -> tuple[LoadedConfig, str]:
    """The config to use and a label saying where it came from."""
    from mgtui.config.discovery import resolve_config  # noqa: PLC0415

    try:
        resolved = resolve_config(config_arg, cwd or Path.cwd())
    except ConfigError as exc:
        raise SetupError(f"invalid config:\n{exc}") from None
    except FileNotFoundError as exc:
        raise SetupError(str(exc)) from None
    return resolved.loaded, resolved.source_label


def open_session(config_arg: str | None, log_dir: str | None, resume_latest: bool, session_ref: str | None):  # type: ignore[no-untyped-def]
    """A new Session, or an existing one resumed (`--continue` / `--session ID`)."""
    from mgtui.engine.session import Session  # noqa: PLC0415
    from mgtui.logs.store import default_log_root, latest_session, resolve_session  # noqa: PLC0415

    loaded, source = resolve(config_arg)
    root = Path(log_dir) if log_dir else default_log_root(loaded.config.orchestrator.log_dir)
    if resume_latest:
        info = latest_session(Path.cwd(), root)
        if info is None:
            raise SetupError(f"no earlier session to continue in {root}")
        return Session.resume(info.path, loaded), source
    if session_ref:
        try:
            folder = resolve_session(session_ref, root)
        except (FileNotFoundError, ValueError) as exc:
            raise SetupError(str(exc)) from None
        return Session.resume(folder, loaded), source
    return Session(loaded, log_root=root), source


def describe_startup_error(exc: BaseException) -> str:
    """One line for errors that stop a turn before it starts (never a traceback)."""
    from mgtui.providers.local_weights import LocalModelUnavailable  # noqa: PLC0415 - stdlib-only module

    if isinstance(exc, LocalModelUnavailable):
        return str(exc)  # already says what to install
    if type(exc).__name__ == "LogWriteError":  # disk full: already names the folder and the cause
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
