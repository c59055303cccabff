"""A learned turn of the question's vector for choosing the sentences of an answer.

The embedding model says how close a sentence is to the question; it does not say whether the
sentence answers it (a list's introduction often resembles the question more than the row that
holds the figure asked). ``tests/eval/fit_lead_adapter.py`` learns, on the tuning questions
only, a small low-rank correction of the question's vector, q' = q + U·(D·q), normalised, such
that the composer's score, with the cosine between q' and each candidate sentence as its
meaning, puts first a sentence that holds the asked fact. The correction is stored with the
hash of the model weights it was learned for (``data/lead_adapter.json``) and applies only to
that model: any other model keeps its plain cosine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.config import Settings

ADAPTER_FILE = Path(__file__).resolve().parent / "data" / "lead_adapter.json"


@dataclass(frozen=True)
class LeadAdapter:
    """q' = q + up · (down · q), normalised: ``down`` is rank × dimension, ``up`` its
    transpose's shape."""

    down: np.ndarray
    up: np.ndarray
    model_sha256: str

    @property
    def dimension(self) -> int:
        return int(self.down.shape[1])

    def turn(self, vector: list[float]) -> list[float]:
        q = np.asarray(vector, dtype=np.float64)
        turned = q + self.up @ (self.down @ q)
        norm = float(np.linalg.norm(turned))
        return (turned / norm if norm else q).tolist()


def adapter_from(data: dict) -> LeadAdapter:
    down = np.asarray(data["down"], dtype=np.float64)
    up = np.asarray(data["up"], dtype=np.float64)
    if down.ndim != 2 or up.shape != (down.shape[1], down.shape[0]):
        raise ValueError(
            f"Correcteur de phrases de tête mal formé : {down.shape} et {up.shape} incompatibles."
        )
    return LeadAdapter(down=down, up=up, model_sha256=str(data["model_sha256"]))


@lru_cache(maxsize=4)
def load_adapter(path: Path = ADAPTER_FILE) -> LeadAdapter | None:
    if not path.is_file():
        return None
    return adapter_from(json.loads(path.read_text(encoding="utf-8")))


def adapter_for(settings: Settings, dimension: int) -> LeadAdapter | None:
    """The adapter when it was learned for the model ``settings`` loads (weights verified by
    their hash, same dimension) and is not turned off; ``None`` otherwise."""
    if not settings.lead_adapter or not settings.verifies_embedding_hash():
        return None
    adapter = load_adapter()
    if adapter is None or adapter.model_sha256 != settings.embedding_sha256:
        return None
    return adapter if adapter.dimension == dimension else None
