"""What the domains share: the jobs `undercut run`/`refresh` and the sensors launch, the undercut resource, and the
executor of runs launched from the UI or the daemon."""

from dagster import Definitions, multiprocess_executor

from orchestration.defs.jobs import ALL_JOBS
from orchestration.defs.resources import UndercutResource

# Steps run in processes forked from a server that imported the code location once: a spawned step process would
# import it again (~30-50 s: dbt manifest, MLflow, Feast, Evidently) before a step of a few seconds. Named
# explicitly: loaded from pyproject.toml, the location is not preloaded by default (each step re-imported it).
EXECUTOR = multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": ["orchestration.definitions"]}}})

defs = Definitions(jobs=list(ALL_JOBS), resources={"undercut": UndercutResource.from_env()}, executor=EXECUTOR)
