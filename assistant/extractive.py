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

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.facts import GIVEN, asked_facts
from assistant.grounding import augmented
from assistant.retrieval import (
    Passage,
    article_references,
    numbering,
    set_aside,
    situation_set_aside,
)
from assistant.text import analyse, content_terms, fold, numbered, sentences

# Two sentences sharing this share of their words say the same thing.
DUPLICATE_OVERLAP = 0.6


# What a question asks for, and what a sentence holding it looks like: the kinds of fact of
# ``facts`` (a person, a place, a price, a frequency, a text, a percentage, a date, a number, a
# duration, a contact), and three that only answers need (on folded text for the questions,
# on the original for the sentences: names need their capitals). Measured on tune.jsonl, the
# answers holding their keywords: 122 of 164 with the composer's own five kinds, 123 with these.
_ASKS = {
    # « Quel formateur ? », « lequel des intervenants ? »: a person too.
    "person": re.compile(
        r"\bquel(?:le)?s? (?:formateur|formatrice|intervenant|intervenante|enseignant"
        r"|enseignante|personne|temoin|orateur)\b"
    ),
    "hour": re.compile(r"\b(?:a quelle heure|quel(?:le)?s? (?:heure|horaire)s?)\b"),
    "audience": re.compile(
        r"\b(?:pour qui|a qui s'adresse|s'adresse a qui|quel public"
        r"|public (?:vise|cible|concerne))\b"
    ),
    # « plafonnée à combien par an ? », « le bailleur prend en charge combien ? »: a figure
    # (« combien de … », « combien coûte » are counts, durations, prices of ``facts``).
    "figure": re.compile(r"\bcombien\b(?! (?:de|coute|ca coute)\b)"),
    # « sur quelle période ? », « de quelle année ? »: a date or a span of years.
    "date": re.compile(r"\b(?:quelle periode|(?:de )?quelle annee|quel trimestre|quel mois)\b"),
    "topic": re.compile(
        r"\b(?:sur quoi|de quoi|quel(?:le)?s? (?:theme|themes|sujet|sujets|titre|intitule|contenu)|"
        r"s'intitule|consiste en quoi|porte sur quoi|parle de quoi)\b"
    ),
}
_GIVES = {
    **GIVEN,
    # « l'année n-2 », « le 2e trimestre de l'année précédente » give a date too.
    "date": re.compile(
        GIVEN["date"].pattern + r"|\bn\s?-\s?\d\b|\b\d(?:er|e|ème)? trimestre\b|année précédente",
        re.IGNORECASE,
    ),
    "hour": re.compile(r"\b\d{1,2}\s?h\s?\d{0,2}\b"),
    "figure": GIVEN["count"],
    "audience": re.compile(r"\b(?:Public|public|destinée?s? à|s'adresse)\b"),
    "topic": re.compile(r"«[^»]{6,}»|\b[A-ZÀ-Ý’' ]{12,}\b"),
}
# Weights of the lead sentence's score, measured on the tuning questions (README).
TYPE_WEIGHT = 0.5
# The question's words found only in the unit before a candidate (its subject, when the
# candidate goes on with it: « Toutefois, aucune augmentation … ne doit excéder 5 % ») count
# this much of their weight. Measured on tune.jsonl (273 answered questions with keywords):
# first sentence holding them 169 → 171 (0.5), 174 (0.75, 1.0), 173 (1.25); answers holding
# them 221 → 220; median words unchanged. The same words in the embedding model's reading
# (the candidate encoded with its previous unit) lose: 174 → 168.
CONTEXT_WEIGHT = 0.75
# A candidate's score: its shared words plus ``TYPE_WEIGHT`` × the kinds of fact asked that it
# holds, plus these weights × its features.
LEAD_WEIGHTS = {
    "passage": 1.0,
    "position": -0.01,
    "short": -0.5,
    "headings": -0.02,
    "defines": 0.3,
    "exact": 1.0,
    # What a list item that names the asked thing gains over its whole list (a tie-break).
    "item": 0.05,
    "meaning": 2.0,
}
# The lead is cut to this many characters around what it shares with the question, the
# supporting quotes to ``QUOTE_CHARS``. Measured on tune.jsonl (1122 questions; the 733
# answerable ones with keywords that are not refused; composer alone on the same passages):
# 300 / 200 → 553 answers with their keywords, 442 in the first sentence, median 82 words;
# 360 / 200 → 559, 450, 84; 420 / 200 → 570, 462, 85; 420 / 150 → 556, 462, 75.5; 420 / 170
# → 566, 462, 80; 450 / 170 → 566, 462, 80; 400 / 170 → 563, 459, 79. (Session 12, on 285:
# 300 → 214, 161, 78 words; 400 → 216, 165, 79; 170-character quotes lost 1 answer of 285.)
LEAD_CHARS = 420
QUOTE_CHARS = 170
MAX_QUOTES = 2
# A unit ending with « ? » shorter than this is a question heading (a fiche's « Qui peut … ? »)
# and answers nothing; a longer one is a sentence whose last point is a question (the
# programme's « La partie 3.1 « … » aborde : … ; que faut-il traiter ? »). Measured on
# tune.jsonl: answers with their keywords 215 → 218 of 285, first sentence 162 → 166 (the
# same from 10 to 20 words; 25: 217, 165).
QUESTION_HEADING_WORDS = 15


