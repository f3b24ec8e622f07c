"""The races domain: the sensor that recomputes race partitions after the marts are rebuilt."""

from dagster import Definitions

from orchestration.defs.races.sensors import race_refresh_sensor

defs = Definitions(sensors=[race_refresh_sensor])
