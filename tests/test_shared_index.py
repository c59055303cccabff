"""One embedded index, several processes: a long-lived reader answers from 16 threads while
another process runs `npnru ingest` (adds, updates and deletes documents). No question fails,
the reader finds the new state within seconds without a restart, a deleted document is never
cited again, and Chroma holds exactly what the manifest says (assistant/revision.py)."""

import os
import sys
import threading
import time
import traceback

from assistant.answer import answer_question
from assistant.config import PROJECT_ROOT, settings_with
from assistant.store import get_collection
from ingest.index import ingest
from ingest.manifest import Manifest
from tests.servers import running

READERS = 16
QUESTIONS = {
    "kept": "Que fait la commission alpha ?",
    "updated": "Quel est le délai de réponse de l'office bêta ?",
    "deleted": "Quand se réunit le comité gamma ?",
    "added": "Que coordonne la cellule delta ?",
}


def _filler(folder, first, count):
    for i in range(first, first + count):
        (folder / f"texte-{i:03d}.md").write_text(
            f"# Texte {i}\n\n## Article {i}\n\nLe texte {i} confie au secteur {i} l'examen des "
            f"demandes de mutation du quartier numéro {i}.\n",
            encoding="utf-8",
        )


def test_a_reader_keeps_answering_while_another_process_ingests(model_ready, tmp_path):
    settings = settings_with(data_dir=tmp_path / "data")
    concurrent_ingestion(settings, tmp_path / "corpus", {})


def concurrent_ingestion(settings, corpus, env: dict[str, str]) -> None:
    """Ingest a corpus, then let 16 threads of this process ask questions while another
    process (with ``env``) ingests its changes; check what the issue asks."""
    corpus.mkdir()
    (corpus / "alpha.md").write_text(
        "# Commission alpha\n\nLa commission alpha examine les dossiers de relogement des "
        "ménages du quartier.\n",
        encoding="utf-8",
    )
    (corpus / "beta.md").write_text(
        "# Office bêta\n\nLe délai de réponse de l'office bêta est de deux mois.\n",
        encoding="utf-8",
    )
    (corpus / "gamma.md").write_text(
        "# Comité gamma\n\nLe comité gamma se réunit chaque mardi pour suivre les attributions.\n",
        encoding="utf-8",
    )
    _filler(corpus, 0, 10)
    settings = settings.model_copy(update={"corpus_dirs": [corpus]})
    assert ingest(settings).failed == []
    before = answer_question(settings, QUESTIONS["deleted"])
    assert before.citations and before.citations[0].doc_id == "gamma.md"

    # The changes the other process will ingest.
    (corpus / "beta.md").write_text(
        "# Office bêta\n\nLe délai de réponse de l'office bêta est de cinq mois.\n",
        encoding="utf-8",
    )
    (corpus / "gamma.md").unlink()
    (corpus / "delta.md").write_text(
        "# Cellule delta\n\nLa cellule delta coordonne les mutations entre bailleurs.\n",
        encoding="utf-8",
    )
    _filler(corpus, 10, 30)

    stop = threading.Event()
    errors: list[str] = []
    # (started, finished, question key, cited documents, answer text) per answered question.
    answered: list[tuple[float, float, str, list[str], str]] = []
    lock = threading.Lock()

    def reader(number: int) -> None:
        keys = list(QUESTIONS)
        turn = number
        while not stop.is_set():
            key = keys[turn % len(keys)]
            turn += 1
            started = time.monotonic()
            try:
                answer = answer_question(settings, QUESTIONS[key])
            except Exception as exc:  # every failure counts, whatever its kind
                with lock:
                    where = traceback.extract_tb(exc.__traceback__)[-3:]
                    place = " ← ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in where)
                    errors.append(f"{type(exc).__name__}: {exc} ({place})")
                continue
            # A pause between questions, as users make: the ingestion gets its share of CPU.
            time.sleep(0.05)
            with lock:
                answered.append(
                    (
                        started,
                        time.monotonic(),
                        key,
                        [c.doc_id for c in answer.citations],
                        answer.text,
                    )
                )

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    try:
        command = [
            sys.executable,
            "-m",
            "assistant.cli",
            "--data-dir",
            str(settings.data_dir),
            "ingest",
            str(corpus),
        ]
        with running(command, cwd=PROJECT_ROOT, env={**os.environ, **env}) as process:
            assert process.wait(timeout=600) == 0
        ended = time.monotonic()
        # Keep asking until the new document is found (or 30 s).
        while time.monotonic() < ended + 30:
            with lock:
                if any(
                    s >= ended and k == "added" and "delta.md" in c for s, _, k, c, _ in answered
                ):
                    break
            time.sleep(0.2)
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)

    during = [a for a in answered if a[0] < ended]
    after = [a for a in answered if a[0] >= ended]
    found = min((f for s, f, k, c, _ in after if k == "added" and "delta.md" in c), default=None)
    print(
        f"\n{len(during)} réponses pendant l'indexation, {len(after)} après, "
        f"{len(errors)} erreurs ; nouveau document trouvé "
        f"{'jamais' if found is None else f'{found - ended:.1f} s'} après la fin"
    )
    assert errors == [], errors[:3]
    assert during, "the readers answered nothing while the ingestion ran"
    assert found is not None and found - ended <= 5.0
    # Questions asked after the ingestion see its result: the new version, never the
    # deleted document.
    assert all("gamma.md" not in c for _, _, _, c, _ in after)
    updated = [t for _, _, k, c, t in after if k == "updated" and "beta.md" in c]
    assert updated and all("cinq mois" in t and "deux mois" not in t for t in updated)

    # Chroma holds what the manifest says.
    manifest = Manifest.of(settings)
    expected = sorted(i for r in manifest.documents().values() for i in r.chunk_ids)
    manifest.close()
    assert sorted(get_collection(settings).get(include=[])["ids"]) == expected
    assert "gamma.md" not in {m["doc_id"] for m in get_collection(settings).get()["metadatas"]}
