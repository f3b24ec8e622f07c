"""Predictions kept for the races whose inputs did not change: only new or changed races are predicted and explained
(exact tree contributions cost most of a prediction table), also after a new champion. A prediction table is a log:
each race as the champion of the time predicted it when its inputs last changed (`model_version` says which), so a
weekend's retraining predicts the new race, not every race again (a race's rows from a newer model that saw it would
only be in-sample anyway).

Each row carries its race's `inputs_digest`: a digest of every row of that race (keys, labels, split, model inputs:
a champion with another input list predicts every race again). A race whose digest is already in the table keeps its
rows; the others are predicted and replace theirs, and races no longer in the data are dropped, all in one warehouse
transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from transforms.derived import replace_races
from transforms.warehouse import Warehouse, read_frame, table_exists

DIGEST = "inputs_digest"
ROUNDING_DECIMALS = 9
SCHEMA = "marts"

# (rows to predict, their model inputs) -> (prediction rows, contribution rows), both with race_id
Predict = Callable[[pd.DataFrame, pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]


def race_digests(rows: pd.DataFrame, inputs: pd.DataFrame) -> pd.Series:
    """Per row, the digest of its race: order-independent over the race's rows (column names included).
    Floats are rounded to 1e-9 first: the warehouse's parallel aggregates differ in the last bits between builds."""
    both = pd.concat([rows, inputs.set_axis(rows.index)], axis=1).round(ROUNDING_DECIMALS)
    hashes = pd.util.hash_pandas_object(both, index=False)
    by_race = pd.Series(hashes.to_numpy(dtype=np.uint64), index=rows.index).groupby(rows["race_id"])
    names = "\x1f".join(map(str, both.columns)).encode()
    digests = {race: hashlib.blake2b(np.sort(h.to_numpy()).tobytes() + names, digest_size=12).hexdigest()
               for race, h in by_race}
    return rows["race_id"].map(digests)


def _stored_columns(warehouse: Warehouse, table: str) -> list[str] | None:
    """The stored table's columns (None: no such table yet)."""
    if not table_exists(warehouse, SCHEMA, table):
        return None
    return list(read_frame(warehouse, f"select * from {SCHEMA}.{table} limit 0").columns)


def _kept_races(warehouse: Warehouse, table: str, rows: pd.DataFrame) -> set[int]:
    """Races stored with the digest they have now (none if the table is new or was written without digests)."""
    if DIGEST not in (_stored_columns(warehouse, table) or []):
        return set()
    known = read_frame(warehouse, f"select distinct race_id, {DIGEST} from {SCHEMA}.{table}")
    now = rows[["race_id", DIGEST]].drop_duplicates()
    return set(now.merge(known, on=["race_id", DIGEST])["race_id"].astype(int))


def _columns_stored(warehouse: Warehouse, frames: dict[str, pd.DataFrame]) -> bool:
    """Every stored table has the frame's columns (writes order them as declared, so the order does not count)."""
    return all((stored := _stored_columns(warehouse, table)) is None or set(stored) == set(frame.columns)
               for table, frame in frames.items())


def write_changed_races(warehouse: Warehouse, table: str, contribution_table: str, rows: pd.DataFrame,
                        inputs: pd.DataFrame, predict: Predict) -> dict[str, int]:
    """Predict the races of `rows` whose digest changed and store them; row counts per table after the write."""
    rows, inputs = rows.reset_index(drop=True), inputs.reset_index(drop=True)
    rows = rows.assign(**{DIGEST: race_digests(rows, inputs)})
    kept = _kept_races(warehouse, table, rows)
    todo = ~rows["race_id"].isin(kept)
    if kept and not todo.any():  # nothing to predict (a model would not take zero rows): only drop gone races
        return replace_races(warehouse, {table: pd.DataFrame(), contribution_table: pd.DataFrame()},
                             keep=kept)
    frames = dict(zip((table, contribution_table), predict(rows[todo].reset_index(drop=True),
                                                         inputs[todo].reset_index(drop=True)), strict=True))
    if kept and todo.any() and not _columns_stored(warehouse, frames):  # the tables' layout changed: all again
        kept = set()
        frames = dict(zip((table, contribution_table), predict(rows, inputs), strict=True))
    return replace_races(warehouse, frames, keep=kept)
