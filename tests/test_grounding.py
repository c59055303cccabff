"""Is a question answerable from its passages? The features of assistant/grounding.py on
passages written the way the corpus writes them, the three outcomes, and the shipped model."""

import json

import pytest

from assistant.grounding import (
    ANSWER,
    FEATURES,
    MODEL_FILE,
    REFUSAL,
    UNCERTAIN,
    Model,
    assess,
    load_model,
    measure,
)
from assistant.retrieval import Passage
from assistant.text import salient_terms


def _passage(text: str, score: float, exact: bool = False) -> Passage:
    return Passage(
        rank=1, chunk_id="c", doc_id="d.md", title="Code", text=text, score=score, exact=exact
    )


APL = _passage(
    "Article L351-9  L'aide personnalisée au logement est versée au bailleur du logement, "
    "sous réserve des dispositions des articles suivants.",
    0.38,
)
CUS = _passage(
    "Les organismes d'habitations à loyer modéré concluent avec l'État une convention "
    "d'utilité sociale d'une durée de six ans.",
    0.30,
)
CORPUS_WORDS = {"apl", "aid", "personnalis", "log", "etat", "cus"}


def CORPUS_SHARE(term: str) -> float:
    return 0.01 if term in CORPUS_WORDS else 0.0


def test_salient_terms_are_acronyms_names_and_years():
    assert salient_terms("Quel est le montant du SMIC horaire en 2024 ?") == ["SMIC", "2024"]
    assert salient_terms("L'ANRU c'est quoi ?") == ["ANRU"]
    assert salient_terms("Qu'est-ce que le dispositif Pinel ?") == ["Pinel"]
    # A capital that only starts a sentence names nothing.
    assert salient_terms("Comment faire une demande ? Combien de temps ?") == []


def test_names_absent_from_the_corpus_are_told_from_names_absent_from_the_passages():
    features, missing = measure("Que change le SMIC pour l'État ?", [APL], CORPUS_SHARE)
    assert missing == ["SMIC", "État"]
    assert features["unknown_names"] == 1 and features["missing_names"] == 1


def test_acronyms_are_found_through_the_glossary():
    assert measure("qui verse l'APL ?", [APL])[1] == []
    assert measure("c'est quoi la CUS ?", [CUS])[1] == []


def test_coverage_and_neighbouring_pairs():
    features, _ = measure("À qui l'aide personnalisée au logement est-elle versée ?", [APL])
    assert features["coverage"] == 1.0 and features["pair_share"] == 1.0
    features, _ = measure("Comment fonctionne le bail réel solidaire ?", [APL])
    assert features["coverage"] == 0.0 and features["pair_share"] == 0.0


def test_a_number_asked_and_none_given_by_the_closest_sentences():
    ranked = [
        (0.6, "Les organismes concluent une convention d'utilité sociale."),
        (0.5, "Six ans."),
    ]
    assert (
        measure("Combien de temps dure la CUS ?", [CUS], ranked=ranked)[0]["number_missing"] == 0.0
    )
    assert (
        measure("Combien de temps dure la CUS ?", [CUS], ranked=ranked[:1])[0]["number_missing"]
        == 1.0
    )
    # An article number is no answer to « combien ».
    article = [(0.6, "Article L351-9 : l'aide est versée au bailleur.")]
    assert (
        measure("Quel est le montant de l'APL ?", [APL], ranked=article)[0]["number_missing"] == 1.0
    )
    assert measure("Qui verse l'APL ?", [APL], ranked=article)[0]["number_missing"] == 0.0


def test_questions_on_the_current_state():
    assert measure("Qui préside l'ANRU aujourd'hui ?", [APL])[0]["asks_current"] == 1.0
    assert measure("Les plafonds en 2024 ?", [APL])[0]["asks_current"] == 1.0
    assert measure("Le dernier jour on finit à quelle heure ?", [APL])[0]["asks_current"] == 0.0


def test_margin_exact_hit_and_sentence_similarity():
    second = _passage(CUS.text, 0.10)
    first = _passage(APL.text, 0.5, exact=True)
    features, _ = measure("L351-9", [first, second], ranked=[(0.7, "L'aide est versée.")])
    assert features["margin"] == pytest.approx(0.4)
    assert features["exact"] == 1.0 and features["best_sentence"] == 0.7


def test_probability_bands_are_the_three_outcomes():
    # One feature, coefficient 10 around 0.5: the cosine alone decides, for this test only.
    model = Model(("best_cosine",), (0.5,), (1.0,), (10.0,), 0.0, 0.3, 0.7)
    assert assess("l'APL ?", [_passage(APL.text, 0.2)], model=model).outcome == REFUSAL
    assert assess("l'APL ?", [_passage(APL.text, 0.5)], model=model).outcome == UNCERTAIN
    verdict = assess("l'APL ?", [_passage(APL.text, 0.8)], model=model)
    assert verdict.outcome == ANSWER and not verdict.reason and verdict.probability > 0.9


def test_no_passage_is_a_refusal():
    verdict = assess("L'APL ?", [])
    assert verdict.refused and verdict.reason


def test_the_shipped_model_is_complete_and_justified():
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    model = load_model()
    assert set(model.features) <= set(FEATURES)
    assert data["definitions"] == {name: FEATURES[name] for name in model.features}
    assert 0 < model.refuse_below <= model.answer_from < 1
    # The thresholds come from the cross-validated curve of the tuning part: its figures are
    # written with them.
    assert data["questions"] == "tests/eval/tune.jsonl"
    assert {"refusal_precision", "refusal_recall", "answerable_refused"} <= set(
        data["cross_validation"]
    )


def test_the_shipped_model_refuses_what_nothing_supports():
    off_topic = _passage(APL.text, 0.05)
    verdict = assess("Comment faire une pâte à crêpes ?", [off_topic], CORPUS_SHARE)
    assert verdict.refused and verdict.reason
    supported = _passage(APL.text, 0.75)
    verdict = assess(
        "À qui l'aide personnalisée au logement est-elle versée ?",
        [supported],
        CORPUS_SHARE,
        [(0.75, "L'aide personnalisée au logement est versée au bailleur du logement.")],
    )
    assert verdict.outcome == ANSWER
