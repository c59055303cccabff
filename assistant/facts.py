"""The kinds of fact a question asks for, and what a text that gives one looks like.

``ASKED`` is matched on the folded question (no accents, lower case); ``GIVEN`` on the original
text of a passage, because names need their capitals and amounts their « € ». The answerability
score reads them (``grounding.type_missing``): a question that asks « à quelle fréquence » or
« combien coûte » is rarely answered by passages that hold no frequency or no amount, however
close their subject.
"""

from __future__ import annotations

import re

from assistant.text import fold

_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_SMALL = "un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|vingt|trente"

# « quel taux », and « quel est le taux », « quelle est la durée »: the same question.
_WHICH = r"quel(?:le)?s? (?:(?:est|sont) (?:le |la |les |l'))?"

ASKED: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern)
    for kind, pattern in {
        "person": r"(?:^|[,;?:]\s*|\bet\s+|\bc'est\s+|\best\s+|\b(?:a|par|de|avec|chez)\s+)"
        r"qui\b|\blequel\b|\blaquelle\b"
        # Mid-sentence, « qui » asks after a preposition (« versée à qui ? ») or a verb of
        # saying (« dis-moi qui préside »); after a noun it is a relative (« un organisme HLM
        # qui gère … »).
        r"|\b(?:savoir|sais|sait|dire|dis|demande|indiquer|preciser)(?:-moi|-nous)? qui\b"
        # « … doit consulter qui ? »: « qui » that ends the question asks.
        r"|\bqui\s*\?\s*$",
        "place": r"\bou\b(?! bien)(?=[^?]*\?)|\bquelle (?:ville|region|commune|adresse)\b"
        r"|\bdans quel(?:le)? (?:ville|lieu|salle|region|departement)\b",
        "price": r"\bcombien (?:coute|ca coute)|\b(?:prix|tarif|cout|couts|frais d'inscription)\b"
        rf"|\bc'est combien\b|\b{_WHICH}montant\b",
        "frequency": r"\b(?:quelle frequence|a quel rythme|tous les combien|combien de fois)\b",
        "text": rf"\b(?:(?:par |prevu par )?{_WHICH}(?:decret|arrete|article|loi|ordonnance"
        r"|circulaire|texte))\b",
        "percent": rf"\b(?:{_WHICH}(?:pourcentage|taux|part|proportion|quota)"
        r"|combien de pour ?cent)\b",
        "date": rf"\b(?:quand|{_WHICH}date|en quelle annee|depuis quand|jusqu'a quand"
        rf"|a partir de quand|date butoir|date limite|{_WHICH}echeance)\b",
        "count": r"\bcombien (?:de\b|d')|\bquel nombre\b|\bnombre de\b",
        "duration": r"\b(?:combien (?:de |d')(?:temps|jours|mois|ans|annees|heures|semaines)"
        rf"|{_WHICH}(?:duree|delai)|dans quel delai|au bout de combien|dure(?:nt)? combien"
        r"|duree (?:\w+ )?de combien)\b",
        "contact": r"\b(?:mail|e-mail|email|courriel|adresse (?:mail|electronique)|telephone"
        r"|numero de tel\w*|site (?:web|internet))\b",
    }.items()
}

# A person's name: a first name, then a name in capitals or capitalised (« Bertrand
# CARPENTIER », « Christophe Noyé »).
_NAME = (
    r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)? (?:[A-ZÀ-Ý][A-ZÀ-Ý-]{2,}"
    r"|[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?)\b"
)
PERSON_NAME = re.compile(_NAME)

