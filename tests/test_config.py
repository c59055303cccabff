from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.config import Settings, get_settings
from assistant.embeddings import resolve_dtype


def test_environment_variables_with_prefix_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("NPNRU_DATA_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("NPNRU_TOP_K", "7")
    monkeypatch.setenv("NPNRU_CHROMA_MODE", "http")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.data_dir == tmp_path / "idx"
    assert settings.top_k == 7
    assert settings.chroma_mode == "http"
    assert settings.chroma_dir == tmp_path / "idx" / "chroma"


def test_corpus_dirs_accept_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("NPNRU_CORPUS_DIRS", "/a/b, /c")
    assert Settings().corpus_dirs == [Path("/a/b"), Path("/c")]


def test_dotenv_file_in_working_directory_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NPNRU_DATA_DIR")
    (tmp_path / ".env").write_text("NPNRU_TOP_K=7\n", encoding="utf-8")
    assert Settings().top_k == 7


@pytest.mark.parametrize(
    "name,value",
    [("NPNRU_EMBEDDING_DTYPE", "fp16"), ("NPNRU_CHROMA_MODE", "cloud"), ("NPNRU_TOP_K", "0")],
)
def test_invalid_values_are_rejected(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_dtype_auto_follows_the_cpu(monkeypatch):
    monkeypatch.setattr("assistant.embeddings.cpu_supports_bf16", lambda: True)
    assert resolve_dtype("auto") == "bf16"
    monkeypatch.setattr("assistant.embeddings.cpu_supports_bf16", lambda: False)
    assert resolve_dtype("auto") == "fp32"
    assert resolve_dtype("bf16") == "bf16"


def test_hash_is_checked_for_the_default_model_folder_only(tmp_path):
    assert Settings().verifies_embedding_hash() is Path(Settings().embedding_model).is_dir()
    other = Settings(embedding_model=str(tmp_path))
    assert not other.verifies_embedding_hash()
    pinned = Settings(embedding_model=str(tmp_path), embedding_sha256="ab" * 32)
    assert pinned.verifies_embedding_hash()
