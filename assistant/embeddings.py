"""The embedding model, built once per process, behind langchain's and Chroma's interfaces."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from assistant.config import Settings, cpu_supports_bf16
from assistant.model_store import ModelError, verify_model_dir


class EmbeddingModelError(ModelError):
    """The configured embedding model cannot be loaded (French message)."""


def resolve_device(choice: str) -> str:
    """« auto »: the GPU when torch sees one, else the CPU."""
    if choice != "auto":
        return choice
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(choice: str, device: str = "cpu") -> str:
    if choice != "auto":
        return choice
    if device == "cuda":
        import torch

        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_supports_bf16() else "fp32"


def resolve_backend(choice: str, device: str, model: str) -> str:
    """« auto »: OpenVINO on the CPU when it is installed and the model is a local
    sentence-transformers folder (it converts from there), else PyTorch."""
    if choice != "auto":
        return choice
    if device != "cpu" or not (Path(model) / "modules.json").is_file():
        return "torch"
    import importlib.util

    return "openvino" if importlib.util.find_spec("openvino") else "torch"


class SentenceEmbeddings(Embeddings):
    """A sentence-transformers model used with its ``document`` and ``query`` prompts."""

    def __init__(
        self,
        model: str,
        dtype: str = "auto",
        batch_size: int = 16,
        expected_sha256: str | None = None,
        device: str = "auto",
        backend: str = "auto",
    ) -> None:
        self.model_name = model
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.batch_size = batch_size
        self.backend = backend = resolve_backend(backend, self.device, model)
        if expected_sha256:
            verify_model_dir(Path(model), expected_sha256)
        # encode() is not re-entrant across threads (Streamlit runs sessions in threads).
        self._lock = threading.Lock()
        self._openvino = None
        if backend == "openvino":
            from assistant.openvino_backend import OpenVINOEncoder, OpenVINOError

            if self.device != "cpu":
                raise EmbeddingModelError(
                    "Le moteur OpenVINO tourne sur le processeur : NPNRU_EMBEDDING_DEVICE=cpu."
                )
            try:
                self._openvino = OpenVINOEncoder(
                    Path(model), expected_sha256, self.dtype, batch_size
                )
            except OpenVINOError as exc:
                raise EmbeddingModelError(str(exc)) from exc
            self._set_prompts(self._openvino.prompts)
            return
        # PyTorch's path only: OpenVINO does not need sentence-transformers once converted.
        import torch
        from sentence_transformers import SentenceTransformer

        torch_dtype = torch.bfloat16 if self.dtype == "bf16" else torch.float32
        try:
            self._model = SentenceTransformer(
                model, device=self.device, model_kwargs={"torch_dtype": torch_dtype}
            )
        except OSError as exc:
            raise EmbeddingModelError(
                f"Impossible de charger le modèle d'embeddings « {model} » : {exc}. "
                "Lancez « make setup », ou indiquez un dossier local dans NPNRU_EMBEDDING_MODEL."
            ) from exc
        # Chunks are at most ~1,000 characters plus their context: 512 tokens is ample, and
        # bounds the cost of an unusually long input.
        self._model.max_seq_length = min(self._model.max_seq_length or 512, 512)
        self._model.tokenizer.model_max_length = self._model.max_seq_length
        self._set_prompts(self._model.prompts or {})

    def _set_prompts(self, prompts: dict[str, str]) -> None:
        # EmbeddingGemma's document prompt is « title: none | text: »: it was trained to
        # read a title there, so each chunk gets its own.
        self._titled_prompt = (
            prompts.get("document", "") if "title: none" in prompts.get("document", "") else None
        )
        self._doc_prompt = "document" if "document" in prompts else None
        self._query_prompt = "query" if "query" in prompts else None

    def _encode(self, texts: list[str], prompt_name: str | None) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            if self._openvino is not None:
                return self._openvino.encode(texts, prompt_name).tolist()
            vectors = self._model.encode(
                texts,
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype("float32").tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts), self._doc_prompt)

    def embed_titled(self, pairs: list[tuple[str, str]]) -> list[list[float]]:
        """Embed (title, text) pairs as documents, the title in the model's own slot where its
        prompt has one, else on a first line."""
        texts, prompt = self.titled_inputs(pairs)
        return self._encode(texts, prompt)

    def titled_inputs(self, pairs: list[tuple[str, str]]) -> tuple[list[str], str | None]:
        """The model's inputs for (title, text) pairs, and the name of the prompt it adds."""
        if self._titled_prompt is None:
            return [f"{t}\n{x}" if t else x for t, x in pairs], self._doc_prompt
        texts = [
            self._titled_prompt.replace("title: none", f"title: {t.replace('|', '/') or 'none'}")
            + x
            for t, x in pairs
        ]
        return texts, None

    def encode(self, texts: list[str], prompt_name: str | None) -> list[list[float]]:
        return self._encode(texts, prompt_name)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], self._query_prompt)[0]


@register_embedding_function
class ChromaAdapter(EmbeddingFunction[Documents]):
    """Lets Chroma itself embed with our model; the model loads only when first needed."""

    def __init__(
        self,
        model: str,
        dtype: str = "auto",
        batch_size: int = 16,
        sha256: str | None = None,
        device: str = "auto",
        backend: str = "torch",
    ) -> None:
        self._args = (model, dtype, batch_size, sha256, device, backend)

    @property
    def embeddings(self) -> SentenceEmbeddings:
        return _load(*self._args)

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return self.embeddings.embed_documents(list(input))

    def embed_query(self, input: Documents) -> ChromaEmbeddings:
        return [self.embeddings.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "npnru-sentence-transformers"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        model, dtype, batch_size, _, device, backend = self._args
        return {
            "model": model,
            "dtype": dtype,
            "batch_size": batch_size,
            "device": device,
            "backend": backend,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaAdapter:
        return ChromaAdapter(
            config["model"],
            config.get("dtype", "auto"),
            int(config.get("batch_size", 16)),
            device=config.get("device", "auto"),
            backend=config.get("backend", "torch"),
        )


@lru_cache(maxsize=4)
def _load(
    model: str,
    dtype: str,
    batch_size: int,
    sha256: str | None,
    device: str = "auto",
    backend: str = "torch",
) -> SentenceEmbeddings:
    return SentenceEmbeddings(model, dtype, batch_size, sha256, device, backend)


def chroma_adapter(settings: Settings) -> ChromaAdapter:
    sha = settings.embedding_sha256 if settings.verifies_embedding_hash() else None
    return ChromaAdapter(
        settings.embedding_model,
        settings.embedding_dtype,
        settings.embedding_batch_size,
        sha,
        settings.embedding_device,
        settings.embedding_backend,
    )


def get_embeddings(settings: Settings) -> SentenceEmbeddings:
    """The process-wide embedding model for these settings (loaded on first use)."""
    return chroma_adapter(settings).embeddings
