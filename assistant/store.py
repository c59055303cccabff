"""The Chroma client and collection: embedded (PersistentClient) or a server (HttpClient)."""

from __future__ import annotations

from functools import lru_cache

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from assistant.config import Settings
from assistant.embeddings import chroma_adapter


class StoreError(RuntimeError):
    """The vector store cannot be reached or opened (French message)."""


@lru_cache(maxsize=8)
def _client(mode: str, path: str, host: str, port: int) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if mode == "http":
        try:
            return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
        except Exception as exc:  # chromadb raises bare exceptions on connection failures
            raise StoreError(
                f"Serveur Chroma injoignable sur {host}:{port} ({exc}). "
                "Démarrez-le (« chroma run ») ou repassez NPNRU_CHROMA_MODE=embedded."
            ) from exc
    return chromadb.PersistentClient(path=path, settings=chroma_settings)


def get_client(settings: Settings) -> ClientAPI:
    if settings.chroma_mode == "embedded":
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return _client(
        settings.chroma_mode,
        str(settings.chroma_dir.resolve()),
        settings.chroma_host,
        settings.chroma_port,
    )


def get_collection(settings: Settings) -> Collection:
    """The collection (created on first use) in cosine space, with our embedding function."""
    return get_client(settings).get_or_create_collection(
        name=settings.collection,
        embedding_function=chroma_adapter(settings),
        configuration={"hnsw": {"space": "cosine"}},
    )
