"""Evaluation on a question file: retrieval (recall@k, MRR), the decision to answer, hedge or
refuse (refusal precision and recall, outcome shares, the refusal curve), and the answers
(keywords, first sentence, length, citations).

A question line: ``{"id", "question", "answerable": true|false, "kind"?: "course"|"fiche"|
"law"|"code"|"other", "expected": [{"doc": "...", "article"?: "...", "page"?: N}],
"answer_keywords"?: [...], "history"?: ["earlier question", ...]}``. A line with a history is a
follow-up: it is made standalone exactly as ``npnru ask --history`` does. A retrieved passage
is a hit when the file name of its doc_id equals the last path part of ``doc`` and its article
and page match those given (any expected entry counts).
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.config import Settings, settings_with
from assistant.grounding import ANSWER, REFUSAL, UNCERTAIN
from assistant.retrieval import Passage, search, support
from assistant.text import CARDINALS, fold

DEPTH = 10


class EvalError(ValueError):
    """The question file is malformed (French message naming the line)."""


KINDS = ("course", "fiche", "law", "code", "other")


@dataclass
class Question:
    id: str
    question: str
    answerable: bool
    expected: list[dict]
    answer_keywords: list[str] = field(default_factory=list)
    # The document family the question is about: course, fiche, law, code or other.
    kind: str = "other"
    # Earlier user questions of the conversation, oldest first: the line is a follow-up.
    history: list[str] = field(default_factory=list)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            history = data.get("history", [])
            if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
                raise TypeError("« history » doit être une liste de questions")
            questions.append(
                Question(
                    str(data["id"]),
                    data["question"],
                    bool(data["answerable"]),
                    list(data.get("expected", [])),
                    [str(k) for k in data.get("answer_keywords", [])],
                    str(data.get("kind", "other")),
                    history,
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


@dataclass
class Retrieved:
    """What a pipeline found for a question, and what it decided."""

    passages: list[Passage]
    outcome: str = ANSWER
    # The answerability model's probability, when the pipeline has one.
    probability: float | None = None
    searched: str = ""


Retriever = Callable[[Question, int], Retrieved]
Answerer = Callable[[Question], "object"]

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


def answer_body(text: str) -> str:
    """The answer without its framing: source lines ending with « : », the uncertainty
    notice, version warnings."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.endswith(" :") or stripped.startswith("Texte cité dans"):
            continue
        lines.append(stripped.lstrip("-• ").strip())
    return "\n".join(lines)


def first_sentence(text: str) -> str:
    """The first sentence (or list row) of an answer's body."""
    body = answer_body(text)
    first = body.split("\n", 1)[0] if body else ""
    return re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«])", first, maxsplit=1)[0]


def word_count(text: str) -> int:
    return len(re.findall(r"[^\W_]+", re.sub(r"\[\d+\]", " ", answer_body(text))))


def history_turns(question: Question):
    from assistant.followup import Turn

    return [Turn(h) for h in question.history]


def answered_history(settings: Settings):
    """A ``history_turns`` that answers each earlier question first, as a conversation in the
    application does (it passes the previous answers with the questions): « il vient d'où ? »
    after « Qui témoigne … ? » then sees the people the answer named. The answers of a
    history are computed once for all the lines that share it."""
    from assistant.answer import answer_question
    from assistant.followup import Turn

    answered: dict[tuple[str, ...], list] = {(): []}

    def turns(question: Question):
        history = tuple(question.history)
        for end in range(1, len(history) + 1):
            if history[:end] not in answered:
                before = answered[history[: end - 1]]
                reply = answer_question(settings, history[end - 1], before)
                answered[history[:end]] = [*before, Turn(history[end - 1], reply.text)]
        return answered[history]

    return turns


def answer_pipeline(settings: Settings, turns=history_turns) -> Answerer:
    from assistant.answer import answer_question

    return lambda q: answer_question(settings, q.question, turns(q))


def pipeline_retriever(settings: Settings, k: int, turns=history_turns) -> Retriever:
    """Our retrieval, the follow-up made standalone as ``npnru ask --history`` does; it decides
    as the answer does, judging the ``k`` passages it would use."""
    from assistant.followup import standalone

    def retrieve(q: Question, depth: int) -> Retrieved:
        searched = standalone(q.question, turns(q))
        passages = search(settings, searched, max(k, depth))
        verdict = support(settings, searched, passages[:k])
        return Retrieved(passages, verdict.outcome, verdict.probability, searched)

    return retrieve


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def refusal_curve(details: list[dict], steps: int = 20) -> list[dict]:
    """Refusal precision and recall, and the share of answerable questions refused, if every
    question whose probability is below the threshold were refused."""
    scored = [d for d in details if d.get("probability") is not None]
    unanswerable = sum(not d["answerable"] for d in scored)
    answerable = len(scored) - unanswerable
    curve = []
    for i in range(1, steps):
        threshold = i / steps
        refused = [d for d in scored if d["probability"] < threshold]
        correct = sum(not d["answerable"] for d in refused)
        curve.append(
            {
                "threshold": threshold,
                "precision": _share(correct, len(refused)) if refused else 1.0,
                "recall": _share(correct, unanswerable),
                "answerable_refused": _share(len(refused) - correct, answerable),
            }
        )
    return curve


def separation(details: list[dict]) -> float | None:
    """The area under the ROC curve of the answerability probability: the chance that an
    answerable question gets a higher probability than an unanswerable one (ties count half).
    Unlike the figures at the thresholds, it does not depend on where they are set."""
    scored = [d for d in details if d.get("probability") is not None]
    answerable = [d["probability"] for d in scored if d["answerable"]]
    unanswerable = [d["probability"] for d in scored if not d["answerable"]]
    if not answerable or not unanswerable:
        return None
    wins = sum((a > u) + 0.5 * (a == u) for a in answerable for u in unanswerable)
    return round(wins / (len(answerable) * len(unanswerable)), 4)


