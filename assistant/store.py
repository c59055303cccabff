"""The Chroma client and collection: embedded (PersistentClient) or a server (HttpClient)."""

from __future__ import annotations

import threading

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from assistant.config import Settings
from assistant.embeddings import chroma_adapter
from assistant.revision import KEEP, DamagedIndexError, disk_full


class StoreError(RuntimeError):
    """The vector store cannot be reached or opened (French message)."""


_lock = threading.Lock()
_clients: dict[tuple[str, str, str, int], ClientAPI] = {}
# The embedded clients opened for each data folder, oldest first: one per index revision.
_opened: dict[str, list[tuple[str, str, str, int]]] = {}


def _open(mode: str, path: str, host: str, port: int) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if mode == "http":
        try:
            return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
        except Exception as exc:  # chromadb raises bare exceptions on connection failures
            raise _unreachable(host, port, exc) from exc
    return chromadb.PersistentClient(path=path, settings=chroma_settings)


def _unreachable(host: str, port: int, exc: Exception) -> StoreError:
    return StoreError(
        f"Serveur Chroma injoignable sur {host}:{port} ({str(exc).splitlines()[0]}). "
        f"Démarrez-le (« chroma run --host {host} --port {port} --path DOSSIER ») ou repassez "
        "NPNRU_CHROMA_MODE=embedded. L'application se reconnecte d'elle-même dès qu'il répond."
    )


def _client(mode: str, path: str, host: str, port: int, owner: str = "") -> ClientAPI:
    key = (mode, path, host, port)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _open(*key)
            if mode == "embedded":
                opened = _opened.setdefault(owner, [])
                opened.append(key)
                # A newer revision was published: the client of the one before last is
                # closed (its questions are over), which frees its memory and files.
                while len(opened) > KEEP:
                    _close(opened.pop(0))
        return client


def _close(key: tuple[str, str, str, int]) -> None:
    client = _clients.pop(key, None)
    if client is not None:
        client.close()


def _key(settings: Settings) -> tuple[str, str, str, int]:
    return (
        settings.chroma_mode,
        str(settings.chroma_dir.resolve()),
        settings.chroma_host,
        settings.chroma_port,
    )


def release(settings: Settings) -> None:
    """Close the embedded client of ``settings``' index folder (before it is renamed)."""
    key = _key(settings)
    with _lock:
        _close(key)
        for opened in _opened.values():
            if key in opened:
                opened.remove(key)


def get_client(settings: Settings) -> ClientAPI:
    if settings.chroma_mode == "embedded":
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return _client(*_key(settings), str(settings.data_dir.resolve()))


def get_collection(settings: Settings) -> Collection:
    """The collection (created on first use) in cosine space, with our embedding function. A
    Chroma server that stopped answering gives a StoreError; the next call reconnects. An
    embedded index that cannot be opened gives a DamagedIndexError naming it."""
    function = chroma_adapter(settings)
    if settings.chroma_mode == "embedded":
        try:
            return _collection(settings, get_client(settings), function)
        except (DamagedIndexError, StoreError, PermissionError):
            raise
        except Exception as exc:  # chromadb raises its own and bare errors on a bad store
            release(settings)
            if disk_full(exc):
                raise
            raise DamagedIndexError("la base Chroma", settings.chroma_dir, exc) from exc
    client = get_client(settings)
    try:
        return _collection(settings, client, function)
    except (httpx.HTTPError, ConnectionError, ValueError) as exc:
        key = (
            "http",
            str(settings.chroma_dir.resolve()),
            settings.chroma_host,
            settings.chroma_port,
        )
        with _lock:
            _clients.pop(key, None)
        raise _unreachable(settings.chroma_host, settings.chroma_port, exc) from exc


def _collection(settings: Settings, client: ClientAPI, function) -> Collection:
    return client.get_or_create_collection(
        name=settings.collection,
        embedding_function=function,
        configuration={"hnsw": {"space": "cosine"}},
    )
