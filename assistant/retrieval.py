"""Find the passages that answer a question: dense search in Chroma with the ``query`` prompt."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from assistant.adapters import adapter_for
from assistant.config import Settings
from assistant.embeddings import get_embeddings
from assistant.grounding import REFUSAL, SENTENCE_FEATURES, Support, assess, load_model
from assistant.lexical import expand_query, get_lexical, glossary, names_term, top_scores
from assistant.store import get_collection
from assistant.text import asked_sentences, code_articles, fold, numbered, sentences


@dataclass
class Passage:
    rank: int
    chunk_id: str
    doc_id: str
    title: str
    text: str
    score: float
    page_start: int | None = None
    page_end: int | None = None
    article: str | None = None
    breadcrumb: str = ""
    kind: str = ""
    date: str = ""
    licence: str = ""
    attribution: str = ""
    source_url: str = ""
    version_date: str = ""
    # Found by an exact article reference in the question, not by similarity.
    exact: bool = False
    # Every article the passage covers, when it spans several (baseline chunks do).
    articles: tuple[str, ...] = ()
    position: int | None = None
    # The chunks the passage is made of: itself and, when it is a fragment of a longer
    # article or section, its neighbours.
    chunk_ids: tuple[str, ...] = ()
    # Written from a course programme's layout (its rows), not copied from its text.
    recomposed: bool = False
    # The day and session of a course programme the passage belongs to, when known.
    day: int | None = None
    session: str | None = None

    @property
    def page(self) -> int | None:
        return self.page_start

    def source(self) -> dict:
        """Where the passage comes from, as the pages cite it: document, kind, article or
        page, the text's version date (as answers cite it), the chunks it is made of."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "kind": self.kind,
            "article": self.article,
            "page": self.page_start,
            "page_end": self.page_end,
            "date": self.version_date or self.date,
            "chunk_ids": list(self.chunk_ids or (self.chunk_id,)),
        }

    def to_search_result(self) -> dict:
        return {
            "rank": self.rank,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "page": self.page,
            "article": self.article,
            "text": self.text,
            "score": round(self.score, 4),
        }


# « article 9-2 », « art. 9-1 », « art 14 ».
_LAW_REF = re.compile(r"\b(?:articles?|art\.?)\s+(\d+(?:-\d+)*)(?:er)?\b", re.IGNORECASE)
_LAW_HINT = re.compile(r"\b(?:n°\s?)?(\d{2,4}-\d{2,4}|(?:19|20)\d{2})\b")


def article_references(query: str) -> tuple[list[str], list[str]]:
    """Code articles named in ``query`` (« L. 441-1 », « R441-9 ») and law articles with the
    text they belong to (« l'article 9-2 de la loi de 2003 »): (ids, hints)."""
    codes = code_articles(query)
    laws = [] if codes else _LAW_REF.findall(query)
    hints = _LAW_HINT.findall(query) if laws else []
    return list(dict.fromkeys(codes + laws)), hints


def _passage(
    rank: int, chunk_id: str, text: str, meta: dict, score: float, exact: bool = False
) -> Passage:
    return Passage(
        rank=rank,
        chunk_id=chunk_id,
        doc_id=meta["doc_id"],
        title=meta.get("title", meta["doc_id"]),
        text=text,
        score=score,
        page_start=meta.get("page_start"),
        page_end=meta.get("page_end"),
        article=meta.get("article"),
        breadcrumb=meta.get("breadcrumb", ""),
        kind=meta.get("kind", ""),
        date=meta.get("date", ""),
        licence=meta.get("licence", ""),
        attribution=meta.get("attribution", ""),
        source_url=meta.get("source_url", ""),
        version_date=meta.get("version_date", ""),
        exact=exact,
        position=meta.get("position"),
        chunk_ids=(chunk_id,),
        recomposed=bool(meta.get("recomposed")),
        day=meta.get("day"),
        session=meta.get("session"),
    )


def _written(text, meta, embedding: object = ()) -> bool:
    """Whether a record read from Chroma is whole: a Chroma server may return a record that
    another host is writing with its document, metadata or vector still None; it is skipped
    (the next question sees it complete)."""
    return text is not None and meta is not None and embedding is not None


