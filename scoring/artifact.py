"""A trained model on disk: `model.pkl` (the fitted Pipeline, the reason-code references and the
typical linked bank account of the bank-link hint) and `metadata.json` (model id, training data,
configuration, versions, grade bands, drift reference, recalibration record).

The model id is the sha256 of `model.pkl`'s bytes, so it names exactly the fitted state that
produces scores; training is deterministic, so the same data and configuration give the same
id. On chain it is the attestation's `bytes32 modelId`. `load` refuses a file whose hash does not
match its metadata (a corrupted or swapped model) or that was written by another scikit-learn
version (pickles do not carry across versions), or in an older format (`FORMAT`; format 1 had no
bank-link profile). Only load artifacts you trust: unpickling runs code.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.pipeline import Pipeline

FORMAT = 2
MODEL_FILE = "model.pkl"
METADATA_FILE = "metadata.json"
PICKLE_PROTOCOL = 5


class ArtifactError(RuntimeError):
    """A model directory that cannot be used (missing, tampered with, or from another version)."""


@dataclass(frozen=True)
class ModelArtifact:
    pipeline: Pipeline
    references: dict[str, Any]
    link_profile: dict[str, float]  # scoring.explain.fit_link_profile; empty without bank signals
    metadata: dict[str, Any]

    @property
    def model_id(self) -> str:
        """sha256 of model.pkl, 64 hex digits."""
        return self.metadata["model_id"]

    @property
    def model_id_bytes32(self) -> bytes:
        return bytes.fromhex(self.model_id)


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": np.__version__, "pandas": pd.__version__}


def serialize(pipeline: Pipeline, references: dict[str, Any], link_profile: dict[str, float]) -> bytes:
    return pickle.dumps({"format": FORMAT, "pipeline": pipeline, "references": references,
                         "link_profile": link_profile}, protocol=PICKLE_PROTOCOL)


def build(pipeline: Pipeline, references: dict[str, Any], link_profile: dict[str, float],
          metadata: dict[str, Any]) -> tuple[ModelArtifact, bytes]:
    """The artifact and its model.pkl bytes; the id is computed here."""
    payload = serialize(pipeline, references, link_profile)
    full = {"model_id": hashlib.sha256(payload).hexdigest(), "format": FORMAT,
            "versions": library_versions(), **metadata}
    return ModelArtifact(pipeline, references, link_profile, full), payload


def save(artifact: ModelArtifact, payload: bytes, directory: str | Path) -> Path:
    """Write model.pkl then metadata.json (a directory with metadata.json is complete)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _write_atomic(directory / MODEL_FILE, payload)
    text = json.dumps(artifact.metadata, indent=2, sort_keys=True, default=_json_default) + "\n"
    _write_atomic(directory / METADATA_FILE, text.encode())
    return directory


def exists(directory: str | Path) -> bool:
    directory = Path(directory)
    return (directory / METADATA_FILE).is_file() and (directory / MODEL_FILE).is_file()


def load(directory: str | Path) -> ModelArtifact:
    directory = Path(directory)
    if not exists(directory):
        raise ArtifactError(f"no model in {directory} (expected {MODEL_FILE} and {METADATA_FILE})")
    metadata = json.loads((directory / METADATA_FILE).read_text())
    payload = (directory / MODEL_FILE).read_bytes()
    digest = hashlib.sha256(payload).hexdigest()
    if digest != metadata.get("model_id"):
        raise ArtifactError(f"{directory / MODEL_FILE} has sha256 {digest}, metadata says {metadata.get('model_id')}")
    trained_with = metadata.get("versions", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ArtifactError(f"model trained with scikit-learn {trained_with}, running {sklearn.__version__}: "
                            "retrain it")
    if metadata.get("format") != FORMAT:
        raise ArtifactError(f"artifact format {metadata.get('format')}, this code reads format {FORMAT}: retrain it")
    content = pickle.loads(payload)
    if content.get("format") != FORMAT:
        raise ArtifactError(f"unsupported artifact format {content.get('format')}")
    return ModelArtifact(content["pipeline"], content["references"], content["link_profile"], metadata)


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    raise TypeError(f"not JSON serialisable: {value!r}")
