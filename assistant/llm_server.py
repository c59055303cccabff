"""A local GGUF model served by llama.cpp (the ``xllamacpp`` package) on loopback, with
llama.cpp's own OpenAI-compatible HTTP API.

In-process for the ``llamacpp`` backend (``start``), or standalone::

    python -m assistant.llm_server --port 8080 \
        --model models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path


class ServerError(RuntimeError):
    """The local model cannot be served (French message)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(base: str, timeout: float = 60.0, path: str = "/health") -> None:
    """Wait until ``base + path`` answers 200 (llama.cpp's health check by default)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}{path}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServerError(f"Le serveur ne répond pas sur {base}{path} après {timeout:.0f} s.")


def start(model: Path, port: int, n_ctx: int = 4096, threads: int | None = None):
    """Start llama.cpp's server in this process on 127.0.0.1:``port``; return the server
    object (keep a reference: the server lives as long as it does)."""
    if not model.is_file():
        raise ServerError(
            f"Modèle GGUF introuvable : {model}. Lancez « make llm-model » pour le télécharger, "
            "ou indiquez un autre fichier avec NPNRU_LLM_GGUF."
        )
    try:
        import xllamacpp
    except ImportError as exc:
        raise ServerError(
            "Le backend « llamacpp » demande le paquet xllamacpp : "
            "pip install -e '.[llamacpp]' (ou « make setup »)."
        ) from exc
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = n_ctx
    params.cpuparams.n_threads = threads or os.cpu_count() or 2
    params.cpuparams_batch.n_threads = threads or os.cpu_count() or 2
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.verbosity = -1
    server = xllamacpp.Server(params)
    wait_until_ready(f"http://127.0.0.1:{port}")
    return server


_lock = threading.Lock()
_servers: dict[str, tuple[object, str]] = {}


def local_base_url(model: Path, n_ctx: int) -> str:
    """The base URL (…/v1) of the in-process server for ``model``, started on first use."""
    key = str(model.resolve())
    with _lock:
        if key not in _servers:
            port = free_port()
            _servers[key] = (start(model, port, n_ctx), f"http://127.0.0.1:{port}/v1")
        return _servers[key][1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sert un modèle GGUF (API compatible OpenAI).")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    try:
        server = start(args.model, args.port, args.ctx)
    except ServerError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(f"Modèle servi sur http://127.0.0.1:{args.port}/v1", flush=True)
    try:
        while server is not None:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
