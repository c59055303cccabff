"""The default answer, made without a generative model: the sentences of the top passages that
answer the question, each followed by the number of its citation, introduced by where they come
from (« Selon l'article 9-2 de la loi n° 2003-710 du 1er août 2003 : »).

Sentences are scored by the words they share with the question (glossary forms included), the
answer type the question asks for (« qui » → a person, « combien » → a number), the relevance
of their passage, and their position in it; near-duplicates are dropped, the rest keep the
passages' order, and the length is capped. Each selected span is located in its passage so that
the interface can highlight it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.grounding import augmented
from assistant.retrieval import Passage
from assistant.text import analyse, content_terms

MAX_SENTENCES = 3
MAX_SENTENCE_CHARS = 320
MAX_ANSWER_CHARS = 900
# Two sentences sharing this share of their words say the same thing.
DUPLICATE_OVERLAP = 0.6


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


@dataclass
class Picked:
    sentence: str
    passage: Passage
    # Where the sentence is in ``passage.text`` (start, end), for highlighting.
    span: tuple[int, int] | None


def locate(sentence: str, text: str) -> tuple[int, int] | None:
    """Character offsets of ``sentence`` in ``text``, whatever the line breaks, spaces, bullets
    and label colons between its words (sentences are rebuilt from wrapped lines)."""
    core = sentence.removesuffix(" […]")
    words = [w for w in re.findall(r"\S+", core) if w not in {":", "—", "-", "•"}]
    if not words:
        return None
    pattern = r"[\s•\-*–:—]*".join(re.escape(w) for w in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


def _score(question_terms: set[str], question: str, sentence: str, passage: Passage, index: int):
    # The sentence's words, with the glossary terms whose long forms it uses (« commission
    # d'attribution des logements et d'examen de l'occupation » counts as « CALEOL »).
    terms = set(augmented(analyse(sentence)))
    overlap = len(question_terms & terms) / max(1, len(question_terms))
    bonus = _answer_type_bonus(question, sentence)
    if overlap == 0 and bonus == 0:
        return None
    # Shared words first, then the answer type, the passage's relevance, an earlier position.
    return overlap + 0.5 * bonus + passage.score - 0.01 * index


def _shorten(sentence: str, parts: int = 1) -> str:
    """At most ``MAX_SENTENCE_CHARS`` (more for a sentence with the list it introduces)."""
    limit = MAX_SENTENCE_CHARS if parts == 1 else MAX_SENTENCE_CHARS + 200
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " […]"


def _is_heading(unit: str) -> bool:
    """A title line (« Logement sous-loué », « Article L442-5 »): it says nothing alone."""
    return len(unit.split()) <= 6 and not unit.rstrip().endswith((".", ";", "!", "?", "…"))


def _candidates(units: list[str]) -> list[tuple[int, list[str]]]:
    """Each unit with what it needs to be read alone: a heading with the unit that follows it,
    a sentence ending with « : » with the list items it introduces."""
    candidates = []
    for i, unit in enumerate(units):
        parts, j = [unit], i
        while _is_heading(parts[-1]) and j + 1 < len(units) and len(parts) < 3:
            j += 1
            parts.append(units[j])
        if parts[-1].rstrip().endswith(":"):
            items = 0
            while j + 1 < len(units) and items < 6 and sum(map(len, parts)) < 500:
                j += 1
                items += 1
                parts.append(units[j])
        candidates.append((i, parts))
    return candidates


def _joined(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        text += (
            " — " if _is_heading(text.split(" — ")[-1]) and not text.endswith(":") else " "
        ) + part
    return text


_DEFINITION = re.compile(
    r"^\s*(?:c'est quoi|qu'est-ce que|qu'est-ce qu'|que (?:signifie|veut dire))", re.I
)


def pick(question: str, passages: list[Passage]) -> list[Picked]:
    """The sentences that answer ``question``, in the passages' order."""
    wanted = content_terms(question)
    defines = bool(_DEFINITION.match(question.replace("’", "'")))
    scored = []
    for passage in passages:
        title = passage.title.strip().rstrip(" .")
        for index, parts in _candidates(sentences(passage.text)):
            text = _joined(parts)
            # The document's own title, or a question (a fiche's heading), answers nothing.
            if parts[0].strip().rstrip(" .") == title or text.rstrip().endswith("?"):
                continue
            score = _score(wanted, question, text, passage, index)
            if score is None:
                continue
            if len(text.split()) < 5:
                score -= 0.5
            # A heading chain that starts on a stray fragment reads worse than a shorter one.
            heads = next((n for n, part in enumerate(parts) if not _is_heading(part)), len(parts))
            score -= 0.02 * max(0, heads - 1)
            if defines and re.search(r"\b(?:est|sont|désigne|constitue)\b", text):
                score += 0.3
            scored.append((score, passage.rank, index, parts, passage))
    scored.sort(key=lambda item: item[0], reverse=True)
    chosen: list[tuple[int, int, list[str], Passage]] = []
    length = 0
    for _, rank, index, parts, passage in scored:
        terms = content_terms(" ".join(parts))
        if any(
            len(terms & content_terms(" ".join(other)))
            >= DUPLICATE_OVERLAP * max(1, min(len(terms), len(content_terms(" ".join(other)))))
            for _, _, other, _ in chosen
        ):
            continue
        size = len(_joined(parts))
        if chosen and length + min(size, MAX_SENTENCE_CHARS + 200) > MAX_ANSWER_CHARS:
            continue
        chosen.append((rank, index, parts, passage))
        length += min(size, MAX_SENTENCE_CHARS + 200)
        if len(chosen) == MAX_SENTENCES:
            break
    if not chosen:
        best = passages[0]
        index, parts = next(iter(_candidates(sentences(best.text))), (0, [best.text]))
        chosen = [(best.rank, index, parts, best)]
    chosen.sort(key=lambda item: (item[0], item[1]))
    picked = []
    for _, _, parts, passage in chosen:
        first, last = locate(parts[0], passage.text), locate(parts[-1], passage.text)
        span = (first[0], last[1]) if first and last and last[1] > first[0] else first
        picked.append(Picked(_shorten(_joined(parts), len(parts)), passage, span))
    return picked


