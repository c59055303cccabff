"""Course documents with a layout: what a programme's rows say, recovered from its text.

A programme extracted from PDF loses its rows: the day (« JOUR 2 »), the times, the session
titles (« 3/ DÉFINIR ET SUIVRE… »), the speakers and their organisations land on separate lines,
in another order. This module reads them back:

- days: a « JOUR N » marker covers the page it is on when it is the page's only one (programmes
  often print it below the sessions), otherwise the lines that follow it;
- sessions: « 3/ TITRE », « Séquence 3 : Titre », « Session 3 - Titre », the title continued on
  the next line when that line is in capitals too;
- speakers: names written « Prénom NOM » on the session's heading or the line after it, spelt as
  in the « Enseignants principaux » paragraph (their role and organisation stay there: a passage
  cited at a session's page states only what that page prints); witnesses (a name in the
  session's body) with the rest of their line;
- times: the day's time ranges, the welcome at the first, the lunch break at the one around
  midday, the sessions in order on the remaining ones of their half-day (the longest first when
  there are fewer sessions than slots).

``cover_fields`` reads the labelled fields printed before the first day (« Objectifs »,
« Enseignants principaux », « Durée », « Public », « Prérequis », « Approche pédagogique »…),
one passage each (« Durée : 3 jours (17h30) »).

From the outline, ``course_units`` writes one passage per session and one per day, in plain
French sentences (« Le jour 2, de 9h30 à 12h30, Christophe Noyé anime la séquence 3 : … »):
they answer « qui anime le jour 2 ? », « à quelle heure finit le jour 3 ? » directly, and they
are marked as recomposed from the layout, with the page they come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import fold
from ingest.structure import mostly_upper

_DAY = re.compile(r"^\s*jour\s+(\d{1,2})\b", re.IGNORECASE)
_SESSION = re.compile(
    r"^\s*(?:(?P<a>\d{1,2})\s*/\s*|(?:s[ée]quence|session)\s+(?P<b>\d{1,2})\s*[:.–—-]\s*)"
    r"(?P<title>\S.*)$",
    re.IGNORECASE,
)
_SUBSECTION = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\s+(\S.*)$")
_TIME = re.compile(
    r"(\d{1,2})\s*h\s*(\d{2})?\s*(?:…|\.\.\.|–|—|-|à)\s*(\d{1,2})\s*h\s*(\d{2})?", re.IGNORECASE
)
_NAME = r"[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?"
# « Christophe NOYÉ », « Fanny LAINE-DANIEL »: how programmes print their speakers.
_PERSON = re.compile(rf"\b({_NAME})\s+([A-ZÀ-Ý]{{3,}}(?:-[A-ZÀ-Ý]{{2,}})*)(?![\w-])")
_TITLE_PERSON = re.compile(rf"^\s*({_NAME}\s+{_NAME})")
_WELCOME = re.compile(r"^\s*accueil\b", re.IGNORECASE)
_LUNCH = re.compile(r"\bpause\s+d[ée]jeuner\b", re.IGNORECASE)
_LABEL = re.compile(r"^[A-ZÀ-Ý][\wÀ-ÿ’'-]*(?: [\wÀ-ÿ’'-]+)?$")
_TEACHERS = re.compile(r"^\s*(?:enseignants?|formateurs?|intervenants?)\s+principa", re.I)


@dataclass
class Person:
    name: str
    role: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass
class Session:
    number: str
    title: str
    page: int | None
    day: int | None = None
    speakers: list[Person] = field(default_factory=list)
    witnesses: list[Person] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    # The bullet points of the session, each with the part it is under (« 2.2 … », or "").
    points: list[tuple[str, str]] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    # Before the lunch break of its day, in reading order.
    morning: bool = True


@dataclass
class Slot:
    start: str
    end: str
    label: str = ""
    # What the slot holds besides its label (the welcome's « tour de table … »).
    notes: list[str] = field(default_factory=list)


@dataclass
class Day:
    number: int
    page: int | None
    slots: list[Slot] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    welcome: Slot | None = None
    lunch: Slot | None = None


def _minutes(hour: str, minute: str | None) -> int:
    return int(hour) * 60 + int(minute or 0)


def _at(clock: str) -> int:
    """« 9h30 » in minutes."""
    return _minutes(*clock.split("h"))


def _clock(value: int) -> str:
    return f"{value // 60}h{value % 60:02d}"


def display_name(first: str, last: str, known: dict[str, Person]) -> Person:
    """« Fanny LAINE-DANIEL » → the teacher « Fanny Lainé-Daniel » when the programme lists
    her, else the name in title case."""
    key = fold(f"{first} {last}")
    if key in known:
        return Person(known[key].name, known[key].role)
    return Person(f"{first} {'-'.join(part.capitalize() for part in last.split('-'))}")


def teachers(lines: list[str]) -> dict[str, Person]:
    """The « Enseignants principaux » paragraph: folded name → the person with her role."""
    for i, line in enumerate(lines):
        if not _TEACHERS.match(line):
            continue
        paragraph = []
        for following in lines[i + 1 :]:
            if not following.strip():
                if paragraph:
                    break
                continue
            # The next label of the page (« Durée », « Public ») ends the paragraph.
            if paragraph and _LABEL.match(following.strip()):
                break
            paragraph.append(following.strip())
        found = {}
        for piece in " ".join(paragraph).split(";"):
            match = _TITLE_PERSON.match(piece)
            if not match:
                continue
            role = re.sub(r"\s+", " ", piece[match.end() :].replace("(", "").replace(")", ""))
            person = Person(match.group(1).strip(), role.strip(" ,"))
            found[fold(person.name)] = person
        return found
    return {}


def _people(text: str, known: dict[str, Person], acronyms: set[str]) -> list[tuple[Person, int]]:
    """The persons named « Prénom NOM » in ``text``, with where each name ends."""
    found = []
    for match in _PERSON.finditer(text):
        if match.group(2) in acronyms:
            continue
        found.append((display_name(match.group(1), match.group(2), known), match.end()))
    return found


def _role(rest: str, name: str) -> str:
    """A witness's role: the rest of her line, her name repeated in plain case removed."""
    rest = re.sub(rf"^\W*{re.escape(name)}\W*", "", rest.strip(), flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", rest).strip(" ,•-–")


def sentence_case(title: str, acronyms: set[str]) -> str:
    """« LA STRATÉGIE D'ATTRIBUTION POUR LE NPRU » → « La stratégie d'attribution pour le
    NPRU » (the domain's acronyms stay in capitals)."""
    words = []
    for word in re.split(r"(\s+)", title.strip()):
        core = re.sub(r"\W", "", word)
        # Two-letter acronyms (« SA », « CA ») are also French words in a title.
        words.append(word if len(core) >= 3 and core in acronyms else word.lower())
    text = "".join(words)
    return text[:1].upper() + text[1:]


def outline(pages: list[tuple[int | None, str]], acronyms: set[str]) -> list[Day]:
    """The days of a programme, their slots and sessions; [] when the text has no day marker
    followed by numbered sessions."""
    lines = [(page, line.strip()) for page, text in _sheets(pages) for line in text.splitlines()]
    known = teachers([line for _, line in lines])
    markers: dict[int | None, list[int]] = {}
    for page, line in lines:
        match = _DAY.match(line)
        if match:
            markers.setdefault(page, []).append(int(match.group(1)))
    if not markers:
        return []
    days: dict[int, Day] = {}
    current: int | None = None
    session: Session | None = None
    pending: Slot | None = None
    previous_page = object()
    for index, (page, line) in enumerate(lines):
        if page != previous_page:
            previous_page = page
            on_page = markers.get(page, [])
            if len(on_page) == 1:
                current = on_page[0]
            session = None
        if not line:
            continue
        match = _DAY.match(line)
        if match:
            if len(markers.get(page, [])) > 1:
                current = int(match.group(1))
                session = None
            # A table row may go on after the day: « Jour 1 | 9h00 - 12h30 ».
            line = line[match.end() :].strip(" |:–-")
            if not line:
                continue
        if current is None:
            continue
        day = days.setdefault(current, Day(current, _page(page)))
        bound = pending
        pending = None
        for time in _TIME.finditer(line):
            label = line[time.end() :].strip(" …?.")
            day.slots.append(
                Slot(
                    _clock(_minutes(time.group(1), time.group(2))),
                    _clock(_minutes(time.group(3), time.group(4))),
                    label if mostly_upper(label) else "",
                )
            )
        if _TIME.search(line):
            # A time alone on its line, right before a session: a table row (time | session).
            if day.slots and not day.slots[-1].label and _TIME.fullmatch(line.strip(" …")):
                pending = day.slots[-1]
            continue
        if _WELCOME.match(line) and day.welcome is None:
            day.welcome = Slot("", "", "accueil des stagiaires")
            continue
        if _LUNCH.search(line):
            day.lunch = Slot("", "", "pause déjeuner")
            continue
        heading = _SESSION.match(line)
        if (
            heading
            and mostly_upper(heading.group("title")[:40])
            or (heading and not heading.group("a"))
        ):
            number = heading.group("a") or heading.group("b")
            title, speakers = _title_and_speakers(heading.group("title"), known, acronyms)
            session = Session(
                number, title, _page(page), current, speakers, morning=day.lunch is None
            )
            if bound is not None:
                session.start, session.end = bound.start, bound.end
                session.morning = _at(bound.end) <= 13 * 60 + 30
                bound.label = f"séquence {number}"
            day.sessions.append(session)
            _continue_heading(session, lines, index, known, acronyms)
            continue
        if session is None:
            # Lines between the welcome and the day's first session say what the welcome is
            # (« Présentation du programme… », « Tour de table et recueil des attentes… »).
            if day.welcome is not None and not day.sessions and not _PERSON.search(line):
                day.welcome.notes.append(line.lstrip("•- ").strip())
            continue
        following = next((text for _, text in lines[index + 1 :] if text), "")
        sub = _SUBSECTION.match(line)
        if sub and sub.group(1) == session.number:
            title = sub.group(3)
            if mostly_upper(following) and not _is_heading(following):
                title += " " + following
            session.parts.append(f"{sub.group(1)}.{sub.group(2)} {sentence_case(title, acronyms)}")
            continue
        people = _people(line, known, acronyms)
        # A bullet point that names no one is a topic of the session (a witness is not).
        if not people and line.startswith(("•", "- ")):
            session.points.append(
                (session.parts[-1] if session.parts else "", _point(line, lines, index))
            )
            continue
        for person, end in people:
            if any(p.name == person.name for p in session.speakers + session.witnesses):
                continue
            rest = line[end:]
            if following and not (
                _SESSION.match(following)
                or _SUBSECTION.match(following)
                or _TIME.search(following)
                or following.startswith(("•", "-"))
                or _PERSON.search(following)
            ):
                rest += " " + following
            person.role = person.role or _role(rest, person.name)
            session.witnesses.append(person)
    for day in days.values():
        _place_in_time(day)
    return [days[number] for number in sorted(days)]


def _point(line: str, lines: list[tuple[object, str]], index: int) -> str:
    """A bullet point's text, with its continuation lines (they start in lower case, after a
    blank line or not: « … orientations et objectifs » / « d'attribution »)."""
    text = line.lstrip("•- ").strip()
    for _, following in lines[index + 1 :]:
        if not following:
            continue
        if not following[:1].islower():
            break
        text += " " + following
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class _Sheet:
    """A page of a format without pages: a stretch between runs of blank lines."""

    number: int


def _sheets(pages: list[tuple[int | None, str]]) -> list[tuple[object, str]]:
    """The pages; text without pages is cut where three blank lines or more mark a page break
    of the document it was extracted from."""
    sheets: list[tuple[object, str]] = []
    for page, text in pages:
        if page is not None:
            sheets.append((page, text))
            continue
        for part in re.split(r"\n[ \t]*\n[ \t]*\n[ \t]*\n", text):
            sheets.append((_Sheet(len(sheets)), part))
    return sheets


def _page(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _is_heading(line: str) -> bool:
    return bool(
        _SESSION.match(line) or _SUBSECTION.match(line) or _DAY.match(line) or _TIME.search(line)
    )


def _title_and_speakers(
    text: str, known: dict[str, Person], acronyms: set[str]
) -> tuple[str, list[Person]]:
    people = _people(text, known, acronyms)
    if not people:
        return text.strip(), []
    first = _PERSON.search(text)
    return text[: first.start()].strip(" ,"), [p for p, _ in people]


def _continue_heading(
    session: Session,
    lines: list[tuple[int | None, str]],
    index: int,
    known: dict[str, Person],
    acronyms: set[str],
) -> None:
    """A title cut over two lines, and the speakers on the line after it."""
    for _, line in lines[index + 1 : index + 4]:
        if not line:
            continue
        if _SUBSECTION.match(line) or _SESSION.match(line) or _DAY.match(line):
            return
        people = _people(line, known, acronyms)
        first = _PERSON.search(line)
        prefix = line[: first.start()] if first else line
        continued = mostly_upper(prefix) or (
            prefix[:1].islower() and not mostly_upper(session.title)
        )
        if prefix.strip() and continued and not session.speakers:
            session.title = f"{session.title} {prefix.strip(' ,')}"
        elif prefix.strip(" ,"):
            return
        if people and not session.speakers:
            session.speakers = [p for p, _ in people]
            return
        if not people and not continued:
            return


def _place_in_time(day: Day) -> None:
    """Give the welcome, the lunch break and each session its slot (see the module doc)."""
    free = [slot for slot in day.slots if not slot.label]
    ordered = sorted(free, key=lambda s: _at(s.start))
    if day.welcome is not None and ordered:
        first = ordered.pop(0)
        day.welcome.start, day.welcome.end = first.start, first.end
    lunch_slot = next(
        (
            slot
            for slot in ordered
            if 11 * 60 + 30 <= _at(slot.start) <= 13 * 60 + 30
            and _at(slot.end) - _at(slot.start) <= 105
        ),
        None,
    )
    if lunch_slot is not None:
        ordered.remove(lunch_slot)
        day.lunch = day.lunch or Slot("", "", "pause déjeuner")
        day.lunch.start, day.lunch.end = lunch_slot.start, lunch_slot.end
    noon = _at(lunch_slot.start) if lunch_slot else 12 * 60 + 30
    for morning in (True, False):
        sessions = [s for s in day.sessions if s.morning is morning and s.start is None]
        slots = [s for s in ordered if (_at(s.end) <= noon) is morning]
        if len(slots) > len(sessions):
            longest = sorted(
                slots,
                key=lambda s: _at(s.start) - _at(s.end),
            )[: len(sessions)]
            slots = [s for s in slots if s in longest]
        for session, slot in zip(sessions, slots, strict=False):
            session.start, session.end = slot.start, slot.end


def _span(start: str | None, end: str | None) -> str:
    return f"de {start} à {end}" if start and end else ""


def _half(session: Session) -> str:
    return "au matin" if session.morning else "l'après-midi"


def session_text(session: Session, acronyms: set[str]) -> str:
    """One session as French sentences."""
    half = _half(session)
    when = ", ".join(
        filter(None, [f"Le jour {session.day} {half}", _span(session.start, session.end)])
    )
    title = sentence_case(session.title, acronyms)
    if session.speakers:
        # Names only: a teacher's role and organisation are printed once, in the « Enseignants
        # principaux » paragraph, and a passage cited at this page must not state them.
        who = " et ".join(p.name for p in session.speakers)
        verb = "animent" if len(session.speakers) > 1 else "anime"
        text = f"{when}, {who} {verb} la séquence {session.number} : « {title} »"
    else:
        text = f"{when} : séquence {session.number}, « {title} »"
    # Who speaks in the session, in one sentence: « qui anime, et il y a un témoin ? ».
    witnesses = [
        ("d'" if fold(witness.name[:1]) in "aeiouy" else "de ") + witness.label()
        for witness in session.witnesses
    ]
    if witnesses:
        text += ", avec le témoignage " + " et ".join(witnesses)
    text += "."
    if session.parts:
        text += " Au programme : " + " ; ".join(session.parts) + "."
    elif points := _points(session, ""):
        text += " Au programme : " + _listed(points)
    return text


def _points(session: Session, part: str) -> list[str]:
    """The bullet points of one part of a session (« » for a session without parts)."""
    return [point for under, point in session.points if under == part and point.strip(" …")]


def _listed(points: list[str]) -> str:
    """Bullet points as one French enumeration: « les dynamiques … ; que faut-il traiter ? »."""
    # « Les dynamiques », « L’esprit » start lower case; « CALEOL » keeps its capitals.
    lowered = [
        point[:1].lower() + point[1:] if re.match(r"^.[’']?[a-zà-ÿ]", point) else point
        for point in points
    ]
    text = " ; ".join([point.rstrip(" :;.") for point in lowered[:-1]] + lowered[-1:])
    return text if text.endswith(("?", "!", ".")) else text.rstrip(" :;") + "."


def part_text(session: Session, part: str, acronyms: set[str]) -> str | None:
    """One part of a session (« 3.1 … ») as one French sentence: its bullet points, then in
    brackets the session, day and speakers it belongs to; None for a part without points.
    The points come first: an answer cut to a few hundred characters keeps them whole (« les
    leviers du 4.2, c'est lesquels ? »)."""
    points = _points(session, part)
    if not points:
        return None
    half = _half(session)
    number, _, title = part.partition(" ")
    who = " et ".join(p.name for p in session.speakers)
    listed = _listed(points)
    return (
        f"La partie {number} « {title} » aborde : {listed.rstrip('.')} (séquence "
        f"{session.number}, « {sentence_case(session.title, acronyms)} », "
        + (f"animée par {who} " if who else "")
        + f"le jour {session.day} {half})."
    )


def day_text(day: Day, acronyms: set[str], is_last: bool = False) -> str:
    """A day's timetable as one French sentence per slot; ``is_last`` says it is the course's
    last day (« le dernier jour, on finit à quelle heure ? »)."""
    rows = []
    if day.welcome and day.welcome.start:
        notes = f" ({_listed(day.welcome.notes).rstrip('.')})" if day.welcome.notes else ""
        rows.append(f"{day.welcome.start}–{day.welcome.end} : accueil des stagiaires{notes}")
    items: list[tuple[int, str]] = []
    for session in day.sessions:
        who = ", ".join(p.name for p in session.speakers + session.witnesses)
        label = f"séquence {session.number}, « {sentence_case(session.title, acronyms)} »"
        label += f" ({who})" if who else ""
        start = session.start or ""
        items.append(
            (
                _at(start) if start else 9999,
                f"{session.start}–{session.end} : {label}" if start else label,
            )
        )
    if day.lunch and day.lunch.start:
        items.append(
            (
                _at(day.lunch.start),
                f"{day.lunch.start}–{day.lunch.end} : pause déjeuner",
            )
        )
    for slot in day.slots:
        if slot.label and not slot.label.startswith("séquence "):
            items.append(
                (
                    _at(slot.start),
                    f"{slot.start}–{slot.end} : {slot.label.lower()}",
                )
            )
    rows += [text for _, text in sorted(items)]
    text = f"Déroulé du jour {day.number} : " + " ; ".join(rows) + "."
    # The last day says it is in the sentence of its hours: « le dernier jour, on finit à
    # quelle heure ? » is answered by one sentence.
    last_day = ", dernier jour de la formation," if is_last else ""
    if day.slots:
        first = min(day.slots, key=lambda s: _at(s.start))
        last = max(day.slots, key=lambda s: _at(s.end))
        text += (
            f" Le jour {day.number}{last_day} commence à {first.start} et se termine à {last.end}."
        )
    elif is_last:
        text += f" Le jour {day.number} est le dernier jour de la formation."
    return text


# The labelled fields of a programme's presentation (« Objectifs », « Durée », « Public »…),
# matched on the folded start of a line; the rest of the line, if any, is the field's value
# (« Prérequis Aucun »).
_FIELD = re.compile(
    r"^(?P<label>objectifs?(?: p[ée]dagogiques?)?|(?:enseignants?|formateurs?|intervenants?)"
    r"(?: principa(?:l|ux|les?))?|dur[ée]e|public(?: vis[ée]| concern[ée])?|pr[ée]requis"
    r"|(?:approche|m[ée]thodes?|modalit[ée]s?) p[ée]dagogiques?|modalit[ée]s? d[’']?[ée]valuation"
    r"|[ée]valuation|dates?|lieu|tarifs?|co[uû]t|contact|inscription)(?:\s*:)?(?:\s+(?P<value>\S.*))?$",
    re.IGNORECASE,
)


@dataclass
class Field:
    """A labelled field of a programme's presentation, as one passage."""

    label: str
    text: str
    page: int | None


_ITEM = re.compile(r"^[-•▪–]\s+")


def _field_value(lines: list[str]) -> str:
    """Wrapped lines joined; list items (« - … », « • … ») kept one per line."""
    items: list[str] = []
    for line in lines:
        if _ITEM.match(line) or not items:
            items.append(line)
        else:
            items[-1] += " " + line
    return ("\n" if _ITEM.match(items[0]) else "") + "\n".join(items)


def cover_fields(pages: list[tuple[int | None, str]]) -> list[Field]:
    """The labelled fields printed before a programme's first day (« Durée », « 3 jours
    (17h30) »), each as « Durée : 3 jours (17h30) »; [] when fewer than two are found. A field
    runs to the next label, to a day or session heading, or to the end of its page."""
    fields: list[Field] = []
    current: tuple[str, int | None, list[str]] | None = None

    def close() -> None:
        if current and current[2]:
            label, page, lines = current
            value = _field_value(lines)
            # A list starts on the next line (« Objectifs :\n- … »), a value on the same one.
            separator = "" if value.startswith("\n") else " "
            fields.append(Field(label, f"{label} :{separator}{value}", page))

    for page, text in _sheets(pages):
        if current:
            close()
            current = None
        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            # A day, a session, a time, the welcome, or a table's header (« Jour | Horaire »).
            if _is_heading(line) or _WELCOME.match(line) or re.match(r"jour\b", line, re.I):
                close()
                return fields if len(fields) >= 2 else []
            match = _FIELD.match(line)
            if match:
                close()
                label = match.group("label")
                label = label[0].upper() + label[1:]
                current = (
                    label,
                    _page(page),
                    [match.group("value")] if match.group("value") else [],
                )
            elif current:
                current[2].append(line)
    close()
    return fields if len(fields) >= 2 else []


def one_per_person(fields: list[Field]) -> list[Field]:
    """The teachers' field split, one passage per person with her role and organisation
    (« Enseignants principaux : Christophe Noyé, Géographe, …, Cf. Géo. »): a question about
    one of them (« son métier ? ») finds her line rather than the whole list or the sessions
    that name her."""
    found = []
    for item in fields:
        if not _TEACHERS.match(item.label):
            continue
        value = item.text.split(":", 1)[1]
        pieces = [piece.strip(" .\n") for piece in value.split(";")]
        if len(pieces) < 2 or not all(_TITLE_PERSON.match(piece) for piece in pieces):
            continue
        found += [Field(item.label, f"{item.label} : {piece}.", item.page) for piece in pieces]
    return found


@dataclass
class CourseUnit:
    """A recomposed passage: its text, its page, and what it is about."""

    text: str
    page: int | None
    day: int
    session: str = ""
    speakers: list[str] = field(default_factory=list)


def course_units(pages: list[tuple[int | None, str]], acronyms: set[str]) -> list[CourseUnit]:
    """One passage per day, one per session and one per part of a session that has points, or
    [] when the text has no course layout."""
    days = outline(pages, acronyms)
    if not any(day.sessions for day in days):
        return []
    units = []
    last_day = max(day.number for day in days)
    for day in days:
        people = list(dict.fromkeys(p.name for s in day.sessions for p in s.speakers + s.witnesses))
        is_last = day.number == last_day
        units.append(CourseUnit(day_text(day, acronyms, is_last), day.page, day.number, "", people))
        for session in day.sessions:
            names = [p.name for p in session.speakers + session.witnesses]
            texts = [session_text(session, acronyms)]
            # « La partie 3.1, elle couvre quoi ? »: each part with its points.
            texts += filter(None, (part_text(session, part, acronyms) for part in session.parts))
            units.extend(
                CourseUnit(text, session.page, day.number, session.number, names) for text in texts
            )
    return units
