"""Fixtures for the scoring tests: registry-shipped data sets, small trained models, a synthetic set.

Everything here trains from data inside PyPI packages or generated in the test, so a fresh
clone runs it; Prosper-only tests use `prosper_data`, which skips when the file is absent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from scoring.adapters import credit_data, german, lendingclub, prosper
from scoring.adapters.base import LabelledData, labelled, pooled
from scoring.serving import Scorer
from scoring.train import train


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    """Tests share 2 cores with each other (xdist) and other jobs: OpenMP threads would only contend."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def german_data() -> LabelledData:
    return german.load()


@pytest.fixture(scope="session")
def credit_data_set() -> LabelledData:
    return credit_data.load()


@pytest.fixture(scope="session")
def lendingclub_data() -> LabelledData:
    return lendingclub.load()


@pytest.fixture(scope="session")
def registry_data(lendingclub_data, credit_data_set, german_data) -> LabelledData:
    return pooled([lendingclub_data, credit_data_set, german_data], "registry")


@pytest.fixture(scope="session")
def prosper_data() -> LabelledData:
    path = prosper.default_path()
    if not path.is_file():
        pytest.skip(f"Prosper file not available at {path}")
    return prosper.load(path)


@pytest.fixture(scope="session")
def german_model(german_data):
    """(artifact, model.pkl bytes) trained on German credit (about a second)."""
    return train(german_data)


@pytest.fixture(scope="session")
def registry_model(registry_data):
    """(artifact, model.pkl bytes) of the default model's recipe, trained in memory."""
    return train(registry_data)


@pytest.fixture(scope="session")
def registry_scorer(registry_model) -> Scorer:
    return Scorer(registry_model[0])


def synthetic_frame(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Profiles whose true PD is known: verified income, bureau score, income and DTI matter;
    phone verification and loan purpose do not."""
    rng = np.random.default_rng(seed)
    income_verified = rng.random(rows) < 0.5
    bureau = rng.normal(690, 50, rows).clip(300, 900).round()
    income = rng.lognormal(8.3, 0.5, rows).round(2)
    dti = rng.uniform(0.0, 0.6, rows).round(3)
    logit = -1.0 - 1.4 * income_verified - 0.02 * (bureau - 690) - 0.6 * np.log(income / 4000) + 3.0 * (dti - 0.3)
    defaulted = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    frame = pd.DataFrame({
        "income_verified": income_verified,
        "phone_verified": rng.random(rows) < 0.5,
        "bureau_score": bureau,
        "monthly_income": income,
        "debt_to_income": dti,
        "purpose": rng.choice(["debt_consolidation", "vehicle", "business"], rows),
    })
    bureau_missing = rng.random(rows) < 0.1  # a few profiles without a bureau score
    frame.loc[bureau_missing, "bureau_score"] = np.nan
    return frame, defaulted


@pytest.fixture(scope="session")
def synthetic_data() -> LabelledData:
    frame, defaulted = synthetic_frame(6_000, seed=7)
    return labelled("synthetic", frame, defaulted, "generated profiles with known effects")


@pytest.fixture(scope="session")
def synthetic_model(synthetic_data):
    return train(synthetic_data)


@pytest.fixture(scope="session")
def synthetic_scorer(synthetic_model) -> Scorer:
    return Scorer(synthetic_model[0])
