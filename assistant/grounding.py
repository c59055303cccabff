"""Is the question answerable from the passages retrieved for it?

The cosine similarity alone cannot tell « Comment fonctionne le bail réel solidaire ? » (not in
the corpus) from a paraphrased question the corpus answers: both land on related passages with
similar scores. Three checks, each with a reason a user can read:

1. the best passage is barely related to the question (cosine below ``refusal_threshold``);
2. a name the question is about — an acronym (« SMIC », « TVA »), a proper noun (« Pinel »), a
   year — appears in none of the passages, even through the glossary (« CUS » is found as
   « convention d'utilité sociale »);
3. the question has at least two pairs of neighbouring words, fewer than a third of them
   occur close together in a passage (the question's wording is matched nowhere), and the
   similarity is only moderate (below ``support_threshold``).

An article named in the question and found in the index always counts as support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.lexical import glossary
from assistant.text import ELISION, WORD, analyse

_YEAR = re.compile(r"(?:19|20)\d\d")
_SENTENCE_END = re.compile(r"[.?!:;«(]\s*$")
# Terms within this many analysed words of each other count as « close together ».
WINDOW = 3
# Below this share of the question's neighbouring word pairs found close together in the
# passages, the question's wording is « matched nowhere ».
MIN_PAIR_SHARE = 1 / 3


@dataclass
class Support:
    """What the passages cover of the question, and the verdict."""

    refused: bool
    reason: str = ""
    # Names from the question found in no passage.
    missing: list[str] = field(default_factory=list)


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
        if _YEAR.fullmatch(word):
            found.append(word)
        elif len(word) >= 2 and letters and all(ch.isupper() for ch in letters):
            found.append(word)
        elif not starts_sentence and len(word) >= 3 and word[0].isupper() and word[1:].islower():
            found.append(word)
    return list(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _glossary_stems() -> list[tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    """Each glossary entry as analysed terms: (term, [forms])."""
    entries = []
    for term, forms in glossary().items():
        stems = tuple(analyse(term))
        if stems:
            analysed = [tuple(analyse(form)) for form in forms]
            entries.append((stems, [form for form in analysed if form]))
    return entries


def augmented(sequence: list[str]) -> list[str]:
    """The analysed passage with each glossary term it contains around its long forms, and
    each long form around its term: « versée à l'aide personnalisée au logement » reads
    « vers apl aid personnalis log apl », so « APL » is close to « versée »."""
    present = set(sequence)
    inserts: dict[int, list[str]] = {}
    for term, forms in _glossary_stems():
        for found, other in [(form, [term]) for form in forms] + [(term, forms)]:
            if not set(found) <= present:
                continue
            n = len(found)
            for i in range(len(sequence) - n + 1):
                if tuple(sequence[i : i + n]) == found:
                    for alternative in other:
                        inserts.setdefault(i, []).extend(alternative)
                        inserts.setdefault(i + n, []).extend(alternative)
    if not inserts:
        return sequence
    augmented: list[str] = []
    for i, term in enumerate(sequence):
        augmented.extend(inserts.get(i, ()))
        augmented.append(term)
    augmented.extend(inserts.get(len(sequence), ()))
    return augmented


def _passage_terms(passage) -> list[str]:
    return augmented(
        analyse(" ".join(filter(None, [passage.title, passage.breadcrumb, passage.text])))
    )


def assess(
    question: str, passages: list, refusal_threshold: float, support_threshold: float
) -> Support:
    """Judge whether ``passages`` can answer ``question`` (see the module docstring)."""
    if not passages:
        return Support(True, "aucun passage indexé ne correspond à la question")
    if passages[0].exact:
        return Support(False)
    best = max(p.score for p in passages)
    if best < refusal_threshold:
        return Support(True, "la question sort du champ des documents indexés")
    sequences = [_passage_terms(p) for p in passages]
    vocabulary = {term for sequence in sequences for term in sequence}
    missing = [
        name
        for name in salient_terms(question)
        if not all(stem in vocabulary for stem in analyse(name))
    ]
    if missing:
        return Support(
            True,
            "les passages trouvés ne mentionnent pas : " + ", ".join(missing),
            missing,
        )
    words = [t for t in analyse(question) if len(t) >= 3 or t.isdigit()]
    pairs = list(zip(words, words[1:], strict=False))
    # One pair is too thin a piece of evidence to refuse on (« à qui s'adresse la formation ? »).
    if len(pairs) >= 2 and best < support_threshold:
        near = set()
        for sequence in sequences:
            for i, term in enumerate(sequence):
                for other in sequence[i + 1 : i + 1 + WINDOW]:
                    near.add((term, other))
                    near.add((other, term))
        if sum(pair in near for pair in pairs) < MIN_PAIR_SHARE * len(pairs):
            return Support(True, "aucun passage ne traite précisément de la question")
    return Support(False)
