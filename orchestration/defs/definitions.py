"""What the domains share: the jobs `undercut run`/`refresh` and the sensors launch, the undercut resource, and the
executor of runs launched from the UI or the daemon."""

from dagster import Definitions

from orchestration.defs.jobs import ALL_JOBS
from orchestration.defs.resources import UndercutResource
from orchestration.deployment import DeploymentSettings

# local step processes, or a Dask cluster's workers (orchestration.deployment)
defs = Definitions(jobs=list(ALL_JOBS), resources={"undercut": UndercutResource.from_env()},
                   executor=DeploymentSettings().executor_def())
