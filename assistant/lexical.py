"""The lexical leg: BM25 over chunks with French analysis, and the glossary that expands a
question's acronyms (« CALEOL ») into their long forms and back.

The index is built by the ingestion whenever the collection changes, saved beside Chroma, and
loaded once per process for each index revision (assistant/revision.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import tomllib
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s

from assistant.config import Settings
from assistant.revision import DamagedIndexError
from assistant.text import analyse, fold, mentions

GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "glossaire.toml"
LEXICAL_DIR = "lexical"
# Bump when analyse() changes: a saved index of another version is rebuilt on first use.
ANALYSER_VERSION = "4"


@lru_cache(maxsize=1)
def glossary() -> dict[str, list[str]]:
    data = tomllib.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return {term: list(forms) for term, forms in data["termes"].items()}


def _acronym(term: str) -> bool:
    return term.isupper()


def _acronym_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")


def uses_term(term: str, text: str, folded: str) -> bool:
    """Whether ``text`` (``folded``: the same, folded) uses a glossary term itself: an acronym
    as written (« PLUS » is not « plus »), another term accents and case ignored."""
    if _acronym(term):
        return bool(_acronym_pattern(term).search(text))
    return bool(re.search(rf"\b{re.escape(fold(term))}\b", folded))


def names_term(term: str, text: str) -> bool:
    """Whether ``text`` names a glossary term: the term itself or one of its long forms."""
    return uses_term(term, text, fold(text)) or mentions(glossary()[term], text)


def _glossary_matches(query: str) -> tuple[list[str], list[str]]:
    """(long forms of the terms ``query`` uses, terms whose long form ``query`` uses).
    Acronyms match case-sensitively (« PLUS » is not « plus »)."""
    folded = fold(query)
    forms_found: list[str] = []
    terms_found: list[str] = []
    for term, forms in glossary().items():
        if uses_term(term, query, folded):
            forms_found.extend(forms)
        elif any(fold(form) in folded for form in forms):
            terms_found.append(term)
    return forms_found, terms_found


def acronyms_in(text: str) -> list[str]:
    """The glossary's acronyms that ``text`` uses, as written (« QPV », « CALEOL »), in the
    order they come: what a trainee may not know, and the glossary explains."""
    found = []
    for term in glossary():
        if _acronym(term) and (match := _acronym_pattern(term).search(text)):
            found.append((match.start(), term))
    return [term for _, term in sorted(found)]


def expand_query(query: str) -> str:
    """``query`` followed by the long forms of the acronyms it uses, and by the acronyms of
    the long forms it uses (for the lexical leg)."""
    forms, terms = _glossary_matches(query)
    return " ".join([query, *forms, *terms])


# The analysed words of each text indexed, saved with the index and keyed by a digest of the
# text: the next rebuild analyses only the texts that changed (the analysis is most of a
# rebuild's time: 4.3 of 4.7 s for 4,428 passages).
TOKENS_FILE = "tokens.json"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass
class LexicalIndex:
    ids: list[str]
    retriever: bm25s.BM25
    # Digest of each text → its analysed words (only when just built: not loaded for search).
    tokens: dict[str, str] | None = None

    @classmethod
    def build(
        cls, ids: list[str], texts: list[str], known: dict[str, str] | None = None
    ) -> LexicalIndex:
        """The index of ``texts``; ``known`` gives the analysed words of texts already seen."""
        known = known or {}
        tokens: dict[str, str] = {}
        corpus = []
        for text in texts:
            key = _key(text)
            words = known[key].split(" ") if key in known else analyse(text)
            tokens[key] = " ".join(words)
            corpus.append([w for w in words if w] or [""])
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        # bm25s cannot index nothing: an empty index (every file failed, every document
        # deleted) holds one placeholder that no id points to, and so scores nothing.
        retriever.index(corpus or [["\x00"]], show_progress=False)
        return cls(list(ids), retriever, tokens)

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.retriever.save(str(tmp))
        (tmp / "version").write_text(ANALYSER_VERSION, encoding="utf-8")
        (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        if self.tokens is not None:
            (tmp / TOKENS_FILE).write_text(json.dumps(self.tokens), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        return cls(ids, bm25s.BM25.load(str(folder)))

    def scores(self, query: str) -> dict[str, float]:
        """The BM25 score of every chunk for ``query`` (positive ones only)."""
        terms = analyse(expand_query(query))
        if not terms or not self.ids:
            return {}
        known = [t for t in terms if t in self.retriever.vocab_dict]
        if not known:
            return {}
        values = self.retriever.get_scores(known)
        return {self.ids[int(i)]: float(values[i]) for i in values.nonzero()[0]}

    def document_share(self, term: str) -> float:
        """The share of chunks that contain the analysed ``term`` (0.0 for an unknown term)."""
        token = self.retriever.vocab_dict.get(term)
        if token is None or not self.ids:
            return 0.0
        indptr = self.retriever.scores["indptr"]
        return float(indptr[token + 1] - indptr[token]) / len(self.ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the ``k`` best chunks, best first; only positive scores."""
        return top_scores(self.scores(query), k)


