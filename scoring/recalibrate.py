"""Recalibrate a model on the platform's own resolved loans: `python -m scoring recalibrate`.

A model's PDs are calibrated to the population it was trained on; the platform's borrowers
default at their own rate (transfer between data sets moves the PD level a lot: see the model
card). Recalibration fits a monotone map (scoring.calibration_maps) from the model's PD to the
observed default rate on resolved platform loans (the `platform` adapter's format) and keeps
the trees, so the ranking (AUC) and the order of grades are kept while the PD level becomes the
platform's own.

Method choice. Platt scaling on the logit always; isotonic as well once there are
`ISOTONIC_MIN_LOANS` loans with `ISOTONIC_MIN_EACH` of each outcome. Each candidate is scored
by its cross-validated Brier score (each loan's recalibrated PD from a map fitted without it)
and the lower one wins; on a tie Platt wins (strictly monotone, two parameters). Isotonic is
only eligible if the ties its steps create cost at most `MAX_ISOTONIC_AUC_COST` of AUC in that
cross-validation: a better-calibrated PD is not worth ranking borrowers worse.

Too little data is refused rather than fitted: a map fitted on a handful of defaults moves
every borrower's grade on noise. The minimum (`MIN_LOANS` loans, `MIN_EACH_OUTCOME` defaults
and as many repaid loans) is about ten outcomes of each kind per Platt parameter.

The result is a new artifact (new model id) whose metadata section `recalibration` records the
base model, the loans it was fitted on, the method chosen and why, and the calibration before
(the base model's PDs) and after (cross-validated recalibrated PDs, so not flattered by
measuring on the loans the map was fitted on); `CARD.md` in the same directory renders it.
References for reason codes and the bank-link profile are kept (both are signal values, not PDs).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from scoring import artifact, metrics
from scoring.adapters import platform
from scoring.adapters.base import LabelledData
from scoring.artifact import ModelArtifact
from scoring.calibration_maps import IsotonicMap, MappedCalibrator, PlattMap
from scoring.evaluation import quality
from scoring.serving import Scorer

MIN_LOANS = 200
MIN_EACH_OUTCOME = 20
ISOTONIC_MIN_LOANS = 1_000
ISOTONIC_MIN_EACH = 50
FOLDS = 5
SEED = 0
MAX_ISOTONIC_AUC_COST = 0.002
MIN_PLATT_SLOPE = 1e-6  # at or below it the fitted map is flat: the model does not rank the loans
CARD_FILE = "CARD.md"


class RecalibrationError(ValueError):
    """Outcomes that cannot support an honest recalibration (too few, or not ranked by the model)."""


@dataclass(frozen=True)
class Recalibrated:
    artifact: ModelArtifact
    payload: bytes


def check_enough(defaulted: np.ndarray) -> None:
    """Refuse with what is missing when there are too few loans, defaults or repaid loans."""
    loans, defaults = len(defaulted), int(np.sum(defaulted))
    repaid = loans - defaults
    more = {"resolved loans": MIN_LOANS - loans, "defaults": MIN_EACH_OUTCOME - defaults,
            "repaid loans": MIN_EACH_OUTCOME - repaid}
    short = [f"{what}: {n} more" for what, n in more.items() if n > 0]
    if short:
        raise RecalibrationError(
            f"too few outcomes to recalibrate honestly: {loans} resolved loans ({defaults} defaults, {repaid} repaid); "
            f"needs at least {MIN_LOANS} loans with {MIN_EACH_OUTCOME} defaults and {MIN_EACH_OUTCOME} repaid; "
            f"needed: {', '.join(short)}")


def candidates(defaulted: np.ndarray) -> list[type]:
    """Map types worth trying for these outcomes (isotonic only with enough of each outcome)."""
    defaults = int(np.sum(defaulted))
    enough = len(defaulted) >= ISOTONIC_MIN_LOANS and min(defaults, len(defaulted) - defaults) >= ISOTONIC_MIN_EACH
    return [PlattMap, IsotonicMap] if enough else [PlattMap]


def cross_validated(map_type: type, pd: np.ndarray, defaulted: np.ndarray) -> np.ndarray:
    """Each loan's recalibrated PD from a map fitted on the other folds."""
    out = np.empty(len(pd))
    for fit_rows, test_rows in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(pd, defaulted):
        out[test_rows] = map_type().fit(pd[fit_rows], defaulted[fit_rows]).predict(pd[test_rows])
    return out


