"""Warehouse benchmark for one checkout: cold build, one-race refresh, and the README's example queries.

Cold build = `undercut run` on the archive minus one race (an empty home); refresh = `undercut refresh` on the whole
archive (the rehearsal of bench_refresh.py, whose helpers this reuses). Then every ```sql block of
dbt_project/README.md (read at run time from this checkout, so both versions run the same queries) is run once to warm
up and `--repeats` times on one analyst connection: `duckdb.connect(<home>/warehouse.duckdb, read_only=True)` when the
home has that file (before DuckLake), else `transforms.warehouse.reading(...)` of the measured checkout. A query the
checkout cannot run (e.g. time travel before DuckLake) is listed as failed and left out of the summary.

`--repo` runs another checkout's code (cwd and PYTHONPATH = that checkout, this interpreter), so two versions can be
measured one after the other on the same machine:

    .venv/bin/python benchmarks/bench_warehouse.py --repo /work/wt_before --workdir /work/bench_before
    .venv/bin/python benchmarks/bench_warehouse.py --workdir /work/bench_after
    .venv/bin/python benchmarks/bench_warehouse.py --repo /work/wt_before --skip-build --home /work/bench_before/home

Prints `key=value` lines (cold_build_s, refresh_s, connect_s, query_p50_ms, ...) and a per-query table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_refresh import REPO, _undercut, add_rehearsal_arguments

README = REPO / "dbt_project" / "README.md"


def readme_queries(readme: Path = README) -> dict[str, dict[str, str]]:
    """The ```sql blocks of the README, in order: name -> {"sql", "label"} (label = the prose line just above)."""
    text = readme.read_text()
    queries = {}
    for i, match in enumerate(re.finditer(r"^```sql\n(.*?)^```", text, flags=re.S | re.M)):
        above = [line.strip() for line in text[: match.start()].splitlines() if line.strip()]
        queries[f"q{i + 1}"] = {"sql": match.group(1).strip(), "label": above[-1] if above else ""}
    return queries


def _env(repo: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
            **extra}


def check_repo(repo: Path) -> str:
    """Exit unless `repo`'s own packages are the ones imported with it on PYTHONPATH; returns its short commit."""
    for package in ("orchestration", "transforms"):
        probe = subprocess.run([sys.executable, "-c", f"import {package}; print({package}.__file__)"], env=_env(repo),
                               cwd=repo, capture_output=True, text=True)
        path = probe.stdout.strip()
        if probe.returncode or not Path(path).resolve().is_relative_to(repo):
            sys.exit(f"--repo {repo}: `import {package}` resolves to {path or probe.stderr[-500:]!r}, not into it")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True)
    return commit.stdout.strip() or "?"


def time_queries(home: Path, queries: dict[str, dict[str, str]], repeats: int) -> dict[str, object]:
    """Child side (`--queries-only`, run with the measured checkout on PYTHONPATH): connect, warm up, time."""
    import contextlib

    import duckdb

    result: dict[str, object] = {"duckdb": duckdb.__version__}
    with contextlib.ExitStack() as stack:
        if (home / "warehouse.duckdb").exists():  # the single-file warehouse (before DuckLake)
            result["connection"] = "duckdb.connect(warehouse.duckdb, read_only=True)"
            start = time.perf_counter()
            con = stack.enter_context(duckdb.connect(str(home / "warehouse.duckdb"), read_only=True))
        else:
            import transforms
            from transforms.settings import Settings
            from transforms.warehouse import reading

            result["connection"] = f"transforms.warehouse.reading ({Path(transforms.__file__).parent})"
            start = time.perf_counter()
            con = stack.enter_context(reading(Settings(home=home).warehouse))
        result["connect_s"] = time.perf_counter() - start
        timings: dict[str, object] = {}
        for name, query in queries.items():
            try:
                con.execute(query["sql"]).fetchall()  # warm-up
                runs = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    con.execute(query["sql"]).fetchall()
                    runs.append(time.perf_counter() - t0)
                timings[name] = runs
            except Exception as exc:  # reported per query; the others still run
                timings[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        result["timings"] = timings
    return result


def _nearest_rank(sorted_values: list[float], q: float) -> float:
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def run_queries(repo: Path, home: Path, repeats: int, readme: Path) -> None:
    """Parent side: run this script in `--queries-only` mode with `repo`'s code, print the figures."""
    queries = readme_queries(readme)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--queries-only", "--home", str(home),
                           "--repeats", str(repeats), "--readme", str(readme)],
                          env=_env(repo, UNDERCUT_HOME=str(home)), cwd=repo, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"query timing failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"connection={result['connection']} duckdb={result['duckdb']}")
    print(f"connect_s={result['connect_s']:.3f}")
    summary: dict[str, list[float]] = {"p50": [], "p90": [], "min": []}
    print(f"  {'query':5} {'p50_ms':>8} {'p90_ms':>8} {'min_ms':>8}  (n={repeats} after 1 warm-up)")
    for name, runs in result["timings"].items():
        label = queries[name]["label"][:80]
        if isinstance(runs, str):
            print(f"  {name:5} {'failed':>8}  {label}\n        {runs[:200]}")
            continue
        ms = sorted(1000 * r for r in runs)
        stats = {"p50": statistics.median(ms), "p90": _nearest_rank(ms, 0.9), "min": ms[0]}
        for key, value in stats.items():
            summary[key].append(value)
        print(f"  {name:5} {stats['p50']:8.1f} {stats['p90']:8.1f} {stats['min']:8.1f}  {label}")
    ok = len(summary["p50"])
    print(f"queries_ok={ok}/{len(queries)}")
    if ok:
        for key, values in summary.items():  # median over the queries of each query's statistic
            print(f"query_{key}_ms={statistics.median(values):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_rehearsal_arguments(parser)
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose code runs (default: this one)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the archive copy and home here (default: temp)")
    parser.add_argument("--skip-build", action="store_true", help="only the queries, on an existing --home")
    parser.add_argument("--home", type=Path, default=None, help="with --skip-build: the home to query")
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per query (default 30)")
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    parser.add_argument("--queries-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()

    if args.queries_only:
        print(json.dumps(time_queries(args.home.resolve(), readme_queries(args.readme), args.repeats)))
        return
    if args.skip_build and not (args.home and args.home.is_dir()):
        parser.error("--skip-build needs --home, an existing home")

    repo = args.repo.resolve()
    print(f"repo={repo} commit={check_repo(repo)}")
    print("load_avg_before={:.2f},{:.2f},{:.2f}".format(*os.getloadavg()))
    wall = time.perf_counter()
    if args.skip_build:
        home = args.home.resolve()
    else:
        from transforms.archive_tools import copy_without_race

        work = (args.workdir or Path(tempfile.mkdtemp(prefix="undercut_bench_wh_"))).resolve()
        home = work / "home"
        if home.exists() and any(home.iterdir()):
            sys.exit(f"{home} is not empty: a cold build needs a fresh home (move it away or pick another --workdir)")
        archive = args.archive.resolve()
        before = work / "archive_before"
        if not before.exists():  # copied aside first, so an interrupted copy is never reused
            partial = work / "archive_before.partial"
            shutil.rmtree(partial, ignore_errors=True)
            removed = copy_without_race(archive, partial, args.season, args.round)
            partial.rename(before)
            print(f"archive without {args.season}-{args.round:02d}: removed {sum(removed.values())} rows/files")
        print(f"home={home}")
        build_s, _ = _undercut("run", home, before, repo)
        print(f"cold_build_s={build_s:.1f}")
        refresh_s, plan = _undercut("refresh", home, archive, repo)
        for line in plan.splitlines():
            print(f"  refresh| {line}")
        print(f"refresh_s={refresh_s:.1f}")

    run_queries(repo, home, args.repeats, args.readme.resolve())
    print(f"wall_s={time.perf_counter() - wall:.1f}")
    print("load_avg_after={:.2f},{:.2f},{:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
