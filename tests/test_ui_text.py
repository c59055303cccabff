"""How passages are turned into HTML for the app: text stays text, the cited spans are marked,
and the fiches' tables are real tables."""

import html
import re

from assistant.config import PROJECT_ROOT
from ingest.service_public import fiche_text_and_meta
from ui.common import _text_html, highlighted

FICHE = PROJECT_ROOT / "corpus" / "documents" / "service-public" / "F10007.json"


def _visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_a_fiche_table_is_a_table_with_its_marks():
    text, _ = fiche_text_and_meta(FICHE)
    rows = [line for line in text.split("\n") if " | " in line]
    assert len(rows) >= 3, "la fiche F10007 contient des tableaux"
    cell = rows[1].split(" | ")[-1]
    start = text.index(rows[1]) + len(rows[1]) - len(cell)
    markup = highlighted(text, [(start, start + len(cell))])
    tables = re.findall(r"<table class='tableau'>.*?</table>", markup)
    assert tables and "<th>" in tables[0]
    # Every row of a table has as many cells as its header, and no separator is left.
    for table in tables:
        widths = {row.count("<td>") or row.count("<th>") for row in table.split("<tr>")[1:]}
        assert len(widths) == 1
        assert " | " not in _visible(table)
    assert f"<td><mark>{_text_html(cell)}</mark></td>" in markup
    # All the words are still there.
    words = [w for w in _visible(markup).split() if w != "|"]
    assert words == [w for w in text.split() if w != "|"]


def test_markup_in_a_table_stays_text():
    text = "Plafonds\nMénage | <b>PLAI</b> | ![x](http://127.0.0.1:9/x.png)\n1 | 2 | 3"
    markup = highlighted(text, [])
    assert "<b>" not in markup and "](" not in markup
    assert "<table class='tableau'><tr><th>Ménage</th>" in markup
