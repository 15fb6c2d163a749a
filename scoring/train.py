"""Train a model on a data set and save it as a versioned artifact; the default model.

The default model is what a fresh clone scores with: trained on the registry-shipped sets only
(`registry` = LendingClub + credit_data + German credit), written to scoring/artifacts/default/
(git-ignored) by `python -m scoring ensure-default` when it is not there yet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from scoring import artifact, drift, explain
from scoring.adapters import LabelledData, load_dataset
from scoring.artifact import ArtifactError, ModelArtifact
from scoring.grades import GRADE_MAX_PD_BPS, GRADES
from scoring.layout import Layout
from scoring.model import TrainConfig, fit_pipeline, floor_pd
from scoring.schema import COLUMNS

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_MODEL_DIR = PACKAGE_DIR / "artifacts" / "default"
DEFAULT_DATASET = "registry"


def train(data: LabelledData, config: TrainConfig = TrainConfig()) -> tuple[ModelArtifact, bytes]:
    """Fit the pipeline and the reason references; returns the artifact and its model.pkl bytes."""
    pipeline = fit_pipeline(data.signals, data.defaulted, config)
    features = pipeline.named_steps["features"]
    model = pipeline.named_steps["model"]
    layout = Layout.of(features)
    observed = {name: data.signals[name].dropna().to_numpy() for name in layout.signals}
    with threadpool_limits(limits=1):  # same thread policy as fitting (see scoring.model)
        references = explain.fit_references(
            layout, lambda m: floor_pd(model.predict_proba(m)[:, 1]), features.transform(data.signals), observed,
            config.seed,
        )
    link_profile = explain.fit_link_profile(data.signals, layout.signals)
    sources, counts = np.unique(data.source.astype(str), return_counts=True)
    metadata = {
        "training": {
            "dataset": data.name,
            "description": data.description,
            "rows": data.rows,
            "default_rate": data.default_rate,
            "rows_by_source": {s: int(c) for s, c in zip(sources, counts)},
            "fingerprint_sha256": data.fingerprint(),
        },
        "config": config.to_dict(),
        "signals_used": layout.signals,
        "signals_without_data": [name for name in COLUMNS if name not in layout.signals],
        "references": references,
        "bank_link_profile": link_profile,
        "drift_reference": drift.fit_reference(data.signals, layout.signals),
        "grades": {"names": list(GRADES), "max_pd_bps": list(GRADE_MAX_PD_BPS)},
    }
    return artifact.build(pipeline, references, link_profile, metadata)


def train_to(directory: str | Path, dataset: str, data_path: str | Path | None = None,
             config: TrainConfig = TrainConfig()) -> ModelArtifact:
    trained, payload = train(load_dataset(dataset, data_path), config)
    artifact.save(trained, payload, directory)
    return trained


def ensure_default_model(directory: str | Path = DEFAULT_MODEL_DIR) -> tuple[ModelArtifact, bool]:
    """Load the default model, training it first if absent or stale. Returns (artifact, trained_now).

    Stale: unreadable by this code (older artifact format, other scikit-learn) or built for
    another signal schema; a checkout that pulls a schema change then retrains on its own
    instead of scoring with a model that cannot see the new signals.
    """
    if artifact.exists(directory):
        try:
            found = artifact.load(directory)
        except ArtifactError:
            found = None
        if found is not None and _schema_of(found) == set(COLUMNS):
            return found, False
    return train_to(directory, DEFAULT_DATASET), True


def _schema_of(model: ModelArtifact) -> set[str]:
    return set(model.metadata["signals_used"]) | set(model.metadata["signals_without_data"])
