"""Files uploaded through the administration page: checked (extension, size), their names
made safe (no folders, no path traversal, no hidden files), written into the corpus folder's
``televersements/`` subfolder, where the next ingestion picks them up. And the removal of a
document: its file is deleted (only inside a corpus folder) and the next ingestion drops it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePath

from assistant.config import Settings
from ingest.loaders import SUPPORTED_SUFFIXES

UPLOAD_DIR = "televersements"


class UploadError(ValueError):
    """A file is refused (French message naming it and the cause)."""


def safe_name(name: str) -> str:
    """« ../../etc/passwd », « C:\\x\\Guide ANRU (v2).pdf » → « passwd », « Guide_ANRU_v2.pdf »."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._-")[:100]
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()
    if not stem:
        raise UploadError(f"« {name} » : nom de fichier inutilisable")
    return f"{stem}.{suffix}" if suffix else stem


def save_upload(settings: Settings, name: str, data: bytes) -> Path:
    """Write an uploaded file into the corpus; return its path. Refuses unsupported types,
    files over ``max_file_mb`` and empty files."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        accepted = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UploadError(
            f"« {name} » : type de fichier refusé ({suffix or 'sans extension'}) ; "
            f"acceptés : {accepted}"
        )
    if not data:
        raise UploadError(f"« {name} » : fichier vide")
    if len(data) > settings.max_file_bytes:
        raise UploadError(
            f"« {name} » : {len(data) / 1e6:.1f} Mo, au-delà de la limite de "
            f"{settings.max_file_mb:g} Mo (NPNRU_MAX_FILE_MB)"
        )
    if suffix == ".pdf" and not data.startswith(b"%PDF"):
        raise UploadError(f"« {name} » : ce n'est pas un PDF (en-tête %PDF absent)")
    folder = settings.corpus_dirs[0] / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / clean
    target.write_bytes(data)
    return target


def remove_document(settings: Settings, doc_id: str) -> Path:
    """Delete the file of ``doc_id`` from the corpus folder that holds it (the next ingestion
    removes its passages). Refuses anything outside the corpus folders."""
    for root in settings.corpus_dirs:
        path = (root / doc_id).resolve()
        if path.is_file() and path.is_relative_to(root.resolve()):
            path.unlink()
            return path
    raise UploadError(f"« {doc_id} » : fichier introuvable dans les dossiers du corpus")
