"""Scale: ingestion, queries, memory and an edit on the 11,920-article corpus of five codes.

The articles of ``../shared/corpus/scale/articles.jsonl`` are written as one Markdown file per
code (one heading per article) in a temporary folder, then, in one process:

- ingested (a fresh vector cache): passages per second, and the ratio of the ingestion's time
  to the model's own encoding of the same model inputs in the same process (goal ≤ 1.15);
- searched and answered (extractive, hybrid) with the project's questions: p50/p95 latency
  (goals p95 ≤ 150 ms for search, ≤ 1 s for ask), and the lexical index's rebuild time;
- resident memory of the process after answering, and of a new process that only answers, as
  the app's server does (goal ≤ 3 GB);
- one article edited, the code re-ingested: time, passages encoded, ratio to the first
  ingestion (goal ≤ 1 %).

Usage: .venv/bin/python bench/scale.py [--limit N] [--questions N] [--raw-sample N] [--json]
(``--limit`` takes N articles spread over the five codes; without it, all of them.)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import PROJECT_ROOT, settings_with  # noqa: E402
from bench.measure import percentile, resident_mb  # noqa: E402

ARTICLES = PROJECT_ROOT.parent / "shared" / "corpus" / "scale" / "articles.jsonl"
QUESTIONS = PROJECT_ROOT / "tests" / "eval" / "tune.jsonl"


def load_articles(limit: int | None) -> list[dict]:
    articles = [json.loads(line) for line in ARTICLES.open(encoding="utf-8")]
    if limit and limit < len(articles):
        # Spread over the file (and so over the five codes), in a fixed order.
        step = len(articles) / limit
        articles = [articles[int(i * step)] for i in range(limit)]
    return articles


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write_codes(articles: list[dict], folder: Path) -> dict[str, Path]:
    by_code: dict[str, list[dict]] = defaultdict(list)
    for article in articles:
        by_code[article["code"]].append(article)
    files = {}
    for code, items in by_code.items():
        path = folder / f"{slug(code)}.md"
        body = "\n\n".join(f"### Article {a['article']}\n\n{a['text'].strip()}" for a in items)
        path.write_text(f"# {code}\n\n{body}\n", encoding="utf-8")
        files[code] = path
    return files


def run(limit: int | None, n_questions: int, raw_sample: int | None = None) -> dict:
    from assistant.answer import answer_question
    from assistant.embeddings import get_embeddings
    from assistant.lexical import rebuild
    from assistant.retrieval import search
    from assistant.store import get_collection
    from ingest.index import ingest

    articles = load_articles(limit)
    questions = [json.loads(line)["question"] for line in QUESTIONS.open(encoding="utf-8")]
    questions = questions[:n_questions]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "codes"
        corpus.mkdir()
        files = write_codes(articles, corpus)
        settings = settings_with(
            data_dir=Path(tmp) / "data",
            corpus_dirs=[corpus],
            embedding_cache=str(Path(tmp) / "vecteurs.sqlite"),
        )
        embeddings = get_embeddings(settings)
        embeddings.encode(["échauffement"], None)
        # What the ingestion gives the model, kept to encode it again alone.
        inputs: list[tuple[list[str], str | None]] = []
        encode = embeddings.encode

        def recording(texts, prompt_name):
            inputs.append((list(texts), prompt_name))
            return encode(texts, prompt_name)

        embeddings.encode = recording
        try:
            start = time.perf_counter()
            first = ingest(settings)
            ingest_s = time.perf_counter() - start
        finally:
            del embeddings.encode
        # The model alone on the same inputs (or on an even sample of them, scaled to all:
        # the sample has the same lengths, so the same cost per input).
        flat = [(t, p) for texts, p in inputs for t in texts]
        step = max(1, len(flat) // raw_sample) if raw_sample else 1
        sample = flat[::step]
        start = time.perf_counter()
        for prompt_name in dict.fromkeys(p for _, p in sample):
            embeddings.encode([t for t, p in sample if p == prompt_name], prompt_name)
        raw_s = (time.perf_counter() - start) * len(flat) / max(len(sample), 1)

        # A process that only answers, as the app's server does: its memory is what serving
        # the corpus costs, without what the ingestion left in this one.
        served = answering_process(settings, len(questions))
        search_ms, ask_ms = [], []
        for question in questions:
            start = time.perf_counter()
            search(settings, question, settings.top_k)
            search_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            answer_question(settings, question)
            ask_ms.append((time.perf_counter() - start) * 1000)
        pinned = settings.pinned()
        start = time.perf_counter()
        rebuild(pinned, get_collection(pinned))
        lexical_s = time.perf_counter() - start
        rss, peak = resident_mb()

        # One article edited in the biggest code, then the code re-ingested.
        code = max(files, key=lambda c: files[c].stat().st_size)
        text = files[code].read_text(encoding="utf-8")
        heading = re.search(r"### Article [^\n]+\n\n", text)
        cut = heading.end()
        edited = text[:cut] + "Alinéa ajouté pour le banc d'essai. " + text[cut:]
        files[code].write_text(edited, encoding="utf-8")
        start = time.perf_counter()
        second = ingest(settings)
        edit_s = time.perf_counter() - start
    return {
        "articles": len(articles),
        "passages": first.chunks,
        "ingest_s": round(ingest_s, 1),
        "passages_per_s": round(first.chunks / ingest_s, 2),
        "raw_encode_s": round(raw_s, 1),
        "raw_sampled": len(sample),
        "ingest_to_raw": round(ingest_s / raw_s, 3),
        "questions": len(questions),
        "search_p50_ms": round(statistics.median(search_ms), 1),
        "search_p95_ms": round(percentile(search_ms, 0.95), 1),
        "ask_p50_ms": round(statistics.median(ask_ms), 1),
        "ask_p95_ms": round(percentile(ask_ms, 0.95), 1),
        "lexical_rebuild_s": round(lexical_s, 2),
        "rss_mb": round(rss),
        "peak_rss_mb": round(peak),
        "served_rss_mb": served["rss_mb"],
        "served_ask_p50_ms": served["ask_p50_ms"],
        "served_ask_p95_ms": served["ask_p95_ms"],
        "edit_s": round(edit_s, 2),
        "edit_written": second.written,
        "edit_encoded": second.encoded,
        "edit_reused": second.reused,
        "edit_to_first": round(edit_s / ingest_s, 4),
        # A failed file would make every other figure wrong: listed, never hidden.
        "failed": [f"{f['path']} : {f['error']}" for f in first.failed + second.failed],
    }


def answering_process(settings, n_questions: int) -> dict:
    """Start a new process on the index of ``settings`` that answers the first
    ``n_questions`` questions (search, then extractive ask) and reports its memory and times."""
    import subprocess

    probe = {
        "data_dir": str(settings.data_dir),
        "corpus": [str(d) for d in settings.corpus_dirs],
        "cache": settings.embedding_cache,
        "questions": n_questions,
    }
    done = subprocess.run(
        [sys.executable, __file__, "--answer-only", json.dumps(probe)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def answer_only(probe: dict) -> dict:
    from assistant.answer import answer_question
    from assistant.retrieval import search

    settings = settings_with(
        data_dir=Path(probe["data_dir"]),
        corpus_dirs=[Path(d) for d in probe["corpus"]],
        embedding_cache=probe["cache"],
    )
    questions = [json.loads(line)["question"] for line in QUESTIONS.open(encoding="utf-8")]
    ask_ms = []
    for question in questions[: probe["questions"]]:
        search(settings, question, settings.top_k)
        start = time.perf_counter()
        answer_question(settings, question)
        ask_ms.append((time.perf_counter() - start) * 1000)
    rss, peak = resident_mb()
    return {
        "rss_mb": round(rss),
        "peak_rss_mb": round(peak),
        "ask_p50_ms": round(statistics.median(ask_ms), 1),
        "ask_p95_ms": round(percentile(ask_ms, 0.95), 1),
    }


def table(r: dict) -> str:
    rows = [
        ("Articles · passages", f"{r['articles']} · {r['passages']}", ""),
        ("Ingestion", f"{r['ingest_s']} s · {r['passages_per_s']} passages/s", ""),
        (
            "Ingestion / encodage seul (mêmes entrées)",
            f"{r['ingest_to_raw']} ({r['raw_encode_s']} s, sur {r['raw_sampled']} entrées)",
            "≤ 1,15",
        ),
        ("search p50 / p95", f"{r['search_p50_ms']} / {r['search_p95_ms']} ms", "p95 ≤ 150 ms"),
        ("ask (extractif) p50 / p95", f"{r['ask_p50_ms']} / {r['ask_p95_ms']} ms", "p95 ≤ 1 s"),
        ("Reconstruction de l'index lexical", f"{r['lexical_rebuild_s']} s", ""),
        (
            "Mémoire résidente du processus qui a aussi ingéré (pic)",
            f"{r['rss_mb']} Mo ({r['peak_rss_mb']} Mo)",
            "",
        ),
        (
            "Mémoire d'un processus qui ne fait que répondre · son ask p50 / p95",
            f"{r['served_rss_mb']} Mo · {r['served_ask_p50_ms']} / {r['served_ask_p95_ms']} ms",
            "≤ 3 Go",
        ),
        (
            "Un article modifié, réindexé",
            f"{r['edit_s']} s · {r['edit_encoded']} encodé(s), {r['edit_reused']} réutilisé(s),"
            f" {r['edit_written']} réécrit(s)",
            "",
        ),
        ("… rapporté à la première ingestion", f"{r['edit_to_first']:.2%}", "≤ 1 %"),
    ]
    lines = ["| mesure | valeur | objectif |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += [f"\nÉCHEC (mesures faussées) : {failure}" for failure in r["failed"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, metavar="N")
    parser.add_argument("--questions", type=int, default=40, metavar="N")
    parser.add_argument(
        "--raw-sample",
        type=int,
        default=None,
        metavar="N",
        help="encodage seul mesuré sur N entrées régulièrement espacées (défaut : toutes)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--answer-only", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.answer_only:
        print(json.dumps(answer_only(json.loads(args.answer_only))))
        return 0
    if not ARTICLES.is_file():
        print(f"Banc d'essai sauté : {ARTICLES} absent.")
        return 0
    result = run(args.limit, args.questions, args.raw_sample)
    print(json.dumps(result, ensure_ascii=False) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
