"""Write documents into the index: skip unchanged ones, replace changed ones, drop gone ones.

The manifest (SQLite) records each document's hash and chunk ids; a document is marked pending
while its chunks are written, so that an interrupted run is repaired by the next one. A file
lock keeps two ingestions from running on one index at once. In embedded mode the run writes
in a copy of the index and publishes it at the end, so that processes reading the index never
see it half-written (assistant/revision.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import text

from assistant import revision
from assistant.config import Settings
from assistant.database import describe
from assistant.database import engine as database_engine
from assistant.embedding_cache import encode_with_cache, open_cache
from assistant.embeddings import get_embeddings
from assistant.lexical import LEXICAL_DIR, stamp_shared
from assistant.lexical import rebuild as rebuild_lexical
from assistant.store import get_client, get_collection, release
from ingest.chunking import CHUNKER_VERSION, Chunk, chunk_document
from ingest.loaders import SUPPORTED_SUFFIXES, Document, LoaderError
from ingest.manifest import DocumentRecord, Manifest, now
from ingest.metadata import SOURCES_FILE, SourcesError, document_metadata, load_sources, sidecar_for
from ingest.sandbox import Reader

Progress = Callable[[int, int, str], None]
# Files that describe a corpus folder rather than belong to it.
IGNORED_NAMES = {SOURCES_FILE, "README.md", "_index.csv", "_manifest.json", "LICENSE"}


class IngestLockedError(RuntimeError):
    """Another ingestion holds the index (French message)."""


class IngestError(RuntimeError):
    """The ingestion cannot go on (a full disk, a rebuild asked in server mode); the published
    index is untouched (French message)."""


def _disk_full_error(settings: Settings, exc: BaseException) -> IngestError:
    try:
        kept = f"la révision {revision.published(settings.data_dir).name}"
    except revision.DamagedIndexError:
        kept = "la révision précédente"
    return IngestError(
        f"Disque plein pendant l'indexation ({settings.data_dir} : "
        f"{str(exc).strip().splitlines()[0]}). L'index publié "
        f"({kept}) est intact et reste utilisé ; la copie de travail a été supprimée. Libérez "
        "de la place, puis relancez « npnru ingest »."
    )


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    chunks: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    total_chunks: int = 0
    repaired: list[str] = field(default_factory=list)
    # Unchanged documents found at another path (the record moves with them).
    relocated: list[str] = field(default_factory=list)
    # The index revision published by the run (embedded mode; assistant/revision.py).
    revision: str = ""
    # Passages whose vector was computed by the model, and reused (from the cache, or kept in
    # the index with the passage when it did not change).
    encoded: int = 0
    reused: int = 0
    # Passages written into the vector index with their vector (new or changed ones).
    written: int = 0
    # The pages computed once per index revision, prepared for the revision just published
    # (Parcours, Glossaire, Réviser), and why they could not be when they could not.
    pages: list[str] = field(default_factory=list)
    pages_error: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("added", "updated", "unchanged", "deleted"):
            data[key] = len(data[key])
        del data["repaired"]
        del data["relocated"]
        return data

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted or self.repaired or self.relocated)

    @property
    def status(self) -> str:
        if not self.failed:
            return "réussie"
        return "partielle" if self.added or self.updated or self.unchanged else "échouée"


@dataclass(frozen=True)
class SourceFile:
    root: Path
    path: Path
    doc_id: str


def discover(
    paths: Iterable[Path], corpus_dirs: Iterable[Path]
) -> tuple[list[SourceFile], list[Path]]:
    """Files to ingest and the roots scanned in full (whose missing documents get deleted).

    A folder is a root of its own; a file inside a configured corpus folder keeps its id relative
    to that folder, any other file is identified by its name. Hidden files and the files that
    describe a folder (sources.toml, README.md…) are skipped.
    """
    roots = [d.resolve() for d in corpus_dirs]
    files: list[SourceFile] = []
    scanned: list[Path] = []
    for given in paths:
        path = given.resolve()
        if path.is_dir():
            scanned.append(path)
            for item in sorted(path.rglob("*")):
                rel = item.relative_to(path)
                if (
                    item.is_file()
                    and not any(p.startswith(".") for p in rel.parts)
                    and item.name not in IGNORED_NAMES
                ):
                    files.append(SourceFile(path, item, rel.as_posix()))
        else:
            root = next((r for r in roots if path.is_relative_to(r)), path.parent)
            files.append(SourceFile(root, path, path.relative_to(root).as_posix()))
    return files, scanned


def document_hash(path: Path, model: str, sidecar: dict) -> str:
    """Changes with the file, the chunker, the model and the document's sidecar entry."""
    digest = hashlib.sha256(
        f"{CHUNKER_VERSION}|{model}|{json.dumps(sidecar, sort_keys=True)}|".encode()
    )
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chunk_metadata(document: Document, meta: dict, chunk: Chunk) -> dict:
    values = {
        "doc_id": document.doc_id,
        "title": meta.get("title", document.title),
        "kind": meta.get("kind"),
        "date": meta.get("date"),
        "source_url": meta.get("source_url"),
        "licence": meta.get("licence"),
        "attribution": meta.get("attribution"),
        "format": document.format,
        "position": chunk.position,
        "breadcrumb": chunk.breadcrumb,
        "page_start": chunk.page_start,
        "page_end": chunk.page_end,
        "article": chunk.article,
        "version_date": chunk.version_date,
        "day": chunk.day,
        "session": chunk.session,
        "speakers": chunk.speakers,
        "recomposed": chunk.recomposed or None,
    }
    return {key: value for key, value in values.items() if value not in (None, "")}


