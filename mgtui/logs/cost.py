"""Token prices from LiteLLM's offline cost map (CLI only: importing LiteLLM takes seconds)."""

from __future__ import annotations

from mgtui.providers.litellm_access import get_litellm


def litellm_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """USD for these tokens, or None when the price is unknown (local models, unmapped names)."""
    if model.startswith("local/") or model == "?":
        return None
    litellm = get_litellm()
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
    except Exception:  # noqa: BLE001 - LiteLLM raises a bare Exception for unmapped models
        return None
    return float(prompt_cost) + float(completion_cost)
