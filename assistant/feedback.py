"""Trainees' feedback on answers (👍/👎, a reason, a comment), kept in SQLite beside the index
with what is needed to investigate: the question, the answer, its citations and the ids of the
passages retrieved."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

REASONS = ["citation incorrecte", "réponse incomplète", "hors sujet", "autre"]
FILE = "feedback.sqlite"
COLUMNS = [
    "id",
    "created_at",
    "rating",
    "reason",
    "comment",
    "question",
    "answer",
    "citations",
    "chunk_ids",
]


def _connect(data_dir: Path) -> sqlite3.Connection:
    data_dir.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(data_dir / FILE)
    connection.execute(
        """CREATE TABLE IF NOT EXISTS feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            rating INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            citations TEXT NOT NULL,
            chunk_ids TEXT NOT NULL
        )"""
    )
    return connection


def record(
    data_dir: Path,
    *,
    rating: int,
    question: str,
    answer: str,
    citations: list[dict],
    chunk_ids: list[str],
    reason: str = "",
    comment: str = "",
) -> int:
    """Store one opinion (rating +1 or -1); return its id."""
    if rating not in (1, -1):
        raise ValueError("la note doit valoir 1 (👍) ou -1 (👎)")
    with _connect(data_dir) as connection:
        cursor = connection.execute(
            "INSERT INTO feedback (created_at, rating, reason, comment, question, answer, "
            "citations, chunk_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                rating,
                reason,
                comment.strip(),
                question,
                answer,
                json.dumps(citations, ensure_ascii=False),
                json.dumps(chunk_ids),
            ),
        )
        return int(cursor.lastrowid)


def entries(data_dir: Path) -> list[dict]:
    """All opinions, newest first."""
    if not (data_dir / FILE).is_file():
        return []
    with _connect(data_dir) as connection:
        rows = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id DESC"
        ).fetchall()
    found = []
    for row in rows:
        entry = dict(zip(COLUMNS, row, strict=True))
        entry["citations"] = json.loads(entry["citations"])
        entry["chunk_ids"] = json.loads(entry["chunk_ids"])
        found.append(entry)
    return found


def to_csv(data_dir: Path) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in entries(data_dir):
        row = dict(entry)
        row["citations"] = json.dumps(entry["citations"], ensure_ascii=False)
        row["chunk_ids"] = " ".join(entry["chunk_ids"])
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()
