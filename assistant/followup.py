"""Follow-up questions (« et dans les QPV ? », « qui la préside ? ») made standalone before
retrieval: by the configured generative model when there is one, otherwise by carrying the
previous question's key words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.facts import PERSON_NAME, asked_facts
from assistant.text import (
    STOPWORDS,
    WORD,
    analyse,
    content_terms,
    fold,
    numbered,
    salient_terms,
)

_STARTS_AS_FOLLOW_UP = re.compile(
    r"^\s*(?:(?:ok|okay|d'accord|merci|super|ah|bon)\b[\s,.!]*)?"
    r"(?:et|mais|alors|aussi|pareil|idem|sinon|dans ce cas|et si|m[êe]me)\b",
    re.IGNORECASE,
)
_PRONOUNS = {
    "il",
    "elle",
    "ils",
    "elles",
    "la",
    "le",
    "les",
    "l",
    "lui",
    "leur",
    "leurs",
    "y",
    "en",
    "ca",
    "cela",
    "celui",
    "celle",
    "ceux",
    "celles",
    "son",
    "sa",
    "ses",
}
# Pronouns that are also articles (« la cotation »).
_ARTICLES = {"la", "le", "les", "l"}
# Words that point back to what was said before, wherever they are (« du coup … »,
# « … combien de représentants dedans ? », « dans quel cas ? », « il y a des exceptions ? »,
# « délai pour partir ensuite ? », « l'office peut-il l'appliquer quand même ? », « c'est
# combien finalement ? »).
_REFERS_BACK = re.compile(
    r"\bdu coup\b|\bdedans\b|\bdans (?:ce|quel) cas\b|\b(?:une|des) exceptions?\b"
    r"|\bensuite\b|\bfinalement\b|\bquand m[êe]me\b"
    r"|\b(?:cette|cet|ces) (?!formation|module|ann[ée]e)\w"
    r"|\b(?:ça|ca|cela)\s+(?:[\w']+\s+)?(?:aussi|pareil|de même)\b",
    re.IGNORECASE,
)
REFERS_BACK_TERMS = 5
# A question that opens on « il / elle » (not « il y a », « il faut »; « Séverine Hanser, elle
# … » names its subject first).
_SUBJECT_PRONOUN = re.compile(r"^\s*(?:il|elle|ils|elles)\b(?!-)", re.IGNORECASE)
# « il y a », « il faut » name nothing that came before.
_IMPERSONAL = re.compile(r"\bil (?:y a|faut|existe|s'agit)\b", re.IGNORECASE)
# Words that name what is asked, never what it is about (« quel délai ? », « à quel âge ? »).
_GENERIC = content_terms(
    "délai temps durée terme âge montant cas condition moment date période fréquence taux part "
    "prix coût mois an année jour semaine nombre combien"
)
_QUESTION_WORDS = {"quel", "quell", "comment", "combien", "pourquoi", "quand", "quoi", "qui"}


@dataclass
class Turn:
    question: str
    answer: str = ""


def turns_from(data: object) -> list[Turn]:
    """Previous turns from JSON: a list of questions, or of {"question", "answer"} objects."""
    if not isinstance(data, list):
        raise ValueError("l'historique doit être une liste JSON de tours")
    turns = []
    for item in data:
        if isinstance(item, str):
            turns.append(Turn(item))
        elif isinstance(item, dict) and isinstance(item.get("question"), str):
            turns.append(Turn(item["question"], str(item.get("answer") or "")))
        else:
            raise ValueError(f"tour d'historique illisible : {item!r}")
    return turns


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous one: it starts with « et », « mais »…, or it is
    very short and refers back with a pronoun (« qui la préside ? »)."""
    if _STARTS_AS_FOLLOW_UP.match(question):
        return True
    # A short question only: a long one that says « dans quel cas » names its own subject.
    short = len(content_terms(question)) <= REFERS_BACK_TERMS
    if short and _REFERS_BACK.search(question):
        return True
    # « elle occupe quel poste là-bas ? »: someone already named is the subject.
    if short and _SUBJECT_PRONOUN.match(question) and not _IMPERSONAL.match(question.strip()):
        return True
    if salient_terms(question):
        return False
    terms = content_terms(question)
    # « Au terme de quel délai ? », « Pour combien de temps ? »: no subject of its own.
    return len(terms) <= 2 and (_points_back(question) or terms <= _GENERIC)


