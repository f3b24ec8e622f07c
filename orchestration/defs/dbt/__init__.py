"""dbt (staging -> intermediate -> marts/features) as Dagster assets; see assets.py and resources.py."""
