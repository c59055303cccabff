"""Sources (trainers): the documents of the index, an article by its number, a document's
passages, and the search made visible (ranked passages with their scores)."""

from __future__ import annotations

import streamlit as st

from assistant.retrieval import article_references, search
from assistant.stats import index_stats
from assistant.store import get_collection
from ui.common import (
    KIND_LABELS,
    french_datetime,
    french_decimal,
    french_number,
    highlighted,
    load_settings,
    location,
    plain,
    shown,
)


def documents_table(settings) -> list[dict]:
    stats = index_stats(settings)
    return [
        {
            "titre": shown(d["title"]),
            "type": shown(KIND_LABELS.get(d["kind"], d["kind"])),
            "date": french_datetime(d["date"]),
            "pages": shown(d["pages"] or None),
            "articles": shown(d["articles"] or None),
            "passages": d["chunks"],
            "fichier": d["doc_id"],
            "indexé le": french_datetime(d["ingested_at"]),
        }
        for d in stats["by_document"]
    ]


def render() -> None:
    st.title("Sources")
    settings = load_settings()
    collection = get_collection(settings)
    tab_docs, tab_article, tab_read, tab_search = st.tabs(
        ["Documents", "Article", "Lire un document", "Recherche"]
    )
    with tab_docs:
        rows = documents_table(settings)
        wanted = st.text_input("Filtrer (titre, type, fichier)", key="doc-filter")
        if wanted:
            needle = wanted.lower()
            rows = [r for r in rows if any(needle in str(v).lower() for v in r.values())]
        st.caption(f"{french_number(len(rows))} document(s)")
        st.dataframe(rows, hide_index=True, use_container_width=True)

    with tab_article:
        number = st.text_input("Numéro d'article (ex. L442-5, 9-2)", key="article-number")
        if number:
            ids, _ = article_references(number)
            article = ids[0] if ids else number.strip()
            got = collection.get(where={"article": article}, include=["documents", "metadatas"])
            if not got["ids"]:
                st.warning(f"Article {plain(article)} absent de l'index.")
            pieces = sorted(
                zip(got["metadatas"], got["documents"], strict=True),
                key=lambda item: (item[0]["doc_id"], item[0].get("position", 0)),
            )
            for meta, text in pieces:
                with st.container(border=True):
                    version = meta.get("version_date") or meta.get("date") or ""
                    title = plain(meta.get("title", meta["doc_id"]))
                    st.markdown(f"**Article {plain(article)}** — {title}")
                    st.caption(
                        plain(f"{meta.get('breadcrumb', '')} · version {version}".strip(" ·"))
                    )
                    st.markdown(highlighted(text, []), unsafe_allow_html=True)

    with tab_read:
        files = [r["fichier"] for r in documents_table(settings)]
        chosen = st.selectbox(
            "Document", files, index=None, key="read-doc", placeholder="Choisir un document"
        )
        if chosen:
            got = collection.get(where={"doc_id": chosen}, include=["documents", "metadatas"])
            pieces = sorted(
                zip(got["ids"], got["metadatas"], got["documents"], strict=True),
                key=lambda item: item[1].get("position", 0),
            )
            st.caption(f"{french_number(len(pieces))} passage(s)")
            for chunk_id, meta, text in pieces:
                where = location(meta.get("page_start"), meta.get("article"), meta.get("page_end"))
                with st.expander(
                    f"{meta.get('position', 0) + 1}. {plain(where or meta.get('breadcrumb', ''))}"
                ):
                    st.caption(plain(f"{chunk_id} · {meta.get('breadcrumb', '')}"))
                    st.markdown(highlighted(text, []), unsafe_allow_html=True)

    with tab_search:
        query = st.text_input("Requête", key="search-query")
        k = st.slider("Nombre de passages", 1, 20, settings.top_k, key="search-k")
        if query:
            for p in search(settings, query, k):
                where = location(p.page_start, p.article, p.page_end)
                with st.container(border=True):
                    flag = " · article cité" if p.exact else ""
                    st.markdown(f"**{p.rank}. {plain(p.title)}** — {where}")
                    st.caption(
                        f"similarité cosinus {french_decimal(p.score, 3)}{flag} · "
                        f"{plain(p.chunk_id)}"
                    )
                    st.markdown(highlighted(p.text[:1500], []), unsafe_allow_html=True)


render()
