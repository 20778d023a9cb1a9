"""The hot-reload rule: a new config waits for the next turn; a turn never changes config midway."""

from __future__ import annotations

from mgtui.config.loader import ConfigError, LoadedConfig
from mgtui.config.watcher import ConfigChanged, ConfigUpdate


class PendingConfig:
    """Holds the config in use and the next one. Pure bookkeeping: no I/O, no clock."""

    def __init__(self, current: LoadedConfig) -> None:
        self.current = current
        self.pending: LoadedConfig | None = None
        # Why the newest edit was rejected; cleared by the next valid one.
        self.last_error: ConfigError | None = None

    def offer(self, update: ConfigUpdate) -> None:
        """Record a watcher update. An invalid edit keeps the last good config (pending or current)."""
        if isinstance(update, ConfigChanged):
            self.pending = update.loaded
            self.last_error = None
        else:
            self.last_error = update.error

    def begin_turn(self) -> tuple[LoadedConfig, bool]:
        """The config for the turn that starts now, and whether it is newly applied."""
        if self.pending is None:
            return self.current, False
        self.current, self.pending = self.pending, None
        return self.current, True