GIVEN: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern)
    for kind, pattern in {
        # A name, or a role after its article or the preposition that gives to it
        # (« versée au bailleur », « à l'établissement habilité »).
        "person": _NAME + r"|\b(?:le|la|l'|du|de la|de l'|par le|par la|au|aux|à la|à l') ?"
        r"(?:préfet|maire|président|présidente|directeur|directrice|ministre|représentant"
        r"|bailleur|commission|conseil|organisme|établissement)\b",
        "place": r"\b(?:à|en|au|dans le|dans la) [A-ZÀ-Ý][a-zà-ÿ]+|\b(?:salle|adresse|rue"
        r"|avenue|lieu)\b",
        # « 1 200 € par mois »: no word boundary after « € » (a symbol before a space);
        # « 5 milliards d'euros ».
        "price": r"\d[\d  .,]*\s*(?:(?:millions?|milliards?) d[e'’]\s?)?(?:€|euros?\b|EUR\b)",
        "frequency": r"\b(?:chaque (?:année|mois|semaine|trimestre|an)|tous les (?:\w+ )?(?:ans"
        r"|mois|jours|semaines|trimestres)|par (?:an|mois|semaine|trimestre)|annuel\w*"
        r"|mensuel\w*|trimestriel\w*|semestriel\w*|\d+ fois)\b",
        "text": r"\b(?:décret|arrêté|loi|ordonnance|circulaire)\s+(?:n°|du|no)\s*\d"
        r"|\barticle\s+[LRD]?\.?\s?\d",
        "percent": r"\d\s*%|\bpour ?cent\b|\b(?:quart|tiers|moitié)\b",
        "date": rf"\b\d{{1,2}}(?:er)? (?:{_MONTHS}) \d{{4}}\b|\b(?:19|20)\d\d\b"
        r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
        "count": rf"\d|\b(?:{_SMALL}|cent|mille)\b",
        # « 1 an », « un an », « d'un an » too: the singular of years, weeks and hours.
        "duration": rf"\d+\s*(?:jours?\b|mois\b|ans?\b|années?\b|semaines?\b|heures?\b|h\b)"
        rf"|\b(?:{_SMALL})\s+(?:jours?|mois|ans?|années?|semaines?|heures?)\b",
        "contact": r"[\w.-]+@[\w-]+\.\w+|\b0\d(?:[ .]?\d\d){4}\b|https?://|\bwww\.",
    }.items()
}


# Folding makes « ou » (or) and « où » (where) one word: without its accent, « ou » asks for a
# place only in the turns that mean « where » (« d'ou », « ou se trouve », « c'est ou ? »), not
# between two alternatives (« un EPA ou un EPIC ? »).
_WHERE_UNACCENTED = re.compile(
    r"\bd'ou\b|\bou (?:se |s'|ca\b|est\b|sont\b|trouver|aller|deposer|envoyer|faire|obtenir"
    r"|retirer|adresser|ecrire|appeler|consulter|voir|lire)|\bou\s*\?\s*$|\bc'est ou\b"
)


# « quand » followed by its subject is a conjunction (« qui fixe le loyer quand un logement est
# reloué ? »), not a question about a date, unless the subject is inverted after it
# (« quand le bail prend-il fin ? ») or « c'est quand la prochaine session ? ».
_WHEN_CONJUNCTION = re.compile(
    r"(?<!c'est )(?<!depuis )(?<!pour )(?<!de )\bquand (?=(?:on|il|ils|elle|elles|un|une|le|la"
    r"|les|l'|mon|ma|mes|son|sa|ses|leur|leurs|je|j'|tu|nous|vous|ce|cet|cette|ces|c'|ca|cela"
    r"|des|du|quelqu'un)\b)"
)
_INVERTED = re.compile(r"-(?:t-)?(?:il|elle|ils|elles|on)\b|\best-ce\b")


def asked_facts(question: str) -> list[str]:
    """The kinds of fact ``question`` asks for (see ``ASKED``)."""
    folded = fold(question)
    kinds = [kind for kind, pattern in ASKED.items() if pattern.search(folded)]
    if (
        "place" in kinds
        and not re.search(r"\boù\b", question.lower())
        and not _WHERE_UNACCENTED.search(folded)
        and not ASKED["place"].search(re.sub(r"\bou\b", " ", folded))
    ):
        kinds.remove("place")
    if "date" in kinds and not ASKED["date"].search(_WHEN_CONJUNCTION.sub(" ", folded)):
        # « quand le bail prend-il fin ? » asks a date (the subject inverted in the clause that
        # « quand » opens); « Quand un demandeur dépose sa demande sur place, quel formulaire
        # doit-il remplir ? » does not (the inversion is in the other clause).
        clauses = [
            re.split(r"[,?]", folded[match.end() :], maxsplit=1)[0]
            for match in _WHEN_CONJUNCTION.finditer(folded)
        ]
        if not any(_INVERTED.search(clause) for clause in clauses):
            kinds.remove("date")
    # « Combien coûte » asks for a price, « combien de mois » for a duration: not a mere count.
    if "count" in kinds and {"price", "duration", "percent"} & set(kinds):
        kinds.remove("count")
    return kinds


# How a refusal names each kind (« les passages trouvés ne donnent pas … »).
FACT_NAMES = {
    "person": "une personne ou un organisme",
    "place": "un lieu",
    "price": "un prix ou un montant",
    "frequency": "une fréquence",
    "text": "un texte de référence",
    "percent": "un pourcentage",
    "date": "une date",
    "count": "un nombre",
    "duration": "une durée",
    "contact": "une adresse électronique, un téléphone ou un site",
}
