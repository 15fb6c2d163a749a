"""Evaluate every data set and write scoring/MODEL_CARD.md: `python -m scoring card`.

`collect()` measures (slow: it trains about 40 models, several minutes on 2 cores);
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
from scoring.recalibrate import MAX_ISOTONIC_AUC_COST
from scoring.serving import Scorer
from scoring.train import DEFAULT_DATASET, train
from scoring.transfer import FIT_LOANS, RecalibratedTransfer, recalibrated_transfer

CARD_PATH = Path(__file__).resolve().parent / "MODEL_CARD.md"
BENCH_JSON = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "scoring.json"
# Issue "Credit score II": AUC >= on 5-fold CV, in-domain ECE <=, recalibrated transfer ECE <=,
# AUC cost of a recalibration map <= (0 for a strictly monotone map).
TARGETS = {"german_auc": 0.77, "prosper_auc": 0.705, "ece": 0.02, "transfer_ece": 0.03, "recalibration_auc_cost": 0.002}
REPEATS = 5  # repetitions of the AUC-target sets' cross-validation with other seeds (their AUCs move with the folds)
LOGISTIC = "logistic regression, same signals (5-fold)"


@dataclass(frozen=True)
class DatasetResult:
    name: str
    description: str
    loans: int
    default_rate: float
    signals: list[str]
    cross_validated: Quality
    ece_noise_floor: float  # ECE that perfectly calibrated PDs would show on these loans
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
    recalibrated: list[RecalibratedTransfer] = field(default_factory=list)
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
    recalibrated = []
    if "prosper" in sets:
        unseen = Scorer(default_artifact).pd_of_frame(sets["prosper"].signals)
        default_model["transfer_to_prosper"] = quality(sets["prosper"].defaulted, unseen)
        prosper_artifact, _ = train(sets["prosper"], config)
        recalibrated = [recalibrated_transfer(prosper_artifact, "prosper", sets["lendingclub"]),
                        recalibrated_transfer(default_artifact, "registry (default model)", sets["prosper"])]

    return CardResults(config.to_dict(), datasets, transfer, default_model, "prosper" in sets, recalibrated,
                       _diagnostics(sets, prosper_file, config))


def _diagnostics(sets: dict[str, LabelledData], prosper_file: Path, config: TrainConfig) -> dict[str, float]:
    """Numbers that explain the gaps to the targets (what was tried, what would be needed)."""
    unconstrained = replace(config, monotone=False)
    lendingclub = sets["lendingclub"]
    without_verification = replace(lendingclub, signals=lendingclub.signals.assign(income_verified=np.nan))
    frame, outcome = german.full_frame()
    german_data = sets["german"]
    notes = {
        "german_all_20_columns_logistic_auc": logistic_on_frame_auc(frame, outcome, config.seed),
        "german_repeated_cv_auc": [quality(german_data.defaulted,
                                           cross_validated_pd(german_data, replace(config, seed=seed))).auc
                                   for seed in range(REPEATS)],
        "lendingclub_unconstrained_auc": quality(
            lendingclub.defaulted, cross_validated_pd(lendingclub, unconstrained)).auc,
        "lendingclub_logistic_without_income_verified_auc": quality(
            lendingclub.defaulted, logistic_baseline_pd(without_verification, config.seed)).auc,
    }
    if "prosper" in sets:
        data = sets["prosper"]
        extra = prosper.outside_schema(prosper_file)
        notes.update({
            "prosper_repeated_cv_auc": [quality(data.defaulted, cross_validated_pd(data, replace(config, seed=seed))).auc
                                        for seed in range(REPEATS)],
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
                         quality(data.defaulted, oof), metrics.ece_noise_floor(oof, seed=config.seed), baselines)


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
        "| Data set | Loans | Default rate | AUC | KS | Brier | ECE | ECE noise floor | Default rate monotone by grade |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for d in results.datasets:
        q = d.cross_validated
        lines.append(f"| {d.name} | {d.loans:,} | {d.default_rate:.1%} | {q.auc:.3f} | {q.ks:.3f} | {q.brier:.4f} "
                     f"| {q.ece:.4f} | {d.ece_noise_floor:.4f} | {'yes' if q.monotone else 'no'} |")
    lines += ["", "ECE noise floor: the ECE perfectly calibrated PDs would show on the same loans (outcomes drawn "
              "from the PDs, mean of 200 draws; scoring/metrics.py)."]
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
              *_transfer_table(results), "", *_recalibration_section(results), "", *_default_model(results), "", *_data_section(results),
              "", *_features_section(results), "", *_model_section(results), "", *_grades_section(), "",
              *_limits_section(results)]
    return "\n".join(lines) + "\n"


def _targets(results: CardResults, by_name: dict[str, DatasetResult]) -> list[str]:
    """The issue's targets with the measured values (speed from the benchmark's JSON, if run)."""
    lines = ["## Targets", "",
             "Quality: `python -m scoring card` (this file). Speed: `python benchmarks/scoring_bench.py` "
             "(benchmarks/results/scoring.json).", "",
             "| Target | Measured | Met |", "|---|---:|---|"]
    if "german" in by_name:
        auc, repeats = by_name["german"].cross_validated.auc, results.notes["german_repeated_cv_auc"]
        mean, spread = float(np.mean(repeats)), float(np.std(repeats))
        lines.append(f"| German credit 5-fold AUC, schema incl. bank signals >= {TARGETS['german_auc']} | "
                     f"{auc:.4f} (seed 0); {mean:.4f} +- {spread:.4f} over {len(repeats)} seeds | "
                     f"{_met(auc >= TARGETS['german_auc'], auc - TARGETS['german_auc'])}; "
                     f"mean {_met(mean >= TARGETS['german_auc'], mean - TARGETS['german_auc'])} |")
    if "prosper" in by_name:
        auc, repeats = by_name["prosper"].cross_validated.auc, results.notes["prosper_repeated_cv_auc"]
        mean, spread = float(np.mean(repeats)), float(np.std(repeats))
        lines.append(f"| Prosper 2009-2014 5-fold AUC >= {TARGETS['prosper_auc']} (no regression) | "
                     f"{auc:.4f} (seed 0); {mean:.4f} +- {spread:.4f} over {len(repeats)} seeds | "
                     f"{_met(auc >= TARGETS['prosper_auc'], auc - TARGETS['prosper_auc'])}; "
                     f"mean {_met(mean >= TARGETS['prosper_auc'], mean - TARGETS['prosper_auc'])} |")
    for d in results.datasets:
        ece = d.cross_validated.ece
        lines.append(f"| ECE in-domain <= {TARGETS['ece']}: {d.name} | {ece:.4f} (noise floor {d.ece_noise_floor:.4f}) "
                     f"| {_met(ece <= TARGETS['ece'], TARGETS['ece'] - ece)} |")
    for r in results.recalibrated:
        cost = r.before.auc - r.after.auc
        lines += [
            f"| Transfer {r.trained_on} -> {r.tested_on}, recalibrated ({r.method}) on {r.fit_loans:,} loans: "
            f"ECE on the other {r.after.loans:,} <= {TARGETS['transfer_ece']} | {r.after.ece:.4f} "
            f"(before {r.before.ece:.4f}) | {_met(r.after.ece <= TARGETS['transfer_ece'], TARGETS['transfer_ece'] - r.after.ece)} |",
            f"| Transfer AUC after recalibration unchanged ({r.trained_on} -> {r.tested_on}) | "
            f"{r.before.auc:.4f} -> {r.after.auc:.4f} | "
            f"{_met(cost <= (0.0 if r.method == 'platt' else TARGETS['recalibration_auc_cost']), -cost)} |",
        ]
    lines += _speed_targets()
    return lines


def _speed_targets() -> list[str]:
    """Speed rows from the benchmark's JSON: wall-clock (what the target names) and CPU time (what
    wall-clock would be on an idle core; the machines are shared, see the recorded load)."""
    if not BENCH_JSON.is_file():
        return ["| Speed targets | not measured (run benchmarks/scoring_bench.py) | - |"]
    bench = json.loads(BENCH_JSON.read_text())
    shipped = bench["speed"]["default_model_registry"]
    latency, batch, targets = shipped["latency_one_profile"]["with_reasons_and_hint"], shipped["batch"], bench["targets"]
    load = bench["machine"]["load_average_at_start"][0]
    p50, cpu_p50 = latency["p50_ms"], latency["cpu_p50_ms"]
    rate, cpu_rate = batch["scores_rows_per_s_1_thread"], batch["scores_rows_per_cpu_s_1_thread"]
    return [
        f"| Single-profile scoring p50, with reasons and hints <= {targets['p50_one_profile_ms']} ms | "
        f"{p50:.3f} ms wall (load {load:.1f} on {bench['machine']['cpus']} cores); {cpu_p50:.3f} ms CPU | "
        f"wall {_met(p50 <= targets['p50_one_profile_ms'], targets['p50_one_profile_ms'] - p50)}; "
        f"CPU {_met(cpu_p50 <= targets['p50_one_profile_ms'], targets['p50_one_profile_ms'] - cpu_p50)} |",
        f"| Batch scoring (PD, grade, score; 1 thread) >= {targets['batch_rows_per_s']:,} rows/s | {rate:,.0f} rows/s "
        f"wall; {cpu_rate:,.0f} rows per CPU-second | wall {'yes' if rate >= targets['batch_rows_per_s'] else 'NO'}; "
        f"CPU {'yes' if cpu_rate >= targets['batch_rows_per_s'] else 'NO'} |",
        f"| (not a target) batch with reasons and hints; CSV file end to end | "
        f"{batch['scores_reasons_hints_rows_per_s_1_thread']:,.0f}; {batch['cli_csv_end_to_end_rows_per_s']:,.0f} "
        "rows/s wall | - |",
    ]


def _diagnostics_section(results: CardResults) -> list[str]:
    n = results.notes
    by_name = {d.name: d for d in results.datasets}
    german = by_name["german"]
    lines = ["## Notes on the targets", ""]
    lines += [
        f"- **German credit AUC.** With the bank signals (checking-account status and savings bands, "
        f"scoring/adapters/german.py) the trees reach {german.cross_validated.auc:.4f} on seed 0's folds, "
        f"{float(np.mean(n['german_repeated_cv_auc'])):.4f} on average over {REPEATS} seeds (each "
        f"{', '.join(f'{a:.4f}' for a in n['german_repeated_cv_auc'])}): on 1,000 loans the folds alone move the "
        f"AUC by about 0.005, so the model is *at* the 0.77 target, not clearly above it. A logistic regression "
        f"on the same schema signals reaches {german.baselines[LOGISTIC]:.3f}; on all 20 original columns, "
        f"outside the schema, {n['german_all_20_columns_logistic_auc']:.3f}. Smaller leaves (50 or 30 rows) "
        "and slower learning moved German credit within that noise and were not adopted.",
        f"- **ECE on German credit** ({german.cross_validated.ece:.4f}) is above 0.02, and so is its noise "
        f"floor ({german.ece_noise_floor:.4f}): perfectly calibrated PDs would show about that ECE on 1,000 loans "
        "(10 bins of 100 loans; a bin's default rate alone varies by about 0.045). The 0.02 target cannot be "
        "told apart from noise on this set; the mean PD matches the default rate and the grades are monotone.",
    ]
    if "prosper_booster_schema_only_auc" in n:
        lines.append(
            f"- **Prosper AUC** {by_name['prosper'].cross_validated.auc:.4f} on seed 0's folds, "
            f"{float(np.mean(n['prosper_repeated_cv_auc'])):.4f} on average over {REPEATS} seeds (each "
            f"{', '.join(f'{a:.4f}' for a in n['prosper_repeated_cv_auc'])}): like German credit, *at* the target "
            "within the folds' noise, not clearly above or below it. This file has no bank columns, so its "
            "trees are fitted on the same columns and rows as in the first credit-score issue and its AUC is the "
            "same to the last digit (0.70487, reported there as 0.705): no regression; the 0.705 target is that "
            "number rounded. Without the monotone constraints: "
            f"{n['prosper_unconstrained_auc']:.3f}; the same trees with columns outside the schema (diagnostic only, "
            f"never inputs): + listing year {n['prosper_booster_plus_listing_year_auc']:.3f}, + state and "
            f"occupation {n['prosper_booster_plus_state_occupation_auc']:.3f}.")
    for r in results.recalibrated:
        lines.append(
            f"- **Transfer {r.trained_on} -> {r.tested_on}.** Before recalibration the mean PD is "
            f"{r.before.mean_pd:.1%} against an observed {r.before.default_rate:.1%}; after, {r.after.mean_pd:.1%}. "
            f"Recalibration fixes the level, not the ranking: the AUC stays {r.after.auc:.3f}.")
    lines.append(
        f"- **LendingClub** (no AUC target): {by_name['lendingclub'].cross_validated.auc:.3f} with the monotone "
        f"constraints, {n['lendingclub_unconstrained_auc']:.3f} without; a logistic regression does better mainly "
        "by scoring a *verified* income as riskier (LendingClub verified its riskier applicants), which the "
        f"constraints forbid; without income verification it reaches "
        f"{n['lendingclub_logistic_without_income_verified_auc']:.3f}.")
    return lines


def _met(ok: bool, margin: float) -> str:
    return f"yes ({margin:+.4f})" if ok else f"NO (short by {abs(margin):.4f})"


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


def _recalibration_section(results: CardResults) -> list[str]:
    lines = ["## Recalibration on the platform's own outcomes", "",
             "`python -m scoring recalibrate --model DIR --data outcomes.csv --out DIR2` (scoring/recalibrate.py) keeps "
             "the trees and maps the PD to the observed default rate: Platt scaling on the logit, or isotonic with "
             f"at least 1,000 loans if cross-validation prefers it and its ties cost at most {MAX_ISOTONIC_AUC_COST} "
             "AUC. It refuses fewer than 200 resolved loans, 20 defaults or 20 repaid loans, and a set the model "
             "does not rank. Measured here as the platform would use it: a model moved to another data set, "
             f"recalibrated on {FIT_LOANS:,} of its loans (stratified draw), measured on the rest "
             "(scoring/transfer.py).", ""]
    if not results.recalibrated:
        return lines + ["Not measured: the Prosper file was not available."]
    lines += ["| Model -> data set | Map | Held-out loans | Default rate | Mean PD before / after | ECE before / after "
              "| AUC before / after |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in results.recalibrated:
        lines.append(f"| {r.trained_on} -> {r.tested_on} | {r.method} | {r.after.loans:,} | {r.after.default_rate:.1%} "
                     f"| {r.before.mean_pd:.1%} / {r.after.mean_pd:.1%} | {r.before.ece:.4f} / {r.after.ece:.4f} "
                     f"| {r.before.auc:.4f} / {r.after.auc:.4f} |")
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
            "Hyper-parameters are fixed on principled grounds, not tuned per data set nor on the reporting folds",
            "(scoring/model.py, TrainConfig): 150 trees of at most 8 leaves is the serving budget (every call walks",
            "every tree for the profile and its counterfactuals); a leaf holds at least 100 loans, so its default",
            "rate is estimated from enough loans; learning rate 0.05 with mild L2 so 150 trees reach the plateau",
            "without chasing noise; Platt's sigmoid (two parameters, enough for 1,000 loans, keeps the ranking and",
            "gives smooth PDs, where isotonic steps tie borrowers). The first credit-score round compared a few",
            "alternatives on the same 5-fold splits that report these results (not an independent test); the",
            "differences were within the folds' noise and none was adopted for them. Since then: a learning rate",
            "of 0.1 with 75 trees, smaller leaves, 4-leaf trees, stumps, isotonic calibration and loan-to-income",
            "or instalment ratios moved German credit and Prosper only within that noise (isotonic lowered German",
            "credit's AUC) and were not adopted, so the reported numbers carry no selection gain.",
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
        "bank link and balances, loan size, term and purpose only.",
        "- **How the platform will learn them**: every resolved loan (repaid or defaulted) is stored with "
        "the signals its borrower had when scored; `python -m scoring train --dataset platform,registry "
        "--data loans.csv` (scoring/adapters/platform.py) pools them with the public sets. Until a few "
        "hundred platform defaults exist, the PD of an applicant whose strongest signals are platform "
        "signals is an extrapolation and should be treated as such (e.g. conservative grade policy).",
        "- **Calibration on the platform is unknown until it has outcomes.** The sources' default rates range "
        "from 5 % (LendingClub) to 30 % (German credit) and each PD is calibrated to the mix it was trained "
        "on; transfer between sets moves both ranking and level (tables above). Recalibration on the "
        "platform's resolved loans fixes the level once 200 loans with 20 defaults exist; it cannot fix a "
        "ranking that does not carry over (the Prosper model ranks LendingClub loans barely better than "
        "chance), which only retraining on platform outcomes can. `python -m scoring drift` tells when "
        "applicants stop looking like the training data. Grade policy should stay conservative until then.",
        "- **Bank signals come from one 1970s set.** Only German credit labels a bank link, as balance bands "
        "(one USD value per band, 2.5 DM per USD, not inflation-adjusted) of accounts at the lending bank, "
        "read with Groemping's corrected labels; no set labels overdrafts. The bank-link hint uses a typical "
        "linked account of that set (scoring/explain.py). Platform outcomes are what will teach the model "
        "what a real 90-day average balance means.",
        "- **Sample effects**: Prosper holds loans closed by March 2014, so short and early loans are "
        "over-represented and its default rate is a sample rate, not a lifetime rate; German credit is "
        "a 1970s sample with bad loans over-sampled to 30 %, amounts converted from DM without "
        "inflation adjustment; credit_data's money columns have no documented unit and are not used.",
        "- **Reasons are counterfactual, not additive**: each reason's basis points are what that one "
        "signal at its most favourable observed value would save; they do not sum to the PD.",
        "- **Fairness**: protected attributes are never inputs, but proxies (home ownership, purpose, "
        "income) remain; no disparate-impact audit has been done.",
    ]


def results_from_dict(data: dict[str, Any]) -> CardResults:
    """CardResults back from `CardResults.to_dict()` (e.g. the benchmark JSON's `quality`), so the
    card can be re-rendered from numbers already measured: every number in it is deterministic."""
    def q(raw: dict[str, Any]) -> Quality:
        return Quality(**{**raw, "by_grade": tuple(metrics.GradeRow(**row) for row in raw["by_grade"])})

    default_model = dict(data["default_model"])
    default_model["cross_validated_pooled"] = q(default_model["cross_validated_pooled"])
    default_model["cross_validated_by_source"] = {name: q(v) for name, v in
                                                  default_model["cross_validated_by_source"].items()}
    if "transfer_to_prosper" in default_model:
        default_model["transfer_to_prosper"] = q(default_model["transfer_to_prosper"])
    return CardResults(
        config=data["config"],
        datasets=[DatasetResult(**{**d, "cross_validated": q(d["cross_validated"])}) for d in data["datasets"]],
        transfer=[TransferResult(t["trained_on"], t["tested_on"], q(t["quality"])) for t in data["transfer"]],
        default_model=default_model,
        prosper_available=data["prosper_available"],
        recalibrated=[RecalibratedTransfer(**{**r, "before": q(r["before"]), "after": q(r["after"])})
                      for r in data["recalibrated"]],
        notes=data["notes"],
    )


def write_card(out: str | Path | None = None, json_out: str | Path | None = None,
               prosper_path: str | Path | None = None, from_json: str | Path | None = None) -> Path:
    """Measure (or, with `from_json`, read the numbers of an earlier measurement) and write the card."""
    if from_json:
        stored = json.loads(Path(from_json).read_text())
        results = results_from_dict(stored.get("quality", stored))
    else:
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
