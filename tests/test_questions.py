"""Questions that cannot be searched as typed (empty, blank, a pasted page, control characters,
another language) get a French reply, in the CLI and in the app, never a traceback."""

import json
import subprocess
import sys

import pytest

from assistant.questions import MAX_QUESTION_CHARS, clean, problem
from tests.test_app import _app

CASES = {
    "": "Votre question est vide",
    "   \t\n  ": "Votre question est vide",
    "?! …": "Votre question est vide",
    "x" * 10_000: "Votre question fait 10\u202f000 caractères",
    "a" * 200 + " ?": "Votre question ne contient aucun mot",
    "What is the quorum of the allocation committee?": "posez votre question en français",
    "¿Quién preside la comisión de atribución?": "posez votre question en français",
    "Кто председатель комиссии?": "posez votre question en français",
}


def test_cleaning_and_language():
    assert clean("Qui\x00 préside\x07 la\u200b CALEOL\r\n ?") == "Qui préside la CALEOL ?"
    assert clean("Qui pre\u0301side ?") == "Qui préside ?"
    # French questions with the domain's abbreviations, an English word or Spanish-looking
    # function words are searched.
    for question in [
        "CALEOL ?",
        "SLS",
        "La CUS de 2017 ?",
        "Le quorum de la CALEOL, what ?",
        "Il y a combien de membres à la CALEOL ?",
        "Que veut dire anticonstitutionnellement ?",
        ("Qui préside la CALEOL ? " * 100)[:MAX_QUESTION_CHARS],
    ]:
        assert problem(clean(question)) is None, question


@pytest.mark.parametrize("question", list(CASES))
def test_cli_replies_in_french(programme_index, question):
    run = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(programme_index.data_dir)]
        + ["ask", question, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    answer = json.loads(run.stdout)
    assert CASES[question] in answer["answer"]
    assert answer["outcome"] == "refusal" and answer["reason"] and answer["citations"] == []


def test_control_characters_are_dropped_and_the_question_answered(programme_index):
    run = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(programme_index.data_dir)]
        + ["ask", "Combien de\x01 jours\x1b dure\u200b la formation ?"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "3 jours" in run.stdout and "Sources :" in run.stdout


def test_app_replies_in_french(programme_index, monkeypatch):
    at = _app(monkeypatch, programme_index)
    asked = 0
    for question in CASES:
        at.chat_input[0].set_value(question).run()
        assert not at.exception, at.exception
        history = at.session_state["history"]
        if len(history) == asked:
            # Streamlit may not submit a blank message at all: then nothing is asked.
            assert not question.strip(), question
            continue
        asked += 1
        assert len(history) == asked and history[-1]["outcome"] == "refusal"
        if len(question) > MAX_QUESTION_CHARS:
            # The chat box keeps the first characters only: 2,000 « x », no word.
            assert len(history[-1]["question"]) == MAX_QUESTION_CHARS
            assert any("ne contient aucun mot" in md.value for md in at.markdown)
            continue
        assert any(CASES[question] in md.value for md in at.markdown), question
    at.chat_input[0].set_value("Combien de\x00 jours\x1b dure\u200b la formation ?").run()
    assert not at.exception, at.exception
    assert at.session_state["history"][-1]["outcome"] == "answer"
    assert "3 jours" in at.session_state["history"][-1]["answer"]
