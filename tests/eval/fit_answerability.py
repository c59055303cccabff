"""Fit the answerability model on the tuning part of the question bank, and choose its two
thresholds from its cross-validated precision–recall curve.

1. Each question of ``tune.jsonl`` is answered as ``npnru ask`` would (a follow-up made
   standalone, the top k passages) and described by the features of ``assistant.grounding``.
2. A logistic regression on the standardised features; its regularisation is chosen by
   stratified 5-fold cross-validation repeated 10 times with other folds (mean log-loss), and
   every question gets an out-of-fold probability in each repetition.
3. On each repetition's out-of-fold probabilities: ``refuse_below`` is the highest threshold
   that refuses at most ``--max-answerable-refused`` of the answerable questions;
   ``answer_from`` is the lowest threshold that answers with confidence at most
   ``--max-unanswerable-answered`` of the unanswerable ones. The model keeps the median of
   each over the repetitions, and the figures at both thresholds are written with it.

Usage: .venv/bin/python tests/eval/fit_answerability.py --questions tests/eval/tune.jsonl \\
           --corpus corpus/documents ../shared/corpus/lois ../shared/corpus/cch-2015 \\
           [--drop FEATURE ...]
(the application's corpus: the programme PDF and the fiches, with the laws and the code)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.evaluation import corpus_settings, history_turns, load_questions  # noqa: E402
from assistant.followup import standalone  # noqa: E402
from assistant.grounding import FEATURES, MODEL_FILE, measure  # noqa: E402
from assistant.retrieval import corpus_frequency, search, sentence_similarities  # noqa: E402

C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
# Cross-validations repeated with other folds (see ``repeated``).
REPEATS = 10
SEED = 20261126


def feature_rows(settings, questions, k: int) -> list[dict[str, float]]:
    frequency = corpus_frequency(settings)
    rows = []
    for number, q in enumerate(questions, start=1):
        searched = standalone(q.question, history_turns(q))
        passages = search(settings, searched, k)
        if not passages:
            raise SystemExit(f"{q.id} : aucun passage, l'index est vide ?")
        ranked = sentence_similarities(settings, searched, passages)
        rows.append(measure(searched, passages, frequency, ranked)[0])
        if number % 50 == 0 or number == len(questions):
            print(f"{number}/{len(questions)} questions mesurées", file=sys.stderr)
    return rows


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float, seed: int = SEED) -> np.ndarray:
    """Each question's probability from a model fitted without its fold."""
    probabilities = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    for train, held in folds.split(x, y):
        mean, scale = standardise(x[train])
        model = LogisticRegression(C=c, max_iter=1000)
        model.fit((x[train] - mean) / scale, y[train])
        probabilities[held] = model.predict_proba((x[held] - mean) / scale)[:, 1]
    return probabilities


def repeated(x: np.ndarray, y: np.ndarray, c: float) -> list[np.ndarray]:
    """The out-of-fold probabilities of ``REPEATS`` cross-validations with other folds: one
    split into folds moves a threshold by several questions, their median much less."""
    return [out_of_fold(x, y, c, SEED + repeat) for repeat in range(REPEATS)]


def figures(p: np.ndarray, y: np.ndarray, refuse_below: float, answer_from: float) -> dict:
    refused = p < refuse_below
    answered = p >= answer_from
    none = y == 0

    def share(part, whole) -> float:
        return round(float(part.sum() / max(1, whole.sum())), 4)

    return {
        "refusal_precision": share(refused & none, refused),
        "refusal_recall": share(refused & none, none),
        "answerable_refused": share(refused & ~none, ~none),
        "unanswerable_answered": share(answered & none, none),
        "uncertain": round(float((~refused & ~answered).mean()), 4),
    }


