"""The configuration schema (architecture.md §5). Unknown keys are errors everywhere."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FinalStrategy = Literal["winner_present", "synthesize", "winner_reuse"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class McpServerConfig(_Strict):
    """One MCP server an agent may use (stdio or streamable HTTP)."""

    name: str = Field(description="Short name; tools appear as mcp__<name>__<tool>.")
    type: Literal["stdio", "streamable-http"] = "stdio"
    command: str | None = Field(default=None, description="Executable for stdio servers.")
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    cwd: str | None = None
    url: str | None = Field(default=None, description="URL for streamable-http servers.")
    headers: dict[str, str] = Field(default_factory=dict)
    allowed_tools: list[str] | None = Field(default=None, description="Only these tools (names without prefix).")
    exclude_tools: list[str] = Field(default_factory=list)
    timeout_seconds: float = 60.0

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        # It names tools (mcp__<name>__<tool>: provider function names allow no more) and the
        # server's log file: "/" or ".." would place that file outside the session folder.
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,47}", name):
            raise ValueError(f"MCP server name {name!r} may only use letters, digits, '_' and '-' (at most 48)")
        return name

    @model_validator(mode="after")
    def _needs_target(self) -> McpServerConfig:
        if self.type == "stdio" and not self.command:
            raise ValueError("a stdio MCP server needs 'command'")
        if self.type == "streamable-http" and not self.url:
            raise ValueError("a streamable-http MCP server needs 'url'")
        return self


class HookConfig(_Strict):
    """A Python hook `module:function` run before or after matching tool calls."""

    matcher: str = Field(default="*", description='Glob(s) over tool names, "|"-separated, e.g. "write_*|edit_*".')
    handler: str = Field(description="Python callable as 'package.module:function'.")
    timeout: float = 30.0
    fail_closed: bool = Field(default=False, description="Deny the tool call when the hook fails or times out.")


class HooksConfig(_Strict):
    PreToolUse: list[HookConfig] = Field(default_factory=list)
    PostToolUse: list[HookConfig] = Field(default_factory=list)


class CustomToolConfig(_Strict):
    function: str = Field(description="Python callable as 'package.module:function'.")
    name: str | None = None
    description: str | None = None
    args: dict[str, Any] = Field(default_factory=dict, description="Fixed keyword arguments bound to the function (hidden from the model).")


class AgentConfig(_Strict):
    """One agent: any LiteLLM model string, plus optional LiteLLM parameters."""

    id: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", description="Unique id shown in the UI and logs.")
    model: str = Field(min_length=1, description="LiteLLM model string, e.g. openai/gpt-4o-mini; local/smollm2 is embedded.")
    api_base: str | None = None
    api_key: str | None = Field(default=None, description="Use ${VAR} so the key is read from the environment.")
    system_message: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, gt=0)
    seed: int | None = None
    timeout: float | None = Field(default=None, gt=0, description="Per-request timeout in seconds.")
    params: dict[str, Any] = Field(default_factory=dict, description="Other keyword arguments passed to litellm.acompletion.")
    mcp_servers: list[McpServerConfig] = Field(default_factory=list)
    tools: list[CustomToolConfig] = Field(default_factory=list)
    hooks: HooksConfig | None = None
    tool_choice: Literal["named", "auto", "none"] | None = Field(
        default=None,
        description=(
            "How to insist on a vote when the model answers in text: named (ask again with a named "
            "tool_choice), auto (ask again offering only `vote`), none (never send tool_choice; read "
            "the vote from its text). Default: named where LiteLLM says the provider accepts it, else auto."
        ),
    )

    def litellm_params(self) -> dict[str, Any]:
        """Keyword arguments for litellm.acompletion (without messages/tools/stream)."""
        out: dict[str, Any] = dict(self.params)
        for key in ("api_base", "api_key", "temperature", "top_p", "max_tokens", "seed", "timeout"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class ContextPath(_Strict):
    path: str
    permission: Literal["read", "write"] = "read"
    protected_paths: list[str] = Field(default_factory=list)


class OrchestratorConfig(_Strict):
    max_new_answers_per_agent: int = Field(default=3, ge=1, description="After this many answers an agent may only vote.")
    turn_timeout_seconds: float = Field(default=600, gt=0, description="Per-turn limit; then most votes wins, else the newest answer.")
    final_answer_strategy: FinalStrategy = "winner_present"
    max_attempts: int = Field(default=3, ge=1, description="Invalid outputs tolerated before an agent is dropped.")
    provider_retries: int = Field(default=3, ge=0, description="Retries of a failing provider call before the agent is dropped.")
    retry_base_seconds: float = Field(default=1.0, ge=0, description="First backoff delay; doubles each retry.")
    retry_max_seconds: float = Field(default=30.0, ge=0, description="Longest backoff between retries.")
    max_retry_after_seconds: float = Field(default=120.0, ge=0, description="A provider asking to wait longer (Retry-After) drops the agent.")
    text_coalesce_ms: int = Field(default=40, ge=0, description="Streamed text is batched this long per agent.")
    max_tool_calls_per_run: int = Field(default=20, ge=0)
    tool_timeout_seconds: float = Field(default=60, gt=0)
    context_paths: list[ContextPath] = Field(default_factory=list)
    agent_workspaces: bool = Field(default=False, description="Give every agent a workspace folder and the file tools even without context paths.")
    log_dir: str | None = Field(default=None, description="Where session logs go (default ./.mgtui/logs).")
    human: Literal["observer", "voter"] = Field(
        default="observer", description="voter: the person's vote (v on a pane) counts like an agent's; observer: it does not.")
    blind: bool = Field(default=False, description="Show agents as agent1..agentN (no model names) until the consensus.")
    coordination: Literal["consensus", "council"] = Field(
        default="consensus",
        description="consensus: answer and vote until everyone agrees; "
        "council: independent answers, anonymous peer ranking, a chairman writes the final answer.",
    )
    chairman: str | None = Field(
        default=None, description="Council mode: the agent id that writes the final answer (default: the best-ranked answer's author).",
    )
    visibility: Literal["all", "ring", "neighbours"] = Field(
        default="all",
        description="Which peers' answers an agent sees: all; ring (the visibility_k agents after it); "
        "neighbours (its visibility_k nearest, both sides). ring/neighbours also show the current leader.",
    )
    visibility_k: int = Field(default=2, ge=1, description="How many peers an agent sees with ring / neighbours visibility.")
    max_answer_chars: int = Field(default=6000, ge=200, description="Longer peer answers are shown head + tail with a marker; the full text stays in the log.")


class MgtuiConfig(_Strict):
    agents: list[AgentConfig] = Field(min_length=1)
    orchestrator: OrchestratorConfig = Field(default_factory=OrchestratorConfig)
    hooks: HooksConfig = Field(default_factory=HooksConfig)
    description: str | None = Field(default=None, description="One line shown by `mgtui config list`.")

    @field_validator("agents")
    @classmethod
    def _unique_ids(cls, agents: list[AgentConfig]) -> list[AgentConfig]:
        seen: set[str] = set()
        for agent in agents:
            if agent.id in seen:
                raise ValueError(f"duplicate agent id '{agent.id}'")
            seen.add(agent.id)
        return agents

    @model_validator(mode="after")
    def _chairman_is_an_agent(self) -> MgtuiConfig:
        chairman = self.orchestrator.chairman
        if chairman is not None and chairman not in {a.id for a in self.agents}:
            raise ValueError(f"orchestrator.chairman '{chairman}' is not an agent id")
        return self

    def agent(self, agent_id: str) -> AgentConfig:
        for agent in self.agents:
            if agent.id == agent_id:
                return agent
        raise KeyError(agent_id)

    @property
    def uses_local_model(self) -> bool:
        return any(a.model.startswith("local/") for a in self.agents)