def asked_types(question: str) -> list[str]:
    folded = fold(question)
    kinds = asked_facts(question)
    kinds += [
        kind for kind, pattern in _ASKS.items() if pattern.search(folded) and kind not in kinds
    ]
    if "figure" in kinds and {"price", "duration", "percent", "count", "frequency"} & set(kinds):
        kinds.remove("figure")
    # « C'est pour qui ? » asks for a public, not for a person.
    if "audience" in kinds and not re.search(r"\bqui\b", _ASKS["audience"].sub("", folded)):
        kinds = [kind for kind in kinds if kind != "person"]
    return kinds


def _answer_type_bonus(asked: list[str], sentence: str) -> float:
    """The share of the kinds of fact asked (a person, a number, a duration, a topic) that the
    sentence holds."""
    if not asked:
        return 0.0
    return sum(1 for kind in asked if _GIVES[kind].search(sentence)) / len(asked)


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


def _numbering_mismatches(question: dict[str, set[str]], sentence: str) -> int:
    if not question:
        return 0
    given = numbered(sentence)
    return sum(1 for noun, values in question.items() if noun in given and not values & given[noun])


def _shared(wanted: dict[str, float], terms: set[str]) -> float:
    return sum(weight for term, weight in wanted.items() if term in terms)


def _relevance(wanted: dict[str, float], asked: list[str], terms: set[str], sentence: str):
    """Shared words (glossary forms included, each with its weight) and the kind of fact
    asked, or None when the sentence has neither."""
    overlap = _shared(wanted, terms) / max(1.0, sum(wanted.values()))
    bonus = _answer_type_bonus(asked, sentence)
    if overlap == 0 and bonus == 0:
        return None
    return overlap + TYPE_WEIGHT * bonus


def _around(wanted: dict[str, float], terms: set[str], context: set[str]) -> float:
    """What the words of the question found only in ``context`` (the unit before a sentence)
    add to the sentence's relevance as a lead."""
    return CONTEXT_WEIGHT * _shared(wanted, context - terms) / max(1.0, sum(wanted.values()))


_ASKING = re.compile(
    r"\b(?:qui|quel(?:le)?s?|lequel|laquelle|combien|quand|où|comment|pourquoi|quoi)\b"
)
_SPLIT = re.compile(r"(?<=\?)\s+|,?\s+\bet\s+(?=\S)")


def sub_questions(question: str) -> list[str]:
    """The questions asked in one: « la session 4 parle de quoi et qui témoigne ? » →
    [« la session 4 parle de quoi », « qui témoigne ? »]. A part is split off only when both
    sides ask something (« qui fixe le loyer et les charges ? » stays whole)."""
    parts, begin = [], 0
    for match in _SPLIT.finditer(question):
        left = question[begin : match.start()].lower()
        right = question[match.end() :].lower().split("?")[0]
        if _ASKING.search(left) and _ASKING.search(right):
            parts.append(question[begin : match.start()].strip())
            begin = match.end()
    parts.append(question[begin:].strip())
    return [part for part in parts if part]


