"""The glossary page's entries: every term of ``assistant/data/glossaire.toml`` with its long
form and the passage of the corpus that best defines it, cited with its date, or a plain
« no defining passage » when the documents do not define it.

Each term is searched as a trainee would ask it (« Qu'est-ce que « CALEOL » (commission
d'attribution…) ? »); its definition is a sentence of the best passages that names the term or
one of its long forms, a defining verb preferred (« est », « désigne », « dénommé »…). A term
no sentence names has no definition: the page says so rather than show a passage about
something else. Computed once per index revision (``glossaire.json``).
"""

from __future__ import annotations

import re

from assistant.config import Settings
from assistant.course_map import cached
from assistant.extractive import focus
from assistant.lexical import glossary
from assistant.retrieval import Passage, search
from assistant.text import content_terms, fold, mentions, sentences

GLOSSARY_FILE = "glossaire.json"
GLOSSARY_VERSION = 2  # raised when the entries or their computation change
# Passages searched for a defining sentence, and the weight of a defining verb.
SEARCHED = 8
DEFINING_BONUS = 0.1
DEFINITION_CHARS = 320


def definition_question(term: str, forms: list[str]) -> str:
    long = forms[0] if forms else ""
    return f"Qu'est-ce que « {term} »" + (f" ({long})" if long and long != term else "") + " ?"


_DEFINING = re.compile(
    r"\b(?:est|sont|désigne|désignent|constitue|dénommée?|appelée?s?|signifie|définition)\b",
    re.IGNORECASE,
)


def best_definition(term: str, forms: list[str], passages: list[Passage]):
    """(sentence, passage) of the sentence that best defines ``term`` in ``passages``: one that
    names the term or a long form, from the best-ranked passage, a defining verb (« est »,
    « désigne », « dénommé »…) preferred; None when no sentence names it."""
    from assistant.extractive import _candidates, _is_heading, _joined

    names = [term, *forms]
    best, best_score = None, float("-inf")
    for rank, passage in enumerate(passages):
        title = fold(passage.title)
        # A title line goes with what follows it (« Définition : Bailleur social » — « … »).
        for position, parts in _candidates(sentences(passage.text)):
            sentence = _joined(parts)
            # A heading, a question or the document's title defines nothing.
            if (
                len(sentence.split()) < 4
                or sentence.rstrip().endswith("?")
                or fold(parts[0]).strip(" .") in title
                or sentence.isupper()
                or not mentions(names, sentence)
            ):
                continue
            # The part that names the term (a title with what follows it), not a whole list.
            at = next((i for i, part in enumerate(parts) if mentions(names, part)), None)
            if at is not None:
                if parts[at].rstrip().endswith(":"):
                    sentence = _joined(parts[at:])  # with the items it introduces
                elif _is_heading(parts[at]):
                    sentence = _joined(parts[at : at + 2])
                else:
                    sentence = parts[at]
            score = passage.score - 0.05 * rank - 0.01 * position
            score += DEFINING_BONUS * bool(_DEFINING.search(sentence))
            if score > best_score:
                best, best_score = (sentence, passage), score
    return best


def glossary_entries(settings: Settings) -> dict:
    entries = []
    for term, forms in sorted(glossary().items(), key=lambda item: item[0].lower()):
        question = definition_question(term, forms)
        found = best_definition(term, forms, search(settings, question, SEARCHED))
        entry = {
            "term": term,
            "long_form": forms[0] if forms else "",
            "other_forms": forms[1:],
            "question": question,
            "definition": "",
            "source": None,
        }
        if found:
            sentence, passage = found
            # A long one is cut around the clause that names the term.
            wanted = dict.fromkeys(content_terms(" ".join([term, *forms])), 1.0)
            entry["definition"] = focus(sentence, DEFINITION_CHARS, wanted, [])
            entry["source"] = passage.source()
        entries.append(entry)
    defined = sum(1 for e in entries if e["definition"])
    return {"entries": entries, "defined": defined, "total": len(entries)}


def cached_glossary(settings: Settings) -> dict:
    """The glossary of the index as it is now, computed once per index revision."""
    return cached(settings, GLOSSARY_FILE, glossary_entries, GLOSSARY_VERSION)