def _place(passage: Passage) -> tuple[str, int, str]:
    """Where a passage is: its document, then its reading order (ties between equal scores)."""
    return (passage.doc_id, passage.position or 0, passage.chunk_id)


def _exact_hits(collection, query: str, vector: list[float]) -> list[Passage]:
    ids, hints = article_references(query)
    if not ids:
        return []
    where = {"article": ids[0]} if len(ids) == 1 else {"article": {"$in": ids}}
    got = collection.get(where=where, include=["documents", "metadatas", "embeddings"])
    hits = []
    for chunk_id, text, meta, emb in zip(
        got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
    ):
        if not _written(text, meta, emb):
            continue
        if hints and not any(h in meta.get("title", "") + meta["doc_id"] for h in hints):
            continue
        hits.append(_passage(0, chunk_id, text, meta, _cosine(emb, vector), exact=True))
    hits.sort(key=_place)
    hits.sort(key=lambda p: p.score, reverse=True)
    return hits


CANDIDATES = 50
# A question whose ask comes after sentences of context (« Je prépare un article sur le
# renouvellement urbain. Dans cette formation, qui intervient au nom de l'ANRU ? ») is also
# encoded without them: the context pulls the whole question's vector towards its own subject.
# Passages are ranked by the mean of the two cosines (their score, the refusal signal, stays
# the whole question's). Measured on the 14 answerable such questions of tune.jsonl and of a
# fresh lot (n5): the expected passage first for 8 → 10 (weights 0.3 and 0.5, no loss; 0.7:
# 12 but two lost), and found in the top 10 for one more; tune.jsonl as a whole unchanged.
ASK_WEIGHT = 0.5
# Fusion is a convex combination of the cosine similarity and the BM25 score divided by the
# best BM25 score of the question. Measured on the development set, it beats reciprocal-rank
# fusion (which lets a noisy lexical leg outvote a strong dense one) and is flat for weights
# 0.1 to 0.2.
LEXICAL_WEIGHT = 0.15
MAX_PER_DOCUMENT = 3
# A question about the course may take one passage more from its programme (the document that
# answers it; a slot stays for another). Measured on tune.jsonl's 118 course questions: answers
# with their keywords 0.822 → 0.844 (5 passages: the same), the refusal decision unchanged.
COURSE_MAX_PER_DOCUMENT = 4
# A course passage whose day or session is the one the question names (« le jour 3 »,
# « la session 4 ») moves up by this much, one of another day or session moves down: the
# cosine hardly tells « jour 2 » from « jour 3 ». Measured on tune.jsonl (README).
NUMBERED_WEIGHT = 0.1


# A programme and the new one that followed it (« PNRU » and « NPNRU », « PRU » and « NPRU »):
# the cosine hardly tells « programme national de rénovation urbaine » from « nouveau programme
# national de renouvellement urbain ». A question that names one of them and not the other
# moves down the passages that name only the other. Measured on tune.jsonl (README). A fiche's
# section for a situation the question sets aside (« hors Île-de-France ») moves down as much.
VARIANT_WEIGHT = 0.1


# A fiche's section for a situation the question does not name (« En Île-de-France ») moves
# down by this much: the general case answers first.
SITUATION_WEIGHT = 0.05


# A question about the course itself (« pendant la formation », « le témoignage », « le jour
# 2 », « les stagiaires ») moves the course's passages up by this much: the cosine ranks a
# law that shares the subject (« les attendus de l'ANRU ») above the programme that says who
# presents it. Measured on tune.jsonl (302 answerable questions): recall@1 250 → 252 with
# 0.1 (0.03: 250; 0.05: 250; 0.15 and 0.2: 252), the refusal decision unchanged.
COURSE_WEIGHT = 0.1
_COURSE_CUE = re.compile(
    r"\b(?:formation|module|stages?|stagiaires?|format(?:eur|rice)s?|intervenant(?:e|s|es)?"
    r"|temoign\w*|temoins?|seances?|sequences?|sessions?|jour \d|j\d|fil rouge|pedagogi\w*"
    r"|prerequis|tour de table|programme(?! national)(?! de renouvellement)"
    r"(?! de renovation)(?! local))\b"
)


