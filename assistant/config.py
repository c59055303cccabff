"""The one settings object: environment variables prefixed ``NPNRU_`` or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.model_store import DEFAULT_DEST as DEFAULT_EMBEDDING_DIR
from assistant.model_store import LLM_DEST as DEFAULT_LLM_FILE
from assistant.model_store import WEIGHTS_SHA256

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NPNRU_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Dossier de l'index (Chroma et journaux) ; plusieurs index peuvent coexister.",
    )
    corpus_dirs: Annotated[list[Path], NoDecode] = Field(
        default=[PROJECT_ROOT / "corpus" / "documents"],
        description="Dossiers de documents à indexer, séparés par des virgules.",
    )
    embedding_model: str = Field(
        default=str(DEFAULT_EMBEDDING_DIR),
        description="Modèle sentence-transformers : dossier local ou identifiant.",
    )
    embedding_sha256: str = Field(
        default=WEIGHTS_SHA256,
        description="Empreinte attendue de model.safetensors (vérifiée pour le dossier par "
        "défaut ; vide pour ne pas vérifier un autre dossier).",
    )
    embedding_dtype: Literal["auto", "bf16", "fp32"] = Field(
        default="auto", description="auto choisit bf16 si le processeur le permet."
    )
    embedding_batch_size: int = Field(default=16, ge=1)
    query_adapters: bool = Field(
        default=True,
        description="Classer les passages et choisir les phrases de la réponse avec les "
        "correcteurs appris pour le modèle par défaut (assistant/data/*_adapter.json) ; sans "
        "effet pour un autre modèle.",
    )
    embedding_device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="auto choisit le GPU (CUDA) quand torch en voit un."
    )
    embedding_backend: Literal["auto", "torch", "openvino"] = Field(
        default="auto",
        description="auto : OpenVINO sur le processeur quand le paquet est installé et le modèle "
        "est un dossier local (le même modèle converti une fois, 1,5 à 1,7 fois plus rapide "
        "ici), sinon torch (sentence-transformers).",
    )
    embedding_cache: str = Field(
        default="",
        description="Fichier SQLite des vecteurs déjà calculés, réutilisés par toute indexation "
        "(défaut : DATA_DIR/embeddings.sqlite ; « off » : aucun cache).",
    )
    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "localhost"
    chroma_port: int = 8000
    collection: str = Field(default="npnru", description="Nom de la collection Chroma.")
    database_url: str = Field(
        default="",
        description="Base partagée par les répliques (SQLAlchemy, ex. "
        "postgresql+psycopg://npnru@db:5432/npnru) : avis des utilisateurs et, en mode http, "
        "registre des documents et journal des indexations. Vide : fichiers SQLite de DATA_DIR.",
    )
    llm_backend: Literal["none", "openai", "llamacpp"] = Field(
        default="none",
        description="Génération : « none » = réponse extractive, sans LLM ; « openai » = "
        "serveur compatible OpenAI (LLM_BASE_URL) ; « llamacpp » = modèle GGUF local.",
    )
    llm_base_url: str = Field(
        default="http://127.0.0.1:8080/v1",
        description="URL de l'API compatible OpenAI (vLLM, Ollama, llama.cpp, Albert, Mistral).",
    )
    llm_model: str = Field(default="", description="Nom du modèle demandé au serveur.")
    llm_api_key: SecretStr = Field(default=SecretStr(""), description="Clé d'API du serveur.")
    llm_gguf: Path = Field(
        default=DEFAULT_LLM_FILE, description="Fichier GGUF du backend « llamacpp »."
    )
    llm_context: int = Field(default=4096, ge=512, description="Contexte du modèle local.")
    llm_timeout: float = Field(default=60.0, gt=0, description="Délai d'attente (s).")
    llm_max_retries: int = Field(default=2, ge=0, description="Nouvelles tentatives.")
    llm_max_tokens: int = Field(default=400, ge=16, description="Longueur maximale générée.")
    history_turns: int = Field(
        default=3, ge=0, description="Tours de conversation gardés pour les relances."
    )
    stale_after_years: float = Field(
        default=3.0,
        ge=0,
        description="Âge (années) au-delà duquel un texte juridique cité est signalé.",
    )
    rerank_model: str = Field(
        default="",
        description="CrossEncoder sentence-transformers pour reclasser les passages "
        "(dossier ou identifiant) ; vide = pas de reclassement.",
    )
    top_k: int = Field(default=5, ge=1, le=50)
    derived_pages: bool = Field(
        default=True,
        description="Après une indexation qui change l'index : calculer le parcours de la "
        "formation, le glossaire et les questions de révision (sinon : à leur première visite).",
    )
    max_file_mb: float = Field(
        default=50.0, gt=0, description="Taille maximale d'un fichier à indexer (Mo)."
    )
    ui_port: int = 8501
    admin_password: SecretStr = Field(
        default=SecretStr(""),
        description="Mot de passe de la page d'administration ; vide = page désactivée.",
    )

    @field_validator("corpus_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)

    # The index folder this copy reads and writes, fixed (see ``pinned``); None: the published
    # revision, looked up at each use.
    _state_dir: Path | None = PrivateAttr(default=None)

    @property
    def state_dir(self) -> Path:
        """Where the index lives (Chroma in embedded mode, lexical index, manifest): the
        published revision of ``data_dir`` (assistant/revision.py), or ``data_dir`` itself in
        server mode."""
        if self._state_dir is not None:
            return self._state_dir
        if self.chroma_mode == "http":
            return self.data_dir
        from assistant.revision import published

        return published(self.data_dir)

    def pinned(self, folder: Path | None = None) -> Settings:
        """A copy that keeps reading ``folder`` (default: the revision published now), so that
        one question, or one ingestion, sees one consistent index."""
        copy = self.model_copy()
        copy._state_dir = folder or self.state_dir
        return copy

    @property
    def chroma_dir(self) -> Path:
        return self.state_dir / "chroma"

    def verifies_embedding_hash(self) -> bool:
        """The hash is checked for the default folder, or for any folder given a hash."""
        path = Path(self.embedding_model)
        if not path.is_dir():
            return False
        return bool(self.embedding_sha256) and (
            path.resolve() == DEFAULT_EMBEDDING_DIR.resolve()
            or self.embedding_sha256 != WEIGHTS_SHA256
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def settings_with(**overrides: object) -> Settings:
    """A copy of the current settings with some fields replaced (CLI options, tests)."""
    return get_settings().model_copy(update=overrides)


def cpu_supports_bf16() -> bool:
    """True where the CPU has native bf16 (AMX or AVX-512 BF16), where bf16 is ~3x faster."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("amx_bf16", "avx512_bf16"))


__all__ = ["Settings", "get_settings", "settings_with", "cpu_supports_bf16", "PROJECT_ROOT"]
