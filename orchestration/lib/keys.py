"""Asset keys of the dbt models the Python assets depend on, and race partition keys -> Ergast race ids."""

from dagster import AssetKey

from transforms.sessions import race_key
from transforms.warehouse import Warehouse, read_frame


def marts(*names: str) -> list[AssetKey]:
    return [AssetKey(["marts", n]) for n in names]


def features(*names: str) -> list[AssetKey]:
    return [AssetKey(["features", n]) for n in names]


def race_ids(warehouse: Warehouse, keys: list[str]) -> dict[str, int]:
    """Race key -> Ergast race id for the keys in the calendar (keys not in it are left out)."""
    calendar = read_frame(warehouse, "select race_id, season, round from marts.dim_races")
    by_key = {race_key(int(s), int(r)): int(i) for i, s, r in calendar[["race_id", "season", "round"]].to_numpy()}
    return {k: by_key[k] for k in keys if k in by_key}
