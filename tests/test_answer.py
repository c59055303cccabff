"""The extractive answer (the default): sentences of the passages, each cited, introduced by
their source; spans to highlight; follow-ups; version warnings; refusals with leads."""

import datetime as dt
import json
import re

import pytest

from assistant.answer import Citation, answer_question, stale_warnings
from assistant.cli import main as cli_main
from assistant.evaluation import first_sentence, has_keywords, invalid_markers
from assistant.extractive import asked_types, locate, pick, source_label, sub_questions
from assistant.followup import Turn, is_follow_up, standalone
from assistant.retrieval import Passage, numbering, search
from assistant.text import numbered


def _passage(**kw) -> Passage:
    base = dict(rank=1, chunk_id="c", doc_id="d", title="T", text="", score=0.5)
    base.update(kw)
    return Passage(**base)


def test_source_labels_say_where_the_answer_comes_from():
    law = _passage(
        title="Loi n° 2003-710 du 1er août 2003 d'orientation et de programmation pour la ville",
        kind="loi",
        article="9-2",
    )
    assert source_label(law) == "Selon l'article 9-2 de la loi n° 2003-710 du 1er août 2003"
    code = _passage(
        title="Code de la construction et de l'habitation — Partie législative — Livre IV",
        kind="code",
        article="L442-5",
    )
    assert source_label(code) == (
        "Selon l'article L442-5 du code de la construction et de l'habitation"
    )
    fiche = _passage(title="Loyer d'un logement social", kind="fiche")
    assert source_label(fiche) == "D'après la fiche service-public « Loyer d'un logement social »"
    course = _passage(title="Module 9.5", kind="cours", page_start=3, page_end=3)
    assert source_label(course) == "D'après le support de cours « Module 9.5 » (p. 3)"


def test_a_sentence_is_located_across_line_breaks():
    text = "Durée\n3 jours (17h30)\n\nPublic\nEn charge du programme d'un quartier"
    start, end = locate("En charge du programme d'un quartier", text)
    assert text[start:end] == "En charge du programme d'un quartier"
    assert locate("absent de ce texte", text) is None


def test_answer_cites_its_sentences_and_marks_the_spans(programme_index):
    answer = answer_question(programme_index, "Combien de jours dure la formation ?")
    assert not answer.refused
    assert answer.text.startswith("D'après le support de cours")
    assert has_keywords(answer.text, ["3 jours"]) and has_keywords(answer.text, ["trois jours"])
    assert invalid_markers(answer) == 0
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert numbers and sorted(set(numbers)) == list(range(1, len(answer.citations) + 1))
    spans = [(c, span) for c in answer.citations for span in c.spans]
    assert spans
    plain = " ".join(w for w in answer.text.split() if w not in {":", "—"})
    for citation, (start, end) in spans:
        # Each highlighted span is a sentence of the answer, word for word (label colons and
        # heading dashes aside).
        words = [w for w in citation.passage[start:end].split() if w not in {":", "—"}]
        assert " ".join(words) in plain


def test_numbered_parts_read_ordinals_and_take_a_session_for_a_sequence():
    assert numbered("le 3e jour l'aprem") == {"jour": {"3"}}
    assert numbered("J'ai raté le 1er jour") == {"jour": {"1"}}
    assert numbered("le deuxième jour") == {"jour": {"2"}}
    assert numbered("qui anime la deuxième journée ?") == {"jour": {"2"}}
    assert numbered("La session 3 s'intitule comment ?") == {"sequenc": {"3"}}
    assert numbered("anime la séquence 3 : « Définir »") == {"sequenc": {"3"}}
    # A number before a noun is no ordinal: a duration, a year.
    assert numbered("une formation de 3 jours") == {}
    assert numbered("en 2014 l'article 5") == {"articl": {"5"}}
    day_two = _passage(day=2, session="3")
    assert numbering({"jour": {"2"}}, day_two) == 1.0
    assert numbering({"jour": {"3"}, "sequenc": {"3"}}, day_two) == 0.0
    assert numbering({"jour": {"3"}}, _passage()) == 0.0
    # A day's timetable is judged on the sessions it names.
    timetable = _passage(day=3, text="Déroulé du jour 3 : séquence 5 ; séquence 6 ; séquence 7")
    assert numbering({"sequenc": {"3"}}, timetable) == -1.0
    # A session's part (« la 3.2 ») is judged on the parts a course passage names.
    part = _passage(day=2, session="3", text="La partie 3.2 « La stratégie » aborde : …")
    assert numbering(numbered("et la 3.2, elle traite de quoi ?"), part) == 1.0
    assert numbering(numbered("et la 3.1, elle traite de quoi ?"), part) == -1.0
    assert numbering(numbered("le module 9.5, il traite de quoi ?"), part) == 0.0


