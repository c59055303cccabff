"""Cited answers: an extractive composer by default (no generative model needed)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from assistant.config import Settings
from assistant.retrieval import Passage, search, should_refuse
from assistant.text import content_terms

REFUSAL = (
    "Les documents indexés ne permettent pas de répondre à cette question. "
    "Reformulez-la, ou consultez les textes officiels (Légifrance, service-public.fr)."
)
MAX_SENTENCES = 3
MAX_SENTENCE_CHARS = 320
# Passages far below the best one are not worth citing.
SCORE_MARGIN = 0.08


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    page: int | None
    article: str | None
    passage: str
    score: float
    chunk_id: str = ""
    kind: str = ""
    date: str = ""
    attribution: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        keys = (
            "n",
            "doc_id",
            "title",
            "page",
            "article",
            "passage",
            "score",
            "kind",
            "date",
            "attribution",
        )
        return {k: data[k] for k in keys}


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
        }


def sentences(text: str) -> list[str]:
    """Readable units of a passage: wrapped lines joined, then split at sentence ends and
    list items (course PDFs are mostly bullet points)."""
    units: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        current, n_lines = "", 0
        for line in block.splitlines():
            line = line.strip()
            if not line:
                continue
            starts_item = bool(line[:1] in "•-*–" or re.match(r"^\d+[./)]", line))
            # « Durée » then « 3 jours (17h30) »: a one-line form label and its value.
            is_label = (
                n_lines == 1
                and not starts_item
                and len(current) <= 30
                and current[:1].isupper()
                and not re.search(r"[.!?:;,)]$", current)
            )
            continues = (
                current
                and not starts_item
                and (
                    line[:1].islower()
                    or (not re.search(r"[.!?:;)]$", current) and len(current) > 40)
                )
            )
            if is_label:
                current, n_lines = f"{current} : {line}", n_lines + 1
            elif continues:
                current, n_lines = f"{current} {line}", n_lines + 1
            else:
                if current:
                    units.append(current)
                current, n_lines = line, 1
        if current:
            units.append(current)
    split: list[str] = []
    for unit in units:
        split.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«])", unit) if s.strip())
    return [s.lstrip("•-*– ").strip() for s in split if len(s.strip("•-*– ")) > 2]


_PERSON = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)? [A-ZÀ-Ý][A-ZÀ-Ý-]{2,}\b")
_QUANTITY = re.compile(r"\d")


def _answer_type_bonus(question: str, sentence: str) -> float:
    """A sentence of the kind the question asks for: « qui » wants a person, « combien » a
    number."""
    start = question.strip().lower()
    if start.startswith("qui ") and _PERSON.search(sentence):
        return 1.0
    if start.startswith(("combien", "quelle durée", "quel montant")) and _QUANTITY.search(sentence):
        return 0.5
    return 0.0


def _pick_sentences(question: str, passages: list[Passage]) -> list[tuple[str, Passage]]:
    wanted = content_terms(question)
    scored = []
    for passage in passages:
        for index, sentence in enumerate(sentences(passage.text)):
            overlap = len(wanted & content_terms(sentence))
            bonus = _answer_type_bonus(question, sentence)
            if overlap + bonus == 0:
                continue
            # Shared words first, then the passage's own relevance, then earlier sentences.
            key = overlap + bonus + passage.score - 0.01 * index
            scored.append((key, passage.rank, index, sentence, passage))
    scored.sort(key=lambda item: item[0], reverse=True)
    chosen: list[tuple[int, int, str, Passage]] = []
    for _, rank, index, sentence, passage in scored:
        if any(sentence == other for *_, other, _ in chosen):
            continue
        chosen.append((rank, index, sentence, passage))
        if len(chosen) == MAX_SENTENCES:
            break
    if not chosen:
        best = passages[0]
        first = next(iter(sentences(best.text)), best.text)
        chosen = [(best.rank, 0, first, best)]
    chosen.sort(key=lambda item: (item[0], item[1]))
    return [(_shorten(sentence), passage) for _, _, sentence, passage in chosen]


def _shorten(sentence: str) -> str:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    return sentence[:MAX_SENTENCE_CHARS].rsplit(" ", 1)[0] + " […]"


def compose(question: str, passages: list[Passage]) -> tuple[str, list[Citation]]:
    """An answer made of passage sentences, each followed by the number of its citation."""
    citations: dict[str, Citation] = {}
    parts = []
    for sentence, passage in _pick_sentences(question, passages):
        citation = citations.get(passage.chunk_id)
        if citation is None:
            citation = Citation(
                n=len(citations) + 1,
                doc_id=passage.doc_id,
                title=passage.title,
                page=passage.page,
                article=passage.article,
                passage=passage.text,
                score=passage.score,
                chunk_id=passage.chunk_id,
                kind=passage.kind,
                date=passage.version_date or passage.date,
                attribution=passage.attribution,
            )
            citations[passage.chunk_id] = citation
        ending = "" if sentence.endswith((".", "!", "?", "»", "…", "]")) else "."
        parts.append(f"{sentence}{ending} [{citation.n}]")
    intro = f"D'après « {passages[0].title} » :"
    return intro + "\n\n" + "\n".join(f"- {p}" for p in parts), list(citations.values())


def answer_question(settings: Settings, question: str) -> Answer:
    """Retrieve, then answer from the passages above the threshold, or refuse plainly."""
    question = question.strip()
    passages = search(settings, question, settings.top_k)
    if should_refuse(settings, question, passages):
        return Answer(question, REFUSAL, refused=True, passages=passages)
    floor = max(settings.refusal_threshold, max(p.score for p in passages) - SCORE_MARGIN)
    usable = [p for p in passages if p.exact or p.score >= floor]
    text, citations = compose(question, usable)
    return Answer(question, text, refused=False, citations=citations, passages=passages)
