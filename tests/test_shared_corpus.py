"""Ingestion of the real documents in ../shared/corpus (read there, never copied)."""

import re
from pathlib import Path

import pytest

from assistant.config import settings_with
from assistant.retrieval import search
from assistant.store import get_collection
from ingest.index import ingest
from tests.conftest import shared_dir

OCR = "aucun texte extractible : OCR nécessaire"
# What happens to each sample PDF (by file name): None = ingested, else a piece of the reason.
PDF_OUTCOMES = {
    "GUIDE-QUI-REPARE-QUI-ENTRETIENT-Ministere2016-1.pdf": None,
    "Lettre-information-proprietaire-bailleur_A-COMPLETER.pdf": None,
    "minimal-document.pdf": None,
    "002-trivial-libre-office-writer.pdf": None,
    "pdflatex-image.pdf": None,
    "pdflatex-4-pages.pdf": None,
    "libreoffice-writer-password.pdf": "PDF protégé par un mot de passe",
    "pdflatex-outline.pdf": None,
    "imagemagick-ASCII85Decode.pdf": OCR,
    "imagemagick-CCITTFaxDecode.pdf": OCR,
    "imagemagick-images.pdf": None,
    "imagemagick-lzw.pdf": OCR,
    "inline-image.pdf": None,
    "GeoTopo-komprimiert.pdf": None,
    "pdflatex-forms.pdf": None,
    "google-doc-document.pdf": None,
    "libreoffice-form.pdf": None,
    "reportlab-overlay.pdf": None,
    "mistitled_outlines_example.pdf": None,
    "habibi-oneline-cmap.pdf": None,
    "habibi-rotated.pdf": None,
    "habibi.pdf": None,
    "libre-office-link.pdf": None,
    "unreadablemetadata.pdf": "PDF illisible ou corrompu",
    "base64image.pdf": None,
    "grayscale-image.pdf": OCR,
    "output_with_metadata_pymupdf.pdf": None,
    "crazyones-pdfa.pdf": None,
    "pdfkit.pdf": None,
    "cmyk-image.pdf": OCR,
    "annotated_pdf.pdf": None,
    "with-attachment.pdf": None,
    "multicolumn.pdf": None,
}


def test_every_sample_pdf_is_ingested_or_fails_with_its_reason(model_ready, tmp_path):
    # Resolved: the ingestion reports resolved paths, and ../shared may be a symbolic link.
    root = shared_dir("pdf-samples").resolve()
    pdfs = {p.name: p.relative_to(root).as_posix() for p in root.rglob("*.pdf")}
    assert sorted(pdfs) == sorted(PDF_OUTCOMES), "the sample set changed: state the outcomes"
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[root])
    report = ingest(settings)
    failed = {Path(f["path"]).relative_to(root).as_posix(): f["error"] for f in report.failed}
    done = set(report.added)
    for name, reason in PDF_OUTCOMES.items():
        pdf = pdfs[name]
        if reason is None:
            assert pdf in done, f"{pdf} should be ingested: {failed.get(pdf)}"
        else:
            assert pdf in failed and reason in failed[pdf], (pdf, failed.get(pdf))
    # A broken file never stops the run: everything after it was ingested too.
    assert report.status == "partielle"
    geotopo = get_collection(settings).get(
        where={"doc_id": "py-pdf-sample-files/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf"}
    )
    pages = {m["page_start"] for m in geotopo["metadatas"]}
    assert len(pages) > 50 and max(pages) <= 117


