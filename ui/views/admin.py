"""Administration (maintainers), behind NPNRU_ADMIN_PASSWORD (no default: the page is disabled
while none is set): upload, re-ingest with progress, reports and failures, removal, statistics,
feedback."""

from __future__ import annotations

import hmac

import streamlit as st

from assistant import feedback
from assistant.stats import index_stats
from ingest.index import IngestLockedError, ingest
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.uploads import UploadError, remove_document, save_upload
from ui.common import french_datetime, load_settings, plain, shown


def reingest(settings) -> None:
    bar = st.progress(0.0, text="Indexation…")

    def progress(number: int, total: int, doc_id: str) -> None:
        bar.progress(number / max(total, 1), text=f"Indexation {number}/{total} : {plain(doc_id)}")

    try:
        report = ingest(settings, progress=progress)
    except IngestLockedError as exc:
        st.error(str(exc))
        return
    bar.progress(1.0, text="Indexation terminée")
    summary = report.to_dict()
    st.success(
        f"Ajoutés {len(report.added)} · mis à jour {len(report.updated)} · inchangés "
        f"{len(report.unchanged)} · supprimés {len(report.deleted)} · "
        f"{summary['total_chunks']} passages dans l'index"
    )
    for failure in report.failed:
        st.error(plain(f"{failure['path']} : {failure['error']}"))


def login(settings) -> bool:
    expected = settings.admin_password.get_secret_value()
    if not expected:
        st.warning(
            "Page désactivée : aucun mot de passe d'administration n'est configuré "
            "(NPNRU_ADMIN_PASSWORD)."
        )
        return False
    if st.session_state.get("admin_ok"):
        return True
    with st.form("login"):
        given = st.text_input("Mot de passe", type="password")
        if st.form_submit_button("Entrer"):
            if hmac.compare_digest(given.encode(), expected.encode()):
                st.session_state["admin_ok"] = True
                st.rerun()
            st.error("Mot de passe incorrect.")
    return False


def render() -> None:
    st.title("Administration")
    settings = load_settings()
    if not login(settings):
        return
    stats = index_stats(settings)
    a, b, c = st.columns(3)
    a.metric("Documents", stats["documents"])
    b.metric("Passages", stats["chunks"])
    c.metric("Avis reçus", len(feedback.entries(settings)))

    st.subheader("Ajouter des documents")
    uploads = st.file_uploader(
        f"Fichiers ({', '.join(sorted(SUPPORTED_SUFFIXES))} ; {settings.max_file_mb:g} Mo au plus)",
        type=sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES),
        accept_multiple_files=True,
        key="uploads",
    )
    if uploads and st.button("Enregistrer et indexer", icon=":material/upload:"):
        saved = 0
        for upload in uploads:
            try:
                path = save_upload(settings, upload.name, upload.getvalue())
                st.info(f"Enregistré : {plain(path.name)}")
                saved += 1
            except UploadError as exc:
                st.error(plain(str(exc)))
        if saved:
            reingest(settings)

    st.subheader("Réindexer")
    if st.button("Réindexer le corpus", icon=":material/sync:"):
        reingest(settings)

    st.subheader("Retirer un document")
    files = [d["doc_id"] for d in stats["by_document"]]
    chosen = st.selectbox(
        "Document", files, index=None, key="remove-doc", placeholder="Choisir un document"
    )
    confirm = st.checkbox("Je confirme la suppression du fichier et de ses passages")
    if chosen and confirm and st.button("Retirer", icon=":material/delete:"):
        try:
            remove_document(settings, chosen)
            reingest(settings)
        except UploadError as exc:
            st.error(str(exc))

    st.subheader("Dernières indexations")
    for run in stats["runs"]:
        report = run.get("report") or {}
        failed = report.get("failed", [])
        with st.expander(
            f"{french_datetime(run['started_at'])} — {run['status']} ({len(failed)} échec(s))",
            expanded=False,
        ):
            st.json(report, expanded=False)
            for failure in failed:
                st.error(plain(f"{failure['path']} : {failure['error']}"))

    st.subheader("Avis des utilisateurs")
    entries = feedback.entries(settings)
    if entries:
        st.dataframe(
            [
                {
                    "date": french_datetime(e["created_at"]),
                    "avis": "👍" if e["rating"] > 0 else "👎",
                    "raison": shown(e["reason"]),
                    "commentaire": shown(e["comment"]),
                    "question": e["question"],
                    "passages": len(e["chunk_ids"]),
                }
                for e in entries
            ],
            hide_index=True,
            use_container_width=True,
        )
        st.download_button(
            "Exporter les avis (CSV)",
            feedback.to_csv(settings),
            file_name="avis.csv",
            mime="text/csv",
            icon=":material/download:",
        )
    else:
        st.caption("Aucun avis pour l'instant.")


render()
