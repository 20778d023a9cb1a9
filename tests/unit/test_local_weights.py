"""Missing pieces of the embedded model are reported as one clear message, before anything loads."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mgtui.providers import local_weights as lw


def test_missing_llama_cpp_names_the_install_command_and_a_cloud_alternative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # find_spec() -> None, as if not installed
    with pytest.raises(lw.LocalModelUnavailable) as info:
        lw.check_local_models(["openai/gpt-4o-mini", "local/smollm2"])
    message = str(info.value)
    assert lw.INSTALL_COMMAND in message and "CMAKE_ARGS=" in message
    assert "openai/gpt-4o-mini" in message and "--config" in message


def test_cloud_only_configs_need_nothing_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    lw.check_local_models(["openai/gpt-4o-mini", "ollama_chat/llama3.2"])


def test_missing_weights_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(lw.BUILTIN_MODELS, "smollm2", ("mgtui_no_such_weights_package", "x.gguf"))
    with pytest.raises(lw.LocalModelUnavailable, match="weights for local/smollm2 are not installed"):
        lw.resolve_gguf("local/smollm2")


def test_a_gguf_path_is_used_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tiny.gguf").write_bytes(b"GGUF")
    monkeypatch.chdir(tmp_path)
    assert lw.resolve_gguf("local/tiny.gguf") == tmp_path / "tiny.gguf"
    with pytest.raises(lw.LocalModelUnavailable, match="no such GGUF file"):
        lw.resolve_gguf("local/missing.gguf")
