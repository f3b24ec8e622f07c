"""Checks on the sources. Every observation of the source (undercut run/refresh, the calendar sensor) records
this one too; it can also be run on its own from the UI."""

from dagster import AssetCheckResult, asset_check

from orchestration.defs.resources import UndercutResource
from orchestration.defs.sources.assets import FASTF1_SESSION, PLACED_CHECK
from orchestration.defs.sources.observe import placed_sessions, placement


@asset_check(asset=FASTF1_SESSION, name=PLACED_CHECK,
             description="Every session the source lists has its race in the calendar; those without are left out "
                         "(and named) until it exists")
def every_session_placed(undercut: UndercutResource) -> AssetCheckResult:
    return AssetCheckResult(**placement(placed_sessions(undercut.source)[1]))
