"""Recalibration on platform outcomes: a deliberately shifted calibration is fixed, the trees and
the ranking are kept, too few outcomes are refused with what is missing."""

import numpy as np
import pytest
from scipy.special import expit

from scoring import artifact, metrics
from scoring.adapters.base import labelled
from scoring.calibration_maps import PlattMap, logit
from scoring.cli import main
from scoring.recalibrate import RecalibrationError, check_enough, recalibrate
from scoring.serving import Scorer
from scoring.validation import validate_frame
from tests.scoring.conftest import synthetic_frame

SHIFT = -1.0  # the platform's borrowers default far less often than the model's training population


def shifted_outcomes(scorer, rows, seed, shift=SHIFT):
    """Profiles scored by the model, with outcomes drawn from a PD shifted on the logit scale."""
    frame, _ = synthetic_frame(rows, seed)
    pd_model = scorer.pd_of_frame(validate_frame(frame))
    rng = np.random.default_rng(seed)
    defaulted = (rng.random(rows) < expit(logit(pd_model) + shift)).astype(np.int8)
    return labelled("platform", frame, defaulted, "synthetic platform loans")


@pytest.fixture(scope="module")
def recalibrated(synthetic_model, synthetic_scorer):
    return recalibrate(synthetic_model[0], shifted_outcomes(synthetic_scorer, 2_000, seed=31)).artifact


def test_fixes_a_shifted_calibration_on_unseen_loans(synthetic_scorer, recalibrated):
    held = shifted_outcomes(synthetic_scorer, 3_000, seed=32)
    before = synthetic_scorer.pd_of_frame(held.signals)
    after = Scorer(recalibrated).pd_of_frame(held.signals)
    assert metrics.expected_calibration_error(held.defaulted, before) > 0.08
    assert metrics.expected_calibration_error(held.defaulted, after) < 0.025
    assert abs(after.mean() - held.default_rate) < 0.02


def test_keeps_the_trees_the_ranking_and_the_grade_order(synthetic_scorer, recalibrated, synthetic_model):
    held = shifted_outcomes(synthetic_scorer, 3_000, seed=33)
    before = synthetic_scorer.pd_of_frame(held.signals)
    scorer = Scorer(recalibrated)
    after = scorer.pd_of_frame(held.signals)
    cost = metrics.auc(held.defaulted, before) - metrics.auc(held.defaulted, after)
    if isinstance(recalibrated.pipeline.named_steps["model"].calibrated_classifiers_[0].calibrators[0].pd_map,
                  PlattMap):
        assert cost == 0.0
    assert cost <= 0.002
    order = np.argsort(before, kind="stable")
    codes = scorer.score_arrays(held.signals)["grade_code"][order]
    assert np.all(np.diff(codes) >= 0)  # a riskier borrower never gets a better grade
    assert scorer.tree_count == synthetic_scorer.tree_count and scorer.fast_path


def test_new_model_id_and_the_card_section(recalibrated, synthetic_model):
    base = synthetic_model[0]
    section = recalibrated.metadata["recalibration"]
    assert recalibrated.model_id != base.model_id and section["base_model_id"] == base.model_id
    assert section["loans"] == 2_000 and 0 < section["defaults"] < 2_000
    assert section["isotonic_considered"] and section["method"]["method"] in ("platt", "isotonic")
    assert section["before"]["ece"] > section["after_cross_validated"]["ece"]
    assert recalibrated.references == base.references


def test_few_loans_get_platt_only(synthetic_model, synthetic_scorer):
    model = recalibrate(synthetic_model[0], shifted_outcomes(synthetic_scorer, 800, seed=34)).artifact
    section = model.metadata["recalibration"]
    assert section["method"]["method"] == "platt" and not section["isotonic_considered"]
    assert section["method"]["slope"] > 0


@pytest.mark.parametrize("loans, defaults, missing", [
    (150, 40, "resolved loans: 50 more"),
    (400, 10, "defaults: 10 more"),
    (400, 395, "repaid loans: 15 more"),
])
def test_refuses_too_few_outcomes_saying_how_many_more(loans, defaults, missing):
    outcomes = np.zeros(loans, dtype=np.int8)
    outcomes[:defaults] = 1
    with pytest.raises(RecalibrationError, match=missing):
        check_enough(outcomes)


def test_refuses_through_the_command_line(synthetic_model, tmp_path, capsys):
    model_dir = tmp_path / "model"
    artifact.save(synthetic_model[0], synthetic_model[1], model_dir)
    loans = tmp_path / "loans.csv"
    loans.write_text("bureau_score,defaulted\n" + "".join(f"{650 + i},{i % 2}\n" for i in range(30)))
    assert main(["recalibrate", "--model", str(model_dir), "--data", str(loans), "--out", str(tmp_path / "o")]) == 2
    assert "resolved loans: 170 more" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_refuses_when_the_model_does_not_rank_the_loans(synthetic_model, synthetic_scorer):
    frame, _ = synthetic_frame(1_000, seed=35)
    pd_model = synthetic_scorer.pd_of_frame(validate_frame(frame))
    reversed_outcomes = (np.random.default_rng(35).random(1_000) < 1 - pd_model).astype(np.int8)
    with pytest.raises(RecalibrationError, match="do not rank"):
        recalibrate(synthetic_model[0], labelled("platform", frame, reversed_outcomes, "reversed"))


def test_command_line_writes_a_loadable_artifact_and_its_card(synthetic_model, synthetic_scorer, tmp_path, capsys):
    model_dir, out = tmp_path / "model", tmp_path / "recalibrated"
    artifact.save(synthetic_model[0], synthetic_model[1], model_dir)
    outcomes = shifted_outcomes(synthetic_scorer, 900, seed=36)
    table = outcomes.signals[["income_verified", "bureau_score", "monthly_income", "debt_to_income"]].copy()
    table["income_verified"] = table["income_verified"].map({1.0: "true", 0.0: "false"})
    table["defaulted"] = outcomes.defaulted
    table.to_csv(tmp_path / "loans.csv", index=False)
    assert main(["recalibrate", "--model", str(model_dir), "--data", str(tmp_path / "loans.csv"),
                 "--out", str(out)]) == 0
    loaded = artifact.load(out)
    assert loaded.metadata["recalibration"]["loans"] == 900
    card = (out / "CARD.md").read_text()
    assert loaded.model_id in card and "900 resolved platform loans" in card and "before (base model)" in card
    assert "recalibrated" in capsys.readouterr().out


def test_recalibrated_scorer_agrees_with_its_pipeline_exactly(recalibrated, synthetic_scorer):
    from scoring.model import predict_pd

    held = shifted_outcomes(synthetic_scorer, 500, seed=37)
    assert np.array_equal(Scorer(recalibrated).pd_of_frame(held.signals), predict_pd(recalibrated.pipeline,
                                                                                      held.signals))
