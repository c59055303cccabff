"""Vectors already computed, reused: each passage vector is stored under a key made of the
model (its path or id, the sha256 of its weights when known, its precision), the prompt with
the passage's title, and the text. Editing one article of a code re-encodes only the passages
whose text changed; moving or renaming a file re-encodes nothing; a rebuild, the evaluation
indexes and the benchmarks reuse what any of them computed.

The cache is a SQLite file (``DATA_DIR/embeddings.sqlite`` unless ``NPNRU_EMBEDDING_CACHE``
names another, or ``off``), outside the index revisions: it survives them and is shared by the
processes that ingest (WAL mode). It holds float32 vectors, about 3 KB per passage.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.revision import DamagedIndexError

FILE = "embeddings.sqlite"
OFF = {"off", "non", "aucun", "none"}
# SQLite limits the number of parameters in one statement.
BATCH = 500


def cache_path(settings: Settings) -> Path | None:
    chosen = settings.embedding_cache.strip()
    if chosen.lower() in OFF:
        return None
    return Path(chosen) if chosen else settings.data_dir / FILE


class EmbeddingCache:
    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self.model = model
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS vectors "
                    "(key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
                )
        except sqlite3.DatabaseError as exc:
            raise DamagedIndexError("le cache des vecteurs", path, exc) from exc

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\0{text}".encode()).hexdigest()

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock, self._connect() as db:
            for start in range(0, len(keys), BATCH):
                part = keys[start : start + BATCH]
                rows = db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def __len__(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


def model_key(settings: Settings) -> str:
    """What identifies the model's vectors: its weights (by their hash when verified, else its
    path or id), its precision, its device and, when it is not PyTorch, the engine that runs it
    (OpenVINO's bf16 vectors differ slightly from PyTorch's)."""
    from assistant.embeddings import resolve_backend, resolve_device, resolve_dtype

    sha = settings.embedding_sha256 if settings.verifies_embedding_hash() else ""
    device = resolve_device(settings.embedding_device)
    dtype = resolve_dtype(settings.embedding_dtype, device)
    key = f"{sha or settings.embedding_model}|{dtype}|{device}"
    backend = resolve_backend(settings.embedding_backend, device, settings.embedding_model)
    return key if backend == "torch" else f"{key}|{backend}"


_opened: dict[tuple[Path, str], EmbeddingCache] = {}
_opened_lock = threading.Lock()


def open_cache(settings: Settings) -> EmbeddingCache | None:
    """The cache of ``settings`` (opened once per process), or None when it is off."""
    path = cache_path(settings)
    if path is None:
        return None
    key = (path.resolve(), model_key(settings))
    with _opened_lock:
        if key not in _opened:
            _opened[key] = EmbeddingCache(path, key[1])
        return _opened[key]


def encode_with_cache(
    cache: EmbeddingCache | None,
    texts: list[str],
    encode: Callable[[list[str]], list],
    prompt: str = "",
) -> tuple[list[list[float]], int, int]:
    """Vectors for ``texts`` (the model's input, ``prompt`` naming the prompt it adds), encoding
    only those the cache lacks, each distinct text once; return them with the numbers of texts
    encoded and reused."""
    if cache is None:
        return encode(texts), len(texts), 0
    keys = [cache.key(f"{prompt}\0{t}") for t in texts]
    found = cache.get(list(dict.fromkeys(keys)))
    todo: dict[str, str] = {}
    for k, t in zip(keys, texts, strict=True):
        if k not in found:
            todo.setdefault(k, t)
    if todo:
        computed = encode(list(todo.values()))
        fresh = {k: np.asarray(v, dtype=np.float32) for k, v in zip(todo, computed, strict=True)}
        cache.put(fresh)
        found.update(fresh)
    reused = sum(1 for k in keys if k not in todo)
    return [found[k].tolist() for k in keys], len(todo), reused