def thresholds(
    p: np.ndarray, y: np.ndarray, max_answerable_refused: float, max_unanswerable_answered: float
) -> tuple[float, float]:
    candidates = np.unique(np.concatenate([[0.0, 1.0], p]))
    # Midpoints between neighbouring probabilities: a threshold never sits on a question.
    cuts = (candidates[:-1] + candidates[1:]) / 2
    answerable = p[y == 1]
    unanswerable = p[y == 0]
    refuse_below = max(
        (t for t in cuts if (answerable < t).mean() <= max_answerable_refused), default=0.0
    )
    answer_from = min(
        (t for t in cuts if (unanswerable >= t).mean() <= max_unanswerable_answered), default=1.0
    )
    return float(refuse_below), float(max(answer_from, refuse_below))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "eval" / "tune.jsonl")
    parser.add_argument("--corpus", type=Path, nargs="+", required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--drop", nargs="*", default=[], choices=sorted(FEATURES))
    parser.add_argument("--max-answerable-refused", type=float, default=0.04)
    parser.add_argument("--max-unanswerable-answered", type=float, default=0.08)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--dry-run", action="store_true", help="afficher sans écrire le modèle")
    parser.add_argument(
        "--details", type=Path, help="écrire les mesures et probabilités hors pli (JSON lines)"
    )
    args = parser.parse_args(argv)

    settings = corpus_settings(get_settings(), args.corpus)
    questions = load_questions(args.questions)
    names = [name for name in FEATURES if name not in args.drop]
    rows = feature_rows(settings, questions, args.k)
    x = np.array([[row[name] for name in names] for row in rows])
    y = np.array([1 if q.answerable else 0 for q in questions])

    runs = {c: repeated(x, y, c) for c in C_GRID}
    losses = {c: float(np.mean([log_loss(y, p) for p in runs[c]])) for c in C_GRID}
    c = min(losses, key=losses.get)
    cuts = [
        thresholds(p, y, args.max_answerable_refused, args.max_unanswerable_answered)
        for p in runs[c]
    ]
    refuse_below = float(np.median([cut[0] for cut in cuts]))
    answer_from = float(max(np.median([cut[1] for cut in cuts]), refuse_below))
    # The figures below are those of the averaged out-of-fold probabilities.
    p = np.mean(runs[c], axis=0)
    if args.details:
        with args.details.open("w", encoding="utf-8") as out:
            for q, row, probability in zip(questions, rows, p, strict=True):
                line = {"id": q.id, "answerable": q.answerable, "p": round(float(probability), 4)}
                out.write(json.dumps({**line, **row}, ensure_ascii=False) + "\n")
    mean, scale = standardise(x)
    model = LogisticRegression(C=c, max_iter=1000).fit((x - mean) / scale, y)
    cv = figures(p, y, refuse_below, answer_from)
    auc = roc_auc_score(y, p)
    print(f"C = {c} (log-loss par validation croisée : {losses[c]:.4f}), AUC {auc:.4f}")
    print(f"seuils : refus sous {refuse_below:.4f}, réponse dès {answer_from:.4f}")
    print("validation croisée :", cv)
    for name, coef in zip(names, model.coef_[0], strict=True):
        print(f"  {name:<15} {coef:+.3f}")
    data = {
        "version": 1,
        "fitted": dt.date.today().isoformat(),
        "questions": str(args.questions.resolve().relative_to(ROOT)),
        "questions_sha256": hashlib.sha256(args.questions.read_bytes()).hexdigest(),
        "n": {"answerable": int(y.sum()), "unanswerable": int((1 - y).sum())},
        "top_k": args.k,
        "features": names,
        "definitions": {name: FEATURES[name] for name in names},
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "regularisation_C": c,
        "thresholds": {
            "refuse_below": round(refuse_below, 6),
            "answer_from": round(answer_from, 6),
            "rule": (
                f"refuse_below : le plus haut seuil qui refuse au plus "
                f"{args.max_answerable_refused:.0%} des questions avec réponse ; answer_from : le "
                f"plus bas qui répond avec assurance à au plus "
                f"{args.max_unanswerable_answered:.0%} des questions sans réponse (probabilités "
                f"hors pli, validation croisée à {FOLDS} plis répétée {REPEATS} fois, médiane des "
                f"seuils)"
            ),
        },
        "cross_validation": {"auc": round(float(roc_auc_score(y, p)), 4), **cv},
    }
    if not args.dry_run:
        args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"modèle écrit : {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
