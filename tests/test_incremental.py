"""Re-ingestion: edits replace chunks, deletions remove them, bad files are reported, a crash
is repaired, two ingestions never run at once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from assistant.config import PROJECT_ROOT, settings_with
from assistant.revision import work_dir
from assistant.store import get_collection
from ingest.index import IngestLockedError, ingest, ingestion_lock
from ingest.manifest import Manifest


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
    assert first.status == "partielle"

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

    manifest = Manifest(settings.state_dir)
    runs = manifest.recent_runs()
    manifest.close()
    assert [r["status"] for r in runs] == ["partielle", "partielle"]
    assert runs[0]["report"]["updated"] == 1 and runs[1]["report"]["added"] == 2


def test_sidecar_metadata_and_its_changes(model_ready, tmp_path):
    corpus = tmp_path / "documents"
    corpus.mkdir()
    (corpus / "guide.md").write_text(
        "# Guide\n\nLa gestion en flux des réservations.\n", encoding="utf-8"
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '["guide.md"]\ntitle = "Guide de la gestion en flux"\nkind = "guide"\n'
        'date = "2023-05-01"\n',
        encoding="utf-8",
    )
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])
    assert ingest(settings).added == ["guide.md"]
    meta = get_collection(settings).get()["metadatas"][0]
    assert (meta["title"], meta["kind"], meta["date"]) == (
        "Guide de la gestion en flux",
        "guide",
        "2023-05-01",
    )
    sources.write_text(
        '["guide.md"]\ntitle = "Guide de la gestion en flux"\nkind = "guide"\n'
        'date = "2024-02-01"\n',
        encoding="utf-8",
    )
    assert ingest(settings).updated == ["guide.md"]
    assert get_collection(settings).get()["metadatas"][0]["date"] == "2024-02-01"
    sources.write_text("[cassé", encoding="utf-8")
    report = ingest(settings)
    assert report.failed and "sources.toml illisible" in report.failed[0]["error"]
    assert _doc_ids(settings) == ["guide.md"]  # nothing already ingested is lost


def test_a_second_ingestion_is_refused_while_one_runs(model_ready, tmp_path):
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[tmp_path])
    with ingestion_lock(settings.data_dir):
        with pytest.raises(IngestLockedError, match="déjà en cours"):
            ingest(settings)


def _write_corpus(folder, n_docs):
    folder.mkdir(parents=True)
    for i in range(n_docs):
        articles = "\n\n".join(
            f"## Article {i}-{j}\n\nLe document {i} prévoit, en son article {j}, que la "
            f"commission numéro {i * 10 + j} examine les demandes du secteur {j}."
            for j in range(3)
        )
        (folder / f"texte-{i:03d}.md").write_text(f"# Texte {i}\n\n{articles}\n", encoding="utf-8")


def _done_documents(data_dir):
    # The ingestion writes in the work copy of the index until it publishes it.
    path = work_dir(data_dir) / "manifest.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=5) as db:
        try:
            return db.execute("SELECT count(*) FROM documents WHERE status = 'done'").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_kill_9_mid_ingestion_then_rerun_equals_a_clean_ingestion(model_ready, tmp_path):
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 60)
    clean = settings_with(data_dir=tmp_path / "clean", corpus_dirs=[corpus])
    ingest(clean)
    clean_ids = sorted(get_collection(clean).get(include=[])["ids"])

    crashed = settings_with(data_dir=tmp_path / "crashed", corpus_dirs=[corpus])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "--data-dir",
            str(crashed.data_dir),
            "ingest",
            str(corpus),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while _done_documents(crashed.data_dir) < 5 and process.poll() is None:
        assert time.monotonic() < deadline, "the ingestion never started"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    interrupted_at = _done_documents(crashed.data_dir)
    assert 5 <= interrupted_at < 60, "killed too late to test anything"

    report = ingest(crashed)
    assert report.failed == []
    assert len(report.unchanged) >= interrupted_at - 1
    assert len(report.added) + len(report.unchanged) == 60
    assert sorted(get_collection(crashed).get(include=[])["ids"]) == clean_ids
    manifest = Manifest(crashed.state_dir)
    statuses = [run["status"] for run in manifest.recent_runs()]
    manifest.close()
    assert statuses == ["réussie", "interrompue"]


def test_an_ingestion_that_changes_nothing_publishes_nothing(model_ready, tmp_path):
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 2)
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])
    first = ingest(settings)
    current = settings.data_dir / "index" / "current"
    assert first.revision == current.read_text()
    again = ingest(settings)
    # Readers keep their revision (and its loaded index); the run is still logged.
    assert again.unchanged == ["texte-000.md", "texte-001.md"] and not again.changed
    assert current.read_text() == first.revision == again.revision
    assert not work_dir(settings.data_dir).exists()
    manifest = Manifest(settings.state_dir)
    assert [r["status"] for r in manifest.recent_runs()] == ["réussie", "réussie"]
    manifest.close()
    # A moved file changes its record: that is published.
    (corpus / "texte-001.md").rename(corpus / "deplace.md")
    moved = ingest(settings)
    assert moved.added == ["deplace.md"] and current.read_text() == moved.revision != first.revision