def _points_back(question: str) -> bool:
    """A pronoun that stands for something said before. « la », « le », « les » are pronouns
    before their verb (« qui la préside ? », « comment la calculer ? »), articles after it
    (« à quoi sert la cotation ? »): once a content word has come, they are articles."""
    words = re.findall(r"[a-z]+", fold(_IMPERSONAL.sub(" ", question)))
    seen_content = False
    for word, after in zip(words, [*words[1:], ""], strict=True):
        # « combien de membres la composent ? »: a plural verb follows the pronoun.
        before_verb = word in ("la", "les") and after.endswith("ent")
        if word in _PRONOUNS and (before_verb or not (seen_content and word in _ARTICLES)):
            return True
        seen_content = seen_content or bool(content_terms(word))
    return False


# Numbered parts of a course carried with their number (« session 2 du jour 1 » → « jour 1 »,
# « séquence 2 »): « jour » alone would point at any day.
_NUMBERED_PARTS = {"jour": "jour", "sequenc": "séquence"}
# The words that name each part, skipped once the part is carried with its number.
_PART_NOUNS = {"jour": {"jour"}, "sequenc": {"sequenc", "session"}}


# Words that say nothing of a subject once out of their sentence: forms of « être » and
# « avoir », and the day the asker speaks from (« Hier après-midi, … c'était qui ? »).
_NOT_CARRIED = set(
    """etait etaient ete sera seront serait seraient avait avaient aura auront aurait va vont
    suis es ai as avons avez etes sommes soit soient ait hier demain aujourd hui""".split()
)


def key_words(question: str) -> list[str]:
    """The words of ``question`` that carry its subject (numbered parts, names, then content
    words)."""
    parts = {noun: values for noun, values in numbered(question).items() if noun in _NUMBERED_PARTS}
    keep = [
        f"{_NUMBERED_PARTS[noun]} {value}"
        for noun, values in sorted(parts.items())
        for value in sorted(values)
    ]
    numbered_nouns = set().union(*(_PART_NOUNS[noun] for noun in parts))
    keep += [name for name in salient_terms(question) if name not in keep]
    for word in WORD.findall(re.sub(r"\b\w['’]", " ", question)):
        folded = fold(word)
        stems = analyse(word)
        if (
            folded in STOPWORDS
            or folded in _NOT_CARRIED
            or not stems
            or stems[0] in _QUESTION_WORDS
            or stems[0] in numbered_nouns
            # « le deuxième jour »: carried as « jour 2 ».
            or (parts and folded in _ORDINALS)
            or len(folded) < 3
            or word in keep
        ):
            continue
        # A capital that only starts the sentence is no name once carried (« Hier », « Pour »).
        keep.append(word.lower() if word[:1].isupper() and not word.isupper() else word)
    return keep


def carry_over(question: str, previous: str) -> str:
    """``question`` with the key words of ``previous`` that it does not already contain."""
    present = set(analyse(question))
    # « et le jour 3 ? » after a question on « jour 2 »: the day the question names, not both.
    named = {_NUMBERED_PARTS[noun] for noun in numbered(question) if noun in _NUMBERED_PARTS}
    # « le jour d'après », « le lendemain »: the day after the previous one, by its number.
    day = None
    if "jour" not in named and (match := _VALUES["day"].search(fold(question))):
        day = _canonical("day", match, _day_number(previous))
        day = None if day and fold(day) in fold(question) else day
        named.add("jour")
    # An acronym that folds to a stop word (« PLUS ») has no analysed form: it is carried
    # unless the question writes it.
    carried = [
        w
        for w in key_words(previous)
        if w.split(" ")[0] not in named
        and ((stems := set(analyse(w))) and not stems <= present or not stems and w not in question)
    ]
    carried = ([day] if day else []) + carried
    return f"{question} ({' '.join(carried)})" if carried else question


