"""Every promotion-gate decision as a row of `marts.model_gate_decisions` (the history of which version serves)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import pandas as pd

from ml.registry import GateDecision
from transforms.derived import replace_table
from transforms.warehouse import Warehouse, read_frame, table_exists

TABLE = "model_gate_decisions"


def record(warehouse: Warehouse, decision: GateDecision, trained_through_race_id: int | None) -> int:
    """Append the decision (the table is small: rewritten whole, as every python mart goes through
    transforms.derived); returns the table's row count."""
    row = pd.DataFrame([{**asdict(decision), "decided_at": datetime.now(),
                         "trained_through_race_id": trained_through_race_id}])
    earlier = read_frame(warehouse, f"select * from marts.{TABLE}") if table_exists(warehouse, "marts", TABLE) \
        else None
    if earlier is None or earlier.empty:
        return replace_table(warehouse, TABLE, row)
    # object columns: an all-null column (no champion score yet) must not decide the dtype (cast on write)
    return replace_table(warehouse, TABLE, pd.concat([earlier.astype(object), row.astype(object)], ignore_index=True))


def races_not_trained_on(warehouse: Warehouse) -> set[int]:
    """Races with a result that started after the latest race some model's last deployed fit was trained through:
    what a weekend retraining is for. Read from the recorded decisions (not from what one refresh saw land), so a
    refresh killed between the result landing and the retraining still retrains on the next one. Every race with a
    result when no decision is recorded yet; none before the warehouse's first build."""
    if not table_exists(warehouse, "marts", "dim_races"):
        return set()
    if not table_exists(warehouse, "marts", TABLE):
        return set(read_frame(warehouse, "select race_id from marts.dim_races where has_results")["race_id"])
    return set(read_frame(warehouse, f"""
        with latest as (
            select model_name, max_by(trained_through_race_id, decided_at) as race_id
            from marts.{TABLE} group by model_name),
        horizon as (select min(r.race_start_at) as trained_until from latest join marts.dim_races r using (race_id))
        select race_id from marts.dim_races, horizon
        where has_results and (trained_until is null or race_start_at > trained_until)""")["race_id"])
