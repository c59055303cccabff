"""Files that attack the parser: each is read in a worker process with time and memory limits
and ends ingested or failed with its reason; the run goes on and the index keeps what it had.
The hostile files are generated here (nothing malicious is copied from outside)."""

import random
import zlib

import pytest

from assistant.config import settings_with
from assistant.store import get_collection
from ingest.index import ingest
from ingest.loaders import MAX_PAGES, LoaderError
from ingest.sandbox import Reader
from tests.conftest import shared_dir


def _bomb_pdf(path, megabytes: int) -> None:
    """A one-page PDF whose content stream inflates to ``megabytes`` of spaces."""
    packer = zlib.compressobj(9)
    block = b" " * (1 << 20)
    data = b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data
    _one_page_pdf(path, stream + b"\nendstream", b"")


def _nested_pdf(path, depth: int) -> None:
    """A one-page PDF whose page dictionary holds arrays nested ``depth`` deep, and whose
    content stream does the same: a parser that recurses on them overflows its stack."""
    nested = b"[" * depth + b"]" * depth
    content = b"BT /F1 12 Tf " + nested + b" TJ ET"
    stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    _one_page_pdf(path, stream, b" /Piege " + nested)


def _one_page_pdf(path, contents: bytes, page_extra: bytes) -> None:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        + page_extra
        + b" >>",
        contents,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


def test_a_parse_that_takes_too_long_is_stopped(programme_pdf):
    with Reader(seconds=0.05) as reader:
        with pytest.raises(LoaderError, match="lecture arrêtée après 0.05 s"):
            reader.load(programme_pdf, "programme.pdf")
        # The worker was replaced: the next file is read normally.
        reader.seconds = 60
        assert reader.load(programme_pdf, "programme.pdf").pages


def test_a_bomb_a_huge_page_count_and_deep_nesting_fail_with_a_reason(tmp_path):
    from pypdf import PdfWriter

    bomb = tmp_path / "bombe.pdf"
    _bomb_pdf(bomb, 1500)
    assert bomb.stat().st_size < 5_000_000
    pages = tmp_path / "pages.pdf"
    writer = PdfWriter()
    for _ in range(MAX_PAGES + 1):
        writer.add_blank_page(width=200, height=200)
    writer.write(pages)
    with Reader(seconds=60, memory_mb=1024) as reader:
        with pytest.raises(LoaderError) as failed:
            reader.load(bomb, "bombe.pdf")
        assert str(failed.value)
        with pytest.raises(LoaderError, match="trop de pages"):
            reader.load(pages, "pages.pdf")
        for depth in (200, 100_000):
            nested = tmp_path / f"imbrication-{depth}.pdf"
            _nested_pdf(nested, depth)
            # Ends read or failed with a reason: never a crash of this process, never a hang.
            try:
                reader.load(nested, nested.name)
            except LoaderError as exc:
                assert str(exc)


def _mutants(data: bytes, name: str, count: int, rng: random.Random) -> dict[str, bytes]:
    found = {}
    for i in range(count):
        cut = rng.randrange(1, len(data))
        found[f"{name}-tronque-{i}"] = data[:cut]
        flipped = bytearray(data)
        for _ in range(rng.randrange(1, 40)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        found[f"{name}-bits-{i}"] = bytes(flipped)
    return found


def test_fuzzed_files_end_ingested_or_failed_and_nothing_is_lost(
    model_ready, programme_pdf, tmp_path
):
    rng = random.Random(95)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bon.md").write_text(
        "# Charte\n\nLa charte de relogement de Valmont prévoit trois propositions.\n",
        encoding="utf-8",
    )
    settings = settings_with(data_dir=tmp_path / "data", corpus_dirs=[corpus])
    assert ingest(settings).added == ["bon.md"]

    mutants = {
        f"{name}.pdf": data
        for name, data in _mutants(programme_pdf.read_bytes(), "programme", 8, rng).items()
    }
    fiches = shared_dir("service-public")
    for fiche in sorted(fiches.glob("*.json"))[:2]:
        for name, data in _mutants(fiche.read_bytes(), fiche.stem, 4, rng).items():
            mutants[f"{name}.json"] = data
    for name, data in mutants.items():
        (corpus / name).write_bytes(data)

    report = ingest(settings)
    done = set(report.added) | set(report.unchanged)
    failed = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in report.failed}
    assert set(mutants) <= done | set(failed), set(mutants) - done - set(failed)
    assert all(reason for reason in failed.values())
    assert not [r for r in failed.values() if r.startswith("erreur inattendue")], failed
    assert "bon.md" in done
    ids = {m["doc_id"] for m in get_collection(settings).get()["metadatas"]}
    assert "bon.md" in ids and ids <= done


def test_a_first_ingestion_where_every_file_fails_leaves_a_valid_empty_index(tmp_path, capsys):
    # Nothing indexable: the run says why for each file and ends; the empty index is
    # searchable (BM25 cannot be built over nothing, so its index holds a placeholder).
    from assistant.cli import main as cli_main
    from assistant.retrieval import search

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "vide.txt").write_bytes(b"")
    (corpus / "blanc.md").write_text("   \n\n  ", encoding="utf-8")
    data = tmp_path / "data"
    assert cli_main(["--data-dir", str(data), "ingest", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert "vide.txt" in err and "blanc.md" in err
    settings = settings_with(data_dir=data, corpus_dirs=[corpus])
    assert search(settings, "Qui préside la commission ?", 3) == []
