"""Answer, hedge or refuse: one calibrated answerability score.

Each question and its retrieved passages are described by a few measured features (how close the
best passage is, how much of the question's wording and names the passages cover, whether they
hold the kind of fact asked…). A logistic model fitted on the tuning part of the question bank
(``tests/eval/fit_answerability.py``) turns them into the probability that the documents answer
the question. Two thresholds read off that model's cross-validated precision–recall curve split
the probability into three outcomes:

- ``answer``: the documents answer; the answer is given with its citations;
- ``uncertain``: they may not answer exactly; the closest passages are quoted, said as such;
- ``refusal``: they do not; a fixed message, its reason, the closest documents as leads.

The model (coefficients, feature definitions, thresholds and the figures that justify them) is a
versioned data file: ``assistant/data/answerability.json``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.facts import FACT_NAMES, GIVEN, asked_facts
from assistant.lexical import glossary
from assistant.text import analyse, code_articles, fold, salient_terms

MODEL_FILE = Path(__file__).resolve().parent / "data" / "answerability.json"
ANSWER, UNCERTAIN, REFUSAL = "answer", "uncertain", "refusal"
# Passages whose wording the coverage features read (the top of the ranking).
COVERAGE_DEPTH = 3
# Passages searched for a trace of the kind of fact asked (the answer is in the first two for
# most answerable questions of the tuning part: recall@1 0.80, recall@5 0.93).
TYPE_DEPTH = 2
# Terms within this many analysed words of each other count as « close together ».
WINDOW = 3

# What each feature measures; the data file repeats these definitions with its coefficients.
FEATURES: dict[str, str] = {
    "best_cosine": "similarité cosinus du meilleur passage",
    "coverage": "part des termes de contenu de la question (glossaire compris) présents dans "
    "les trois meilleurs passages",
    "rare_coverage": "la même part, chaque terme pesant selon sa rareté dans le corpus "
    "(-log de la part des passages qui le contiennent)",
    "pair_share": "part des paires de mots voisins de la question retrouvées à moins de trois "
    "mots d'écart dans un des trois meilleurs passages",
    "unknown_names": "nombre de noms de la question (sigle, nom propre, année) absents de tout "
    "le corpus indexé",
    "missing_names": "nombre de noms de la question présents dans le corpus mais dans aucun des "
    "passages trouvés",
    "asks_current": "1 si la question demande l'état actuel ou récent (« aujourd'hui », "
    "« actuel », « dernier », une année après 2015 que le corpus ne contient pas…), sinon 0",
    "type_missing": "part des types de fait demandés (personne, lieu, prix, fréquence, texte de "
    "référence, pourcentage, date, nombre, durée, contact) dont aucune trace ne figure dans "
    "les deux meilleurs passages",
    "missing_words": "nombre de mots de contenu de la question absents des trois meilleurs "
    "passages",
    "course": "1 si le meilleur passage vient d'un support de cours, sinon 0",
    "exact": "1 si un article cité dans la question a été trouvé tel quel, sinon 0",
    "best_sentence": "similarité cosinus maximale entre la question et les phrases des deux "
    "meilleurs passages",
    # A programme gives its facts in a few short lines: a kind of fact asked (a price, a date,
    # a number) that its best passages lack is a stronger sign than in a long article.
    # Cross-validated on tune.jsonl (1023 questions): log-loss 0.3507 → 0.3464, AUC 0.8976 →
    # 0.8988 (the same product with missing words or coverage instead: 0.3518, 0.3528).
    "course_type_missing": "type_missing quand le meilleur passage vient d'un support de cours "
    "(produit des deux), sinon 0",
}
# The features that need the sentences of the best passages encoded at question time.
SENTENCE_FEATURES = {"best_sentence"}


@dataclass
class Support:
    """The verdict on a question and its passages."""

    outcome: str
    reason: str = ""
    # Names from the question found in no passage.
    missing: list[str] = field(default_factory=list)
    probability: float = 1.0
    features: dict[str, float] = field(default_factory=dict)
    # Code articles the question names that the index does not hold.
    absent: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.outcome == REFUSAL


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


Frequency = Callable[[str], float]


def _known_to_corpus(name: str, frequency: Frequency) -> bool:
    """The name, or one of its glossary long forms, occurs somewhere in the corpus."""
    stems = analyse(name)
    if stems and all(frequency(s) > 0 for s in stems):
        return True
    forms = glossary().get(name) or glossary().get(name.upper()) or []
    return any(all(frequency(s) > 0 for s in analyse(form)) for form in forms)


_CURRENT = re.compile(
    r"\b(?:aujourd'hui|actuel\w*|a ce jour|recent\w*|derni(?:ers|eres) (?:chiffres|donnees|"
    r"statistiques)|maintenant|desormais|en ce moment|cette annee)\b"
)
# A year after the corpus's texts (2015 for the code), unless the corpus gives it (the fiches'
# « barème 2020 »).
_LATE_YEAR = re.compile(r"\b20(?:1[6-9]|[2-9]\d)\b")


# « Aujourd'hui c'est le dernier jour, on termine à quelle heure ? »: a day of the course, not
# the current state of the law.
_COURSE_DAY = re.compile(r"\b(?:(?:premier|deuxieme|second|troisieme|dernier) jour|jour \d|j\d)\b")


def asks_current(question: str, frequency: Frequency) -> bool:
    """The question asks for the current or a recent state: a word that says so (not when it
    speaks of a day of the course), or a year after 2015 that the corpus does not hold."""
    folded = fold(question)
    if _CURRENT.search(folded) and not _COURSE_DAY.search(folded):
        return True
    return any(frequency(year) == 0 for year in _LATE_YEAR.findall(folded))


def type_missing(question: str, texts: list[str]) -> float:
    """The share of the kinds of fact asked of which no text shows a trace (0.0 when the
    question asks for no particular kind)."""
    kinds = asked_facts(question)
    if not kinds:
        return 0.0
    absent = [kind for kind in kinds if not any(GIVEN[kind].search(text) for text in texts)]
    return len(absent) / len(kinds)


def absent_articles(question: str, passages: list) -> list[str]:
    """The code articles ``question`` names when none of them was found as such (an exact hit
    puts a named article first): the index does not hold them."""
    named = code_articles(question)
    if not named or any(p.exact for p in passages):
        return []
    return named


def _rarity(term: str, frequency: Frequency) -> float:
    return -math.log(frequency(term) + 1e-3)


def measure(
    question: str,
    passages: list,
    frequency: Frequency = lambda term: 0.01,
    ranked: list[tuple[float, str]] | None = None,
) -> tuple[dict[str, float], list[str]]:
    """The features of ``question`` and its ``passages`` (see ``FEATURES``), and the names of
    the question that no passage mentions. ``frequency`` gives the share of the corpus's
    passages that hold an analysed term; ``ranked`` the sentences of the best passages with
    their similarity to the question, most similar first."""
    scores = sorted((p.score for p in passages), reverse=True)
    analysed = [_passage_terms(p) for p in passages]
    sequences = analysed[:COVERAGE_DEPTH]
    everywhere = {term for sequence in analysed for term in sequence}
    near_vocabulary = {term for sequence in sequences for term in sequence}
    missing, unknown = [], 0
    for name in salient_terms(question):
        if all(stem in everywhere for stem in analyse(name)):
            continue
        missing.append(name)
        unknown += not _known_to_corpus(name, frequency)
    words = [t for t in analyse(question) if len(t) >= 3 or t.isdigit()]
    missing_words = {w for w in words if w not in near_vocabulary}
    coverage = sum(w in near_vocabulary for w in words) / len(words) if words else 1.0
    weights = {w: _rarity(w, frequency) for w in set(words)}
    total = sum(weights.values())
    rare = sum(v for w, v in weights.items() if w in near_vocabulary) / total if total else 1.0
    pairs = list(zip(words, words[1:], strict=False))
    near = set()
    for sequence in sequences:
        for i, term in enumerate(sequence):
            for other in sequence[i + 1 : i + 1 + WINDOW]:
                near.add((term, other))
                near.add((other, term))
    pair_share = sum(pair in near for pair in pairs) / len(pairs) if pairs else 1.0
    features = {
        "best_cosine": scores[0],
        "coverage": coverage,
        "rare_coverage": rare,
        "pair_share": pair_share,
        "unknown_names": float(unknown),
        "missing_names": float(len(missing) - unknown),
        "asks_current": 1.0 if asks_current(question, frequency) else 0.0,
        "type_missing": type_missing(question, [p.text for p in passages[:TYPE_DEPTH]]),
        "missing_words": float(len(missing_words)),
        "course": 1.0 if passages[0].kind == "cours" else 0.0,
        "exact": 1.0 if passages[0].exact else 0.0,
        "best_sentence": ranked[0][0] if ranked else scores[0],
    }
    features["course_type_missing"] = features["course"] * features["type_missing"]
    return features, missing


@dataclass(frozen=True)
class Model:
    """A fitted logistic model over standardised features, and its two thresholds."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    refuse_below: float
    answer_from: float

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (values[name] - m) / s
            for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))


