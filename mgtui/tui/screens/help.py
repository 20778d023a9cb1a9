"""Help: every key of the app and of the screen underneath, grouped, generated from Bindings.

Keys come from the live binding maps, so a user keymap (`App.set_keymap`) shows up here.
Widgets contribute the bindings that mgtui declares (a Textual TextArea's forty cursor
keys would bury the ones that matter); the app and the screen contribute all of theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

_OWN_PACKAGE = "mgtui"


@dataclass
class KeyRow:
    keys: list[str]  # display forms, e.g. ["ctrl+j", "alt+enter"]
    description: str


def _title(node: DOMNode) -> str:
    if isinstance(node, App):
        return "App"
    if title := getattr(node, "BINDING_GROUP_TITLE", None):
        return str(title)
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", type(node).__name__)
    return " ".join(words).capitalize() or type(node).__name__


def _declared_actions(node: DOMNode) -> set[str]:
    """Actions bound by classes of our own package in the node's class hierarchy."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.split(".")[0] != _OWN_PACKAGE:
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding):
                actions.add(binding.action)
            elif isinstance(binding, tuple) and len(binding) >= 2:
                actions.add(binding[1])
    return actions


def collect_bindings(app: App, screen: Screen) -> dict[str, list[KeyRow]]:
    """Group title -> rows, in the order the app, the screen and its widgets declare them."""
    groups: dict[str, list[KeyRow]] = {}
    nodes: list[DOMNode] = [app, screen, *screen.walk_children(with_self=False)]
    for node in nodes:
        wanted = None if node in (app, screen) else _declared_actions(node)
        if wanted is not None and not wanted:
            continue
        rows: dict[tuple[str, str], KeyRow] = {}
        bindings_map = node._bindings.copy()
        if app._keymap:  # what the keys are now, after the user's remapping
            bindings_map.apply_keymap(app._keymap)
        for bindings in bindings_map.key_to_bindings.values():
            for binding in bindings:
                if binding.system or not binding.description:
                    continue
                if wanted is not None and binding.action not in wanted:
                    continue
                title = _title(node)
                if binding.group is not None:
                    title = f"{title}: {binding.group.description}"
                row = rows.setdefault((title, binding.action), KeyRow([], binding.description))
                key = app.get_key_display(binding)
                if key not in row.keys:
                    row.keys.append(key)
        for (title, _), row in rows.items():
            existing = groups.setdefault(title, [])
            if all(r.description != row.description or r.keys != row.keys for r in existing):
                existing.append(row)
    return groups


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys. Open it with `app.push_screen(HelpScreen(app.screen))`."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,f1,q,question_mark", "dismiss_help", "Close help", id="help.close"),
    ]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        groups = collect_bindings(self.app, self.target)
        width = max((len(" / ".join(r.keys)) for rows in groups.values() for r in rows), default=8)
        with Vertical(id="help-dialog"):
            yield Label("Keys", id="help-title")
            with VerticalScroll(id="help-body"):
                for title, rows in groups.items():
                    yield Label(title, classes="help-group")
                    lines = [
                        Content.assemble((" / ".join(r.keys).ljust(width), "bold $accent"), "  ", r.description)
                        for r in rows
                    ]
                    yield Static(Content("\n").join(lines), classes="help-keys")
            yield Label("Esc closes · keys can be remapped", id="help-footer")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
