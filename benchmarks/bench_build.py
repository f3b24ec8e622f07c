"""Cold build benchmark: `undercut run` on the archive into an empty home, once per executor, one right after the other.

    .venv/bin/python benchmarks/bench_build.py [--archive ../shared/data] [--executors in_process,auto]

Each build runs with `UNDERCUT_EXECUTOR=<executor>` (orchestration.deployment.DeploymentSettings; `UNDERCUT_MAX_CONCURRENT`
is passed through). Prints `cold_build_s[<executor>]=` and the seconds of each job side by side.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench_refresh import REPO, _undercut


def _job_seconds(output: str) -> dict[str, float]:
    """The CLI's last line of timings: `historical_job=56.1s weekend_job=77.0s ...`."""
    line = next(line for line in reversed(output.splitlines()) if line.startswith("reference_job="))
    return {job: float(seconds.rstrip("s")) for job, seconds in (item.split("=") for item in line.split())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--executors", default="in_process,auto")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the homes here (default: temp, removed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_build_") as temp:
        workdir = args.workdir or Path(temp)
        walls: dict[str, float] = {}
        jobs: dict[str, dict[str, float]] = {}
        for executor in args.executors.split(","):
            os.environ["UNDERCUT_EXECUTOR"] = executor
            walls[executor], output = _undercut("run", workdir / f"home_{executor}", args.archive.resolve())
            jobs[executor] = _job_seconds(output)
            print(f"cold_build_s[{executor}]={walls[executor]:.1f}", flush=True)
    print(f"\nmax_concurrent={os.environ.get('UNDERCUT_MAX_CONCURRENT', os.cpu_count())} cores={os.cpu_count()}")
    print(f"{'job':<16}" + "".join(f"{executor:>14}" for executor in jobs))
    for job in next(iter(jobs.values())):
        print(f"{job:<16}" + "".join(f"{split.get(job, 0.0):>14.1f}" for split in jobs.values()))
    print(f"{'wall':<16}" + "".join(f"{wall:>14.1f}" for wall in walls.values()))


if __name__ == "__main__":
    main()
