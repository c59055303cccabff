"""Re-ingestion cost against a first ingestion, in one process, on real legal texts.

Prints: first run, unchanged re-run (ratio to the first: target < 5 %), one file edited, one
file deleted; with the number of texts embedded by each run.

Usage: .venv/bin/python bench/ingest_incremental.py [FOLDER ...]
(default: ../shared/corpus/lois, cch-2015 and service-public, copied to a temporary folder)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import PROJECT_ROOT, settings_with  # noqa: E402
from assistant.embeddings import get_embeddings  # noqa: E402
from ingest.index import ingest  # noqa: E402

DEFAULT = [
    PROJECT_ROOT.parent / "shared" / "corpus" / name
    for name in ("lois", "cch-2015", "service-public")
]


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or DEFAULT
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        print(f"Benchmark sauté : dossier(s) absent(s) : {', '.join(map(str, missing))}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        for folder in folders:
            shutil.copytree(folder, corpus / folder.name)
        settings = settings_with(data_dir=Path(tmp) / "data", corpus_dirs=[corpus])
        embeddings = get_embeddings(settings)
        embeddings.embed_query("préchauffage")  # model load is not ingestion time
        counted = {"texts": 0}
        original = embeddings.embed_titled

        def counting(pairs):
            counted["texts"] += len(pairs)
            return original(pairs)

        embeddings.embed_titled = counting

        def run(label: str) -> float:
            counted["texts"] = 0
            start = time.perf_counter()
            report = ingest(settings)
            elapsed = time.perf_counter() - start
            print(
                f"{label:<28} {elapsed:9.2f} s  textes encodés : {counted['texts']:5d}  "
                f"ajoutés {len(report.added)}, mis à jour {len(report.updated)}, "
                f"inchangés {len(report.unchanged)}, supprimés {len(report.deleted)}, "
                f"passages {report.total_chunks}",
                flush=True,
            )
            return elapsed

        first = run("première indexation")
        again = run("réindexation sans changement")
        edited = next(iter(sorted(corpus.rglob("*.md"))))
        edited.write_text(
            edited.read_text(encoding="utf-8") + "\n\nAlinéa ajouté.\n", encoding="utf-8"
        )
        run(f"un fichier modifié ({edited.name[:20]}…)")
        edited.unlink()
        run("un fichier supprimé")
        print(
            f"\nratio réindexation sans changement / première indexation : "
            f"{again / first:.4f} ({100 * again / first:.2f} %, cible < 5 %)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
