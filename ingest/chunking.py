"""Heading-aware chunks that never cross a page, so every chunk cites an exact page."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.loaders import Document

# Bump when chunking changes, so that re-ingestion re-chunks every document.
CHUNKER_VERSION = "1"
TARGET_CHARS = 700
MAX_CHARS = 1000
MIN_CHARS = 200

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\s*[/.)]?\s+(\S.{1,118})$")
_DAY_HEADING = re.compile(r"^JOUR\s+\d+\b", re.IGNORECASE)


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

    def embedding_text(self, title: str) -> str:
        """What is embedded: the document title and section path give context to the text."""
        context = " > ".join(part for part in (title, self.breadcrumb) if part)
        return f"{context}\n{self.text}" if context else self.text


def _mostly_upper(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8


def heading_level(line: str, fmt: str) -> int | None:
    """The heading level of ``line`` (1 = top), or None for body text."""
    stripped = line.strip()
    if not stripped:
        return None
    if fmt == "markdown":
        match = _MD_HEADING.match(stripped)
        return len(match.group(1)) if match else None
    if len(stripped) > 120:
        return None
    if _DAY_HEADING.match(stripped):
        return 1
    match = _NUMBERED_HEADING.match(stripped)
    if match and _mostly_upper(match.group(2)):
        return 2 + match.group(1).count(".")
    if _mostly_upper(stripped) and not stripped.startswith(("•", "-", "*")):
        return 4
    return None


def _clean_heading(line: str) -> str:
    return line.strip().lstrip("#").strip()


@dataclass
class _Section:
    breadcrumb: tuple[str, ...]
    page: int | None
    lines: list[str]

    @property
    def size(self) -> int:
        return sum(len(line) + 1 for line in self.lines)


def _sections(document: Document) -> list[_Section]:
    stack: list[tuple[int, str]] = []
    sections: list[_Section] = []
    for page, text in document.pages:
        current = _Section(tuple(h for _, h in stack), page, [])
        sections.append(current)
        for line in text.splitlines():
            level = heading_level(line, document.format)
            if level is not None:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                heading = _clean_heading(line)
                stack.append((level, heading))
                current = _Section(tuple(h for _, h in stack[:-1]), page, [heading])
                sections.append(current)
            elif line.strip() or (current.lines and current.lines[-1]):
                current.lines.append(line.strip())
    return [s for s in sections if any(line for line in s.lines)]


def _split_long(lines: list[str]) -> list[list[str]]:
    """Split a section's lines into pieces of at most MAX_CHARS, at paragraph or line ends."""
    pieces: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if size + len(line) > MAX_CHARS and pieces[-1]:
            pieces.append([])
            size = 0
        if len(line) > MAX_CHARS:
            for start in range(0, len(line), MAX_CHARS):
                pieces[-1].append(line[start : start + MAX_CHARS])
                pieces.append([])
            size = 0
            continue
        pieces[-1].append(line)
        size += len(line) + 1
        if size >= TARGET_CHARS and line == "":
            pieces.append([])
            size = 0
    return [p for p in pieces if any(p)]


def chunk_document(document: Document) -> list[Chunk]:
    """Chunks in reading order; small neighbouring sections of one page are merged."""
    groups: list[_Section] = []
    for section in _sections(document):
        last = groups[-1] if groups else None
        if (
            last is not None
            and last.page == section.page
            and last.size < MIN_CHARS
            and last.size + section.size <= TARGET_CHARS
        ):
            last.lines.extend(section.lines)
        else:
            groups.append(_Section(section.breadcrumb, section.page, list(section.lines)))
    chunks: list[Chunk] = []
    for group in groups:
        for piece in _split_long(group.lines):
            text = re.sub(r"\n{3,}", "\n\n", "\n".join(piece)).strip()
            if not text:
                continue
            position = len(chunks)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
            chunks.append(
                Chunk(
                    chunk_id=f"{document.doc_id}::{position:05d}::{digest}",
                    doc_id=document.doc_id,
                    position=position,
                    text=text,
                    breadcrumb=" > ".join(group.breadcrumb),
                    page_start=group.page,
                    page_end=group.page,
                )
            )
    return chunks
