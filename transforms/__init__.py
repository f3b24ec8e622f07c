"""Source clients and raw→table normalisation. Plain Python: nothing here imports dagster."""
