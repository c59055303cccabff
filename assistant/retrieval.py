"""Find the passages that answer a question: dense search in Chroma with the ``query`` prompt."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from assistant.config import Settings
from assistant.embeddings import get_embeddings
from assistant.store import get_collection


@dataclass
class Passage:
    rank: int
    chunk_id: str
    doc_id: str
    title: str
    text: str
    score: float
    page_start: int | None = None
    page_end: int | None = None
    article: str | None = None
    breadcrumb: str = ""
    source_path: str | None = None

    @property
    def page(self) -> int | None:
        return self.page_start

    def to_search_result(self) -> dict:
        return {
            "rank": self.rank,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "page": self.page,
            "article": self.article,
            "text": self.text,
            "score": round(self.score, 4),
        }


def search(settings: Settings, query: str, k: int | None = None) -> list[Passage]:
    """The ``k`` passages closest to ``query``, best first, with their cosine similarity."""
    collection = get_collection(settings)
    if collection.count() == 0 or not query.strip():
        return []
    vector = get_embeddings(settings).embed_query(query)
    result = collection.query(
        query_embeddings=[vector],
        n_results=min(k or settings.top_k, collection.count()),
        include=["documents", "metadatas", "distances"],
    )
    passages = []
    for rank, (chunk_id, text, meta, distance) in enumerate(
        zip(
            result["ids"][0],
            result["documents"][0],
            result["metadatas"][0],
            result["distances"][0],
            strict=True,
        ),
        start=1,
    ):
        passages.append(
            Passage(
                rank=rank,
                chunk_id=chunk_id,
                doc_id=meta["doc_id"],
                title=meta.get("title", meta["doc_id"]),
                text=text,
                score=1.0 - float(distance),
                page_start=meta.get("page_start"),
                page_end=meta.get("page_end"),
                article=meta.get("article"),
                breadcrumb=meta.get("breadcrumb", ""),
                source_path=meta.get("source_path"),
            )
        )
    return passages


class NpnruRetriever(BaseRetriever):
    """The same search behind langchain's retriever interface."""

    settings: Settings
    k: int | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [
            LCDocument(
                page_content=p.text,
                id=p.chunk_id,
                metadata={k: v for k, v in asdict(p).items() if k != "text"},
            )
            for p in search(self.settings, query, self.k)
        ]
