"""Revision questions (the « Réviser » page), made from the indexed documents without a
generative model.

A question is a sentence of a passage with one fact blanked out — a duration (« dans un délai de
trois mois »), a percentage, an amount, a date, or the body that acts (« le préfet peut… ») —
and four choices: the blanked fact and three distractors of the same kind taken from other
sentences of the corpus (nearest values first: « 3 mois » against « 2 mois », « 6 mois »…).
Each question is checked before it is kept:

- the blanked fact occurs in the cited passage, as written;
- every distractor differs from the answer and from the others, and no fact of the passage
  says it (« 6 mois » is no distractor for a passage that also says « six mois »).

The questions follow the programme: each session's topics are searched as the course map
searches them (the programme itself left out), and the questions come from the passages found.
Without a programme, from each document. Everything is deterministic (no randomness but a hash
of the sentence): the same index gives the same questions, computed once per index revision
(``reviser.json``).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import asdict, dataclass, field

from assistant.config import Settings
from assistant.retrieval import Passage
from assistant.text import fold, mentions, sentences

QUIZ_FILE = "reviser.json"
QUIZ_VERSION = 1  # raised when the questions or their generation change
# Questions kept per session of the programme or per document (a long document, one per
# ``PASSAGES_PER_QUESTION`` passages, up to ``MAX_PER_GROUP``), and passages searched per
# topic to find them.
PER_GROUP = 15
MAX_PER_GROUP = 30
PASSAGES_PER_QUESTION = 20
SEARCHED = 20
DISTRACTORS = 3
# Questions drawn from one passage, at most (one per round, while the group has room).
ROUNDS = 3
# A sentence long enough to be understood alone, short enough to be read as a question.
MIN_WORDS, MAX_WORDS = 8, 60
MIN_WORDS_LEFT = 6

_WORD_NUMBERS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "dix-huit": 18,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "soixante": 60,
}
_NUMBER = r"\d+|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_UNITS = {
    "jour": "jours",
    "jours": "jours",
    "semaine": "semaines",
    "semaines": "semaines",
    "mois": "mois",
    "an": "ans",
    "ans": "ans",
    "annee": "ans",
    "annees": "ans",
    "heure": "heures",
    "heures": "heures",
}
_SINGULAR = {"jours": "jour", "semaines": "semaine", "mois": "mois", "ans": "an", "heures": "heure"}
DURATION = re.compile(
    rf"(?<![\w-])(?P<n>{_NUMBER})\s+(?P<u>jours?|semaines?|mois|ans?|années?|heures?)"
    r"(?P<q> (?:ouvrés|calendaires|francs))?(?![\w-])",
    re.IGNORECASE,
)
PERCENT = re.compile(r"(?<![\w,.])(?P<n>\d{1,3}(?:[,.]\d+)?)\s?(?:%|pour ?cent\b)")
AMOUNT = re.compile(
    r"(?<![\w,.])(?P<n>\d{1,3}(?:[ \u00a0\u202f.]\d{3})*(?:,\d+)?)\s?(?:€|euros?\b)"
)
# A number of things (« trois offres de relogement », « 12 membres »): a number, then a plural
# noun that is no unit already counted above.
COUNT = re.compile(
    r"(?<![\w,.°-])(?<!\d[ \u00a0\u202f])(?P<n>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{1,4}|"
    + "|".join(w for w in _WORD_NUMBERS if w not in ("un", "une"))
    + ")"
    r"\s+(?P<noun>[a-zà-ÿ]{3,}s)(?![\w-])",
    re.IGNORECASE,
)
_NOT_COUNTED = {
    "jours",
    "semaines",
    "mois",
    "ans",
    "annees",
    "heures",
    "euros",
    "fois",
    "ainsi",
    "alors",
    "sans",
    "dans",
    "sous",
    "selon",
    "vers",
    "chez",
    "plus",
    "moins",
    "tous",
    "toutes",
    "puis",
    "depuis",
    "pendant",
    "apres",
    "avant",
    "des",
    "les",
    "aux",
    "ses",
    "leurs",
    "nos",
    "vos",
    # Parts of a number or of a text's numbering (« 2 tiers », « 3 premiers », « 1378 bis »).
    "tiers",
    "quarts",
    "premiers",
    "premieres",
    "derniers",
    "dernieres",
    "bis",
    "ter",
    "quater",
    "sexies",
    "septies",
    "octies",
    "alineas",
    "mars",
}
_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
DATE = re.compile(
    rf"(?<![\w-])(?P<d>\d{{1,2}})(?:er)? (?P<m>{'|'.join(_MONTHS)}) (?P<y>(?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
# A date that numbers a text (« loi n° 2014-173 du 21 février 2014 », « Modifié par Décret
# du … ») is the text's name, not a fact to learn.
_TEXT_DATE = re.compile(
    r"(?:n°\s?[\d-]+|\b(?:loi|décret|arrêté|ordonnance|circulaire|délibération))\s+(?:\w+\s+){0,2}du\s*$",
    re.IGNORECASE,
)

# The bodies that act in attribution and renewal texts, as a sentence names them with its
# article. The first form is the one shown; a passage naming any form names the body.
BODIES: dict[str, list[str]] = {
    "le préfet": [
        "le préfet",
        "le représentant de l'État dans le département",
        "le représentant de l'État",
    ],
    "le maire": ["le maire"],
    "le président de l'EPCI": [
        "le président de l'établissement public de coopération intercommunale",
        "le président de l'EPCI",
    ],
    "la conférence intercommunale du logement": [
        "la conférence intercommunale du logement",
        "la CIL",
    ],
    "la commission d'attribution": [
        "la commission d'attribution des logements et d'examen de l'occupation des logements",
        "la commission d'attribution",
        "la CALEOL",
        "la CAL",
    ],
    "la commission de médiation": ["la commission de médiation"],
    "le bailleur": ["le bailleur", "l'organisme d'habitations à loyer modéré"],
    "le locataire": ["le locataire"],
    "le demandeur": ["le demandeur"],
    "l'ANRU": ["l'Agence nationale pour la rénovation urbaine", "l'ANRU"],
    "le conseil départemental": ["le conseil départemental", "le département"],
    "le comité responsable du PDALHPD": ["le comité responsable du plan"],
}
# Not among them: « l'État » (the préfet acts for it), « la commune » (its maire does): either
# would be a right answer offered as a wrong one.
# A body that acts: its name followed by what it does.
_ACTS = (
    r"(?:\s+(?:ne\s+)?(?:peut|peuvent|doit|doivent|est chargée?|sont chargés|fixe|désigne|définit"
    r"|attribue|arrête|approuve|préside|saisit|propose|signe|procède|examine|élabore|réunit"
    r"|veille|informe|transmet|notifie|statue|délivre|assure|adopte|décide|transmet|prend"
    r"|établit|rend|recueille|reçoit|présente|adresse|consulte|valide|engage|met en œuvre))\b"
)
_ACCENTS = {"e": "eéèêë", "a": "aàâ", "i": "iîï", "o": "oôö", "u": "uùûü", "c": "cç"}


def _tolerant(form: str) -> str:
    """A pattern for ``form`` whatever its accents and apostrophes (« l'Etat », « l’État »)."""
    pattern = ""
    for ch in fold(form):
        if ch in _ACCENTS:
            pattern += f"[{_ACCENTS[ch]}]"
        elif ch == "'":
            pattern += "['’]"
        elif ch == " ":
            pattern += r"\s+"
        else:
            pattern += re.escape(ch)
    return pattern


_BODY_PATTERNS = [
    (
        key,
        form,
        re.compile(rf"(?<![\w'’-]){_tolerant(form)}(?![\w-])(?={_ACTS})", re.IGNORECASE),
    )
    for key, forms in BODIES.items()
    for form in sorted(forms, key=len, reverse=True)
]
_METADATA_LINE = re.compile(
    r"^(?:modifié par|créé par|création|version|cité par|abrogé|transféré|source|legifrance)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fact:
    """A fact of a sentence: its kind, where it is, its text as written, and what identifies
    its value (« trois mois » and « 3 mois » have the same)."""

    kind: str
    start: int
    end: int
    text: str
    key: str
    label: str
    magnitude: float = 0.0


def _number(text: str) -> float:
    folded = fold(text)
    if folded in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[folded])
    return float(re.sub(r"[ \u00a0\u202f.]", "", text).replace(",", "."))


def _french(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:.2f}".rstrip("0").replace(".", ",")


# Each finder reads one match of its pattern in ``sentence``: (key, label, magnitude) of the
# fact, or None when the match is no fact to learn.
Value = tuple[str, str, float] | None


def _duration(m: re.Match, sentence: str) -> Value:
    # « au début d'une année civile », « un jour » (some day): no duration.
    if re.match(r"\s*civile", sentence[m.end() :]) or fold(m.group(0)) == "un jour":
        return None
    value = _number(m.group("n"))
    unit = _UNITS[fold(m.group("u"))]
    qualifier = f" {m.group('q').strip().lower()}" if m.group("q") else ""
    shown = (_SINGULAR[unit] if value == 1 else unit) + qualifier
    # Durations compare in days: « 6 mois » is nearer to « 1 an » than to « 3 jours ».
    days = {"heures": 1 / 24, "jours": 1, "semaines": 7, "mois": 30, "ans": 365}[unit]
    return f"{_french(value)} {unit}{qualifier}", f"{_french(value)} {shown}", value * days


def _percent(m: re.Match, sentence: str) -> Value:
    # « le 1 % logement » is a name, not a share.
    if re.match(r"\s*logement", sentence[m.end() :]):
        return None
    value = _number(m.group("n"))
    return _french(value), f"{_french(value)} %", value


def _amount(m: re.Match, sentence: str) -> Value:
    value = _number(m.group("n"))
    return _french(value), f"{_french(value)} €", value


def _count(m: re.Match, sentence: str) -> Value:
    noun = m.group("noun").lower()
    before = sentence[: m.start()]
    if (
        fold(noun) in _NOT_COUNTED
        or fold(noun).endswith("iemes")
        or re.search(r"\barticles?\s*$", before, re.I)
        # « ces deux montants », « les deux logements »: things already named, counted
        # again; the question would answer itself.
        or re.search(r"\b(?:les|ces|des|leurs|ses|nos|vos)\s*$", before, re.I)
    ):
        return None
    value = _number(m.group("n"))
    return f"{_french(value)} {noun}", f"{_french(value)} {noun}", value


def _date(m: re.Match, sentence: str) -> Value:
    if _TEXT_DATE.search(sentence[: m.start()]):
        return None
    month = [fold(x) for x in _MONTHS].index(fold(m.group("m"))) + 1
    day, year = int(m.group("d")), int(m.group("y"))
    label = f"{'1er' if day == 1 else day} {_MONTHS[month - 1]} {year}"
    return f"{year:04d}-{month:02d}-{day:02d}", label, year * 372 + month * 31 + day


FINDERS = (
    ("durée", DURATION, _duration),
    ("pourcentage", PERCENT, _percent),
    ("montant", AMOUNT, _amount),
    ("nombre", COUNT, _count),
    ("date", DATE, _date),
)


def facts(sentence: str) -> list[Fact]:
    """The durations, percentages, amounts, numbers of things, dates and acting bodies of
    ``sentence``, in their order."""
    found: list[Fact] = []
    for kind, pattern, read in FINDERS:
        for m in pattern.finditer(sentence):
            if value := read(m, sentence):
                found.append(Fact(kind, m.start(), m.end(), m.group(0), *value))
    taken: list[tuple[int, int]] = []
    for key, _form, pattern in _BODY_PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            # « le délégué territorial de l'ANRU peut… »: the body that acts is another.
            if re.search(r"\b(?:de|du|des|à|au|aux|par|pour)\s*$", sentence[: m.start()], re.I):
                continue
            taken.append((m.start(), m.end()))
            found.append(Fact("organisme", m.start(), m.end(), m.group(0), key, key))
    return sorted(found, key=lambda f: f.start)


def names_body(key: str, text: str) -> bool:
    """Whether ``text`` names the body ``key`` in any of its forms (article left out)."""
    return mentions([re.sub(r"^(?:le|la|les|l')\s*", "", fold(form)) for form in BODIES[key]], text)


def stated(fact: Fact, text: str) -> bool:
    """Whether ``text`` states ``fact`` in any form: a body by any of its names, a figure as
    a fact of the same kind and value (« six mois » for « 6 mois ») or as written, even inside
    another (« 8 mois » in « 18 mois »: a choice a reader could take for a quote)."""
    if fact.kind == "organisme":
        return names_body(fact.key, text)
    if fact.label in text or (fact.text and fact.text in text):
        return True
    return any(f.kind == fact.kind and f.key == fact.key for s in sentences(text) for f in facts(s))


@dataclass
class Question:
    id: str
    group: str
    kind: str
    cloze: str
    sentence: str
    answer: str
    answer_label: str
    options: list[str]
    source: dict = field(default_factory=dict)


# « Elle est établie pour une durée de … »: a pronoun whose noun is in another sentence. A
# sentence ending with « : » (« À titre d'exemple, pour un SLS dû à partir du … : ») is no
# better: it introduces what follows.
_PRONOUN_START = re.compile(r"^(?:il|elle|ils|elles|celui-ci|celle-ci|ceux-ci|celles-ci)\b", re.I)


def _usable(sentence: str) -> bool:
    words = sentence.split()
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and not sentence.rstrip().endswith(("?", ":"))
        # A table row read as text: which column the blank is in cannot be told.
        and "|" not in sentence
        and not sentence.isupper()
        and not _METADATA_LINE.match(sentence)
        and not _PRONOUN_START.match(sentence)
        # « pendant un délai de …, s'il a été suspendu… »: a list item cut from the sentence
        # that says whom it is about.
        and not sentence[:1].islower()
    )


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _cloze(sentence: str, fact: Fact) -> str:
    """``sentence`` with ``fact`` blanked; an elision before it (« d'un mois », « l'ANRU »)
    is written in full, so that it does not tell the answer's first letter."""
    before, after = sentence[: fact.start], sentence[fact.end :]
    if fact.kind == "nombre":
        # Only the number is blanked: « … commissaires du Gouvernement ».
        number = COUNT.match(fact.text)
        after = sentence[fact.start + number.end("n") : fact.end] + after
    elided = re.search(r"(?<![\w])([dl])['’]$", before, re.IGNORECASE)
    if elided:
        before = before[: elided.start()] + ("de " if elided.group(1).lower() == "d" else "")
        if fact.kind == "organisme" and not before.strip():
            before = ""
    return f"{before}…{after}"


