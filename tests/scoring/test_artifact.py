"""Artifacts: the model id is the sha256 of model.pkl; tampering and version drift are refused."""

import hashlib
import json

import pytest

from scoring import artifact
from scoring.artifact import ArtifactError


@pytest.fixture
def saved(tmp_path, german_model):
    trained, payload = german_model
    artifact.save(trained, payload, tmp_path / "model")
    return tmp_path / "model"


def test_round_trip_and_id_is_the_file_hash(saved, german_model):
    loaded = artifact.load(saved)
    assert loaded.model_id == german_model[0].model_id
    assert loaded.model_id == hashlib.sha256((saved / "model.pkl").read_bytes()).hexdigest()
    assert loaded.model_id_bytes32 == bytes.fromhex(loaded.model_id) and len(loaded.model_id_bytes32) == 32
    assert loaded.references == german_model[0].references


def test_metadata_describes_the_training(saved, german_data):
    metadata = json.loads((saved / "metadata.json").read_text())
    assert metadata["training"]["rows"] == 1000
    assert metadata["training"]["fingerprint_sha256"] == german_data.fingerprint()
    assert metadata["grades"]["names"][0] == "A+" and metadata["config"]["seed"] == 0
    assert "identity_verified" in metadata["signals_without_data"]


def test_tampered_model_is_refused(saved):
    data = bytearray((saved / "model.pkl").read_bytes())
    data[-20] ^= 0xFF
    (saved / "model.pkl").write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="sha256"):
        artifact.load(saved)


def test_other_scikit_learn_version_is_refused(saved):
    metadata = json.loads((saved / "metadata.json").read_text())
    metadata["versions"]["scikit-learn"] = "0.24.2"
    (saved / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(ArtifactError, match="retrain"):
        artifact.load(saved)


def test_missing_directory(tmp_path):
    assert not artifact.exists(tmp_path / "nothing")
    with pytest.raises(ArtifactError, match="no model"):
        artifact.load(tmp_path / "nothing")
