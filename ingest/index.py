"""Write documents into the index: skip unchanged ones, replace changed ones, drop gone ones.

Chroma itself records, on every chunk, the hash of the document it came from; that record is
what makes a second ingestion of the same files cost only a hash per file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.embeddings import get_embeddings
from assistant.store import get_collection
from ingest.chunking import CHUNKER_VERSION, Chunk, chunk_document
from ingest.loaders import SUPPORTED_SUFFIXES, Document, LoaderError, load_document

Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    chunks: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    total_chunks: int = 0

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("added", "updated", "unchanged", "deleted"):
            data[key] = len(data[key])
        return data

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class SourceFile:
    root: Path
    path: Path
    doc_id: str


def _is_candidate(path: Path) -> bool:
    return path.is_file() and not any(part.startswith(".") for part in path.parts[-1:])


def discover(
    paths: Iterable[Path], corpus_dirs: Iterable[Path]
) -> tuple[list[SourceFile], list[Path]]:
    """Files to ingest and the roots scanned in full (whose missing documents get deleted).

    A folder is a root of its own; a file inside a configured corpus folder keeps its id relative
    to that folder, any other file is identified by its name.
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
                if _is_candidate(item) and not any(p.startswith(".") for p in rel.parts):
                    files.append(SourceFile(path, item, rel.as_posix()))
        else:
            root = next((r for r in roots if path.is_relative_to(r)), path.parent)
            files.append(SourceFile(root, path, path.relative_to(root).as_posix()))
    return files, scanned


def document_hash(path: Path, model: str) -> str:
    digest = hashlib.sha256(f"{CHUNKER_VERSION}|{model}|".encode())
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chunk_metadata(document: Document, chunk: Chunk, source: SourceFile, doc_hash: str) -> dict:
    meta = {
        "doc_id": document.doc_id,
        "title": document.title,
        "format": document.format,
        "root": str(source.root),
        "source_path": str(source.path),
        "doc_hash": doc_hash,
        "position": chunk.position,
        "breadcrumb": chunk.breadcrumb,
        "page_start": chunk.page_start,
        "page_end": chunk.page_end,
        "article": chunk.article,
    }
    return {key: value for key, value in meta.items() if value is not None}


def _indexed_documents(collection) -> dict[str, dict]:
    """doc_id → {"hash", "root", "ids"} for everything in the collection."""
    docs: dict[str, dict] = {}
    got = collection.get(include=["metadatas"])
    for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
        entry = docs.setdefault(
            meta["doc_id"], {"hash": meta.get("doc_hash"), "root": meta.get("root"), "ids": []}
        )
        entry["ids"].append(chunk_id)
    return docs


def ingest(
    settings: Settings, paths: list[Path] | None = None, progress: Progress | None = None
) -> IngestReport:
    """Ingest ``paths`` (default: the configured corpus folders) and report what changed."""
    report = IngestReport()
    targets = list(paths) if paths else list(settings.corpus_dirs)
    for target in targets:
        if not target.exists():
            report.failed.append({"path": str(target), "error": "chemin introuvable"})
    files, scanned = discover([t for t in targets if t.exists()], settings.corpus_dirs)
    collection = get_collection(settings)
    indexed = _indexed_documents(collection)
    seen: dict[str, Path] = {}
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
            _ingest_file(settings, collection, source, indexed.get(source.doc_id), report)
        except LoaderError as exc:
            report.failed.append({"path": str(source.path), "error": str(exc)})
        except Exception as exc:  # one bad file must not stop the others
            report.failed.append(
                {
                    "path": str(source.path),
                    "error": f"erreur inattendue : {type(exc).__name__}: {exc}",
                }
            )
    for doc_id, entry in indexed.items():
        if doc_id not in seen and entry["root"] in {str(r) for r in scanned}:
            collection.delete(ids=entry["ids"])
            report.deleted.append(doc_id)
    report.total_chunks = collection.count()
    return report


def _ingest_file(
    settings: Settings, collection, source: SourceFile, previous: dict | None, report: IngestReport
) -> None:
    if source.path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise LoaderError(f"extension non prise en charge : « {source.path.suffix or '(aucune)'} »")
    try:
        doc_hash = document_hash(source.path, settings.embedding_model)
    except OSError as exc:
        raise LoaderError(f"fichier illisible ({exc.strerror})") from exc
    if previous and previous["hash"] == doc_hash:
        report.unchanged.append(source.doc_id)
        return
    document = load_document(source.path, source.doc_id)
    chunks = chunk_document(document)
    if not chunks:
        raise LoaderError("aucun texte à indexer")
    embeddings = get_embeddings(settings)
    vectors = embeddings.embed_documents([c.embedding_text(document.title) for c in chunks])
    new_ids = [c.chunk_id for c in chunks]
    # Write the new version first, then remove what it replaces: an interruption leaves extra
    # chunks at worst, never a document missing from the index.
    collection.upsert(
        ids=new_ids,
        embeddings=vectors,
        documents=[c.text for c in chunks],
        metadatas=[chunk_metadata(document, c, source, doc_hash) for c in chunks],
    )
    if previous:
        stale = sorted(set(previous["ids"]) - set(new_ids))
        if stale:
            collection.delete(ids=stale)
        report.updated.append(source.doc_id)
    else:
        report.added.append(source.doc_id)
    report.chunks += len(chunks)