def recalibrate(base: ModelArtifact, outcomes: LabelledData) -> Recalibrated:
    """A new artifact: `base`'s trees with a monotone map fitted to `outcomes` (resolved loans)."""
    defaulted = np.asarray(outcomes.defaulted, dtype=np.int8)
    check_enough(defaulted)
    pd_before = Scorer(base).pd_of_frame(outcomes.signals)
    auc_before = metrics.auc(defaulted, pd_before)
    if PlattMap().fit(pd_before, defaulted).slope_ <= MIN_PLATT_SLOPE:  # the best increasing map is flat
        raise RecalibrationError(
            f"the model's PDs do not rank these {len(defaulted)} loans (AUC {auc_before:.3f}): a recalibrated "
            "model would give everyone the same PD; retrain on the platform's outcomes instead")
    scored, auc_cost = {}, {}
    for map_type in candidates(defaulted):
        oof = cross_validated(map_type, pd_before, defaulted)
        scored[map_type.name] = (metrics.brier(defaulted, oof), map_type, oof)
        auc_cost[map_type.name] = auc_before - metrics.auc(defaulted, oof)
    eligible = [name for name in scored if name == PlattMap.name or auc_cost[name] <= MAX_ISOTONIC_AUC_COST]
    chosen_name = min(eligible, key=lambda name: (scored[name][0], name != PlattMap.name))
    _, map_type, pd_after = scored[chosen_name]
    pd_map = map_type().fit(pd_before, defaulted)

    pipeline = copy.deepcopy(base.pipeline)
    calibrated = pipeline.named_steps["model"].calibrated_classifiers_[0]
    calibrated.calibrators[0] = MappedCalibrator(calibrated.calibrators[0], pd_map)
    section = {
        "base_model_id": base.model_id,
        "data": outcomes.description,
        "fingerprint_sha256": outcomes.fingerprint(),
        "loans": int(len(defaulted)),
        "defaults": int(defaulted.sum()),
        "method": pd_map.describe(),
        "cross_validated_brier": {name: value[0] for name, value in scored.items()},
        "cross_validated_auc_cost": auc_cost,
        "isotonic_considered": IsotonicMap.name in scored,
        "before": quality(defaulted, pd_before).to_dict(),
        "after_cross_validated": quality(defaulted, pd_after).to_dict(),
    }
    metadata = {key: value for key, value in base.metadata.items()
                if key not in ("model_id", "format", "versions", "recalibration")}
    metadata["recalibration"] = section
    trained, payload = artifact.build(pipeline, base.references, base.link_profile, metadata)
    return Recalibrated(trained, payload)


def recalibrate_to(model_dir: str | Path, outcomes_csv: str | Path, out_dir: str | Path) -> ModelArtifact:
    result = recalibrate(artifact.load(model_dir), platform.load(outcomes_csv))
    artifact.save(result.artifact, result.payload, out_dir)
    (Path(out_dir) / CARD_FILE).write_text(render_card(result.artifact))
    return result.artifact


def render_card(model: ModelArtifact) -> str:
    """The recalibration section of a recalibrated artifact as markdown (pure)."""
    r = model.metadata["recalibration"]
    method = r["method"]
    detail = (f"slope {method['slope']:.3f}, intercept {method['intercept']:.3f}" if method["method"] == "platt"
              else f"{method['steps']} steps")
    considered = ", ".join(f"{name} {brier:.5f} (AUC cost {r['cross_validated_auc_cost'][name]:+.4f})"
                           for name, brier in r["cross_validated_brier"].items())
    why = "" if r["isotonic_considered"] else (
        f" (isotonic not considered: it needs {ISOTONIC_MIN_LOANS:,} loans with {ISOTONIC_MIN_EACH} of each outcome)")
    lines = [
        f"# Recalibrated model {model.model_id}", "",
        f"Base model `{r['base_model_id']}`; trees unchanged, PDs mapped by **{method['method']}** ({detail}).",
        f"Fitted on {r['loans']:,} resolved platform loans ({r['defaults']:,} defaults): {r['data']}.",
        f"Chosen by {FOLDS}-fold cross-validated Brier score, isotonic only if its ties cost at most "
        f"{MAX_ISOTONIC_AUC_COST} AUC: {considered}{why}.", "",
        "| Calibration | Loans | Default rate | Mean PD | AUC | Brier | ECE |", "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, q in (("before (base model)", r["before"]), ("after (cross-validated)", r["after_cross_validated"])):
        lines.append(f"| {label} | {q['loans']:,} | {q['default_rate']:.1%} | {q['mean_pd']:.1%} | {q['auc']:.3f} "
                     f"| {q['brier']:.4f} | {q['ece']:.4f} |")
    lines += ["", "| Grade | Loans before | Mean PD before | Loans after | Mean PD after | Observed after |",
              "|---|---:|---:|---:|---:|---:|"]
    before = {row["grade"]: row for row in r["before"]["by_grade"]}
    after = {row["grade"]: row for row in r["after_cross_validated"]["by_grade"]}
    for grade in [g for g in model.metadata["grades"]["names"] if g in before or g in after]:
        b, a = before.get(grade), after.get(grade)
        lines.append(f"| {grade} | {_loans(b)} | {_rate(b, 'mean_pd')} | {_loans(a)} | {_rate(a, 'mean_pd')} "
                     f"| {_rate(a, 'default_rate')} |")
    return "\n".join(lines) + "\n"


def _loans(row: dict | None) -> str:
    return f"{row['loans']:,}" if row else "0"


def _rate(row: dict | None, key: str) -> str:
    return f"{row[key]:.1%}" if row else "-"
