"""Race-weekend refresh rehearsal: build on the archive minus one race, put the race back, `undercut refresh`.

Prints the full build's and the refresh's wall times, the refresh plan and the partitions each job ran over, so
"only the new race and its downstream assets run" can be read off the output.

    .venv/bin/python benchmarks/bench_refresh.py --archive ../shared/data --season 2025 --round 15
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


def _undercut(command: str, home: Path, archive: Path, repo: Path = REPO) -> tuple[float, str]:
    """Run `undercut <command>` with `repo`'s code (its directory first on PYTHONPATH, ahead of the editable install)."""
    env = {**os.environ, "UNDERCUT_HOME": str(home), "UNDERCUT_SOURCE": "archive", "UNDERCUT_ARCHIVE_DIR": str(archive),
           "DAGSTER_HOME": str(home / "dagster"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", command], env=env, cwd=repo, text=True,
                          capture_output=True)
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
    args = parser.parse_args()

    from transforms.archive_tools import copy_without_race

    work = args.workdir or Path(tempfile.mkdtemp(prefix="undercut_refresh_"))
    before = work / "archive_before"
    removed = copy_without_race(args.archive.resolve(), before, args.season, args.round)
    print(f"archive without {args.season}-{args.round:02d}: removed {sum(removed.values())} rows/files")
    build_s, _ = _undercut("run", work / "home", before)
    print(f"build_without_race_wall_s={build_s:.1f}")
    refresh_s, out = _undercut("refresh", work / "home", args.archive.resolve())
    print(out)
    print(f"refresh_wall_s={refresh_s:.1f}")


if __name__ == "__main__":
    main()
