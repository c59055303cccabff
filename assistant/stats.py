"""What the index holds, per document (for ``npnru stats`` and the app)."""

from __future__ import annotations

from collections import Counter

from assistant.config import Settings
from assistant.store import get_collection


def index_stats(settings: Settings) -> dict:
    collection = get_collection(settings)
    metadatas = collection.get(include=["metadatas"])["metadatas"]
    counts = Counter(meta["doc_id"] for meta in metadatas)
    titles = {meta["doc_id"]: meta.get("title", "") for meta in metadatas}
    return {
        "data_dir": str(settings.data_dir),
        "collection": settings.collection,
        "documents": len(counts),
        "chunks": len(metadatas),
        "by_document": [
            {"doc_id": d, "title": titles[d], "chunks": n} for d, n in sorted(counts.items())
        ],
    }