def outcome_shares(details: list[dict]) -> dict:
    """The share of each outcome among answerable and among unanswerable questions."""
    shares = {}
    for label, answerable in (("answerable", True), ("unanswerable", False)):
        group = [d for d in details if d["answerable"] is answerable]
        shares[label] = {
            outcome: _share(sum(d["outcome"] == outcome for d in group), len(group))
            for outcome in (ANSWER, UNCERTAIN, REFUSAL)
        }
    return shares


def evaluate(
    questions: list[Question], retrieve: Retriever, answer: Answerer | None = None
) -> dict:
    details = []
    latencies = []
    for q in questions:
        start = time.perf_counter()
        found = retrieve(q, DEPTH)
        latencies.append(1000 * (time.perf_counter() - start))
        passages = found.passages
        rank = next(
            (i for i, p in enumerate(passages[:DEPTH], start=1) if is_hit(p, q.expected)), None
        )
        details.append(
            {
                "id": q.id,
                "question": q.question,
                "history": q.history,
                "searched": found.searched or q.question,
                "kind": q.kind,
                "answerable": q.answerable,
                "outcome": found.outcome,
                "refused": found.outcome == REFUSAL,
                "probability": None if found.probability is None else round(found.probability, 4),
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
            given = answer(q)
            details[-1]["answer"] = {
                "text": given.text,
                "outcome": given.outcome,
                "refused": given.refused,
                "keywords": has_keywords(given.text, q.answer_keywords)
                if q.answer_keywords
                else None,
                "first_sentence": has_keywords(first_sentence(given.text), q.answer_keywords)
                if q.answer_keywords
                else None,
                "words": word_count(given.text),
                "invalid_citations": invalid_markers(given),
                # Who wrote the answer: « extractif », or the generative backend (whose
                # failures fall back to the extractive answer).
                "backend": given.backend,
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
    shares = outcome_shares(details)
    result = {
        "n": len(details),
        "recall@1": recall(1),
        "recall@5": recall(5),
        "recall@10": recall(10),
        "mrr@10": round(mrr, 4),
        "refusal_precision": round(correct_refusals / len(refusals), 4) if refusals else 0.0,
        "refusal_recall": round(correct_refusals / len(unanswerable), 4) if unanswerable else 0.0,
        "answerable_refused": shares["answerable"][REFUSAL],
        "unanswerable_answered": shares["unanswerable"][ANSWER],
        "outcomes": shares,
        "refusal_auc": separation(details),
        "refusal_curve": refusal_curve(details),
        "latency_ms": {
            "median": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        },
    }
    if answer is not None:
        result.update(_answer_scores(details))
    result["details"] = details
    return result


def _keyword_recall(group: list[dict], key: str = "keywords") -> float | None:
    keyed = [d for d in group if d["answerable"] and d["answer"][key] is not None]
    return _share(sum(bool(d["answer"][key]) for d in keyed), len(keyed)) if keyed else None


def _answer_scores(details: list[dict]) -> dict:
    keyed = [d for d in details if d["answerable"] and d["answer"]["keywords"] is not None]
    refused = [d for d in details if d["answer"]["refused"]]
    unanswerable = [d for d in details if not d["answerable"]]
    correct = sum(1 for d in refused if not d["answerable"])
    given = [d["answer"]["words"] for d in details if not d["answer"]["refused"]]
    return {
        "answer_keyword_recall": _keyword_recall(details) or 0.0,
        "answer_first_sentence_recall": _keyword_recall(details, "first_sentence") or 0.0,
        "answer_keyword_questions": len(keyed),
        "answer_median_words": statistics.median(given) if given else 0,
        "answer_keyword_recall_by_kind": {
            kind: value
            for kind in KINDS
            if (value := _keyword_recall([d for d in details if d["kind"] == kind])) is not None
        },
        "answer_keyword_recall_by_turn": {
            turn: value
            for turn, group in (
                ("first", [d for d in details if not d["history"]]),
                ("follow_up", [d for d in details if d["history"]]),
            )
            if (value := _keyword_recall(group)) is not None
        },
        "answer_refusal_precision": round(correct / len(refused), 4) if refused else 0.0,
        "answer_refusal_recall": round(correct / len(unanswerable), 4) if unanswerable else 0.0,
        "invalid_citations": sum(d["answer"]["invalid_citations"] for d in details),
        # Among the answers given (not refused), the share each backend wrote.
        "answer_backends": {
            backend: _share(count, len(given))
            for backend, count in Counter(
                d["answer"]["backend"] for d in details if not d["answer"]["refused"]
            ).most_common()
        },
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
    from assistant.embedding_cache import cache_path, model_key
    from ingest.index import ingest

    # The engine, precision and device are part of it: their vectors differ slightly.
    model = f"{settings.embedding_model}|{model_key(settings)}"
    key = corpus_key(dirs, model)
    cache = cache_path(settings)
    eval_settings = settings_with(
        data_dir=settings.data_dir / "eval" / key,
        corpus_dirs=[d.resolve() for d in dirs],
        # The index's own vector cache: passages it already encoded are not encoded again.
        embedding_cache=str(cache) if cache else "off",
    )
    marker = eval_settings.data_dir / "complete"
    if not marker.is_file():
        report = ingest(eval_settings, progress=progress)
        # Files that cannot be read are reported, not fatal: the rest is evaluated.
        for failure in report.failed:
            print(f"Non indexé : {failure['path']} — {failure['error']}", file=sys.stderr)
        marker.write_text(json.dumps(report.to_dict()), encoding="utf-8")
    return eval_settings