def about_course(query: str) -> bool:
    """Whether ``query`` asks about the course itself (its sessions, trainers, trainees): a
    cue word, or a day or session by its number (« la deuxième journée »)."""
    return bool(_COURSE_CUE.search(fold(query))) or bool({"jour", "sequenc"} & set(numbered(query)))


@lru_cache(maxsize=1)
def _variant_pairs() -> tuple[tuple[str, str], ...]:
    """(X, NX) glossary acronyms where NX is the « nouveau » X."""
    terms = glossary()
    return tuple(
        (old, new)
        for old in terms
        for new in terms
        if old.isupper() and new == "N" + old and fold(terms[new][0]).startswith("nouveau")
    )


def variants(query: str) -> list[tuple[str, str]]:
    """(asked, other) for each programme the question names without its other version."""
    found = []
    for old, new in _variant_pairs():
        names_old, names_new = names_term(old, query), names_term(new, query)
        if names_old != names_new:
            found.append((old, new) if names_old else (new, old))
    return found


def other_variant(asked: list[tuple[str, str]], passage: Passage) -> float:
    """1 when the passage names only the other version of a programme the question names."""
    return float(
        any(
            names_term(other, passage.text) and not names_term(term, passage.text)
            for term, other in asked
        )
    )


# « hors Île-de-France », « hors IDF », « hors de Paris »: what the question sets aside.
_HORS = re.compile(
    r"\bhors\s+(?:de\s+(?:la\s+|l')?|du\s+|des\s+|d')?(\S[^,;:?!.()]*)", re.IGNORECASE
)
# A section's heading that names a place (« En Île-de-France », « À Paris »), not a note
# (« À savoir »).
_SITUATION = re.compile(r"^(?:En|À|A|Au|Aux|Dans(?: les?| la)?)\s+(?=[A-ZÀ-Ý])")


def set_aside(query: str) -> list[str]:
    """The folded phrases that follow « hors » in ``query``, an acronym that starts one also
    in its long forms (« hors IDF » → « ile-de-france »)."""
    phrases = []
    terms = glossary()
    for match in _HORS.finditer(query):
        phrase = match.group(1).strip()
        phrases.append(fold(phrase))
        first = phrase.split()[0]
        if first in terms:
            phrases += [fold(form) for form in terms[first]]
    return phrases


def situation_set_aside(phrases: list[str], passage: Passage) -> bool:
    """Whether ``passage`` is under a section for a situation the question sets aside (« En
    Île-de-France » for « hors Île-de-France »): a fiche gives the general case and the named
    situation in sections that read alike, and only their heading (« En … », « À … ») tells
    them apart."""
    phrases = [_spaced(phrase) for phrase in phrases]
    return any(
        phrase.startswith(_spaced(place)) for place in situations(passage) for phrase in phrases
    )


def _spaced(text: str) -> str:
    """« ile-de-france », « ile de france »: one form."""
    return re.sub(r"[\s-]+", " ", text)


def situations(passage: Passage) -> list[str]:
    """The situations (« ile-de-france », « paris ») whose sections hold ``passage``, folded."""
    found = []
    for segment in passage.breadcrumb.split(" > ")[1:]:
        if match := _SITUATION.match(segment):
            found.append(fold(segment[match.end() :]).strip())
    return [place for place in found if place]


def unnamed_situation(query: str, passage: Passage) -> bool:
    """Whether ``passage`` is under a situation's section (« En Île-de-France ») that
    ``query`` does not name: the general case answers a question that names none."""
    places = situations(passage)
    if not places:
        return False
    folded = _named_places(query)
    return any(_spaced(place) not in folded for place in places)


@lru_cache(maxsize=64)
def _named_places(query: str) -> str:
    """``query`` with its acronyms' long forms (« IDF » → « Île-de-France »), folded and
    spaced: computed once per question, not once per candidate passage."""
    return _spaced(fold(expand_query(query)))


