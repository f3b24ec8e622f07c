"""`python -m ml.walk_forward` / `undercut evaluate`: run the walk-forward evaluation and print its summary."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options (shared with `undercut evaluate`; nothing heavy imported: every subcommand builds this parser)."""
    parser.add_argument("--home", type=Path, help="platform home (default: $UNDERCUT_HOME)")
    parser.add_argument("--seasons", type=int, nargs="+", help="seasons judged (default: the last three with results)")
    parser.add_argument("--subjects", nargs="+", help="what to judge: finishing_order, lap_time, overtake, ... "
                                                     "(default: all registered)")
    parser.add_argument("--rounds", type=int, nargs="+", help="only these rounds of the seasons (a quick look)")
    parser.add_argument("--mlflow", action="store_true", help="also log one run per subject to the home's MLflow")


def run(args: argparse.Namespace) -> int:
    from ml.paths import MlPaths
    from ml.walk_forward import folds
    from ml.walk_forward.report import calibration_table, log_to_mlflow, render, summary
    from ml.walk_forward.report import run as run_report
    from ml.walk_forward.subjects import SUBJECTS
    from transforms.settings import Settings

    unknown = set(args.subjects or []) - set(SUBJECTS)
    if unknown:
        raise SystemExit(f"unknown subjects {sorted(unknown)}; registered: {', '.join(SUBJECTS)}")
    settings = Settings(home=args.home) if args.home else Settings()
    paths = MlPaths.from_settings(settings)
    chosen = [f for f in folds(paths.warehouse, args.seasons) if not args.rounds or f.round in args.rounds]
    seasons = sorted({f.season for f in chosen})
    evaluated = run_report(paths.warehouse, chosen, [SUBJECTS[name] for name in args.subjects or SUBJECTS])
    print(f"walk-forward evaluation: {len(chosen)} races of {', '.join(map(str, seasons))}")
    print(render(summary(evaluated)))
    for e in evaluated:
        print(f"{e.scores.subject}: {e.runtime_s:.0f} s")
        if e.scores.probabilities is not None:
            print(calibration_table(e.scores.probabilities).to_string(index=False, float_format="{:.3f}".format))
        if args.mlflow:
            print(f"  MLflow run {log_to_mlflow(paths, e, seasons)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.walk_forward", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
