"""The real Streamlit app, driven by streamlit's AppTest against a real index."""

import pytest
from streamlit.testing.v1 import AppTest

from assistant.config import PROJECT_ROOT, get_settings

APP = str(PROJECT_ROOT / "ui" / "app.py")


@pytest.fixture
def app(programme_index, monkeypatch):
    monkeypatch.setenv("NPNRU_DATA_DIR", str(programme_index.data_dir))
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def test_empty_chat_shows_examples(app):
    assert any("Combien de jours dure la formation" in info.value for info in app.info)
    assert len(app.chat_input) == 1


def test_question_renders_answer_and_citation(app):
    app.chat_input[0].set_value("Combien de jours dure la formation ?").run()
    assert not app.exception, app.exception
    assert any("3 jours" in md.value for md in app.markdown)
    labels = [e.label for e in app.expander]
    assert labels and labels[0].startswith("[1] Module 9.5") and "page 1" in labels[0]
    assert app.session_state["history"][0]["citations"][0]["page"] == 1

    app.chat_input[0].set_value("Quelle est la capitale du Pérou ?").run()
    assert len(app.session_state["history"]) == 2
    assert app.session_state["history"][1]["refused"] is True
    assert any("ne permettent pas de répondre" in md.value for md in app.markdown)

    app.sidebar.button[0].click().run()
    assert app.session_state["history"] == []
