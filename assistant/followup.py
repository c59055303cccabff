"""Follow-up questions (« et dans les QPV ? », « qui la préside ? ») made standalone before
retrieval: by the configured generative model when there is one, otherwise by carrying the
previous question's key words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.grounding import salient_terms
from assistant.text import STOPWORDS, WORD, analyse, content_terms, fold

_STARTS_AS_FOLLOW_UP = re.compile(
    r"^\s*(?:et|mais|alors|aussi|pareil|idem|sinon|dans ce cas|et si)\b", re.IGNORECASE
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
# « il y a », « il faut » name nothing that came before.
_IMPERSONAL = re.compile(r"\bil (?:y a|faut|existe|s'agit)\b", re.IGNORECASE)
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
    if salient_terms(question):
        return False
    words = set(re.findall(r"[a-z]+", fold(_IMPERSONAL.sub(" ", question))))
    return len(content_terms(question)) <= 2 and bool(words & _PRONOUNS)


def key_words(question: str) -> list[str]:
    """The words of ``question`` that carry its subject (names, then content words)."""
    keep = list(salient_terms(question))
    for word in WORD.findall(re.sub(r"\b\w['’]", " ", question)):
        folded = fold(word)
        stems = analyse(word)
        if (
            folded in STOPWORDS
            or not stems
            or stems[0] in _QUESTION_WORDS
            or len(folded) < 3
            or word in keep
        ):
            continue
        keep.append(word)
    return keep


def carry_over(question: str, previous: str) -> str:
    """``question`` with the key words of ``previous`` that it does not already contain."""
    present = set(analyse(question))
    carried = [w for w in key_words(previous) if not set(analyse(w)) <= present]
    return f"{question} ({' '.join(carried)})" if carried else question


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
    return carry_over(question, _resolved(history))


def _resolved(history: Sequence[Turn]) -> str:
    """The last question of ``history`` made standalone by the rule, so that chains of
    follow-ups (« la CALEOL ? », « qui la préside ? », « et ses membres ? ») keep the subject."""
    resolved = history[0].question
    for turn in history[1:]:
        resolved = (
            carry_over(turn.question, resolved) if is_follow_up(turn.question) else (turn.question)
        )
    return resolved
