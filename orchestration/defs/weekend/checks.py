from orchestration.lib.lake_checks import lake_table_checks
from transforms.schemas import WEEKEND

weekend_checks = [lake_table_checks(spec) for spec in WEEKEND]
