"""Asset checks of the strategy precompute: the next race is covered for every predicted entrant, and the SC
table covers the current calendar with probabilities in range."""

from dagster import AssetCheckResult, AssetChecksDefinition, AssetKey, asset_check

from orchestration.defs.resources import UndercutResource
from orchestration.defs.strategy.assets import NEXT_RACE_TABLE, SC_TABLE
from transforms.warehouse import read_frame


@asset_check(asset=AssetKey(["marts", NEXT_RACE_TABLE]), name="every_entrant_has_strategies")
def every_entrant_has_strategies(undercut: UndercutResource) -> AssetCheckResult:
    """Each driver with a next-race prediction has a rank-1 plan with 10,000 simulations."""
    frame = read_frame(undercut.settings.warehouse, f"""
        select p.driver_id, s.n_simulations
        from marts.predictions_race_entries p
        left join marts.{NEXT_RACE_TABLE} s on s.race_id = p.race_id and s.driver_id = p.driver_id and s.rank = 1
        where p.split = 'next'""")
    missing = frame[frame["n_simulations"].isna()]
    return AssetCheckResult(passed=bool(len(frame) and missing.empty and (frame["n_simulations"] >= 10_000).all()),
                            metadata={"entrants": len(frame), "missing": len(missing)})


@asset_check(asset=AssetKey(["marts", SC_TABLE]), name="calendar_covered_and_in_range")
def calendar_covered_and_in_range(undercut: UndercutResource) -> AssetCheckResult:
    frame = read_frame(undercut.settings.warehouse, f"select * from marts.{SC_TABLE}")
    probabilities = frame[["sc_probability", "vsc_only_probability", "red_flag_probability", "sc_lap1_share"]]
    in_range = bool(((probabilities >= 0) & (probabilities <= 1)).all(axis=None))
    calendar = int(frame["on_current_calendar"].sum())
    return AssetCheckResult(passed=in_range and calendar >= 20,
                            metadata={"circuits": len(frame), "current_calendar_circuits": calendar})


strategy_checks: list[AssetChecksDefinition] = [every_entrant_has_strategies, calendar_covered_and_in_range]
