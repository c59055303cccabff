"""What the index holds, per document, and the last ingestion runs (CLI and app)."""

from __future__ import annotations

from assistant.config import Settings
from assistant.store import get_collection
from ingest.manifest import Manifest


def index_stats(settings: Settings, runs: int = 5) -> dict:
    settings = settings.pinned()
    manifest = Manifest.of(settings)
    try:
        records = manifest.documents()
        recent = manifest.recent_runs(runs)
    finally:
        manifest.close()
    documents = []
    for doc_id, record in sorted(records.items()):
        meta = record.meta
        documents.append(
            {
                "doc_id": doc_id,
                "title": meta.get("title", ""),
                "kind": meta.get("kind", ""),
                "date": meta.get("date", ""),
                "pages": meta.get("pages", 0),
                "articles": meta.get("articles", 0),
                "chunks": len(record.chunk_ids),
                "licence": meta.get("licence", ""),
                "source_url": meta.get("source_url", ""),
                "ingested_at": record.ingested_at,
            }
        )
    return {
        "data_dir": str(settings.data_dir),
        "collection": settings.collection,
        "documents": len(documents),
        "chunks": get_collection(settings).count(),
        "by_document": documents,
        "runs": recent,
    }
