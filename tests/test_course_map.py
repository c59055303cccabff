"""The course map: the programme's parts and points, the passages of the other documents that
cover each, and what nothing indexed covers (the ELAN devices: the attribution law in force is
not in the corpus)."""

import json
import re

from assistant.cli import main as cli_main
from assistant.course_map import course_map, programme_topics
from assistant.lexical import glossary
from ingest.loaders import load_pdf


def _acronyms() -> set[str]:
    return {term for term in glossary() if term.isupper()}


def test_the_topics_of_the_programme_are_its_parts_and_points(programme_pdf):
    topics = programme_topics(load_pdf(programme_pdf, "p").pages, _acronyms())
    texts = [t.text for t in topics]
    assert "La mixité sociale : une catégorie de l’action publique" in texts
    assert (
        "Les nouveaux dispositifs introduits par la loi Elan : cotation de la demande, gestion "
        "en flux et CALEOL" in texts
    )
    # A point continued on the next line after a blank one is read whole.
    assert (
        "Les politiques intercommunales d’attributions : orientations et objectifs d’attribution"
        in texts
    )
    elan = next(t for t in topics if "loi Elan" in t.text)
    assert (elan.day, elan.session) == (1, "2") and elan.part.startswith("2.2 ")
    # A short point is searched with its part's title.
    plan = next(t for t in topics if t.text == "Le plan d’action")
    assert "politique d’attribution" in plan.query
    # Witnesses' slots, the witnesses themselves and the course's evaluation are no subjects.
    assert not any(t.text.startswith("Témoignage") for t in topics)
    assert not any("HANSER" in t.text or "Carpentier" in t.text for t in topics)
    assert not any(t.session == "7" for t in topics)
    assert {t.day for t in topics} == {1, 2, 3}


def test_the_map_shows_what_covers_each_topic_and_what_nothing_covers(shared_index, capsys):
    result = course_map(shared_index)
    [programme] = result["programmes"]
    assert programme["doc_id"] == "module-9-5-programme.pdf"
    assert programme["total"] >= 30 and 0 < programme["covered"] < programme["total"]
    topics = {t["text"]: t for t in programme["topics"]}
    # The 2014 law covers the politique de la ville; the ELAN devices are in no document.
    city = topics["Politique de la ville : du développement social au renouvellement urbain"]
    assert city["covered"] and city["passages"][0]["doc_id"].startswith("loi-2014-173")
    elan = next(t for text, t in topics.items() if "loi Elan" in text)
    assert not elan["covered"] and elan["text"] in programme["uncovered"]
    # The programme never covers itself, and a covered topic shows its passages.
    for topic in programme["topics"]:
        assert all(p["doc_id"] != programme["doc_id"] for p in topic["passages"])
        assert topic["passages"] or not topic["covered"]

    assert cli_main(["--data-dir", str(shared_index.data_dir), "map", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["programmes"][0]["uncovered"] == programme["uncovered"]
    assert cli_main(["--data-dir", str(shared_index.data_dir), "map"]) == 0
    text = capsys.readouterr().out
    assert "Aucun document indexé ne traite de :" in text and "loi Elan" in text


def test_the_parcours_page_shows_the_map_and_asks_a_topic_in_the_chat(shared_index, monkeypatch):
    from tests.test_app import _app, _password

    at = _app(monkeypatch, shared_index, NPNRU_ADMIN_PASSWORD="mot-de-passe-parcours")
    at.switch_page("views/parcours.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Parcours de la formation"]
    [metric] = at.metric
    assert re.fullmatch(r"\d+ sur \d+", metric.value)
    assert any(
        "Aucun document indexé ne traite de :" in e.value and "loi Elan" in e.value
        for e in at.error
    )
    labels = [e.label for e in at.expander]
    assert labels[0].startswith("Jour 1 — séquence 1 : Éléments de cadrage (")
    assert any("Loi n° 2014-173" in c.value for c in at.caption)
    # The map is kept with the index revision: the page reads it, it does not recompute it.
    assert (shared_index.pinned().state_dir / "parcours.json").is_file()

    # « Demander » asks the topic in the chat.
    next(b for b in at.button if b.label == "Demander").click().run()
    assert not at.exception, at.exception
    [turn] = at.session_state["history"]
    assert turn["question"] == "Que disent les documents sur : Les enjeux en question ?"
    assert turn["citations"]

    # The administration lists the uncovered topics as documents to add.
    at.switch_page("views/admin.py").run()
    _password(at, "mot-de-passe-parcours")
    assert any(s.value == "Documents à ajouter" for s in at.subheader)
    assert any("loi Elan" in m.value for m in at.markdown)
