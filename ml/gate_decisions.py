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
