"""What the pages share: the settings with the heavy resources loaded once per process,
citation cards, the source viewer."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st

from assistant.config import Settings, get_settings

KIND_LABELS = {
    "cours": "support de cours",
    "loi": "loi",
    "code": "code",
    "décret": "décret",
    "arrêté": "arrêté",
    "fiche": "fiche service-public",
    "guide": "guide",
    "autre": "document",
}


def load_settings() -> Settings:
    """The settings, with the embedding model, the collection and the lexical index loaded
    once per process (per index): no question pays for loading them."""
    settings = get_settings()
    _warm(str(settings.data_dir), settings.embedding_model, settings.collection)
    return settings


@st.cache_resource(show_spinner="Chargement du modèle et de l'index…")
def _warm(data_dir: str, model: str, collection: str) -> bool:
    from assistant.embeddings import get_embeddings
    from assistant.lexical import get_lexical
    from assistant.store import get_collection

    settings = get_settings()
    get_embeddings(settings)
    get_collection(settings)
    get_lexical(settings)
    return True


MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
EMPTY = "—"


def french_datetime(value: str | None) -> str:
    """« 2026-11-26T04:18:47+00:00 » → « 26 novembre 2026 à 05 h 18 » (heure de Paris); a
    plain date « 2023-05-01 » → « 1er mai 2023 »; empty → « — »."""
    if not value:
        return EMPTY
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    day = "1er" if moment.day == 1 else str(moment.day)
    date = f"{day} {MONTHS[moment.month - 1]} {moment.year}"
    if len(value) <= 10:
        return date
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(ZoneInfo("Europe/Paris"))
    day = "1er" if moment.day == 1 else str(moment.day)
    date = f"{day} {MONTHS[moment.month - 1]} {moment.year}"
    return f"{date} à {moment.hour:02d} h {moment.minute:02d}"


def shown(value) -> object:
    """A table cell: nothing to show is « — », never « None »."""
    return EMPTY if value is None or value == "" else value


def location(page: int | None, article: str | None, page_end: int | None = None) -> str:
    if article:
        return f"article {article}"
    if page and page_end and page_end != page:
        return f"pages {page}-{page_end}"
    return f"page {page}" if page else ""


# Characters that start Markdown or Streamlit formatting: links and images (« ![x](url) »),
# emphasis, code, headings, quotes, tables, raw HTML, LaTeX (« $ »), colour directives and
# icons (« :red[…] », « :material/…: »), autolinks (« http:// »).
_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+!<>|~$:=&^])")


# Markdown links bare addresses (« http://… », « www.… », « nom@domaine ») whatever the
# escapes: an invisible word joiner inside the marker keeps them text.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|www|mailto)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """``text`` from a document or a user, to be shown by Streamlit's Markdown as typed: every
    character that could format, link, load an image or run LaTeX is escaped, and bare
    addresses are kept from becoming links. Line starts « - » (the answer's own quote lists)
    stay lists; « [1] » still reads « [1] »."""
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, text)
    return _ACTIVE.sub(r"\\\1", text)


# Inside the HTML of a passage, the characters Streamlit's Markdown still reads (icons
# « :material/…: », LaTeX « $ », emphasis, links) as character references: shown, never read.
_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in ":$*_`~[]()!#|{}^="})


def french_number(value: int) -> str:
    """An integer the French way: « 12 345 » (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")


def french_decimal(value: float, places: int) -> str:
    """A decimal the French way: « 0,83 »."""
    return f"{value:,.{places}f}".replace(",", "\u202f").replace(".", ",")


def page_opening(title: str, caption: str, waiting: str, compute) -> tuple[Settings, dict]:
    """The opening of a page computed once per index revision (Parcours, Glossaire,
    Réviser): its title and caption, the settings, and ``compute(settings)`` with a spinner
    that says what is being prepared (``waiting``)."""
    st.title(title)
    st.caption(caption)
    settings = load_settings()
    with st.spinner(waiting):
        return settings, compute(settings)


def version_of(date: str) -> str:
    """« version du 1er mai 2023 »; a year alone (the code's « 2015 ») « version de 2015 »."""
    if len(date) == 4 and date.isdigit():
        return f"version de {date}"
    return f"version du {french_datetime(date)}"


def source_line(source: dict) -> str:
    """« Source : <title> — article L441-1, version du 1er mai 2023 », as Markdown text."""
    where = location(source.get("page"), source.get("article"), source.get("page_end"))
    date = f", {version_of(source['date'])}" if source.get("date") else ""
    return f"Source : {plain(source['title'])}" + (f" — {where}" if where else "") + date


def _text_html(text: str) -> str:
    # Escaped without quotes (text, never an attribute): « &#x27; » would have its « # »
    # turned into a reference below and show as typed.
    return html.escape(text, quote=False).translate(_ENTITIES)


def highlighted(text: str, spans: list) -> str:
    """The passage as HTML, the spans the answer uses marked; its own text is never read as
    HTML or Markdown. Consecutive « a | b | c » lines with as many cells each (the fiches'
    tables) are shown as a table, its first row as the header."""
    marks = []
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if not marks or start >= marks[-1][1]:
            marks.append((start, end))
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    out: list[str] = []
    i = 0
    while i < len(lines):
        width = _cells(lines[i][1])
        j = i
        while j < len(lines) and width > 1 and _cells(lines[j][1]) == width:
            j += 1
        if j - i >= 2:
            out.append(_table(lines[i:j], marks))
            i = j
            continue
        start, line = lines[i]
        out.append(_marked(text, start, start + len(line), marks) + "<br>")
        i += 1
    return "".join(out).removesuffix("<br>")


def _cells(line: str) -> int:
    return line.count(" | ") + 1 if " | " in line else 0


def _marked(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> str:
    """``text[start:end]`` as HTML, the parts inside ``marks`` highlighted."""
    out, last = [], start
    for mark_start, mark_end in marks:
        a, b = max(mark_start, start), min(mark_end, end)
        if a >= b:
            continue
        out.append(_text_html(text[last:a]))
        out.append(f"<mark>{_text_html(text[a:b])}</mark>")
        last = b
    out.append(_text_html(text[last:end]))
    return "".join(out)


def _table(rows: list[tuple[int, str]], marks: list[tuple[int, int]]) -> str:
    html_rows = []
    for number, (start, line) in enumerate(rows):
        tag = "th" if number == 0 else "td"
        cells, position = [], start
        for cell in line.split(" | "):
            cells.append(f"<{tag}>{_marked_cell(cell, position, marks)}</{tag}>")
            position += len(cell) + 3
        html_rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table class='tableau'>{''.join(html_rows)}</table>"


def _marked_cell(cell: str, start: int, marks: list[tuple[int, int]]) -> str:
    shifted = [(a - start, b - start) for a, b in marks]
    return _marked(cell, 0, len(cell), shifted)


def source_file(settings: Settings, doc_id: str) -> Path | None:
    for root in settings.corpus_dirs:
        path = root / doc_id
        if path.is_file():
            return path
    return None


def citation_card(settings: Settings, c: dict, key: str) -> None:
    """A numbered card: title, kind, article or page, version date, the passage with the cited
    span highlighted, the attribution the licence requires, « Voir la source »."""
    with st.container(border=True):
        where = location(c.get("page"), c.get("article"), c.get("page_end"))
        st.markdown(f"**\\[{c['n']}\\] {plain(c['title'])}**")
        details = [KIND_LABELS.get(c.get("kind") or "", c.get("kind") or ""), where]
        if c.get("date"):
            details.append(version_of(c["date"]))
        details.append(f"similarité {french_decimal(c['score'], 2)}")
        st.caption(" · ".join(d for d in details if d))
        st.markdown(
            f"<div class='passage'>{highlighted(c['passage'], c.get('spans') or [])}</div>",
            unsafe_allow_html=True,
        )
        if c.get("attribution"):
            st.caption(plain(c["attribution"]))
        if c.get("recomposed"):
            st.caption(
                "Passage recomposé d'après la mise en page du programme (jour, horaires, "
                "intervenants) : vérifiez-le sur la page citée."
            )
        if st.button("Voir la source", key=f"source-{key}", icon=":material/description:"):
            show_source(settings, c)


def pdf_page_image(path: Path, page: int, phrases: list[str], scale: float = 1.6):
    """The PDF page as an image, with the lines of ``phrases`` (the cited span) highlighted."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    document = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(document):
            return None
        pdf_page = document[page - 1]
        height = pdf_page.get_size()[1]
        image = pdf_page.render(scale=scale).to_pil().convert("RGBA")
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        text_page = pdf_page.get_textpage()
        for phrase in phrases:
            for line in re.split(r"\s*\n\s*", phrase):
                line = re.sub(r"\s+", " ", line).strip(" •-–*")
                if len(line) < 4:
                    continue
                searcher = text_page.search(line[:120], match_case=True)
                found = searcher.get_next()
                while found:
                    index, count = found
                    for i in range(text_page.count_rects(index, count)):
                        left, bottom, right, top = text_page.get_rect(i)
                        draw.rectangle(
                            [
                                left * scale,
                                (height - top) * scale,
                                right * scale,
                                (height - bottom) * scale,
                            ],
                            fill=(255, 200, 0, 90),
                        )
                    found = searcher.get_next()
        return Image.alpha_composite(image, overlay).convert("RGB")
    finally:
        document.close()


@st.dialog("Source", width="large")
def show_source(settings: Settings, c: dict) -> None:
    st.markdown(f"**{plain(c['title'])}** — {location(c.get('page'), c.get('article'))}")
    path = source_file(settings, c["doc_id"])
    if path is not None and path.suffix.lower() == ".pdf" and c.get("page"):
        spans = c.get("spans") or []
        phrases = [c["passage"][int(s) : int(e)] for s, e in spans] or [c["passage"]]
        pages = range(c["page"], (c.get("page_end") or c["page"]) + 1)
        for page in pages:
            image = pdf_page_image(path, page, phrases)
            if image is not None:
                st.image(image, caption=f"{path.name}, page {page}", use_container_width=True)
    else:
        from assistant.store import get_collection

        where = {"doc_id": c["doc_id"]}
        if c.get("article"):
            where = {"$and": [where, {"article": c["article"]}]}
        got = get_collection(settings).get(where=where, include=["documents", "metadatas"])
        pieces = sorted(
            zip(got["metadatas"], got["documents"], strict=True),
            key=lambda item: item[0].get("position", 0),
        )
        text = "\n\n".join(t for _, t in pieces) or c["passage"]
        start = text.find(c["passage"][:200])
        spans = [(start + int(s), start + int(e)) for s, e in (c.get("spans") or []) if start >= 0]
        st.markdown(highlighted(text, spans), unsafe_allow_html=True)
    if c.get("source_url"):
        st.link_button("Ouvrir la source en ligne", c["source_url"])


# Wrong administration passwords: a pause after 5 within a minute, doubled for each further one.
FAILURES_BEFORE_PAUSE = 5
FAILURE_WINDOW_S = 60
FIRST_PAUSE_S = 30
MAX_PAUSE_S = 3600


def pause_left(failures: list[float], now: float) -> float:
    """Seconds before another password may be tried, given the times of the wrong ones since
    the last success: none until 5 fell within a minute; then 30 s after the last one, doubled
    for each further wrong one (wrong passwords older than an hour are forgotten)."""
    recent = [t for t in failures if now - t <= MAX_PAUSE_S]
    n = FAILURES_BEFORE_PAUSE
    windows = range(len(recent) - n + 1)
    if not any(recent[i + n - 1] - recent[i] <= FAILURE_WINDOW_S for i in windows):
        return 0.0
    pause = min(FIRST_PAUSE_S * 2 ** (len(recent) - n), MAX_PAUSE_S)
    return max(0.0, recent[-1] + pause - now)
