"""Glossaire (trainees): every acronym and term the assistant knows, its long form, and the
passage of the indexed documents that best defines it, cited with its date; a term the
documents do not define says so. Searchable; a term can be asked in the chat."""

from __future__ import annotations

import streamlit as st

from assistant.glossary_entries import cached_glossary
from assistant.text import fold
from ui.common import french_datetime, french_number, load_settings, location, plain


def matches(entry: dict, wanted: str) -> bool:
    needle = fold(wanted)
    return any(
        needle in fold(text)
        for text in [entry["term"], entry["long_form"], *entry["other_forms"], entry["definition"]]
    )


def render() -> None:
    st.title("Glossaire")
    st.caption(
        "Les sigles et termes du logement social et du renouvellement urbain, avec le passage "
        "des documents indexés qui les définit le mieux (ou, à défaut, qui les nomme)."
    )
    settings = load_settings()
    with st.spinner("Recherche des définitions (une fois par version de l'index)…"):
        result = cached_glossary(settings)
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
    source = entry["source"]
    where = location(source["page"], source["article"])
    date = f", version du {french_datetime(source['date'])}" if source.get("date") else ""
    left.caption(f"Source : {plain(source['title'])}" + (f" — {where}" if where else "") + date)


render()