_SHORT_LEGAL_TITLE = re.compile(
    r"^(Loi|Décret|Arrêté|Ordonnance|Circulaire)\s+(?:n°\s*[\d-]+\s+)?du\s+\d{1,2}(?:er)?\s+\w+\s+\d{4}",
    re.IGNORECASE,
)
_OF = {
    "loi": "de la",
    "décret": "du",
    "arrêté": "de l'",
    "ordonnance": "de l'",
    "circulaire": "de la",
}


def source_label(passage: Passage) -> str:
    """Where a passage comes from, as a French phrase: « Selon l'article L442-5 du code de la
    construction et de l'habitation », « D'après la fiche service-public « … » »."""
    title = passage.title.strip()
    short = _SHORT_LEGAL_TITLE.match(title)
    if passage.article and passage.kind == "code":
        code = title.split(" — ")[0]
        return f"Selon l'article {passage.article} du {code[:1].lower()}{code[1:]}"
    if passage.article and short:
        kind = short.group(1).lower()
        text = short.group(0)
        joined = f"{_OF[kind]}{'' if _OF[kind].endswith(chr(39)) else ' '}"
        return f"Selon l'article {passage.article} {joined}{text[:1].lower()}{text[1:]}"
    if passage.article:
        return f"Selon l'article {passage.article} de « {title} »"
    if passage.kind == "fiche":
        return f"D'après la fiche service-public « {title} »"
    page = ""
    if passage.page_start:
        page = (
            f" (p. {passage.page_start})"
            if not passage.page_end or passage.page_end == passage.page_start
            else f" (p. {passage.page_start}-{passage.page_end})"
        )
    if passage.kind == "cours":
        return f"D'après le support de cours « {title} »{page}"
    return f"D'après « {title} »{page}"
