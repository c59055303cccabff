"""The evaluation harness, and the development set's thresholds (CI catches regressions)."""

import json

import pytest

from assistant.adapters import NAMES, load_adapter
from assistant.cli import main as cli_main
from assistant.config import PROJECT_ROOT
from assistant.evaluation import (
    EvalError,
    Question,
    answer_pipeline,
    answered_history,
    evaluate,
    is_hit,
    load_questions,
    pipeline_retriever,
    separation,
)
from assistant.retrieval import Passage
from assistant.revision import published
from assistant.store import get_collection
from ingest.manifest import Manifest
from tests.conftest import shared_dir

EVAL = PROJECT_ROOT / "tests" / "eval"
TEST_SET = EVAL / "test.jsonl"


def _passage(doc_id, article=None, page=None, page_end=None, articles=()):
    return Passage(
        rank=1,
        chunk_id="x",
        doc_id=doc_id,
        title="",
        text="",
        score=0.5,
        page_start=page,
        page_end=page_end or page,
        article=article,
        articles=articles,
    )


def test_hit_rules():
    expected = [
        {"doc": "cch-2015/L__livre-iv.md", "article": "L442-5"},
        {"doc": "p.pdf", "page": 3},
    ]
    assert is_hit(_passage("L__livre-iv.md", "L442-5"), expected)
    assert is_hit(_passage("sous/dossier/L__livre-iv.md", "L442-5"), expected)
    assert not is_hit(_passage("L__livre-iv.md", "L442-6"), expected)
    assert is_hit(_passage("p.pdf", page=2, page_end=3), expected)
    assert not is_hit(_passage("p.pdf", page=4), expected)
    assert is_hit(_passage("L__livre-iv.md", articles=("L442-4", "L442-5")), expected)


def test_separation_is_the_area_under_the_roc_curve():
    def line(answerable, probability):
        return {"answerable": answerable, "probability": probability}

    # Answerable 0.9 and 0.4, unanswerable 0.5 and 0.1: 3 of the 4 pairs are in order.
    details = [line(True, 0.9), line(True, 0.4), line(False, 0.5), line(False, 0.1)]
    assert separation(details) == 0.75
    assert separation([line(True, 0.5), line(False, 0.5)]) == 0.5  # a tie counts half
    assert separation([line(True, 0.5)]) is None  # nothing to separate


def test_malformed_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "1", "question": "ok", "answerable": true}\n{"id": 2}\n', encoding="utf-8"
    )
    with pytest.raises(EvalError, match="ligne 2"):
        load_questions(path)


