"""The scoring model, loaded once per app on first use: `scoring.serving.Scorer` over
`scoring.artifact.load(SCORING_MODEL_DIR)`.

A missing or unloadable model is a 503 with the reason and the command that fixes it; a failed
load is retried on the next request (the model may be trained meanwhile). Tests may pass a
ready scorer in the `SCORER` config key.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from flask import current_app

from backend.errors import Unavailable

EXTENSION = "lendchain.scorer"
_lock = threading.Lock()


class ModelUnavailable(Unavailable):
    code = "model_unavailable"


def get_scorer():
    app = current_app
    if app.config.get("SCORER") is not None:
        return app.config["SCORER"]
    scorer = app.extensions.get(EXTENSION)
    if scorer is not None:
        return scorer
    with _lock:
        if EXTENSION not in app.extensions:
            app.extensions[EXTENSION] = _load(app.config["SCORING_MODEL_DIR"])
    return app.extensions[EXTENSION]


def _load(directory: str):
    from scoring.artifact import load
    from scoring.serving import Scorer

    try:
        return Scorer(load(directory))
    except Exception as error:  # missing files, hash mismatch, unpickling or version errors
        raise ModelUnavailable(
            f"the scoring model in {directory} cannot be loaded ({type(error).__name__}: {error}); "
            "train it with `python -m scoring ensure-default` or set SCORING_MODEL_DIR") from None


def status() -> dict:
    """For /healthz, without loading: the loaded model's id, else what metadata.json names."""
    app = current_app
    scorer = app.config.get("SCORER") or app.extensions.get(EXTENSION)
    if scorer is not None:
        return {"id": scorer.model_id, "loaded": True, "error": None}
    path = Path(app.config["SCORING_MODEL_DIR"]) / "metadata.json"
    try:
        return {"id": json.loads(path.read_text())["model_id"], "loaded": False, "error": None}
    except (OSError, ValueError, KeyError, TypeError) as error:
        return {"id": None, "loaded": False, "error": f"no usable model metadata at {path}: {type(error).__name__}"}
