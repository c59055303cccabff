"""The embedding model run by OpenVINO instead of PyTorch (``NPNRU_EMBEDDING_BACKEND=openvino``).

The sentence-transformers model (transformer, mean pooling, dense layers, normalisation) is
exported once with ``torch.export`` and converted to OpenVINO's format, in a folder beside the
model's (``models/embeddinggemma-300m.openvino/<key>/``, git-ignored), keyed by the weights and
the versions that made it. Measured here (2 cores with AMX, 192 passages of the corpus,
``bench/encoding.py``): bf16 about 1.7 times PyTorch bf16's speed, vectors at cosine ≥ 0.99 from
PyTorch fp32 (fp32 in OpenVINO gives them exactly, at PyTorch fp32's speed).

The attention masks are built here rather than by transformers: its mask functions use
``vmap``, which the export does not follow, and a padded row that masks every position yields
NaN. Each position may always see itself, so no row is ever fully masked; padded positions
are left out of the pooling anyway.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

IR_NAME = "model.xml"
MAX_LENGTH = 512


class OpenVINOError(RuntimeError):
    """OpenVINO is missing or the conversion failed (French message)."""


def _versions() -> dict[str, str]:
    import openvino
    import torch
    import transformers

    return {
        "openvino": openvino.__version__,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
    }


def ir_folder(model_dir: Path, weights_sha256: str | None) -> Path:
    """Where the converted model of ``model_dir`` lives, for these weights and versions."""
    weights = model_dir / "model.safetensors"
    if weights_sha256:
        identity = weights_sha256
    else:
        st = weights.stat()
        identity = f"{st.st_size}:{st.st_mtime_ns}"
    key = hashlib.sha256(
        json.dumps({"weights": identity, **_versions()}, sort_keys=True).encode()
    ).hexdigest()[:16]
    return model_dir.with_name(model_dir.name + ".openvino") / key


def _wrapped(model_dir: Path):
    """The sentence-transformers model as one module: (input_ids, attention_mask) → vectors."""
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(
        str(model_dir), device="cpu", model_kwargs={"torch_dtype": torch.float32}
    )
    modules = list(st)
    transformer = modules[0].auto_model
    window = getattr(transformer.config, "sliding_window", None) or MAX_LENGTH

    class Sentence(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer
            self.rest = torch.nn.ModuleList(modules[1:])

        def forward(self, input_ids, attention_mask):
            positions = torch.arange(input_ids.shape[1])
            itself = (positions[:, None] == positions[None, :])[None, None]
            full = attention_mask.bool()[:, None, None, :] | itself
            near = ((positions[:, None] - positions[None, :]).abs() < window)[None, None]
            masks = {"full_attention": full, "sliding_attention": full & near}
            out = self.transformer(input_ids=input_ids, attention_mask=masks)
            features = {
                "input_ids": input_ids,
                "attention_mask": attention_mask,
                "token_embeddings": out.last_hidden_state,
            }
            for module in self.rest:
                features = module(features)
            return features["sentence_embedding"]

    return Sentence().eval(), st.tokenizer


def convert(model_dir: Path, dest: Path) -> Path:
    """Export and convert the model of ``model_dir`` into ``dest`` (written beside, then
    renamed: an interrupted conversion leaves nothing half-written)."""
    import openvino as ov
    import torch

    module, tokenizer = _wrapped(model_dir)
    example = tokenizer(
        ["title: none | text: exemple", "title: none | text: un exemple un peu plus long"],
        padding=True,
        return_tensors="pt",
    )
    batch = torch.export.Dim("batch", min=1, max=256)
    length = torch.export.Dim("length", min=2, max=MAX_LENGTH)
    with torch.no_grad():
        program = torch.export.export(
            module,
            (example["input_ids"], example["attention_mask"]),
            dynamic_shapes=({0: batch, 1: length}, {0: batch, 1: length}),
        )
        converted = ov.convert_model(program)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".conversion-", dir=dest.parent))
    try:
        ov.save_model(converted, str(work / IR_NAME), compress_to_fp16=False)
        (work / "versions.json").write_text(json.dumps(_versions()), encoding="utf-8")
        os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


@contextmanager
def _exclusive(folder: Path):
    """One conversion at a time per model, whichever process asks (the app, an ingestion)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prepare(model_dir: Path, weights_sha256: str | None) -> Path:
    """The converted model of ``model_dir``, converted now if it is not yet."""
    folder = ir_folder(model_dir, weights_sha256)
    if not (folder / IR_NAME).is_file():
        with _exclusive(folder.parent):
            if not (folder / IR_NAME).is_file():
                print(
                    "Conversion du modèle d'embeddings pour OpenVINO (une seule fois, environ "
                    f"une minute) : {folder}",
                    file=sys.stderr,
                )
                try:
                    convert(model_dir, folder)
                except Exception as exc:
                    raise OpenVINOError(
                        f"La conversion du modèle « {model_dir} » pour OpenVINO a échoué ({exc}). "
                        "Choisissez NPNRU_EMBEDDING_BACKEND=torch."
                    ) from exc
    return folder


class OpenVINOEncoder:
    """Encodes like ``SentenceTransformer.encode(..., normalize_embeddings=True)``."""

    def __init__(
        self, model_dir: Path, weights_sha256: str | None, dtype: str, batch_size: int = 16
    ) -> None:
        try:
            import openvino as ov
        except ImportError as exc:
            raise OpenVINOError(
                "NPNRU_EMBEDDING_BACKEND=openvino demande le paquet openvino : "
                "« .venv/bin/pip install -e '.[openvino]' »."
            ) from exc
        from transformers import AutoTokenizer

        if not (model_dir / "modules.json").is_file():
            raise OpenVINOError(
                f"Le moteur OpenVINO demande un dossier de modèle sentence-transformers local ; "
                f"« {model_dir} » n'en est pas un."
            )
        folder = prepare(model_dir, weights_sha256)
        hint = "bf16" if dtype == "bf16" else "f32"
        self.compiled = ov.Core().compile_model(
            str(folder / IR_NAME), "CPU", {"INFERENCE_PRECISION_HINT": hint}
        )
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        config = model_dir / "config_sentence_transformers.json"
        data = json.loads(config.read_text(encoding="utf-8")) if config.is_file() else {}
        self.prompts: dict[str, str] = data.get("prompts") or {}
        self.batch_size = batch_size

    def encode(self, texts: list[str], prompt_name: str | None = None) -> np.ndarray:
        prefix = self.prompts.get(prompt_name, "") if prompt_name else ""
        inputs = [prefix + text for text in texts]
        # Batches of similar lengths pad little.
        order = np.argsort([len(text) for text in inputs], kind="stable")
        batches = []
        for start in range(0, len(order), self.batch_size):
            encoded = self.tokenizer(
                [inputs[i] for i in order[start : start + self.batch_size]],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="np",
            )
            result = self.compiled(
                {
                    "input_ids": encoded["input_ids"].astype(np.int64),
                    "attention_mask": encoded["attention_mask"].astype(np.int64),
                }
            )
            batches.append(np.asarray(next(iter(result.values())), dtype=np.float32))
        stacked = np.concatenate(batches)
        vectors = np.empty_like(stacked)
        vectors[order] = stacked
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)
