"""Retrieval evaluation on a question file: recall@k, MRR, refusal precision and recall.

A question line: ``{"id", "question", "answerable": true|false,
"expected": [{"doc": "...", "article"?: "...", "page"?: N}]}``. A retrieved passage is a hit
when the file name of its doc_id equals the last path part of ``doc`` and its article and page
match those given (any expected entry counts).
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.config import Settings, settings_with
from assistant.retrieval import Passage, search, should_refuse
from assistant.text import CARDINALS, fold

DEPTH = 10


class EvalError(ValueError):
    """The question file is malformed (French message naming the line)."""


@dataclass
class Question:
    id: str
    question: str
    answerable: bool
    expected: list[dict]
    answer_keywords: list[str] = field(default_factory=list)


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
                    [str(k) for k in data.get("answer_keywords", [])],
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
Answerer = Callable[[str], "object"]

_NUMBER_WORDS = {
    "un": "1",
    "une": "1",
    **CARDINALS,
    "onze": "11",
    "douze": "12",
    "quinze": "15",
    "vingt": "20",
    "trente": "30",
    "cent": "100",
}


def normalise_answer(text: str) -> str:
    """For keyword matching: case, accents and spacing ignored; « trois » is « 3 »."""
    folded = fold(text)
    folded = re.sub(
        r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", lambda m: _NUMBER_WORDS[m.group(1)], folded
    )
    return re.sub(r"\s+", "", folded)


def has_keywords(answer_text: str, keywords: list[str]) -> bool:
    text = normalise_answer(answer_text)
    return all(normalise_answer(k) in text for k in keywords)


def invalid_markers(answer) -> int:
    """Markers [n] of an answer's text that point to none of its citations."""
    numbers = {c.n for c in answer.citations}
    return sum(1 for m in re.findall(r"\[(\d+)\]", answer.text) if int(m) not in numbers)


def answer_pipeline(settings: Settings) -> Answerer:
    from assistant.answer import answer_question

    return lambda question: answer_question(settings, question)


def pipeline_retriever(settings: Settings, k: int) -> Retriever:
    """Our retrieval; it refuses as the answer does, judging the ``k`` passages it would use."""

    def retrieve(question: str, depth: int) -> tuple[list[Passage], bool]:
        passages = search(settings, question, max(k, depth))
        return passages, should_refuse(settings, question, passages[:k])

    return retrieve


def evaluate(
    questions: list[Question], retrieve: Retriever, answer: Answerer | None = None
) -> dict:
    details = []
    latencies = []
    answers = []
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
        if answer is not None:
            given = answer(q.question)
            answers.append(given)
            details[-1]["answer"] = {
                "text": given.text,
                "refused": given.refused,
                "keywords": has_keywords(given.text, q.answer_keywords)
                if q.answer_keywords
                else None,
                "invalid_citations": invalid_markers(given),
            }
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
    scores = {}
    if answer is not None:
        scores = _answer_scores(details)
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
        **scores,
        "details": details,
    }


def _answer_scores(details: list[dict]) -> dict:
    keyed = [d for d in details if d["answerable"] and d["answer"]["keywords"] is not None]
    refused = [d for d in details if d["answer"]["refused"]]
    unanswerable = [d for d in details if not d["answerable"]]
    correct = sum(1 for d in refused if not d["answerable"])
    return {
        "answer_keyword_recall": round(
            sum(1 for d in keyed if d["answer"]["keywords"]) / len(keyed), 4
        )
        if keyed
        else 0.0,
        "answer_keyword_questions": len(keyed),
        "answer_refusal_precision": round(correct / len(refused), 4) if refused else 0.0,
        "answer_refusal_recall": round(correct / len(unanswerable), 4) if unanswerable else 0.0,
        "invalid_citations": sum(d["answer"]["invalid_citations"] for d in details),
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