def test_a_question_that_asks_two_things_is_split_in_two():
    assert sub_questions("la session 4 elle parle de quoi et qui témoigne ?") == [
        "la session 4 elle parle de quoi",
        "qui témoigne ?",
    ]
    assert sub_questions("Le CA compte combien de membres, et combien représentent l'Etat ?") == [
        "Le CA compte combien de membres",
        "combien représentent l'Etat ?",
    ]
    assert len(sub_questions("racheter au bout de combien d'années ? et quel délai ?")) == 2
    # One question about two things stays whole; so does a remark after the question.
    assert sub_questions("qui fixe le loyer et les charges ?") == [
        "qui fixe le loyer et les charges ?"
    ]
    assert len(sub_questions("On finit à quelle heure ? je dois réserver mon train")) == 1
    assert asked_types("c'est pour qui cette formation ?") == ["audience"]
    assert "person" in asked_types("qui anime le jour 2 ?")
    # The kinds of ``facts`` (the answerability score reads the same), and the hours.
    assert asked_types("Parmi les formateurs, quel formateur est géographe ?") == ["person"]
    assert asked_types("La convention dure combien de temps ?") == ["duration"]
    assert asked_types("On finit à quelle heure ?") == ["hour"]
    assert asked_types("Quel taux de SLS ?") == ["percent"]


def test_each_part_of_a_double_question_is_answered(programme_index):
    answer = answer_question(programme_index, "la session 4 elle parle de quoi et qui témoigne ?")
    assert has_keywords(answer.text, ["levier pour la mixité"])
    assert has_keywords(answer.text, ["Hanser"])
    # The session asked is found first, not another day's timetable.
    assert search(programme_index, "La session 3 s'intitule comment ?", 1)[0].session == "3"


def test_follow_up_detection_and_rewrite_without_a_model():
    assert is_follow_up("qui la préside ?")
    assert is_follow_up("et dans les QPV ?")
    assert not is_follow_up("c'est quoi la CUS ?")
    # « la » after the verb is an article, before it a pronoun.
    assert not is_follow_up("À quoi sert la cotation ?")
    assert is_follow_up("Comment la calculer ?")
    assert is_follow_up("Combien de membres la composent ?")
    assert not is_follow_up("il y a une évaluation à la fin de la formation ?")
    # Words that point back to what was said, in a short question.
    assert is_follow_up("il faut l'accord du maire dans quel cas ?")
    assert is_follow_up("il y a combien de représentants d'Action Logement dedans ?")
    assert is_follow_up("du coup le plafond de ressources il s'apprécie comment ?")
    assert is_follow_up("elle occupe quel poste là-bas exactement ?")
    # A demonstrative points back (« cette séquence »); « ok, et … » is still « et … ».
    assert is_follow_up("Il y a un témoignage prévu pendant cette séquence ?")
    assert is_follow_up("ok et c'est animé par qui ?")
    assert is_follow_up("ça vaut aussi pour les SEM ?")
    # « ensuite », « du coup », « quand même » point back wherever they are.
    assert is_follow_up("Délai pour quitter les lieux ensuite ?")
    assert is_follow_up("Elle perd son ancienneté du coup ?")
    assert is_follow_up("Hors zones tendues, l'office peut-il l'appliquer quand même ?")
    # No subject of its own (« quel délai ? »), « même … » opening, « ça s'applique aussi ».
    assert is_follow_up("Au terme de quel délai ?")
    assert is_follow_up("meme en QPV ?")
    assert is_follow_up("ça s'applique aussi aux SEM ?")
    assert not is_follow_up("Combien de jours dure la formation ?")
    assert not is_follow_up("Qui anime la séquence 3 ?")
    assert not is_follow_up("il y a une évaluation à la fin de la formation ?")
    assert not is_follow_up("Séverine Hanser, elle est chargée de mission sur quoi ?")
    assert not is_follow_up("l'ANRU peut-elle intervenir à l'étranger ?")
    assert not is_follow_up(
        "deux familles veulent échanger leurs logements dans la même résidence HLM, dans quel "
        "cas peuvent-elles le faire sans l'accord du bailleur ?"
    )
    history = [Turn("Qu'est-ce que la CALEOL ?"), Turn("qui la préside ?")]
    # A chain of follow-ups keeps the subject of the first question.
    assert "CALEOL" in standalone("et ses membres ?", history)
    assert standalone("Combien de jours dure la formation ?", history) == (
        "Combien de jours dure la formation ?"
    )


