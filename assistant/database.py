"""The SQL database of the index's records (documents, ingestion runs) and of the users'
feedback: SQLite files by default, or one PostgreSQL database shared by every replica when
``NPNRU_DATABASE_URL`` is set (SQLAlchemy Core; one schema for both, created at first use).

Where each table lives:

- feedback and the administration journal: ``NPNRU_DATABASE_URL``, else
  ``DATA_DIR/feedback.sqlite``;
- documents and runs (the manifest): in server mode (``NPNRU_CHROMA_MODE=http``, the Chroma
  server shared by the replicas) ``NPNRU_DATABASE_URL``, else ``DATA_DIR/manifest.sqlite``; in
  embedded mode, the ``manifest.sqlite`` of the index revision it describes
  (assistant/revision.py), since it must always agree with that revision's Chroma files.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.exc import DatabaseError as SQLDatabaseError
from sqlalchemy.exc import OperationalError

from assistant.revision import DESCRIPTIONS, DamagedIndexError, disk_full

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("doc_id", String(512), primary_key=True),
    Column("root", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("hash", String(128), nullable=False),
    Column("status", String(32), nullable=False),
    Column("chunk_ids", Text, nullable=False),
    Column("meta", Text, nullable=False),
    Column("ingested_at", String(40), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("status", String(32), nullable=False),
    Column("targets", Text, nullable=False),
    Column("report", Text),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(40), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("comment", Text, nullable=False, server_default=""),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("chunk_ids", Text, nullable=False),
)

# What maintainers did on the administration page (connections, uploads, removals,
# re-ingestions, exports), with its time.
actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
)


class DatabaseError(RuntimeError):
    """The database cannot be reached or opened (French message naming it)."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def describe(url: str) -> str:
    """Where a database is, for messages: « PostgreSQL sur db.local:5432 », never the
    password."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return f"le fichier SQLite {parts.path[1:]}"
    return f"PostgreSQL sur {parts.hostname or 'localhost'}:{parts.port or 5432}"


def _failure(url: str, exc: SQLDatabaseError) -> Exception:
    """What to raise for a database error: a full disk as it is (the ingestion reports it), a
    damaged SQLite file of the index as damage (with its repair), else « unreachable »."""
    if disk_full(exc):
        return exc
    parts = urlsplit(url)
    damaged = not isinstance(exc, OperationalError) or any(
        word in str(exc) for word in ("not a database", "malformed")
    )
    if parts.scheme.startswith("sqlite") and damaged:
        path = Path(parts.path[1:])
        if path.name in DESCRIPTIONS:
            return DamagedIndexError(DESCRIPTIONS[path.name], path, exc.orig)
        return DatabaseError(
            f"Base de données endommagée : {describe(url)} ({str(exc.orig).splitlines()[0]}). "
            "Restaurez-la depuis une sauvegarde (docs/deploiement.md), ou déplacez le fichier "
            "pour repartir d'une base vide."
        )
    return _unreachable(url, exc)


def _unreachable(url: str, exc: OperationalError) -> DatabaseError:
    return DatabaseError(
        f"Base de données injoignable : {describe(url)} "
        f"({str(exc.orig).splitlines()[0]}). Démarrez-la, ou videz NPNRU_DATABASE_URL pour "
        "revenir aux fichiers SQLite locaux."
    )


_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def _sqlite_pragmas(connection, _record) -> None:
    connection.execute("PRAGMA busy_timeout = 30000")


def engine(url: str) -> Engine:
    """One engine per database for the process, its tables created at first use."""
    with _lock:
        found = _engines.get(url)
        if found is not None:
            return found
        if url.startswith("sqlite"):
            Path(urlsplit(url).path[1:]).parent.mkdir(parents=True, exist_ok=True)
            created = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(created, "connect", _sqlite_pragmas)
        else:
            created = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        try:
            metadata.create_all(created, checkfirst=True)
        except SQLDatabaseError as exc:
            created.dispose()
            raise _failure(url, exc) from exc
        _engines[url] = created
        return created


@contextmanager
def connect(url: str, write: bool = False) -> Iterator[Connection]:
    """A connection to ``url`` (a transaction when ``write``); a database that stopped
    answering gives a DatabaseError naming it, and the next call tries again."""
    try:
        with engine(url).begin() if write else engine(url).connect() as connection:
            yield connection
    except SQLDatabaseError as exc:
        raise _failure(url, exc) from exc


def forget(url: str) -> None:
    """Close the engine of ``url`` (its file is about to move or disappear)."""
    with _lock:
        found = _engines.pop(url, None)
    if found is not None:
        found.dispose()
