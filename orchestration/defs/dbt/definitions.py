"""The dbt domain: every model as an asset (tests as checks), `dbt_job` and the dbt CLI resource."""

from dagster import Definitions

from orchestration.defs.dbt.assets import dbt_job, undercut_dbt_assets
from orchestration.defs.dbt.resources import dbt_resource

defs = Definitions(assets=[undercut_dbt_assets], jobs=[dbt_job], resources={"dbt": dbt_resource()})
