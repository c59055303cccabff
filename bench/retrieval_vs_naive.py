"""Our retrieval against the textbook pipeline, side by side, on the same questions.

The textbook pipeline: each document's text (pages kept), RecursiveCharacterTextSplitter
(1000 / 200), the same embedding model in a langchain-chroma store, dense top-k, never refuses.
A baseline chunk is credited with every article whose heading precedes or falls inside it,
so that it can be judged on article-level questions like ours.

Usage: .venv/bin/python bench/retrieval_vs_naive.py [--questions FILE] [--corpus DIR ...]
(default: tests/eval/test.jsonl over ../shared/corpus programme, service-public, lois,
cch-2015; indexes are cached under data/eval and data/bench)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_chroma import Chroma  # noqa: E402
from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: E402

from assistant.config import PROJECT_ROOT, get_settings  # noqa: E402
from assistant.embeddings import get_embeddings  # noqa: E402
from assistant.evaluation import (  # noqa: E402
    Question,
    Retrieved,
    corpus_key,
    corpus_settings,
    evaluate,
    load_questions,
    pipeline_retriever,
)
from assistant.retrieval import Passage  # noqa: E402
from ingest.index import IGNORED_NAMES  # noqa: E402
from ingest.loaders import LoaderError, load_document  # noqa: E402
from ingest.structure import article_heading  # noqa: E402

SHARED = PROJECT_ROOT.parent / "shared" / "corpus"
METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "refusal_precision", "refusal_recall")


def _articles_by_offset(text: str, markdown: bool) -> list[tuple[int, str]]:
    offsets, position = [], 0
    for line in text.splitlines(keepends=True):
        found = article_heading(line, markdown)
        if found:
            offsets.append((position, found[0]))
        position += len(line)
    return offsets


def build_naive(folders: list[Path], store_dir: Path) -> Chroma:
    embeddings = get_embeddings(get_settings())
    store = Chroma(
        collection_name="naive",
        embedding_function=embeddings,
        persist_directory=str(store_dir),
        collection_metadata={"hnsw:space": "cosine"},
    )
    if store._collection.count():
        return store
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=1000, chunk_overlap=200, add_start_index=True
    )
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.name in IGNORED_NAMES or path.name.startswith("."):
                continue
            try:
                document = load_document(path, path.relative_to(folder).as_posix())
            except LoaderError:
                continue
            texts, metadatas = [], []
            for page, text in document.pages:
                headings = _articles_by_offset(text, document.structure_format == "markdown")
                for piece in splitter.create_documents([text]):
                    start = piece.metadata["start_index"]
                    end = start + len(piece.page_content)
                    before = [a for o, a in headings if o <= start]
                    inside = [a for o, a in headings if start < o < end]
                    covered = ([before[-1]] if before else []) + inside
                    texts.append(piece.page_content)
                    metadatas.append(
                        {
                            "doc_id": document.doc_id,
                            "page": page or 0,
                            "articles": " ".join(covered),
                        }
                    )
            if texts:
                store.add_texts(texts, metadatas=metadatas)
    return store


def naive_retriever(store: Chroma):
    def retrieve(q: Question, k: int) -> Retrieved:
        # The textbook pipeline knows no conversation: a follow-up is searched as typed.
        results = store.similarity_search_with_score(q.question, k=k)
        passages = []
        for rank, (doc, distance) in enumerate(results, start=1):
            meta = doc.metadata
            articles = tuple(meta.get("articles", "").split())
            passages.append(
                Passage(
                    rank=rank,
                    chunk_id=str(rank),
                    doc_id=meta["doc_id"],
                    title=meta["doc_id"],
                    text=doc.page_content,
                    score=1.0 - float(distance),
                    page_start=meta["page"] or None,
                    page_end=meta["page"] or None,
                    article=articles[0] if articles else None,
                    articles=articles,
                )
            )
        return Retrieved(passages)

    return retrieve


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questions", type=Path, default=PROJECT_ROOT / "tests" / "eval" / "test.jsonl"
    )
    parser.add_argument("--corpus", type=Path, nargs="+", default=None)
    args = parser.parse_args(argv)
    folders = args.corpus
    if folders is None:
        if not (SHARED / "lois").is_dir():
            print(f"Benchmark sauté : {SHARED} absent.")
            return 0
        programme = Path(tempfile.mkdtemp(prefix="programme-"))
        subprocess.run(
            [
                sys.executable,
                str(PROJECT_ROOT / "corpus" / "build_programme_pdf.py"),
                "--out",
                str(programme / "module-9-5-programme.pdf"),
            ],
            check=True,
        )
        folders = [programme] + [SHARED / n for n in ("service-public", "lois", "cch-2015")]
    settings = get_settings()
    questions = load_questions(args.questions)
    ours_settings = corpus_settings(settings, folders)
    key = corpus_key(folders, settings.embedding_model)
    store = build_naive(folders, settings.data_dir / "bench" / f"naive-{key}")
    rows = {
        "naïf (1000/200, dense)": evaluate(questions, naive_retriever(store)),
        "npnru (hybride)": evaluate(questions, pipeline_retriever(ours_settings, settings.top_k)),
    }
    print(f"{len(questions)} questions ({sum(q.answerable for q in questions)} avec réponse)\n")
    header = (
        f"{'pipeline':<24}"
        + "".join(f"{m:>19}" for m in METRICS)
        + f"{'latence méd.':>14}{'p95':>8}"
    )
    print(header)
    for name, result in rows.items():
        cells = "".join(f"{result[m]:>19.3f}" for m in METRICS)
        lat = result["latency_ms"]
        print(f"{name:<24}{cells}{lat['median']:>12.0f}ms{lat['p95']:>6.0f}ms")
    naive, ours = rows.values()
    print(
        "\nrapports npnru / naïf : "
        + ", ".join(f"{m} {ours[m] / naive[m]:.2f}" for m in METRICS[:4] if naive[m])
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
