from assistant.answer import sentences
from assistant.text import content_terms


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
