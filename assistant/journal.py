"""The administration journal: each action taken on the administration page (connection,
refused password, upload, removal, re-ingestion, feedback export) with its time, kept beside
the feedback (``DATA_DIR/feedback.sqlite`` or ``NPNRU_DATABASE_URL``), so that every replica
writes to one journal and an ingestion's copy of the index never loses an entry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from assistant.config import Settings
from assistant.database import actions, connect
from assistant.feedback import feedback_url


def record(settings: Settings, action: str, detail: str = "") -> None:
    with connect(feedback_url(settings), write=True) as db:
        db.execute(
            insert(actions).values(
                at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                action=action,
                detail=detail,
            )
        )


def entries(settings: Settings, limit: int = 50) -> list[dict]:
    """The latest actions, newest first."""
    with connect(feedback_url(settings)) as db:
        rows = db.execute(select(actions).order_by(actions.c.id.desc()).limit(limit)).all()
    return [{"at": r.at, "action": r.action, "detail": r.detail} for r in rows]