def candidates(passage: Passage) -> list[tuple[str, Fact]]:
    """(sentence, fact) pairs of ``passage`` that can make a question: a usable sentence, a
    fact that occurs once in it, enough words left once it is blanked."""
    found = []
    for sentence in sentences(passage.text):
        if not _usable(sentence):
            continue
        in_sentence = facts(sentence)
        for fact in in_sentence:
            if sum(f.key == fact.key and f.kind == fact.kind for f in in_sentence) > 1:
                continue
            cloze = _cloze(sentence, fact)
            if len(cloze.split()) - 1 < MIN_WORDS_LEFT:
                continue
            # « Prêt locatif à usage social (PLUS) : … »: a label and its value, out of the
            # table or list that said what it applies to; « … par an pour tout autre
            # profil »: a list item's figure, without the sentence that says what it is.
            if re.search(r":\s*…\s*[.;]?$", cloze) or (
                fact.start == 0 and fact.kind != "organisme"
            ):
                continue
            found.append((sentence, fact))
    return found


def _distractors(fact: Fact, pool: dict[str, dict[str, Fact]], passage_text: str, seed: str):
    """Three other facts of the same kind, none stated by the passage: the nearest values
    (durations, percentages, amounts, dates, numbers of the same thing: the other numbers of
    the corpus, of what the question counts), or bodies in an order drawn from ``seed``."""
    others = [f for key, f in pool.get(fact.kind, {}).items() if key != fact.key]
    if fact.kind == "nombre":
        noun = fact.key.split(" ", 1)[1]
        values = {f.magnitude for f in others if f.magnitude != fact.magnitude}
        others = [
            Fact("nombre", 0, 0, "", f"{_french(v)} {noun}", f"{_french(v)} {noun}", v)
            for v in values
        ]
    if fact.kind == "organisme":
        others.sort(key=lambda f: _digest(seed, f.key))
    else:

        def distance(f: Fact) -> tuple[float, str]:
            a, b = max(fact.magnitude, 1e-9), max(f.magnitude, 1e-9)
            return (abs(math.log(a / b)), f.key)

        others.sort(key=distance)
    chosen: list[Fact] = []
    for other in others:
        if stated(other, passage_text):
            continue
        # « 30 jours » is no wrong answer when « 1 mois » is right, nor a second « 1 mois ».
        if any(_same_value(other, c) for c in [fact, *chosen]):
            continue
        chosen.append(other)
        if len(chosen) == DISTRACTORS:
            return chosen
    return None


