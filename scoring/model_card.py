"""Evaluate every data set and write scoring/MODEL_CARD.md: `python -m scoring card`.

`collect()` measures (slow: it trains about 30 models, a few minutes on 2 cores);
`render()` turns the numbers into markdown (pure). The Prosper file is used when present and
reported as absent otherwise, so the card can be regenerated on a fresh clone, with less in it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from scoring import metrics
from scoring.adapters import REGISTRY_SETS, LabelledData, german, load_one, prosper
from scoring.adapters.base import pooled
from scoring.evaluation import (Quality, booster_auc_with, cross_validated_pd, logistic_baseline_pd,
                                logistic_on_frame_auc, quality, transfer_pd)
from scoring.features import MONOTONE
from scoring.grades import GRADE_MAX_PD_BPS, GRADE_MIN_SCORE, GRADES
from scoring.model import TrainConfig
from scoring.schema import COLUMNS
from scoring.train import DEFAULT_DATASET, train

CARD_PATH = Path(__file__).resolve().parent / "MODEL_CARD.md"
TARGETS = {"prosper_auc": 0.72, "prosper_ece": 0.02, "german_auc": 0.79}
LOGISTIC = "logistic regression, same signals (5-fold)"


@dataclass(frozen=True)
class DatasetResult:
    name: str
    description: str
    loans: int
    default_rate: float
    signals: list[str]
    cross_validated: Quality
    baselines: dict[str, float]  # name -> AUC on the same rows (held-out where it is a model)


@dataclass(frozen=True)
class TransferResult:
    trained_on: str
    tested_on: str
    quality: Quality


@dataclass(frozen=True)
class CardResults:
    config: dict[str, Any]
    datasets: list[DatasetResult]
    transfer: list[TransferResult]
    default_model: dict[str, Any]
    prosper_available: bool
    notes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect(prosper_path: str | Path | None = None, config: TrainConfig = TrainConfig()) -> CardResults:
    sets: dict[str, LabelledData] = {name: load_one(name) for name in REGISTRY_SETS}
    prosper_file = Path(prosper_path) if prosper_path else prosper.default_path()
    if prosper_file.is_file():
        sets = {"prosper": prosper.load(prosper_file), **sets}

    datasets = [_evaluate(data, config) for data in sets.values()]
    transfer = [TransferResult(a, b, quality(sets[b].defaulted, transfer_pd(sets[a], sets[b], config)))
                for a in sets for b in sets if a != b]

    registry = pooled([sets[name] for name in REGISTRY_SETS], DEFAULT_DATASET)
    default_artifact, _ = train(registry, config)
    pooled_pd = cross_validated_pd(registry, config)
    per_source = {name: quality(registry.defaulted[registry.source == name], pooled_pd[registry.source == name])
                  for name in REGISTRY_SETS}
    default_model = {
        "model_id": default_artifact.model_id,
        "trained_on": list(REGISTRY_SETS),
        "signals_used": default_artifact.metadata["signals_used"],
        "references": default_artifact.references,
        "cross_validated_pooled": quality(registry.defaulted, pooled_pd),
        "cross_validated_by_source": per_source,
    }
    if "prosper" in sets:
        from scoring.serving import Scorer

        unseen = Scorer(default_artifact).pd_of_frame(sets["prosper"].signals)
        default_model["transfer_to_prosper"] = quality(sets["prosper"].defaulted, unseen)

    return CardResults(config.to_dict(), datasets, transfer, default_model, "prosper" in sets,
                       _diagnostics(sets, prosper_file, config))


def _diagnostics(sets: dict[str, LabelledData], prosper_file: Path, config: TrainConfig) -> dict[str, float]:
    """Numbers that explain the gaps to the targets (what was tried, what would be needed)."""
    unconstrained = replace(config, monotone=False)
    lendingclub = sets["lendingclub"]
    without_verification = replace(lendingclub, signals=lendingclub.signals.assign(income_verified=np.nan))
    frame, outcome = german.full_frame()
    notes = {
        "german_all_20_columns_logistic_auc": logistic_on_frame_auc(frame, outcome, config.seed),
        "lendingclub_unconstrained_auc": quality(
            lendingclub.defaulted, cross_validated_pd(lendingclub, unconstrained)).auc,
        "lendingclub_logistic_without_income_verified_auc": quality(
            lendingclub.defaulted, logistic_baseline_pd(without_verification, config.seed)).auc,
    }
    if "prosper" in sets:
        data = sets["prosper"]
        extra = prosper.outside_schema(prosper_file)
        notes.update({
            "prosper_unconstrained_auc": quality(data.defaulted, cross_validated_pd(data, unconstrained)).auc,
            "prosper_booster_schema_only_auc": booster_auc_with(data, None, config),
            "prosper_booster_plus_listing_year_auc": booster_auc_with(data, extra[["listing_year"]], config),
            "prosper_booster_plus_state_occupation_auc": booster_auc_with(data, extra[["state", "occupation"]],
                                                                          config),
        })
    return notes


def _evaluate(data: LabelledData, config: TrainConfig) -> DatasetResult:
    oof = cross_validated_pd(data, config)
    baselines = {LOGISTIC: quality(data.defaulted, logistic_baseline_pd(data, config.seed)).auc}
    for name, risk in data.benchmarks.items():
        baselines[name] = metrics.auc(data.defaulted, risk)
    return DatasetResult(data.name, data.description, data.rows, data.default_rate, data.observed_signals(),
                         quality(data.defaulted, oof), baselines)


# -- rendering ---------------------------------------------------------------------------------

def render(results: CardResults) -> str:
    by_name = {d.name: d for d in results.datasets}
    lines = [
        "# Lendchain credit score: model card",
        "",
        "Generated by `python -m scoring card` (scoring/model_card.py); edit the generator, not this file.",
        "Every metric is measured on loans the model did not see: 5-fold cross-validation within a data",
        "set, or a model trained on one data set applied to another (transfer).",
        "",
        "## Results by data set (5-fold cross-validation, each set's own model)",
        "",
        "| Data set | Loans | Default rate | AUC | KS | Brier | ECE | Default rate monotone by grade |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for d in results.datasets:
        q = d.cross_validated
        lines.append(f"| {d.name} | {d.loans:,} | {d.default_rate:.1%} | {q.auc:.3f} | {q.ks:.3f} | {q.brier:.4f} "
                     f"| {q.ece:.4f} | {'yes' if q.monotone else 'no'} |")
    if not results.prosper_available:
        lines += ["", "Prosper: file not available when this card was generated (see scoring/adapters/prosper.py)."]
    lines += ["", *_targets(results, by_name), "", *_diagnostics_section(results), "",
              "## Comparison with other scores (AUC on the same loans)", ""]
    lines += ["| Data set | This model | Reference | Reference AUC |", "|---|---:|---|---:|"]
    for d in results.datasets:
        for name, value in d.baselines.items():
            lines.append(f"| {d.name} | {d.cross_validated.auc:.3f} | {name} | {value:.3f} |")
    german_full = results.notes.get("german_all_20_columns_logistic_auc")
    if german_full is not None:
        lines.append(f"| german | {by_name['german'].cross_validated.auc:.3f} | logistic regression on all 20 "
                     f"original columns, outside the schema (5-fold) | {german_full:.3f} |")
    lines += [
        "",
        "ProsperScore and LendingClub's sub-grade are the platforms' own scores (the sub-grade also sets",
        "the interest rate, so it is shown only for reference); the bureau score alone is the Prosper",
        "credit-score band. None of them is a model input.",
        "",
        "## Calibration by grade (held-out)",
        "",
    ]
    for d in results.datasets:
        lines += _grade_table(d.name, d.cross_validated)
    lines += ["## Cross-data-set transfer (train on one, test on another)", "",
              *_transfer_table(results), "", *_default_model(results), "", *_data_section(results),
              "", *_features_section(results), "", *_model_section(results), "", *_grades_section(), "",
              *_limits_section(results)]
    return "\n".join(lines) + "\n"


def _targets(results: CardResults, by_name: dict[str, DatasetResult]) -> list[str]:
    lines = ["## Targets", "", "| Target | Measured | Met |", "|---|---:|---|"]
    if "prosper" in by_name:
        q = by_name["prosper"].cross_validated
        lines += [
            f"| Prosper 5-fold AUC >= {TARGETS['prosper_auc']} | {q.auc:.3f} | "
            f"{_met(q.auc >= TARGETS['prosper_auc'], q.auc - TARGETS['prosper_auc'])} |",
            f"| Prosper expected calibration error <= {TARGETS['prosper_ece']} | {q.ece:.4f} | "
            f"{_met(q.ece <= TARGETS['prosper_ece'], TARGETS['prosper_ece'] - q.ece)} |",
            f"| Prosper default rate monotone by grade | {'yes' if q.monotone else 'no'} | "
            f"{'yes' if q.monotone else 'NO'} |",
        ]
        prosper_score = by_name["prosper"].baselines.get("ProsperScore")
        if prosper_score is not None:
            lines.append(f"| Beat ProsperScore (AUC {prosper_score:.3f}) | {q.auc:.3f} | "
                         f"{_met(q.auc > prosper_score, q.auc - prosper_score)} |")
    if "german" in by_name:
        auc = by_name["german"].cross_validated.auc
        lines.append(f"| German credit 5-fold AUC >= {TARGETS['german_auc']} | {auc:.3f} | "
                     f"{_met(auc >= TARGETS['german_auc'], auc - TARGETS['german_auc'])} |")
    transfer = results.default_model.get("transfer_to_prosper")
    if transfer is not None:
        lines.append(f"| Transfer of the shipped default model to unseen data (Prosper) reported | "
                     f"AUC {transfer.auc:.3f}, ECE {transfer.ece:.3f} | yes (reported) |")
    return lines


def _diagnostics_section(results: CardResults) -> list[str]:
    n = results.notes
    own = {d.name: d.cross_validated.auc for d in results.datasets}
    german_schema_lr = next(d.baselines[LOGISTIC] for d in results.datasets if d.name == "german")
    lines = ["## Why targets are missed, and what was tried", ""]
    if "prosper_booster_schema_only_auc" in n:
        lines += [
            "- **Prosper AUC.** The schema gives Prosper ten signals (no debt-to-income in this file). Larger",
            "  ensembles (300 trees of 15 leaves), early stopping, isotonic calibration and a loan-to-income",
            "  ratio all stayed within 0.003 of the shipped setting. Dropping the monotone constraints gives "
            f"{n['prosper_unconstrained_auc']:.3f}.",
            "  What the same trees reach with columns outside the schema (diagnostic only, never inputs): "
            f"schema signals {n['prosper_booster_schema_only_auc']:.3f}; + listing year "
            f"{n['prosper_booster_plus_listing_year_auc']:.3f}; + state and occupation "
            f"{n['prosper_booster_plus_state_occupation_auc']:.3f}. The listing year is a sampling artefact "
            "(loans closed by March 2014: the year mostly says how long a loan had to close), and state "
            "and occupation are not schema signals (and state is a geographic proxy), so 0.72 is not "
            "reachable honestly from this file's schema signals.",
        ]
    lines += [
        "- **German credit AUC.** The schema covers phone, employment, housing, amount, term and purpose of "
        "this set; its strongest columns (checking-account status, savings, credit history) are not "
        "schema signals. A logistic regression on all 20 original columns reaches "
        f"{n['german_all_20_columns_logistic_auc']:.3f}, in line with the 0.78 quoted for a plain "
        "logistic regression; on the schema signals alone a logistic regression reaches "
        f"{german_schema_lr:.3f}. Reaching 0.79 would need new signals (e.g. a bank-account balance "
        "check), a product decision.",
        f"- **LendingClub** (no target): AUC {own['lendingclub']:.3f} with the monotone constraints, "
        f"{n['lendingclub_unconstrained_auc']:.3f} without. A logistic regression on the same signals does "
        "better mainly because it scores a *verified* income as riskier (LendingClub verified the incomes "
        "of its riskier applicants), which the constraints forbid on purpose; without income verification "
        f"it reaches {n['lendingclub_logistic_without_income_verified_auc']:.3f}.",
    ]
    return lines


def _met(ok: bool, margin: float) -> str:
    return f"yes ({margin:+.3f})" if ok else f"NO (short by {abs(margin):.3f})"


def _grade_table(name: str, q: Quality) -> list[str]:
    lines = [f"**{name}** (mean PD {q.mean_pd:.1%}, observed {q.default_rate:.1%})", "",
             "| Grade | Loans | Mean PD | Observed default rate |", "|---|---:|---:|---:|"]
    lines += [f"| {r.grade} | {r.loans:,} | {r.mean_pd:.1%} | {r.default_rate:.1%} |" for r in q.by_grade]
    return lines + [""]


def _transfer_table(results: CardResults) -> list[str]:
    names = [d.name for d in results.datasets]
    own = {d.name: d.cross_validated for d in results.datasets}
    cell = {(t.trained_on, t.tested_on): t.quality for t in results.transfer}
    lines = ["AUC, and mean predicted PD / observed default rate on the test set; the diagonal is",
             "the set's own cross-validated model.", "",
             "| Trained on \\ tested on | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for a in names:
        row = []
        for b in names:
            q = own[a] if a == b else cell[(a, b)]
            row.append(f"{q.auc:.3f} ({q.mean_pd:.0%} / {q.default_rate:.0%})")
        lines.append(f"| {a} | " + " | ".join(row) + " |")
    return lines


def _default_model(results: CardResults) -> list[str]:
    dm = results.default_model
    pooled_q = dm["cross_validated_pooled"]
    lines = [
        "## The shipped default model",
        "",
        f"Trained by `python -m scoring ensure-default` on the registry-shipped sets pooled "
        f"({' + '.join(dm['trained_on'])}), so a fresh clone needs no other data. "
        f"Model id `{dm['model_id']}`.",
        "",
        "| Evaluation | Loans | Default rate | Mean PD | AUC | KS | Brier | ECE |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        _quality_row("pooled, 5-fold cross-validation", pooled_q),
    ]
    for name, q in dm["cross_validated_by_source"].items():
        lines.append(_quality_row(f"  of which {name} (held-out folds)", q))
    transfer = dm.get("transfer_to_prosper")
    if transfer is not None:
        lines.append(_quality_row("**Prosper, never seen (transfer)**", transfer))
    lines += ["", "The pooled AUC is flattered: which signals a row has tells the sources (and their default "
              "rates, 5 % to 30 %) apart. The per-source rows are the fair numbers for those populations."]
    if transfer is not None:
        lines += ["", "Calibration of the default model on Prosper (unseen):", "",
                  *_grade_table("default model on prosper", transfer)]
    return lines


def _quality_row(label: str, q: Quality) -> str:
    return (f"| {label} | {q.loans:,} | {q.default_rate:.1%} | {q.mean_pd:.1%} | {q.auc:.3f} | {q.ks:.3f} "
            f"| {q.brier:.4f} | {q.ece:.4f} |")


def _data_section(results: CardResults) -> list[str]:
    lines = ["## Data", "",
             "Each source is mapped into the signal schema by an adapter in scoring/adapters/ whose module",
             "documentation lists every mapping and every column left out (and why). Summary:", "",
             "| Data set | Source | Loans | Default rate | Signals it labels |", "|---|---|---:|---:|---|"]
    for d in results.datasets:
        lines.append(f"| {d.name} | {d.description} | {d.loans:,} | {d.default_rate:.1%} | {', '.join(d.signals)} |")
    lines += ["",
              "Never model inputs: anything the platform sets after scoring (Prosper's rate, APR and number",
              "of investors; LendingClub's interest rate and sub-grade), anything known only after the",
              "outcome (Prosper's closing date), the platforms' own scores, and protected attributes (age,",
              "sex, marital status, foreign-worker status in the German and credit_data sets). Prosper's 13",
              "duplicated listings are dropped. The Prosper file stays outside the repository."]
    return lines


def _features_section(results: CardResults) -> list[str]:
    constrained = ", ".join(f"{name} ({'+' if sign > 0 else '-'})" for name, sign in MONOTONE.items())
    return ["## Features", "",
            f"The schema has {len(COLUMNS)} signals (scoring/schema.py): "
            + ", ".join(f"`{name}`" for name in COLUMNS) + ".",
            "A model uses the signals its training rows observe; categories are one-hot encoded, missing",
            "values stay missing (the trees learn where they go).",
            f"Monotone constraints (sign of the effect on PD): {constrained}. They keep a completed",
            "verification from ever raising a PD, even where a source's selection says otherwise",
            "(LendingClub verified the incomes of riskier applicants), at a small cost in AUC there."]


def _model_section(results: CardResults) -> list[str]:
    config = ", ".join(f"{k}={v}" for k, v in results.config.items())
    return ["## Model", "",
            "One scikit-learn Pipeline (scoring/model.py): ColumnTransformer (scoring/features.py) ->",
            "CalibratedClassifierCV(HistGradientBoostingClassifier, sigmoid, 5 folds, ensemble=False).",
            f"Configuration, identical for every data set: {config}.",
            "Training is deterministic (fixed seeds, one thread): the same data gives the same model id, the",
            "sha256 of the saved model (scoring/artifact.py). Reason codes and the verification hint are",
            "counterfactual PDs from the model itself (scoring/explain.py)."]


def _grades_section() -> list[str]:
    lines = ["## Grades", "", "Each grade step doubles the odds of default (scoring/grades.py):", "",
             "| Grade | Code | Score | PD (bps, rounded up) |", "|---|---:|---|---|"]
    low_bps = 0
    for i, (grade, max_bps, min_score) in enumerate(zip(GRADES, GRADE_MAX_PD_BPS, GRADE_MIN_SCORE)):
        high_score = 100 if i == 0 else GRADE_MIN_SCORE[i - 1] - 1
        lines.append(f"| {grade} | {i + 1} | {min_score}..{high_score} | {low_bps}..{max_bps} |")
        low_bps = max_bps + 1
    return lines


def _limits_section(results: CardResults) -> list[str]:
    labelled = set()
    for d in results.datasets:
        labelled |= set(d.signals)
    unlabelled = [name for name in COLUMNS if name not in labelled]
    default_unused = [name for name in COLUMNS if name not in results.default_model["signals_used"]]
    return [
        "## Limits",
        "",
        f"- **Signals no public data set labels**: {', '.join(unlabelled)}. They are in the schema, "
        "validated and stored, but no model here has seen them with an outcome, so they do not move "
        "any PD, never appear as reasons, and identity/email verification is never suggested.",
        f"- **The default model ignores** {', '.join(default_unused)} (not labelled by LendingClub, "
        "credit_data or German credit). Its PDs come from income, employment, home ownership, phone, "
        "loan size, term and purpose only.",
        "- **How the platform will learn them**: every resolved loan (repaid or defaulted) is stored with "
        "the signals its borrower had when scored; `python -m scoring train --dataset platform,registry "
        "--data loans.csv` (scoring/adapters/platform.py) pools them with the public sets. Until a few "
        "hundred platform defaults exist, the PD of an applicant whose strongest signals are platform "
        "signals is an extrapolation and should be treated as such (e.g. conservative grade policy).",
        "- **Calibration on the platform is unknown.** The sources' default rates range from 5 % "
        "(LendingClub) to 30 % (German credit) and each PD is calibrated to the mix it was trained on; "
        "transfer between sets shows both ranking and level can move a lot (tables above: on Prosper the "
        "default model's PDs are far too low). Grade policy should stay conservative until the model is "
        "retrained, or at least its sigmoid recalibrated, on the platform's own outcomes.",
        "- **Sample effects**: Prosper holds loans closed by March 2014, so short and early loans are "
        "over-represented and its default rate is a sample rate, not a lifetime rate; German credit is "
        "a 1970s sample with bad loans over-sampled to 30 %, amounts converted from DM without "
        "inflation adjustment; credit_data's money columns have no documented unit and are not used.",
        "- **Reasons are counterfactual, not additive**: each reason's basis points are what that one "
        "signal at its most favourable observed value would save; they do not sum to the PD.",
        "- **Fairness**: protected attributes are never inputs, but proxies (home ownership, purpose, "
        "income) remain; no disparate-impact audit has been done.",
    ]


def write_card(out: str | Path | None = None, json_out: str | Path | None = None,
               prosper_path: str | Path | None = None) -> Path:
    results = collect(prosper_path)
    path = Path(out) if out else CARD_PATH
    path.write_text(render(results))
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(results.to_dict(), indent=2, default=_plain) + "\n")
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")
