"""Small French text helpers shared by the answer composer (and later the lexical index)."""

from __future__ import annotations

import re
import unicodedata

import Stemmer

STOPWORDS = frozenset(
    """a au aux avec ce ces cette dans de des du elle en est et eux il ils je la le les leur
    lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui quoi quel
    quelle quels quelles sa se ses son sur ta te tes toi ton tu un une vos votre vous y c d j l
    m n s t etre avoir fait faire comment combien pourquoi quand est-ce estce sont ont peut
    doit dois faut cela ca lors tout tous toute toutes plus moins tres bien aussi t elles""".split()
)
# A word, hyphenated compounds whole (« L442-5 », « peut-être »).
WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# « l' », « d' », « qu' »… before a word.
ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_STEMMER = Stemmer.Stemmer("french")
# Number words written as digits (shared with the answer scoring of the evaluation).
CARDINALS = {
    "deux": "2",
    "trois": "3",
    "quatre": "4",
    "cinq": "5",
    "six": "6",
    "sept": "7",
    "huit": "8",
    "neuf": "9",
    "dix": "10",
}
_NUMBER_WORDS = {
    **CARDINALS,
    "premier": "1",
    "premiere": "1",
    "deuxieme": "2",
    "second": "2",
    "seconde": "2",
    "troisieme": "3",
    "quatrieme": "4",
}


