"""Réviser (trainees): questions made from the indexed documents — a sentence with a figure,
a duration, a date or the body that acts blanked out, four choices — for a session of the
programme or a document, each corrected with the sentence and its source. The score stays in
the browser's session: nothing about the trainee is stored."""

from __future__ import annotations

import streamlit as st

from assistant.quiz import cached_questions
from ui.common import french_number, page_opening, plain, source_line

BY_SESSION = "Une séquence du programme"
BY_DOCUMENT = "Un document"


def marked(sentence: str, answer: str) -> str:
    """``sentence`` as Markdown with ``answer`` in bold, the rest shown as written."""
    at = sentence.find(answer)
    if at < 0:
        return plain(sentence)
    end = at + len(answer)
    return f"{plain(sentence[:at])}**{plain(answer)}**{plain(sentence[end:])}"


def render() -> None:
    _settings, result = page_opening(
        "Réviser",
        "Des questions tirées des documents indexés : une phrase dont un chiffre, une durée, "
        "une date ou l'organisme qui agit est masqué, et quatre réponses possibles. Chaque "
        "correction cite sa source. Le score reste dans cette session : rien n'est enregistré.",
        "Préparation des questions (une fois par version de l'index)…",
        cached_questions,
    )
    if not result["questions"]:
        st.info("Les documents indexés ne contiennent pas encore de phrase à réviser.")
        return
    ways = [
        w
        for w, names in ((BY_SESSION, result["sessions"]), (BY_DOCUMENT, result["documents"]))
        if names
    ]
    way = (
        st.radio("Que réviser ?", ways, horizontal=True, key="quiz-way")
        if len(ways) > 1
        else ways[0]
    )
    names = result["sessions"] if way == BY_SESSION else result["documents"]
    group = st.selectbox("Partie à réviser", names, key="quiz-group")
    questions = [q for q in result["questions"] if q["group"] == group]
    choices: dict[str, str] = st.session_state.setdefault("quiz-choices", {})
    answered = [q for q in questions if q["id"] in choices]
    right = sum(choices[q["id"]] == q["answer_label"] for q in answered)
    left, middle = st.columns([1, 3])
    left.metric(
        "Bonnes réponses",
        f"{french_number(right)} sur {french_number(len(answered))}",
        help=f"{french_number(len(questions))} questions dans cette partie",
    )
    if answered and middle.button("Recommencer cette partie", icon=":material/restart_alt:"):
        for question in questions:
            choices.pop(question["id"], None)
        st.rerun()
    for number, question in enumerate(questions, start=1):
        show_question(question, number, choices)


def show_question(question: dict, number: int, choices: dict[str, str]) -> None:
    with st.container(border=True):
        st.markdown(f"**Question {number}.** {plain(question['cloze'])}")
        chosen = choices.get(question["id"])
        if chosen is None:
            with st.form(key=f"quiz-{question['id']}"):
                choice = st.radio(
                    "Votre réponse",
                    question["options"],
                    index=None,
                    key=f"choice-{question['id']}",
                    horizontal=True,
                )
                if st.form_submit_button("Valider"):
                    if choice is None:
                        st.warning("Choisissez une réponse avant de valider.")
                    else:
                        choices[question["id"]] = choice
                        st.rerun()
            return
        if chosen == question["answer_label"]:
            st.success(f"Exact : {plain(chosen)}.", icon=":material/check_circle:")
        else:
            st.error(
                f"Vous avez répondu {plain(chosen)} ; la réponse est "
                f"{plain(question['answer_label'])}.",
                icon=":material/cancel:",
            )
        st.markdown(f"> {marked(question['sentence'], question['answer'])}")
        st.caption(source_line(question["source"]))


render()