@contextmanager
def ingestion_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    lock_path = data_dir / "ingest.lock"
    handle = lock_path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise IngestLockedError(
            f"Une indexation est déjà en cours sur {data_dir} (verrou {lock_path}). "
            "Attendez qu'elle se termine, puis relancez."
        ) from exc
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


# The key of PostgreSQL's advisory lock that one ingestion holds in server mode.
SHARED_LOCK_KEY = 95_2014


@contextmanager
def shared_ingestion_lock(settings: Settings) -> Iterator[None]:
    """In server mode with a shared PostgreSQL, one ingestion at a time across all hosts (the
    file lock only covers one host)."""
    url = settings.database_url
    if settings.chroma_mode != "http" or not url.startswith("postgresql"):
        yield
        return
    connection = database_engine(url).connect()
    try:
        held = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": SHARED_LOCK_KEY}
        ).scalar()
        if not held:
            raise IngestLockedError(
                f"Une indexation est déjà en cours sur un autre hôte ({describe(url)}, verrou "
                f"{SHARED_LOCK_KEY}). Attendez qu'elle se termine, puis relancez."
            )
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SHARED_LOCK_KEY})
            connection.commit()
    finally:
        connection.close()


def repair(manifest: Manifest, collection) -> list[str]:
    """Make Chroma and the manifest agree after an interrupted run; return repaired doc_ids."""
    repaired = []
    records = manifest.documents()
    for doc_id, record in records.items():
        if record.status != "done":
            collection.delete(where={"doc_id": doc_id})
            manifest.remove(doc_id)
            repaired.append(doc_id)
    records = {d: r for d, r in records.items() if r.status == "done"}
    expected = {chunk_id for r in records.values() for chunk_id in r.chunk_ids}
    if collection.count() != len(expected):
        present = set(collection.get(include=[])["ids"])
        extra = sorted(present - expected)
        # Within Chroma's limit per call (get_max_batch_size() is 5,461 here).
        for start in range(0, len(extra), 5000):
            collection.delete(ids=extra[start : start + 5000])
        for doc_id, record in records.items():
            if not set(record.chunk_ids) <= present:
                collection.delete(where={"doc_id": doc_id})
                manifest.remove(doc_id)
                repaired.append(doc_id)
    return repaired


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    stage: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest ``paths`` (default: the configured corpus folders) and report what changed. With
    ``rebuild``, a new index is built from nothing beside the published one (which is not even
    read) and replaces it only when complete: the repair of a damaged index.

    When the index changed, the pages computed once per revision (the course map, the
    glossary, the revision questions) are then computed for it (``settings.derived_pages``),
    ``stage`` told of each: no trainee waits for them on a first visit."""
    report = _ingest(settings, paths, progress, rebuild)
    if report.changed and settings.derived_pages:
        prepare_pages(settings, report, stage)
    return report


# The pages kept with each index revision: (name, module, function).
PAGES = (
    ("parcours de la formation", "assistant.course_map", "cached_course_map"),
    ("glossaire", "assistant.glossary_entries", "cached_glossary"),
    ("questions de révision", "assistant.quiz", "cached_questions"),
)


def prepare_pages(
    settings: Settings, report: IngestReport, stage: Callable[[str], None] | None = None
) -> None:
    """The course map, the glossary and the revision questions of the published index,
    computed and kept with its revision. The ingestion is done and published: a failure here
    is reported (``report.pages_error``), the page will be computed on its first visit."""
    import importlib

    for name, module, function in PAGES:
        if stage:
            stage(name)
        try:
            getattr(importlib.import_module(module), function)(settings)
        except Exception as exc:  # the ingestion itself succeeded and stays published
            report.pages_error = f"{name} : {exc}"
            return
        report.pages.append(name)


def _ingest(
    settings: Settings, paths: list[Path] | None, progress: Progress | None, rebuild: bool
) -> IngestReport:
    with ingestion_lock(settings.data_dir), shared_ingestion_lock(settings):
        if settings.chroma_mode == "http":
            if rebuild:
                raise IngestError(
                    "« --rebuild » reconstruit l'index embarqué. En mode serveur, restaurez la "
                    "sauvegarde du serveur Chroma et de la base (docs/deploiement.md), ou videz "
                    "la collection puis relancez « npnru ingest »."
                )
            # The Chroma server and the database are the shared state: written in place.
            settings = settings.pinned(settings.data_dir)
            manifest = Manifest.of(settings)
            try:
                return _ingest_locked(settings, manifest, paths, progress)
            finally:
                manifest.close()
        # Embedded: written in a copy that readers do not use, published at the end
        # (assistant/revision.py).
        resumed = not rebuild and revision.work_dir(settings.data_dir).is_dir()
        try:
            work = settings.pinned(revision.prepare(settings.data_dir, empty=rebuild))
            manifest = Manifest.of(work)
            try:
                report = _ingest_locked(work, manifest, paths, progress)
                run = manifest.recent_runs(1)[0]
            finally:
                manifest.close()
                release(work)
        except Exception as exc:
            if not revision.disk_full(exc):
                raise
            # Nothing was published: the work copy goes, and the space it took with it.
            revision.discard(settings.data_dir)
            raise _disk_full_error(settings, exc) from exc
        if rebuild:
            report.revision = revision.publish(settings.data_dir)
            return report
        published = settings.pinned()
        if report.changed or resumed or published.state_dir == settings.data_dir:
            report.revision = revision.publish(settings.data_dir)
            return report
        # Nothing changed: the copy is dropped (readers keep their revision and its loaded
        # index); only the run is written to the published revision's log.
        revision.discard(settings.data_dir)
        current = Manifest.of(published)
        try:
            current.add_run(run)
        finally:
            current.close()
        report.revision = published.state_dir.name
        return report


def _ingest_locked(
    settings: Settings, manifest: Manifest, paths: list[Path] | None, progress: Progress | None
) -> IngestReport:
    report = IngestReport()
    targets = list(paths) if paths else list(settings.corpus_dirs)
    run_id = manifest.start_run([str(t) for t in targets])
    for target in targets:
        if not target.exists():
            report.failed.append({"path": str(target), "error": "chemin introuvable"})
    files, scanned = discover([t for t in targets if t.exists()], settings.corpus_dirs)
    collection = get_collection(settings)
    report.repaired = repair(manifest, collection)
    records = manifest.documents()
    sources_by_root: dict[Path, dict] = {}
    seen: dict[str, Path] = {}
    # Files are parsed in a worker process with time and memory limits (ingest/sandbox.py).
    with Reader() as reader:
        for number, source in enumerate(files, start=1):
            if progress:
                progress(number, len(files), source.doc_id)
            if source.doc_id in seen:
                report.failed.append(
                    {
                        "path": str(source.path),
                        "error": f"identifiant « {source.doc_id} » déjà fourni par "
                        f"{seen[source.doc_id]}",
                    }
                )
                continue
            seen[source.doc_id] = source.root
            try:
                if source.root not in sources_by_root:
                    sources_by_root[source.root] = load_sources(source.root)
                _ingest_file(
                    settings,
                    manifest,
                    collection,
                    source,
                    records.get(source.doc_id),
                    sources_by_root[source.root],
                    report,
                    reader,
                )
            except (LoaderError, SourcesError) as exc:
                report.failed.append({"path": str(source.path), "error": str(exc)})
            except Exception as exc:  # one bad file must not stop the others
                if revision.disk_full(exc):
                    raise
                report.failed.append(
                    {
                        "path": str(source.path),
                        "error": f"erreur inattendue : {type(exc).__name__}: {exc}",
                    }
                )
    scanned_roots = {str(r) for r in scanned}
    for doc_id, record in records.items():
        if doc_id not in seen and record.root in scanned_roots:
            collection.delete(where={"doc_id": doc_id})
            manifest.remove(doc_id)
            report.deleted.append(doc_id)
    report.total_chunks = collection.count()
    changed = report.added or report.updated or report.deleted or report.repaired
    if changed or not (settings.state_dir / LEXICAL_DIR / "ids.json").is_file():
        rebuild_lexical(settings, collection)
        if settings.chroma_mode == "http":
            report.revision = stamp_shared(settings, collection)
    manifest.finish_run(run_id, report.status, {**report.to_dict(), "repaired": report.repaired})
    return report


def _vectors(settings: Settings, pairs: list[tuple[str, str]], report: IngestReport) -> list:
    """The passages' vectors, from the cache where it has them (assistant/embedding_cache.py)."""
    embeddings = get_embeddings(settings)
    inputs, prompt = embeddings.titled_inputs(pairs)
    vectors, encoded, reused = encode_with_cache(
        open_cache(settings), inputs, partial(embeddings.encode, prompt_name=prompt), prompt or ""
    )
    report.encoded += encoded
    report.reused += reused
    return vectors


