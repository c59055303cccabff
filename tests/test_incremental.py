"""Re-ingestion: edits replace chunks, deletions remove them, bad files are reported."""

from assistant.config import settings_with
from assistant.store import get_collection
from ingest.index import ingest


def _doc_ids(settings):
    return sorted({m["doc_id"] for m in get_collection(settings).get()["metadatas"]})


def test_edit_delete_and_bad_files(model_ready, tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "lois").mkdir(parents=True)
    (corpus / "cil.md").write_text(
        "# La CIL\n\nLa conférence intercommunale du logement "
        "fixe les orientations d'attribution.\n",
        encoding="utf-8",
    )
    (corpus / "lois" / "caleol.txt").write_text(
        "La CALEOL attribue les logements.\n", encoding="utf-8"
    )
    (corpus / "vide.pdf").write_bytes(b"")
    (corpus / "image.png").write_bytes(b"\x89PNG")
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])

    first = ingest(settings)
    assert sorted(first.added) == ["cil.md", "lois/caleol.txt"]
    assert {f["path"].rsplit("/", 1)[-1]: f["error"] for f in first.failed} == {
        "image.png": "extension non prise en charge : « .png »",
        "vide.pdf": "fichier vide (0 octet)",
    }

    (corpus / "cil.md").write_text(
        "# La CIL\n\nLa CIL est coprésidée par le préfet et le président de l'EPCI.\n",
        encoding="utf-8",
    )
    (corpus / "lois" / "caleol.txt").unlink()
    second = ingest(settings)
    assert second.updated == ["cil.md"] and second.deleted == ["lois/caleol.txt"]
    assert second.chunks == 1
    assert _doc_ids(settings) == ["cil.md"]
    texts = get_collection(settings).get()["documents"]
    assert len(texts) == 1 and "coprésidée" in texts[0]
