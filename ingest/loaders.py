"""One loader per format: each turns a file into a Document with numbered pages of text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

SUPPORTED_SUFFIXES = {".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}


class LoaderError(Exception):
    """A file cannot be read as a document; the message is French and names the cause."""


@dataclass
class Document:
    doc_id: str
    title: str
    format: str
    # (page number, text); page is None for formats without pages (Markdown, text).
    pages: list[tuple[int | None, str]]
    meta: dict[str, str] = field(default_factory=dict)


def normalise_text(text: str) -> str:
    """NFC, ligatures and odd spaces replaced, trailing blanks removed."""
    text = unicodedata.normalize("NFKC", text) if _has_ligature(text) else text
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u00a0\u2007\u202f\u2009\u200a]", " ", text)
    text = text.replace("\u00ad", "")
    return "\n".join(line.rstrip() for line in text.splitlines())


def _has_ligature(text: str) -> bool:
    return any("\ufb00" <= ch <= "\ufb06" for ch in text)


def _title_from_text(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if len(line) >= 3:
            return line[:200]
    return fallback


def load_pdf(path: Path, doc_id: str) -> Document:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for a wrong password
                raise LoaderError("PDF protégé par un mot de passe") from exc
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            pages.append((number, normalise_text(page.extract_text() or "")))
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except FileNotDecryptedError as exc:
        raise LoaderError("PDF protégé par un mot de passe") from exc
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise LoaderError(f"PDF illisible ou corrompu ({exc})") from exc
    if not any(text.strip() for _, text in pages):
        raise LoaderError("aucun texte extractible : OCR nécessaire")
    first_text = next(text for _, text in pages if text.strip())
    title = meta_title.strip() or _title_from_text(first_text, path.stem)
    return Document(doc_id, title, "pdf", pages)


def load_textual(path: Path, doc_id: str, fmt: str) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"fichier illisible ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    text = normalise_text(text)
    if not text.strip():
        raise LoaderError("fichier vide")
    return Document(doc_id, _title_from_text(text, path.stem), fmt, [(None, text)])


def load_document(path: Path, doc_id: str) -> Document:
    """Load ``path`` with the loader of its format, or raise LoaderError (French reason)."""
    fmt = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise LoaderError(f"extension non prise en charge : « {path.suffix or '(aucune)'} »")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoaderError(f"fichier illisible ({exc.strerror})") from exc
    if size == 0:
        raise LoaderError("fichier vide (0 octet)")
    if fmt == "pdf":
        return load_pdf(path, doc_id)
    return load_textual(path, doc_id, fmt)
