from dagster import DynamicPartitionsDefinition

# Registered from the source (undercut run / the calendar sensor): exactly the seasons the source has.
season_partitions = DynamicPartitionsDefinition(name="season")
