"""The embedding model run by OpenVINO (NPNRU_EMBEDDING_BACKEND=openvino): converted once from
the real weights, the same vectors as PyTorch's, an index built and searched with it, and a
vector cache that keeps the two engines apart."""

import numpy as np
import pytest

from assistant.config import settings_with
from assistant.embedding_cache import model_key
from assistant.embeddings import EmbeddingModelError, SentenceEmbeddings, resolve_backend
from assistant.model_store import DEFAULT_DEST, WEIGHTS_SHA256
from assistant.retrieval import search
from ingest.index import ingest

pytest.importorskip("openvino", reason="openvino absent : « pip install -e '.[openvino]' »")

PASSAGES = [
    (
        "CCH, article L441-2",
        "Il est créé, dans chaque organisme d'habitations à loyer modéré, "
        "une commission d'attribution des logements et d'examen de l'occupation des logements.",
    ),
    (
        "Fiche",
        "Le supplément de loyer de solidarité est dû lorsque les ressources du locataire "
        "dépassent d'au moins 20 % les plafonds de ressources.",
    ),
    ("Programme", "Le jour 2, Christophe Noyé anime la séquence consacrée à la cotation."),
    ("Loi", "Le contrat de ville est conclu à l'échelle intercommunale."),
]


def test_openvino_gives_pytorch_vectors(model_ready):
    reference = SentenceEmbeddings(str(DEFAULT_DEST), "fp32", 16, WEIGHTS_SHA256, "cpu", "torch")
    expected = np.array(reference.embed_titled(PASSAGES))
    query = np.array(reference.embed_query("Qui anime la séquence sur la cotation ?"))
    del reference
    for dtype, floor in (("fp32", 0.9999), ("bf16", 0.99)):
        model = SentenceEmbeddings(str(DEFAULT_DEST), dtype, 16, WEIGHTS_SHA256, "cpu", "openvino")
        got = np.array(model.embed_titled(PASSAGES))
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
        assert np.sum(got * expected, axis=1).min() >= floor, dtype
        asked = np.array(model.embed_query("Qui anime la séquence sur la cotation ?"))
        assert float(asked @ query) >= floor
        # The programme's sentence is the closest, as with PyTorch.
        assert int(np.argmax(got @ asked)) == 2 == int(np.argmax(expected @ query))
    assert (DEFAULT_DEST.with_name(DEFAULT_DEST.name + ".openvino")).is_dir()


def test_an_index_built_and_searched_with_openvino(model_ready, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "textes.md").write_text(
        "# Textes\n\n" + "\n\n".join(f"## {title}\n\n{text}" for title, text in PASSAGES),
        encoding="utf-8",
    )
    settings = settings_with(
        data_dir=tmp_path / "data", corpus_dirs=[corpus], embedding_backend="openvino"
    )
    torch_settings = settings_with(
        data_dir=tmp_path / "data", corpus_dirs=[corpus], embedding_backend="torch"
    )
    # One cache file, two engines: their vectors never stand in for each other.
    assert model_key(settings) != model_key(torch_settings)
    report = ingest(settings)
    assert report.failed == [] and report.encoded == report.chunks
    found = search(settings, "Qui anime la séquence sur la cotation ?", 1)
    assert "Christophe Noyé" in found[0].text


def test_openvino_needs_a_local_model_folder(tmp_path):
    with pytest.raises(EmbeddingModelError, match="dossier de modèle sentence-transformers"):
        SentenceEmbeddings(str(tmp_path), "fp32", 16, None, "cpu", "openvino")


def test_auto_chooses_openvino_for_a_local_folder_on_the_cpu(model_ready):
    assert resolve_backend("auto", "cpu", str(DEFAULT_DEST)) == "openvino"
    # A model id (downloaded by sentence-transformers) or a GPU: PyTorch.
    assert resolve_backend("auto", "cpu", "google/embeddinggemma-300m") == "torch"
    assert resolve_backend("auto", "cuda", str(DEFAULT_DEST)) == "torch"
    assert resolve_backend("torch", "cpu", str(DEFAULT_DEST)) == "torch"
