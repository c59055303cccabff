"""Chat (trainees): streamed answers with numbered citation cards, feedback, export."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from assistant import feedback
from assistant.answer import UNCERTAIN_INTRO, answer_stream
from assistant.followup import Turn
from assistant.lexical import acronyms_in, glossary
from assistant.model_store import ModelError
from assistant.questions import MAX_QUESTION_CHARS
from assistant.store import StoreError
from ui.common import citation_card, load_settings, location, plain, version_of

# Links to the glossary under an answer, at most (a question rarely uses more acronyms).
MAX_GLOSSARY_LINKS = 4
EXAMPLES = [
    "Combien de jours dure la formation ?",
    "Qui intervient le deuxième jour ?",
    "Qu'est-ce que la CALEOL ?",
    "Comment faire une demande de logement social ?",
]


def to_markdown(history: list[dict]) -> str:
    """The conversation with its references, for the export."""
    lines = [
        "# Conversation — Assistant du Module 9.5",
        "",
        f"Exportée le {dt.datetime.now():%d/%m/%Y à %H:%M}.",
        "",
    ]
    for number, turn in enumerate(history, start=1):
        # Text from documents and users stays text wherever the export is read.
        lines += [f"## {number}. {plain(turn['question'])}", "", plain(turn["answer"]), ""]
        for sentence in turn.get("unsupported", []):
            lines.append(f"> Non sourcé : {plain(sentence)}")
        if turn["citations"]:
            lines.append("Références :")
            lines.append("")
            for c in turn["citations"]:
                where = location(c["page"], c["article"], c.get("page_end"))
                version = f", {version_of(c['date'])}" if c.get("date") else ""
                lines.append(
                    f"- \\[{c['n']}\\] {plain(c['title'])} ({plain(c['doc_id'])}, {where}{version})"
                )
            lines.append("")
    return "\n".join(lines)


def show_answer(settings, turn: dict, index: int) -> None:
    for notice in turn.get("notices", []):
        st.warning(notice, icon=":material/info:")
    text = turn["answer"]
    if turn.get("outcome") == "uncertain":
        # Hedged: the doubt stands apart from the quotes, in the warning style.
        st.warning(UNCERTAIN_INTRO, icon=":material/help:")
        text = text.removeprefix(UNCERTAIN_INTRO).lstrip()
    st.markdown(plain(text))
    for sentence in turn.get("unsupported", []):
        st.error(f"Non sourcé : {plain(sentence)}", icon=":material/report:")
    if turn.get("searched") and turn["searched"] != turn["question"]:
        st.caption(f"Question comprise comme : {plain(turn['searched'])}")
    glossary_links(turn["question"], index)
    for c in turn["citations"]:
        citation_card(settings, c, key=f"{index}-{c['n']}")
    feedback_widget(settings, turn, index)


def glossary_links(question: str, index: int) -> None:
    """The acronyms of the question, each a link to its glossary entry."""
    terms = acronyms_in(question)[:MAX_GLOSSARY_LINKS]
    if not terms:
        return
    forms = glossary()
    columns = st.columns(len(terms) + 1)
    columns[0].caption("Sigles de la question :")
    for column, term in zip(columns[1:], terms, strict=True):
        long = forms[term][0] if forms[term] else ""
        if column.button(
            term,
            key=f"glossary-{index}-{term}",
            help=f"{long} — voir le glossaire" if long else "Voir le glossaire",
            icon=":material/menu_book:",
            type="tertiary",
        ):
            st.session_state["glossary-filter"] = term
            st.switch_page("views/glossaire.py")


def feedback_widget(settings, turn: dict, index: int) -> None:
    if turn.get("feedback_id"):
        st.caption("Merci pour votre avis.")
        return
    rating = st.feedback("thumbs", key=f"rating-{index}")
    if rating is None:
        return
    with st.form(key=f"feedback-{index}"):
        reason = st.selectbox(
            "Raison (facultatif)",
            feedback.REASONS,
            index=None,
            key=f"r-{index}",
            placeholder="Choisir une raison",
        )
        comment = st.text_input("Commentaire (facultatif)", key=f"c-{index}")
        if st.form_submit_button("Envoyer l'avis"):
            turn["feedback_id"] = feedback.record(
                settings,
                rating=1 if rating == 1 else -1,
                question=turn["question"],
                answer=turn["answer"],
                citations=turn["citations"],
                chunk_ids=turn.get("chunk_ids", []),
                reason=reason or "",
                comment=comment,
            )
            st.rerun()


def ask(settings, question: str, history: list[dict]) -> dict:
    turns = [Turn(t["question"], t["answer"]) for t in history]
    stream = answer_stream(settings, question, turns)
    try:
        st.write_stream(plain(piece) for piece in stream)
    except (ModelError, StoreError) as exc:
        return {"question": question, "answer": f"⚠️ {exc}", "outcome": "refusal", "citations": []}
    answer = stream.answer
    turn = answer.to_dict()
    turn["chunk_ids"] = [chunk for p in answer.passages for chunk in p.chunk_ids]
    return turn


def render() -> None:
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
    with st.sidebar:
        if st.button("Nouvelle conversation", icon=":material/add_comment:"):
            history.clear()
        if history:
            st.download_button(
                "Exporter (Markdown)",
                to_markdown(history),
                file_name="conversation-module-9-5.md",
                mime="text/markdown",
                icon=":material/download:",
            )
    pending = st.session_state.pop("pending", None)
    if not history and not pending:
        st.info("Exemples de questions :")
        columns = st.columns(2)
        for number, example in enumerate(EXAMPLES):
            if columns[number % 2].button(example, key=f"example-{number}"):
                st.session_state["pending"] = example
                st.rerun()
    for index, turn in enumerate(history):
        with st.chat_message("user"):
            st.markdown(plain(turn["question"]))
        with st.chat_message("assistant"):
            show_answer(settings, turn, index)
    question = st.chat_input(
        "Votre question sur les attributions, le NPNRU, la formation…",
        max_chars=MAX_QUESTION_CHARS,
    )
    question = question or pending
    if question:
        with st.chat_message("user"):
            st.markdown(plain(question))
        with st.chat_message("assistant"):
            turn = ask(settings, question, history)
        history.append(turn)
        st.rerun()


render()
