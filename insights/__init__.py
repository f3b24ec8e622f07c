"""Race intelligence computed from the warehouse marts: time lost, race stories (Track Pulse), battle forecast.

Plain pandas/NumPy, no dagster: orchestration/defs/insights wraps these functions in race-partitioned assets."""
