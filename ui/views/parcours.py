"""Parcours de la formation (trainees, trainers, maintainers): the programme's days, sessions,
parts and points, the passages of the other documents that cover each, and what nothing
indexed covers. A topic can be asked in the chat in one click."""

from __future__ import annotations

import streamlit as st

from assistant.course_map import cached_course_map
from ui.common import french_decimal, french_number, location, page_opening, plain


def question_for(topic: dict) -> str:
    """What the chat is asked when a topic is clicked."""
    return f"Que disent les documents sur : {topic['text']} ?"


def render() -> None:
    _settings, result = page_opening(
        "Parcours de la formation",
        "Chaque partie du programme, avec les passages des autres documents indexés qui la "
        "traitent (textes de loi, code, fiches, supports ajoutés) et ce qu'aucun ne couvre.",
        "Calcul du parcours (une fois par version de l'index)…",
        cached_course_map,
    )
    if not result["programmes"]:
        st.info(
            "Aucun programme de formation dans l'index : il faut un support de cours dont le "
            "texte a des jours (« JOUR 1 ») et des séquences numérotées (« 1/ … »)."
        )
        return
    for number, programme in enumerate(result["programmes"]):
        st.subheader(plain(programme["title"]))
        st.metric(
            "Sujets couverts par au moins un document",
            f"{french_number(programme['covered'])} sur {french_number(programme['total'])}",
        )
        if programme["uncovered"]:
            st.error(
                "Aucun document indexé ne traite de : "
                + " ; ".join(plain(text) for text in programme["uncovered"]),
                icon=":material/report:",
            )
        sessions: dict[tuple, list[dict]] = {}
        for topic in programme["topics"]:
            key = (topic["day"], topic["session"], topic["session_title"])
            sessions.setdefault(key, []).append(topic)
        for (day, session, title), topics in sessions.items():
            covered = sum(t["covered"] for t in topics)
            label = (
                f"Jour {day} — séquence {session} : {plain(title)} "
                f"({french_number(covered)}/{french_number(len(topics))} couverts)"
            )
            with st.expander(label):
                for index, topic in enumerate(topics):
                    show_topic(topic, key=f"{number}-{session}-{index}")


def show_topic(topic: dict, key: str) -> None:
    mark = ":material/check_circle:" if topic["covered"] else ":material/cancel:"
    left, right = st.columns([5, 1])
    score = french_decimal(topic["probability"], 2)
    left.markdown(f"{mark} **{plain(topic['text'])}** — score {score}")
    if right.button("Demander", key=f"ask-{key}", icon=":material/forum:"):
        st.session_state["pending"] = question_for(topic)
        st.switch_page("views/chat.py")
    if not topic["covered"]:
        left.caption("Aucun document indexé ne traite de ce sujet.")
        return
    for passage in topic["passages"]:
        where = location(passage["page"], passage["article"])
        left.caption(f"{plain(passage['title'])}" + (f" — {where}" if where else ""))


render()
