from ingest.chunking import MAX_CHARS, chunk_document, heading_level
from ingest.loaders import Document


def test_heading_levels_of_course_and_markdown_documents():
    assert heading_level("JOUR 2", "pdf") == 1
    assert heading_level("2/ UN NOUVEAU CONTEXTE : LA POLITIQUE D’ATTRIBUTION", "pdf") == 2
    assert heading_level("2.3 LES POINTS CLEFS DE LA CONSTRUCTION", "pdf") == 3
    assert heading_level("• Agir sur l’offre", "pdf") is None
    assert heading_level("La commission se réunit une fois par mois.", "pdf") is None
    assert heading_level("## Article 9-2", "markdown") == 2
    assert heading_level("Texte ## pas un titre", "markdown") is None


def test_chunks_carry_their_page_and_breadcrumb():
    doc = Document(
        "prog.pdf",
        "Programme",
        "pdf",
        [
            (1, "1/ CADRAGE\n1.1 LES ENJEUX\n• Le peuplement des quartiers"),
            (2, "• Suite du cadrage sur la deuxième page\n2/ ATTRIBUTIONS\n• La cotation"),
        ],
    )
    chunks = chunk_document(doc)
    assert all(c.page_start == c.page_end for c in chunks)
    page2 = [c for c in chunks if c.page_start == 2]
    assert page2 and "Suite du cadrage" in page2[0].text
    assert page2[0].breadcrumb == "1/ CADRAGE > 1.1 LES ENJEUX"
    assert any("La cotation" in c.text for c in page2)
    assert "Programme > 1/ CADRAGE" in page2[0].embedding_text("Programme")


def test_long_sections_are_split_under_the_limit_and_ids_are_stable():
    body = "\n".join(f"Alinéa {i} : la commission examine les demandes." for i in range(200))
    doc = Document("long.md", "Long", "markdown", [(None, "# Chapitre\n" + body)])
    chunks = chunk_document(doc)
    assert len(chunks) > 5
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert [c.chunk_id for c in chunks] == [c.chunk_id for c in chunk_document(doc)]
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert all(c.breadcrumb in ("", "Chapitre") for c in chunks)
