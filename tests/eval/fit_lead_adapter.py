"""Learn the lead adapter (``assistant/lead_adapter.py``) on the tuning part of the question bank.

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
   figures; then the adapter is learned on every question.

Usage: .venv/bin/python tests/eval/fit_lead_adapter.py \\
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
from assistant.answer import _usable  # noqa: E402
from assistant.config import get_settings  # noqa: E402
from assistant.evaluation import (  # noqa: E402
    corpus_settings,
    has_keywords,
    history_turns,
    load_questions,
)
from assistant.followup import standalone  # noqa: E402
from assistant.grounding import REFUSAL  # noqa: E402
from assistant.lead_adapter import ADAPTER_FILE  # noqa: E402
from assistant.retrieval import query_vector, search, support, unit_vectors  # noqa: E402

SEED = 20261128


def lot(question_id: str) -> str:
    """The lot a question comes from: its « nN- » prefix, or the first bank."""
    match = re.match(r"n\d+(?=-)", question_id)
    return match.group() if match else "first"


def candidates(settings, questions, k: int) -> list[dict]:
    """For each answered question with keywords: its vector, and for each lead candidate its
    score without meaning, its vector and whether it holds the keywords."""
    rows = []
    kept = [q for q in questions if q.answerable and q.answer_keywords]
    for number, q in enumerate(kept, start=1):
        searched = standalone(q.question, history_turns(q))
        passages = search(settings, searched, k)
        if passages and support(settings, searched, passages).outcome != REFUSAL:
            usable = _usable(passages)
            asks, units, scored = extractive.scored_candidates(searched, usable, None)
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
                rows.append(
                    {
                        "id": q.id,
                        "lot": lot(q.id),
                        "query": np.asarray(
                            query_vector(settings, extractive.own_words(searched)), np.float32
                        ),
                        "other": np.asarray(other, np.float32),
                        "vectors": np.asarray(unit_vectors(settings, texts), np.float32),
                        "right": np.asarray(right, np.float32),
                    }
                )
        if number % 50 == 0 or number == len(kept):
            print(f"{number}/{len(kept)} questions lues", file=sys.stderr, flush=True)
    return rows


class Adapter(torch.nn.Module):
    def __init__(self, dimension: int, rank: int, seed: int) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.down = torch.nn.Parameter(torch.randn(rank, dimension, generator=generator) * 0.01)
        self.up = torch.nn.Parameter(torch.zeros(dimension, rank))
        self.log_temperature = torch.nn.Parameter(torch.zeros(()))

    def scores(self, row: dict, weight: float) -> torch.Tensor:
        q = torch.from_numpy(row["query"])
        turned = q + self.up @ (self.down @ q)
        turned = turned / turned.norm()
        return torch.from_numpy(row["other"]) + weight * (torch.from_numpy(row["vectors"]) @ turned)


def learn(rows: list[dict], args, weight: float) -> Adapter:
    torch.manual_seed(SEED)
    model = Adapter(rows[0]["query"].shape[0], args.rank, SEED)
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
                s = model.scores(row, weight) / model.log_temperature.exp().clamp(min=0.03)
                right = torch.from_numpy(row["right"]) > 0
                loss = loss - (torch.logsumexp(s[right], 0) - torch.logsumexp(s, 0))
            penalty = model.down.pow(2).sum() + model.up.pow(2).sum()
            (loss / len(batch) + args.l2 * penalty).backward()
            optimiser.step()
    return model


def leads_right(rows: list[dict], weight: float, model: Adapter | None) -> int:
    """How many questions get a right lead (the best-scored candidate)."""
    count = 0
    with torch.no_grad():
        for row in rows:
            if model is None:
                q = torch.from_numpy(row["query"])
                s = torch.from_numpy(row["other"]) + weight * (torch.from_numpy(row["vectors"]) @ q)
            else:
                s = model.scores(row, weight)
            count += int(row["right"][int(s.argmax())] > 0)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/eval/tune.jsonl")
    parser.add_argument("--corpus", type=Path, nargs="+", required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--out", type=Path, default=ADAPTER_FILE)
    parser.add_argument("--dry-run", action="store_true", help="mesurer sans écrire le fichier")
    args = parser.parse_args()
    if args.questions.name == "test.jsonl":
        raise SystemExit("test.jsonl est gelé : le correcteur s'apprend sur tune.jsonl.")
    torch.set_num_threads(2)
    settings = corpus_settings(get_settings(), args.corpus)
    if not settings.verifies_embedding_hash():
        raise SystemExit(
            "Le correcteur s'apprend pour le modèle par défaut, vérifié par son empreinte."
        )
    weight = extractive.LEAD_WEIGHTS["meaning"]
    questions = load_questions(args.questions)
    rows = candidates(settings, questions, args.k)
    lots = sorted({row["lot"] for row in rows})
    folds = []
    for name in lots:
        left_out = [r for r in rows if r["lot"] == name]
        model = learn([r for r in rows if r["lot"] != name], args, weight)
        before, after = leads_right(left_out, weight, None), leads_right(left_out, weight, model)
        folds.append({"lot": name, "questions": len(left_out), "before": before, "after": after})
        print(f"lot {name} ({len(left_out)}) : {before} → {after} têtes justes", flush=True)
    before = sum(f["before"] for f in folds)
    after = sum(f["after"] for f in folds)
    reachable = sum(int(r["right"].sum() > 0) for r in rows)
    print(
        f"validation croisée par lot : {before} → {after} têtes justes sur {len(rows)} "
        f"({reachable} avec une candidate juste)"
    )
    model = learn(rows, args, weight)
    data = {
        "version": 1,
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
            "meaning_weight": weight,
        },
        "cross_validation": {
            "by": "lot laissé de côté",
            "questions": len(rows),
            "with_a_right_candidate": reachable,
            "right_leads_without": before,
            "right_leads_with": after,
            "folds": folds,
        },
        "down": [[round(float(x), 6) for x in line] for line in model.down.detach().numpy()],
        "up": [[round(float(x), 6) for x in line] for line in model.up.detach().numpy()],
    }
    if args.dry_run:
        return
    args.out.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"correcteur écrit : {args.out}")


if __name__ == "__main__":
    main()