@pytest.mark.parametrize(
    "previous,follow_up,searched",
    [
        ("Qui anime le jour 2 ?", "Et le jour 3 ?", "Qui anime le jour 3 ?"),
        (
            "Qui intervient le deuxième jour ?",
            "et le troisième jour ?",
            "Qui intervient le jour 3 ?",
        ),
        (
            "Que se passe-t-il le jour 1 à 14h ?",
            "et le lendemain à la même heure ?",
            "Que se passe-t-il le jour 2 à 14h ?",
        ),
        (
            "Qui anime la séquence 3 ?",
            "même question pour la séquence 5",
            "Qui anime la séquence 5 ?",
        ),
        (
            "Que dit l'article 9-1 de la loi de 2003 ?",
            "et le 9-2 ?",
            "Que dit l'article 9-2 de la loi de 2003 ?",
        ),
        ("Que dit l'article L442-5 ?", "et l'article L442-6 ?", "Que dit l'article L442-6 ?"),
        ("Quel est le budget du NPNRU ?", "et celui du PNRU ?", "Quel est le budget du PNRU ?"),
        (
            "Le jour 1 finit à quelle heure ?",
            "et le dernier jour ?",
            "Le dernier jour finit à quelle heure ?",
        ),
        (
            "Qui témoigne le jour 3 au matin ?",
            "et l'après-midi ?",
            "Qui témoigne le jour 3 l'après-midi ?",
        ),
    ],
)
def test_a_follow_up_that_switches_one_element_replaces_it(previous, follow_up, searched):
    assert standalone(follow_up, [Turn(previous)]) == searched


def test_carried_words_are_the_subject_not_the_sentence_around_it():
    # « Hier » starts the sentence: carried, it would read as a name the passages lack; « était »
    # and the day the asker speaks from say nothing of the subject.
    carried = standalone(
        "elle dépend de quel pôle ?",
        [
            Turn(
                "Hier après-midi, pour le témoignage de la séquence 4, c'était qui l'intervenante ?"
            )
        ],
    )
    assert carried == "elle dépend de quel pôle ? (séquence 4 après-midi témoignage intervenante)"


def test_a_follow_up_that_asks_more_carries_the_subject():
    # Not a switch: the follow-up has words of its own; the subject is carried.
    carried = standalone("et ça s'applique en QPV ?", [Turn("C'est quoi le SLS ?")])
    assert carried.startswith("et ça s'applique en QPV ?") and "SLS" in carried


def test_a_follow_up_that_adds_a_complement_keeps_what_was_asked():
    # « et en Île-de-France ? » asks the same thing for another place: the previous question
    # keeps its « combien de temps », which carried key words would lose.
    previous = "Combien de temps a la commission de médiation Dalo pour rendre sa décision ?"
    assert standalone("et en Île-de-France ?", [Turn(previous)]) == (
        "Combien de temps a la commission de médiation Dalo pour rendre sa décision "
        "en Île-de-France ?"
    )
    assert standalone("Et pour une colocation, c'est pareil ?", [Turn("C'est quoi la RLS ?")]) == (
        "C'est quoi la RLS pour une colocation ?"
    )
    # A follow-up that asks something of its own is no complement.
    carried = standalone("et pour saisir la commission, c'est quel formulaire ?", [Turn(previous)])
    assert carried.endswith(")")


def test_a_follow_up_for_the_place_the_question_set_aside_replaces_it():
    # « et en Île-de-France ? » after « … hors Île-de-France ? » asks for Île-de-France only:
    # the previous question with its « hors » replaced, not both places side by side.
    previous = "DALO hors Ile-de-France : la commission a combien de temps pour décider ?"
    assert standalone("et en Île-de-France ?", [Turn(previous)]) == (
        "DALO en Île-de-France : la commission a combien de temps pour décider ?"
    )
    assert standalone("Et hors Île-de-France ?", [Turn("Le délai en Île-de-France ?")]) == (
        "Le délai hors Île-de-France ?"
    )