_ORDINALS = {
    "premier": 1,
    "1er": 1,
    "deuxieme": 2,
    "2e": 2,
    "2eme": 2,
    "second": 2,
    "troisieme": 3,
    "3e": 3,
    "3eme": 3,
    "quatrieme": 4,
    "4e": 4,
}
# The values a follow-up may switch, by kind (matched on folded text).
_VALUES = {
    "day": re.compile(
        r"\b(?:jour\s+(\d{1,2})|(premier|1er|deuxieme|2e|2eme|second|troisieme|3e|3eme|"
        r"quatrieme|4e)\s+jour|(lendemain|jour (?:d'apres|suivant))|(veille|jour d'avant)"
        r"|(dernier)\s+jour)\b"
    ),
    "session": re.compile(r"\b(?:sequence|session)\s+(\d{1,2})\b"),
    "article": re.compile(
        r"\b(?:article\s+)?((?:l|r|d)\.?\s?\d{3,4}(?:-\d+)*)\b|\barticle\s+(\d+(?:-\d+)*)\b"
        r"|\b(?:le|du)\s+(\d+-\d+)\b"
    ),
    "year": re.compile(r"\b((?:19|20)\d{2})\b"),
    # The half of a day (« et l'après-midi ? » after « … le jour 3 au matin ? »).
    "half": re.compile(r"(?:\b(?:au|le|l')\s?)?\b(matin(?:ee)?|apres-midi|aprem)\b"),
}
# What an elliptical follow-up says besides the value it switches (« et pour le jour 3 ? »).
_FILLERS = set(
    """et mais alors sinon pour le la les l du de des d un une celui celle ceux celles ca cela
    meme question pareil idem a au aux en dans sur qui quoi quel quelle quels quelles heure
    ce cet cette alors donc maintenant puis ensuite""".split()
)


def _canonical(kind: str, match: re.Match, previous: str | None) -> str | None:
    groups = [g for g in match.groups() if g]
    if not groups:
        return None
    value = groups[0]
    if kind == "day":
        # The programme's last day says it is (« Le jour 3, dernier jour de la formation, … »).
        if value == "dernier":
            return "dernier jour"
        if value.startswith(("lendemain", "veille", "jour ")):
            if previous is None:
                return None
            later = value.startswith(("lendemain", "jour d'apres", "jour suivant"))
            return f"jour {previous + (1 if later else -1)}"
        return f"jour {_ORDINALS.get(value, value)}"
    if kind == "session":
        return f"séquence {value}"
    if kind == "half":
        return "au matin" if value.startswith("matin") else "l'après-midi"
    if kind == "article":
        return "article " + re.sub(r"\.?\s", "", value).upper()
    return value


def _day_number(text: str) -> int | None:
    match = _VALUES["day"].search(fold(text))
    if not match or not (match.group(1) or match.group(2)):
        return None
    value = match.group(1) or match.group(2)
    return int(_ORDINALS.get(value, value))


def switched(question: str, previous: str) -> str | None:
    """The previous question with one value replaced, when ``question`` only names a new value
    of a kind the previous one has (« Et le jour 3 ? » after « Qui anime le jour 2 ? » gives
    « Qui anime le jour 3 ? »); None otherwise."""
    folded = fold(question)
    for kind, pattern in _VALUES.items():
        match = pattern.search(folded)
        if not match:
            continue
        rest = (folded[: match.start()] + " " + folded[match.end() :]).replace("'", " ")
        if any(word not in _FILLERS for word in re.findall(r"[a-z0-9]+", rest)):
            return None
        old = pattern.search(fold(previous))
        if old is None:
            return None
        new = _canonical(kind, match, _day_number(previous))
        if new is None:
            return None
        # Folding keeps lengths here (accents are single characters in these texts), so the
        # match's offsets hold in the original.
        if len(fold(previous)) != len(previous):
            return None
        return previous[: old.start()] + new + previous[old.end() :]
    return _switched_acronym(question, previous)


_ACRONYM = re.compile(r"(?<![\w-])[A-ZÀ-Ý]{2,}(?![\w-])")


def _switched_acronym(question: str, previous: str) -> str | None:
    """« et celui du PNRU ? » after « Quel est le budget du NPNRU ? »: the acronym of the
    previous question closest in spelling to the new one is replaced."""
    names = _ACRONYM.findall(question)
    if len(names) != 1:
        return None
    rest = fold(_ACRONYM.sub(" ", question)).replace("'", " ")
    if any(word not in _FILLERS for word in re.findall(r"[a-z0-9]+", rest)):
        return None
    olds = [m for m in _ACRONYM.finditer(previous) if m.group() != names[0]]
    if not olds:
        return None
    old = max(olds, key=lambda m: (len(set(m.group()) & set(names[0])), m.start()))
    return previous[: old.start()] + names[0] + previous[old.end() :]


