"""The analysts' README: every example query runs on the archive warehouse and returns rows."""

from __future__ import annotations

import re

import pytest
from dbt_testlib import DBT_PROJECT_DIR, Warehouse

pytestmark = pytest.mark.slow

BLOCKS = re.findall(r"```sql\n(.*?)```", (DBT_PROJECT_DIR / "README.md").read_text(), re.S)
# The time-travel example needs a refresh's history (pre-race predictions): tests/warehouse/test_refresh_history.py
# runs it on the session's refreshed home.
QUERIES = [q for q in BLOCKS if "ops.race_landings" not in q]


def test_readme_has_five_example_queries() -> None:
    assert len(QUERIES) >= 5


@pytest.mark.parametrize("query", QUERIES, ids=[f"query{i + 1}" for i in range(len(QUERIES))])
def test_readme_query_runs(warehouse: Warehouse, query: str) -> None:
    assert len(warehouse.query(query)) > 0