def _shorten(sentence: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word."""
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " […]"


_CLAUSE = re.compile(r"(?<=[;:,])\s+|\s+—\s+|\s+(?=\(\w)")


def _runs(lengths: list[int], begin: int, room: int, one_always: bool):
    """(first, last) of each run of clauses, starting from ``begin``, whose ``lengths`` joined
    by spaces fit in ``room`` characters; with ``one_always``, a single clause even if longer."""
    for first in range(begin, len(lengths)):
        size = -1
        for last in range(first, len(lengths)):
            size += lengths[last] + 1
            if size > room and (last > first or not one_always):
                break
            yield first, last


def focus(sentence: str, limit: int, wanted: dict[str, float], asked: list[str]) -> str:
    """A long sentence cut down to ``limit`` characters around its clause that holds the most
    of the question (shared words, the kind of fact asked), not just its beginning."""
    if len(sentence) <= limit:
        return sentence
    clauses = [c for c in _CLAUSE.split(sentence) if c]
    if len(clauses) < 2:
        return _shorten(sentence, limit)

    terms = [set(augmented(analyse(clause))) for clause in clauses]
    lengths = [len(clause) for clause in clauses]

    def worth(text: str, held: list[set[str]]) -> float:
        return _shared(wanted, set().union(*held)) + _answer_type_bonus(asked, text)

    # The run of clauses that fits and holds the most of the question's words and of the kinds
    # of fact asked, each counted once; between equals, the one that starts the sentence.
    best = (-1.0, False, 0), 0, 0
    for first, last in _runs(lengths, 0, limit, one_always=True):
        text = " ".join(clauses[first : last + 1])
        score = (worth(text, terms[first : last + 1]), first == 0, last - first)
        if score > best[0]:
            best = score, first, last
    _, start, end = best
    if start > 1:
        # The sentence's first clause (its subject: « Le montant de cette pénalité, […] ne peut
        # excéder 100 € par logement ») before a later run, the clauses between left out, when
        # both fit and hold at least as much of the question. Measured on tune.jsonl (797 answered
        # questions with keywords): answers holding them 613 → 614.
        subject = None
        room = limit - len(clauses[0]) - len(" […] ")
        for first, last in _runs(lengths, 2, room, one_always=False):
            text = clauses[0] + " […] " + " ".join(clauses[first : last + 1])
            score = (worth(text, [terms[0], *terms[first : last + 1]]), True, last - first)
            if score > best[0]:
                best, subject = (score, first, last), text
        if subject:
            return subject + (" […]" if best[2] + 1 < len(clauses) else "")
    text = " ".join(clauses[start : end + 1])
    if len(text) > limit:
        text = _shorten(text, limit).removesuffix(" […]")
    return ("[…] " if start > 0 else "") + text + (" […]" if end + 1 < len(clauses) else "")


def _is_heading(unit: str) -> bool:
    """A title line (« Logement sous-loué », « Article L442-5 »): it says nothing alone. A
    short value (« 3 jours (17h30) ») is no title: it answers."""
    if re.match(r"^\d", unit) and not re.match(r"^\d+(?:\.\d+)*\s*[/.)]?\s+[A-ZÀ-Ý]{3}", unit):
        return False
    # A unit that starts in lower case continues a sentence cut off by the passage's start
    # (« d’Urbanisme de Paris, Cf. Géo »): no title.
    if unit[:1].islower():
        return False
    # « Durée : 3 jours (17h30) »: a label with its value.
    if re.match(r"^[A-ZÀ-Ý][\w’' -]{1,30} : .*\d", unit):
        return False
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
                # The list ends at its last item (« … ; » then « … . ») or at a title.
                if items and (parts[-1].rstrip().endswith(".") or _is_heading(units[j + 1])):
                    break
                j += 1
                items += 1
                parts.append(units[j])
        candidates.append((i, parts))
    return candidates


def _with_items(candidates: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The candidates, and each item of a list with the sentence that introduces it
    (« … sont de : » — « 115 000 euros par an pour un chef de projet ; »): the item that
    answers, read with its subject, not cut out of a long list. Measured on tune.jsonl:
    answers holding their keywords 118 → 121 of 164, first sentence 91 → 92."""
    extra = []
    for index, parts in candidates:
        if len(parts) > 2 and parts[0].rstrip().endswith(":") and not _is_heading(parts[0]):
            extra.extend((index, [parts[0], item]) for item in parts[1:])
    return candidates + extra


def _is_item(parts: list[str]) -> bool:
    """One list item with the sentence that introduces it (« … de : », « 115 000 euros… »)."""
    return len(parts) == 2 and parts[0].rstrip().endswith(":")


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


Similarity = Callable[[list[str]], list[float]]


# A follow-up searched with the previous question's key words in brackets (« et le délai ?
# (L442-3-3 locataire) »): those words say where to look, the follow-up's own say what to pick.
_CARRIED = re.compile(r"^(?P<own>.*\S)\s+\((?P<carried>[^()]+)\)\s*$")
# Measured on the tuning part's 164 questions with answer keywords: the first sentence holds
# them for 86 with weight 1 (no difference), 89 with 0.75 or 0.5, 91 with 0.25; no loss.
CARRIED_WEIGHT = 0.25


def own_words(question: str) -> str:
    """A follow-up searched with the previous question's key words in brackets, without
    them: what the follow-up itself asks (« et elle se termine à quelle heure ? »)."""
    return match.group("own") if (match := _CARRIED.match(question)) else question


def _asking(question: str) -> tuple[dict[str, float], list[str]]:
    """The words a sentence should share with ``question`` with their weights, and the kinds
    of fact it asks. A public is given under its label (« Public : … »): asking for it asks
    for that word."""
    own, carried = question, ""
    if match := _CARRIED.match(question):
        own, carried = match.group("own"), match.group("carried")
    wanted = dict.fromkeys(content_terms(carried), CARRIED_WEIGHT)
    wanted.update(dict.fromkeys(content_terms(own), 1.0))
    asked = asked_types(own)
    if "audience" in asked:
        wanted.update(dict.fromkeys(analyse("public"), 1.0))
    return wanted, asked


# A text named by its kind and number or year (« la loi de 2003 », « décret n° 2014-767 »,
# « L. 2003-710 »).
_TEXT_NUMBER = re.compile(
    r"\b(?:lois?|d[ée]crets?|arr[êe]t[ée]s?|ordonnances?|L\.)\s+(?:n°\s*)?(?:(?:de|du)\s+)?"
    r"((?:19|20)\d\d(?:-\d{2,4})?)\b",
    re.IGNORECASE,
)


def references(question: str) -> set[str]:
    """The analysed terms by which ``question`` names a text or an article (« art 9-1 »,
    « 2003-710 », « la loi de 2014 »)."""
    ids, hints = article_references(question)
    return set(analyse(" ".join([*ids, *hints, *_TEXT_NUMBER.findall(question)])))


def _own_references(references: set[str], passage: Passage) -> set[str]:
    """The named texts and articles that ``passage`` is (its article, its title's number)."""
    if not references:
        return set()
    return references & set(analyse(f"{passage.article or ''} {passage.title}"))


# « Comment est calculé … ? », « quels sont … ? » ask for all that a list gives: its items are
# then not offered one by one (tune.jsonl: answers with their keywords 207 → 208 of 285).
_LIST_ASKED = re.compile(r"\b(?:comment|quels|quelles|lesquels|lesquelles|en fonction de quoi)\b")


# Measured on tune.jsonl (733 answered questions with keywords, composer alone): 0 → 566
# answers with their keywords, 462 in the first sentence, median 80 words; 0.5 → 565, 464,
# 80; 1.0 → 569, 467, 79.5 (first sentence: 9 gained, 4 lost); 1.5 → 568, 468; 2.0 → 567, 467.
LOCAL_IDF = 1.0


def _discriminating(asks: list, held: list[set[str]]) -> list:
    """Each part's wanted words weighted by how few of the passages' units (``held``: each
    unit's analysed words) hold them: the subject that every sentence of an article repeats
    (« contrat de ville ») chooses less than the word that only the answer holds (« durée »)."""
    if not held:
        return asks
    count = len(held)

    def weight(term: str) -> float:
        share = sum(term in terms for terms in held)
        return 1.0 + LOCAL_IDF * math.log((count + 1) / (share + 1))

    return [({t: w * weight(t) for t, w in wanted.items()}, asked) for wanted, asked in asks]


def scored_candidates(question: str, passages: list[Passage], similarity: Similarity | None = None):
    """What ``pick`` chooses from: the parts of ``question`` (the whole question first when it
    asks several things) as (words wanted, kinds of fact asked), each passage's units, and each
    candidate as [features, relevance to each part (None: unrelated), passage rank, unit index,
    units, passage]."""
    asks = [_asking(part) for part in sub_questions(question)]
    if len(asks) > 1:
        asks.insert(0, _asking(question))
    pairs = numbered(question)
    defines = bool(_DEFINITION.match(question.replace("’", "'")))
    lists = bool(_LIST_ASKED.search(fold(question)))
    # A text or an article the question names is matched by the passage that is it, not by a
    # sentence of another text that cites it (« conformément à l'article 9-1 de la loi … »).
    refs = references(question)
    # A situation the question sets aside (« hors Île-de-France »): its section's sentences
    # answer another question, unless every passage is one.
    aside = set_aside(question)
    kept = [p for p in passages if not (aside and situation_set_aside(aside, p))]
    passages = kept or passages
    # Each passage's units and their analysed words, split and analysed once (the weights
    # below, the candidates, and the lead's continuation read them).
    split = {p.chunk_id: sentences(p.text) for p in passages}
    analysed = {c: [set(augmented(analyse(unit))) for unit in split[c]] for c in split}
    if LOCAL_IDF:
        asks = _discriminating(asks, [terms for c in analysed for terms in analysed[c]])
    scored = []
    units: dict[str, list[str]] = {}
    for passage in passages:
        title = passage.title.strip().rstrip(" .")
        # A passage of another day or session than the one asked answers nothing here.
        if pairs and numbering(pairs, passage) < 0:
            continue
        units[passage.chunk_id] = split[passage.chunk_id]
        # Each unit's words: a one-unit candidate's own, the next one's context.
        own_refs = _own_references(refs, passage)
        unit_terms = [terms - refs | own_refs for terms in analysed[passage.chunk_id]]
        candidates = _candidates(units[passage.chunk_id])
        if not lists:
            candidates = _with_items(candidates)
        for index, parts in candidates:
            text = _joined(parts)
            # The document's own title, or a question (a fiche's heading), answers nothing; a
            # long unit that ends with one (« … aborde : … ; que faut-il traiter ? ») may.
            if parts[0].strip().rstrip(" .") == title or (
                text.rstrip().endswith("?") and len(text.split()) < QUESTION_HEADING_WORDS
            ):
                continue
            # A numbered thing the question names (« jour 3 », « séquence 5 ») that the
            # sentence gives with another number: « le jour 2 » does not answer « jour 3 ».
            if _numbering_mismatches(pairs, text):
                continue
            terms = (
                unit_terms[index]
                if len(parts) == 1
                else set(augmented(analyse(text))) - refs | own_refs
            )
            context = unit_terms[index - 1] if index > 0 and CONTEXT_WEIGHT else set()
            relevance = [_relevance(wanted, asked, terms, text) for wanted, asked in asks]
            around = [_around(wanted, terms, context) for wanted, _ in asks]
            if all(value is None for value in relevance):
                continue
            # A heading chain that starts on a stray fragment reads worse than a shorter one.
            heads = next((n for n, part in enumerate(parts) if not _is_heading(part)), len(parts))
            # One item of a list, with its introduction, when the item itself names what is
            # asked (« … pour un chef de projet »): rather than the whole list.
            named = False
            if _is_item(parts):
                own = set(augmented(analyse(parts[1]))) - set(augmented(analyse(parts[0])))
                named = any(_shared(wanted, own) for wanted, _ in asks)
            features = {
                # The passage's relevance and an earlier position.
                "passage": passage.score,
                "position": float(index),
                "short": float(len(text.split()) < 5),
                "headings": float(max(0, heads - 1)),
                "defines": float(
                    defines and bool(re.search(r"\b(?:est|sont|désigne|constitue)\b", text))
                ),
                # An article the question names is where the answer starts.
                "exact": float(passage.exact),
                "item": float(named),
                "meaning": 0.0,
            }
            scored.append([features, relevance, passage.rank, index, parts, passage, around])
    if similarity is not None and scored and LEAD_WEIGHTS["meaning"]:
        meanings = similarity([_joined(item[4]) for item in scored])
        for item, meaning in zip(scored, meanings, strict=True):
            item[0]["meaning"] = meaning
    return asks, units, scored


def with_roles(picked: list[Picked], people: dict[str, Passage]) -> list[Picked]:
    """``picked`` with, as first quotes, the lines that present the people the lead names
    (« Christophe Noyé anime la séquence 3 » → « Enseignants principaux : Christophe Noyé,
    Géographe, …, Cf. Géo. », cited at its own page), unless the answer already holds them."""
    if not picked or not people:
        return picked
    lead, quotes = picked[0], picked[1:]
    shown = {p.passage.chunk_id for p in picked}
    lines = [
        Picked(line.text.strip(), line, (0, len(line.text)))
        for name, line in sorted(people.items(), key=lambda item: lead.sentence.find(item[0]))
        if name in lead.sentence and line.chunk_id not in shown
    ]
    return [lead, *(lines + quotes)[:MAX_QUOTES]]


def pick(
    question: str, passages: list[Passage], similarity: Similarity | None = None
) -> list[Picked]:
    """The lead sentence that holds what ``question`` asks, then at most ``MAX_QUOTES``
    supporting quotes in the passages' order. Candidates are scored by shared words (glossary
    forms included), the kind of fact asked, the passage's relevance, their position and, when
    ``similarity`` is given, their meaning (the embedding model's cosine with the question).
    A question that asks two things (« … combien de membres, et combien représentent
    l'État ? ») gets the best sentence for each part first."""
    asks, units, candidates = scored_candidates(question, passages, similarity)
    # Each candidate with its score in place of its features.
    scored = [
        [sum(LEAD_WEIGHTS[name] * value for name, value in features.items()), *rest]
        for features, *rest in candidates
    ]

    def ranking(part: int, lead: bool = False) -> list[tuple[float, int, int, list[str], Passage]]:
        """The candidates for ``part``, best first; a ``lead`` is read with the unit before it
        (its subject), a quote alone."""
        return sorted(
            (
                (
                    base + relevance[part] + (around[part] if lead else 0.0),
                    rank,
                    index,
                    parts,
                    passage,
                )
                for base, relevance, rank, index, parts, passage, around in scored
                if relevance[part] is not None
            ),
            key=lambda item: item[0],
            reverse=True,
        )

    def repeats(parts: list[str], chosen: list) -> bool:
        terms = content_terms(" ".join(parts))
        return any(
            len(terms & content_terms(" ".join(other)))
            >= DUPLICATE_OVERLAP * max(1, min(len(terms), len(content_terms(" ".join(other)))))
            for _, _, other, _, _ in chosen
        )

    # The lead answers the whole question (or its first part); each other part then gets its
    # best sentence; the remaining places go to the best sentences for the whole question.
    chosen: list[tuple[int, int, list[str], Passage, int]] = []
    order = [0, *range(2, len(asks))] if len(asks) > 1 else [0]
    continued = False
    for part in order:
        for _, rank, index, parts, passage in ranking(part, lead=not chosen):
            if not repeats(parts, chosen):
                if not chosen:
                    # The lead goes on with the sentence that continues it, if any: no quote
                    # repeats that sentence.
                    longer = _continued(units[passage.chunk_id], index, parts)
                    continued, parts = longer is not parts, longer
                chosen.append((rank, index, parts, passage, part))
                break
    for _, rank, index, parts, passage in ranking(0):
        if len(chosen) >= 1 + MAX_QUOTES:
            break
        if not repeats(parts, chosen):
            chosen.append((rank, index, parts, passage, 0))
    chosen = chosen[: 1 + MAX_QUOTES]
    if not chosen:
        best = passages[0]
        index, parts = next(iter(_candidates(sentences(best.text))), (0, [best.text]))
        chosen = [(best.rank, index, parts, best, 0)]
    lead, quotes = chosen[0], sorted(chosen[1:], key=lambda item: (item[0], item[1]))
    picked = []
    for number, (_, _, parts, passage, part) in enumerate([lead, *quotes]):
        limit = LEAD_CHARS if number == 0 else QUOTE_CHARS
        if number == 0 and continued:
            limit = max(limit, len(_joined(parts)))
        wanted, asked = asks[part]
        if _is_item(parts) and len(parts[1]) < limit / 2:
            # One item with its introduction: the item whole, the introduction cut to fit.
            room = max(limit - len(parts[1]) - 1, limit // 3)
            text = f"{focus(parts[0], room, wanted, asked)} {parts[1]}"
        else:
            text = focus(_joined(parts), limit, wanted, asked)
        span = locate(text.removeprefix("[…] "), passage.text)
        if span is None:
            first, last = locate(parts[0], passage.text), locate(parts[-1], passage.text)
            span = (first[0], last[1]) if first and last and last[1] > first[0] else first
        if number == 0:
            text = _located(question, passage, text)
        picked.append(Picked(text, passage, span))
    return picked


# « C'est abordé à quel moment ? », « quel jour ? »: when, in a course.
_WHEN = re.compile(
    r"\b(?:quand|(?:a )?quel moment|quel jour|quelle journee|quelle demi-journee|quel creneau)\b"
)


def _located(question: str, passage: Passage, text: str) -> str:
    """A course passage's lead, for a question that asks when, opened by the day and session
    the programme puts it in (« Jour 1, séquence 2 : … ») unless it already says its day."""
    own = own_words(question)
    if passage.day is None or not _WHEN.search(fold(own)) or re.search(r"\bjour\s*\d", fold(text)):
        return text
    session = f", séquence {passage.session}" if passage.session else ""
    return f"Jour {passage.day}{session} : {text}"


# A sentence that goes on with the lead's subject (« Ces opérations … », « Dans ce cas, … »,
# « À ce titre, … »): what the lead announces is often there (« … leur durée est de cinq ans »).
_GOES_ON = re.compile(
    r"^(?:Ces?|Cette|Cet|Celui-ci|Celle-ci|Ceux-ci|Celles-ci|Dans ce cas|Dans cette hypothèse"
    r"|[AÀ] ce titre|Toutefois|Il|Elle|Ils|Elles|Leurs?|Sa|Son|Ses)\b"
    # « La radiation intervient alors sans délai. »: « alors » among its first words (tune.jsonl,
    # 797 answered questions with keywords: answers holding them 614 → 616).
    r"|^\S+(?: \S+){0,4} alors\b"
)
# The lead and the sentence that goes on with it, together at most this many characters.
# Measured on tune.jsonl (285 answerable questions with keywords): answers holding their
# keywords 211 → 214 (320: 213; 500: 214 with 2 more words), first sentence unchanged.
CONTINUED_CHARS = 400


def _continued(units: list[str], index: int, parts: list[str]) -> list[str]:
    """The lead's ``parts`` (from ``units[index]`` on), with the unit that follows them in their
    passage when it goes on with the same subject (``_GOES_ON``) and both fit in
    ``CONTINUED_CHARS``."""
    if parts[-1].rstrip().endswith(":") or _is_item(parts):
        return parts
    last = index + len(parts) - 1
    if last + 1 >= len(units) or units[last] != parts[-1]:
        return parts
    following = units[last + 1]
    if (
        not _GOES_ON.match(following)
        or _is_heading(following)
        or len(_joined(parts)) + len(following) > CONTINUED_CHARS
    ):
        return parts
    return [*parts, following]


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
