"""Cited answers: retrieval, then the extractive composer (the default) or the configured
generative model, under the same rules.

- Refusal is decided before any generation (``assistant.grounding``): a fixed French message, the
  reason, and the closest documents as leads; no model is called.
- A follow-up is made standalone before retrieval (``assistant.followup``).
- A generated answer's citations are checked (``assistant.citations``); if the model fails, the
  extractive answer is given with a visible notice.
- A cited legal text older than ``stale_after_years`` adds « Texte cité dans sa version du … :
  vérifiez la version en vigueur sur Légifrance. »
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial

from assistant import prompts, questions
from assistant.citations import renumber, unsupported_sentences
from assistant.config import Settings
from assistant.extractive import locate, own_words, pick, sentences, source_label, with_roles
from assistant.facts import asked_facts
from assistant.followup import Turn, standalone
from assistant.grounding import ANSWER, UNCERTAIN
from assistant.grounding import REFUSAL as REFUSAL_OUTCOME
from assistant.retrieval import Passage, people_lines, search, support, unit_similarities

REFUSAL = (
    "Les documents indexés ne permettent pas de répondre à cette question. "
    "Reformulez-la, ou consultez les textes officiels (Légifrance, service-public.fr)."
)
ABSENT_ARTICLE = "L'article {} ne figure pas dans les documents indexés."
UNCERTAIN_INTRO = (
    "Les documents ne répondent peut-être pas exactement à votre question ; voici les passages "
    "les plus proches :"
)
# Passages far below the best one are not worth citing (nor sending to a model).
SCORE_MARGIN = 0.08
LEGAL_KINDS = {"code", "loi", "décret", "arrêté", "ordonnance", "circulaire"}
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

__all__ = ["REFUSAL", "Answer", "Citation", "answer_question", "answer_stream", "sentences"]


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
    licence: str = ""
    source_url: str = ""
    page_end: int | None = None
    # Offsets in ``passage`` of the spans the answer uses (for highlighting).
    spans: list[tuple[int, int]] = field(default_factory=list)
    # Written from a course document's layout (its rows), not copied from its text.
    recomposed: bool = False

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
            "spans",
            "recomposed",
            "page_end",
            "licence",
            "source_url",
            "chunk_id",
        )
        data["spans"] = [list(span) for span in self.spans]
        return {k: data[k] for k in keys}


@dataclass
class Answer:
    question: str
    text: str
    # « answer », « uncertain » (the closest passages, said as such) or « refusal ».
    outcome: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # The question as searched (a follow-up made standalone).
    searched: str = ""
    reason: str = ""
    # Closest documents, offered as leads when the answer is a refusal.
    leads: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    backend: str = "extractif"
    # The answerability model's probability that the documents answer.
    confidence: float | None = None

    @property
    def refused(self) -> bool:
        return self.outcome == REFUSAL_OUTCOME

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "searched": self.searched or self.question,
            "answer": self.text,
            "outcome": self.outcome,
            "refused": self.refused,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "reason": self.reason,
            "leads": self.leads,
            "citations": [c.to_dict() for c in self.citations],
            "unsupported": self.unsupported,
            "warnings": self.warnings,
            "notices": self.notices,
            "backend": self.backend,
        }


def _citation(n: int, passage: Passage) -> Citation:
    return Citation(
        n=n,
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
        licence=passage.licence,
        source_url=passage.source_url,
        page_end=passage.page_end,
        recomposed=passage.recomposed,
    )


def _leads(passages: list[Passage]) -> list[str]:
    """The closest documents (one line each, at most three), offered with a refusal."""
    leads: dict[str, str] = {}
    for passage in passages:
        if passage.doc_id in leads:
            continue
        where = (
            f"article {passage.article}"
            if passage.article
            else (f"p. {passage.page_start}" if passage.page_start else "")
        )
        leads[passage.doc_id] = f"« {passage.title} »" + (f", {where}" if where else "")
        if len(leads) == 3:
            break
    return list(leads.values())


def refusal_text(reason: str, leads: list[str]) -> str:
    """The fixed refusal, its reason, and the closest documents as leads."""
    text = REFUSAL
    if reason:
        text += f"\n\nRaison : {reason}."
    if leads:
        text += "\n\nDocuments les plus proches, à consulter : " + " ; ".join(leads) + "."
    return text


def _french_date(value: str) -> tuple[str, dt.date] | None:
    """(« du 1er janvier 2015 » or « de 2015 », the date) for ISO dates or bare years."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2) or 12)
    day = int(match.group(3) or 28)
    when = dt.date(year, month, day)
    if not match.group(2):
        return f"de {year}", when
    if not match.group(3):
        return f"de {MONTHS[month - 1]} {year}", when
    return f"du {'1er' if day == 1 else day} {MONTHS[month - 1]} {year}", when


