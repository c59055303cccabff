"""The glossary page: every term of the glossary with its long form and the passage of the
corpus that best defines it (cited, with its date), or a plain « no defining passage »."""

from assistant.glossary_entries import (
    best_definition,
    cached_glossary,
    definition_question,
)
from assistant.lexical import acronyms_in, glossary
from assistant.retrieval import Passage
from assistant.text import content_terms, mentions


def test_each_term_gets_its_definition_or_says_it_has_none(shared_index):
    result = cached_glossary(shared_index)
    entries = {e["term"]: e for e in result["entries"]}
    assert set(entries) == set(glossary()) and result["total"] == len(entries)
    assert 0 < result["defined"] < result["total"]
    qpv = entries["QPV"]
    assert qpv["long_form"] == "quartier prioritaire de la politique de la ville"
    assert "quartier" in qpv["definition"].lower() and qpv["source"]["title"]
    for entry in result["entries"]:
        # A definition always comes with its source, and shows the words of the term or of a
        # long form (a long sentence is cut around them).
        assert bool(entry["definition"]) == (entry["source"] is not None)
        if entry["definition"]:
            names = [entry["term"], entry["long_form"], *entry["other_forms"]]
            assert mentions([n for n in names if n], entry["definition"]) or (
                content_terms(" ".join(names)) & content_terms(entry["definition"])
            ), entry
    # Kept with the index revision: read back, not recomputed.
    assert (shared_index.pinned().state_dir / "glossaire.json").is_file()
    assert cached_glossary(shared_index) == result


def test_the_defining_sentence_names_the_term_and_prefers_a_defining_verb():
    def passage(text, score):
        return Passage(rank=1, chunk_id=text[:8], doc_id="d", title="T", text=text, score=score)

    about = passage("Le montant du SLS change chaque année au 1er janvier.", 0.6)
    defines = passage("Le supplément de loyer de solidarité désigne un loyer complémentaire.", 0.58)
    other = passage("La commission se réunit chaque mois pour attribuer les logements.", 0.9)
    sentence, found = best_definition(
        "SLS", ["supplément de loyer de solidarité"], [other, about, defines]
    )
    assert found is defines and sentence.startswith("Le supplément de loyer")
    # No sentence names the term: no definition, rather than a passage about something else.
    assert best_definition("CALEOL", ["commission d'attribution et d'examen"], [other]) is None


def test_the_question_asked_for_a_term():
    assert definition_question("CALEOL", ["commission d'attribution"]) == (
        "Qu'est-ce que « CALEOL » (commission d'attribution) ?"
    )
    assert definition_question("surloyer", []) == "Qu'est-ce que « surloyer » ?"


def test_the_glossary_page_lists_filters_and_asks(shared_index, monkeypatch):
    from tests.test_app import _app

    at = _app(monkeypatch, shared_index)
    at.switch_page("views/glossaire.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Glossaire"]
    assert " sur " in at.metric[0].value
    assert any(m.value.startswith("**QPV**") for m in at.markdown)
    at.text_input(key="glossary-filter").set_value("caleol").run()
    shown = [m.value for m in at.markdown if m.value.startswith("**")]
    assert any(m.startswith("**CALEOL**") for m in shown) and len(shown) < len(glossary())
    next(b for b in at.button if b.label == "Demander").click().run()
    assert not at.exception, at.exception
    [turn] = at.session_state["history"]
    assert turn["question"].startswith("Qu'est-ce que « ")


def test_the_acronyms_of_a_question():
    assert acronyms_in("Qui siège à la CALEOL pour un logement en QPV ?") == ["CALEOL", "QPV"]
    # Case-sensitive: « plus » is no PLUS.
    assert acronyms_in("Un logement plus grand en zone tendue ?") == []


def test_an_acronym_of_a_question_links_to_its_glossary_entry(shared_index, monkeypatch):
    from tests.test_app import _app

    at = _app(monkeypatch, shared_index)
    at.chat_input[0].set_value("Qui siège à la CALEOL pour un logement en QPV ?").run()
    assert not at.exception, at.exception
    links = [b for b in at.button if (b.key or "").startswith("glossary-")]
    assert [b.label for b in links] == ["CALEOL", "QPV"]
    links[1].click().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Glossaire"]
    assert at.text_input(key="glossary-filter").value == "QPV"
    shown = [m.value for m in at.markdown if m.value.startswith("**")]
    assert shown and all("QPV" in m or "quartier" in m.lower() for m in shown[:1])
