"""The warehouse domain: the raw views over the lake."""

from dagster import Definitions

from orchestration.defs.warehouse.assets import warehouse_raw_schema

defs = Definitions(assets=[warehouse_raw_schema])
