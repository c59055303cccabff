"""The query adapters: learned for the default model and the chunks of its index only,
justified by their cross-validated figures, and used by the search and the composer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.adapters import NAMES, adapter_file, adapter_for, adapter_from, load_adapter
from assistant.config import settings_with
from assistant.model_store import WEIGHTS_SHA256
from assistant.retrieval import unit_similarities


@pytest.mark.parametrize("name", NAMES)
def test_each_shipped_adapter_is_for_the_default_model_and_justified(name):
    data = json.loads(adapter_file(name).read_text(encoding="utf-8"))
    adapter = load_adapter(name)
    assert adapter is not None and adapter.model_sha256 == WEIGHTS_SHA256
    assert adapter.down.shape == (data["rank"], 768) and adapter.up.shape == (768, data["rank"])
    # Learned on the tuning part only, and kept because it puts more right passages or
    # sentences first on lots it did not see (each lot of the bank left out in turn).
    assert data["questions"] == "tune.jsonl"
    cv = data["cross_validation"]
    assert cv["right_first_with"] > cv["right_first_without"]
    assert sum(fold["after"] for fold in cv["folds"]) == cv["right_first_with"]
    # Bound to the chunks of the index it learned on.
    assert len(adapter.known) > 500


def _adapter(up: np.ndarray, known=("abc",)):
    rng = np.random.default_rng(0)
    return adapter_from(
        {
            "down": rng.normal(size=(2, 8)).tolist(),
            "up": up.tolist(),
            "model_sha256": "x",
            "known_chunks": list(known),
        }
    )


def test_the_turned_vector_stays_a_unit_vector_and_no_correction_changes_nothing():
    rng = np.random.default_rng(1)
    q = rng.normal(size=8)
    q /= np.linalg.norm(q)
    assert abs(np.linalg.norm(_adapter(rng.normal(size=(8, 2))).turn(q.tolist())) - 1) < 1e-9
    assert np.allclose(_adapter(np.zeros((8, 2))).turn(q.tolist()), q)


def test_an_adapter_knows_only_the_chunks_it_learned_on():
    adapter = _adapter(np.zeros((8, 2)), known=("1f2e", "1f2e~2"))
    assert adapter.knows(["F282.json::1f2e", "F282.json::1f2e~2"])
    # A chunk whose text changed has another digest; a new document's chunks are unknown.
    assert not adapter.knows(["F282.json::1f2e", "F999.json::77aa"])


def test_the_adapters_apply_only_to_the_model_and_chunks_they_learned_on(model_ready, tmp_path):
    default = settings_with()
    lead = load_adapter("lead")
    chunk = f"F282.json::{next(iter(lead.known))}"
    assert adapter_for(default, "lead", 768, [chunk]) is not None
    assert adapter_for(default, "lead", 768, [chunk, "nouveau.pdf::0123456789abcdef"]) is None
    assert adapter_for(default, "lead", 512, [chunk]) is None
    assert adapter_for(settings_with(query_adapters=False), "lead", 768, [chunk]) is None
    # Another sentence-transformers model (a folder or a hub id) keeps its plain cosine.
    assert adapter_for(settings_with(embedding_model=str(tmp_path)), "lead", 768, [chunk]) is None
    other = settings_with(embedding_model="intfloat/multilingual-e5-small")
    assert adapter_for(other, "lead", 768, [chunk]) is None


def test_the_composer_scores_sentences_with_the_turned_question(model_ready):
    # With the real model: the adapter moves the scores, only when allowed and for passages
    # it learned on.
    lead = load_adapter("lead")
    chunks = [f"module-9-5-programme.pdf::{next(iter(lead.known))}"]
    units = [
        "Le jour 2 commence à 9h00 par un retour sur la veille.",
        "La commission d'attribution examine au moins trois demandes par logement.",
    ]
    question = "Combien de demandes la commission examine-t-elle pour un logement ?"
    default = settings_with()
    plain = unit_similarities(default, question, units)
    turned = unit_similarities(default, question, units, adapted=chunks)
    off = unit_similarities(settings_with(query_adapters=False), question, units, adapted=chunks)
    unknown = unit_similarities(default, question, units, adapted=["x.pdf::0000"])
    assert off == plain and unknown == plain
    assert not np.allclose(turned, plain)
    assert turned[1] > turned[0]
