"""Learned turns of the question's vector: one to rank passages, one to choose answer sentences.

The embedding model says how close a text is to the question; it does not say whether the text
answers it (a list's introduction often resembles the question more than the row that holds
the figure asked; an article that names the same things more than the one that rules on them).
``tests/eval/fit_adapters.py`` learns, on the tuning questions only, a small low-rank
correction of the question's vector, q' = q + U·(D·q), normalised, for each of two uses:

- ``search``: the cosine of q' with each candidate passage replaces the plain cosine in the
  fused ranking of ``retrieval.search``, so that an expected passage comes first (the plain
  cosine stays each passage's score, the answerability model's signal);
- ``lead``: the composer's meaning of a candidate sentence is its cosine with q', so that a
  sentence holding the asked fact leads the answer.

Each is stored with the hash of the model weights it was learned for (``data/<name>_adapter
.json``) and applies only to that model: any other model keeps its plain cosine. What an
adapter learns is bound to the documents it learned on: learned without a family of documents
(the code, the fiches, the laws or the programme), the search adapter ranks that family worse
than the plain cosine. Each file therefore keeps the chunks of the index it learned on (the
digest of their text in their id), and an adapter applies to a question only when every
passage it would rank or read is one of them: a document added or changed since is ranked and
read with the plain cosine until the adapters are learned again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.config import Settings

DATA = Path(__file__).resolve().parent / "data"
NAMES = ("search", "lead")


def adapter_file(name: str) -> Path:
    return DATA / f"{name}_adapter.json"


@dataclass(frozen=True)
class Adapter:
    """q' = q + up · (down · q), normalised: ``down`` is rank × dimension, ``up`` its
    transpose's shape."""

    down: np.ndarray
    up: np.ndarray
    model_sha256: str
    # The chunks of the index it learned on: the text digest of their ids.
    known: frozenset[str] = frozenset()

    def knows(self, chunk_ids) -> bool:
        """True when every chunk of ``chunk_ids`` is one the adapter learned on."""
        return all(chunk_digest(chunk_id) in self.known for chunk_id in chunk_ids)

    @property
    def dimension(self) -> int:
        return int(self.down.shape[1])

    def turn(self, vector: list[float]) -> list[float]:
        q = np.asarray(vector, dtype=np.float64)
        turned = q + self.up @ (self.down @ q)
        norm = float(np.linalg.norm(turned))
        return (turned / norm if norm else q).tolist()


def adapter_from(data: dict) -> Adapter:
    down = np.asarray(data["down"], dtype=np.float64)
    up = np.asarray(data["up"], dtype=np.float64)
    if down.ndim != 2 or up.shape != (down.shape[1], down.shape[0]):
        raise ValueError(f"Correcteur mal formé : {down.shape} et {up.shape} incompatibles.")
    return Adapter(
        down=down,
        up=up,
        model_sha256=str(data["model_sha256"]),
        known=frozenset(data.get("known_chunks", ())),
    )


def chunk_digest(chunk_id: str) -> str:
    """What identifies a chunk's text in its id (« doc::digest »): the digest."""
    return chunk_id.rpartition("::")[2]


@lru_cache(maxsize=8)
def load_adapter(name: str) -> Adapter | None:
    path = adapter_file(name)
    if not path.is_file():
        return None
    return adapter_from(json.loads(path.read_text(encoding="utf-8")))


def adapter_for(settings: Settings, name: str, dimension: int, chunk_ids=()) -> Adapter | None:
    """The ``name`` adapter when it was learned for the model ``settings`` loads (weights
    verified by their hash, same dimension) and on every chunk of ``chunk_ids``, and adapters
    are not turned off; else ``None``."""
    if not settings.query_adapters or not settings.verifies_embedding_hash():
        return None
    adapter = load_adapter(name)
    if adapter is None or adapter.model_sha256 != settings.embedding_sha256:
        return None
    if adapter.dimension != dimension or not adapter.knows(chunk_ids):
        return None
    return adapter
