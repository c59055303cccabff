"""Generative backends behind one interface: a streaming chat client for any OpenAI-compatible
endpoint (``openai``: vLLM, Ollama, llama.cpp server, Albert, Mistral…) and a local GGUF model
served in-process by llama.cpp (``llamacpp``), reached through the same client.

Timeouts on every request; bounded retries with exponential backoff while nothing has been
received; any failure is an ``LLMError`` with a French message, which the answer layer turns
into the extractive answer and a visible notice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.config import Settings


class LLMError(RuntimeError):
    """The generative model did not answer (French message)."""


@dataclass
class ChatClient:
    base_url: str
    model: str = ""
    api_key: str = ""
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5
    temperature: float = 0.0
    max_tokens: int = 400

    def _request(self, messages: list[dict]) -> dict:
        body = {
            "messages": messages,
            "stream": True,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": 0,
        }
        if self.model:
            body["model"] = self.model
        return body

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """The answer's text, piece by piece as the server sends it."""
        url = self.base_url.rstrip("/") + "/chat/completions"
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        timeout = httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))
        attempt = 0
        while True:
            received = False
            try:
                with httpx.Client(timeout=timeout) as client:
                    with client.stream(
                        "POST", url, json=self._request(messages), headers=headers
                    ) as response:
                        if response.status_code >= 400:
                            response.read()
                            raise LLMError(
                                f"le serveur {url} a répondu {response.status_code} : "
                                f"{response.text[:200]}"
                            )
                        for piece in _sse_pieces(response.iter_lines()):
                            received = True
                            yield piece
                return
            except (httpx.HTTPError, LLMError) as exc:
                retriable = not received and (
                    not isinstance(exc, LLMError) or "a répondu 5" in str(exc)
                )
                if received or not retriable or attempt >= self.retries:
                    if isinstance(exc, httpx.TimeoutException):
                        raise LLMError(f"pas de réponse de {url} en {self.timeout:.0f} s") from exc
                    if isinstance(exc, httpx.HTTPError):
                        raise LLMError(f"connexion à {url} impossible ou coupée ({exc})") from exc
                    raise
                time.sleep(self.backoff * 2**attempt)
                attempt += 1

    def complete(self, messages: list[dict]) -> str:
        return "".join(self.stream(messages))


def _sse_pieces(lines: Iterator[str]) -> Iterator[str]:
    """The ``delta.content`` pieces of a server-sent-events chat completion stream."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise LLMError(f"réponse illisible du serveur : {data[:120]}") from exc
        if "error" in event:
            raise LLMError(f"erreur du serveur : {event['error']}")
        for choice in event.get("choices", []):
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                yield piece


def get_client(settings: Settings) -> ChatClient | None:
    """The configured generative backend, or None for the extractive answer."""
    if settings.llm_backend == "none":
        return None
    if settings.llm_backend == "llamacpp":
        from assistant.llm_server import ServerError, local_base_url

        try:
            base_url = local_base_url(Path(settings.llm_gguf), settings.llm_context)
        except ServerError as exc:
            raise LLMError(str(exc)) from exc
    else:
        base_url = settings.llm_base_url
    return ChatClient(
        base_url=base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout=settings.llm_timeout,
        retries=settings.llm_max_retries,
        max_tokens=settings.llm_max_tokens,
    )
