"""The Streamlit app: Chat (trainees), Parcours (the course map), Glossaire, Réviser
(revision questions), Sources (trainers), Administration (maintainers)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run ui/app.py` puts ui/ on the path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="Assistant Module 9.5 — NPNRU", page_icon="🏘️", layout="wide")
st.markdown(
    "<style>mark{background:#ffe08a;padding:0 .1em}"
    ".passage{font-size:.9em;max-height:18em;overflow:auto}"
    ".tableau{border-collapse:collapse;margin:.3em 0}"
    ".tableau td,.tableau th{border:1px solid #c8c8c8;padding:.1em .4em}</style>",
    unsafe_allow_html=True,
)
pages = [
    st.Page(HERE / "views" / "chat.py", title="Chat", icon=":material/forum:", default=True),
    st.Page(HERE / "views" / "parcours.py", title="Parcours", icon=":material/route:"),
    st.Page(HERE / "views" / "glossaire.py", title="Glossaire", icon=":material/menu_book:"),
    st.Page(HERE / "views" / "reviser.py", title="Réviser", icon=":material/quiz:"),
    st.Page(HERE / "views" / "sources.py", title="Sources", icon=":material/library_books:"),
    st.Page(HERE / "views" / "admin.py", title="Administration", icon=":material/settings:"),
]
from assistant.database import DatabaseError  # noqa: E402
from assistant.revision import DamagedIndexError  # noqa: E402
from assistant.store import StoreError  # noqa: E402

try:
    st.navigation(pages).run()
except (StoreError, DatabaseError) as exc:
    # A service that stopped answering (Chroma server, database): said plainly, and the next
    # action tries again by itself.
    st.error(f"Service indisponible : {exc}", icon=":material/cloud_off:")
except DamagedIndexError as exc:
    # A damaged index: what is damaged, and the command that repairs it.
    st.error(str(exc), icon=":material/report:")
