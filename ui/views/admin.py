"""Administration (maintainers), behind NPNRU_ADMIN_PASSWORD (no default: the page is disabled
while none is set): upload, re-ingest with progress, reports and failures, removal, statistics,
the programme's topics no document covers, feedback, and the journal of these actions.

The password is compared in constant time; after 5 wrong passwords within a minute, the session
waits 30 s before it may try again, twice as long after each further wrong one; an
administration session idle for 30 minutes is closed."""

from __future__ import annotations

import hmac
import time

import streamlit as st

from assistant import feedback, journal
from assistant.course_map import cached_course_map
from assistant.stats import index_stats
from ingest.index import IngestError, IngestLockedError, ingest
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.uploads import UploadError, remove_document, save_upload
from ui.common import french_datetime, french_number, load_settings, pause_left, plain, shown

IDLE_LOGOUT_S = 30 * 60
ACTIONS = {
    "connexion": "Connexion",
    "mot de passe refusé": "Mot de passe refusé",
    "téléversement": "Téléversement",
    "retrait": "Retrait d'un document",
    "réindexation": "Réindexation",
    "export des avis": "Export des avis (CSV)",
}


def reingest(settings) -> None:
    bar = st.progress(0.0, text="Indexation…")

    def progress(number: int, total: int, doc_id: str) -> None:
        bar.progress(number / max(total, 1), text=f"Indexation {number}/{total} : {plain(doc_id)}")

    def stage(name: str) -> None:
        # The pages kept with the new revision, computed now rather than on a trainee's visit.
        bar.progress(1.0, text=f"Préparation : {name}…")

    try:
        report = ingest(settings, progress=progress, stage=stage)
    except (IngestLockedError, IngestError) as exc:
        st.error(str(exc))
        return
    bar.progress(1.0, text="Indexation terminée")
    summary = report.to_dict()
    journal.record(
        settings,
        "réindexation",
        f"{len(report.added)} ajouté(s), {len(report.updated)} mis à jour, "
        f"{len(report.deleted)} supprimé(s), {len(report.failed)} échec(s)",
    )
    st.success(
        f"Ajoutés {len(report.added)} · mis à jour {len(report.updated)} · inchangés "
        f"{len(report.unchanged)} · supprimés {len(report.deleted)} · "
        f"{summary['total_chunks']} passages dans l'index"
    )
    for failure in report.failed:
        st.error(plain(f"{failure['path']} : {failure['error']}"))
    if report.pages_error:
        st.warning(
            f"Page non préparée ({plain(report.pages_error)}) : elle sera calculée à sa "
            "première visite."
        )


def login(settings) -> bool:
    expected = settings.admin_password.get_secret_value()
    if not expected:
        st.warning(
            "Page désactivée : aucun mot de passe d'administration n'est configuré "
            "(NPNRU_ADMIN_PASSWORD)."
        )
        return False
    now = time.time()
    if st.session_state.get("admin_ok"):
        if now - st.session_state.get("admin_seen", now) <= IDLE_LOGOUT_S:
            st.session_state["admin_seen"] = now
            return True
        del st.session_state["admin_ok"]
        st.info("Session d'administration fermée après 30 minutes d'inactivité : reconnectez-vous.")
    failures: list[float] = st.session_state.setdefault("admin_failures", [])
    with st.form("login"):
        given = st.text_input("Mot de passe", type="password")
        if st.form_submit_button("Entrer"):
            wait = pause_left(failures, now)
            if wait > 0:
                st.error(f"Trop de mots de passe erronés : réessayez dans {wait:.0f} s.")
            elif hmac.compare_digest(given.encode(), expected.encode()):
                failures.clear()
                st.session_state["admin_ok"] = True
                st.session_state["admin_seen"] = now
                journal.record(settings, "connexion")
                st.rerun()
            else:
                failures.append(now)
                journal.record(settings, "mot de passe refusé")
                st.error("Mot de passe incorrect.")
    return False


def render() -> None:
    st.title("Administration")
    settings = load_settings()
    if not login(settings):
        return
    stats = index_stats(settings)
    a, b, c = st.columns(3)
    a.metric("Documents", french_number(stats["documents"]))
    b.metric("Passages", french_number(stats["chunks"]))
    c.metric("Avis reçus", french_number(len(feedback.entries(settings))))

    st.subheader("Ajouter des documents")
    limit = f"{settings.max_file_mb:g}".replace(".", ",")
    uploads = st.file_uploader(
        f"Fichiers ({', '.join(sorted(SUPPORTED_SUFFIXES))} ; {limit} Mo au plus)",
        type=sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES),
        accept_multiple_files=True,
        key="uploads",
    )
    if uploads and st.button("Enregistrer et indexer", icon=":material/upload:"):
        saved = 0
        for upload in uploads:
            try:
                path = save_upload(settings, upload.name, upload.getvalue())
                journal.record(settings, "téléversement", path.name)
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
            journal.record(settings, "retrait", chosen)
            reingest(settings)
        except UploadError as exc:
            st.error(str(exc))

    st.subheader("Documents à ajouter")
    with st.spinner("Parcours de la formation…"):
        course = cached_course_map(settings)
    missing = [text for p in course["programmes"] for text in p["uncovered"]]
    if not course["programmes"]:
        st.caption("Aucun programme de formation dans l'index : rien à comparer.")
    elif missing:
        st.caption("Sujets du programme qu'aucun document indexé ne traite (page Parcours) :")
        st.markdown("\n".join(f"- {plain(text)}" for text in missing))
    else:
        st.caption("Chaque sujet du programme est traité par au moins un document indexé.")

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
            on_click=journal.record,
            args=(settings, "export des avis", f"{len(entries)} avis"),
        )
    else:
        st.caption("Aucun avis pour l'instant.")

    st.subheader("Journal d'administration")
    actions = journal.entries(settings)
    if actions:
        st.dataframe(
            [
                {
                    "date": french_datetime(a["at"]),
                    "action": ACTIONS.get(a["action"], a["action"]),
                    "détail": shown(a["detail"]),
                }
                for a in actions
            ],
            hide_index=True,
            use_container_width=True,
        )
    else:
        st.caption("Aucune action enregistrée.")


render()