def _same_value(a: Fact, b: Fact) -> bool:
    if a.label == b.label:
        return True
    if a.kind != "durée":
        return a.key == b.key or (a.kind != "organisme" and a.magnitude == b.magnitude)
    # « 12 semaines » and « 3 mois », « 30 jours » and « 1 mois »: nearly the same time.
    low, high = sorted((a.magnitude, b.magnitude))
    return high == 0 or low / high > 0.9


def quota(passages: int) -> int:
    """How many questions a group of ``passages`` passages gets."""
    return min(MAX_PER_GROUP, max(PER_GROUP, passages // PASSAGES_PER_QUESTION))


def make_questions(groups: list[tuple[str, list[Passage]]]) -> list[dict]:
    """Questions for each (group, passages), the passages in the order given: one per passage,
    the kinds least asked so far first, each sentence used once overall, at most
    ``quota(len(passages))`` per group."""
    pool: dict[str, dict[str, Fact]] = {}
    found: list[tuple[str, Passage, list[tuple[str, Fact]]]] = []
    for group, passages in groups:
        for passage in passages:
            pairs = candidates(passage)
            found.append((group, passage, pairs))
            for _sentence, fact in pairs:
                pool.setdefault(fact.kind, {}).setdefault(fact.key, fact)
    questions: list[dict] = []
    used: set[str] = set()
    by_group: dict[str, list[tuple[Passage, list[tuple[str, Fact]]]]] = {}
    for group, passage, pairs in found:
        by_group.setdefault(group, []).append((passage, pairs))
    for group, passages in groups:
        per_group = quota(len(passages))
        made: list[Question] = []
        kinds_made: dict[str, int] = {}
        # Each passage's candidates in turn, the kinds least asked so far first; a second
        # round takes another sentence of the same passages when the first left room.
        for _round in range(ROUNDS):
            for passage, pairs in by_group.get(group, []):
                if len(made) >= per_group:
                    break
                pairs = sorted(pairs, key=lambda p: kinds_made.get(p[1].kind, 0))  # stable
                for sentence, fact in pairs:
                    if fold(sentence) in used:
                        continue
                    question = _question(group, passage, sentence, fact, pool)
                    if question:
                        made.append(question)
                        used.add(fold(sentence))
                        kinds_made[fact.kind] = kinds_made.get(fact.kind, 0) + 1
                        break  # one question per passage and round
        questions.extend(asdict(q) for q in made)
    return questions


def _question(group: str, passage: Passage, sentence: str, fact: Fact, pool) -> Question | None:
    seed = _digest(passage.chunk_id, sentence, fact.key)
    wrong = _distractors(fact, pool, passage.text, seed)
    if not wrong:
        return None
    labels = [fact.label] + [w.label for w in wrong]
    labels.sort(key=lambda label: _digest(seed, label))
    return Question(
        id=seed,
        group=group,
        kind=fact.kind,
        cloze=_cloze(sentence, fact),
        sentence=sentence,
        answer=fact.text,
        answer_label=fact.label,
        options=labels,
        source=passage.source(),
    )


def _key(kind: str, label: str) -> str:
    """The value a choice's label shows (« 1 mois » → « 1 mois », « 10 % » → « 10 »)."""
    if kind == "organisme":
        return label
    return next((f.key for f in facts(label) if f.kind == kind), label)


def check(question: dict, passage_text: str) -> list[str]:
    """What is wrong with ``question`` given the text of its cited passage: [] when the answer
    occurs there as written and the distractors are distinct and stated nowhere in it."""
    problems = []
    if question["answer"] not in passage_text or question["sentence"] not in passage_text:
        problems.append("la réponse n'est pas dans le passage cité")
    if question["answer_label"] not in question["options"]:
        problems.append("la bonne réponse n'est pas parmi les choix")
    wrong = [o for o in question["options"] if o != question["answer_label"]]
    if len(wrong) != DISTRACTORS or len(set(question["options"])) != len(question["options"]):
        problems.append("les choix ne sont pas distincts")
    for option in wrong:
        if stated(
            Fact(question["kind"], 0, 0, "", _key(question["kind"], option), option), passage_text
        ):
            problems.append(f"le passage dit aussi « {option} »")
    return problems


def check_all(settings: Settings, questions: list[dict]) -> list[dict]:
    """Each question checked against the text of its cited passages as the index holds them
    (not as the generator saw them): the questions in default, with their problems."""
    from assistant.store import get_collection

    collection = get_collection(settings.pinned())
    failed = []
    for question in questions:
        ids = question["source"]["chunk_ids"]
        got = collection.get(ids=ids, include=["documents"])
        texts = dict(zip(got["ids"], got["documents"], strict=True))
        text = "\n\n".join(texts.get(chunk_id) or "" for chunk_id in ids)
        problems = check(question, text)
        if problems:
            failed.append({**question, "problems": problems})
    return failed


def _session_groups(settings: Settings) -> list[tuple[str, list[Passage]]]:
    """(session, passages) for each session of each indexed programme: the passages its
    topics find, the programme itself left out."""
    from assistant.course_map import _programmes
    from assistant.retrieval import search

    groups: list[tuple[str, list[Passage]]] = []
    for doc_id, _title, topics in _programmes(settings):
        sessions: dict[str, list[Passage]] = {}
        seen: set[str] = set()
        for topic in topics:
            name = (
                f"Jour {topic.day} — séquence {topic.session} : {topic.session_title}"
                if topic.day
                else f"Séquence {topic.session} : {topic.session_title}"
            )
            found = sessions.setdefault(name, [])
            for passage in search(settings, topic.query, SEARCHED):
                if passage.doc_id != doc_id and passage.chunk_id not in seen:
                    seen.add(passage.chunk_id)
                    found.append(passage)
        groups.extend(sessions.items())
    return groups


def _document_groups(settings: Settings) -> list[tuple[str, list[Passage]]]:
    from assistant.retrieval import _passage
    from assistant.store import get_collection

    collection = get_collection(settings.pinned())
    records = collection.get(include=["documents", "metadatas"])
    documents: dict[str, list[Passage]] = {}
    for chunk_id, text, meta in zip(
        records["ids"], records["documents"], records["metadatas"], strict=True
    ):
        if text is None or meta is None or meta.get("kind") == "cours":
            continue
        documents.setdefault(meta.get("title", meta["doc_id"]), []).append(
            _passage(0, chunk_id, text, meta, 0.0)
        )
    # Each document's passages in an order drawn from their ids: questions from all over a
    # long code, not only its first articles; the same for the same index.
    return [
        (title, sorted(passages, key=lambda p: _digest(p.chunk_id)))
        for title, passages in sorted(documents.items())
    ]


def revision_questions(settings: Settings) -> dict:
    """Questions for each session of the programme (``"sessions"``), then for each other
    document (``"documents"``): the groups listed are those that have questions."""
    sessions, documents = _session_groups(settings), _document_groups(settings)
    questions = make_questions(sessions + documents)
    having = {q["group"] for q in questions}
    return {
        "questions": questions,
        "sessions": [name for name, _ in sessions if name in having],
        "documents": [name for name, _ in documents if name in having],
    }


def cached_questions(settings: Settings) -> dict:
    """The revision questions of the index as it is now, computed once per index revision."""
    from assistant.course_map import cached

    return cached(settings, QUIZ_FILE, revision_questions, QUIZ_VERSION)
