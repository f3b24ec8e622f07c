"""Real races from the built warehouse (built_home; UNDERCUT_TEST_HOME=/tmp/uc_home while developing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights.data import RaceData, load_races
from transforms.warehouse import Warehouse

# 2024 Bahrain (Bottas's long stop), 2024 Monaco (lap-1 red flag), 2021 Abu Dhabi (last-lap lead change),
# 2025 Italian GP (the next race: no laps yet).
RACES = ("2024-01", "2024-08", "2021-22", "2024-22", "2025-16")


@pytest.fixture(scope="session")
def warehouse(built_home: Path) -> Warehouse:
    return Warehouse.at(built_home)


@pytest.fixture(scope="session")
def races(warehouse: Warehouse) -> dict[str, RaceData]:
    return load_races(warehouse, RACES)
