"""Command line: `python -m scoring {train,predict,recalibrate,drift,ensure-default,card} ...`.

Exit status: 0 done; 1 done but flagged (rows skipped by `predict --skip-invalid`, drift above
the threshold); 2 refused (bad input, too few outcomes, unusable model), with a message on
stderr and no output written. See scoring/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.adapters import NAMES
from scoring.artifact import ArtifactError
from scoring.drift import MAJOR, MODERATE
from scoring.validation import SignalError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scoring", description="Lendchain credit scoring")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model and save it as an artifact directory")
    train.add_argument("--dataset", required=True,
                       help=f"one of {', '.join(NAMES)}, or several joined by commas to pool them")
    train.add_argument("--data", type=Path, help="CSV(.gz) for prosper (default: ../shared/data) or platform")
    train.add_argument("--out", type=Path, required=True, help="artifact directory to write")

    predict = commands.add_parser("predict", help="score a CSV of signals")
    predict.add_argument("--model", type=Path, required=True, help="artifact directory")
    predict.add_argument("--input", type=Path, required=True, help="CSV with schema columns (any subset)")
    predict.add_argument("--output", type=Path, required=True, help="CSV to write (input + pd, grade, ...)")
    predict.add_argument("--skip-invalid", action="store_true",
                         help="score the valid rows, list the rejected ones in an errors CSV, exit 1 if any")
    predict.add_argument("--errors", type=Path, default=None, help="errors CSV (default: OUTPUT.errors.csv)")

    recalibrate = commands.add_parser("recalibrate", help="map a model's PDs to the platform's observed default rate")
    recalibrate.add_argument("--model", type=Path, required=True, help="artifact directory to recalibrate")
    recalibrate.add_argument("--data", type=Path, required=True,
                             help="resolved platform loans (CSV: schema columns + defaulted)")
    recalibrate.add_argument("--out", type=Path, required=True, help="artifact directory to write")

    drift = commands.add_parser("drift", help="population stability of recent applicants against the training data")
    drift.add_argument("--model", type=Path, required=True, help="artifact directory")
    drift.add_argument("--data", type=Path, required=True, help="CSV of recent applicants' signals")
    drift.add_argument("--threshold", type=float, default=MAJOR,
                       help=f"exit 1 if any signal's PSI is above it (default {MAJOR}; {MODERATE} is the early warning)")

    default = commands.add_parser("ensure-default", help="train the default model if it is absent")
    default.add_argument("--dir", type=Path, default=None, help="default: scoring/artifacts/default")

    card = commands.add_parser("card", help="evaluate every data set and write the model card")
    card.add_argument("--out", type=Path, default=None, help="default: scoring/MODEL_CARD.md")
    card.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    card.add_argument("--prosper", type=Path, default=None, help="Prosper file (default: ../shared/data)")
    card.add_argument("--from-json", type=Path, default=None,
                      help="render from numbers already measured (a --json file, or the benchmark's results JSON)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SignalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ArtifactError, FileNotFoundError, ValueError) as error:  # RecalibrationError is a ValueError
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "train":
        from scoring.train import train_to

        trained = train_to(args.out, args.dataset, args.data)
        info = trained.metadata["training"]
        print(f"trained {trained.model_id} on {info['dataset']} ({info['rows']} loans, "
              f"{info['default_rate']:.1%} defaulted) -> {args.out}")
        return 0
    if args.command == "predict":
        from scoring.predict import predict_file

        summary = predict_file(args.model, args.input, args.output, args.skip_invalid, args.errors)
        grades = ", ".join(f"{g} {n}" for g, n in sorted(summary.grades.items(), key=lambda kv: _grade_order(kv[0])))
        print(f"scored {summary.rows} rows with {summary.model_id} -> {args.output} ({grades})")
        if summary.skipped:
            from scoring.predict import default_errors_path

            print(f"error: skipped {summary.skipped} invalid rows, listed in "
                  f"{args.errors or default_errors_path(args.output)}", file=sys.stderr)
            return 1
        return 0
    if args.command == "recalibrate":
        from scoring.recalibrate import recalibrate_to

        model = recalibrate_to(args.model, args.data, args.out)
        r = model.metadata["recalibration"]
        print(f"recalibrated {r['base_model_id']} -> {model.model_id} on {r['loans']} loans ({r['defaults']} defaults) "
              f"with {r['method']['method']}: ECE {r['before']['ece']:.4f} -> {r['after_cross_validated']['ece']:.4f} "
              f"(cross-validated) -> {args.out}")
        return 0
    if args.command == "drift":
        return _drift(args)
    if args.command == "ensure-default":
        from scoring.train import DEFAULT_MODEL_DIR, ensure_default_model

        directory = args.dir or DEFAULT_MODEL_DIR
        model, trained_now = ensure_default_model(directory)
        print(f"{'trained' if trained_now else 'found'} default model {model.model_id} in {directory}")
        return 0
    if args.command == "card":
        from scoring.model_card import write_card

        path = write_card(args.out, args.json, args.prosper, args.from_json)
        print(f"wrote {path}")
        return 0
    raise AssertionError(args.command)


def _drift(args: argparse.Namespace) -> int:
    from scoring import artifact
    from scoring.csvio import read_signals
    from scoring.drift import population_stability

    reference = artifact.load(args.model).metadata["drift_reference"]
    text, recent = read_signals(args.data)
    report = population_stability(reference, recent, list(text.columns))
    absent = [name for name in reference if name not in text.columns]
    if absent:
        print(f"not in {args.data}, not measured: {', '.join(absent)}")
    print(f"{'signal':<26} {'PSI':>8}  status    missing (recent / training)")
    for d in report:
        print(f"{d.signal:<26} {d.psi:>8.4f}  {d.status:<9} {d.recent_missing:.1%} / {d.training_missing:.1%}")
    above = [d.signal for d in report if d.psi > args.threshold]
    if above:
        print(f"error: PSI above {args.threshold} for {', '.join(above)}", file=sys.stderr)
        return 1
    return 0


def _grade_order(grade: str) -> int:
    from scoring.grades import GRADES

    return GRADES.index(grade)
