"""service-public fiches, in the xml-js JSON form (../shared) and in the original XML form."""

import json

import pytest

from ingest.loaders import LoaderError, load_document
from tests.conftest import shared_dir


def _xml_of(node: dict) -> str:
    """Write an xml-js element tree back as XML: the DILA form of the same fiche."""
    from xml.sax.saxutils import escape, quoteattr

    if node.get("type") == "text":
        return escape(node.get("text", ""))
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in (node.get("attributes") or {}).items())
    inner = "".join(_xml_of(child) for child in node.get("children") or [])
    return f"<{node['name']}{attrs}>{inner}</{node['name']}>"


def test_json_fiche_text_and_metadata():
    path = shared_dir("service-public") / "F869.json"
    doc = load_document(path, "F869.json")
    assert doc.format == "fiche"
    assert doc.title == "Quelles sont les conditions pour obtenir un logement social ?"
    assert doc.meta["kind"] == "fiche" and doc.meta["date"] == "2020-09-09"
    assert doc.meta["source_url"].endswith("/F869")
    assert doc.meta["attribution"] == "Source : service-public.fr, DILA"
    assert "Code de la construction" in doc.meta["references"]
    text = doc.pages[0][1]
    assert text.startswith(f"# {doc.title}")
    assert "\n### Conditions de revenu" in text and "20 870 €" in text
    # Each situation's chapters sit under it: the Île-de-France figures keep their situation.
    idf = text.index("\n## Logement en Île-de-France")
    assert text.index("\n### Conditions de revenu", idf) > idf
    assert "Accueil particuliers" not in text  # the breadcrumb trail is navigation


def test_a_contact_point_written_in_the_text_is_kept():
    # « Il est possible d'obtenir de l'aide … : » announces a contact point: its telephone
    # number and hours are content; a bare link to a directory (« Adil ») is navigation.
    path = shared_dir("service-public") / "F10007.json"
    text = load_document(path, "F10007.json").pages[0][1]
    assert (
        "obtenir de l'aide — Par téléphone : 0 806 000 113 (prix d'un appel local depuis un "
        "poste fixe). Ouvert du lundi au vendredi de 9h à 19h." in text
    )
    assert "Agence départementale pour l'information sur le logement" not in text


def test_xml_form_gives_the_same_document(tmp_path):
    source = shared_dir("service-public") / "F2559.json"
    tree = json.loads(source.read_text(encoding="utf-8"))
    publication = tree["children"][0]
    xml = (
        _xml_of(publication).replace(
            "<Publication ", '<Publication xmlns:dc="http://purl.org/dc/elements/1.1/" ', 1
        )
        if "xmlns:dc" not in json.dumps(publication["attributes"])
        else _xml_of(publication)
    )
    path = tmp_path / "F2559.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + xml, encoding="utf-8")
    from_xml = load_document(path, "F2559.xml")
    from_json = load_document(source, "F2559.json")
    assert from_xml.title == from_json.title
    assert from_xml.meta == from_json.meta
    assert from_xml.pages == from_json.pages


@pytest.mark.parametrize("content", ['{"name": "autre chose"}', "<racine>texte</racine>"])
def test_other_json_or_xml_is_refused(tmp_path, content):
    path = tmp_path / ("donnees.json" if content.startswith("{") else "donnees.xml")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LoaderError, match="non reconnu"):
        load_document(path, path.name)


def test_a_case_variant_keeps_its_situation_in_its_chunk_path():
    # The Dalo commission decides within 3 months in the general case, 6 in Île-de-France:
    # the same sentence but for the figure, told apart only by the situation above it (the
    # general case, named « Cas général », keeps the path of a fiche without variants).
    from ingest.chunking import chunk_document

    path = shared_dir("service-public") / "F18005.json"
    chunks = chunk_document(load_document(path, "F18005.json"))
    paths = {
        months: {c.breadcrumb for c in chunks if f"délai de {months} mois à partir" in c.text}
        for months in (3, 6)
    }
    assert paths[3] and not any("Île-de-France" in p for p in paths[3])
    assert paths[6] and all("En Île-de-France" in p for p in paths[6])


def test_a_situation_set_aside_or_not_named_moves_its_sections_down():
    # « hors Île-de-France » sets the Île-de-France sections aside; a question that names no
    # place prefers the general case; one that names Île-de-France (or « IDF ») keeps them.
    from assistant.retrieval import (
        Passage,
        set_aside,
        situation_set_aside,
        situations,
        unnamed_situation,
    )
    from ingest.chunking import chunk_document

    path = shared_dir("service-public") / "F18005.json"
    chunks = chunk_document(load_document(path, "F18005.json"))
    passages = {
        months: next(
            Passage(1, c.chunk_id, "F18005.json", "Dalo", c.text, 0.5, breadcrumb=c.breadcrumb)
            for c in chunks
            if f"délai de {months} mois à partir" in c.text
        )
        for months in (3, 6)
    }
    general, region = passages[3], passages[6]
    assert situations(region) == ["ile-de-france"] and situations(general) == []
    for question in ("Dalo hors Ile-de-France : quel délai ?", "délai Dalo (hors IDF) ?"):
        aside = set_aside(question)
        assert situation_set_aside(aside, region) and not situation_set_aside(aside, general)
    assert unnamed_situation("Quel délai pour la commission Dalo ?", region)
    assert not unnamed_situation("Quel délai pour la commission Dalo ?", general)
    assert not unnamed_situation("Et en IDF, quel délai ?", region)
    assert not unnamed_situation("et en ile de france ?", region)
    # A note (« À savoir ») is no place.
    note = Passage(1, "x", "F1317.json", "Loyer", "…", 0.5, breadcrumb="Loyer > RLS > À savoir")
    assert situations(note) == []
