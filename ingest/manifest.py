"""The record of what is indexed (one row per document) and of every ingestion run.

SQLite beside the Chroma files. A document is ``pending`` from the moment its chunks start to be
written until they are all written and its stale chunks deleted; a run that finds a pending
document (a crash, a ``kill -9``) removes that document's chunks and ingests it again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    path TEXT NOT NULL,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,
    meta TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    targets TEXT NOT NULL,
    report TEXT
);
"""


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


class Manifest:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "manifest.sqlite"
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    def documents(self) -> dict[str, DocumentRecord]:
        rows = self._db.execute(
            "SELECT doc_id, root, path, hash, status, chunk_ids, meta, ingested_at FROM documents"
        ).fetchall()
        return {
            r[0]: DocumentRecord(
                r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), r[7]
            )
            for r in rows
        }

    def put(self, record: DocumentRecord) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.doc_id,
                    record.root,
                    record.path,
                    record.hash,
                    record.status,
                    json.dumps(record.chunk_ids),
                    json.dumps(record.meta, ensure_ascii=False),
                    record.ingested_at,
                ),
            )

    def remove(self, doc_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def start_run(self, targets: list[str]) -> int:
        with self.transaction() as db:
            db.execute("UPDATE runs SET status = 'interrompue' WHERE status = 'en cours'")
            cursor = db.execute(
                "INSERT INTO runs (started_at, status, targets) VALUES (?, 'en cours', ?)",
                (now(), json.dumps(targets, ensure_ascii=False)),
            )
            return int(cursor.lastrowid)

    def finish_run(self, run_id: int, status: str, report: dict) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, report = ? WHERE id = ?",
                (now(), status, json.dumps(report, ensure_ascii=False), run_id),
            )

    def recent_runs(self, limit: int = 20) -> list[dict]:
        rows = self._db.execute(
            "SELECT id, started_at, finished_at, status, targets, report FROM runs "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            {
                "id": r[0],
                "started_at": r[1],
                "finished_at": r[2],
                "status": r[3],
                "targets": json.loads(r[4]),
                "report": json.loads(r[5]) if r[5] else None,
            }
            for r in rows
        ]
