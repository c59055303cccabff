"""service-public.fr « Vos droits et démarches » fiches (DILA format), as XML or as the xml-js
JSON tree published on npm, turned into Markdown-like text plus metadata."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

LICENCE = "Licence Ouverte / Etalab 2.0"
ATTRIBUTION = "Source : service-public.fr, DILA"
NAMESPACES = {"http://purl.org/dc/elements/1.1/": "dc"}

# Navigation and cross-links: not content.
SKIPPED = {
    "FilDAriane",
    "Theme",
    "SousThemePere",
    "DossierPere",
    "VoirAussi",
    "ServiceEnLigne",
    "PourEnSavoirPlus",
    "QuestionReponse",
    "Reference",
    "OuSAdresser",
    "RefActualite",
    "Actualite",
    "Partenaire",
    "Canal",
    "Audience",
    "SurTitre",
    "InformationComplementaire",
    "LienWeb",
    "CommentFaireSi",
    "Montant",
    "Abreviation",
}
BLOCKS = {"Paragraphe", "Titre"}
SECTIONS = {
    "Chapitre": 2,
    "SousChapitre": 3,
    "Situation": 2,
    "Cas": 3,
    "ANoter": 3,
    "Attention": 3,
    "Rappel": 3,
    "Definition": 3,
}


class FicheError(ValueError):
    """The file is not a service-public fiche."""


def _text(node: dict) -> str:
    if node.get("type") == "text":
        return node.get("text", "")
    return "".join(_text(child) for child in node.get("children") or [])


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _contact(node: dict) -> str:
    """A contact point written in the text (« … obtenir de l'aide — Par téléphone : 0 806 000
    113 (…). Ouvert du lundi au vendredi de 9h à 19h. »), as one paragraph; "" for a mere link
    to a directory (an « OuSAdresser » without text of its own)."""
    children = [c for c in node.get("children") or [] if c.get("type") == "element"]
    body = next((c for c in children if c["name"] == "Texte"), None)
    if body is None:
        return ""
    pieces: list[str] = []

    def collect(element: dict) -> None:
        for child in element.get("children") or []:
            if child.get("type") != "element":
                continue
            text = _clean(_text(child))
            if child["name"] == "Titre" and text:
                pieces.append(text + " :")
            elif child["name"] == "Paragraphe" and text:
                pieces.append(text if text.endswith((".", "!", "?", ":")) else text + ".")
            else:
                collect(child)

    collect(body)
    title = next((_clean(_text(c)) for c in children if c["name"] == "Titre"), "")
    return " — ".join(filter(None, [title, " ".join(pieces)]))


def _walk(node: dict, lines: list[str], level: int) -> None:
    for child in node.get("children") or []:
        if child.get("type") != "element":
            continue
        name = child["name"]
        if name == "OuSAdresser" and (contact := _contact(child)):
            lines += [contact, ""]
            continue
        if name in SKIPPED or name.startswith("dc:"):
            continue
        if name in SECTIONS:
            title = next((c for c in child.get("children") or [] if c.get("name") == "Titre"), None)
            heading = _clean(_text(title)) if title is not None else ""
            # The general case, set against a named one (« En Île-de-France »), says nothing of
            # its own: its chapters keep the paths they have in a fiche without variants.
            general = name == "Situation" and heading == "Cas général"
            # A section inside another is one level below it, whatever its kind: a « Chapitre »
            # of the « Situation » « En Île-de-France » keeps that situation in its path.
            depth = level if general or not heading else min(max(SECTIONS[name], level + 1), 6)
            if heading and not general:
                if name == "Definition":
                    heading = f"Définition : {heading}"
                lines += ["", "#" * depth + " " + heading, ""]
            rest = {**child, "children": [c for c in child.get("children") or [] if c is not title]}
            _walk(rest, lines, depth)
        elif name == "Paragraphe":
            text = _clean(_text(child))
            if text:
                lines += [text, ""]
        elif name == "Item":
            text = _clean(_text(child))
            if text:
                lines.append(f"- {text}")
        elif name == "Liste":
            _walk(child, lines, level)
            lines.append("")
        elif name == "Rangée":
            cells = [
                _clean(_text(c)) for c in child.get("children") or [] if c.get("type") == "element"
            ]
            lines.append(" | ".join(cells))
        elif name == "Titre":
            text = _clean(_text(child))
            if text:
                lines += ["", "#" * min(level + 1, 6) + " " + text, ""]
        else:
            _walk(child, lines, level)


def _xml_to_tree(element: ET.Element) -> dict:
    tag = element.tag
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        tag = f"{NAMESPACES.get(uri, 'ns')}:{local}"
    children: list[dict] = []
    if element.text and element.text.strip():
        children.append({"type": "text", "text": element.text})
    for sub in element:
        children.append(_xml_to_tree(sub))
        if sub.tail and sub.tail.strip():
            children.append({"type": "text", "text": sub.tail})
    return {
        "type": "element",
        "name": tag,
        "attributes": dict(element.attrib),
        "children": children,
    }


def read_tree(path: Path) -> dict:
    """The Publication element of a fiche file, .json (xml-js) or .xml."""
    raw = path.read_bytes()
    if path.suffix.lower() == ".json":
        data = json.loads(raw.decode("utf-8"))
        candidates = data.get("children", []) if isinstance(data, dict) else []
    else:
        candidates = [_xml_to_tree(ET.fromstring(raw))]
    for node in candidates:
        if node.get("name") == "Publication":
            return node
    raise FicheError("ce n'est pas une fiche service-public (élément « Publication » absent)")


def fiche_text_and_meta(path: Path) -> tuple[str, dict[str, str]]:
    publication = read_tree(path)
    dc = {
        c["name"][3:]: _clean(_text(c))
        for c in publication.get("children") or []
        if c.get("type") == "element" and c["name"].startswith("dc:")
    }
    attributes = publication.get("attributes") or {}
    title = dc.get("title") or attributes.get("ID") or path.stem
    date_match = re.search(r"\d{4}-\d{2}-\d{2}", dc.get("date", ""))
    references = []
    for child in publication.get("children") or []:
        if child.get("name") == "Reference":
            parts = [
                _clean(_text(c))
                for c in child.get("children") or []
                if c.get("name") in ("Titre", "Complement")
            ]
            references.append(" — ".join(p for p in parts if p))
    lines: list[str] = []
    _walk(publication, lines, 1)
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    description = dc.get("description", "")
    head = f"# {title}\n\n" + (f"{description}\n\n" if description not in body else "")
    text = head + body
    meta = {
        "title": title,
        "kind": "fiche",
        "date": date_match.group(0) if date_match else "",
        "source_url": attributes.get("spUrl", ""),
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "references": " || ".join(r for r in references if r),
    }
    return text, {k: v for k, v in meta.items() if v}


def looks_like_fiche(path: Path) -> bool:
    """Cheap sniff: a DILA Publication in the first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="ignore")
    except OSError:
        return False
    return "Publication" in head and ("spUrl" in head or "dc:" in head or "service-public" in head)
