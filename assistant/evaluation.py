"""Retrieval evaluation on a question file: recall@k, MRR, refusal precision and recall.

A question line: ``{"id", "question", "answerable": true|false,
"expected": [{"doc": "...", "article"?: "...", "page"?: N}]}``. A retrieved passage is a hit
when the file name of its doc_id equals the last path part of ``doc`` and its article and page
match those given (any expected entry counts).
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.config import Settings, settings_with
from assistant.retrieval import Passage, search, should_refuse

DEPTH = 10


class EvalError(ValueError):
    """The question file is malformed (French message naming the line)."""


@dataclass
class Question:
    id: str
    question: str
    answerable: bool
    expected: list[dict]


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            questions.append(
                Question(
                    str(data["id"]),
                    data["question"],
                    bool(data["answerable"]),
                    list(data.get("expected", [])),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}, ligne {number} : question mal formée ({exc})") from exc
    if not questions:
        raise EvalError(f"{path} : aucune question")
    return questions


def is_hit(passage: Passage, expected: list[dict]) -> bool:
    name = PurePosixPath(passage.doc_id).name
    for entry in expected:
        if PurePosixPath(entry["doc"]).name != name:
            continue
        if "article" in entry and str(entry["article"]) not in (
            passage.articles or (passage.article or "",)
        ):
            continue
        if "page" in entry:
            start = passage.page_start
            end = passage.page_end or start
            if start is None or not start <= int(entry["page"]) <= end:
                continue
        return True
    return False


Retriever = Callable[[str, int], tuple[list[Passage], bool]]


def pipeline_retriever(settings: Settings, k: int) -> Retriever:
    """Our retrieval; it refuses as the answer does, judging the ``k`` passages it would use."""

    def retrieve(question: str, depth: int) -> tuple[list[Passage], bool]:
        passages = search(settings, question, max(k, depth))
        return passages, should_refuse(settings, question, passages[:k])

    return retrieve


def evaluate(questions: list[Question], retrieve: Retriever) -> dict:
    details = []
    latencies = []
    for q in questions:
        start = time.perf_counter()
        passages, refused = retrieve(q.question, DEPTH)
        latencies.append(1000 * (time.perf_counter() - start))
        rank = next(
            (i for i, p in enumerate(passages[:DEPTH], start=1) if is_hit(p, q.expected)), None
        )
        details.append(
            {
                "id": q.id,
                "question": q.question,
                "answerable": q.answerable,
                "refused": refused,
                "rank": rank,
                "latency_ms": round(latencies[-1], 1),
                "top": [
                    {
                        "doc_id": p.doc_id,
                        "article": p.article,
                        "page": p.page_start,
                        "score": round(p.score, 4),
                    }
                    for p in passages[:3]
                ],
            }
        )
    answerable = [d for d in details if d["answerable"]]
    refusals = [d for d in details if d["refused"]]
    unanswerable = [d for d in details if not d["answerable"]]

    def recall(at: int) -> float:
        hits = sum(1 for d in answerable if d["rank"] is not None and d["rank"] <= at)
        return round(hits / len(answerable), 4) if answerable else 0.0

    mrr = (
        sum(1 / d["rank"] for d in answerable if d["rank"]) / len(answerable) if answerable else 0.0
    )
    correct_refusals = sum(1 for d in refusals if not d["answerable"])
    ordered = sorted(latencies)
    return {
        "n": len(details),
        "recall@1": recall(1),
        "recall@5": recall(5),
        "recall@10": recall(10),
        "mrr@10": round(mrr, 4),
        "refusal_precision": round(correct_refusals / len(refusals), 4) if refusals else 0.0,
        "refusal_recall": round(correct_refusals / len(unanswerable), 4) if unanswerable else 0.0,
        "latency_ms": {
            "median": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        },
        "details": details,
    }


def corpus_key(dirs: list[Path], model: str) -> str:
    """Changes when any file of ``dirs`` changes (name, size, content), or the model."""
    from ingest.chunking import CHUNKER_VERSION

    digest = hashlib.sha256(f"{CHUNKER_VERSION}|{model}".encode())
    for folder in dirs:
        for path in sorted(p for p in folder.resolve().rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder.resolve())).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def corpus_settings(
    settings: Settings, dirs: list[Path], progress: Callable[[int, int, str], None] | None = None
) -> Settings:
    """Settings of a separate index of ``dirs``, built once and reused while they are unchanged."""
    from ingest.index import ingest

    key = corpus_key(dirs, settings.embedding_model)
    eval_settings = settings_with(
        data_dir=settings.data_dir / "eval" / key, corpus_dirs=[d.resolve() for d in dirs]
    )
    marker = eval_settings.data_dir / "complete"
    if not marker.is_file():
        report = ingest(eval_settings, progress=progress)
        # Files that cannot be read are reported, not fatal: the rest is evaluated.
        for failure in report.failed:
            print(f"Non indexé : {failure['path']} — {failure['error']}", file=sys.stderr)
        marker.write_text(json.dumps(report.to_dict()), encoding="utf-8")
    return eval_settings
