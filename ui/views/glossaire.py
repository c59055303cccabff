"""Glossaire (trainees): every acronym and term the assistant knows, its long form, and the
passage of the indexed documents that best defines it, cited with its date; a term the
documents do not define says so. Searchable; a term can be asked in the chat."""

from __future__ import annotations

import streamlit as st

from assistant.glossary_entries import cached_glossary
from assistant.text import fold
from ui.common import french_number, page_opening, plain, source_line


def matches(entry: dict, wanted: str) -> bool:
    needle = fold(wanted)
    return any(
        needle in fold(text)
        for text in [entry["term"], entry["long_form"], *entry["other_forms"], entry["definition"]]
    )


def render() -> None:
    _settings, result = page_opening(
        "Glossaire",
        "Les sigles et termes du logement social et du renouvellement urbain, avec le passage "
        "des documents indexés qui les définit le mieux (ou, à défaut, qui les nomme).",
        "Recherche des définitions (une fois par version de l'index)…",
        cached_glossary,
    )
    st.metric(
        "Termes qu'une phrase des documents indexés nomme",
        f"{french_number(result['defined'])} sur {french_number(result['total'])}",
    )
    wanted = st.text_input("Chercher un terme", key="glossary-filter")
    entries = [e for e in result["entries"] if not wanted or matches(e, wanted)]
    if not entries:
        st.info("Aucun terme ne correspond.")
    for index, entry in enumerate(entries):
        show_entry(entry, index)


def show_entry(entry: dict, index: int) -> None:
    long = f" — {plain(entry['long_form'])}" if entry["long_form"] else ""
    left, right = st.columns([5, 1])
    left.markdown(f"**{plain(entry['term'])}**{long}")
    if right.button("Demander", key=f"define-{index}", icon=":material/forum:"):
        st.session_state["pending"] = entry["question"]
        st.switch_page("views/chat.py")
    if not entry["definition"]:
        left.caption("Aucun passage des documents indexés ne définit ce terme.")
        return
    left.markdown(f"> {plain(entry['definition'])}")
    left.caption(source_line(entry["source"]))


render()
