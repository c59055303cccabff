"""Course documents with a layout: days, sessions, speakers and times recovered from the
programme PDF the project builds and from two other layouts (a table, two columns)."""

from ingest.chunking import chunk_document
from ingest.loaders import load_pdf
from tests.pdfs import make_table_programme, make_two_column_programme


def _recomposed(path):
    chunks = chunk_document(load_pdf(path, path.name))
    return chunks, [c for c in chunks if c.recomposed]


def _session(recomposed, day, session):
    (chunk,) = [
        c
        for c in recomposed
        if c.day == day and c.session == session and c.text.startswith("Le jour")
    ]
    return chunk


def _part(recomposed, number):
    (chunk,) = [c for c in recomposed if c.text.startswith(f"La partie {number} ")]
    return chunk


def test_the_programme_pdf_reads_as_days_sessions_and_speakers(programme_pdf):
    chunks, recomposed = _recomposed(programme_pdf)
    day2 = _session(recomposed, 2, "3")
    assert day2.page_start == 3 and day2.speakers == "Christophe Noyé"
    assert day2.text.startswith(
        "Le jour 2 au matin, de 9h30 à 12h30, Christophe Noyé anime la séquence 3 : « Définir et "
        "suivre une stratégie au regard des enjeux et des spécificités locales »."
    )
    # His role is printed on page 1 only: a passage cited at page 3 does not state it.
    assert "Géographe" not in day2.text
    afternoon = _session(recomposed, 2, "4")
    assert "avec le témoignage de Séverine Hanser" in afternoon.text
    assert "14h00 à 17h00" in afternoon.text
    day3 = [c for c in recomposed if c.day == 3 and c.session is None][0]
    assert "se termine à 16h30" in day3.text and "Virginie Chahine" in day3.speakers
    # What the welcome holds, printed between it and the first session.
    day1 = [c for c in recomposed if c.day == 1 and c.session is None][0]
    assert "9h00–9h30 : accueil des stagiaires (présentation du programme et de ses " in day1.text
    assert "tour de table et recueil des attentes des stagiaires" in day1.text
    # « Le dernier jour, on finit à quelle heure ? »: the last day says it is.
    assert day3.text.endswith(
        "Le jour 3, dernier jour de la formation, commence à 9h00 et se termine à 16h30."
    )
    assert "dernier jour" not in [c for c in recomposed if c.day == 2][0].text
    assert "Bertrand Carpentier (Directeur association La Pose à Valenciennes)" in (
        _session(recomposed, 3, "5").text
    )
    # « La partie 3.1, elle couvre quoi ? »: each part of a session with its bullet points
    # first (an answer cut short keeps them), then its session, day and speaker, under the
    # session's day and number.
    part = _part(recomposed, "3.1")
    assert (part.day, part.session, part.page_start) == (2, "3", 3)
    assert part.text == (
        "La partie 3.1 « Le peuplement des quartiers et rénovation urbaine » aborde : les "
        "dynamiques des quartiers et les effets structurels ; que faut-il traiter ? (séquence 3, "
        "« Définir et suivre une stratégie au regard des enjeux et des spécificités locales », "
        "animée par Christophe Noyé le jour 2 au matin)."
    )
    # A part without points (a witness's slot) gets no passage of its own.
    assert not [c for c in recomposed if c.text.startswith("La partie 4.1 ")]
    # A session without parts lists its points itself.
    assert _session(recomposed, 3, "7").text.endswith(
        "Au programme : retour sur les attentes initiales et leur satisfaction."
    )
    # The chunks copied from the PDF keep their text and learn their day from their page.
    assert {c.day for c in chunks if not c.recomposed and c.page_start == 3} == {2}


def test_a_programme_laid_out_as_a_table(tmp_path):
    _, recomposed = _recomposed(make_table_programme(tmp_path / "table.pdf"))
    first = _session(recomposed, 1, "2")
    assert first.text == (
        "Le jour 1 l'après-midi, de 14h00 à 17h00, Paul Martin anime la séquence 2 : "
        "« Pondérer les critères »."
    )
    assert _session(recomposed, 2, "3").speakers == "Marie Durand"
    assert "13h30 à 16h00" in _session(recomposed, 2, "4").text


def test_a_programme_in_two_columns(tmp_path):
    _, recomposed = _recomposed(make_two_column_programme(tmp_path / "columns.pdf"))
    assert [(c.day, c.session) for c in recomposed] == [
        (1, None),
        (1, "1"),
        (1, "2"),
        (2, None),
        (2, "3"),
        (2, "4"),
    ]
    last = _session(recomposed, 2, "4")
    assert last.speakers == "Marie Durand, Jeanne Petit"
    assert "témoignage de Jeanne Petit (Directrice de l'habitat, Rennes Métropole)" in last.text
    assert "pause déjeuner" in [c for c in recomposed if c.day == 1][0].text


def test_documents_without_a_course_layout_get_no_recomposed_passage(tmp_path):
    from tests.pdfs import make_pdf

    path = make_pdf(tmp_path / "guide.pdf", ["Article 1\nLe bailleur entretient le logement."])
    assert _recomposed(path)[1] == []


def test_a_programme_presentation_reads_as_one_passage_per_field(programme_pdf, tmp_path):
    # The size-cut chunks of page 1 split the teachers' list between two chunks; each labelled
    # field of the presentation becomes a passage of its own, cited at its page.
    chunks, recomposed = _recomposed(programme_pdf)
    fields: dict = {}
    for chunk in recomposed:
        if chunk.day is None:
            fields.setdefault(chunk.text.split(" :")[0], chunk)
    assert list(fields) == [
        "Objectifs",
        "Enseignants principaux",
        "Durée",
        "Public",
        "Prérequis",
        "Approche pédagogique",
    ]
    assert fields["Durée"].text == "Durée : 3 jours (17h30)" and fields["Durée"].page_start == 1
    assert fields["Enseignants principaux"].text.endswith(
        "Christophe Noyé, Géographe, professeur associé à l’École d’Urbanisme de Paris, Cf. Géo"
    )
    # The teachers' list also one passage per person, her role and organisation with her.
    people = [c.text for c in recomposed if c.day is None and c.text.startswith("Enseignants")]
    assert people[1:] == [
        "Enseignants principaux : Francis Rathier (fil rouge de la formation), Sociologue, BERS.",
        "Enseignants principaux : Fanny Lainé-Daniel, socio-urbaniste, FLDC.",
        "Enseignants principaux : Christophe Noyé, Géographe, professeur associé à l’École "
        "d’Urbanisme de Paris, Cf. Géo.",
    ]
    assert fields["Objectifs"].text.startswith(
        "Objectifs :\n- Faire de la mixité sociale une catégorie d’action pour les acteurs\n- "
    )
    # Another layout: the fields stop at the timetable's header row.
    _, recomposed = _recomposed(make_table_programme(tmp_path / "table.pdf"))
    assert [c.text for c in recomposed if c.day is None] == [
        "Intervenants principaux : Marie Durand (juriste, Cabinet Habitat Conseil) ; Paul "
        "Martin, urbaniste, Ville de Lille",
        "Durée : 2 jours",
        "Intervenants principaux : Marie Durand (juriste, Cabinet Habitat Conseil).",
        "Intervenants principaux : Paul Martin, urbaniste, Ville de Lille.",
    ]
