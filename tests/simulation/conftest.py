"""The race facts the simulation is fitted on, read from the session's built warehouse (built_home's marts; with
UNDERCUT_TEST_HOME a home built before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.marts import ALL_LAP_SEASONS, FittingTables, MartTables, load_marts
from transforms.warehouse import Warehouse, read_frame


@pytest.fixture(scope="session")
def warehouse(built_home: Path) -> Warehouse:
    return Warehouse.at(built_home)


@pytest.fixture(scope="session")
def marts(warehouse: Warehouse) -> MartTables:
    return load_marts(warehouse, lap_seasons=ALL_LAP_SEASONS)


@pytest.fixture(scope="session")
def tables(marts: MartTables) -> FittingTables:
    return marts.fitting


@pytest.fixture(scope="session")
def driver_ids(warehouse: Warehouse) -> dict[str, int]:
    """Ergast driver ref (``hamilton``) -> the marts' driver_id."""
    drivers = read_frame(warehouse, "select driver_ref, driver_id from marts.dim_drivers")
    return dict(zip(drivers["driver_ref"], drivers["driver_id"].astype(int), strict=True))
