"""The sources domain: the external assets whose observed versions say what a refresh must re-read."""

from dagster import Definitions

from orchestration.defs.sources.assets import source_assets
from orchestration.defs.sources.checks import every_session_placed

defs = Definitions(assets=source_assets, asset_checks=[every_session_placed])
