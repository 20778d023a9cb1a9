"""mgtui: multi-agent LLM consensus in the terminal."""

__version__ = "0.1.0"
