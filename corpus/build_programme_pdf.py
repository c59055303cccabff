"""Render the course programme's text into the PDF that the assistant ingests.

The text (``corpus/src/module-9-5-programme.txt``) is the course's own programme, extracted from
its original four-page PDF; runs of three or more blank lines mark that PDF's page breaks, and
each one becomes a page break here so that page numbers in citations match the original.

Usage: python corpus/build_programme_pdf.py [--out PATH] [--font TTF]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "src" / "module-9-5-programme.txt"
OUTPUT = HERE / "documents" / "module-9-5-programme.pdf"
FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/Library/Fonts/DejaVuSans.ttf"),
]
TITLE = (
    "Module 9.5 — Politique d'attribution et rééquilibrage de l'occupation du parc social "
    "dans les NPNRU"
)
# A fixed date keeps the output byte-identical from one build to the next.
CREATION_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def split_pages(text: str) -> list[str]:
    return [page.strip("\n") for page in re.split(r"\n{4,}", text) if page.strip()]


def find_font(explicit: Path | None) -> Path:
    for candidate in [explicit] if explicit else FONT_CANDIDATES:
        if candidate and candidate.is_file():
            return candidate
    raise SystemExit(
        "Police DejaVu Sans introuvable (paquet Debian « fonts-dejavu-core ») : "
        "installez-la ou indiquez un fichier TTF avec --font."
    )


def render(text: str, font: Path) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_title(TITLE)
    pdf.set_author("Module 9.5 — programme de formation")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_font("DejaVu", size=9)
    for page in split_pages(text):
        pdf.add_page()
        for line in page.splitlines():
            if line.strip():
                pdf.multi_cell(0, 4.4, line.strip(), new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(2)
    return bytes(pdf.output())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--font", type=Path, default=None)
    args = parser.parse_args(argv)
    data = render(SOURCE.read_text(encoding="utf-8"), find_font(args.font))
    if args.out.is_file() and args.out.read_bytes() == data:
        print(f"PDF du programme à jour : {args.out}")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"PDF du programme écrit : {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
