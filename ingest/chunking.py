"""Chunks: one per article (split by alinéas when long), merged small sections elsewhere."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.course import course_units, cover_fields, one_per_person
from ingest.loaders import Document
from ingest.structure import Block, parse_blocks

# Bump when chunking changes, so that re-ingestion re-chunks every document.
CHUNKER_VERSION = "18"
TARGET_CHARS = 700
MAX_CHARS = 1000
MIN_CHARS = 200
CONTEXT_TITLE_CHARS = 120


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    position: int
    text: str
    breadcrumb: str
    page_start: int | None
    page_end: int | None
    article: str | None = None
    version_date: str | None = None
    # Course documents: the day and session the chunk belongs to, and who speaks.
    day: int | None = None
    session: str | None = None
    speakers: str | None = None
    # Written from the document's layout (a course's rows), not copied from its text.
    recomposed: bool = False

    def context(self, title: str) -> str:
        """The document title (cut, and not repeated when it is also the top heading) and the
        section path: what tells the embedding model where the text comes from."""
        short = _shorten(title, CONTEXT_TITLE_CHARS)
        crumbs = [c for c in self.breadcrumb.split(" > ") if c and not title.startswith(c[:60])]
        return " > ".join([short] + crumbs) if short else " > ".join(crumbs)


def _shorten(text: str, limit: int) -> str:
    """Beginning and end of a long title: « Code de … — Partie … / Chapitre II : Loyers »."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half].rsplit(" ", 1)[0] + " … " + text[-half:].split(" ", 1)[-1]


def _paragraphs(
    lines: list[tuple[int | None, str]],
) -> tuple[list[list[tuple[int | None, str]]], bool]:
    """Alinéas: runs of lines separated by blank lines, or each line when a long text has none
    (PDF pages); the flag says whether blank lines really separated them."""
    groups: list[list[tuple[int | None, str]]] = [[]]
    for page, line in lines:
        if line.strip():
            groups[-1].append((page, line))
        elif groups[-1]:
            groups.append([])
    groups = [g for g in groups if g]
    if len(groups) == 1 and sum(len(line) for _, line in groups[0]) > MAX_CHARS:
        return [[item] for item in groups[0]], False
    return groups, True


def _pieces(lines: list[tuple[int | None, str]]) -> list[list[tuple[int | None, str]]]:
    """Split into pieces of at most MAX_CHARS at alinéa ends (an over-long line is cut)."""
    pieces: list[list[tuple[int | None, str]]] = [[]]
    size = 0
    paragraphs, separated = _paragraphs(lines)
    for paragraph in paragraphs:
        length = sum(len(line) + 1 for _, line in paragraph)
        if size and size + length > MAX_CHARS:
            pieces.append([])
            size = 0
        for page, line in paragraph:
            while len(line) > MAX_CHARS:
                cut = line.rfind(" ", 0, MAX_CHARS)
                cut = cut if cut > MAX_CHARS // 2 else MAX_CHARS
                pieces[-1].append((page, line[:cut]))
                pieces.append([])
                line = line[cut:].lstrip()
            pieces[-1].append((page, line))
        if separated:
            pieces[-1].append((None, ""))
        size = sum(len(line) + 1 for _, line in pieces[-1])
    return [p for p in pieces if any(line for _, line in p)]


def _top(block: Block) -> str | None:
    return block.breadcrumb[0] if block.breadcrumb else block.heading


def _merge_small(blocks: list[Block]) -> list[Block]:
    """Neighbouring short sections (not articles) of one top-level section are merged up to the
    target size; a new top-level section (« JOUR 2 », a Titre) always starts a chunk."""
    merged: list[Block] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.article is None
            and block.article is None
            and block.breadcrumb
            and _top(last) == _top(block)
            and len(last.text) < MIN_CHARS
            and len(last.text) + len(block.text) <= TARGET_CHARS
        ):
            last.lines.extend([(None, "")] + block.lines)
        else:
            merged.append(
                Block(
                    block.breadcrumb,
                    block.heading,
                    block.article,
                    block.version_date,
                    list(block.lines),
                )
            )
    return merged


def chunk_document(document: Document) -> list[Chunk]:
    """Chunks in reading order, with pages, breadcrumb and article id."""
    chunks: list[Chunk] = []
    for block in _merge_small(parse_blocks(document)):
        crumbs = block.breadcrumb
        if block.article and block.heading:
            crumbs = crumbs + (block.heading,)
        for piece in _pieces(block.lines):
            text = re.sub(r"\n{3,}", "\n\n", "\n".join(line for _, line in piece)).strip()
            if not re.search(r"\w", text):
                continue
            pages = [page for page, line in piece if page is not None and line.strip()]
            position = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id="",
                    doc_id=document.doc_id,
                    position=position,
                    text=text,
                    breadcrumb=" > ".join(crumbs),
                    page_start=min(pages) if pages else None,
                    page_end=max(pages) if pages else None,
                    article=block.article,
                    version_date=block.version_date,
                )
            )
    return _identified(chunks + _course_chunks(document, chunks))


def _identified(chunks: list[Chunk]) -> list[Chunk]:
    """Each chunk's id: its document, and a digest of its section path and text (« ~2 » for the
    second identical one). An edit elsewhere in the document leaves it unchanged, so that the
    next ingestion rewrites only the chunks that changed (ingest/index.py), whereas an id
    holding the position would change for every chunk after an inserted one."""
    seen: dict[str, int] = {}
    for chunk in chunks:
        digest = hashlib.sha256(f"{chunk.breadcrumb}\x1f{chunk.text}".encode()).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        repeat = f"~{seen[digest]}" if seen[digest] > 1 else ""
        chunk.chunk_id = f"{chunk.doc_id}::{digest}{repeat}"
    return chunks


def _course_chunks(document: Document, chunks: list[Chunk]) -> list[Chunk]:
    """For a course programme: its presentation's fields, its days and sessions as recomposed
    passages (see ``ingest.course``), and the day of each page on the chunks copied from it."""
    from assistant.lexical import glossary

    acronyms = {term for term in glossary() if term.isupper()}
    units = course_units(document.pages, acronyms)
    days_of_page: dict[int | None, set[int]] = {}
    for unit in units:
        days_of_page.setdefault(unit.page, set()).add(unit.day)
    for chunk in chunks:
        days = days_of_page.get(chunk.page_start, set())
        if len(days) == 1 and chunk.page_start == chunk.page_end:
            chunk.day = next(iter(days))
    extra = []
    # A programme's presentation, one passage per labelled field (« Durée : 3 jours (17h30) »):
    # its layout joins them, and a size-cut chunk holds half of one with half of another.
    fields = cover_fields(document.pages) if units else []
    # The teachers' field also one passage per person (« son métier ? »).
    for field in [*fields, *one_per_person(fields)]:
        extra.append(
            Chunk(
                chunk_id="",
                doc_id=document.doc_id,
                position=len(chunks) + len(extra),
                text=field.text,
                breadcrumb="",
                page_start=field.page,
                page_end=field.page,
                recomposed=True,
            )
        )
    for unit in units:
        position = len(chunks) + len(extra)
        crumbs = [f"Jour {unit.day}"] + ([f"Séquence {unit.session}"] if unit.session else [])
        extra.append(
            Chunk(
                chunk_id="",
                doc_id=document.doc_id,
                position=position,
                text=unit.text,
                breadcrumb=" > ".join(crumbs),
                page_start=unit.page,
                page_end=unit.page,
                day=unit.day,
                session=unit.session or None,
                speakers=", ".join(unit.speakers) or None,
                recomposed=True,
            )
        )
    return extra
