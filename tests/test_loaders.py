import pytest

from ingest.loaders import LoaderError, load_document, normalise_text
from tests.pdfs import make_pdf


def test_pdf_keeps_its_pages(tmp_path):
    path = make_pdf(
        tmp_path / "guide.pdf", ["Première page : la CALEOL.", "Deuxième page : la CIL."]
    )
    doc = load_document(path, "guide.pdf")
    assert [n for n, _ in doc.pages] == [1, 2]
    assert "CALEOL" in doc.pages[0][1] and "CIL" in doc.pages[1][1]
    assert doc.format == "pdf"


def test_markdown_title_is_its_first_heading(tmp_path):
    path = tmp_path / "note.md"
    path.write_text(
        "# Gestion en flux\n\nLes réservations sont gérées en flux.\n", encoding="utf-8"
    )
    doc = load_document(path, "note.md")
    assert doc.title == "Gestion en flux"
    assert doc.pages == [(None, "# Gestion en flux\n\nLes réservations sont gérées en flux.")]


def test_text_in_windows_encoding_is_read(tmp_path):
    path = tmp_path / "ancien.txt"
    path.write_bytes("Réservataires et bailleurs".encode("cp1252"))
    assert load_document(path, "ancien.txt").pages[0][1] == "Réservataires et bailleurs"


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("vide.pdf", b"", "fichier vide"),
        ("faux.pdf", b"Ceci n'est pas un PDF, juste du texte.", "n'est pas un PDF"),
        ("casse.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "PDF illisible"),
        ("image.docx", b"PK\x03\x04", "extension non prise en charge"),
    ],
)
def test_bad_files_give_a_french_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoaderError, match=reason):
        load_document(path, name)


def test_encrypted_pdf_is_reported(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", ["Confidentiel"], password="motdepasse")
    with pytest.raises(LoaderError, match="mot de passe"):
        load_document(path, "secret.pdf")


def test_image_only_pdf_needs_ocr(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [""])
    with pytest.raises(LoaderError, match="OCR nécessaire"):
        load_document(path, "scan.pdf")


def test_normalisation_of_ligatures_and_odd_spaces():
    assert normalise_text("ef\ufb01cace\u00a0:\u202foui  \nﬂux") == "efficace : oui\nflux"


def test_running_headers_page_numbers_and_hyphenation(tmp_path):
    pages = [
        f"Guide des attributions\nChapitre {n}\nLa commission d'attri-\nbution se réunit.\n"
        f"Texte propre à la page {n}.\n{n} / 4"
        for n in range(1, 5)
    ]
    doc = load_document(make_pdf(tmp_path / "guide.pdf", pages), "guide.pdf")
    for number, text in doc.pages:
        assert "Guide des attributions" not in text
        assert f"{number} / 4" not in text
        assert f"Chapitre {number}" in text and f"page {number}." in text
        assert "commission d'attribution se réunit" in text


def test_lines_repeated_on_some_pages_only_are_kept():
    from ingest.loaders import remove_repeated_edges

    pages = [
        "Accueil des stagiaires\n9h00 … 9h30\nMatin",
        "JOUR 2\n9h00 … 9h30\nSuite",
        "JOUR 3\n9h00 … 9h30\nFin",
        "Accueil des stagiaires\nSoir\nBilan",
    ]
    assert remove_repeated_edges(pages) == pages


def test_markdown_front_matter_becomes_metadata(tmp_path):
    path = tmp_path / "elan.md"
    path.write_text(
        "---\ntitle: Loi ELAN (extraits)\nkind: loi\ndate: 2024-01-01\n---\n"
        "# Article 109\n\nLa cotation de la demande…\n",
        encoding="utf-8",
    )
    doc = load_document(path, "elan.md")
    assert doc.title == "Loi ELAN (extraits)"
    assert doc.meta == {"title": "Loi ELAN (extraits)", "kind": "loi", "date": "2024-01-01"}
    assert doc.pages[0][1].startswith("# Article 109")


def test_html_headings_and_lists(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>La CALEOL</title><script>var x = 1;</script></head><body>"
        "<nav>Menu</nav><h1>La CALEOL</h1><p>Elle attribue les logements.</p>"
        "<h2>Composition</h2><ul><li>six membres</li><li>le maire</li></ul></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path, "page.html")
    text = doc.pages[0][1]
    assert doc.title == "La CALEOL" and doc.format == "html"
    assert "# La CALEOL" in text and "## Composition" in text and "- six membres" in text
    assert "var x" not in text and "Menu" not in text


def test_size_limit(tmp_path):
    path = tmp_path / "gros.txt"
    path.write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(LoaderError, match="trop volumineux"):
        load_document(path, "gros.txt", max_bytes=1000)
