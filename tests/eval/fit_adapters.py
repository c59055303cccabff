"""Learn the query adapters (``assistant/adapters.py``) on the tuning part of the question bank.

Search adapter: each answerable question of ``tune.jsonl`` is made standalone and its search
candidates gathered as ``retrieval.search`` gathers them (``retrieval.candidates``); a
candidate is right when it is an expected passage (``evaluation.is_hit``); the score is the
fused one of ``retrieval.fused_scores`` with the question's (and its ask's) vector turned.
Questions whose named article comes first whatever the scores teach nothing.

Lead adapter:
1. Each answerable question of ``tune.jsonl`` with answer keywords is answered as ``npnru ask``
   would (a follow-up made standalone, the top k passages, the decision model); refused ones
   are left out. The composer's lead candidates are scored as ``extractive.pick`` scores them,
   without their meaning; a candidate is right when it (with the sentence that continues it)
   holds every answer keyword.
2. The score with meaning is that score plus ``LEAD_WEIGHTS["meaning"]`` × the cosine between
   the turned question vector q' = q + U·(D·q) (normalised) and the candidate's vector. D and U
   (rank ``--rank``) are learned by Adam on a listwise loss (the log-probability, under a
   softmax with a learned temperature, of the right candidates), with an L2 penalty.
3. The gain is measured by cross-validation across the bank's lots: each lot written by one
   author (n3 … n12, and the rest together) is in turn left out, the adapter learned on the
   others, and the lead chosen on the left-out lot with and without it. The file keeps these
   figures; then the adapter is learned on every question. ``--folds kind --dry-run`` leaves
   out each family of documents instead (what an adapter is worth on documents it never saw).

The search adapter is learned (and written) first: the lead adapter learns on the passages
the adapted search finds.

Usage: .venv/bin/python tests/eval/fit_adapters.py [--which search lead] \\
           --corpus corpus/documents ../shared/corpus/lois ../shared/corpus/cch-2015
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant import extractive  # noqa: E402
from assistant.adapters import adapter_file, chunk_digest, load_adapter  # noqa: E402
from assistant.answer import _usable  # noqa: E402
from assistant.config import get_settings  # noqa: E402
from assistant.evaluation import (  # noqa: E402
    corpus_settings,
    has_keywords,
    history_turns,
    is_hit,
    load_questions,
)
from assistant.followup import standalone  # noqa: E402
from assistant.grounding import REFUSAL  # noqa: E402
from assistant.retrieval import (  # noqa: E402
    ASK_WEIGHT,
    candidates,
    query_vector,
    search,
    support,
    unit_vectors,
)
from assistant.store import get_collection  # noqa: E402

SEED = 20261128


def lot(question_id: str) -> str:
    """The lot a question comes from: its « nN- » prefix, or the first bank."""
    match = re.match(r"n\d+(?=-)", question_id)
    return match.group() if match else "first"


def _row(q, queries, weights, other, vectors, right) -> dict:
    return {
        "id": q.id,
        "lot": lot(q.id),
        "kind": q.kind,
        "queries": np.asarray(queries, np.float32),
        "weights": np.asarray(weights, np.float32),
        "other": np.asarray(other, np.float32),
        "vectors": np.asarray(vectors, np.float32),
        "right": np.asarray(right, np.float32),
    }


def _progress(number: int, total: int) -> None:
    if number % 50 == 0 or number == total:
        print(f"{number}/{total} questions lues", file=sys.stderr, flush=True)


def search_rows(settings, questions) -> tuple[list[dict], int, int]:
    """For each answerable question: its vector (and its ask's), and for each search candidate
    the rest of its fused score, its vector and whether it is expected. Also how many
    questions have their named article first, right or not (the adapter changes nothing
    there)."""
    collection = get_collection(settings.pinned())
    rows, exact_right, exact_total = [], 0, 0
    kept = [q for q in questions if q.answerable and q.expected]
    for number, q in enumerate(kept, start=1):
        found = candidates(settings, collection, standalone(q.question, history_turns(q)))
        if found.exact:
            exact_total += 1
            exact_right += is_hit(found.exact[0], q.expected)
        elif found.embeddings:
            ids = list(found.embeddings)
            ask = ASK_WEIGHT if len(found.vectors) > 1 else 0.0
            weights = [1 - ask, ask] if ask else [1.0]
            rows.append(
                _row(
                    q,
                    found.vectors,
                    weights,
                    [found.rest[c] for c in ids],
                    [found.embeddings[c] for c in ids],
                    [is_hit(found.found[c], q.expected) for c in ids],
                )
            )
        _progress(number, len(kept))
    return rows, exact_right, exact_total


def lead_rows(settings, questions, k: int) -> list[dict]:
    """For each answered question with keywords: its vector, and for each lead candidate its
    score without meaning, its vector and whether it holds the keywords."""
    rows = []
    weight = extractive.LEAD_WEIGHTS["meaning"]
    kept = [q for q in questions if q.answerable and q.answer_keywords]
    for number, q in enumerate(kept, start=1):
        searched = standalone(q.question, history_turns(q))
        passages = search(settings, searched, k)
        if passages and support(settings, searched, passages).outcome != REFUSAL:
            usable = _usable(passages)
            _, units, scored = extractive.scored_candidates(searched, usable, None)
            lead = [item for item in scored if item[1][0] is not None]
            if lead:
                texts = [extractive._joined(item[4]) for item in lead]
                other = [
                    sum(extractive.LEAD_WEIGHTS[name] * v for name, v in features.items())
                    + relevance[0]
                    + around[0]
                    for features, relevance, _, _, _, _, around in lead
                ]
                right = [
                    has_keywords(
                        extractive._joined(
                            extractive._continued(units[passage.chunk_id], index, parts)
                        ),
                        q.answer_keywords,
                    )
                    for _, _, _, index, parts, passage, _ in lead
                ]
                own = query_vector(settings, extractive.own_words(searched))
                rows.append(_row(q, [own], [weight], other, unit_vectors(settings, texts), right))
        _progress(number, len(kept))
    return rows


class Adapter(torch.nn.Module):
    def __init__(self, dimension: int, rank: int) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(SEED)
        self.down = torch.nn.Parameter(torch.randn(rank, dimension, generator=generator) * 0.01)
        self.up = torch.nn.Parameter(torch.zeros(dimension, rank))
        self.log_temperature = torch.nn.Parameter(torch.tensor(-2.0))

    def scores(self, row: dict) -> torch.Tensor:
        queries = torch.from_numpy(row["queries"])
        turned = queries + (queries @ self.down.T) @ self.up.T
        turned = turned / turned.norm(dim=1, keepdim=True)
        cosines = torch.from_numpy(row["vectors"]) @ turned.T
        return torch.from_numpy(row["other"]) + cosines @ torch.from_numpy(row["weights"])


def plain_scores(row: dict) -> np.ndarray:
    return row["other"] + (row["vectors"] @ row["queries"].T) @ row["weights"]


def learn(rows: list[dict], args) -> Adapter:
    torch.manual_seed(SEED)
    model = Adapter(rows[0]["queries"].shape[1], args.rank)
    # Only questions with a right and a wrong candidate teach anything.
    taught = [r for r in rows if 0 < r["right"].sum() < len(r["right"])]
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    shuffle = random.Random(SEED)
    for _ in range(args.epochs):
        shuffle.shuffle(taught)
        for start in range(0, len(taught), args.batch):
            batch = taught[start : start + args.batch]
            optimiser.zero_grad()
            loss = torch.zeros(())
            for row in batch:
                s = model.scores(row) / model.log_temperature.exp().clamp(min=0.005)
                right = torch.from_numpy(row["right"]) > 0
                loss = loss - (torch.logsumexp(s[right], 0) - torch.logsumexp(s, 0))
            penalty = model.down.pow(2).sum() + model.up.pow(2).sum()
            (loss / len(batch) + args.l2 * penalty).backward()
            optimiser.step()
    return model


def firsts_right(rows: list[dict], model: Adapter | None) -> int:
    """How many questions get a right candidate first (the best-scored one)."""
    count = 0
    with torch.no_grad():
        for row in rows:
            s = plain_scores(row) if model is None else model.scores(row).numpy()
            count += int(row["right"][int(np.argmax(s))] > 0)
    return count


def known_chunks(settings) -> list[str]:
    ids = get_collection(settings.pinned()).get(include=[])["ids"]
    return sorted({chunk_digest(chunk_id) for chunk_id in ids})


def fit(name: str, rows: list[dict], args, settings, extra: dict) -> None:
    folds = []
    by = args.folds
    for left in sorted({row[by] for row in rows}):
        out = [r for r in rows if r[by] == left]
        model = learn([r for r in rows if r[by] != left], args)
        before, after = firsts_right(out, None), firsts_right(out, model)
        folds.append({by: left, "questions": len(out), "before": before, "after": after})
        print(f"{name}, {by} {left} ({len(out)}) : {before} → {after} justes en tête", flush=True)
    before = sum(f["before"] for f in folds)
    after = sum(f["after"] for f in folds)
    reachable = sum(int(r["right"].sum() > 0) for r in rows)
    print(
        f"{name}, validation croisée ({by} laissé de côté) : {before} → {after} justes en tête sur "
        f"{len(rows)} ({reachable} avec une candidate juste)",
        flush=True,
    )
    model = learn(rows, args)
    data = {
        "version": 1,
        "use": name,
        "fitted": dt.date.today().isoformat(),
        "model_sha256": settings.embedding_sha256,
        "rank": args.rank,
        "questions": args.questions.name,
        "questions_sha256": hashlib.sha256(args.questions.read_bytes()).hexdigest(),
        "training": {
            "epochs": args.epochs,
            "lr": args.lr,
            "batch": args.batch,
            "l2": args.l2,
            "seed": SEED,
        },
        "cross_validation": {
            "by": f"{by} laissé de côté",
            "questions": len(rows),
            "with_a_right_candidate": reachable,
            "right_first_without": before,
            "right_first_with": after,
            "folds": folds,
            **extra,
        },
        # The chunks it learns on: it applies only to questions whose passages are among them.
        "known_chunks": known_chunks(settings),
        "down": [[round(float(x), 6) for x in line] for line in model.down.detach().numpy()],
        "up": [[round(float(x), 6) for x in line] for line in model.up.detach().numpy()],
    }
    if args.dry_run:
        return
    adapter_file(name).write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    load_adapter.cache_clear()
    print(f"correcteur écrit : {adapter_file(name)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/eval/tune.jsonl")
    parser.add_argument("--corpus", type=Path, nargs="+", required=True)
    parser.add_argument(
        "--which", nargs="+", choices=("search", "lead"), default=["search", "lead"]
    )
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--dry-run", action="store_true", help="mesurer sans écrire les fichiers")
    parser.add_argument(
        "--folds",
        choices=("lot", "kind"),
        default="lot",
        help="laisser de côté tour à tour chaque lot de la banque (défaut) ou chaque famille de "
        "documents (course, fiche, law, code : ce que le correcteur vaut sur des documents "
        "qu'il n'a pas vus)",
    )
    args = parser.parse_args()
    if args.questions.name == "test.jsonl":
        raise SystemExit("test.jsonl est gelé : les correcteurs s'apprennent sur tune.jsonl.")
    torch.set_num_threads(2)
    settings = corpus_settings(get_settings(), args.corpus)
    if not settings.verifies_embedding_hash():
        raise SystemExit(
            "Les correcteurs s'apprennent pour le modèle par défaut, vérifié par son empreinte."
        )
    questions = load_questions(args.questions)
    if "search" in args.which:
        rows, exact_right, exact_total = search_rows(settings, questions)
        extra = {"named_article_first": exact_total, "named_article_right": exact_right}
        fit("search", rows, args, settings, extra)
    if "lead" in args.which:
        fit("lead", lead_rows(settings, questions, args.k), args, settings, {})


if __name__ == "__main__":
    main()
