"""The one settings object: environment variables prefixed ``NPNRU_`` or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.model_store import DEFAULT_DEST as DEFAULT_EMBEDDING_DIR
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
    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "localhost"
    chroma_port: int = 8000
    collection: str = Field(default="npnru", description="Nom de la collection Chroma.")
    llm_backend: Literal["none"] = Field(
        default="none", description="Génération : « none » = réponse extractive, sans LLM."
    )
    top_k: int = Field(default=5, ge=1, le=50)
    refusal_threshold: float = Field(
        default=0.20,
        ge=-1.0,
        le=1.0,
        description="Similarité cosinus minimale du meilleur passage pour répondre.",
    )
    support_threshold: float = Field(
        default=0.45,
        ge=-1.0,
        le=1.0,
        description=(
            "En dessous de cette similarité, il faut aussi qu'un tiers des paires de mots "
            "voisins de la question se retrouvent dans les passages pour répondre."
        ),
    )
    max_file_mb: float = Field(
        default=50.0, gt=0, description="Taille maximale d'un fichier à indexer (Mo)."
    )
    ui_port: int = 8501

    @field_validator("corpus_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1_000_000)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    def verifies_embedding_hash(self) -> bool:
        """The hash is checked for the default folder, or for any folder given a hash."""
        path = Path(self.embedding_model)
        if not path.is_dir():
            return False
        return bool(self.embedding_sha256) and (
            path.resolve() == DEFAULT_EMBEDDING_DIR or self.embedding_sha256 != WEIGHTS_SHA256
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
