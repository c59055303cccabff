from ingest.chunking import MAX_CHARS, chunk_document
from ingest.loaders import Document
from ingest.structure import article_heading, heading_level, normalise_article_id, parse_blocks


def test_heading_levels_of_course_and_legal_documents():
    assert heading_level("JOUR 2", "plain") == 1
    assert heading_level("2/ UN NOUVEAU CONTEXTE : LA POLITIQUE D’ATTRIBUTION", "plain") == 2
    assert heading_level("2.3 LES POINTS CLEFS DE LA CONSTRUCTION", "plain") == 3
    assert heading_level("• Agir sur l’offre", "plain") is None
    assert heading_level("La commission se réunit une fois par mois.", "plain") is None
    assert heading_level("Chapitre Ier : Attribution des logements", "plain") == 4
    assert heading_level("Livre IV : Habitations à loyer modéré", "plain") == 2
    assert heading_level("## Titre Ier", "markdown") == 2
    assert heading_level("Texte ## pas un titre", "markdown") is None


def test_article_headings_in_their_usual_forms():
    assert article_heading("Article L441-1", markdown=False) == ("L441-1", None)
    assert article_heading("Art. R. 441-9", markdown=False) == ("R441-9", None)
    assert article_heading("Article 9-2", markdown=False) == ("9-2", None)
    assert article_heading("#### Article 1er", markdown=True) == ("1", None)
    assert article_heading("## Article Annexe", markdown=True) == ("Annexe", None)
    assert article_heading(
        "Article L441-1 - Version en vigueur depuis le 01 janvier 2024", markdown=False
    ) == ("L441-1", "2024-01-01")
    # A sentence that starts with « Article » is body text, not a heading.
    assert article_heading("Article 55 de la loi SRU : les communes doivent…", False) is None
    assert normalise_article_id("L. 441-2-3") == "L441-2-3"
    assert normalise_article_id("R*441-12") == "R441-12"


def test_course_sections_may_span_pages():
    doc = Document(
        "prog.pdf",
        "Programme",
        "pdf",
        [
            (1, "1/ CADRAGE\n1.1 LES ENJEUX\n• Le peuplement des quartiers"),
            (2, "• Suite du cadrage sur la deuxième page\n2/ ATTRIBUTIONS\n• La cotation"),
        ],
    )
    blocks = parse_blocks(doc)
    enjeux = next(b for b in blocks if b.heading == "1.1 LES ENJEUX")
    assert enjeux.breadcrumb == ("1/ CADRAGE",) and enjeux.pages == [1, 1, 2]
    chunks = chunk_document(doc)
    spanning = next(c for c in chunks if "Suite du cadrage" in c.text)
    assert (spanning.page_start, spanning.page_end) == (1, 2)


def test_one_chunk_per_article_and_long_articles_split_by_alinea():
    alineas = "\n\n".join(
        f"Alinéa {i} : la commission examine les demandes de logement et rend sa décision motivée."
        for i in range(60)
    )
    text = (
        "# Code\n\n## Chapitre Ier : Attributions\n\n### Article L441-1\n\nCourt.\n\n"
        f"### Article L441-2\n\n{alineas}\n\n### Article L441-3\n\n(abrogé)\n"
    )
    chunks = chunk_document(Document("code.md", "Code", "markdown", [(None, text)]))
    by_article: dict[str, list] = {}
    for chunk in chunks:
        by_article.setdefault(chunk.article, []).append(chunk)
    assert set(by_article) == {None, "L441-1", "L441-2", "L441-3"}
    assert len(by_article["L441-1"]) == 1 and len(by_article["L441-3"]) == 1
    long_pieces = by_article["L441-2"]
    assert len(long_pieces) > 2 and all(len(c.text) <= MAX_CHARS for c in long_pieces)
    assert all(
        c.breadcrumb.endswith("Chapitre Ier : Attributions > Article L441-2") for c in long_pieces
    )
    assert all(c.text.startswith("Alinéa") or c.text.startswith("Article") for c in long_pieces)


def test_ids_are_stable_and_unique():
    body = "\n".join(f"Ligne {i} : la commission examine les demandes." for i in range(200))
    doc = Document("long.md", "Long", "markdown", [(None, "# Chapitre\n" + body)])
    chunks = chunk_document(doc)
    assert len(chunks) > 5
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert [c.chunk_id for c in chunks] == [c.chunk_id for c in chunk_document(doc)]
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_legifrance_pdf_export_layout(tmp_path):
    from ingest.loaders import load_document
    from tests.pdfs import make_pdf

    pages = [
        "Code de la construction et de l'habitation\nChapitre Ier : Conditions d'attribution\n"
        "Article L441 - Version en vigueur depuis le 25 novembre 2018\n"
        "L'attribution des logements locatifs sociaux participe à la mise en œuvre du droit "
        "au logement.\nArticle L441-1 - Version en vigueur depuis le 01 janvier 2024\n"
        "Le décret en Conseil d'Etat fixe les conditions d'attribution.",
        "Code de la construction et de l'habitation\nArticle L441-1-1 - Version en vigueur "
        "depuis le 28 janvier 2017\nLe règlement départemental d'attribution…",
        "Code de la construction et de l'habitation\nArticle L441-2 - Version en vigueur depuis"
        " le 1er janvier 2024\nIl est créé une commission d'attribution des logements.",
    ]
    doc = load_document(make_pdf(tmp_path / "cch.pdf", pages), "cch.pdf")
    chunks = chunk_document(doc)
    found = {c.article: (c.version_date, c.page_start) for c in chunks if c.article}
    assert found == {
        "L441": ("2018-11-25", 1),
        "L441-1": ("2024-01-01", 1),
        "L441-1-1": ("2017-01-28", 2),
        "L441-2": ("2024-01-01", 3),
    }
    article = next(c for c in chunks if c.article == "L441-1")
    assert article.breadcrumb.endswith(
        "Chapitre Ier : Conditions d'attribution > "
        "Article L441-1 - Version en vigueur depuis le 01 "
        "janvier 2024"
    )
    assert "Code de la construction" not in article.text  # running header removed
