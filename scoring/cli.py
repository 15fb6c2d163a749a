"""Command line: `python -m scoring {train,predict,ensure-default,card} ...` (see scoring/README.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.adapters import NAMES
from scoring.artifact import ArtifactError
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

    default = commands.add_parser("ensure-default", help="train the default model if it is absent")
    default.add_argument("--dir", type=Path, default=None, help="default: scoring/artifacts/default")

    card = commands.add_parser("card", help="evaluate every data set and write the model card")
    card.add_argument("--out", type=Path, default=None, help="default: scoring/MODEL_CARD.md")
    card.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    card.add_argument("--prosper", type=Path, default=None, help="Prosper file (default: ../shared/data)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SignalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ArtifactError, FileNotFoundError, ValueError) as error:
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

        summary = predict_file(args.model, args.input, args.output)
        grades = ", ".join(f"{g} {n}" for g, n in sorted(summary.grades.items(), key=lambda kv: _grade_order(kv[0])))
        print(f"scored {summary.rows} rows with {summary.model_id} -> {args.output} ({grades})")
        return 0
    if args.command == "ensure-default":
        from scoring.train import DEFAULT_MODEL_DIR, ensure_default_model

        directory = args.dir or DEFAULT_MODEL_DIR
        model, trained_now = ensure_default_model(directory)
        print(f"{'trained' if trained_now else 'found'} default model {model.model_id} in {directory}")
        return 0
    if args.command == "card":
        from scoring.model_card import write_card

        path = write_card(args.out, args.json, args.prosper)
        print(f"wrote {path}")
        return 0
    raise AssertionError(args.command)


def _grade_order(grade: str) -> int:
    from scoring.grades import GRADES

    return GRADES.index(grade)
