"""IdMap: seeding from Ergast reference tables and deterministic numbering of new keys."""

from __future__ import annotations

import pyarrow as pa
import pytest

from transforms.jolpica import IdMap, row_id


def test_seeded_refs_keep_their_ergast_ids(seed_ids):
    ids = seed_ids()

    assert ids.id("driver", "max_verstappen") == 830
    assert ids.id("race", (2024, 1)) == 1121
    assert ids.id("status", "+1 Lap") == 11


def test_new_keys_get_max_plus_one_in_sorted_order_whatever_order_they_arrive_in(seed_ids):
    forwards, backwards = seed_ids(), seed_ids()

    forwards.register("driver", ["colapinto", "bearman", "max_verstappen", "antonelli"])
    backwards.register("driver", ["antonelli", "max_verstappen", "colapinto", "bearman"][::-1])

    for ids in (forwards, backwards):
        assert [ids.id("driver", ref) for ref in ("antonelli", "bearman", "colapinto")] == [845, 846, 847]
        assert ids.id("driver", "max_verstappen") == 830


def test_races_are_numbered_in_season_round_order(seed_ids):
    ids = seed_ids()

    ids.register("race", [(2025, 1), (2024, 3), (2024, 2)])

    assert [ids.id("race", k) for k in [(2024, 2), (2024, 3), (2025, 1)]] == [1122, 1123, 1124]


def test_a_pair_contradicting_a_known_mapping_is_ignored():
    ids = IdMap.from_tables(drivers=pa.table({"driverId": [1], "driverRef": ["hamilton"]}))

    ids.add("driver", [("hamilton", 99), ("alonso", 1), ("alonso", 4)])

    assert ids.id("driver", "hamilton") == 1
    assert ids.id("driver", "alonso") == 4


def test_seed_table_without_the_mapping_columns_is_rejected():
    with pytest.raises(ValueError, match=r"cannot seed driver ids.*driverRef"):
        IdMap.from_tables(drivers=pa.table({"driverId": [1]}))


def test_an_unregistered_key_is_a_clear_error():
    with pytest.raises(KeyError, match="no constructor id for 'haas'"):
        IdMap().id("constructor", "haas")


def test_row_id_is_race_times_a_million_plus_member():
    assert row_id(1121, 3) == 1_121_000_003
    with pytest.raises(ValueError):
        row_id(1121, 1_000_000)
