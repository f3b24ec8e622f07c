"""The `undercut` console script."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Iterator


def _cmd_run(args: argparse.Namespace) -> int:
    from orchestration.main_run import run_main, run_refresh
    from orchestration.progress import JobTally, print_summary
    from transforms.exceptions import RunFailedError, SourceUnavailableError
    from transforms.settings import Settings

    start = time.perf_counter()
    tallies: dict[str, JobTally] = {}
    try:
        if args.command == "refresh":
            outcome = run_refresh(Settings(), retrain=args.retrain, tallies=tallies)
            timings = outcome.timings
            print("refreshed " + " ".join(f"{job}={','.join(keys)}" if keys else job
                                          for job, keys in outcome.ran.items()) if outcome.ran
                  else "up to date" + (" (nothing changed since the last complete refresh)" if outcome.settled else ""))
        else:
            timings = run_main(Settings(), tallies)
    except SourceUnavailableError as exc:
        print(f"undercut {args.command}: {exc}", file=sys.stderr)
        return 2
    except RunFailedError as exc:
        print_summary(tallies)  # what did run, before the error
        print(f"undercut {args.command}: {exc}", file=sys.stderr)
        return 1
    print_summary(tallies)
    print(" ".join(f"{k}={v:.1f}s" for k, v in timings.items()))
    print(f"{'refresh' if args.command == 'refresh' else 'main_run'}_wall_s={time.perf_counter() - start:.1f}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    import json

    from orchestration.main_run import dagster_instance
    from orchestration.status import platform_status, render
    from transforms.settings import Settings

    settings = Settings()
    status = platform_status(settings, dagster_instance(settings))
    print(json.dumps(status.as_dict(), indent=2) if args.json else render(status))
    return 0


def _cmd_sql(args: argparse.Namespace) -> int:
    """Queries on the warehouse, read-only: one from the command line, else one per `;` from stdin."""
    import duckdb

    from transforms.settings import Settings
    from transforms.warehouse import analyst_connection

    con = analyst_connection(Settings().warehouse)
    interactive = not args.query and sys.stdin.isatty()
    statements = [args.query] if args.query else _statements(sys.stdin, prompt=interactive)
    status = 0
    for sql in statements:
        try:
            relation = con.sql(sql)
            if relation is not None:
                relation.show(max_rows=args.max_rows, max_width=200)
        except duckdb.Error as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
    return status


def _statements(stream: Iterator[str], prompt: bool) -> Iterator[str]:
    buffer = ""
    if prompt:
        print("undercut sql: the warehouse read-only (`lake`); end statements with ';', Ctrl-D quits", file=sys.stderr)
    while True:
        if prompt:
            print("undercut> " if not buffer else "     ...> ", end="", file=sys.stderr, flush=True)
        line = next(stream, None)
        if line is None:
            break
        buffer += line
        if buffer.rstrip().endswith(";"):
            yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from orchestration.api import create_app
    from transforms.settings import Settings

    app = create_app(Settings())
    print(f"undercut serve: http://{args.host}:{args.port} (OpenAPI docs at /docs; Ctrl-C stops)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port,
                log_level="info" if args.verbose else "warning")
    return 0


RETRAIN_CHOICES = ("weekend", "drift", "always", "never")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="undercut", description="Open F1 strategy & analytics data platform")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="materialise every asset for every partition the configured source has")
    run.set_defaults(func=_cmd_run)
    refresh = sub.add_parser("refresh", help="incremental update: what the source added or revised and what depends "
                                             "on it, plus what a failed run left (the race-weekend sensors, on demand)")
    refresh.add_argument("--retrain", choices=RETRAIN_CHOICES, default="weekend",
                         help="weekend (default): retrain when a race has its result but the models were not trained "
                              "on it yet, otherwise if the drift decision asks; drift: only if it asks; always; never "
                              "(predictions only)")
    refresh.set_defaults(func=_cmd_run)
    status = sub.add_parser("status", help="per asset group: materialised, missing, stale and failed partitions; the "
                                           "last runs, failing checks, the next race and whether its precompute is fresh")
    status.add_argument("--json", action="store_true", help="machine-readable")
    status.set_defaults(func=_cmd_status)
    sql = sub.add_parser("sql", help="query the warehouse read-only (safe while a refresh writes it)")
    sql.add_argument("query", nargs="?", help="SQL to run (default: statements from stdin, a prompt on a terminal)")
    sql.add_argument("--max-rows", type=int, default=40)
    sql.set_defaults(func=_cmd_sql)
    serve = sub.add_parser("serve", help="HTTP API: /strategy (the engine) and the marts, OpenAPI docs at /docs")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=_cmd_serve)
    from ml.walk_forward import cli as walk_forward

    evaluate = sub.add_parser("evaluate", help="walk-forward evaluation: every race of the last seasons predicted by "
                                               "models refitted on earlier races, scored beside naive baselines")
    walk_forward.add_arguments(evaluate)
    evaluate.set_defaults(func=walk_forward.run)
    from simulation.cli import register as register_simulation

    register_simulation(sub)  # strategy, bench-sim
    from orchestration.defs.incidents.cli import register as register_incidents

    register_incidents(sub)
    return parser


def _quiet_libraries() -> None:
    """What the libraries say at every use, kept off a quiet console: the instance's migration check (alembic), Feast's
    registry cache, dagster-dbt's per-invocation notes, MLflow's advisories and download bars. `-v` shows all of it."""
    for name in ("alembic", "feast"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:  # not the logger's level: Dagster's event log records its INFO
        handler.addFilter(lambda record: record.levelno >= logging.WARNING or not record.name.startswith("dagster"))
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


def main(argv: list[str] | None = None) -> int:
    from transforms.exceptions import WarehouseUnavailableError

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        _quiet_libraries()
    try:
        return int(args.func(args))
    except WarehouseUnavailableError as exc:
        print(f"undercut {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
