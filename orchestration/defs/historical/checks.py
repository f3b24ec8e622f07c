from orchestration.lib.lake_checks import lake_table_checks
from transforms.schemas import HISTORICAL

historical_checks = [lake_table_checks(spec) for spec in HISTORICAL]
