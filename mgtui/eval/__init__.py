"""`mgtui eval`: does the team beat its best member? Measured on a dataset, not claimed.

dataset (JSONL or `@arithmetic`) -> runner (team sessions, single completions, majority)
-> results.jsonl (resumable) -> summary (pure statistics) -> table, report.md, report.svg.
Nothing here imports LiteLLM at module level; the TUI reads results through `store` and
`summary` only.
"""
