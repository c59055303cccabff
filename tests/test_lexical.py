"""The lexical leg: French analysis, glossary expansion, BM25 build/save/load."""

from assistant.lexical import LexicalIndex, expand_query, glossary
from assistant.text import analyse


def test_french_analysis():
    assert analyse("L'attribution des logements jusqu'à l'article L442-5") == [
        "attribu",
        "log",
        "articl",
        "l442-5",
    ]
    # Question inversions are split, accents folded after stemming, numbers kept.
    assert analyse("s'appliquent-elles à 3 quartiers ?") == ["appliqu", "3", "quarti"]
    # A verb's plural and a noun in « -age » meet their verb: « qui témoigne ? » finds
    # « Témoignage de … », « qui animent ? » finds « anime ».
    assert analyse("témoignent témoignage témoigner") == ["temoign"] * 3
    assert analyse("animent") == analyse("anime") == analyse("animer")
    assert analyse("Durée") == analyse("durée") == analyse("DUREE") == ["dur"]


def test_glossary_expands_acronyms_both_ways_and_case_sensitively():
    assert (
        "commission d'attribution des logements et d'examen de l'occupation des logements"
        in expand_query("Qui siège à la CALEOL ?")
    )
    assert expand_query("le supplément de loyer de solidarité").endswith("SLS Surloyer")
    assert expand_query("est-ce plus cher ?") == "est-ce plus cher ?"  # « PLUS » is a loan
    assert {"QPV", "NPNRU", "CIL", "CIA", "CALEOL", "DALO", "SLS", "PPGDID"} <= set(glossary())


def test_bm25_finds_the_rare_term_and_survives_a_reload(tmp_path):
    index = LexicalIndex.build(
        ["a", "b", "c"],
        [
            "La commission d'attribution se réunit chaque mois.",
            "Le supplément de loyer de solidarité est dû au-delà du plafond.",
            "La conférence intercommunale du logement fixe les orientations.",
        ],
    )
    assert index.search("surloyer", 3)[0][0] == "b"  # through the glossary
    assert index.search("CIL", 3)[0][0] == "c"
    assert index.search("météo à Lyon", 3) == []
    index.save(tmp_path / "lexical")
    again = LexicalIndex.load(tmp_path / "lexical")
    assert again.search("commissions d'attribution", 3)[0][0] == "a"


def test_a_rebuild_analyses_only_the_texts_it_has_not_seen(tmp_path, monkeypatch):
    import assistant.lexical as lexical

    texts = [
        "La commission d'attribution des logements se réunit chaque mois.",
        "Le supplément de loyer de solidarité est dû au-delà du plafond.",
        "Le préfet désigne les ménages prioritaires au titre du DALO.",
    ]
    first = LexicalIndex.build(["a", "b", "c"], texts)
    first.save(tmp_path / "lexical")
    known = lexical._saved_tokens(tmp_path / "lexical")
    assert len(known) == 3

    analysed = []
    monkeypatch.setattr(lexical, "analyse", lambda text: analysed.append(text) or analyse(text))
    edited = [
        *texts[:2],
        "Le préfet désigne les ménages prioritaires DALO dans un délai de 6 mois.",
    ]
    again = LexicalIndex.build(["a", "b", "c2"], edited, known)
    assert analysed == [edited[2]]
    # The same index as one built from nothing.
    monkeypatch.setattr(lexical, "analyse", analyse)
    fresh = LexicalIndex.build(["a", "b", "c2"], edited)
    for query in ("commission mensuelle", "surloyer plafond", "préfet DALO délai"):
        assert again.scores(query) == fresh.scores(query)
    # Another version of the analysis: nothing saved is reused.
    (tmp_path / "lexical" / "version").write_text("0", encoding="utf-8")
    assert lexical._saved_tokens(tmp_path / "lexical") == {}
