"""Server mode against the real services, started here on loopback: one `chroma run`, one
PostgreSQL, two replicas (two processes, two data folders). Every replica serves the same
state: the same search results (lexical index rebuilt from the server's collection), the same
statistics and run log, the same feedback; a reader keeps answering while another process
ingests."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from assistant import feedback
from assistant.config import PROJECT_ROOT, settings_with
from assistant.llm_server import free_port
from assistant.store import StoreError, get_collection
from ingest.index import ingest
from tests.services import chroma_server, new_database, postgres
from tests.test_shared_index import concurrent_ingestion


@pytest.fixture(scope="module")
def services():
    with chroma_server() as (host, port), postgres() as url:
        yield {
            "NPNRU_CHROMA_MODE": "http",
            "NPNRU_CHROMA_HOST": host,
            "NPNRU_CHROMA_PORT": str(port),
            "NPNRU_DATABASE_URL": url,
        }


def _deployment(services, name: str) -> dict[str, str]:
    """One deployment: a collection on the Chroma server and a database of its own."""
    return {
        **services,
        "NPNRU_COLLECTION": name,
        "NPNRU_DATABASE_URL": new_database(services["NPNRU_DATABASE_URL"], name),
    }


def _settings(services, data_dir):
    return settings_with(
        data_dir=data_dir,
        chroma_mode="http",
        chroma_host=services["NPNRU_CHROMA_HOST"],
        chroma_port=int(services["NPNRU_CHROMA_PORT"]),
        database_url=services["NPNRU_DATABASE_URL"],
        collection=services["NPNRU_COLLECTION"],
    )


def _cli(env: dict[str, str], data_dir, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _npnru(services, data_dir, *args) -> str:
    done = _cli(services, data_dir, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_replicas_serve_the_same_state(model_ready, programme_pdf, services, tmp_path):
    services = _deployment(services, "replicas")
    one, two = tmp_path / "replique-1", tmp_path / "replique-2"
    report = json.loads(_npnru(services, one, "ingest", "--json", str(programme_pdf.parent)))
    assert report["added"] == 1 and report["revision"]
    for query in ("Qui anime le jour 2 ?", "Combien de jours dure la formation ?"):
        first = json.loads(_npnru(services, one, "search", "--json", query))
        second = json.loads(_npnru(services, two, "search", "--json", query))
        assert first["results"] and first == second
    # The second replica built its lexical index from the server's collection.
    assert (two / "lexical" / "ids.json").is_file()
    stats = [json.loads(_npnru(services, folder, "stats", "--json")) for folder in (one, two)]
    for found in stats:
        found.pop("data_dir")
    assert stats[0] == stats[1] and stats[0]["documents"] == 1 and stats[0]["runs"]

    # Feedback given through one replica is listed by the other.
    number = feedback.record(
        _settings(services, one),
        rating=1,
        question="Qui anime le jour 2 ?",
        answer="Christophe Noyé",
        citations=[],
        chunk_ids=[],
    )
    assert feedback.entries(_settings(services, two))[0]["id"] == number


def test_a_reader_keeps_answering_while_another_host_ingests(model_ready, services, tmp_path):
    services = _deployment(services, "concurrence")
    settings = _settings(services, tmp_path / "lecteur")
    concurrent_ingestion(settings, tmp_path / "corpus", services)


def test_an_unreachable_service_is_named_and_the_next_call_recovers(model_ready, tmp_path):
    port = free_port()
    dead = {
        "NPNRU_CHROMA_MODE": "http",
        "NPNRU_CHROMA_HOST": "127.0.0.1",
        "NPNRU_CHROMA_PORT": str(port),
    }
    for args, where, what in [
        (("search", "--json", "CALEOL"), f"127.0.0.1:{port}", "chroma run"),
        (("stats",), "PostgreSQL sur 127.0.0.1:9", "NPNRU_DATABASE_URL"),
    ]:
        env = {**dead, "NPNRU_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:9/b"}
        if args[0] == "search":
            env["NPNRU_DATABASE_URL"] = ""
        done = _cli(env, tmp_path, *args)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert where in done.stderr and what in done.stderr, done.stderr

    # In a running process, the next call after the server comes back simply works.
    settings = settings_with(
        data_dir=tmp_path / "app", chroma_mode="http", chroma_host="127.0.0.1", chroma_port=port
    )
    with pytest.raises(StoreError, match=f"injoignable sur 127.0.0.1:{port}"):
        get_collection(settings)
    with chroma_server(port):
        assert get_collection(settings).count() == 0


def test_the_chroma_server_is_backed_up_by_copying_its_folder(model_ready, tmp_path):
    """The guide's backup (docs/deploiement.md): stop the server, copy its folder, start a
    server on the copy: the same passages are there."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cil.md").write_text(
        "# La CIL\n\nLa conférence intercommunale du logement fixe les orientations.\n",
        encoding="utf-8",
    )
    folder, copy = tmp_path / "chroma", tmp_path / "copie"
    with chroma_server(path=folder) as (host, port):
        settings = settings_with(
            data_dir=tmp_path / "data",
            corpus_dirs=[corpus],
            chroma_mode="http",
            chroma_host=host,
            chroma_port=port,
        )
        assert ingest(settings).added == ["cil.md"]
        ids = sorted(get_collection(settings).get(include=[])["ids"])
    shutil.copytree(folder, copy)
    with chroma_server(path=copy) as (host, port):
        restored = settings.model_copy(update={"chroma_host": host, "chroma_port": port})
        assert sorted(get_collection(restored).get(include=[])["ids"]) == ids