def test_a_follow_up_about_the_person_an_answer_named_carries_that_name():
    # « il » is the witness the previous answer named, not a word of the previous question.
    answer = (
        "D'après le support de cours « Programme du Module 9.5 » (p. 4) :\n\n"
        "Le jour 3 au matin, de 10h00 à 12h30, Francis Rathier anime la séquence 5, avec le "
        "témoignage de Bertrand Carpentier (Directeur association La Pose à Valenciennes). [1]"
    )
    previous = Turn("Qui témoigne sur les relogements ?", answer)
    searched = standalone("il vient d'où ?", [previous])
    assert "Bertrand" in searched and "Carpentier" in searched
    # Without the answer, or when nobody was asked for, only the question's words are carried.
    assert "Carpentier" not in standalone("il vient d'où ?", [Turn(previous.question)])
    assert "Carpentier" not in standalone(
        "il vient d'où ?", [Turn("Que se passe-t-il le jour 3 ?", answer)]
    )


def test_a_follow_up_carries_an_acronym_that_reads_as_a_stop_word():
    previous = "Quel est le plafond de ressources pour un PLUS pour une personne seule ?"
    assert "PLUS" in standalone("et a Paris ?", [Turn(previous)])


def test_a_follow_up_carries_the_numbered_parts_with_their_number():
    # « jour » alone would point at any day: the number goes with it.
    carried = standalone("Et qui l'anime ?", [Turn("De quoi parle la session 2 du jour 1 ?")])
    assert carried == "Et qui l'anime ? (jour 1 séquence 2 parle)"


def test_a_follow_up_naming_another_day_does_not_carry_the_previous_one():
    history = [
        Turn("Le deuxième jour, après la pause déjeuner, on travaille sur quel thème ?"),
        Turn("Il y a un témoignage prévu pendant cette séquence ?"),
    ]
    # The second turn carries the day, as « jour 2 » (not the word « deuxième » as well).
    assert standalone(history[1].question, history[:1]).endswith(
        "(jour 2 après pause déjeuner travaille thème)"
    )
    searched = standalone("et le jour 3, qui vient témoigner ?", history)
    assert "jour 2" not in searched and "deuxième" not in searched
    # « le jour d'après »: the day after the previous one, by its number.
    searched = standalone(
        "et pour le jour d'après, l'accueil est à quelle heure ?",
        [Turn("Le premier jour, ça se termine à quelle heure ?")],
    )
    assert searched.endswith("(jour 2 termine)"), searched


def test_a_follow_up_is_answered_by_its_own_words_not_the_carried_ones():
    # The carried words (« révision loyer ») find the passage; « trimestre » is what is
    # asked, and the sentence that holds it comes first, though each shares two words.
    text = (
        "La révision du loyer se fait au 1er janvier. La date de l'IRL prise en compte est "
        "celle du 2e trimestre de l'année précédente."
    )
    passage = _passage(text=text)
    searched = "et on prend quel trimestre ? (révision loyer HLM indice année)"
    assert "2e trimestre" in pick(searched, [passage])[0].sentence


def test_a_list_ends_at_its_last_item():
    # The items introduced by « … de : » go with their sentence, up to the one that ends with
    # a full stop: not the next section's title and text.
    text = (
        "Les salaires forfaitaires retenus pour chaque poste à temps plein sont de :\n"
        "- 115 000 euros par an pour un chef de projet ;\n"
        "- 94 500 euros par an pour tout autre profil.\n"
        "Pilotage stratégique\n"
        "L'agence peut accorder une subvention aux dispositifs de pilotage du projet."
    )
    lead = pick("Quels salaires forfaitaires ?", [_passage(text=text)])[0].sentence
    assert "115 000 euros" in lead and "94 500 euros" in lead
    assert "Pilotage" not in lead and "subvention" not in lead


def test_two_turns_about_the_programme_name_the_right_people(programme_index):
    first = answer_question(programme_index, "Qui anime le jour 2 ?")
    assert has_keywords(first_sentence(first.text), ["Noyé"])
    # Who he is comes from page 1, quoted and cited there.
    role = next(c for c in first.citations if "Géographe" in c.passage)
    assert role.page == 1 and "Géographe, professeur associé" in first.text
    # Its similarity to the question, as every card shows, not a placeholder.
    assert 0 < role.score < 1
    second = answer_question(programme_index, "Et le jour 3 ?", [Turn("Qui anime le jour 2 ?")])
    assert second.searched == "Qui anime le jour 3 ?"
    lead = first_sentence(second.text)
    assert has_keywords(lead, ["Rathier"]) and not has_keywords(lead, ["Noyé"])