def model_from(data: dict) -> Model:
    return Model(
        features=tuple(data["features"]),
        mean=tuple(data["mean"]),
        scale=tuple(data["scale"]),
        coef=tuple(data["coef"]),
        intercept=float(data["intercept"]),
        refuse_below=float(data["thresholds"]["refuse_below"]),
        answer_from=float(data["thresholds"]["answer_from"]),
    )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> Model:
    return model_from(json.loads(path.read_text(encoding="utf-8")))


def _reason(
    question: str, features: dict[str, float], missing: list[str], absent: list[str]
) -> str:
    if absent:
        return f"les documents indexés ne contiennent pas l'article {', '.join(absent)}"
    if missing:
        return "les passages trouvés ne mentionnent pas : " + ", ".join(missing)
    if features["asks_current"]:
        return (
            "la question porte sur l'état actuel ou récent, que les documents indexés (datés) "
            "ne donnent pas"
        )
    if features.get("type_missing", 0) >= 1:
        asked = " ni ".join(FACT_NAMES[kind] for kind in asked_facts(question))
        return f"les passages trouvés ne donnent pas ce qui est demandé : {asked}"
    if features["coverage"] < 0.5:
        return "la question sort du champ des documents indexés"
    return "aucun passage ne traite précisément de la question"


def assess(
    question: str,
    passages: list,
    frequency: Frequency = lambda term: 0.01,
    ranked: list[tuple[float, str]] | None = None,
    model: Model | None = None,
) -> Support:
    """Judge whether ``passages`` answer ``question`` (see the module docstring)."""
    if not passages:
        return Support(REFUSAL, "aucun passage indexé ne correspond à la question", probability=0)
    model = model or load_model()
    features, missing = measure(question, passages, frequency, ranked)
    probability = model.probability(features)
    if probability < model.refuse_below:
        outcome = REFUSAL
    elif probability < model.answer_from:
        outcome = UNCERTAIN
    else:
        outcome = ANSWER
    # As a feature of the model, an absent article changes nothing (tune.jsonl, 724 questions:
    # cross-validated log-loss 0.3698 without, 0.3705 with; 5 questions name one): it is said
    # in the reason and before the answer, not weighed.
    absent = absent_articles(question, passages)
    reason = _reason(question, features, missing, absent) if outcome != ANSWER else ""
    return Support(outcome, reason, missing, probability, features, absent)
