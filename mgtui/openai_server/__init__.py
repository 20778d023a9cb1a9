"""`mgtui serve`: the team behind an OpenAI-compatible HTTP endpoint (the `serve` extra).

Importing this package imports nothing heavy; `mgtui.openai_server.app` needs FastAPI.
"""
