"""No lost keystrokes: a printable key typed while no text input has focus goes to the prompt.

After a click on a pane (or Alt+→) the focus is on something that does not take text; a user
who keeps typing expects the words in the prompt, not a silent drop. Keys that a binding in
the focus chain owns (a pane's `v`, the app's `?` …) are left to that binding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Input, TextArea

from mgtui.tui.in_order_keys import run_own_binding

if TYPE_CHECKING:
    from textual.screen import Screen

    from mgtui.tui.widgets.prompt_bar import PromptBar


def takes_text(widget: object) -> bool:
    return isinstance(widget, TextArea | Input)


def bound_and_enabled(screen: Screen[Any], key: str) -> bool:
    """True when some enabled binding in the focus chain (or the app) handles `key`."""
    active = screen.active_bindings.get(key)
    return active is not None and active.enabled


async def route_to_prompt(screen: Screen[Any], prompt: PromptBar, event: events.Key) -> bool:
    """Move a stray printable key into the prompt; True when it did (the event is then stopped)."""
    if not event.is_printable or not event.character:
        return await _edit_in_prompt(screen, prompt, event)
    if not prompt.region:
        return False  # not on screen (a replay hides it): typing into it would be lost too
    if screen.focused is prompt.input:
        # The prompt has the focus yet this key bubbled up unhandled: it was queued for the
        # widget focused when it arrived (typed faster than a frame), so it is the prompt's.
        pass
    elif takes_text(screen.focused) or bound_and_enabled(screen, event.key):
        return False
    event.stop()
    event.prevent_default()
    # At once, not after the refresh (`focus()`): the keys already queued behind this one
    # must find the prompt focused, or a pane binding (`r`, `d`, `x`) would run on them.
    screen.set_focus(prompt.input)
    prompt.input.insert(event.character)  # at the prompt's own cursor, where the user left it
    return True


async def _edit_in_prompt(screen: Screen[Any], prompt: PromptBar, event: events.Key) -> bool:
    """A Backspace, arrow, Enter … of the same burst (queued for the widget focused before
    the first key moved the focus): the prompt's own key, run now, in order with the text.
    Left to bubble, the App would run it only after the keys queued behind it (in_order_keys)."""
    if screen.focused is not prompt.input:
        return False
    for node in (prompt.input, prompt):  # the App's priority pass ran before the focus moved
        if await run_own_binding(node, event.key, priority=None):
            event.stop()
            event.prevent_default()
            return True
    return False
