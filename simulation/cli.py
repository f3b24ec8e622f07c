"""``undercut strategy`` and ``undercut bench-sim``: argparse subcommands for the console script.

The console script wires them in with ``simulation.cli.register(subparsers)``; each subcommand sets
``func`` on the parsed namespace, to be called as ``args.func(args)`` and returning the process exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulation.request import StrategyRequest

EXIT_INVALID_INPUT = 2


def _flag_type(annotation: Any) -> type:
    for candidate in (bool, int, float):
        if annotation is candidate or candidate in getattr(annotation, "__args__", ()):
            return candidate
    return str


def _add_strategy(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "strategy",
        help="rank race strategies for one driver by full-field Monte Carlo (JSON on stdout)",
        description="Strategy recommendation in the seed recommender's /strategy shape.",
    )
    for name, info in StrategyRequest.model_fields.items():
        flags = [f"--{name.replace('_', '-')}"] + ([f"--{name}"] if "_" in name else [])
        kind = _flag_type(info.annotation)
        if kind is bool:
            parser.add_argument(*flags, dest=name, action="store_true", default=None, help=info.description)
        else:
            parser.add_argument(*flags, dest=name, type=kind, default=None, required=info.is_required(),
                                help=info.description)
    parser.add_argument("--circuit-params", type=Path, default=None,
                        help="JSON file with fitted CircuitParams (default: built-in parameters of --circuit-id)")
    parser.add_argument("--indent", type=int, default=2, help="JSON indent (0 for one line)")
    parser.set_defaults(func=run_strategy)


def run_strategy(args: argparse.Namespace) -> int:
    from simulation.params import CircuitParams
    from simulation.recommend import recommend  # the engine (Numba): only when a strategy is asked for

    inputs = {name: getattr(args, name) for name in StrategyRequest.model_fields if getattr(args, name) is not None}
    try:
        request = StrategyRequest(**inputs)
        circuit = (
            CircuitParams.model_validate_json(args.circuit_params.read_text()) if args.circuit_params else None
        )
    except ValidationError as error:
        for e in error.errors():
            field = ".".join(str(part) for part in e["loc"]) or "input"
            print(f"invalid {field}: {e['msg']} (got {e.get('input')!r})", file=sys.stderr)
        return EXIT_INVALID_INPUT
    result = recommend(request, circuit)
    print(json.dumps(result, indent=args.indent or None))
    return 0


def _add_bench(subparsers: Any) -> None:
    parser = subparsers.add_parser("bench-sim", help="benchmark the race engine (prints sim_races_per_s last)")
    parser.add_argument("--races", type=int, default=100_000, help="full-field races per measurement")
    parser.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    from simulation.bench import main

    main(args.races)
    return 0


def register(subparsers: Any) -> None:
    """Add the ``strategy`` and ``bench-sim`` subcommands to an argparse subparsers object."""
    _add_strategy(subparsers)
    _add_bench(subparsers)


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (``python -m simulation.cli strategy ...``) until the console script wires it."""
    parser = argparse.ArgumentParser(prog="undercut")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
