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
    return stem[:-1] if len(stem) > 3 and stem.endswith("e") else stem


def content_terms(text: str) -> set[str]:
    """The distinct analysed terms of ``text`` (« jours » ~ « jour », « durée » ~ « dure »)."""
    return {term for term in analyse(text) if len(term) >= 3 or term.isdigit()}
