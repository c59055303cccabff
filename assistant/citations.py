"""Checks on a generated answer's citations: markers that point to no extract are removed, the
others renumbered in order of first appearance, and sentences that no cited extract supports
are flagged (« non sourcé »)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import analyse, content_terms

_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_SENTENCE = re.compile(r"(?<=[.!?»])\s+(?=\S)|\n+")
# Share of a sentence's words that must occur in the extracts it cites.
MIN_SUPPORT = 0.5


@dataclass
class Checked:
    text: str
    # New number → index (0-based) of the extract it cites, in order of first appearance.
    order: list[int] = field(default_factory=list)
    invalid: int = 0
    unsupported: list[str] = field(default_factory=list)


def renumber(text: str, n_extracts: int) -> Checked:
    """Drop markers outside 1…``n_extracts``; renumber the rest 1, 2, 3… as they appear."""
    order: list[int] = []
    invalid = 0

    def replace(match: re.Match) -> str:
        nonlocal invalid
        number = int(match.group(1))
        if not 1 <= number <= n_extracts:
            invalid += 1
            return ""
        if number - 1 not in order:
            order.append(number - 1)
        return f" [{order.index(number - 1) + 1}]"

    cleaned = _MARKER.sub(replace, text)
    # « [1] [1] » after renumbering reads once.
    cleaned = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", cleaned)
    return Checked(cleaned.strip(), order, invalid)


def answer_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def unsupported_sentences(text: str, cited_texts: list[str]) -> list[str]:
    """Sentences of ``text`` (already renumbered; ``cited_texts[i]`` is the text of citation
    i + 1) with no marker, or whose words are mostly absent from the extracts they cite."""
    flagged = []
    cited_terms = [set(analyse(t)) for t in cited_texts]
    for sentence in answer_sentences(text):
        words = content_terms(_MARKER.sub(" ", sentence))
        if len(words) < 3:
            continue  # a heading, a short link word: nothing to source
        numbers = [int(n) for n in _MARKER.findall(sentence)]
        support: set[str] = set()
        for n in numbers:
            if 1 <= n <= len(cited_terms):
                support |= cited_terms[n - 1]
        if not numbers or len(words & support) < MIN_SUPPORT * len(words):
            flagged.append(sentence)
    return flagged
