"""The hierarchy of a document: divisions (Partie … Section), articles, course headings.

Produces blocks: runs of lines under one heading, each knowing its breadcrumb and, for legal
texts, its article id and version date. Pages are kept line by line so a block that crosses a
page break knows both pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.loaders import Document

_ARTICLE_ID = (
    r"(?:(?:LO|L|R|D|A)\s?\.?\s?\*?\s?)?\d+(?:\s?[-–]\s?\d+)*"
    r"(?:\s?(?:er|bis|ter|quater|quinquies|sexies|septies|octies|A|B|C)\b)?"
    r"|premier|unique|préliminaire|annexe"
)
_MD_ARTICLE = re.compile(
    rf"^(#{{1,6}})\s+(?:Article|Art\.)\s+(?P<id>{_ARTICLE_ID})(?P<rest>.*)$", re.IGNORECASE
)
_PLAIN_ARTICLE = re.compile(
    rf"^(?:Article|Art\.)\s+(?P<id>{_ARTICLE_ID})(?P<rest>.*)$", re.IGNORECASE
)
# What may follow an article number on a heading line (Légifrance exports add a version).
_ARTICLE_TAIL = re.compile(r"^\s*(?:$|[-–:.]|\((?:abrogé|créé|modifié))", re.IGNORECASE)
_DIVISIONS = {
    "partie": 1,
    "livre": 2,
    "titre": 3,
    "chapitre": 4,
    "section": 5,
    "sous-section": 6,
    "paragraphe": 7,
}
_DIVISION = re.compile(
    r"^(Partie|Livre|Titre|Chapitre|Section|Sous-section|Paragraphe)\s+"
    r"(?:[IVXLC]+|\d+|premier|Ier|unique|préliminaire|législative|réglementaire)\b",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\s*[/.)]?\s+(\S.{1,118})$")
_DAY_HEADING = re.compile(r"^JOUR\s+\d+\b", re.IGNORECASE)
_MONTH_NAMES = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
)
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(), start=1)}
_FRENCH_DATE = re.compile(
    r"(\d{1,2})(?:er)?\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def normalise_article_id(raw: str) -> str:
    """« L. 441-1 » → « L441-1 », « R*441-9 » → « R441-9 », « 1er » → « 1 »."""
    text = raw.strip().replace("–", "-")
    lowered = text.lower()
    if lowered in ("premier", "1er"):
        return "1"
    if lowered in ("unique", "préliminaire", "annexe"):
        return lowered.capitalize()
    text = re.sub(
        r"^(LO|L|R|D|A)\s?\.?\s?\*?\s?", lambda m: m.group(1).upper(), text, flags=re.IGNORECASE
    )
    text = re.sub(r"\s?-\s?", "-", text)
    text = re.sub(r"(\d)er\b", r"\1", text)
    return re.sub(r"\s+", " ", text)


def parse_french_date(text: str) -> str | None:
    """The first date in ``text`` as YYYY-MM-DD (« 1er janvier 2024 », « 01/01/2024 »)."""
    match = _FRENCH_DATE.search(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{_MONTHS[month.lower()]:02d}-{int(day):02d}"
    match = _NUMERIC_DATE.search(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{month}-{day}"
    return None


def article_heading(line: str, markdown: bool) -> tuple[str, str | None] | None:
    """(article id, version date) when ``line`` is an article heading."""
    stripped = line.strip()
    if markdown:
        match = _MD_ARTICLE.match(stripped)
    else:
        match = _PLAIN_ARTICLE.match(stripped)
        if match and not _ARTICLE_TAIL.match(match.group("rest")):
            match = None
    if not match:
        return None
    return normalise_article_id(match.group("id")), parse_french_date(match.group("rest"))


def mostly_upper(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8


def heading_level(line: str, fmt: str) -> int | None:
    """The level of a division or section heading (1 = top), or None for body text."""
    stripped = line.strip()
    if not stripped:
        return None
    if fmt == "markdown":
        match = _MD_HEADING.match(stripped)
        return len(match.group(1)) if match else None
    if len(stripped) > 120:
        return None
    division = _DIVISION.match(stripped)
    if division:
        return _DIVISIONS[division.group(1).lower()]
    if _DAY_HEADING.match(stripped):
        return 1
    match = _NUMBERED_HEADING.match(stripped)
    if match and mostly_upper(match.group(2)):
        return 2 + match.group(1).count(".")
    if mostly_upper(stripped) and not stripped.startswith(("•", "-", "*")):
        return 4
    return None


def clean_heading(line: str) -> str:
    return line.strip().lstrip("#").strip()


@dataclass
class Block:
    breadcrumb: tuple[str, ...]
    heading: str | None = None
    article: str | None = None
    version_date: str | None = None
    lines: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines).strip()

    @property
    def pages(self) -> list[int]:
        return [page for page, line in self.lines if page is not None and line.strip()]


def parse_blocks(document: Document) -> list[Block]:
    fmt = document.structure_format
    markdown = fmt == "markdown"
    stack: list[tuple[int, str]] = []
    current = Block(breadcrumb=())
    blocks = [current]
    article_level: int | None = None
    for page, text in document.pages:
        for line in text.splitlines():
            found = article_heading(line, markdown)
            if found:
                heading = clean_heading(line)
                article_level = len(line) - len(line.lstrip("#")) if markdown else 99
                while markdown and stack and stack[-1][0] >= article_level:
                    stack.pop()
                current = Block(
                    tuple(h for _, h in stack), heading, found[0], found[1], [(page, heading)]
                )
                blocks.append(current)
                continue
            level = heading_level(line, fmt)
            inside_article = current.article is not None and (
                level is None or (markdown and article_level is not None and level > article_level)
            )
            if level is None or inside_article:
                current.lines.append((page, line.strip()))
                continue
            heading = clean_heading(line)
            while stack and stack[-1][0] >= level:
                stack.pop()
            current = Block(tuple(h for _, h in stack), heading, None, None, [(page, heading)])
            stack.append((level, heading))
            blocks.append(current)
            article_level = None
    return [b for b in blocks if b.text]
