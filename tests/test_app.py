"""The real Streamlit app, driven by streamlit's AppTest against a real index: the chat, the
sources page and the administration page."""

import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from assistant import feedback, journal
from assistant.config import PROJECT_ROOT, get_settings
from assistant.llm_server import free_port
from ingest.index import ingest
from tests.pdfs import make_pdf

APP = str(PROJECT_ROOT / "ui" / "app.py")


def _app(monkeypatch, settings, **env) -> AppTest:
    monkeypatch.setenv("NPNRU_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NPNRU_CORPUS_DIRS", ",".join(str(d) for d in settings.corpus_dirs))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(programme_index, monkeypatch):
    return _app(monkeypatch, programme_index)


def _cards(at) -> list[str]:
    # Card titles: « [1] » escaped, so that a title is never read as Markdown.
    return [m.value for m in at.markdown if m.value.startswith("**\\[")]


def test_empty_chat_shows_examples(app):
    assert any("Exemples" in info.value for info in app.info)
    assert any(b.label == "Combien de jours dure la formation ?" for b in app.button)
    assert len(app.chat_input) == 1


def test_question_renders_answer_and_citation_cards(app):
    app.chat_input[0].set_value("Combien de jours dure la formation ?").run()
    assert not app.exception, app.exception
    assert any("3 jours" in md.value for md in app.markdown)
    cards = _cards(app)
    assert cards and cards[0].startswith("**\\[1\\] Module 9.5")
    turn = app.session_state["history"][0]
    assert turn["citations"][0]["page"] == 1 and turn["chunk_ids"]
    # Decimals the French way in the card's details.
    assert any(re.search(r"similarité \d,\d\d", c.value) for c in app.caption)
    # The cited span is highlighted in the card.
    assert any("<mark>" in md.value and "3 jours" in md.value for md in app.markdown)
    assert any(b.label == "Voir la source" for b in app.button)
    assert any(d.label == "Exporter (Markdown)" for d in app.sidebar.download_button)

    app.chat_input[0].set_value("Quelle est la capitale du Pérou ?").run()
    assert len(app.session_state["history"]) == 2
    assert app.session_state["history"][1]["refused"] is True
    assert any("ne permettent pas de répondre" in md.value for md in app.markdown)

    app.sidebar.button[0].click().run()
    assert app.session_state["history"] == []


def test_an_example_question_is_answered(app):
    next(b for b in app.button if b.label.startswith("Qui intervient")).click().run()
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["history"][0]["question"] == "Qui intervient le deuxième jour ?"


def test_feedback_is_stored_with_the_answer(app, programme_index):
    app.chat_input[0].set_value("Combien de jours dure la formation ?").run()
    app.feedback[0].set_value(0).run()  # 👎
    app.selectbox(key="r-0").set_value("réponse incomplète")
    app.text_input(key="c-0").set_value("il manque les horaires")
    app.button(key="FormSubmitter:feedback-0-Envoyer l'avis").click().run()
    assert not app.exception, app.exception
    stored = feedback.entries(programme_index)[0]
    assert stored["rating"] == -1 and stored["reason"] == "réponse incomplète"
    assert stored["comment"] == "il manque les horaires"
    assert stored["question"] == "Combien de jours dure la formation ?"
    assert stored["citations"] and stored["chunk_ids"]
    assert "Merci pour votre avis." in [c.value for c in app.caption]


def test_sources_page(app):
    app.switch_page("views/sources.py").run()
    assert not app.exception, app.exception
    assert app.dataframe[0].value.shape[0] == 1
    app.text_input(key="search-query").set_value("durée de la formation").run()
    assert any(m.value.startswith("**1. ") for m in app.markdown)
    assert any(re.search(r"similarité cosinus \d,\d{3}", c.value) for c in app.caption)
    app.selectbox(key="read-doc").set_value("module-9-5-programme.pdf").run()
    assert any("passage(s)" in c.value for c in app.caption)
    app.text_input(key="article-number").set_value("L442-5").run()
    assert any("absent de l'index" in w.value for w in app.warning)


def test_administration_is_disabled_without_a_password(app):
    app.switch_page("views/admin.py").run()
    assert any("Page désactivée" in w.value for w in app.warning)
    assert not app.file_uploader


def test_administration_refuses_a_wrong_password(programme_index, monkeypatch):
    at = _app(monkeypatch, programme_index, NPNRU_ADMIN_PASSWORD="bon-mot-de-passe")
    at.switch_page("views/admin.py").run()
    at.text_input[0].set_value("mauvais")
    at.button[0].click().run()
    assert any("Mot de passe incorrect" in e.value for e in at.error)
    assert "admin_ok" not in at.session_state
    assert not at.file_uploader


def _password(at, given: str):
    at.text_input[0].set_value(given)
    next(b for b in at.button if b.label == "Entrer").click().run()
    assert not at.exception, at.exception


