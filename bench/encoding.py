"""Encoding speed of the embedding model by engine, on the same passages, in one process.

Passages are articles of ../shared/corpus/scale/articles.jsonl cut at 1,200 characters (the
size of the project's chunks), encoded as documents with a title. Each engine encodes them all
once; speeds are passages per second and ratios to PyTorch bf16 (the default) measured in the
same run; vectors are compared by cosine to PyTorch fp32's.

Usage: .venv/bin/python bench/encoding.py [--passages 192] [--engines torch-bf16 openvino-bf16]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.embeddings import SentenceEmbeddings  # noqa: E402

ARTICLES = ROOT.parent / "shared" / "corpus" / "scale" / "articles.jsonl"
ENGINES = ("torch-fp32", "torch-bf16", "openvino-fp32", "openvino-bf16")


def passages(count: int) -> list[tuple[str, str]]:
    pairs = []
    with ARTICLES.open(encoding="utf-8") as lines:
        for line in lines:
            data = json.loads(line)
            if len(data["text"]) >= 200:
                pairs.append((f"{data['code']}, article {data['article']}", data["text"][:1200]))
            if len(pairs) == count:
                break
    return pairs


def run(engines: list[str], count: int) -> list[dict]:
    settings = get_settings()
    pairs = passages(count)
    sha = settings.embedding_sha256 if settings.verifies_embedding_hash() else None
    rows, vectors = [], {}
    for engine in ["torch-fp32", *[e for e in engines if e != "torch-fp32"]]:
        backend, dtype = engine.split("-")
        model = SentenceEmbeddings(
            settings.embedding_model, dtype, settings.embedding_batch_size, sha, "cpu", backend
        )
        model.embed_titled(pairs[:4])  # warm-up (and, once, the OpenVINO conversion)
        start = time.perf_counter()
        vectors[engine] = np.array(model.embed_titled(pairs))
        seconds = time.perf_counter() - start
        rows.append({"engine": engine, "seconds": seconds, "per_second": len(pairs) / seconds})
        del model
    baseline = next((r for r in rows if r["engine"] == "torch-bf16"), rows[0])
    reference = vectors["torch-fp32"]
    for row in rows:
        cosines = np.sum(vectors[row["engine"]] * reference, axis=1)
        row["ratio"] = baseline["seconds"] / row["seconds"]
        row["cos_min"] = float(cosines.min())
        row["cos_mean"] = float(cosines.mean())
    return [r for r in rows if r["engine"] in engines]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=192)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not ARTICLES.is_file():
        print(f"Ignoré : {ARTICLES} est absent.")
        return 0
    rows = run(args.engines, args.passages)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{args.passages} passages (≤ 1 200 caractères, avec leur titre), 2 cœurs")
    print("| moteur | passages/s | rapport à torch-bf16 | cosinus à torch-fp32 (min / moyen) |")
    print("|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['engine']} | {row['per_second']:.1f} | {row['ratio']:.2f} | "
            f"{row['cos_min']:.4f} / {row['cos_mean']:.5f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
