"""Split the question bank, once, into a tuning part and a frozen test part (about 2:1).

The split is stratified by (kind, answerable, follow-up) and deterministic: within each stratum
the lines are ordered by the sha256 of their id and every third goes to the test part. It was
run once, before any tuning, on the pooled question files; the sha256 of ``test.jsonl`` is in the
README. Nothing should ever be moved between the two parts.

Usage: python tests/eval/split_bank.py POOL.jsonl [...] --out tests/eval
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path


def stratum(data: dict) -> tuple:
    return (data["kind"], data["answerable"], bool(data.get("history")))


def split(lines: list[dict]) -> tuple[list[dict], list[dict]]:
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for data in lines:
        strata[stratum(data)].append(data)
    tune, test = [], []
    for key in sorted(strata, key=repr):
        ordered = sorted(strata[key], key=lambda d: hashlib.sha256(d["id"].encode()).hexdigest())
        for position, data in enumerate(ordered):
            (test if position % 3 == 2 else tune).append(data)
    return tune, test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pool", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    lines = [
        json.loads(line)
        for path in args.pool
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for name, part in zip(("tune.jsonl", "test.jsonl"), split(lines), strict=True):
        text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in part)
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{name} : {len(part)} questions, sha256 {hashlib.sha256(text.encode()).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
