"""Warehouse benchmark: cold build, one-race refresh, and the analysts' example queries, for one checkout.

Cold build = `undercut run` on the archive minus one race; refresh = `undercut refresh` on the whole archive (the
rehearsal of bench_refresh.py); then every ```sql block of dbt_project/README.md is run `--repeats` times on one
warm analyst connection. `--repo` runs another checkout's code (e.g. a worktree of the commit before a change), so
two versions can be measured one right after the other on the same machine:

    .venv/bin/python benchmarks/bench_warehouse.py --repo ../before --workdir /tmp/bench_before
    .venv/bin/python benchmarks/bench_warehouse.py --workdir /tmp/bench_after
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "dbt_project" / "README.md"

# Run in a child process with the measured checkout first on sys.path: prints one JSON line of timings.
QUERY_PROBE = r"""
import json, statistics, sys, time
from pathlib import Path
home, repeats, queries = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
start = time.perf_counter()
if (home / "warehouse.duckdb").exists():  # the file warehouse (before DuckLake)
    import duckdb
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
else:
    from transforms.settings import Settings
    from transforms.warehouse import analyst_connection
    con = analyst_connection(Settings(home=home).warehouse)
connect_s = time.perf_counter() - start
timings = {}
for name, sql in queries.items():
    try:
        con.execute(sql).fetchall()  # warm-up
        runs = []
        for _ in range(repeats):
            t = time.perf_counter(); con.execute(sql).fetchall(); runs.append(time.perf_counter() - t)
        timings[name] = runs
    except Exception as exc:
        timings[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
print(json.dumps({"connect_s": connect_s, "timings": timings}))
"""


def readme_queries() -> dict[str, str]:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.S)
    return {f"q{i + 1}": block.strip() for i, block in enumerate(blocks)}


def undercut(command: str, home: Path, archive: Path, repo: Path) -> float:
    env = {**os.environ, "UNDERCUT_HOME": str(home), "UNDERCUT_SOURCE": "archive", "UNDERCUT_ARCHIVE_DIR": str(archive),
           "DAGSTER_HOME": str(home / "dagster"), "PYTHONPATH": str(repo)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", command], env=env, cwd=repo, text=True,
                          capture_output=True)
    if proc.returncode:
        sys.exit(f"undercut {command} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--season", type=int, default=2025)
    parser.add_argument("--round", type=int, default=15)
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose code runs (default: this one)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the archive copy and home here")
    parser.add_argument("--home", type=Path, default=None, help="with --skip-build: an existing home to query")
    parser.add_argument("--skip-build", action="store_true", help="only the queries, on --home")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    repo = args.repo.resolve()

    probe = subprocess.run([sys.executable, "-c", "import orchestration; print(orchestration.__file__)"],
                           env={**os.environ, "PYTHONPATH": str(repo)}, cwd=repo, capture_output=True, text=True)
    if not probe.stdout.startswith(str(repo)):
        sys.exit(f"--repo {repo}: its code is not the one imported ({probe.stdout.strip() or probe.stderr[-500:]})")
    print(f"repo={repo} commit={subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=repo, text=True, capture_output=True).stdout.strip()}")
    print(f"load_avg_before={os.getloadavg()[0]:.2f}")

    if args.skip_build:
        home = args.home
    else:
        from transforms.archive_tools import copy_without_race

        work = args.workdir or Path(tempfile.mkdtemp(prefix="undercut_bench_wh_"))
        home = work / "home"
        before = work / "archive_before"
        if not before.exists():
            copy_without_race(args.archive.resolve(), before, args.season, args.round)
        print(f"cold_build_s={undercut('run', home, before, repo):.1f}")
        print(f"refresh_s={undercut('refresh', home, args.archive.resolve(), repo):.1f}")

    queries = readme_queries()
    out = subprocess.run([sys.executable, "-c", QUERY_PROBE, str(home), str(args.repeats), json.dumps(queries)],
                         env={**os.environ, "PYTHONPATH": str(repo), "UNDERCUT_HOME": str(home)}, cwd=repo,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"query probe failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"connect_s={result['connect_s']:.3f}")
    p50s = []
    for name, runs in result["timings"].items():
        first_line = queries[name].splitlines()[0][:70]
        if isinstance(runs, str):
            print(f"  {name}  failed: {runs}  [{first_line}]")
            continue
        runs_ms = sorted(1000 * r for r in runs)
        p50s.append(statistics.median(runs_ms))
        print(f"  {name}  p50={statistics.median(runs_ms):7.1f} ms  min={runs_ms[0]:7.1f}  "
              f"p90={runs_ms[int(0.9 * (len(runs_ms) - 1))]:7.1f}  [{first_line}]")
    print(f"query_p50_ms={statistics.median(p50s):.1f}  (median over {len(p50s)} queries' p50)")
    print(f"load_avg_after={os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