def top_scores(scores: dict[str, float], k: int) -> list[tuple[str, float]]:
    """The ``k`` best (chunk_id, score) pairs, best first; equal scores keep the order of
    ``scores``, which is the index's: documents in turn, each in reading order (``rebuild``)."""
    return sorted(scores.items(), key=lambda item: -item[1])[:k]


def lexical_text(text: str, meta: dict) -> str:
    """What BM25 sees: the passage, its section path and its article number."""
    return " ".join(
        filter(
            None, [meta.get("title", ""), meta.get("breadcrumb", ""), meta.get("article", ""), text]
        )
    )


def rebuild(settings: Settings, collection) -> int:
    """Rebuild the lexical index from the collection; return its number of chunks."""
    got = collection.get(include=["documents", "metadatas"])
    # A record another host is still writing (document or metadata None) is left out.
    whole = sorted(
        (
            (i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if t is not None and m is not None
        ),
        key=lambda item: (item[2].get("doc_id", ""), item[2].get("position", 0), item[0]),
    )
    folder = settings.state_dir / LEXICAL_DIR
    index = LexicalIndex.build(
        [i for i, _, _ in whole], [lexical_text(t, m) for _, t, m in whole], _saved_tokens(folder)
    )
    index.save(folder)
    return len(index.ids)


def _saved_tokens(folder: Path) -> dict[str, str]:
    """The analysed words saved by the last rebuild, when made by this version of the
    analysis; nothing otherwise (a missing or unreadable file only costs time)."""
    try:
        if (folder / "version").read_text(encoding="utf-8") != ANALYSER_VERSION:
            return {}
        saved = json.loads((folder / TOKENS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


_cache: dict[str, tuple[object, LexicalIndex]] = {}
MAX_CACHED = 4
_lock = threading.Lock()


# In server mode, the collection's metadata names its revision: each replica rebuilds its own
# lexical index from the server's collection when it changes.
REVISION_KEY = "npnru_revision"


def stamp_shared(settings: Settings, collection) -> str:
    """After an ingestion in server mode: a new revision for the collection, so that every
    replica rebuilds its lexical index at its next question; this host's is already new."""
    stamp = uuid.uuid4().hex
    collection.modify(metadata={REVISION_KEY: stamp})
    folder = settings.state_dir / LEXICAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "revision").write_text(stamp, encoding="utf-8")
    return stamp


def _shared_lexical(settings: Settings, collection=None) -> LexicalIndex | None:
    if collection is None:
        from assistant.store import get_collection

        collection = get_collection(settings)
    stamp = (collection.metadata or {}).get(REVISION_KEY, "")
    folder = settings.state_dir / LEXICAL_DIR
    key = str(folder.resolve())
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        saved = folder / "revision"
        fresh = (
            (folder / "ids.json").is_file()
            and saved.is_file()
            and saved.read_text(encoding="utf-8") == stamp
            and (folder / "version").is_file()
            and (folder / "version").read_text(encoding="utf-8") == ANALYSER_VERSION
        )
        if not fresh:
            if collection.count() == 0:
                return None
            rebuild(settings, collection)
            saved.write_text(stamp, encoding="utf-8")
        index = LexicalIndex.load(folder)
        _cache.pop(key, None)
        _cache[key] = (stamp, index)
        return index


def get_lexical(settings: Settings, collection=None) -> LexicalIndex | None:
    """The saved lexical index, loaded once per process and reloaded only when rewritten (in
    server mode: rebuilt from the server's collection when its revision changed)."""
    if settings.chroma_mode == "http":
        return _shared_lexical(settings, collection)
    folder = settings.state_dir / LEXICAL_DIR
    marker = folder / "ids.json"
    if not marker.is_file():
        if (folder / "params.index.json").is_file():
            raise DamagedIndexError("l'index lexical", folder, "ids.json manque")
        return None
    version = folder / "version"
    if not version.is_file() or version.read_text(encoding="utf-8") != ANALYSER_VERSION:
        from assistant.store import get_collection

        with _lock:
            rebuild(settings, get_collection(settings))
    stamp = marker.stat().st_mtime
    key = str(folder.resolve())
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != stamp:
            try:
                cached = (stamp, LexicalIndex.load(folder))
            except Exception as exc:  # bm25s and json raise their own errors on bad files
                raise DamagedIndexError("l'index lexical", folder, exc) from exc
            _cache.pop(key, None)
            _cache[key] = cached
            # One index per revision of an index folder: the older ones are not read again.
            while len(_cache) > MAX_CACHED:
                _cache.pop(next(iter(_cache)))
    return cached[1]
