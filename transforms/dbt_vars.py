"""The dbt project seen from Python: where it is, its YAML files and its vars (``dbt_project/dbt_project.yml``), for
Python code that must agree with the SQL models.

Race facts are computed in dbt; where Python works on the same facts (the simulator's fuel model and clean-lap
filter, the VSC era), it reads the numbers from here instead of keeping a copy that could drift.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML comes with dbt, its stubs do not

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"


def read_yaml(path: Path) -> Any:
    """A YAML file of the dbt project (the one YAML reader of the package)."""
    return yaml.safe_load(path.read_text())


@cache
def _vars() -> dict[str, Any]:
    return dict(read_yaml(DBT_PROJECT_FILE)["vars"])


def dbt_var(name: str) -> Any:
    """One var of the dbt project (a KeyError names the file when it has no such var)."""
    project_vars = _vars()
    if name not in project_vars:
        raise KeyError(f"no var {name!r} in {DBT_PROJECT_FILE}")
    return project_vars[name]