def stale_warnings(
    citations: list[Citation], years: float, today: dt.date | None = None
) -> list[str]:
    """« Texte cité dans sa version du … » for each cited legal text older than ``years``."""
    today = today or dt.date.today()
    warnings = []
    for citation in citations:
        if citation.kind not in LEGAL_KINDS or not citation.date:
            continue
        parsed = _french_date(citation.date)
        if parsed is None or (today - parsed[1]).days < years * 365.25:
            continue
        warning = (
            f"Texte cité dans sa version {parsed[0]} : vérifiez la version en vigueur sur "
            "Légifrance."
        )
        if warning not in warnings:
            warnings.append(warning)
    return warnings


def _usable(passages: list[Passage]) -> list[Passage]:
    """The passages worth answering from: the first one, articles named in the question, and
    those not far below the best similarity."""
    floor = max(p.score for p in passages) - SCORE_MARGIN
    return [p for p in passages if p.rank == 1 or p.exact or p.score >= floor]


def compose_extractive(
    question: str, passages: list[Passage], similarity=None, people=None
) -> tuple[str, list[Citation]]:
    """The extractive answer: the sentence that holds what was asked, first, with its [n];
    then at most two supporting quotes grouped under their source. ``people``: the lines that
    present a course's people, by name, for a question that asks who."""
    citations: dict[str, Citation] = {}
    blocks: list[tuple[str, list[str]]] = []
    chosen = pick(question, passages, similarity)
    if people:
        chosen = with_roles(chosen, people)
    for number, picked in enumerate(chosen):
        passage = picked.passage
        citation = citations.get(passage.chunk_id)
        if citation is None:
            citation = _citation(len(citations) + 1, passage)
            citations[passage.chunk_id] = citation
        if picked.span and picked.span not in citation.spans:
            citation.spans.append(picked.span)
        # « … (CDPR), » or « … en ligne : » cut from what follows ends as a sentence.
        sentence = picked.sentence.rstrip(" ,;:")
        ending = "" if sentence.endswith((".", "!", "?", "»", "…", "]")) else "."
        label = source_label(passage)
        if number == 0:
            # The lead: the asked fact, alone on its line under its source.
            blocks.append((label, [f"{sentence}{ending} [{citation.n}]"]))
            continue
        line = f"- {sentence}{ending} [{citation.n}]"
        if len(blocks) > 1 and blocks[-1][0] == label:
            blocks[-1][1].append(line)
        else:
            blocks.append((label, [line]))
    # The lead stands apart from its source line (a paragraph of its own in Markdown).
    text = "\n\n".join(
        label + (" :\n\n" if number == 0 else " :\n") + "\n".join(lines)
        for number, (label, lines) in enumerate(blocks)
    )
    return text, list(citations.values())


def _extract_source(passage: Passage) -> str:
    where = []
    if passage.article:
        where.append(f"article {passage.article}")
    if passage.page_start:
        where.append(f"page {passage.page_start}")
    date = passage.version_date or passage.date
    if date:
        where.append(f"version {date}")
    return f"{passage.title}" + (f" ({', '.join(where)})" if where else "")


