from assistant.answer import compose_extractive, sentences
from assistant.extractive import asked_types, pick
from assistant.retrieval import Passage
from assistant.text import content_terms


def _passage(text: str, title: str = "Programme", score: float = 0.6) -> Passage:
    return Passage(rank=1, chunk_id="c", doc_id="d", title=title, text=text, score=score)


def test_wrapped_lines_are_joined_and_items_kept_apart():
    text = (
        "- Faire de la mixité sociale une catégorie\nd’action pour les acteurs\n"
        "- Connaître le cadre réglementaire\nDurée\n3 jours (17h30)"
    )
    assert sentences(text) == [
        "Faire de la mixité sociale une catégorie d’action pour les acteurs",
        "Connaître le cadre réglementaire",
        "Durée : 3 jours (17h30)",
    ]


def test_sentences_are_split_at_their_end():
    assert sentences("La CIL est coprésidée. Le préfet y siège.") == [
        "La CIL est coprésidée.",
        "Le préfet y siège.",
    ]


def test_content_terms_fold_accents_numbers_and_plurals():
    assert content_terms("Combien de jours dure la formation ?") == {"jour", "dur", "format"}
    assert content_terms("le deuxième jour") == {"2", "jour"}
    assert content_terms("Durée") == content_terms("dure") == {"dur"}
    assert content_terms("l’attribution des logements") == content_terms("attributions logement")


def test_a_list_item_that_answers_leads_with_the_sentence_that_introduces_it():
    text = (
        "Les salaires forfaitaires intègrent les frais de charges sociales et les frais de "
        "structure (dépenses matérielles, postes à caractère fonctionnel ou ne contribuant pas "
        "à la conduite générale du projet de renouvellement urbain) de :\n\n"
        "- 115 000 euros par an pour un chef de projet urbain à temps plein ;\n"
        "- 94 500 euros par an et à temps plein pour tout autre profil ;\n"
        "- 69 000 euros par an pour un poste d'assistant administratif ;\n"
        "- 80 000 euros par an pour un poste de chargé d'opération."
    )
    passage = _passage(text, "RGA", 0.6)
    lead = pick("Quel salaire forfaitaire pour un chef de projet ?", [passage])[0]
    assert lead.sentence.startswith("Les salaires forfaitaires") or lead.sentence.startswith("[…]")
    assert "115 000 euros par an pour un chef de projet" in lead.sentence
    assert "94 500" not in lead.sentence


def test_a_passage_that_starts_mid_sentence_does_not_lead_with_the_fragment():
    # A size-cut chunk starts with the end of the previous one's last line.
    text = "d’Urbanisme de Paris, Cf. Géo\nDurée\n3 jours (17h30)\nPublic\nEn charge d'un quartier."
    passage = _passage(text, "Programme", 0.5)
    lead = pick("Combien d'heures dure la formation ?", [passage])[0]
    assert lead.sentence.startswith("Durée") and "17h30" in lead.sentence


def test_a_lead_cut_before_what_it_announces_still_ends_as_a_sentence():
    text = (
        "Le SLS est calculé en fonction :\n\n- de la surface habitable,\n- du coefficient (CDPR),"
    )
    passage = _passage(text, "SLS", 0.6)
    answer, _ = compose_extractive("Le SLS est calculé en fonction de quoi ?", [passage])
    assert ",." not in answer and ":." not in answer


def test_the_lead_goes_on_with_the_sentence_that_continues_it():
    # « Dans ce cas, … » goes on with the lead's subject and holds the asked duration.
    text = (
        "Les contrats de ville sont conclus pour une durée de six ans. Les contrats qui ne "
        "peuvent être signés dans le délai prévu le sont, au plus tard, l'année suivant celle "
        "du renouvellement général des conseils municipaux. Dans ce cas, leur entrée en vigueur "
        "est décalée d'une année et leur durée est de cinq ans. Ils sont actualisés tous les "
        "trois ans."
    )
    passage = _passage(text, "Loi", 0.6)
    lead = pick("Un contrat de ville qui ne peut être signé dans le délai prévu ?", [passage])[0]
    assert lead.sentence.startswith("Les contrats qui ne peuvent être signés")
    assert lead.sentence.endswith("leur durée est de cinq ans.")
    assert passage.text[lead.span[0] : lead.span[1]].endswith("cinq ans.")


def test_a_sentence_that_goes_on_with_alors_continues_the_lead():
    text = (
        "Votre demande peut être radiée. Vous ne renouvelez pas votre demande dans le délai "
        "imparti (1 an). La radiation intervient alors sans délai. Votre demande est aussi "
        "radiée si vos ressources dépassent les plafonds."
    )
    lead = pick(
        "Une demande pas renouvelée dans le délai imparti, elle est radiée quand ?",
        [_passage(text, "Fiche")],
    )[0]
    assert lead.sentence.startswith("Vous ne renouvelez pas")
    assert lead.sentence.endswith("La radiation intervient alors sans délai.")


def test_a_long_sentence_keeps_its_subject_before_the_clause_that_answers():
    from assistant.extractive import _asking, focus

    sentence = (
        "Le montant de cette pénalité, proportionné à l'écart constaté entre les objectifs "
        "définis par la convention et leur degré de réalisation ainsi qu'à la gravité des "
        "manquements, ne peut excéder 100 € par logement sur lequel l'organisme détient un "
        "droit réel, augmenté du montant de l'exonération de la taxe foncière."
    )
    wanted, asked = _asking("La pénalité ne peut excéder combien par logement ?")
    cut = focus(sentence, 170, wanted, asked)
    assert cut.startswith("Le montant de cette pénalité, […] ne peut excéder 100 € par logement")
    assert len(cut) <= 170 + len(" […]")


