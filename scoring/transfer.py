"""Transfer with recalibration: how well a model moved to a new population does once recalibrated.

The measurement behind the model card's transfer target: a model trained on one data set is
recalibrated (scoring.recalibrate) on `fit_loans` labelled loans of another, drawn at random
(stratified by outcome), and measured on the other set's remaining loans, which neither the
model nor the map saw. This is what the platform will do with its first resolved loans.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from scoring.adapters.base import LabelledData
from scoring.artifact import ModelArtifact
from scoring.evaluation import Quality, quality
from scoring.recalibrate import recalibrate
from scoring.serving import Scorer

FIT_LOANS = 2_000


@dataclass(frozen=True)
class RecalibratedTransfer:
    trained_on: str
    tested_on: str
    fit_loans: int
    method: str
    before: Quality  # the model as trained, on the held-out loans
    after: Quality  # recalibrated, on the same held-out loans

    def to_dict(self) -> dict:
        return asdict(self)


def recalibrated_transfer(model: ModelArtifact, trained_on: str, target: LabelledData,
                          fit_loans: int = FIT_LOANS, seed: int = 0) -> RecalibratedTransfer:
    fit_rows, test_rows = train_test_split(np.arange(target.rows), train_size=fit_loans, random_state=seed,
                                           stratify=target.defaulted)
    recalibrated = recalibrate(model, target.subset(np.sort(fit_rows))).artifact
    held = target.subset(np.sort(test_rows))
    return RecalibratedTransfer(
        trained_on=trained_on,
        tested_on=target.name,
        fit_loans=fit_loans,
        method=recalibrated.metadata["recalibration"]["method"]["method"],
        before=quality(held.defaulted, Scorer(model).pd_of_frame(held.signals)),
        after=quality(held.defaulted, Scorer(recalibrated).pd_of_frame(held.signals)),
    )
