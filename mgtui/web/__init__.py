"""`mgtui --web`: the same Textual app, served to browsers by textual-serve (the `web` extra)."""
