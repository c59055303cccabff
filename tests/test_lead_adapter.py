"""The lead adapter: learned for the default model only, justified by its cross-validated
figures, and used by the composer's sentence scores."""

from __future__ import annotations

import json

import numpy as np

from assistant.config import settings_with
from assistant.lead_adapter import ADAPTER_FILE, adapter_for, adapter_from, load_adapter
from assistant.model_store import WEIGHTS_SHA256
from assistant.retrieval import unit_similarities


def test_the_shipped_adapter_is_for_the_default_model_and_justified():
    data = json.loads(ADAPTER_FILE.read_text(encoding="utf-8"))
    adapter = load_adapter()
    assert adapter is not None and adapter.model_sha256 == WEIGHTS_SHA256
    assert adapter.down.shape == (data["rank"], 768) and adapter.up.shape == (768, data["rank"])
    # Learned on the tuning part only, and kept because it chooses more right leads on lots
    # it did not see (each lot of the bank left out in turn).
    assert data["questions"] == "tune.jsonl"
    cv = data["cross_validation"]
    assert cv["right_leads_with"] > cv["right_leads_without"]
    assert sum(fold["after"] for fold in cv["folds"]) == cv["right_leads_with"]


def test_the_turned_vector_stays_a_unit_vector_and_no_correction_changes_nothing():
    rng = np.random.default_rng(0)
    q = rng.normal(size=8)
    q /= np.linalg.norm(q)
    adapter = adapter_from(
        {
            "down": rng.normal(size=(2, 8)).tolist(),
            "up": rng.normal(size=(8, 2)).tolist(),
            "model_sha256": "x",
        }
    )
    assert abs(np.linalg.norm(adapter.turn(q.tolist())) - 1) < 1e-9
    none = adapter_from(
        {"down": np.ones((2, 8)).tolist(), "up": np.zeros((8, 2)).tolist(), "model_sha256": "x"}
    )
    assert np.allclose(none.turn(q.tolist()), q)


def test_the_adapter_applies_only_to_the_model_it_was_learned_for(model_ready, tmp_path):
    default = settings_with()
    assert adapter_for(default, 768) is not None
    assert adapter_for(default, 512) is None
    assert adapter_for(settings_with(lead_adapter=False), 768) is None
    # Another sentence-transformers model (a folder or a hub id) keeps its plain cosine.
    assert adapter_for(settings_with(embedding_model=str(tmp_path)), 768) is None
    assert adapter_for(settings_with(embedding_model="intfloat/multilingual-e5-small"), 768) is None


def test_the_composer_scores_sentences_with_the_turned_question(model_ready):
    # With the real model: the adapter moves the scores, and only when asked and allowed.
    units = [
        "Le jour 2 commence à 9h00 par un retour sur la veille.",
        "La commission d'attribution examine au moins trois demandes par logement.",
    ]
    question = "Combien de demandes la commission examine-t-elle pour un logement ?"
    default = settings_with()
    plain = unit_similarities(default, question, units)
    turned = unit_similarities(default, question, units, adapted=True)
    off = unit_similarities(settings_with(lead_adapter=False), question, units, adapted=True)
    assert off == plain
    assert not np.allclose(turned, plain)
    assert turned[1] > turned[0]