def test_administration_pauses_after_wrong_passwords_and_logs_out_when_idle(
    programme_index, monkeypatch
):
    at = _app(monkeypatch, programme_index, NPNRU_ADMIN_PASSWORD="bon-mot-de-passe")
    at.switch_page("views/admin.py").run()
    for _ in range(5):
        _password(at, "mauvais")
        assert any("Mot de passe incorrect" in e.value for e in at.error)
    # The sixth try, even the right password, waits: 30 s.
    _password(at, "bon-mot-de-passe")
    assert "admin_ok" not in at.session_state
    pause = [e.value for e in at.error if "Trop de mots de passe erronés" in e.value]
    assert pause and re.search(r"réessayez dans (29|30) s", pause[0])
    # 31 s later (the session's clock moved back), the right password is accepted.
    at.session_state["admin_failures"] = [t - 31 for t in at.session_state["admin_failures"]]
    _password(at, "bon-mot-de-passe")
    assert at.session_state["admin_ok"] and at.file_uploader
    actions = [a["action"] for a in journal.entries(programme_index)]
    assert actions[:6] == ["connexion"] + ["mot de passe refusé"] * 5
    # 31 minutes without a request: the next one finds the session closed.
    at.session_state["admin_seen"] -= 31 * 60
    at.run()
    assert "admin_ok" not in at.session_state and not at.file_uploader
    assert any("30 minutes d'inactivité" in i.value for i in at.info)


def test_uploaded_pdf_is_indexed_then_cited(model_ready, programme_pdf, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(programme_pdf, corpus / programme_pdf.name)
    settings = get_settings().model_copy(
        update={"data_dir": tmp_path / "data", "corpus_dirs": [corpus]}
    )
    ingest(settings)
    at = _app(monkeypatch, settings, NPNRU_ADMIN_PASSWORD="secret")
    at.switch_page("views/admin.py").run()
    at.text_input[0].set_value("secret")
    at.button[0].click().run()
    assert at.session_state["admin_ok"]
    pdf = tmp_path / "charte.pdf"
    make_pdf(
        pdf,
        [
            "Charte de relogement de Valmont-sur-Oise. Le bailleur propose trois logements "
            "au ménage relogé dans le cadre du projet de renouvellement urbain."
        ],
    )
    # Streamlit refuses other extensions itself; a fake PDF gets through to our own checks.
    bad = ("../../faux.pdf", b"MZ\x90\x00 pas un pdf", "application/pdf")
    at.file_uploader(key="uploads").set_value(
        [("../Charte relogement.pdf", pdf.read_bytes(), "application/pdf"), bad]
    ).run()
    next(b for b in at.button if b.label == "Enregistrer et indexer").click().run()
    assert not at.exception, at.exception
    assert any("ce n'est pas un PDF" in e.value for e in at.error)
    assert (corpus / "televersements" / "Charte_relogement.pdf").is_file()
    # Names lose their folders: nothing is written outside the upload folder.
    assert not list(tmp_path.glob("faux*")) and not list(corpus.rglob("faux*"))
    assert any("Ajoutés 1" in s.value for s in at.success)

    at.switch_page("views/chat.py").run()
    at.chat_input[0].set_value("Combien de logements propose la charte de Valmont ?").run()
    assert not at.exception, at.exception
    turn = at.session_state["history"][0]
    assert not turn["refused"]
    assert turn["citations"][0]["doc_id"] == "televersements/Charte_relogement.pdf"
    # Every administrative action is in the journal, newest first.
    done = [(a["action"], a["detail"]) for a in journal.entries(settings)]
    assert done[:3] == [
        ("réindexation", "1 ajouté(s), 0 mis à jour, 0 supprimé(s), 0 échec(s)"),
        ("téléversement", "Charte_relogement.pdf"),
        ("connexion", ""),
    ]


ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_tables_and_dates_read_in_french(programme_index, monkeypatch):
    """No « None » in a table, no ISO timestamp, dates in French (Paris time)."""
    at = _app(monkeypatch, programme_index, NPNRU_ADMIN_PASSWORD="secret")
    at.switch_page("views/sources.py").run()
    table = at.dataframe[0].value
    cells = [str(v) for v in table.to_numpy().ravel()]
    assert "None" not in cells and "nan" not in [c.lower() for c in cells]
    assert "—" in cells  # the programme has pages but no articles
    assert all(not ISO_TIMESTAMP.search(c) for c in cells)
    assert re.search(r"\d{1,2}(er)? \w+ 20\d\d à \d\d h \d\d", " ".join(cells))
    at.switch_page("views/admin.py").run()
    at.text_input[0].set_value("secret")
    at.button[0].click().run()
    labels = [e.label for e in at.expander]
    assert labels and all(not ISO_TIMESTAMP.search(label) for label in labels)
    assert re.search(r" à \d\d h \d\d — ", labels[0])


def test_an_unreachable_chroma_server_is_a_banner_and_the_app_recovers(
    model_ready, tmp_path, monkeypatch
):
    from tests.services import chroma_server

    port = free_port()
    settings = get_settings().model_copy(
        update={"data_dir": tmp_path / "data", "corpus_dirs": [tmp_path]}
    )
    monkeypatch.setenv("NPNRU_CHROMA_MODE", "http")
    monkeypatch.setenv("NPNRU_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("NPNRU_CHROMA_PORT", str(port))
    at = _app(monkeypatch, settings)
    assert any(f"injoignable sur 127.0.0.1:{port}" in e.value for e in at.error)
    assert any("chroma run" in e.value for e in at.error)
    with chroma_server(port):
        at.run()
        assert not at.exception, at.exception
        assert not at.error and len(at.chat_input) == 1
