"""Check the question bank against the documents it is written from.

For every line of the bank's files: the fields are well formed, every expected document exists,
every expected article has its heading in that document, every expected page exists, and every
answer keyword occurs in one of the expected documents (in the article or on the page named,
case, accents and spacing ignored). The bank's size and make-up are checked against the
answerability issue's minimums, and the sha256 of the frozen test part against the README.

Usage: python tests/eval/check_bank.py [--shared ../shared/corpus]
Exit code 0 when the bank is sound, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation import KINDS, normalise_answer  # noqa: E402

BANK = ("tune.jsonl", "test.jsonl")
OTHERS = ("holdout.jsonl", "holdout2.jsonl")
PROGRAMME = ROOT / "corpus" / "src" / "module-9-5-programme.txt"
PROGRAMME_NAMES = {"module-9-5-programme.pdf", "module-9-5-programme.txt"}
FAMILIES = ("service-public", "lois", "cch-2015")
MINIMUMS = {"questions": 300, "course": 60, "unanswerable": 90, "follow-ups": 60}


def fiche_text(path: Path) -> str:
    """The readable text of a service-public fiche (the ``text`` nodes of its JSON tree)."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                out.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(path.read_text(encoding="utf-8")))
    return " ".join(out)


def programme_pages() -> list[str]:
    """The programme's pages, split as corpus/build_programme_pdf.py splits them."""
    text = PROGRAMME.read_text(encoding="utf-8")
    return [page for page in re.split(r"\n{4,}", text) if page.strip()]


def article_sections(text: str) -> dict[str, str]:
    """Article id → its text, from the Markdown headings (« #### Article 9-2 »)."""
    sections: dict[str, str] = {}
    matches = list(re.finditer(r"^#+\s+Article\s+(\S+)\s*$", text, re.MULTILINE))
    for match, after in zip(matches, [*matches[1:], None], strict=True):
        end = after.start() if after else len(text)
        sections[match.group(1)] = text[match.end() : end]
    return sections


class Corpus:
    def __init__(self, shared: Path) -> None:
        self.shared = shared

    @cache  # noqa: B019 — one corpus per run
    def find(self, name: str) -> Path | None:
        for family in FAMILIES:
            path = self.shared / family / name
            if path.is_file():
                return path
        return None

    @cache  # noqa: B019
    def text(self, name: str) -> str:
        path = self.find(name)
        return fiche_text(path) if path.suffix == ".json" else path.read_text(encoding="utf-8")

    def passage(self, entry: dict) -> tuple[str | None, str]:
        """(the text an expected entry points to, or None; a problem, or "")."""
        name = Path(entry["doc"]).name
        if name in PROGRAMME_NAMES:
            pages = programme_pages()
            if "page" in entry:
                page = int(entry["page"])
                if not 1 <= page <= len(pages):
                    return None, f"page {page} absente du programme ({len(pages)} pages)"
                return pages[page - 1], ""
            return "\n".join(pages), ""
        if self.find(name) is None:
            return None, f"document introuvable : {name}"
        text = self.text(name)
        if "article" in entry:
            sections = article_sections(text)
            if str(entry["article"]) not in sections:
                return None, f"article {entry['article']} absent de {name}"
            return sections[str(entry["article"])], ""
        return text, ""


def check_line(data: dict, corpus: Corpus) -> list[str]:
    problems = []
    for key in ("id", "question", "answerable", "kind", "expected"):
        if key not in data:
            problems.append(f"champ « {key} » manquant")
    if problems:
        return problems
    if data["kind"] not in KINDS:
        problems.append(f"kind inconnu : {data['kind']}")
    history = data.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) and h for h in history):
        problems.append("history doit être une liste de questions")
    keywords = data.get("answer_keywords", [])
    if not data["answerable"]:
        if data["expected"] or keywords:
            problems.append("une question sans réponse n'a ni expected ni answer_keywords")
        return problems
    if not data["expected"]:
        problems.append("question avec réponse sans expected")
    texts = []
    for entry in data["expected"]:
        text, problem = corpus.passage(entry)
        if problem:
            problems.append(problem)
        elif text is not None:
            texts.append(normalise_answer(text))
    for keyword in keywords:
        if texts and not any(normalise_answer(keyword) in text for text in texts):
            problems.append(f"mot-clé absent des documents attendus : « {keyword} »")
    return problems


def readme_hash() -> str | None:
    match = re.search(r"sha256 de `tests/eval/test.jsonl` : `([0-9a-f]{64})`", _readme())
    return match.group(1) if match else None


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def check(shared: Path) -> tuple[list[str], Counter]:
    corpus = Corpus(shared)
    problems: list[str] = []
    counts: Counter = Counter()
    seen_ids: set[str] = set()
    seen_questions: set[tuple] = set()
    for name in BANK + OTHERS:
        path = HERE / name
        if not path.is_file():
            problems.append(f"{name} : fichier absent")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{name}:{number}"
            try:
                data = json.loads(line)
            except ValueError as exc:
                problems.append(f"{where} : JSON illisible ({exc})")
                continue
            for problem in check_line(data, corpus):
                problems.append(f"{where} ({data.get('id')}) : {problem}")
            if name not in BANK:
                continue
            key = (data.get("question"), tuple(data.get("history", [])))
            if data.get("id") in seen_ids:
                problems.append(f"{where} : identifiant en double {data.get('id')}")
            if key in seen_questions:
                problems.append(f"{where} : question en double")
            seen_ids.add(data.get("id"))
            seen_questions.add(key)
            counts["questions"] += 1
            counts[f"{name}"] += 1
            counts["course"] += data.get("kind") == "course"
            counts["unanswerable"] += not data.get("answerable", True)
            counts["follow-ups"] += bool(data.get("history"))
    for what, minimum in MINIMUMS.items():
        if counts[what] < minimum:
            problems.append(f"banque : {counts[what]} {what}, il en faut au moins {minimum}")
    test = HERE / "test.jsonl"
    if test.is_file():
        digest = hashlib.sha256(test.read_bytes()).hexdigest()
        if readme_hash() != digest:
            problems.append(
                f"le sha256 de test.jsonl ({digest}) n'est pas celui que donne le README"
            )
    return problems, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"{args.shared} absent : corpus partagé indisponible, vérification impossible")
        return 1
    problems, counts = check(args.shared)
    print(" · ".join(f"{key} {value}" for key, value in sorted(counts.items())))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
