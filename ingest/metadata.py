"""Document metadata: from a sidecar ``sources.toml`` or Markdown front matter, else inferred.

``sources.toml`` sits in a corpus folder or in its parent; each table is keyed by a doc_id or a
glob over doc_ids:

    ["lois/loi-2014-173*.md"]
    title = "Loi n° 2014-173 du 21 février 2014 (Lamy)"
    kind = "loi"
    date = "2015-01-01"
    source_url = "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000028636804"
    licence = "Licence Ouverte / Etalab 2.0"
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from ingest.loaders import METADATA_FIELDS
from ingest.structure import parse_french_date

KINDS = ("cours", "loi", "code", "décret", "arrêté", "fiche", "guide", "autre")
SOURCES_FILE = "sources.toml"


class SourcesError(ValueError):
    """sources.toml cannot be read (French message naming the file)."""


def load_sources(root: Path) -> dict[str, dict[str, str]]:
    """Entries of the sources.toml found in ``root`` or its parent (first found wins)."""
    for candidate in (root / SOURCES_FILE, root.parent / SOURCES_FILE):
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
                raise SourcesError(f"{candidate} illisible : {exc}") from exc
            return {
                key: {k: str(v) for k, v in value.items() if k in METADATA_FIELDS}
                for key, value in data.items()
                if isinstance(value, dict)
            }
    return {}


def sidecar_for(doc_id: str, sources: dict[str, dict[str, str]]) -> dict[str, str]:
    if doc_id in sources:
        return sources[doc_id]
    for pattern, values in sources.items():
        if fnmatch.fnmatch(doc_id, pattern):
            return values
    return {}


def infer_kind(doc_id: str, title: str, fmt: str) -> str:
    if fmt == "fiche":
        return "fiche"
    name = f"{Path(doc_id).name} {title}".lower()
    checks = [
        (r"\bcode\b|^l__|\bcch\b", "code"),
        (r"\bd[ée]cret", "décret"),
        (r"\barr[êe]t[ée]", "arrêté"),
        (r"\bloi\b|^loi-", "loi"),
        (r"\bguide\b", "guide"),
        (r"\bprogramme\b|\bmodule\b|\bcours\b|\bformation\b|\bsupport\b", "cours"),
    ]
    for pattern, kind in checks:
        if re.search(pattern, name):
            return kind
    return "autre"


def infer_date(text: str) -> str | None:
    """A consolidation or version date stated near the top of a text."""
    head = text[:4000]
    for line in head.splitlines():
        lowered = line.lower()
        if any(word in lowered for word in ("consolid", "version en vigueur", "mise à jour")):
            exact = parse_french_date(line) or (re.search(r"\d{4}-\d{2}-\d{2}", line) or [None])[0]
            if exact:
                return exact
            years = re.findall(r"\b(19\d{2}|20\d{2})\b", line)
            if years:
                return max(years)
    return None


def document_metadata(
    doc_id: str,
    title: str,
    fmt: str,
    text: str,
    loader_meta: dict,
    sources: dict[str, dict[str, str]],
) -> dict[str, str]:
    """Sidecar first, then what the loader found (front matter included), then inference."""
    meta = {"title": title, **loader_meta}
    meta.update(sidecar_for(doc_id, sources))
    if meta.get("kind") not in KINDS:
        meta["kind"] = infer_kind(doc_id, meta["title"], fmt)
    if not meta.get("date"):
        meta["date"] = infer_date(text) or ""
    return {k: v for k, v in meta.items() if v}
