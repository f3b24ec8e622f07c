"""The dbt project as Dagster sees it: where it lives, which dbt binary runs it, and the environment it runs in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock
from packaging.version import Version

from transforms.dbt_vars import DBT_PROJECT_DIR
from transforms.settings import Settings

# Files whose change makes a parsed manifest stale.
_MANIFEST_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt of this interpreter's environment: `undercut run` may start without the venv's bin/ on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def _newest_input_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _MANIFEST_INPUTS:
        path = project_dir / name
        files = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """`dbt parse` when the manifest is missing or older than the project files (DbtProject.prepare_if_dev only
    acts under `dagster dev`; `undercut run` and tests load the definitions without it)."""
    manifest = project.manifest_path
    manifest.parent.mkdir(parents=True, exist_ok=True)
    # several processes may load the definitions at once (pytest -n 2, dagster dev): one parses, the others wait
    with FileLock(str(manifest.parent / ".manifest.lock")):
        if manifest.exists() and manifest.stat().st_mtime >= _newest_input_mtime(Path(project.project_dir)):
            return manifest
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(project.project_dir),
             "--profiles-dir", str(project.profiles_dir), "--target-path", str(project.target_path)],
            check=True, env=env, cwd=project.project_dir,
        )
    return manifest


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """Point dbt's profile at this deployment's warehouse and lake (dbt runs in its own process and reads env vars;
    the profile's default `.undercut` would otherwise resolve against the dbt project folder)."""
    wanted = {"UNDERCUT_HOME": str(settings.home), "UNDERCUT_LAKE_URI": settings.lake_uri,
              "UNDERCUT_WAREHOUSE_CATALOG": settings.warehouse_catalog,
              "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class UndercutDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two costs it pays before every `dbt build` starts (step start -> dbt
    command 5-17 s -> 0-1 s on the shared 2-core machine): a `dbt --version` process to learn which dbt it runs, which
    also asks PyPI for the latest dbt (10-14 s wall, 2-3 s CPU; a timeout offline), and an in-process dbt adapter with
    every macro loaded (~8 s), which serves only the column and row-count metadata undercut never fetches."""

    @cached_property
    def _cli_version(self) -> Version:
        # dbt_executable() is this environment's dbt (dbt-core; the Fusion engine has no such package)
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None  # DbtCliInvocation.adapter is optional; only fetch_column_metadata/fetch_row_counts need it


def dbt_resource() -> DbtCliResource:
    return UndercutDbtCliResource(project_dir=str(dbt_project.project_dir), profiles_dir=str(DBT_PROJECT_DIR),
                                  dbt_executable=dbt_executable())
