"""Streamlit chat: questions in French, answers with their numbered, checkable citations."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run ui/app.py` puts ui/ on the path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.answer import Answer, answer_question  # noqa: E402
from assistant.config import Settings, get_settings  # noqa: E402
from assistant.model_store import ModelError  # noqa: E402
from assistant.store import StoreError  # noqa: E402

EXAMPLES = [
    "Combien de jours dure la formation ?",
    "Qui intervient le deuxième jour ?",
    "Quels dispositifs la loi Elan a-t-elle introduits ?",
]


@st.cache_resource(show_spinner="Chargement du modèle et de l'index…")
def load_settings() -> Settings:
    """Settings, with the embedding model, the collection and the lexical index loaded once per
    process, so that no question pays for loading them."""
    from assistant.embeddings import get_embeddings
    from assistant.lexical import get_lexical
    from assistant.store import get_collection

    settings = get_settings()
    get_embeddings(settings)
    get_collection(settings)
    get_lexical(settings)
    return settings


def location(page: int | None, article: str | None) -> str:
    if article:
        return f"article {article}"
    return f"page {page}" if page else ""


def show_answer(answer: dict) -> None:
    st.markdown(answer["answer"])
    for c in answer["citations"]:
        where = location(c["page"], c["article"])
        label = f"[{c['n']}] {c['title']}" + (f" — {where}" if where else "")
        with st.expander(label):
            details = [f"Document : {c['doc_id']}", c.get("kind") or ""]
            if c.get("date"):
                details.append(f"version du {c['date']}")
            details.append(f"similarité {c['score']:.2f}")
            st.caption(" · ".join(d for d in details if d))
            st.text(c["passage"])
            if c.get("attribution"):
                st.caption(c["attribution"])


def ask(settings: Settings, question: str) -> dict:
    try:
        answer: Answer = answer_question(settings, question)
    except (ModelError, StoreError) as exc:
        return {"question": question, "answer": f"⚠️ {exc}", "refused": True, "citations": []}
    return answer.to_dict()


def main() -> None:
    st.set_page_config(page_title="Assistant Module 9.5 — NPNRU", page_icon="🏘️")
    st.title("Assistant du Module 9.5")
    st.caption(
        "Politique d'attribution et rééquilibrage de l'occupation du parc social dans les NPNRU. "
        "Chaque réponse cite ses sources : vérifiez-les avant de vous y fier."
    )
    try:
        settings = load_settings()
    except (ModelError, StoreError) as exc:
        st.error(str(exc))
        st.stop()

    history: list[dict] = st.session_state.setdefault("history", [])
    if st.sidebar.button("Nouvelle conversation"):
        history.clear()
    if not history:
        st.info("Exemples : " + " · ".join(f"« {q} »" for q in EXAMPLES))
    for turn in history:
        with st.chat_message("user"):
            st.markdown(turn["question"])
        with st.chat_message("assistant"):
            show_answer(turn)

    question = st.chat_input("Votre question sur les attributions, le NPNRU, la formation…")
    if question:
        with st.chat_message("user"):
            st.markdown(question)
        with st.chat_message("assistant"):
            with st.spinner("Recherche dans les documents…"):
                turn = ask(settings, question)
            show_answer(turn)
        history.append(turn)


main()
