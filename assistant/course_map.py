"""The course map: the programme's days, sessions, parts and points, each with the passages of
the other indexed documents that cover it, the answerability score of that evidence, and the
topics that nothing indexed covers (« documents à ajouter »).

A programme is any indexed course document whose text has a course layout (ingest/course.py:
days, numbered sessions, their parts « 2.2 … » and bullet points). Each part and point is
searched as a question would be, the programme itself left out of the results, and judged by
the answerability model (assistant/grounding.py): a topic is covered when the decision on its
best passages is not a refusal.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.grounding import REFUSAL
from assistant.retrieval import Passage, search, support
from assistant.text import fold

# Passages shown for each topic, and searched to find them (the programme's own are dropped).
SHOWN = 3
SEARCHED = 12
# Points this short say little alone (« Le plan d'action »): their part's title goes with them.
SHORT_POINT_WORDS = 5
_ABOUT_THE_COURSE = re.compile(
    r"^(?:temoignage|evaluation de la formation|tour de table|accueil|presentation du programme)"
)


# The map of an index revision, kept with it: computed once, read by every page view.
MAP_FILE = "parcours.json"
# Raised when what the map holds or how it is computed changes: maps kept by an older version
# are computed again.
MAP_VERSION = 2


@dataclass
class Topic:
    day: int | None
    session: str
    session_title: str
    part: str
    text: str
    query: str
    covered: bool = False
    probability: float = 0.0
    passages: list[dict] = field(default_factory=list)


def _source(passage: Passage) -> dict:
    return {**passage.source(), "score": round(passage.score, 4), "passage": passage.text[:300]}


def _without_number(part: str) -> str:
    return part.split(" ", 1)[1] if part[:1].isdigit() and " " in part else part


def programme_topics(pages: list[tuple[int | None, str]], acronyms: set[str]) -> list[Topic]:
    """The parts and points of a programme's sessions, in order; [] without a course layout."""
    from ingest.course import outline, sentence_case

    topics = []
    for day in outline(pages, acronyms):
        for session in day.sessions:
            # The course's own business (a witness's slot, the course's evaluation) is no
            # subject that documents should cover.
            if _ABOUT_THE_COURSE.match(fold(session.title)):
                continue
            heading = sentence_case(session.title, acronyms)
            for part in session.parts:
                title = _without_number(part)
                if not _ABOUT_THE_COURSE.match(fold(title)):
                    topics.append(Topic(day.number, session.number, heading, part, title, title))
            for part, point in session.points:
                point = point.rstrip(" :;")
                if not any(c.isalpha() for c in point) or _ABOUT_THE_COURSE.match(fold(point)):
                    continue
                words = point.split()
                query = point
                if len(words) <= SHORT_POINT_WORDS and part:
                    query = f"{point} ({_without_number(part)})"
                topics.append(Topic(day.number, session.number, heading, part, point, query))
    return topics


def _programmes(settings: Settings) -> list[tuple[str, str, list[Topic]]]:
    """(doc_id, title, topics) of each indexed course document with a course layout."""
    from assistant.lexical import glossary
    from ingest.loaders import LoaderError
    from ingest.manifest import Manifest
    from ingest.sandbox import Reader

    manifest = Manifest.of(settings)
    try:
        records = manifest.documents()
    finally:
        manifest.close()
    acronyms = {term for term in glossary() if term.isupper()}
    courses = [
        (doc_id, record)
        for doc_id, record in sorted(records.items())
        if (record.meta or {}).get("kind") == "cours" and Path(record.path).is_file()
    ]
    found = []
    if not courses:
        return found
    # Read as the ingestion reads it: in a worker process with time and memory limits.
    with Reader() as reader:
        for doc_id, record in courses:
            try:
                document = reader.load(Path(record.path), doc_id, settings.max_file_bytes)
            except LoaderError:
                continue
            topics = programme_topics(document.pages, acronyms)
            if topics:
                found.append((doc_id, (record.meta or {}).get("title", doc_id), topics))
    return found


def course_map(settings: Settings) -> dict:
    """The map of every programme in the index: its topics with their covering passages, the
    share covered, and the uncovered topics."""
    programmes = []
    for doc_id, title, topics in _programmes(settings):
        for topic in topics:
            found = [p for p in search(settings, topic.query, SEARCHED) if p.doc_id != doc_id]
            if found:
                verdict = support(settings, topic.query, found[: settings.top_k])
                topic.probability = round(verdict.probability, 4)
                topic.covered = verdict.outcome != REFUSAL
            # One passage per place (an article, a page): the same annex thrice says nothing more.
            places = {}
            for passage in found:
                places.setdefault((passage.doc_id, passage.article, passage.page_start), passage)
            topic.passages = [_source(p) for p in list(places.values())[:SHOWN]]
        covered = sum(t.covered for t in topics)
        programmes.append(
            {
                "doc_id": doc_id,
                "title": title,
                "topics": [asdict(t) for t in topics],
                "covered": covered,
                "total": len(topics),
                "coverage": round(covered / len(topics), 4),
                "uncovered": list(dict.fromkeys(t.text for t in topics if not t.covered)),
            }
        )
    return {"programmes": programmes}


def revision_key(settings: Settings) -> str:
    """What identifies the index a map was computed on: its published revision (embedded
    mode), or the collection's revision stamp (server mode, where the folder stays)."""
    pinned = settings.pinned()
    if settings.chroma_mode != "http":
        return pinned.state_dir.name
    from assistant.lexical import REVISION_KEY
    from assistant.store import get_collection

    return str((get_collection(pinned).metadata or {}).get(REVISION_KEY, ""))


def cached_course_map(settings: Settings) -> dict:
    """The map of the index as it is now, computed once per index revision."""
    return cached(settings, MAP_FILE, course_map, MAP_VERSION)


def cached(settings: Settings, name: str, compute, version: int = 1) -> dict:
    """``compute(settings)`` for the index as it is now: read from its revision (file
    ``name``) when already computed by this ``version`` of ``compute``, otherwise computed and
    kept there (written aside, then renamed: never half a file)."""
    pinned = settings.pinned()
    key = f"{revision_key(pinned)}|v{version}"
    path = pinned.state_dir / name
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("revision") == key:
            return saved
    except (OSError, ValueError):
        pass
    result = {"revision": key, **compute(pinned)}
    partial = path.with_name(f"{name}.{os.getpid()}.tmp")
    try:
        partial.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)  # a read-only or full disk: the result is still shown
    return result