def numbering(asked: dict[str, set[str]], passage: Passage) -> float:
    """+1 per numbered part (day, session, a session's part) the question names and the
    passage is, -1 per one it names and the passage is another of."""
    score = 0.0
    for noun, value in (("jour", passage.day), ("sequenc", passage.session)):
        if noun not in asked:
            continue
        if value is not None:
            score += 1.0 if str(value) in asked[noun] else -1.0
        elif passage.day is not None and (named := numbered(passage.text).get(noun)):
            # A day's timetable names the sessions it holds.
            score += 1.0 if named & asked[noun] else -1.0
    # A part of a session (« la 3.2 ») is named in the course passages that give it.
    if "partie" in asked and passage.day is not None:
        if named := numbered(passage.text).get("partie"):
            score += 1.0 if named & asked["partie"] else -1.0
    return score


def _cosine(a: list[float], b: list[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


@dataclass
class Candidates:
    """What the search ranks for a query: the articles it names (``exact``, first whatever
    their score), the other passages found by the dense and the lexical rankings with their
    vectors, and the part of each one's fused score that is not its cosine (``rest``)."""

    vectors: list[list[float]]
    exact: list[Passage]
    found: dict[str, Passage]
    embeddings: dict[str, list[float]]
    rest: dict[str, float]


def candidates(settings: Settings, collection, query: str) -> Candidates:
    vector = query_vector(settings, query)
    ask = asked_sentences(query) if ASK_WEIGHT else None
    vectors = [vector, query_vector(settings, ask)] if ask else [vector]
    exact = _exact_hits(collection, query, vector)
    total = collection.count()
    dense = collection.query(
        query_embeddings=vectors,
        n_results=min(CANDIDATES, total),
        include=["documents", "metadatas", "embeddings"],
    )
    found: dict[str, Passage] = {p.chunk_id: p for p in exact}
    embeddings: dict[str, list[float]] = {}
    for row in range(len(vectors)):
        for chunk_id, text, meta, emb in zip(
            dense["ids"][row],
            dense["documents"][row],
            dense["metadatas"][row],
            dense["embeddings"][row],
            strict=True,
        ):
            if not _written(text, meta, emb) or chunk_id in found:
                continue
            # The score is the whole question's cosine (an ask alone only ranks).
            found[chunk_id] = _passage(0, chunk_id, text, meta, _cosine(emb, vector))
            embeddings[chunk_id] = list(emb)
    lexical = get_lexical(settings, collection)
    lexical_scores = lexical.scores(query) if lexical else {}
    lexical_hits = dict(top_scores(lexical_scores, CANDIDATES))
    missing = [chunk_id for chunk_id in lexical_hits if chunk_id not in found]
    if missing:
        got = collection.get(ids=missing, include=["documents", "metadatas", "embeddings"])
        for chunk_id, text, meta, emb in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        ):
            if _written(text, meta, emb):
                found[chunk_id] = _passage(0, chunk_id, text, meta, _cosine(emb, vector))
                embeddings[chunk_id] = list(emb)
    best_lexical = max(lexical_hits.values(), default=0.0) or 1.0
    asked = numbered(query)
    versions = variants(query)
    aside = set_aside(query)
    course = about_course(query)
    rest = {
        chunk_id: LEXICAL_WEIGHT * lexical_scores.get(chunk_id, 0.0) / best_lexical
        + (NUMBERED_WEIGHT * numbering(asked, passage) if asked else 0.0)
        - (VARIANT_WEIGHT * other_variant(versions, passage) if versions else 0.0)
        - (VARIANT_WEIGHT * situation_set_aside(aside, passage) if aside else 0.0)
        - (SITUATION_WEIGHT * unnamed_situation(query, passage))
        + (COURSE_WEIGHT if course and passage.kind == "cours" else 0.0)
        for chunk_id, passage in found.items()
        if chunk_id in embeddings
    }
    return Candidates(vectors, exact, found, embeddings, rest)


def fused_scores(settings: Settings, found: Candidates) -> dict[str, float]:
    """Each candidate's fused score: its cosine with the question (and, for a question with
    an ask apart, half with the question, half with the ask), turned by the search adapter
    learned for the model when there is one and it learned on every candidate, plus the rest
    of its score."""
    vectors = found.vectors
    adapter = vectors and adapter_for(settings, "search", len(vectors[0]), found.embeddings)
    if adapter:
        vectors = [adapter.turn(vector) for vector in vectors]
    ask = ASK_WEIGHT if len(vectors) > 1 else 0.0
    return {
        chunk_id: (1 - ask) * _cosine(emb, vectors[0])
        + (ask * _cosine(emb, vectors[1]) if ask else 0.0)
        + found.rest[chunk_id]
        for chunk_id, emb in found.embeddings.items()
    }


def search(settings: Settings, query: str, k: int | None = None) -> list[Passage]:
    """The ``k`` best passages for ``query``: articles it names first, then the fusion of the
    dense ranking (cosine, ``query`` prompt) and the lexical one (French BM25 with the
    glossary). ``score`` stays the cosine similarity, the refusal signal."""
    # One index revision for the whole search, even if an ingestion publishes another meanwhile.
    settings = settings.pinned()
    collection = get_collection(settings)
    if collection.count() == 0 or not query.strip():
        return []
    k = k or settings.top_k
    found = candidates(settings, collection, query)
    exact = found.exact
    fused = fused_scores(settings, found)
    found = found.found
    course = about_course(query)
    order = [p.chunk_id for p in exact]
    # Equal scores (the same text in two fiches) are ordered by document and reading order,
    # not by the order in which Chroma's approximate search happened to return them: the same
    # index answers the same.
    order += sorted(
        (c for c in fused if c not in order), key=lambda c: (-fused[c], *_place(found[c]))
    )
    if settings.rerank_model:
        order = _reranked(settings.rerank_model, query, order, found, len(exact), k)
    named = {p.doc_id for p in exact}
    per_document: dict[str, int] = {}
    passages: list[Passage] = []
    held_back: list[Passage] = []
    covered: set[str] = set()
    texts: set[str] = set()
    for chunk_id in order:
        passage = found[chunk_id]
        # A fiche repeats a section for each case it covers: one copy is enough.
        if chunk_id in covered or passage.text in texts:
            continue
        texts.add(passage.text)
        count = per_document.get(passage.doc_id, 0)
        cap = COURSE_MAX_PER_DOCUMENT if course and passage.kind == "cours" else MAX_PER_DOCUMENT
        if count >= cap and passage.doc_id not in named:
            held_back.append(passage)
            continue
        per_document[passage.doc_id] = count + 1
        _expand(collection, passage, covered)
        covered.update(passage.chunk_ids)
        passages.append(passage)
        if len(passages) == k:
            break
    # The cap is for variety: when too few other documents match, the slots are not left empty.
    passages += [p for p in held_back if p.chunk_id not in covered][: k - len(passages)]
    for rank, passage in enumerate(passages, start=1):
        passage.rank = rank
    return passages


# Sentences of the best passages compared with the question for the answerability score.
SENTENCE_PASSAGES = 2
MAX_SENTENCES = 32
SENTENCE_CHARS = 300


# Sentence vectors by text, shared by the answerability features and the answer composer
# (the same sentences are encoded once per process).
_unit_vectors: dict[tuple[str, str], list[float]] = {}
_query_vectors: dict[tuple[str, str], list[float]] = {}
MAX_CACHED = 4096


def query_vector(settings: Settings, query: str) -> list[float]:
    """The question's vector (``query`` prompt), encoded once for the search and the sentence
    scores of the same question."""
    key = (settings.embedding_model, query)
    if key not in _query_vectors:
        if len(_query_vectors) > MAX_CACHED:
            _query_vectors.clear()
        _query_vectors[key] = get_embeddings(settings).embed_query(query)
    return _query_vectors[key]


def unit_vectors(settings: Settings, units: list[str]) -> list[list[float]]:
    """The vectors of ``units`` (cut at ``SENTENCE_CHARS``), those not seen before encoded in
    one batch."""
    keys = [(settings.embedding_model, unit[:SENTENCE_CHARS]) for unit in units]
    missing = list(dict.fromkeys(key for key in keys if key not in _unit_vectors))
    if missing:
        if len(_unit_vectors) + len(missing) > MAX_CACHED:
            _unit_vectors.clear()
        vectors = get_embeddings(settings).embed_documents([text for _, text in missing])
        _unit_vectors.update(zip(missing, vectors, strict=True))
    return [_unit_vectors[key] for key in keys]


def unit_similarities(
    settings: Settings, query: str, units: list[str], adapted: list[str] | None = None
) -> list[float]:
    """The cosine between ``query`` and each of ``units`` (cut at ``SENTENCE_CHARS``). With
    ``adapted``, the chunk ids the units come from, the question's vector is first turned by
    the lead adapter learned for the model and those chunks (``assistant.adapters``), when
    there is one: the composer's sentence scores."""
    if not units:
        return []
    question = query_vector(settings, query)
    if adapted and (adapter := adapter_for(settings, "lead", len(question), adapted)):
        question = adapter.turn(question)
    return [_cosine(vector, question) for vector in unit_vectors(settings, units)]


def forget_vectors() -> None:
    """Drop the remembered sentence and question vectors (benchmarks measure cold questions)."""
    _unit_vectors.clear()
    _query_vectors.clear()


def sentence_similarities(
    settings: Settings, query: str, passages: list[Passage]
) -> list[tuple[float, str]]:
    """(cosine, sentence) for the sentences of the best passages, most similar first."""
    units = [
        unit
        for passage in passages[:SENTENCE_PASSAGES]
        for unit in sentences(passage.text)
        if len(unit.split()) >= 3
    ][:MAX_SENTENCES]
    scored = zip(unit_similarities(settings, query, units), units, strict=True)
    return sorted(((score, unit[:SENTENCE_CHARS]) for score, unit in scored), key=lambda x: -x[0])


def support(settings: Settings, question: str, passages: list[Passage]) -> Support:
    """Answer, uncertain or refusal for ``question`` and its ``passages``, with the reason."""
    if not passages:
        return assess(question, passages)
    # One batch of sentence vectors, only when the fitted model reads sentence features.
    sentences_read = set(load_model().features) & SENTENCE_FEATURES
    ranked = sentence_similarities(settings, question, passages) if sentences_read else None
    verdict = assess(question, passages, corpus_frequency(settings), ranked)
    if reason := absent_parts(settings, question, passages):
        # « et le jour 4 ? » of a three-day course: the passages found are other days'.
        verdict.outcome, verdict.reason = REFUSAL, reason
    return verdict


# « Enseignants principaux : Christophe Noyé, Géographe, professeur associé …, Cf. Géo. »: a
# course's line that presents one of its people (``ingest.course.one_per_person``).
_PERSON_LINE = re.compile(
    r"^(?P<label>[^:;\n]{3,60}) : (?P<name>[^,;:()\n]{3,60}?)(?: \([^)]*\))?, [^;]+$"
)
_PEOPLE_LABEL = re.compile(r"enseignant|format|intervenant|animat|responsable", re.IGNORECASE)


def people_lines(settings: Settings, query: str, passages: list[Passage]) -> dict[str, Passage]:
    """The lines of the courses among ``passages`` that present one person each (name, role,
    organisation), by name, each scored by its cosine with ``query``: a session's passage
    names its speaker, page 1 says who she is."""
    found: dict[str, Passage] = {}
    courses = list(dict.fromkeys(p.doc_id for p in passages if p.kind == "cours"))
    vector = query_vector(settings, query) if courses else []
    for doc_id in courses:
        got = get_collection(settings).get(
            where={"doc_id": doc_id}, include=["documents", "metadatas", "embeddings"]
        )
        rows = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
        for chunk_id, text, meta, emb in rows:
            if not _written(text, meta, emb):
                continue
            line = _PERSON_LINE.match(text.strip())
            if line and _PEOPLE_LABEL.search(line["label"]):
                score = _cosine(emb, vector)
                found.setdefault(line["name"].strip(), _passage(0, chunk_id, text, meta, score))
    return found


_PART_NAMES = {"jour": ("jour", "day"), "sequenc": ("séquence", "session")}


def absent_parts(settings: Settings, question: str, passages: list[Passage]) -> str:
    """Why a question about a course is refused when it names a day or a session that the
    course's programme does not have (« le jour 4 » of a three-day course), or "" ."""
    asked = numbered(question)
    if not passages or not asked.keys() & _PART_NAMES.keys():
        return ""
    top = passages[0]
    # Only when the search found the course first: « la session 8 de la CALEOL » is no
    # session of the course, and finds the code's articles among the first three.
    if any(p.kind != "cours" or p.doc_id != top.doc_id for p in passages[:3]):
        return ""
    metadatas = get_collection(settings).get(where={"doc_id": top.doc_id}, include=["metadatas"])
    for noun, (name, field) in _PART_NAMES.items():
        known = {str(m[field]) for m in metadatas["metadatas"] if m and m.get(field) is not None}
        absent = sorted(asked.get(noun, set()) - known, key=lambda v: (len(v), v))
        if known and absent:
            return (
                f"le programme « {top.title} » compte {len(known)} {name}s : "
                f"il n'a pas de {name} {absent[0]}"
            )
    return ""


def corpus_frequency(settings: Settings):
    """The share of the index's chunks that contain an analysed term (0.0: unknown)."""
    lexical = get_lexical(settings)
    return lexical.document_share if lexical else (lambda term: 0.01)


class RerankError(RuntimeError):
    """The configured reranker cannot be loaded (French message)."""


RERANK_DEPTH = 20


@lru_cache(maxsize=2)
def _cross_encoder(model: str):
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(model, device="cpu")
    except (OSError, ValueError) as exc:
        raise RerankError(
            f"Modèle de reclassement « {model} » introuvable ou illisible ({exc}). Indiquez un "
            "dossier local dans NPNRU_RERANK_MODEL, ou videz ce réglage."
        ) from exc


def _reranked(
    model: str, query: str, order: list[str], found: dict[str, Passage], fixed: int, k: int
) -> list[str]:
    """The first ``max(k, RERANK_DEPTH)`` candidates after the exact hits, reordered by the
    cross-encoder's score; exact hits stay first, the rest keep their order."""
    depth = fixed + max(k, RERANK_DEPTH)
    head = order[fixed:depth]
    if not head:
        return order
    scores = _cross_encoder(model).predict([(query, found[c].text) for c in head])
    ranked = [c for _, c in sorted(zip(scores, head, strict=True), key=lambda x: -float(x[0]))]
    return order[:fixed] + ranked + order[depth:]


def _same_unit(meta: dict, passage: Passage) -> bool:
    if passage.article:
        return meta.get("article") == passage.article
    return bool(passage.breadcrumb) and meta.get("breadcrumb") == passage.breadcrumb


def _expand(collection, passage: Passage, taken: set[str] = frozenset()) -> None:
    """Neighbour expansion: a fragment of a longer article or section gets the fragments just
    before and after it (same article, or same section of a fiche or course), so the passage
    reads whole and its neighbours do not take other slots of the top k. Fragments already
    shown in a better-ranked passage (``taken``) are not repeated."""
    if passage.position is None or not (passage.article or passage.breadcrumb):
        return
    got = collection.get(
        where={
            "$and": [
                {"doc_id": passage.doc_id},
                {"position": {"$in": [passage.position - 1, passage.position + 1]}},
            ]
        },
        include=["documents", "metadatas"],
    )
    pieces = [(passage.position, passage.chunk_id, passage.text)]
    for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
        if _written(text, meta) and _same_unit(meta, passage) and chunk_id not in taken:
            pieces.append((meta["position"], chunk_id, text))
            if meta.get("page_start") is not None and passage.page_start is not None:
                passage.page_start = min(passage.page_start, meta["page_start"])
                passage.page_end = max(
                    passage.page_end or passage.page_start, meta.get("page_end") or 0
                )
    if len(pieces) == 1:
        return
    pieces.sort()
    passage.text = "\n\n".join(text for _, _, text in pieces)
    passage.chunk_ids = tuple(chunk_id for _, chunk_id, _ in pieces)


class NpnruRetriever(BaseRetriever):
    """The same search behind langchain's retriever interface."""

    settings: Settings
    k: int | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [
            LCDocument(
                page_content=p.text,
                id=p.chunk_id,
                metadata={k: v for k, v in asdict(p).items() if k != "text"},
            )
            for p in search(self.settings, query, self.k)
        ]
