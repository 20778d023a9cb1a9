"""Adapters that let other software use mgtui (LiteLLM custom provider, ...)."""