def _article_headings(path: Path) -> int:
    return len(re.findall(r"(?m)^#{1,6} Article ", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("folder", ["lois", "cch-2015"])
def test_one_indexed_article_id_per_article_heading(shared_index, folder):
    collection = get_collection(shared_index)
    for path in sorted(shared_dir(folder).glob("*.md")):
        got = collection.get(where={"doc_id": path.name}, include=["metadatas"])
        ids = {m["article"] for m in got["metadatas"] if "article" in m}
        assert len(ids) == _article_headings(path), path.name


def test_legal_metadata_and_breadcrumbs(shared_index):
    got = get_collection(shared_index).get(
        where={"article": "9-2"}, include=["metadatas", "documents"]
    )
    meta = got["metadatas"][0]
    assert meta["doc_id"].startswith("loi-2003-710")
    assert meta["kind"] == "loi" and meta["date"] == "2015"
    assert "Chapitre II bis" in meta["breadcrumb"] and meta["breadcrumb"].endswith("Article 9-2")
    assert "Article 9-2" in got["documents"][0]


@pytest.mark.parametrize(
    "query,article",
    [("L442-5", "L442-5"), ("article L. 441-2", None), ("l'article 9-2 de la loi de 2003", "9-2")],
)
def test_article_reference_ranks_that_article_first(shared_index, query, article):
    results = search(shared_index, query, 5)
    if article is None:
        # L441-2 is missing from the 2015 snapshot: no exact hit, so no false « exact » claim.
        assert not any(r.exact for r in results)
    else:
        assert results[0].article == article and results[0].exact


def test_a_fragment_comes_with_its_neighbours(shared_index):
    """Neighbour expansion: the passage found for one fragment of a long article reads with the
    fragments around it, and those do not take other places of the top k."""
    got = get_collection(shared_index).get(
        where={"doc_id": "L__livre-iv__titre-iv__chapitre-ii.md"},
        include=["documents", "metadatas"],
    )
    by_article: dict[str, list[tuple[int, str, str]]] = {}
    for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
        by_article.setdefault(meta.get("article", ""), []).append(
            (meta["position"], chunk_id, text)
        )
    article, fragments = max(by_article.items(), key=lambda item: len(item[1]))
    assert len(fragments) >= 3, "aucun article découpé en trois morceaux ou plus"
    fragments.sort()
    _, middle_id, middle_text = fragments[1]
    results = search(shared_index, middle_text[:400], 5)
    top = next(r for r in results if middle_id in r.chunk_ids)
    assert top.article == article
    assert top.chunk_ids == tuple(chunk_id for _, chunk_id, _ in fragments[:3])
    assert fragments[0][2] in top.text and fragments[2][2] in top.text
    others = [chunk_id for r in results if r is not top for chunk_id in r.chunk_ids]
    assert not set(top.chunk_ids) & set(others)


def test_a_programme_is_not_taken_for_the_new_one():
    """« PNRU » and « NPNRU » read alike to the embedding model: a question naming one moves
    down the passages that name only the other."""
    from assistant.retrieval import Passage, other_variant, variants

    assert variants("Quel est le budget du PNRU ?") == [("PNRU", "NPNRU")]
    assert variants("Le nouveau programme national de renouvellement urbain ?") == [
        ("NPNRU", "PNRU")
    ]
    assert variants("Du PNRU au NPNRU, qu'est-ce qui change ?") == []

    def passage(text):
        return Passage(rank=1, chunk_id="c", doc_id="d", title="T", text=text, score=0.5)

    asked = variants("Quel est le budget du PNRU ?")
    new = passage("Les moyens du nouveau programme national de renouvellement urbain.")
    both = passage("Le NPNRU succède au programme national de rénovation urbaine (PNRU).")
    assert other_variant(asked, new) == 1.0 and other_variant(asked, both) == 0.0


def test_a_question_about_the_course_is_told_from_one_about_its_subject():
    from assistant.retrieval import about_course

    assert about_course("qui vient présenter les attendus de l'ANRU pendant la formation ?")
    assert about_course("le temoignage de l'ANRU il porte sur quoi ?")
    assert about_course("Qui anime le J2 ?")
    assert about_course("Christophe Noyé, qui anime la deuxième journée, il fait quoi ?")
    assert not about_course("Quels sont les attendus de l'ANRU pour le NPNRU ?")
    # The national programme is no course programme.
    assert not about_course("le programme national de rénovation urbaine, il sert à quoi ?")
    assert not about_course("Que contient le programme local de l'habitat ?")


def test_the_ask_is_read_apart_from_the_context_before_it():
    from assistant.text import asked_sentences

    assert (
        asked_sentences("Je prépare un article. Dans cette formation, qui vient de l'ANRU ?")
        == "Dans cette formation, qui vient de l'ANRU ?"
    )
    # Two questions, or a question alone: nothing to set apart.
    assert asked_sentences("C'est payant ? Et on s'inscrit auprès de qui ?") is None
    assert asked_sentences("Qui anime le jour 2 ?") is None
    assert asked_sentences("J'ai déposé ma demande en mars. Toujours rien.") is None


def test_context_before_the_ask_does_not_hide_the_course(shared_index, monkeypatch):
    from assistant import retrieval

    question = (
        "Je prépare un article sur le renouvellement urbain. Dans cette formation, qui "
        "intervient au nom de l'ANRU, et pour parler de quoi ?"
    )
    found = search(shared_index, question, 3)
    assert any(p.doc_id == "module-9-5-programme.pdf" and p.page_start == 2 for p in found)
    # Read whole, the question ranks the law and the ANRU's rules first.
    monkeypatch.setattr(retrieval, "ASK_WEIGHT", 0.0)
    whole = {p.chunk_id: p.score for p in search(shared_index, question, 30)}
    assert all(p.doc_id != "module-9-5-programme.pdf" for p in search(shared_index, question, 3))
    # The score stays the whole question's cosine: the refusal signal does not move.
    for passage in found:
        if passage.chunk_id in whole:
            assert abs(passage.score - whole[passage.chunk_id]) < 1e-4


def test_the_old_programme_asked_finds_its_own_article(shared_index):
    # Article 7 of the 2003 law gives the PNRU's budget; article 9-2 the NPNRU's.
    [first] = search(shared_index, "Quel est le budget du PNRU ?", 1)
    assert (first.doc_id, first.article) == (
        "loi-2003-710_titre-I_ville-renovation-urbaine.md",
        "7",
    )


def test_an_article_the_index_lacks_is_said_so(shared_index):
    """The CCH's chapter on attributions (L441-*) is not in the shared corpus: a question
    naming one of its articles is told so first, whatever the outcome."""
    from assistant.answer import answer_question

    reply = answer_question(
        shared_index,
        "Quelle est la composition de la commission d'attribution telle que la fixe "
        "l'article L441-2 du CCH ?",
    )
    said = reply.reason if reply.outcome == "refusal" else reply.text.split("\n")[0]
    assert "L441-2" in said and "indexés" in said, (reply.outcome, reply.text)
    # An article it holds is no such case.
    held = answer_question(shared_index, "Que prévoit l'article L442-5 du CCH ?")
    assert "ne figure pas" not in held.text and "ne contiennent pas" not in held.reason
