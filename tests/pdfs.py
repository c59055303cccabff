"""Small real PDFs made with fpdf2 for the tests (one font that covers French)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def make_pdf(path: Path, pages: list[str], password: str | None = None) -> Path:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path


def _course_pdf() -> FPDF:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    return pdf


def make_table_programme(path: Path) -> Path:
    """A course programme laid out as a table: day | time | session | speaker per row."""
    pdf = _course_pdf()
    pdf.multi_cell(
        0,
        6,
        "Formation « Cotation de la demande »\nIntervenants principaux\n"
        "Marie Durand (juriste, Cabinet Habitat Conseil) ; Paul Martin, urbaniste, Ville de "
        "Lille\nDurée\n2 jours",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    rows = [
        ("Jour", "Horaire", "Contenu", "Intervenant"),
        ("Jour 1", "9h00 - 12h30", "Séquence 1 : Les critères de cotation", "Marie DURAND"),
        ("Jour 1", "14h00 - 17h00", "Séquence 2 : Pondérer les critères", "Paul MARTIN"),
        ("Jour 2", "9h00 - 12h00", "Séquence 3 : La cotation en commission", "Marie DURAND"),
        ("Jour 2", "13h30 - 16h00", "Séquence 4 : Atelier pratique", "Paul MARTIN"),
    ]
    with pdf.table(first_row_as_headings=False) as table:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.output(str(path))
    return path


def make_two_column_programme(path: Path) -> Path:
    """A course programme on one page, a day per column."""
    pdf = _course_pdf()
    left = (
        "JOUR 1\n9h00 … 12h30\n1/ LE CADRE DES ATTRIBUTIONS\nMarie DURAND\n1.1 LES TEXTES\n"
        "12h30 … 14h00\nPause déjeuner\n14h00 … 17h00\n2/ LA CONFÉRENCE INTERCOMMUNALE\n"
        "Paul MARTIN"
    )
    right = (
        "JOUR 2\n9h00 … 12h30\n3/ LA GESTION EN FLUX\nPaul MARTIN\n12h30 … 14h00\n"
        "Pause déjeuner\n14h00 … 16h30\n4/ ÉTUDES DE CAS\nMarie DURAND\n"
        "• Jeanne PETIT Directrice de l'habitat, Rennes Métropole"
    )
    pdf.set_xy(10, 20)
    pdf.multi_cell(90, 6, left)
    pdf.set_xy(110, 20)
    pdf.multi_cell(90, 6, right)
    pdf.output(str(path))
    return path
