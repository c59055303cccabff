"""Index revisions: how several processes share one embedded index safely.

Chroma's embedded client (``PersistentClient``) is not process-safe: a process that opened the
index keeps its own in-memory HNSW segments, and after another process writes, its searches
fail (« Error finding id ») or, worse, it may write an outdated index back. So in embedded mode
an ingestion never writes into the index that readers use:

- the published index lives in ``DATA_DIR/index/<revision>/`` (Chroma, lexical index,
  manifest), named by ``DATA_DIR/index/current``;
- an ingestion (one at a time: ``ingest.lock``) copies the published revision to
  ``DATA_DIR/index/next/``, writes there, closes it, renames it to a new revision and replaces
  ``current`` atomically (``os.replace``);
- every reader reads ``current`` (a few bytes) before each question and opens the new revision
  when it changed: no question ever fails because an ingestion ran elsewhere, new documents
  are found at the next question, and a deleted document is gone from the next question on.

An interrupted ingestion leaves ``next/`` behind; the next ingestion resumes from it (its
manifest says what was done). The two latest revisions are kept, older ones deleted. In server
mode (``NPNRU_CHROMA_MODE=http``) the Chroma server is the shared state and the local files
stay directly in ``DATA_DIR``.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import time
import uuid
from pathlib import Path

REBUILD_HINT = (
    "Réparez-le avec « npnru ingest --rebuild » : un nouvel index est construit à partir des "
    "dossiers du corpus, à côté de l'ancien, et ne le remplace qu'une fois complet."
)


class DamagedIndexError(RuntimeError):
    """A part of the index cannot be read (French message naming it and the repair)."""

    def __init__(self, what: str, where: object, cause: object) -> None:
        cause_line = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause)
        super().__init__(f"Index endommagé : {what} ({where} : {cause_line}). {REBUILD_HINT}")


INDEX_DIR = "index"
CURRENT = "current"
WORK = "next"
# What a revision holds (the rest of DATA_DIR — feedback, lock, evaluation indexes — is not
# part of it).
PARTS = ("chroma", "lexical", "manifest.sqlite")
KEEP = 2


def published(data_dir: Path) -> Path:
    """The folder of the published revision: ``DATA_DIR/index/<revision>``, or ``DATA_DIR``
    itself while none has been published (an empty index, or one made before revisions)."""
    pointer = data_dir / INDEX_DIR / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return data_dir
    except (OSError, UnicodeDecodeError) as exc:
        raise DamagedIndexError("le nom de la révision publiée", pointer, exc) from exc
    if not name:
        return data_dir
    folder = data_dir / INDEX_DIR / name
    if not re.fullmatch(r"r\d{6}-[\w-]+", name) or not folder.is_dir():
        raise DamagedIndexError(
            "la révision publiée", pointer, f"elle nomme « {name[:80]} », introuvable"
        )
    return folder


def work_dir(data_dir: Path) -> Path:
    return data_dir / INDEX_DIR / WORK


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, even while other processes have it open."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def prepare(data_dir: Path, empty: bool = False) -> Path:
    """The folder an ingestion writes in: ``next/`` as an interrupted run left it, or a fresh
    copy of the published revision (made aside, then renamed: never half a copy); with
    ``empty``, a new empty folder (a rebuild: the published revision is not even read)."""
    work = work_dir(data_dir)
    if empty:
        discard(data_dir)
    elif work.is_dir():
        return work
    partial = data_dir / INDEX_DIR / f"{WORK}.copie"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if not empty:
        try:
            _copy(published(data_dir), partial)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    os.rename(partial, work)
    return work


def _copy(base: Path, partial: Path) -> None:
    for part in PARTS:
        source = base / part
        if source.is_dir():
            shutil.copytree(
                source, partial / part, ignore=shutil.ignore_patterns("*.sqlite3-*", "*-journal")
            )
            database = source / "chroma.sqlite3"
            if database.is_file():
                _copy_checked(database, partial / part / "chroma.sqlite3")
        elif source.is_file():
            _copy_checked(source, partial / part)


# What each SQLite file of a revision is, for messages.
DESCRIPTIONS = {"chroma.sqlite3": "la base Chroma", "manifest.sqlite": "le registre des documents"}


def disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a full disk: ENOSPC, or SQLite's « database or
    disk is full » as Chroma or SQLAlchemy pass it on."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        text = str(exc).lower()
        if "disk is full" in text or "no space left" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _copy_checked(source: Path, target: Path) -> None:
    try:
        _copy_sqlite(source, target)
    except sqlite3.DatabaseError as exc:
        if disk_full(exc):
            raise
        what = DESCRIPTIONS.get(source.name, "une base SQLite")
        raise DamagedIndexError(what, source, exc) from exc


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _revisions(index: Path) -> list[Path]:
    """The revision folders (« r000042-20261126T090102 »), oldest first."""
    return sorted(p for p in index.iterdir() if p.is_dir() and re.match(r"r\d{6}-", p.name))


def publish(data_dir: Path) -> str:
    """Make ``next/`` the published revision; return its name. Older revisions beyond the
    ``KEEP`` latest are deleted, and so are the files of an index made before revisions."""
    index = data_dir / INDEX_DIR
    revisions = _revisions(index)
    number = int(revisions[-1].name[1:7]) + 1 if revisions else 1
    name = f"r{number:06d}-{time.strftime('%Y%m%dT%H%M%S')}"
    os.rename(work_dir(data_dir), index / name)
    pointer = index / f"{CURRENT}.{uuid.uuid4().hex[:8]}"
    with pointer.open("w", encoding="utf-8") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, index / CURRENT)
    _fsync_dir(index)
    for old in _revisions(index)[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    for part in PARTS:
        legacy = data_dir / part
        if legacy.is_dir():
            shutil.rmtree(legacy, ignore_errors=True)
        elif legacy.is_file():
            legacy.unlink(missing_ok=True)
    return name


def discard(data_dir: Path) -> None:
    """Drop ``next/``: the run changed nothing worth publishing."""
    shutil.rmtree(work_dir(data_dir), ignore_errors=True)
