"""One loader per format: each turns a file into a Document with numbered pages of text."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from ingest.service_public import FicheError, fiche_text_and_meta, looks_like_fiche

SUPPORTED_SUFFIXES = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".json": "fiche",
    ".xml": "fiche",
}


class LoaderError(Exception):
    """A file cannot be read as a document; the message is French and names the cause."""


@dataclass
class Document:
    doc_id: str
    title: str
    format: str
    # (page number, text); page is None for formats without pages (Markdown, text, HTML).
    pages: list[tuple[int | None, str]]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def structure_format(self) -> str:
        """How headings are written in the text: Markdown « # » or plain lines."""
        return "markdown" if self.format in ("markdown", "html", "fiche") else "plain"


def normalise_text(text: str) -> str:
    """NFC, ligatures and odd spaces replaced, trailing blanks removed."""
    if any("\ufb00" <= ch <= "\ufb06" for ch in text):
        text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u00a0\u2007\u202f\u2009\u200a\u2002\u2003]", " ", text)
    text = text.replace("\u00ad", "").replace("\x00", "")
    return "\n".join(line.rstrip() for line in text.splitlines())


def repair_hyphenation(text: str) -> str:
    """« attribu-\\ntion » → « attribution » (a lowercase letter on both sides)."""
    return re.sub(r"([a-zà-ÿ])-\n([a-zà-ÿ])", r"\1\2", text)


_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|sur)\s*\d{1,4})?$", re.IGNORECASE)


def _edge_key(line: str) -> str:
    """Page numbers all look alike; other lines must repeat word for word."""
    stripped = line.strip()
    return "<page>" if _PAGE_NUMBER.match(stripped) else stripped


def remove_repeated_edges(pages: list[str], depth: int = 2) -> list[str]:
    """Drop running headers and footers: lines at the top or bottom of at least 80 % of the
    pages (page numbers included), in documents of three pages or more."""
    if len(pages) < 3:
        return pages
    counts: Counter[str] = Counter()
    for text in pages:
        lines = [line for line in text.splitlines() if line.strip()]
        counts.update({_edge_key(line) for line in lines[:depth] + lines[-depth:]})
    repeated = {key for key, n in counts.items() if n >= max(3, 0.8 * len(pages))}
    if not repeated:
        return pages
    cleaned = []
    for text in pages:
        lines = text.splitlines()
        content = [i for i, line in enumerate(lines) if line.strip()]
        edges = set(content[:depth] + content[-depth:])
        kept = "\n".join(
            line for i, line in enumerate(lines) if not (i in edges and _edge_key(line) in repeated)
        )
        # A page made only of repeated lines (every page alike) keeps its text.
        cleaned.append(kept if re.search(r"\w", kept) else text)
    return cleaned


