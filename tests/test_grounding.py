"""Is a question answerable from its passages? The features of assistant/grounding.py on
passages written the way the corpus writes them, the three outcomes, and the shipped model."""

import json

from assistant.facts import GIVEN
from assistant.grounding import (
    ANSWER,
    FEATURES,
    MODEL_FILE,
    REFUSAL,
    UNCERTAIN,
    Model,
    asked_facts,
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
    # The asker's case is no name to look for: a civility, a flat's size.
    assert salient_terms("J'accompagne Mme K. qui vit dans un T3 HLM à Lyon.") == ["HLM", "Lyon"]
    # A capital that only starts a sentence names nothing.
    assert salient_terms("Comment faire une demande ? Combien de temps ?") == []
    # Compound places and names written in one piece with inner capitals are names too.
    assert salient_terms("Le délai en Haute-Garonne, c'est combien ?") == ["Haute-Garonne"]
    assert salient_terms("Une bourse en Auvergne-Rhône-Alpes ?") == ["Auvergne-Rhône-Alpes"]
    assert salient_terms("La date limite d'un dossier MaPrimeRénov' ?") == ["MaPrimeRénov"]


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


def test_the_kind_of_fact_asked_and_whether_the_best_passages_give_one():
    assert asked_facts("Combien de temps dure la CUS ?") == ["duration"]
    assert asked_facts("Les contrats de ville durent combien ?") == ["duration"]
    assert asked_facts("une convention d'une durée minimale de combien ?") == ["duration"]
    assert asked_facts("Combien coûte l'inscription ?") == ["price"]
    # « combien d' » before a vowel asks the same as « combien de ».
    assert asked_facts("ça fait combien d'heures en tout ?") == ["duration"]
    assert asked_facts("combien d'habitants au minimum ?") == ["count"]
    assert asked_facts("Le comité se réunit à quelle fréquence ?") == ["frequency"]
    assert asked_facts("C'est prévu par quel article ?") == ["text"]
    assert asked_facts("Qui verse l'APL et à quel taux ?") == ["person", "percent"]
    # « quel est le taux », « quelle est la durée », « quel est le montant »: the same asks.
    assert asked_facts("Quel est le taux de subvention ?") == ["percent"]
    assert asked_facts("Quelle est la durée de la CUS ?") == ["duration"]
    assert asked_facts("Quel est le montant de la pénalité ?") == ["price"]
    assert asked_facts("Quelle est l'échéance du contrat ?") == ["date"]
    assert asked_facts("La formation se déroule où ?") == ["place"]
    # « ou » between two alternatives asks for no place; typed without its accent, « où »
    # still does where it can only mean « where ».
    assert asked_facts("Juridiquement l'ANRU c'est un EPA ou un EPIC ?") == []
    assert asked_facts("il vient d'ou ?") == asked_facts("ou se passe la formation ?") == ["place"]
    # « quand » with its subject after it is a conjunction, not a question about a date.
    assert asked_facts("qui fixe le loyer quand un logement HLM est reloué ?") == ["person"]
    assert asked_facts("Quand le bail prend-il fin ?") == ["date"]
    assert asked_facts("C'est quand la prochaine session ?") == ["date"]
    # The inversion in another clause than the one « quand » opens asks something else.
    assert (
        asked_facts("Quand un demandeur dépose sur place, quel formulaire doit-il remplir ?") == []
    )
    assert asked_facts("Quand l'enquête montre un SLS, le bailleur est-il obligé d'agir ?") == []
    assert asked_facts("Qu'est-ce que la CUS ?") == []
    # « qui » after a preposition or a verb of saying asks for someone; after a noun it is
    # a relative pronoun.
    assert asked_facts("l'APL est versée à qui ?") == ["person"]
    assert asked_facts("Dis-moi qui préside la commission") == ["person"]
    assert asked_facts("le bailleur doit consulter qui ?") == ["person"]
    # « versée au bailleur » names whom it is paid to: a person or body is given.
    assert GIVEN["person"].search("L'aide est versée au bailleur du logement.")
    assert GIVEN["person"].search("Dans les autres cas, à l'établissement habilité.")
    assert not GIVEN["person"].search("Dans les autres cas, elle est versée.")
    assert "person" not in asked_facts("un organisme HLM qui gère un gros parc doit-il vendre ?")
    assert asked_facts("Et son adresse mail ?") == ["contact"]
    assert asked_facts("Quelles pièces faut-il joindre à la demande ?") == []
    # No address, telephone number or web site in the APL article.
    assert measure("Quel est le téléphone de l'APL ?", [APL])[0]["type_missing"] == 1.0
    # The CUS passage gives a duration (« six ans »), the APL article none.
    assert measure("Combien de temps dure la CUS ?", [CUS])[0]["type_missing"] == 0.0
    assert measure("Combien de temps dure l'APL ?", [APL])[0]["type_missing"] == 1.0
    # An article number is no amount.
    assert measure("Combien coûte l'APL ?", [APL])[0]["type_missing"] == 1.0
    # Half of what is asked is there: how long (« six ans »), not who.
    features = measure("Combien de temps dure la CUS et qui la préside ?", [CUS])[0]
    assert features["type_missing"] == 0.5
    # A question that asks for no particular kind of fact misses none.
    assert measure("Qu'est-ce que la CUS ?", [APL])[0]["type_missing"] == 0.0


def test_words_of_the_question_that_the_best_passages_lack():
    assert measure("À qui l'aide personnalisée est-elle versée ?", [APL])[0]["missing_words"] == 0
    features = measure("L'aide personnalisée est-elle versée par virement mensuel ?", [APL])[0]
    assert features["missing_words"] == 2  # « virement », « mensuel »


def test_questions_on_the_current_state():
    assert measure("Qui préside l'ANRU aujourd'hui ?", [APL])[0]["asks_current"] == 1.0
    assert measure("Les plafonds en 2024 ?", [APL], CORPUS_SHARE)[0]["asks_current"] == 1.0

    # A year the corpus gives (the fiches' « barème 2020 ») is no current state.
    def share(term: str) -> float:
        return 0.01 if term == "2020" else CORPUS_SHARE(term)

    assert measure("Le plafond PLAI (barème 2020) ?", [APL], share)[0]["asks_current"] == 0.0
    assert measure("Le dernier jour on finit à quelle heure ?", [APL])[0]["asks_current"] == 0.0
    # « aujourd'hui » on a day of the course is that day, not the current state of the law.
    today = "Aujourd'hui c'est le dernier jour, on termine à quelle heure ?"
    assert measure(today, [APL])[0]["asks_current"] == 0.0
    assert measure("Le plafond aujourd'hui ?", [APL])[0]["asks_current"] == 1.0


def test_exact_hit_and_sentence_similarity():
    second = _passage(CUS.text, 0.10)
    first = _passage(APL.text, 0.5, exact=True)
    features, _ = measure("L351-9", [first, second], ranked=[(0.7, "L'aide est versée.")])
    assert features["best_cosine"] == 0.5
    assert features["exact"] == 1.0 and features["best_sentence"] == 0.7


def test_probability_bands_are_the_three_outcomes():
    # One feature, coefficient 10 around 0.5: the cosine alone decides, for this test only.
    model = Model(("best_cosine",), (0.5,), (1.0,), (10.0,), 0.0, 0.3, 0.7)
    assert assess("l'APL ?", [_passage(APL.text, 0.2)], model=model).outcome == REFUSAL
    assert assess("l'APL ?", [_passage(APL.text, 0.5)], model=model).outcome == UNCERTAIN
    verdict = assess("l'APL ?", [_passage(APL.text, 0.8)], model=model)
    assert verdict.outcome == ANSWER and not verdict.reason and verdict.probability > 0.9


def test_a_refusal_names_the_kind_of_fact_the_passages_lack():
    # One feature, the kind of fact missing, decides here, for this test only.
    model = Model(("type_missing",), (0.5,), (1.0,), (-10.0,), 0.0, 0.3, 0.7)
    verdict = assess("Combien coûte l'APL ?", [APL], CORPUS_SHARE, model=model)
    assert verdict.refused
    assert (
        verdict.reason
        == "les passages trouvés ne donnent pas ce qui est demandé : un prix ou un montant"
    )


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


def test_a_day_or_a_region_by_its_abbreviation_is_found_in_full():
    # « J2 » and « IDF » are how trainees write « jour 2 » and « Île-de-France ».
    day = _passage("Le jour 2 se termine à 17h15 par les points clefs de la journée.", 0.5)
    features, missing = measure("A la fin du J2 il y a un temps pour faire le point ?", [day])
    assert missing == [] and features["missing_names"] == 0
    region = _passage("En Île-de-France, la commission statue dans un délai de 6 mois.", 0.5)
    assert measure("et en IDF, c'est combien de temps ?", [region])[1] == []


def test_a_fact_missing_from_the_course_counts_apart_from_one_missing_from_a_law():
    # « Combien coûte le module ? » before the programme's lines, which give no price: the
    # kind of fact missing counts twice for a course, once for an article.
    from dataclasses import replace

    line = "Durée : 3 jours (17h30). Public : chargés de mission, bailleurs."
    course = replace(_passage(line, 0.5), kind="cours")
    law = replace(_passage(line, 0.5), kind="code")
    price = "Combien coûte l'inscription au module ?"
    on_course, _ = measure(price, [course])
    on_law, _ = measure(price, [law])
    assert on_course["type_missing"] == on_law["type_missing"] == 1.0
    assert on_course["course_type_missing"] == 1.0 and on_law["course_type_missing"] == 0.0
    # A price the passage gives is missing from neither.
    priced, _ = measure(price, [replace(course, text="Tarif : 1 200 € par stagiaire.")])
    assert priced["course_type_missing"] == 0.0


def test_an_amount_in_euros_is_a_price_wherever_its_symbol_stands():
    from assistant.facts import GIVEN

    for text in ("1 200 € par mois", "11 478 € | 20 870 €", "5 milliards d'euros", "15€."):
        assert GIVEN["price"].search(text), text
    assert not GIVEN["price"].search("1 200 logements")


def test_one_year_is_a_duration():
    from assistant.facts import GIVEN

    for text in ("Le contrat de location a une durée d'un an.", "1 an", "3 ans", "une semaine"):
        assert GIVEN["duration"].search(text), text
    for text in ("un ancien locataire", "12 annexes", "l'année 2014"):
        assert not GIVEN["duration"].search(text), text
