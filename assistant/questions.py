"""What a question must be before it is searched: text without control characters, not empty,
of a reasonable length, in French. Anything else gets a short French reply saying what to do,
and nothing is searched."""

from __future__ import annotations

import re
import unicodedata

# A question is one or two sentences; a pasted page is not a question, and would make the search
# match everything a little (the chat box stops typing at this length too).
MAX_QUESTION_CHARS = 2000

EMPTY = (
    "Votre question est vide. Posez une question sur les attributions, le NPNRU ou la "
    "formation, par exemple : « Qui préside la CALEOL ? »"
)
TOO_LONG = (
    "Votre question fait {n} caractères : c'est trop long pour une recherche précise "
    "({limit} au plus). Posez-la en une ou deux phrases ; vous pourrez ensuite poser des "
    "questions de relance."
)
NO_WORD = (
    "Votre question ne contient aucun mot : seulement des suites de lettres de plus de {n} "
    "caractères. Posez une question en français, par exemple : « Qui préside la CALEOL ? »"
)
# No French word is longer (« anticonstitutionnellement » has 25 letters); a run of letters
# beyond this is a key held down or a pasted string, not a word.
LONGEST_WORD = 30
NOT_FRENCH = (
    "Je réponds en français, à partir de documents en français : posez votre question en "
    "français, par exemple : « Qui préside la CALEOL ? »"
)

# Function words that say which language a question is written in (the domain's words do not:
# « CALEOL », « NPNRU », « HLM » are in every language's question about this course).
FRENCH = set(
    "le la les l de des du d un une et est sont à au aux en dans sur pour par avec qui que qu "
    "quel quelle quels quelles quoi comment combien pourquoi où quand ce cette ces il elle ils on "
    "je j nous vous mon ma mes son sa ses leur peut doit faut pas ne y a-t-il t-il se s c est-ce "
    "après avant entre".split()
)
FOREIGN = (
    set(
        # English
        "the is are was were what who whom whose how which when where why of to in for does do did "
        "can could should would with and an this that these those there it its be been about from "
        "my your our their please tell me "
        # Spanish, Italian, Portuguese, German (without the words French shares with them)
        "el los las del y es qué quién cómo cuál cuándo dónde por para una con "
        "il chi che cosa come quale quando dove è della delle degli per "
        "o os quem como qual onde é da das dos não "
        "der die das wer wie was welche wann wo ist und nicht für mit ein eine den dem".split()
    )
    - FRENCH
)


# French function words that Spanish, Italian or Portuguese write the same way.
SHARED = {"la", "de", "en", "que", "se", "a", "il", "ne"}


def clean(question: str) -> str:
    """The question as searched: Unicode-composed, control and format characters removed, spaces
    collapsed."""
    text = unicodedata.normalize("NFC", question)
    text = "".join(
        " " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c
        for c in text
        if unicodedata.category(c) != "Cf"
    )
    return re.sub(r"\s+", " ", text).strip()


def _foreign(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    if latin < len(letters) / 2:
        # Another script (Arabic, Cyrillic, Chinese…): not a question the documents can read.
        return True
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower())
    french = sum(1 for w in words if w in FRENCH - SHARED)
    foreign = sum(1 for w in words if w in FOREIGN)
    if not french:
        return foreign >= 2 or (foreign >= 1 and len(words) >= 3)
    return foreign >= 2 and foreign > 2 * french


def _number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def problem(question: str) -> tuple[str, str] | None:
    """(reason, French reply) when ``question`` (already cleaned) cannot be searched, else
    None."""
    if not any(c.isalnum() for c in question):
        return "question vide", EMPTY
    if len(question) > MAX_QUESTION_CHARS:
        reply = TOO_LONG.format(n=_number(len(question)), limit=_number(MAX_QUESTION_CHARS))
        return "question trop longue", reply
    words = re.findall(r"[^\W\d_]+", question)
    if words and all(len(word) > LONGEST_WORD for word in words):
        return "question sans mot", NO_WORD.format(n=LONGEST_WORD)
    if _foreign(question):
        return "question dans une autre langue que le français", NOT_FRENCH
    return None
