"""The vector cache: an edited article re-encodes only its own passages, a moved or renamed
file and a rebuild re-encode nothing, and a cached vector is the one the model gives."""

import json
import shutil

import numpy as np

from assistant.cli import main as cli_main
from assistant.config import get_settings, settings_with
from assistant.embedding_cache import cache_path, open_cache
from assistant.retrieval import search
from assistant.store import get_collection
from ingest.index import ingest

ARTICLES = 12


def _code(folder, edited: str = "") -> None:
    sections = []
    for n in range(1, ARTICLES + 1):
        body = (
            f"La commission numéro {n} examine les demandes de logement du secteur {n} "
            "et rend compte au préfet de ses décisions chaque trimestre."
        )
        if n == 7 and edited:
            body = edited
        sections.append(f"## Article {n}\n\n{body}")
    (folder / "code.md").write_text("# Code d'essai\n\n" + "\n\n".join(sections), encoding="utf-8")


def test_only_what_changed_is_encoded(model_ready, tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _code(corpus)
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])
    first = ingest(settings)
    assert first.encoded == first.chunks >= ARTICLES and first.reused == 0
    encoded_by_model = _vectors_by_text(settings)

    edited = "La commission numéro 7 se réunit désormais chaque mois à Valmont-sur-Oise."
    _code(corpus, edited)
    second = ingest(settings)
    assert second.updated == ["code.md"]
    assert second.encoded == 1 and second.reused == second.chunks - 1
    assert "Valmont" in search(settings, "Où se réunit la commission numéro 7 ?", 1)[0].text

    # Moved and renamed: the same texts, nothing encoded.
    (corpus / "codes").mkdir()
    shutil.move(corpus / "code.md", corpus / "codes" / "code-renomme.md")
    third = ingest(settings)
    assert third.added == ["codes/code-renomme.md"] and third.deleted == ["code.md"]
    assert third.encoded == 0 and third.reused == third.chunks

    # A rebuild from nothing (the CLI, as a maintainer types it) reuses every vector.
    monkeypatch.setenv("NPNRU_CORPUS_DIRS", str(corpus))
    get_settings.cache_clear()
    assert cli_main(["--data-dir", str(settings.data_dir), "ingest", "--rebuild", "--json"]) == 0
    rebuilt = json.loads(capsys.readouterr().out)
    assert rebuilt["encoded"] == 0 and rebuilt["reused"] == rebuilt["chunks"] == third.chunks

    # The vectors written from the cache are the model's own, to the bit.
    from_cache = _vectors_by_text(settings)
    same = [t for t in from_cache if t in encoded_by_model]
    assert len(same) == first.chunks - 1
    assert all(np.array_equal(from_cache[t], encoded_by_model[t]) for t in same)
    assert len(open_cache(settings)) == first.chunks + 1


def _vectors_by_text(settings) -> dict[str, np.ndarray]:
    got = get_collection(settings).get(include=["embeddings", "documents"])
    return {
        text: np.asarray(vector, dtype=np.float32)
        for text, vector in zip(got["documents"], got["embeddings"], strict=True)
    }


def test_the_cache_can_be_off(model_ready, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _code(corpus)
    settings = settings_with(
        data_dir=tmp_path / "data", corpus_dirs=[corpus], embedding_cache="off"
    )
    assert cache_path(settings) is None
    report = ingest(settings)
    assert report.encoded == report.chunks and report.reused == 0
    assert not (tmp_path / "data" / "embeddings.sqlite").exists()


def test_a_code_larger_than_one_chroma_batch_is_ingested(model_ready, tmp_path):
    """A code with more passages than Chroma takes in one call (5,461 here) is written in
    several: the whole Code général des collectivités territoriales has 7,630."""
    from assistant.store import get_client

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])
    limit = get_client(settings).get_max_batch_size()
    count = limit + 40
    (corpus / "grand-code.md").write_text(
        "# Grand code\n\n"
        + "\n\n".join(f"### Article L{n}\n\nLe maire {n} signe." for n in range(1, count + 1)),
        encoding="utf-8",
    )
    report = ingest(settings)
    assert report.failed == [] and report.added == ["grand-code.md"]
    # One passage per article, and the code's title.
    assert report.chunks == report.total_chunks == count + 1 > limit
    assert get_collection(settings).count() == count + 1


def _records(settings) -> dict[str, tuple]:
    got = get_collection(settings).get(include=["embeddings", "documents", "metadatas"])
    return {
        chunk_id: (text, meta, tuple(np.asarray(vector, dtype=np.float32).tolist()))
        for chunk_id, text, meta, vector in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        )
    }


def test_an_edit_rewrites_only_the_passages_that_changed(model_ready, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _code(corpus)
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])
    first = ingest(settings)
    assert first.written == first.chunks

    # Article 7 amended, and an article inserted after article 3: every passage after it
    # moves down one place, but only the two new texts are written with a vector.
    _code(corpus, "La commission numéro 7 se réunit désormais chaque mois à Valmont-sur-Oise.")
    text = (corpus / "code.md").read_text(encoding="utf-8")
    inserted = "## Article 3-1\n\nLe bailleur informe le locataire de Brévannes par courrier.\n\n"
    (corpus / "code.md").write_text(text.replace("## Article 4", inserted + "## Article 4"))
    second = ingest(settings)
    assert second.updated == ["code.md"]
    assert second.written == second.encoded == 2
    assert second.reused == second.chunks - 2
    assert (
        "Brévannes"
        in search(settings, "Comment le bailleur informe-t-il le locataire ?", 1)[0].text
    )

    # The index is the one a first ingestion of the edited file gives (with the same vector
    # cache, so the same vectors to the bit): same passages, positions and metadata.
    fresh = settings_with(
        data_dir=tmp_path / "fresh",
        corpus_dirs=[corpus],
        embedding_cache=str(cache_path(settings)),
    )
    assert ingest(fresh).encoded == 0
    assert _records(settings.pinned()) == _records(fresh.pinned())
    positions = sorted(meta["position"] for _, meta, _ in _records(fresh.pinned()).values())
    assert positions == list(range(second.chunks))