def messages_for(question: str, passages: list[Passage]) -> list[dict]:
    extracts = "\n\n".join(
        prompts.EXTRACT.format(n=i, source=_extract_source(p), text=p.text.strip())
        for i, p in enumerate(passages, start=1)
    )
    return [
        {"role": "system", "content": prompts.SYSTEM},
        {"role": "user", "content": prompts.USER.format(extracts=extracts, question=question)},
    ]


def _rewriter(client):
    def rewrite(question: str, history: Sequence[Turn]) -> str:
        lines = []
        for turn in history:
            lines.append(f"Question : {turn.question}")
            if turn.answer:
                lines.append(f"Réponse : {turn.answer[:300]}")
        return client.complete(
            [
                {"role": "system", "content": prompts.REWRITE_SYSTEM},
                {
                    "role": "user",
                    "content": prompts.REWRITE_USER.format(
                        history="\n".join(lines), question=question
                    ),
                },
            ]
        )

    return rewrite


class AnswerStream:
    """Iterate for the answer's text as it is produced; ``answer`` holds the final, checked
    answer once the iteration is over (its text may differ from the pieces: renumbered
    citations, a fallback, the version warning)."""

    def __init__(
        self, settings: Settings, question: str, history: Sequence[Turn] | None = None
    ) -> None:
        self.settings = settings
        self.question = questions.clean(question)
        self.history = (
            list(history or [])[-settings.history_turns :] if settings.history_turns else []
        )
        self.answer: Answer | None = None
        self._common: dict = {}

    def __iter__(self) -> Iterator[str]:
        from assistant.llm import LLMError, get_client

        # The question is answered from one index revision, whatever is published meanwhile.
        settings = self.settings.pinned()
        problem = questions.problem(self.question)
        if problem:
            # Nothing to search: say what to do, in French, without a model or the index.
            reason, reply = problem
            self.answer = Answer(self.question, reply, REFUSAL_OUTCOME, reason=reason)
            yield reply
            return
        client = None
        notices: list[str] = []
        if settings.llm_backend != "none":
            try:
                client = get_client(settings)
            except LLMError as exc:
                notices.append(_fallback_notice(exc))
        searched = standalone(self.question, self.history, _rewriter(client) if client else None)
        passages = search(settings, searched, settings.top_k)
        verdict = support(settings, searched, passages)
        self._common = {
            "passages": passages,
            "searched": searched,
            "notices": notices,
            "confidence": verdict.probability,
        }
        if verdict.refused:
            self._refuse(REFUSAL, verdict.reason)
            yield self.answer.text
            return
        usable = _usable(passages)
        # Sentences are read for their meaning against what the question itself asks: a
        # follow-up's carried words (« (jour 2 séquence 3 commence) ») say where to look, and
        # the passages found already speak of them (tune.jsonl, 236 follow-ups with keywords:
        # the first sentence holds them for 140 → 150, answers with them 182 → 182). The
        # question's vector is turned by the adapter learned for choosing leads
        # (``assistant.adapters``), when it learned on these passages.
        chunks = [chunk for passage in usable for chunk in passage.chunk_ids]
        similarity = partial(unit_similarities, settings, own_words(searched), adapted=chunks)
        # Who the course's people are (page 1), for an answer that names them.
        asks_who = "person" in asked_facts(searched)
        people = people_lines(settings, searched, usable) if asks_who else {}
        # An article the question names that the index does not hold: said first, since the
        # passages can only be its neighbours.
        absent = verdict.absent
        note = f"{ABSENT_ARTICLE.format(', '.join(absent))}\n\n" if absent else ""
        if verdict.outcome == UNCERTAIN:
            # No generation on doubtful evidence: the closest passages, quoted and said as such.
            text, citations = compose_extractive(searched, usable, similarity, people)
            self._answered(f"{note}{UNCERTAIN_INTRO}\n\n{text}", citations, outcome=UNCERTAIN)
            yield self.answer.text
            return
        if client is not None:
            try:
                yield from self._generate(client, searched, usable, note)
                return
            except LLMError as exc:
                notices.append(_fallback_notice(exc))
                yield "\n\n" + notices[-1] + "\n\n"
        text, citations = compose_extractive(searched, usable, similarity, people)
        self._answered(note + text, citations)
        # The first line (where the answer comes from) first, then the rest.
        head, _, rest = self.answer.text.partition("\n")
        yield head
        if rest:
            yield "\n" + rest

    def _refuse(self, message: str, reason: str, backend: str = "extractif") -> None:
        """``message``, the reason of a retrieval refusal, and the closest documents."""
        leads = _leads(self._common["passages"])
        shown = reason if message == REFUSAL else ""
        text = message + refusal_text(shown, leads).removeprefix(REFUSAL)
        self.answer = Answer(
            self.question,
            text,
            REFUSAL_OUTCOME,
            reason=reason,
            leads=leads,
            backend=backend,
            **self._common,
        )

    def _answered(
        self, text: str, citations: list[Citation], outcome: str = ANSWER, **fields
    ) -> list[str]:
        """The final answer, ending with the version warnings of its old legal texts; return
        those warnings."""
        warnings = stale_warnings(citations, self.settings.stale_after_years)
        text += "".join(f"\n\n{w}" for w in warnings)
        self.answer = Answer(
            self.question, text, outcome, citations, warnings=warnings, **fields, **self._common
        )
        return warnings

    def _generate(self, client, searched, usable, note: str = "") -> Iterator[str]:
        """The model's answer, streamed, then checked; ``note`` (an article the index lacks)
        comes first, as in the extractive answer."""
        from assistant.llm import LLMError

        if note:
            yield note
        raw = []
        for piece in client.stream(messages_for(searched, usable)):
            raw.append(piece)
            yield piece
        generated = "".join(raw).strip()
        if prompts.NO_ANSWER.rstrip(".") in generated or not generated:
            reason = "le modèle juge que les extraits ne répondent pas"
            if note:
                reason += f" ; {note.strip()[:1].lower()}{note.strip()[1:].rstrip('.')}"
            self._refuse(prompts.NO_ANSWER, reason, self.settings.llm_backend)
            return
        checked = renumber(_without_repeats(generated), len(usable))
        if not checked.order:
            # Rule 2 of the prompt broken: nothing is cited, nothing can be checked.
            raise LLMError("le modèle n'a cité aucun extrait")
        citations = [_citation(i + 1, usable[index]) for i, index in enumerate(checked.order)]
        answer_sentences = sentences(checked.text)
        for citation in citations:
            for sentence in answer_sentences:
                span = locate(sentence, citation.passage)
                if span:
                    citation.spans.append(span)
        warnings = self._answered(
            note + checked.text,
            citations,
            unsupported=unsupported_sentences(checked.text, [c.passage for c in citations]),
            backend=self.settings.llm_backend,
        )
        if warnings:
            yield "".join(f"\n\n{w}" for w in warnings)


def _without_repeats(text: str) -> str:
    """A small model may loop on one sentence: each sentence is kept once."""
    seen: set[str] = set()
    kept = []
    for paragraph in text.split("\n"):
        sentences_kept = []
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
            key = re.sub(r"\W+", " ", sentence).strip().lower()
            if key and key in seen:
                continue
            seen.add(key)
            sentences_kept.append(sentence)
        kept.append(" ".join(sentences_kept))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _fallback_notice(exc: Exception) -> str:
    return (
        f"Réponse du modèle de langage indisponible ou invérifiable ({exc}) : voici la réponse "
        "extractive, tirée directement des documents."
    )


def answer_stream(
    settings: Settings, question: str, history: Sequence[Turn] | None = None
) -> AnswerStream:
    return AnswerStream(settings, question, history)


def answer_question(
    settings: Settings, question: str, history: Sequence[Turn] | None = None
) -> Answer:
    """Retrieve, then answer from the passages, or refuse plainly."""
    stream = answer_stream(settings, question, history)
    for _ in stream:
        pass
    assert stream.answer is not None
    return stream.answer
