"""Shared fixtures: every test's state lives in a temporary folder; the real embedding model
and a real Chroma are used, each test index built once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings, get_settings, settings_with
from assistant.model_store import DEFAULT_DEST, ModelError, verify_model_dir

SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"


def shared_dir(name: str) -> Path:
    """A folder of ../shared/corpus, or a skip that says why."""
    path = SHARED_CORPUS / name
    if not path.is_dir():
        pytest.skip(f"{path} absent : corpus partagé non disponible sur cette machine")
    return path


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """No test reads a developer's .env or writes into the project's data/ folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NPNRU_DATA_DIR", str(home / "data"))
    # The pages kept per index revision (map, glossary, revision questions) are computed at
    # their first visit rather than after each of the suite's many small ingestions; the
    # shared index below has them prepared by its ingestion, as in production.
    monkeypatch.setenv("NPNRU_DERIVED_PAGES", "0")
    monkeypatch.chdir(home)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def model_ready() -> None:
    try:
        verify_model_dir(DEFAULT_DEST)
    except ModelError as exc:
        pytest.skip(f"modèle d'embeddings absent ({exc}) : lancez « make setup »")


@pytest.fixture(scope="session")
def programme_pdf(tmp_path_factory) -> Path:
    """The programme PDF rendered by the committed script, in a corpus folder of its own."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_programme_pdf", PROJECT_ROOT / "corpus" / "build_programme_pdf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    corpus = tmp_path_factory.mktemp("corpus")
    out = corpus / "module-9-5-programme.pdf"
    assert module.main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def programme_index(model_ready, programme_pdf, tmp_path_factory) -> Settings:
    """An index of the programme PDF, built once for the whole run."""
    from ingest.index import ingest

    data_dir = tmp_path_factory.mktemp("programme-index")
    settings = settings_with(data_dir=data_dir, corpus_dirs=[programme_pdf.parent])
    report = ingest(settings)
    assert report.added == ["module-9-5-programme.pdf"], report
    return settings


@pytest.fixture(scope="session")
def shared_index(model_ready, programme_pdf, tmp_path_factory) -> Settings:
    """The programme PDF with service-public/, lois/ and cch-2015/ from ../shared/corpus: the
    evaluation corpus, indexed once for the whole run (about five minutes on two cores)."""
    from ingest.index import ingest

    folders = [programme_pdf.parent] + [
        shared_dir(name) for name in ("service-public", "lois", "cch-2015")
    ]
    data_dir = tmp_path_factory.mktemp("shared-index")
    settings = settings_with(data_dir=data_dir, corpus_dirs=folders, derived_pages=True)
    report = ingest(settings)
    assert report.failed == [] and len(report.added) == 1 + 15 + 5 + 28, report
    # The ingestion prepared the pages of its revision.
    assert report.pages_error == "" and len(report.pages) == 3, report
    for name in ("parcours.json", "glossaire.json", "reviser.json"):
        assert (settings.pinned().state_dir / name).is_file(), name
    return settings