def test_the_question_bank_holds_against_the_documents():
    """tests/eval/check_bank.py: documents, articles, pages and answer keywords all exist,
    the bank has its minimums, and test.jsonl is the file whose sha256 the README gives."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_bank", EVAL / "check_bank.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    problems, counts = module.check(shared_dir("service-public").parent)
    print("banque de questions :", dict(counts))
    assert problems == []
    assert counts["questions"] >= 300 and counts["unanswerable"] >= 90


def test_follow_up_lines_are_made_standalone_as_ask_does(shared_index):
    line = [q for q in load_questions(TEST_SET) if q.history][0]
    found = pipeline_retriever(shared_index, 5)(line, 10)
    from assistant.followup import Turn, standalone

    assert found.searched == standalone(line.question, [Turn(h) for h in line.history])


def test_an_answered_history_lets_a_follow_up_see_the_previous_answer(programme_index):
    # As in the application: « il vient d'où ? » after « Qui anime … ? » is searched with the
    # people the previous answer named, which the question alone does not give.
    first = "Qui anime la séquence 4 sur les attributions comme levier de mixité ?"
    lines = [
        Question(f"q{n}", q, True, [], kind="course", history=[first])
        for n, q in enumerate(["il est rattaché à quelle structure ?", "et la séquence 5 ?"])
    ]
    turns = answered_history(programme_index)
    history = turns(lines[0])
    assert history[0].question == first and "Noyé" in history[0].answer
    # The history's answer is computed once for all the lines that share it.
    assert turns(lines[1])[0] is history[0]
    found = pipeline_retriever(programme_index, 5, turns)(lines[0], 5)
    assert "Noyé" in found.searched
    assert "Noyé" not in pipeline_retriever(programme_index, 5)(lines[0], 5).searched


# The answerability issue's targets on the frozen test part, extractive mode: recall@1 0.85,
# recall@5 0.97, refusal precision 0.85 and recall 0.85, answerable questions refused ≤ 5 %,
# unanswerable ones answered with confidence ≤ 10 %. Measured on the application's corpus at
# the end of session 12 (README): recall@1 0.83, recall@5 0.99, refusal precision 0.86,
# refusal recall 0.71, answerable refused 4.6 %, unanswerable answered 0 %, answer keyword
# recall 0.74 (this fixture's index, built from the programme PDF the tests make, differs by a
# question or two). Recall@5, refusal precision and the two shares are met; recall@1 and
# refusal recall are not. Each guard below is a measured value with a margin of a few
# questions (87 answerable, 34 unanswerable, 78 with answer keywords), because building the
# same index twice can move a question or two (Chroma's HNSW graph and the order of passages
# with equal scores are not deterministic): a regression fails, noise does not. Session 18
# (the learned query adapters, README) measured: recall@1 0.931, recall@5 0.989, refusal
# precision 0.839, refusal recall 0.765, answerable refused 5.7 %, unanswerable answered 0 %,
# answer keywords 0.795, first sentence 0.680, median 73 words.
FLOORS = {
    "recall@1": 0.89,
    "recall@5": 0.95,
    "refusal_precision": 0.78,
    "refusal_recall": 0.70,
}
CEILINGS = {"answerable_refused": 0.085, "unanswerable_answered": 0.09}
# The answer issue's metrics: a floor against regressions, and no invalid citation ever.
ANSWER_FLOORS = {"answer_keyword_recall": 0.74, "answer_first_sentence_recall": 0.61}


def test_the_frozen_test_part_meets_its_targets(shared_index):
    result = evaluate(
        load_questions(TEST_SET), pipeline_retriever(shared_index, 5), answer_pipeline(shared_index)
    )
    keys = [*FLOORS, *CEILINGS, *ANSWER_FLOORS, "invalid_citations", "answer_median_words"]
    # The learned adapters apply to this index: it is the one they learned on.
    ids = get_collection(shared_index.pinned()).get(include=[])["ids"]
    assert all(load_adapter(name).knows(ids) for name in NAMES)
    summary = {key: result[key] for key in keys}
    print("évaluation de test.jsonl :", summary, result["outcomes"])
    assert all(summary[key] >= floor for key, floor in FLOORS.items()), summary
    assert all(summary[key] <= ceiling for key, ceiling in CEILINGS.items()), summary
    assert all(summary[key] >= floor for key, floor in ANSWER_FLOORS.items()), summary
    assert summary["invalid_citations"] == 0, summary


def test_eval_command_indexes_a_corpus_once(model_ready, programme_pdf, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps(
            {
                "id": "duree",
                "question": "Combien de jours dure la formation ?",
                "answerable": True,
                "expected": [{"doc": "module-9-5-programme.pdf", "page": 1}],
            }
        )
        + "\n"
        + json.dumps(
            {
                "id": "hors",
                "question": "Quelle est la capitale du Pérou ?",
                "answerable": False,
                "expected": [],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    args = [
        "--data-dir",
        str(tmp_path / "data"),
        "eval",
        "--questions",
        str(questions),
        "--corpus",
        str(programme_pdf.parent),
        "--json",
    ]
    assert cli_main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["n"] == 2 and first["recall@5"] == 1.0 and first["refusal_recall"] == 1.0
    # The answerable question is more probably answerable than the other: full separation.
    assert first["refusal_auc"] == 1.0
    # Without a generative backend, every answer given is the extractive one.
    assert first["answer_backends"] == {"extractif": 1.0}
    assert set(first) >= {
        "recall@1",
        "recall@5",
        "recall@10",
        "mrr@10",
        "refusal_precision",
        "refusal_recall",
        "n",
        "details",
        "latency_ms",
    }
    assert cli_main(args) == 0
    assert json.loads(capsys.readouterr().out)["recall@5"] == 1.0
    (index_dir,) = (tmp_path / "data" / "eval").iterdir()
    manifest = Manifest(published(index_dir))
    assert len(manifest.recent_runs()) == 1  # the second evaluation reused the index
    manifest.close()