# « et en Île-de-France ? », « et pour une colocation ? »: a follow-up that only adds a
# complement to the previous question (a place, a public, a case), asking nothing of its own.
_COMPLEMENT = re.compile(
    r"^\s*(?:et|mais)\s+((?:a|au|aux|en|dans|pour|chez|hors|cote|du cote (?:de|du|des))\b.*?)"
    r"(?:[,\s]*(?:c'est|ca)?\s*(?:pareil|aussi|idem|la meme chose))?\s*\?*\s*$"
)
_ASKS = re.compile(
    r"\b(?:qui|quoi|quel(?:le)?s?|comment|combien|quand|ou|pourquoi|est-ce|c'est|ca|il|elle|"
    r"ils|elles|on|je|j|peut|faut|doit)\b"
)


def _complemented(question: str, previous: str) -> str | None:
    """The previous question with the follow-up's complement added (« et à Paris ? » after
    « Quel est le plafond pour une personne seule ? » gives « Quel est le plafond pour une
    personne seule à Paris ? »): the previous question keeps what it asked (« combien »,
    « quel délai »), which carried key words lose. None when the follow-up asks more."""
    folded = fold(question).replace("’", "'")
    match = _COMPLEMENT.match(folded)
    if not match or _ASKS.search(match.group(1).replace("'", "' ")):
        return None
    start, end = match.span(1)
    if len(fold(question)) != len(question):
        return None
    complement = question[start:end].strip(" ,")
    if replaced := _opposite_place(complement, previous):
        return replaced
    return f"{previous.rstrip(' ?')} {complement} ?"


_PLACE = re.compile(r"^(hors|en|a|au|aux|dans)\s+(?:de\s+(?:la\s+|l')?|du\s+|d')?(.+)$")


def _opposite_place(complement: str, previous: str) -> str | None:
    """« et en Île-de-France ? » after « … hors Île-de-France ? »: the previous question with
    its « hors Île-de-France » replaced (and the other way round), not both side by side."""
    match = _PLACE.match(fold(complement))
    if not match or len(fold(previous)) != len(previous):
        return None
    place = re.escape(match.group(2)).replace(r"\-", "[-\\s]").replace(r"\ ", "[-\\s]")
    opposite = r"(?:en|a|au|aux|dans)" if match.group(1) == "hors" else r"hors"
    old = re.search(rf"\b{opposite}\s+(?:de\s+(?:la\s+|l')?|du\s+|d')?{place}\b", fold(previous))
    if old is None:
        return None
    return previous[: old.start()] + complement + previous[old.end() :]


_PERSONAL = re.compile(r"\b(?:il|elle|ils|elles|lui|leur|leurs)\b")


def _answered_people(question: str, previous: Turn) -> list[str]:
    """The people named by the first line of the previous answer, when it answered « qui … ? »
    and the follow-up speaks of someone (« il vient d'où ? »): the question does not name
    them, the answer does."""
    if not previous.answer or "person" not in asked_facts(previous.question):
        return []
    if not _PERSONAL.search(fold(_IMPERSONAL.sub(" ", question))):
        return []
    lines = [
        line.strip()
        for line in previous.answer.splitlines()
        if line.strip() and not line.rstrip().endswith(":")
    ]
    if not lines:
        return []
    names = []
    for name in PERSON_NAME.findall(re.sub(r"\[\d+\]", " ", lines[0])):
        if name not in names and not any(fold(w) in STOPWORDS for w in name.split()):
            names.append(name)
    return names


def standalone(question: str, history: Sequence[Turn], rewrite=None) -> str:
    """The question to search for. ``rewrite(question, history)`` is the generative model's
    reformulation, tried first when given; on any failure the key words are carried over."""
    if not history or not is_follow_up(question):
        return question
    if rewrite is not None:
        try:
            rewritten = rewrite(question, history).strip().splitlines()
            if rewritten and 5 <= len(rewritten[0]) <= 300:
                return rewritten[0].strip()
        except Exception:  # noqa: BLE001 — any failure of the model falls back to the rule
            pass
    previous = _resolved(history)
    if people := _answered_people(question, history[-1]):
        previous = f"{' '.join(people)} : {previous}"
    return (
        switched(question, previous)
        or _complemented(question, previous)
        or carry_over(question, previous)
    )


def _resolved(history: Sequence[Turn]) -> str:
    """The last question of ``history`` made standalone by the rule, so that chains of
    follow-ups (« la CALEOL ? », « qui la préside ? », « et ses membres ? ») keep the subject."""
    resolved = history[0].question
    for turn in history[1:]:
        if is_follow_up(turn.question):
            resolved = (
                switched(turn.question, resolved)
                or _complemented(turn.question, resolved)
                or carry_over(turn.question, resolved)
            )
        else:
            resolved = turn.question
    return resolved
