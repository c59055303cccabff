"""The whole path on the real programme PDF: ingest, search, ask, with the real model."""

import json
import re
import subprocess
import sys

from assistant.answer import REFUSAL, answer_question
from assistant.cli import main as cli_main
from assistant.evaluation import first_sentence
from assistant.retrieval import NpnruRetriever, search
from ingest.index import ingest

PROGRAMME = "module-9-5-programme.pdf"


def test_duration_question_cites_the_programme_with_a_page(programme_index):
    answer = answer_question(programme_index, "Combien de jours dure la formation ?")
    assert not answer.refused
    assert "3 jours" in answer.text
    assert answer.citations
    first = answer.citations[0]
    assert first.doc_id == PROGRAMME and first.page == 1
    assert "[1]" in answer.text
    assert "3 jours" in first.passage


def test_second_day_question_cites_page_three(programme_index):
    answer = answer_question(programme_index, "Qui intervient le deuxième jour ?")
    assert not answer.refused
    # Day 2's page, and page 1 only for the line that says who the trainer is.
    assert answer.citations[0].page == 3
    assert all(
        c.page == 3 or (c.page == 1 and "Enseignants principaux : Christophe Noyé" in c.passage)
        for c in answer.citations
    ), [(c.page, c.passage[:60]) for c in answer.citations]
    # The day's trainer leads the answer (recomposed from the programme's layout).
    assert "Christophe Noyé" in first_sentence(answer.text)


def test_out_of_scope_question_is_refused(programme_index):
    answer = answer_question(programme_index, "Quelle est la capitale du Pérou ?")
    assert answer.refused
    assert answer.text.startswith(REFUSAL) and not answer.citations
    # The reason (here, the name the passages do not mention), and the closest document.
    assert "Pérou" in answer.reason and answer.reason in answer.text and len(answer.leads) == 1
    assert answer.leads[0] in answer.text
    assert answer.citations == []


def test_every_marker_points_to_a_citation(programme_index):
    for question in ("Qu'est-ce que la CALEOL ?", "Quel est le public de la formation ?"):
        answer = answer_question(programme_index, question)
        numbers = {c.n for c in answer.citations}
        markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
        assert markers and markers == numbers


def test_search_returns_ranked_passages(programme_index):
    results = search(programme_index, "cotation de la demande et gestion en flux", 5)
    assert [r.rank for r in results] == [1, 2, 3, 4, 5]
    assert results[0].page == 2 and "cotation" in results[0].text
    assert len({r.chunk_id for r in results}) == 5
    docs = NpnruRetriever(settings=programme_index, k=2).invoke("gestion en flux")
    assert len(docs) == 2 and docs[0].metadata["doc_id"] == PROGRAMME


def test_second_ingestion_changes_nothing(programme_index):
    report = ingest(programme_index)
    assert report.unchanged == [PROGRAMME]
    assert report.added == report.updated == report.deleted == []
    assert report.chunks == 0 and report.total_chunks > 0


def test_cli_json_schemas(programme_index, capsys):
    data_dir = str(programme_index.data_dir)
    assert (
        cli_main(["--data-dir", data_dir, "ask", "Qui intervient le deuxième jour ?", "--json"])
        == 0
    )
    asked = json.loads(capsys.readouterr().out)
    # The schema documented in the README.
    assert set(asked) == {
        "question",
        "searched",
        "answer",
        "outcome",
        "refused",
        "confidence",
        "reason",
        "leads",
        "citations",
        "unsupported",
        "warnings",
        "notices",
        "backend",
    }
    assert set(asked["citations"][0]) == {
        "n",
        "doc_id",
        "title",
        "page",
        "article",
        "passage",
        "score",
        "kind",
        "date",
        "attribution",
        "spans",
        "recomposed",
        "page_end",
        "licence",
        "source_url",
        "chunk_id",
    }
    assert asked["citations"][0]["doc_id"] == PROGRAMME and asked["citations"][0]["page"] == 3

    assert cli_main(["search", "CALEOL", "--json", "--data-dir", data_dir]) == 0
    found = json.loads(capsys.readouterr().out)
    assert set(found["results"][0]) == {
        "rank",
        "doc_id",
        "chunk_id",
        "page",
        "article",
        "text",
        "score",
    }

    assert (
        cli_main(["ingest", "--json", "--data-dir", data_dir, str(programme_index.corpus_dirs[0])])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["unchanged"] == 1 and report["added"] == 0 and report["chunks"] == 0
    assert report["failed"] == []

    assert cli_main(["stats", "--json", "--data-dir", data_dir]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 1 and stats["chunks"] == report["total_chunks"]


def test_console_script_runs_in_a_fresh_process(programme_index):
    """The installed `npnru` entry point, as a user types it."""
    npnru = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "--data-dir",
            str(programme_index.data_dir),
            "ask",
            "Combien de jours dure la formation ?",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "3 jours" in npnru.stdout
    assert "Sources :" in npnru.stdout and "p. 1" in npnru.stdout