def test_a_day_the_programme_does_not_have_is_refused_with_its_reason(programme_index):
    """The passages found for « le jour 4 » of a three-day course are other days': refused,
    saying so, instead of answered from day 3."""
    fourth = answer_question(programme_index, "Et le jour 4 ?", [Turn("Qui anime le jour 3 ?")])
    assert fourth.searched == "Qui anime le jour 4 ?"
    assert fourth.refused and "compte 3 jours : il n'a pas de jour 4" in fourth.text
    assert "Rathier" not in fourth.text.split("Documents les plus proches")[0]
    ninth = answer_question(programme_index, "Que se passe-t-il pendant la séquence 9 ?")
    assert ninth.refused and "il n'a pas de séquence 9" in ninth.text
    assert not answer_question(programme_index, "Qui anime le jour 3 ?").refused


def test_a_follow_up_is_answered_in_context(programme_index):
    alone = answer_question(programme_index, "et le troisième jour ?")
    followed = answer_question(
        programme_index,
        "et le troisième jour ?",
        [Turn("Qui intervient le deuxième jour ?")],
    )
    assert followed.searched != followed.question and "intervient" in followed.searched
    assert not followed.refused
    assert followed.citations and all(c.page == 4 for c in followed.citations[:1])
    assert alone.searched == alone.question


def test_history_is_bounded(programme_index):
    settings = programme_index.model_copy(update={"history_turns": 1})
    history = [Turn("Qu'est-ce que la CALEOL ?"), Turn("Combien de jours dure la formation ?")]
    answer = answer_question(settings, "et qui la préside ?", history)
    # Only the last turn is kept: the CALEOL of the first one is forgotten.
    assert "CALEOL" not in answer.searched and "formation" in answer.searched


def test_ask_history_option(programme_index, tmp_path, capsys):
    history = tmp_path / "historique.json"
    history.write_text(json.dumps(["Qui intervient le deuxième jour ?"]), encoding="utf-8")
    code = cli_main(
        [
            "ask",
            "et le troisième jour ?",
            "--history",
            str(history),
            "--json",
            "--data-dir",
            str(programme_index.data_dir),
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and "intervient" in data["searched"] and data["citations"]
    history.write_text("{pas du json", encoding="utf-8")
    code = cli_main(["ask", "et alors ?", "--history", str(history)])
    assert code == 1 and "Historique illisible" in capsys.readouterr().err


def test_old_legal_texts_carry_a_version_warning():
    def cited(kind, date):
        return Citation(1, "d", "T", None, "1", "", 0.5, kind=kind, date=date)

    today = dt.date(2026, 11, 25)
    warnings = stale_warnings([cited("code", "2015")], 3, today)
    assert warnings == [
        "Texte cité dans sa version de 2015 : vérifiez la version en vigueur sur Légifrance."
    ]
    assert stale_warnings([cited("loi", "2014-02-21")], 3, today) == [
        "Texte cité dans sa version du 21 février 2014 : vérifiez la version en vigueur sur "
        "Légifrance."
    ]
    assert stale_warnings([cited("loi", "2025-06-01")], 3, today) == []
    # A course or a fiche is not a legal text in force.
    assert stale_warnings([cited("fiche", "2015")], 3, today) == []


def test_answer_from_an_old_code_ends_with_the_warning(shared_index):
    answer = answer_question(shared_index, "que prévoit l'article L. 442-5 du CCH ?")
    assert answer.citations[0].article == "L442-5"
    assert answer.text.endswith(
        "Texte cité dans sa version de 2015 : vérifiez la version en vigueur sur Légifrance."
    )


def test_a_course_lead_says_when_for_a_question_that_asks_when():
    # The programme's page lists the session's contents; the day is in its metadata.
    passage = _passage(
        kind="cours",
        day=1,
        session="2",
        text="Les nouveaux dispositifs introduits par la loi Elan : cotation de la demande, "
        "gestion en flux et CALEOL.",
    )
    [lead] = pick("La cotation et la CALEOL, c'est abordé à quel moment du module ?", [passage])
    assert lead.sentence.startswith("Jour 1, séquence 2 : Les nouveaux dispositifs")
    # Its span still points at the passage's own words.
    assert passage.text[lead.span[0] : lead.span[1]].startswith("Les nouveaux dispositifs")
    # Asked what, not when: the passage's words alone.
    [lead] = pick("Qu'apprend-on sur la cotation et la CALEOL ?", [passage])
    assert lead.sentence.startswith("Les nouveaux dispositifs")
