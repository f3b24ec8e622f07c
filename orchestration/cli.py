"""The `undercut` console script."""

from __future__ import annotations

import argparse
import logging
import sys
import time


def _cmd_run(args: argparse.Namespace) -> int:
    from orchestration.main_run import RunFailedError, run_main, run_refresh
    from transforms.settings import Settings
    from transforms.sources import SourceUnavailableError

    start = time.perf_counter()
    try:
        if args.command == "refresh":
            plan, timings = run_refresh(Settings())
            print("refreshed " + " ".join(f"{k}={','.join(v)}" for k, v in plan.keys.items() if v) if not
                  plan.is_empty else "nothing new")
        else:
            timings = run_main(Settings())
    except SourceUnavailableError as exc:
        print(f"undercut {args.command}: {exc}", file=sys.stderr)
        return 2
    except RunFailedError as exc:
        print(f"undercut {args.command}: {exc}", file=sys.stderr)
        return 1
    print(" ".join(f"{k}={v:.1f}s" for k, v in timings.items()))
    print(f"{'refresh' if args.command == 'refresh' else 'main_run'}_wall_s={time.perf_counter() - start:.1f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="undercut", description="Open F1 strategy & analytics data platform")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="materialise every asset for every partition the configured source has")
    run.set_defaults(func=_cmd_run)
    refresh = sub.add_parser("refresh", help="incremental update: only the new sessions/races and what depends on "
                                             "them (what the race-weekend sensors do, on demand)")
    refresh.set_defaults(func=_cmd_run)
    from simulation.cli import register as register_simulation

    register_simulation(sub)  # strategy, bench-sim
    from orchestration.defs.incidents.cli import register as register_incidents

    register_incidents(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