def _title_from_text(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if len(line) >= 3:
            return line[:200]
    return fallback


# Beyond these, a file is refused rather than read (a course PDF has tens of pages; the codes
# hold a few million characters).
MAX_PAGES = 2000
MAX_CHARS = 30_000_000


def load_pdf(path: Path, doc_id: str) -> Document:
    try:
        reader = PdfReader(path)
        if len(reader.pages) > MAX_PAGES:
            raise LoaderError(f"trop de pages ({len(reader.pages)}, limite {MAX_PAGES})")
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise LoaderError("PDF protégé par un mot de passe")
            except FileNotDecryptedError as exc:
                raise LoaderError("PDF protégé par un mot de passe") from exc
        texts = [page.extract_text() or "" for page in reader.pages]
        meta_title = ""
        try:
            meta_title = (reader.metadata.title if reader.metadata else None) or ""
        except (PdfReadError, ValueError, TypeError, KeyError):
            pass
    except LoaderError:
        raise
    except FileNotDecryptedError as exc:
        raise LoaderError("PDF protégé par un mot de passe") from exc
    except OSError as exc:
        raise LoaderError(f"fichier illisible ({exc.strerror or exc})") from exc
    except Exception as exc:  # pypdf raises many types on damaged files
        raise LoaderError(f"PDF illisible ou corrompu ({type(exc).__name__}: {exc})") from exc
    texts = remove_repeated_edges([repair_hyphenation(normalise_text(t)) for t in texts])
    pages = list(enumerate(texts, start=1))
    if not any(re.search(r"\w", t) for t in texts):
        raise LoaderError("aucun texte extractible : OCR nécessaire")
    first_text = next(text for text in texts if text.strip())
    title = str(meta_title).strip() or _title_from_text(first_text, path.stem)
    return Document(doc_id, title, "pdf", pages)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"fichier illisible ({exc.strerror})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


METADATA_FIELDS = ("title", "kind", "date", "source_url", "licence", "attribution")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``key: value`` lines between two ``---`` lines at the very top of a Markdown file."""
    match = re.match(r"^---\n(.*?)\n---\n", text, flags=re.S)
    if not match:
        return {}, text
    values = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in METADATA_FIELDS:
            values[key.strip()] = value.strip().strip("\"'")
    return values, text[match.end() :]


def load_textual(path: Path, doc_id: str, fmt: str) -> Document:
    text = normalise_text(_read_text(path))
    meta, text = split_front_matter(text) if fmt == "markdown" else ({}, text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    if not text.strip():
        raise LoaderError("fichier vide")
    title = meta.get("title") or _title_from_text(text, path.stem)
    return Document(doc_id, title, fmt, [(None, text)], meta)


class _HTMLToMarkdown(HTMLParser):
    HEADINGS = {f"h{i}": i for i in range(1, 7)}
    BREAKS = {"p", "div", "br", "tr", "section", "article", "ul", "ol", "table", "blockquote"}
    SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.HEADINGS:
            self.parts.append("\n\n" + "#" * self.HEADINGS[tag] + " ")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BREAKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self.HEADINGS or tag in self.BREAKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def load_html(path: Path, doc_id: str) -> Document:
    parser = _HTMLToMarkdown()
    parser.feed(_read_text(path))
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = normalise_text(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())
    if not text:
        raise LoaderError("page HTML sans texte")
    title = re.sub(r"\s+", " ", parser.title).strip() or _title_from_text(text, path.stem)
    return Document(doc_id, title, "html", [(None, text)])


def load_fiche(path: Path, doc_id: str) -> Document:
    if not looks_like_fiche(path):
        raise LoaderError(
            "fichier JSON/XML non reconnu (seules les fiches service-public "
            "au format DILA sont prises en charge)"
        )
    try:
        text, meta = fiche_text_and_meta(path)
    except (FicheError, ValueError) as exc:  # json and XML parse errors are ValueErrors
        raise LoaderError(f"fiche service-public illisible ({exc})") from exc
    return Document(doc_id, meta["title"], "fiche", [(None, normalise_text(text))], meta)


def load_document(path: Path, doc_id: str, max_bytes: int | None = None) -> Document:
    """Load ``path`` with the loader of its format, or raise LoaderError (French reason)."""
    fmt = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise LoaderError(f"extension non prise en charge : « {path.suffix or '(aucune)'} »")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise LoaderError(f"fichier illisible ({exc.strerror})") from exc
    if size == 0:
        raise LoaderError("fichier vide (0 octet)")
    if max_bytes is not None and size > max_bytes:
        raise LoaderError(
            f"fichier trop volumineux ({size / 1e6:.1f} Mo, limite {max_bytes / 1e6:.0f} Mo)"
        )
    if fmt == "pdf":
        if b"%PDF" not in head:
            raise LoaderError("ce fichier n'est pas un PDF (en-tête %PDF absent)")
        document = load_pdf(path, doc_id)
    elif fmt == "html":
        document = load_html(path, doc_id)
    elif fmt == "fiche":
        document = load_fiche(path, doc_id)
    else:
        document = load_textual(path, doc_id, fmt)
    characters = sum(len(text) for _, text in document.pages)
    if characters > MAX_CHARS:
        raise LoaderError(f"trop de texte ({characters:,} caractères, limite {MAX_CHARS:,})")
    return document