def fold(text: str) -> str:
    """Lowercase without accents, apostrophes unified."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


def mentions(names: list[str], text: str) -> bool:
    """Whether ``text`` names any of ``names`` (accents and case ignored, whole words)."""
    folded = fold(text)
    return any(re.search(rf"(?<![\w-]){re.escape(fold(name))}(?![\w-])", folded) for name in names)


def analyse(text: str) -> list[str]:
    """French analysis for lexical search: elisions removed, lowercase, accents folded,
    Snowball stems, stop words dropped, number words as digits; repeats kept (term frequency
    matters to BM25)."""
    lowered = ELISION.sub(" ", text.lower())
    terms = []
    words = []
    for word in WORD.findall(lowered):
        # « L442-5 », « 9-2 » stay whole; « appliquent-ils », « peut-être » are split.
        words.extend([word] if any(ch.isdigit() for ch in word) else word.split("-"))
    for word in words:
        folded = fold(word)
        folded = _NUMBER_WORDS.get(folded, folded)
        if folded in STOPWORDS or (len(folded) < 2 and not folded.isdigit()):
            continue
        terms.append(folded if any(ch.isdigit() for ch in folded) else _stem(folded))
    return terms


def _stem(folded: str) -> str:
    """Snowball stem of the accent-free word, a final « e » dropped: « durée », « duree » and
    « dure » all give « dur », whether or not the trainee typed the accents."""
    stem = _STEMMER.stemWord(folded)
    stem = stem[:-1] if len(stem) > 3 and stem.endswith("e") else stem
    # Two families Snowball leaves apart: a verb's plural (« animent », « témoignent ») and a
    # noun in « -age » (« témoignage », « voisinage »), read as their verb (« anim »,
    # « témoign », « voisin »).
    if stem == folded and folded.endswith("ent") and len(folded) >= 7:
        stem = folded[:-3]
    elif stem.endswith("ag") and len(stem) >= 7:
        stem = stem[:-2]
    return stem


def content_terms(text: str) -> set[str]:
    """The distinct analysed terms of ``text`` (« jours » ~ « jour », « durée » ~ « dure »)."""
    return {term for term in analyse(text) if len(term) >= 3 or term.isdigit()}


_YEAR = re.compile(r"(?:19|20)\d\d")
_SENTENCE_END = re.compile(r"[.?!:;«(]\s*$")
# A capitalised name: « Lyon », a compound « Haute-Garonne », « Île-de-France », or one written
# in one piece with inner capitals « MaPrimeRénov ».
_NAME = re.compile(r"[A-ZÀ-Ý][a-zà-ÿ]+(?:[A-ZÀ-Ý][a-zà-ÿ]+)*(?:-[A-Za-zÀ-ÿ][a-zà-ÿ]*)*")


# Words written like names that only describe the asker's case: civilities (« Mme K. ») and
# flat sizes (« un T3 », « un F4 »).
_CASE_WORDS = re.compile(r"(?:Mme|Mmes|Mlle|Madame|Monsieur|Mr|[TF]\d)")


def salient_terms(question: str) -> list[str]:
    """The names a question is about: acronyms, capitalised words that do not start a
    sentence, years. « Quel est le montant du SMIC horaire en 2024 ? » → [SMIC, 2024]."""
    text = ELISION.sub(" ", question)
    found = []
    for match in WORD.finditer(text):
        word = match.group()
        starts_sentence = not text[: match.start()].strip() or _SENTENCE_END.search(
            text[: match.start()]
        )
        letters = [ch for ch in word if ch.isalpha()]
        if _CASE_WORDS.fullmatch(word):
            continue
        if _YEAR.fullmatch(word):
            found.append(word)
        elif len(word) >= 2 and letters and all(ch.isupper() for ch in letters):
            found.append(word)
        elif not starts_sentence and len(word) >= 3 and _NAME.fullmatch(word):
            found.append(word)
    return list(dict.fromkeys(found))


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
            # « Enseignants principaux », « Durée »: a form label on its own line starts a
            # new unit, even after a long unpunctuated one (PDF text loses blank lines).
            label_line = (
                len(line.split()) <= 3
                and line[:1].isupper()
                and not re.search(r"[.!?:;,)]$", line)
                and not _is_caps_line(line)
            )
            continues = (
                current
                and not starts_item
                and (
                    line[:1].islower()
                    or (
                        not re.search(r"[.!?:;)]$", current)
                        and len(current) > 40
                        and not label_line
                    )
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
        split.extend(_split_sentences(unit))
    return [s.lstrip("•-*– ").strip() for s in split if len(s.strip("•-*– ")) > 2]


# Abbreviations whose period ends no sentence (« Cf. Géo », « M. Dupont », « art. 9 »).
_ABBREVIATION = re.compile(r"(?:^|\s|\()(?:cf|M|Mme|Mlle|Dr|art|al|av|bd|n°|p|pp|etc)\.$", re.I)


def _split_sentences(unit: str) -> list[str]:
    pieces: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«])", unit):
        if pieces and _ABBREVIATION.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return [piece.strip() for piece in pieces if piece.strip()]


def _is_caps_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


# Nouns that number the parts of a course or a text. A programme's « session » is its
# « séquence ».
_NUMBERED = {
    "jour": "jour",
    "journ": "jour",
    "sequenc": "sequenc",
    "session": "sequenc",
    "articl": "articl",
    "part": "part",
    "pag": "pag",
    "an": "an",
}
# « 3e », « 1er », « 2ème », « deuxième »: ordinals, which may come before their noun.
# « le module 9.5 », « le 9.5 » is the course's own number, no part of it (« la 3.2 »).
_PART = re.compile(r"(?<![\d.,])(?<![Mm]odule )(?<!\b[Ll]e )\d\.\d(?!\d|[.,]\d)")
_ORDINAL = re.compile(r"^(\d{1,2})(?:e|er|ere|eme|em|nd|nde)$")
_ORDINAL_WORDS = {
    **{word: digit for word, digit in _NUMBER_WORDS.items() if word not in CARDINALS},
    "cinquieme": "5",
    "sixieme": "6",
    "septieme": "7",
}


def numbered(text: str) -> dict[str, set[str]]:
    """The numbered things of ``text``: « jour 3 », « 3e jour », « deuxième jour »,
    « séquence 5 », « session 5 » → {"jour": {"3"}, "sequenc": {"5"}}. A number after its noun
    numbers it; before it, only an ordinal does (« 3 jours » is a duration)."""
    words = WORD.findall(fold(ELISION.sub(" ", text)))
    found: dict[str, set[str]] = {}
    # A part of a session (« la 2.2 », « partie 3.1 »): its number alone.
    for match in _PART.finditer(text):
        found.setdefault("partie", set()).add(match.group())
    for a, b in zip(words, words[1:], strict=False):
        noun = _NUMBERED.get(_stem(a))
        if noun and b.isdigit():
            found.setdefault(noun, set()).add(b)
        noun = _NUMBERED.get(_stem(b))
        ordinal = _ORDINAL.match(a)
        value = ordinal.group(1) if ordinal else _ORDINAL_WORDS.get(a)
        if noun and value:
            found.setdefault(noun, set()).add(value)
    return found


# A question's sentences: « Je prépare un article sur le renouvellement urbain. Dans cette
# formation, qui intervient au nom de l'ANRU ? » is context, then the ask.
_QUESTION_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"]?[A-ZÀ-Ý])")


def asked_sentences(question: str) -> str | None:
    """The part of ``question`` that asks, from its first sentence ending with « ? » to its
    end, when sentences of context come before it; None otherwise."""
    parts = _QUESTION_SENTENCE.split(question.strip())
    for index, part in enumerate(parts):
        if part.rstrip().endswith("?"):
            return " ".join(parts[index:]) if index else None
    return None


# A code article named in a text: « L. 441-1 », « R441-9 », « l'article L442-3-3 »; not a law
# by its number (« L. 2003-710 », « D. 2014-767 »: a year, then the text's number).
CODE_REFERENCE = re.compile(
    r"\b(LO|L|R|D)\s?\.?\s?\*?\s?(?!(?:19|20)\d\d\s?-\s?\d{2,4}\b)(\d{3,4}(?:\s?-\s?\d+)*)\b"
)


def code_articles(text: str) -> list[str]:
    """The code articles ``text`` names, as indexed (« L. 441-1 » → « L441-1 »)."""
    return list(
        dict.fromkeys(
            prefix + re.sub(r"\s", "", number) for prefix, number in CODE_REFERENCE.findall(text)
        )
    )