def _held(collection, ids: list[str]) -> dict[str, tuple[str, dict]]:
    """The text and metadata the index holds for ``ids`` (those it has)."""
    held = {}
    for start in range(0, len(ids), 5000):
        got = collection.get(ids=ids[start : start + 5000], include=["documents", "metadatas"])
        for chunk_id, body, meta in zip(
            got["ids"], got["documents"], got["metadatas"], strict=True
        ):
            if body is not None and meta is not None:
                held[chunk_id] = (body, meta)
    return held


def _ingest_file(
    settings: Settings,
    manifest: Manifest,
    collection,
    source: SourceFile,
    previous: DocumentRecord | None,
    sources: dict,
    report: IngestReport,
    reader: Reader,
) -> None:
    if source.path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise LoaderError(f"extension non prise en charge : « {source.path.suffix or '(aucune)'} »")
    sidecar = sidecar_for(source.doc_id, sources)
    try:
        doc_hash = document_hash(source.path, settings.embedding_model, sidecar)
    except OSError as exc:
        raise LoaderError(f"fichier illisible ({exc.strerror})") from exc
    if previous and previous.hash == doc_hash:
        if previous.root != str(source.root) or previous.path != str(source.path):
            previous.root, previous.path = str(source.root), str(source.path)
            manifest.put(previous)
            report.relocated.append(source.doc_id)
        report.unchanged.append(source.doc_id)
        return
    document = reader.load(source.path, source.doc_id, settings.max_file_bytes)
    meta = document_metadata(
        document.doc_id,
        document.title,
        document.format,
        document.pages[0][1] if document.pages else "",
        document.meta,
        sources,
    )
    chunks = chunk_document(document)
    if not chunks:
        raise LoaderError("aucun texte à indexer")
    new_ids = [c.chunk_id for c in chunks]
    old_ids = previous.chunk_ids if previous else []
    texts = [c.text for c in chunks]
    metadatas = [chunk_metadata(document, meta, c) for c in chunks]
    # What the index already holds as it is stays; a chunk only moved (its position or page
    # changed) gets its new metadata; only new or changed chunks are written with a vector.
    held = _held(collection, sorted(set(new_ids) & set(old_ids)))
    kept, moved, written = [], [], []
    for i, chunk_id in enumerate(new_ids):
        old = held.get(chunk_id)
        if old is None or old[0] != texts[i] or old[1].get("title") != metadatas[i].get("title"):
            written.append(i)
        elif old[1] != metadatas[i]:
            moved.append(i)
        else:
            kept.append(i)
    vectors = _vectors(
        settings, [(chunks[i].context(meta["title"]), texts[i]) for i in written], report
    )
    report.reused += len(kept) + len(moved)
    report.written += len(written)
    record = DocumentRecord(
        doc_id=source.doc_id,
        root=str(source.root),
        path=str(source.path),
        hash=doc_hash,
        status="pending",
        chunk_ids=sorted(set(new_ids) | set(old_ids)),
        meta={
            **meta,
            "format": document.format,
            "pages": sum(1 for page, _ in document.pages if page is not None),
            "articles": len({c.article for c in chunks if c.article}),
            "chunks": len(chunks),
        },
        ingested_at=now(),
    )
    manifest.put(record)
    # Chroma takes at most get_max_batch_size() records per call (5,461 here): a whole code
    # has more passages than that.
    size = get_client(settings).get_max_batch_size()
    for start in range(0, len(written), size):
        part = written[start : start + size]
        collection.upsert(
            ids=[new_ids[i] for i in part],
            embeddings=vectors[start : start + size],
            documents=[texts[i] for i in part],
            metadatas=[metadatas[i] for i in part],
        )
    for start in range(0, len(moved), size):
        part = moved[start : start + size]
        collection.update(ids=[new_ids[i] for i in part], metadatas=[metadatas[i] for i in part])
    stale = sorted(set(old_ids) - set(new_ids))
    for start in range(0, len(stale), size):
        collection.delete(ids=stale[start : start + size])
    record.status, record.chunk_ids = "done", new_ids
    manifest.put(record)
    (report.updated if previous else report.added).append(source.doc_id)
    report.chunks += len(chunks)
