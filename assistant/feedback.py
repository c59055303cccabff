"""Trainees' feedback on answers (👍/👎, a reason, a comment), with what is needed to
investigate: the question, the answer, its citations and the ids of the passages retrieved.
Kept in ``DATA_DIR/feedback.sqlite``, or in the database every replica shares when
``NPNRU_DATABASE_URL`` is set (assistant/database.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy import insert, select

from assistant.config import Settings
from assistant.database import connect, feedback, sqlite_url

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


def feedback_url(settings: Settings) -> str:
    return settings.database_url or sqlite_url(settings.data_dir / FILE)


def record(
    settings: Settings,
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
    with connect(feedback_url(settings), write=True) as db:
        result = db.execute(
            insert(feedback).values(
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                rating=rating,
                reason=reason,
                comment=comment.strip(),
                question=question,
                answer=answer,
                citations=json.dumps(citations, ensure_ascii=False),
                chunk_ids=json.dumps(chunk_ids),
            )
        )
        return int(result.inserted_primary_key[0])


def entries(settings: Settings) -> list[dict]:
    """All opinions, newest first."""
    url = feedback_url(settings)
    if url.startswith("sqlite") and not (settings.data_dir / FILE).is_file():
        return []
    with connect(url) as db:
        rows = db.execute(select(feedback).order_by(feedback.c.id.desc())).mappings().all()
    found = []
    for row in rows:
        entry = {column: row[column] for column in COLUMNS}
        entry["citations"] = json.loads(entry["citations"])
        entry["chunk_ids"] = json.loads(entry["chunk_ids"])
        found.append(entry)
    return found


# A cell a spreadsheet would read as a formula (« =HYPERLINK(…) » typed in a comment or a
# question): kept as text by a leading apostrophe, as spreadsheets themselves do.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(settings: Settings) -> str:
    """The opinions as CSV for a spreadsheet; no cell can run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in entries(settings):
        row = dict(entry)
        row["citations"] = json.dumps(entry["citations"], ensure_ascii=False)
        row["chunk_ids"] = " ".join(entry["chunk_ids"])
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()