def test_a_sentence_whose_last_point_is_a_question_can_lead_but_a_question_heading_cannot():
    text = (
        "Qui anime la partie 3.1 ?\n\n"
        "La partie 3.1 « Le peuplement des quartiers et rénovation urbaine » aborde : les "
        "dynamiques des quartiers et les effets structurels ; que faut-il traiter ? (séquence 3, "
        "« Définir et suivre une stratégie », animée par Christophe Noyé le jour 2 au matin)."
    )
    passage = _passage(text, "Programme", 0.6)
    lead = pick("la partie 3.1, elle couvre quoi ?", [passage])[0]
    assert "effets structurels" in lead.sentence
    assert not lead.sentence.startswith("Qui anime")


def test_a_sentence_that_goes_on_with_the_subject_of_the_one_before_can_lead():
    # « La radiation intervient 1 mois après cet envoi » holds the asked duration; its subject
    # (the registered letter) is in the sentence before, which shares more of the question.
    text = (
        "Vous ne répondez pas aux courriers adressés à votre dernière adresse déclarée : votre "
        "demande peut être radiée après un avertissement envoyé en recommandé. La radiation "
        "intervient 1 mois après cet envoi."
    )
    passage = _passage(text, "Fiche", 0.6)
    question = (
        "Un demandeur qui ne répond plus aux courriers envoyés à sa dernière adresse : sa "
        "demande est radiée combien de temps après l'avertissement en recommandé ?"
    )
    picked = pick(question, [passage])
    assert picked[0].sentence == "La radiation intervient 1 mois après cet envoi."
    # As a quote, the sentence before is read alone: it is still quoted.
    assert any(p.sentence.startswith("Vous ne répondez pas") for p in picked[1:])


def test_a_bare_combien_asks_for_a_figure():
    assert asked_types("la hausse est plafonnée à combien par an ?") == ["figure"]
    assert asked_types("c'est combien en euros ?") == ["price"]
    assert asked_types("ils durent combien ?") == ["duration"]
    assert asked_types("Le PNRU couvre quelle période ?") == ["date"]
    assert asked_types("on prend l'IRL de quel trimestre ?") == ["date"]


def test_a_year_or_a_quarter_counted_from_now_is_a_date():
    text = (
        "La révision du loyer se fait chaque année au 1er janvier, selon l'indice de référence "
        "des loyers (IRL). Le logement est révisé si le bail le prévoit. La date de l'IRL prise "
        "en compte est celle du 2e trimestre de l'année précédente."
    )
    lead = pick(
        "Pour la révision des loyers HLM on prend l'IRL de quel trimestre ?", [_passage(text)]
    )
    assert "2e trimestre" in lead[0].sentence


def test_a_part_named_by_its_number_is_not_answered_by_another_part():
    # The second unit shares more words with the question, but it is part 2.3.
    text = (
        "La partie 2.2 présente les documents à élaborer.\n\n"
        "Le cadre législatif encadrant la gestion de la demande et des attributions : 2.3 les "
        "points clefs de la construction de la politique d'attribution."
    )
    passage = _passage(text, "Programme", 0.6)
    question = "la 2.2 sur le cadre législatif de la gestion de la demande et des attributions ?"
    lead = pick(question, [passage])[0]
    assert "documents à élaborer" in lead.sentence


def test_the_module_s_own_number_is_no_part_of_it():
    # « le module 9.5 » names the course, not its part 9.5: a part's sentence still answers.
    from assistant.text import numbered

    assert numbered("Dans le module 9.5, la 3.2 traite de quoi ?") == {"partie": {"3.2"}}
    assert numbered("Combien de stagiaires sur le 9.5 ?") == {}
    text = "La partie 2.2 « Le cadre législatif » aborde : les documents à élaborer."
    passage = _passage(text, "Programme", 0.6)
    lead = pick("Dans le module 9.5, quels documents faut-il élaborer ?", [passage])[0]
    assert "documents à élaborer" in lead.sentence


def test_a_text_named_by_its_number_is_answered_by_that_text_not_by_one_that_cites_it():
    law = Passage(
        rank=1,
        chunk_id="a",
        doc_id="loi",
        title="Loi n° 2003-710 du 1er août 2003",
        article="9-2",
        text="Les moyens affectés à l'Agence pour le NPNRU sont fixés à 5 milliards d'euros.",
        score=0.59,
    )
    decree = Passage(
        rank=2,
        chunk_id="b",
        doc_id="arrete",
        title="Arrêté du 15 septembre 2014",
        article="Annexe",
        text=(
            "Conformément à la loi n° 2003-710 du 1er août 2003, les moyens de l'agence pour le "
            "NPNRU vont aux quartiers les plus en difficulté."
        ),
        score=0.59,
    )
    question = "Quels moyens la loi de 2003 affecte-t-elle à l'agence pour le NPNRU ?"
    assert "5 milliards" in pick(question, [decree, law])[0].sentence


def test_articles_written_short_and_laws_by_their_number():
    from assistant.retrieval import article_references

    assert article_references("période couverte selon l'art 9-1 L. 2003-710 ?") == (
        ["9-1"],
        ["2003-710"],
    )
    assert article_references("Art. 8 loi 2014-173 : que définit la convention ?") == (
        ["8"],
        ["2014-173"],
    )
    # « L. 2003-710 » is a law by its number, not a code article.
    assert article_references("la loi L. 2003-710") == ([], [])
    assert article_references("l'art. L. 441-1 du CCH") == (["L441-1"], [])
