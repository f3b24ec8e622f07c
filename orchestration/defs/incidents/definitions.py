"""The incidents domain: the run-failure sensor that records incidents."""

from dagster import Definitions

from orchestration.defs.incidents.sensors import incident_sensor

defs = Definitions(sensors=[incident_sensor])
