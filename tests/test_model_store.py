import hashlib

import pytest

from assistant.model_store import ModelError, verify_model_dir


def test_missing_weights_give_a_french_message(tmp_path):
    with pytest.raises(ModelError, match="introuvable"):
        verify_model_dir(tmp_path)


def test_wrong_hash_is_refused_and_named(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"not the model")
    with pytest.raises(ModelError, match="Empreinte SHA-256 inattendue"):
        verify_model_dir(tmp_path, "0" * 64)


def test_right_hash_is_remembered_until_the_file_changes(tmp_path):
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"weights v1")
    expected = hashlib.sha256(b"weights v1").hexdigest()
    verify_model_dir(tmp_path, expected)
    assert (tmp_path / ".verified.json").is_file()
    verify_model_dir(tmp_path, expected)
    weights.write_bytes(b"weights v2, tampered")
    with pytest.raises(ModelError):
        verify_model_dir(tmp_path, expected)
