"""The records and the feedback in a real PostgreSQL (started by the test) and in SQLite: one
schema for both; an unreachable database is named in a French message."""

import subprocess

import pytest

from assistant import feedback
from assistant.config import settings_with
from assistant.database import DatabaseError, engine
from ingest.index import SHARED_LOCK_KEY, IngestLockedError, shared_ingestion_lock
from ingest.manifest import DocumentRecord, Manifest, now
from tests.services import new_database, pg_bin, postgres


@pytest.fixture(scope="module")
def database_url():
    with postgres() as url:
        yield url


def _record(doc_id: str) -> DocumentRecord:
    return DocumentRecord(
        doc_id, "/corpus", f"/corpus/{doc_id}", "h1", "done", ["a", "b"], {}, now()
    )


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_manifest_and_feedback_in_both_databases(where, database_url, tmp_path):
    url = database_url if where == "postgresql" else ""
    manifest = Manifest(url or tmp_path)
    run = manifest.start_run(["/corpus"])
    manifest.put(_record("cil.md"))
    changed = _record("cil.md")
    changed.hash, changed.meta = "h2", {"title": "La CIL — « conférence »"}
    manifest.put(changed)
    manifest.put(_record("caleol.md"))
    manifest.remove("caleol.md")
    manifest.finish_run(run, "réussie", {"added": 1})
    assert {d: r.hash for d, r in manifest.documents().items()} == {"cil.md": "h2"}
    assert manifest.documents()["cil.md"].meta["title"] == "La CIL — « conférence »"
    assert [(r["status"], r["report"]) for r in manifest.recent_runs()][:1] == [
        ("réussie", {"added": 1})
    ]
    manifest.close()

    settings = settings_with(data_dir=tmp_path / "data", database_url=url)
    number = feedback.record(
        settings,
        rating=-1,
        question="Qui préside la CALEOL ?",
        answer="…",
        citations=[{"doc_id": "cil.md"}],
        chunk_ids=["a"],
        reason="hors sujet",
    )
    listed = feedback.entries(settings)
    assert listed[0]["id"] == number and listed[0]["citations"] == [{"doc_id": "cil.md"}]
    assert "Qui préside la CALEOL ?" in feedback.to_csv(settings)


def test_an_unreachable_database_is_named():
    with pytest.raises(DatabaseError, match=r"PostgreSQL sur 127\.0\.0\.1:9 .*Démarrez-la"):
        engine("postgresql+psycopg://npnru@127.0.0.1:9/npnru")


def test_one_ingestion_at_a_time_across_hosts(database_url, tmp_path):
    from sqlalchemy import text

    settings = settings_with(
        data_dir=tmp_path / "data", chroma_mode="http", database_url=database_url
    )
    with engine(database_url).connect() as other_host:
        other_host.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SHARED_LOCK_KEY})
        with pytest.raises(IngestLockedError, match="autre hôte"):
            with shared_ingestion_lock(settings):
                pass
        other_host.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SHARED_LOCK_KEY})
    with shared_ingestion_lock(settings):
        pass


def test_the_database_is_backed_up_and_restored_with_pg_dump(database_url, tmp_path):
    """The guide's backup commands (docs/deploiement.md): pg_dump -Fc, then pg_restore."""
    source = new_database(database_url, "sauvegarde")
    settings = settings_with(data_dir=tmp_path / "data", database_url=source)
    feedback.record(
        settings, rating=1, question="Qui anime le jour 2 ?", answer="…", citations=[], chunk_ids=[]
    )
    binaries = pg_bin()
    port = database_url.rsplit(":", 1)[1].split("/")[0]
    dump = tmp_path / "npnru.dump"
    with dump.open("wb") as out:
        subprocess.run(
            [str(binaries / "pg_dump"), "-Fc", "-h", "127.0.0.1", "-p", port, "-U", "postgres"]
            + ["sauvegarde"],
            check=True,
            stdout=out,
        )
    restored = new_database(database_url, "restauree")
    subprocess.run(
        [str(binaries / "pg_restore"), "-h", "127.0.0.1", "-p", port, "-U", "postgres"]
        + ["-d", "restauree", str(dump)],
        check=True,
    )
    copy = settings_with(data_dir=tmp_path / "autre", database_url=restored)
    assert [e["question"] for e in feedback.entries(copy)] == ["Qui anime le jour 2 ?"]


def test_the_guide_creates_the_role_and_the_database(database_url, tmp_path):
    """docs/deploiement.md: createuser, createdb -O, then the app works as that role."""
    binaries = pg_bin()
    port = database_url.rsplit(":", 1)[1].split("/")[0]
    server = ["-h", "127.0.0.1", "-p", port, "-U", "postgres"]
    subprocess.run([str(binaries / "createuser"), *server, "npnru"], check=True)
    subprocess.run([str(binaries / "createdb"), *server, "-O", "npnru", "npnru"], check=True)
    url = f"postgresql+psycopg://npnru@127.0.0.1:{port}/npnru"
    manifest = Manifest(url)
    run = manifest.start_run(["/corpus"])
    manifest.finish_run(run, "réussie", {})
    assert manifest.recent_runs()[0]["status"] == "réussie"
    manifest.close()


def test_feedback_export_runs_no_formula(tmp_path):
    """A comment or question typed as a spreadsheet formula is exported as text."""
    import csv
    import io

    settings = settings_with(data_dir=tmp_path / "data")
    feedback.record(
        settings,
        rating=1,
        question='=HYPERLINK("http://127.0.0.1:9/x";"cliquez")',
        answer="@SUM(A1:A9)",
        citations=[],
        chunk_ids=[],
        comment="+33 6 00 00 00 00 -- très utile",
    )
    rows = list(csv.DictReader(io.StringIO(feedback.to_csv(settings))))
    assert rows[0]["question"] == '\'=HYPERLINK("http://127.0.0.1:9/x";"cliquez")'
    assert rows[0]["answer"] == "'@SUM(A1:A9)" and rows[0]["comment"].startswith("'+33")
    assert rows[0]["rating"] == "1"
