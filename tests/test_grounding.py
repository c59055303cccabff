"""Is a question answerable from its passages? The three checks of assistant/grounding.py,
on passages written the way the corpus writes them."""

from assistant.grounding import assess, salient_terms
from assistant.retrieval import Passage

THRESHOLD, SUPPORT = 0.20, 0.45


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


def test_salient_terms_are_acronyms_names_and_years():
    assert salient_terms("Quel est le montant du SMIC horaire en 2024 ?") == ["SMIC", "2024"]
    assert salient_terms("L'ANRU c'est quoi ?") == ["ANRU"]
    assert salient_terms("Qu'est-ce que le dispositif Pinel ?") == ["Pinel"]
    # A capital that only starts a sentence names nothing.
    assert salient_terms("Comment faire une demande ? Combien de temps ?") == []


def test_a_name_found_in_no_passage_is_a_refusal_that_says_which():
    support = assess("Que change le SMIC pour l'APL ?", [APL], THRESHOLD, SUPPORT)
    assert support.refused and support.missing == ["SMIC"]
    assert "SMIC" in support.reason


def test_acronyms_are_found_through_the_glossary():
    assert not assess("qui verse l'APL ?", [APL], THRESHOLD, SUPPORT).refused
    assert not assess("c'est quoi la CUS ?", [CUS], THRESHOLD, SUPPORT).refused


def test_barely_related_passages_are_a_refusal():
    off_topic = _passage(APL.text, 0.12)
    support = assess("Comment faire une pâte à crêpes ?", [off_topic], THRESHOLD, SUPPORT)
    assert support.refused and "champ" in support.reason


def test_wording_matched_nowhere_at_moderate_similarity_is_a_refusal():
    question = "Comment fonctionne le bail réel solidaire ?"
    assert assess(question, [_passage(APL.text, 0.40)], THRESHOLD, SUPPORT).refused
    # The same passages at a high similarity are trusted.
    assert not assess(question, [_passage(APL.text, 0.60)], THRESHOLD, SUPPORT).refused


def test_an_article_named_and_found_is_always_support():
    exact = _passage(APL.text, 0.05, exact=True)
    assert not assess("L351-9 SMIC", [exact], THRESHOLD, SUPPORT).refused


def test_no_passage_is_a_refusal():
    assert assess("L'APL ?", [], THRESHOLD, SUPPORT).refused
