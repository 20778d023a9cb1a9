"""Keys applied in the order they were typed, in every text area of the app.

Textual inserts a printable key in the focused `TextArea`'s own key handler, but an editing
key (Backspace, Delete, arrows, Home/End, Ctrl+W …) is a binding that Textual runs only once
the key has bubbled up to the App, one message queue per ancestor. Keys that arrive together
(the app was busy drawing streaming panes, a quick typist, tmux send-keys, a paste without
bracketed paste) were then applied out of order: "abc⌫d" ended as "abc", the Backspace
deleting the "d" typed after it. Running the text area's own binding at once keeps the order.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import TextArea


async def run_own_binding(widget: Widget, key: str, *, priority: bool | None = False) -> bool:
    """Run `widget`'s own binding for `key` now (not after the key bubbled up); True when one
    handled it. `priority=None` takes priority bindings too (for a key that arrived while
    another widget had the focus, so the App's priority pass never saw this widget)."""
    for binding in widget._bindings.key_to_bindings.get(key, ()):  # noqa: SLF001 - the map Textual itself reads (keymap applied)
        if (priority is None or binding.priority == priority) and await widget.app.run_action(binding.action, widget):
            return True
    return False


class InOrderTextArea(TextArea):
    """A `TextArea` whose editing keys take effect in order with the characters around them."""

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable or self.read_only:
            return  # TextArea's own handler (next in the MRO) inserts it
        if await run_own_binding(self, event.key):
            event.stop()
            event.prevent_default()  # TextArea's handler has nothing left to do with it
