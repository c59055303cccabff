"""The record of what is indexed (one row per document) and of every ingestion run.

A document is ``pending`` from the moment its chunks start to be written until they are all
written and its stale chunks deleted; a run that finds a pending document (a crash, a
``kill -9``) removes that document's chunks and ingests it again. The tables live in the
database of assistant/database.py: the ``manifest.sqlite`` of the index revision in embedded
mode, the shared database (``NPNRU_DATABASE_URL``) in server mode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from assistant.config import Settings
from assistant.database import connect, documents, engine, forget, runs, sqlite_url

FILE = "manifest.sqlite"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class DocumentRecord:
    doc_id: str
    root: str
    path: str
    hash: str
    status: str
    chunk_ids: list[str]
    meta: dict
    ingested_at: str


def manifest_url(settings: Settings) -> str:
    """Where ``settings``' manifest is (see the module's docstring)."""
    if settings.chroma_mode == "http":
        return settings.database_url or sqlite_url(settings.data_dir / FILE)
    return sqlite_url(settings.state_dir / FILE)


class Manifest:
    def __init__(self, location: Path | str) -> None:
        """``location``: a folder (its ``manifest.sqlite``) or a database URL."""
        self.url = sqlite_url(location / FILE) if isinstance(location, Path) else location
        engine(self.url)

    @classmethod
    def of(cls, settings: Settings) -> Manifest:
        return cls(manifest_url(settings))

    def close(self) -> None:
        # A SQLite file may be renamed next (an index revision being published): no
        # connection may stay open on it.
        if self.url.startswith("sqlite"):
            forget(self.url)

    def documents(self) -> dict[str, DocumentRecord]:
        with connect(self.url) as db:
            rows = db.execute(select(documents)).all()
        return {
            r.doc_id: DocumentRecord(
                r.doc_id,
                r.root,
                r.path,
                r.hash,
                r.status,
                json.loads(r.chunk_ids),
                json.loads(r.meta),
                r.ingested_at,
            )
            for r in rows
        }

    def put(self, record: DocumentRecord) -> None:
        values = {
            "doc_id": record.doc_id,
            "root": record.root,
            "path": record.path,
            "hash": record.hash,
            "status": record.status,
            "chunk_ids": json.dumps(record.chunk_ids),
            "meta": json.dumps(record.meta, ensure_ascii=False),
            "ingested_at": record.ingested_at,
        }
        with connect(self.url, write=True) as db:
            db.execute(delete(documents).where(documents.c.doc_id == record.doc_id))
            db.execute(insert(documents).values(**values))

    def remove(self, doc_id: str) -> None:
        with connect(self.url, write=True) as db:
            db.execute(delete(documents).where(documents.c.doc_id == doc_id))

    def start_run(self, targets: list[str]) -> int:
        with connect(self.url, write=True) as db:
            db.execute(update(runs).where(runs.c.status == "en cours").values(status="interrompue"))
            result = db.execute(
                insert(runs).values(
                    started_at=now(),
                    status="en cours",
                    targets=json.dumps(targets, ensure_ascii=False),
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str, report: dict) -> None:
        with connect(self.url, write=True) as db:
            db.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    finished_at=now(), status=status, report=json.dumps(report, ensure_ascii=False)
                )
            )

    def add_run(self, run: dict) -> None:
        """Copy a finished run (from ``recent_runs``) into this log."""
        with connect(self.url, write=True) as db:
            db.execute(
                insert(runs).values(
                    started_at=run["started_at"],
                    finished_at=run["finished_at"],
                    status=run["status"],
                    targets=json.dumps(run["targets"], ensure_ascii=False),
                    report=json.dumps(run["report"], ensure_ascii=False) if run["report"] else None,
                )
            )

    def recent_runs(self, limit: int = 20) -> list[dict]:
        with connect(self.url) as db:
            rows = db.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
        return [
            {
                "id": r.id,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "status": r.status,
                "targets": json.loads(r.targets),
                "report": json.loads(r.report) if r.report else None,
            }
            for r in rows
        ]
