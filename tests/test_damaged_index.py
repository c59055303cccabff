"""A damaged index (Chroma store, manifest, lexical index, the pointer to the published
revision) gives a French message naming what is damaged and « npnru ingest --rebuild », which
builds a new index beside the old one; a disk that fills up during an ingestion leaves the
published index intact and says so."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from assistant import revision
from assistant.cli import main as cli_main
from assistant.config import get_settings
from tests.test_app import _app

QUESTION = "Combien de jours dure la formation ?"


def _chroma_db(folder: Path) -> Path:
    return folder / "chroma" / "chroma.sqlite3"


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(5000))


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


DAMAGES = {
    "chroma-garbage": ("la base Chroma", lambda r: _garbage(_chroma_db(r))),
    "chroma-truncated": ("la base Chroma", lambda r: _truncate(_chroma_db(r))),
    "manifest-garbage": ("le registre des documents", lambda r: _garbage(r / "manifest.sqlite")),
    "lexical-garbage": (
        "l'index lexical",
        lambda r: (r / "lexical" / "params.index.json").write_text("{pas du json"),
    ),
    "lexical-missing": ("l'index lexical", lambda r: (r / "lexical" / "ids.json").unlink()),
    "pointer": (
        "la révision publiée",
        lambda r: (r.parent / "current").write_text("r999999-disparue"),
    ),
}


@pytest.fixture
def copied_index(programme_index, tmp_path, monkeypatch):
    """A private copy of the programme's index, to damage (the CLI reads its corpus folder
    from the environment, as a user's would)."""
    data_dir = tmp_path / "data"
    shutil.copytree(programme_index.data_dir, data_dir, ignore=shutil.ignore_patterns("*.lock"))
    monkeypatch.setenv("NPNRU_CORPUS_DIRS", str(programme_index.corpus_dirs[0]))
    get_settings.cache_clear()
    return programme_index.model_copy(update={"data_dir": data_dir})


def _cli(settings, *args: str) -> int:
    return cli_main(["--data-dir", str(settings.data_dir), *args])


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damage_is_named_and_rebuild_repairs_it(copied_index, damage, capsys):
    what, harm = DAMAGES[damage]
    published = revision.published(copied_index.data_dir)
    harm(published)
    # Searching, asking, the statistics or an ingestion: the first that reads the damaged part
    # says what it is and how to repair it (the manifest is read by stats and ingest only).
    outcomes = []
    for command in (["ask", QUESTION], ["stats"], ["ingest"]):
        code = _cli(copied_index, *command)
        err = capsys.readouterr().err
        outcomes.append(code)
        if code:
            assert code == 1 and "Traceback" not in err
            assert f"Index endommagé : {what}" in err and "npnru ingest --rebuild" in err, err
    assert 1 in outcomes
    assert _cli(copied_index, "ingest", "--rebuild", "--json") == 0
    capsys.readouterr()
    rebuilt = revision.published(copied_index.data_dir)
    assert rebuilt != published and not revision.work_dir(copied_index.data_dir).exists()
    assert _cli(copied_index, "ask", QUESTION) == 0
    assert "3 jours" in capsys.readouterr().out


def test_app_names_the_damage(copied_index, monkeypatch):
    _garbage(_chroma_db(revision.published(copied_index.data_dir)))
    at = _app(monkeypatch, copied_index)
    assert any(
        "Index endommagé : la base Chroma" in e.value and "--rebuild" in e.value for e in at.error
    )


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs, where the test may mount one (root), else skipped with the reason."""
    mount = tmp_path / "petit-disque"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"pas de tmpfs à remplir ici ({made.stderr.strip() or 'mount refusé'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_leaves_the_published_index_intact(
    copied_index, small_disk, tmp_path, capsys, monkeypatch
):
    data_dir = small_disk / "data"
    shutil.copytree(copied_index.data_dir, data_dir)
    corpus = tmp_path / "corpus-plus"
    shutil.copytree(copied_index.corpus_dirs[0], corpus)
    # A new document big enough to need more room than is left.
    (corpus / "charte.md").write_text(
        "\n\n".join(
            f"## Article {n}\n\n" + f"Le bailleur {uuid.uuid4().hex} propose un logement. " * 20
            for n in range(60)
        ),
        encoding="utf-8",
    )
    settings = copied_index.model_copy(update={"data_dir": data_dir, "corpus_dirs": [corpus]})
    monkeypatch.setenv("NPNRU_CORPUS_DIRS", str(corpus))
    get_settings.cache_clear()
    before = revision.published(data_dir)
    files_before = sorted(p.name for p in before.rglob("*"))
    # The copy of the index fits; the new document does not.
    filler = small_disk / "remplissage"
    free = shutil.disk_usage(small_disk).free
    size_of_index = sum(p.stat().st_size for p in before.rglob("*") if p.is_file())
    filler.write_bytes(b"\0" * max(0, free - size_of_index - 300_000))

    assert _cli(settings, "ingest") == 1
    err = capsys.readouterr().err
    assert "Disque plein pendant l'indexation" in err and "est intact" in err, err
    assert "Traceback" not in err
    assert revision.published(data_dir) == before
    assert sorted(p.name for p in before.rglob("*")) == files_before
    assert not revision.work_dir(data_dir).exists()
    assert _cli(settings, "ask", QUESTION) == 0
    assert "3 jours" in capsys.readouterr().out

    # Room again: the next ingestion (the command run again) adds the document.
    filler.unlink()
    again = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), "ingest", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert '"added": 1' in again.stdout
