"""Race-weekend refresh rehearsal: build on the archive minus one race, put the race back, `undercut refresh`.

From copies of the same built home, one after the other: the new race without retraining
(`refresh_new_race_s`), the new race with retraining (`refresh_new_race_retrain_s`), then a refresh with nothing
new (`refresh_noop_s`, and `refresh_noop_planned_s` when it is planned, not recognised). Prints each job's partitions and seconds, so "only the new race and what depends on it"
can be read off the output.

    .venv/bin/python benchmarks/bench_refresh.py --archive ../shared/data --season 2025 --round 15
    .venv/bin/python benchmarks/bench_refresh.py --home-before /path/to/built/home   # skip the build
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _undercut(command: str, home: Path, archive: Path, repo: Path = REPO, *options: str) -> tuple[float, str]:
    """Run `undercut <command>` with `repo`'s code (its directory first on PYTHONPATH, ahead of the editable install)."""
    env = {**os.environ, "UNDERCUT_HOME": str(home), "UNDERCUT_SOURCE": "archive", "UNDERCUT_ARCHIVE_DIR": str(archive),
           "DAGSTER_HOME": str(home / "dagster"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", command, *options], env=env, cwd=repo,
                          text=True, capture_output=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"undercut {command} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    # the run's own log lines: which job ran over which partitions, and the retraining decision
    steps = [line.split("undercut.run: ", 1)[1] for line in proc.stderr.splitlines() if "undercut.run: " in line]
    return wall, "\n".join([*steps, proc.stdout.strip()])


def add_rehearsal_arguments(parser: argparse.ArgumentParser) -> None:
    """The archive and the race taken out of it, then put back by the refresh."""
    parser.add_argument("--archive", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--season", type=int, default=2025)
    parser.add_argument("--round", type=int, default=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_rehearsal_arguments(parser)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the copy and home here (default: temp)")
    parser.add_argument("--home-before", type=Path, default=None,
                        help="a home built on the archive minus the race (skips the build)")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO / "tests"))
    from home_copies import copy_home

    from transforms.archive_tools import copy_without_race

    work = args.workdir or Path(tempfile.mkdtemp(prefix="undercut_refresh_"))
    built = args.home_before
    if built is None:
        before = work / "archive_before"
        removed = copy_without_race(args.archive.resolve(), before, args.season, args.round)
        print(f"archive without {args.season}-{args.round:02d}: removed {sum(removed.values())} rows/files")
        built = work / "home_before"
        build_s, _ = _undercut("run", built, before)
        print(f"build_without_race_wall_s={build_s:.1f}")
    figures = {}
    for name, retrain in (("refresh_new_race_s", "never"), ("refresh_new_race_retrain_s", "always")):
        home = copy_home(built, work / name)
        figures[name], out = _undercut("refresh", home, args.archive.resolve(), REPO, "--retrain", retrain)
        print(f"--- {name} (--retrain {retrain})\n{out}")
    # Nothing new, recognised from the last refresh's recorded state (orchestration.settled); then the same answer
    # found by planning (another retrain mode is another state).
    figures["refresh_noop_s"], out = _undercut("refresh", home, args.archive.resolve(), REPO, "--retrain", "always")
    print(f"--- refresh_noop_s\n{out}")
    figures["refresh_noop_planned_s"], out = _undercut("refresh", home, args.archive.resolve())
    print(f"--- refresh_noop_planned_s\n{out}")
    print(" ".join(f"{k}={v:.1f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
