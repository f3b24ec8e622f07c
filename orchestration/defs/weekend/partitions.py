from dagster import DynamicPartitionsDefinition

# Keys like 2024-05-R (transforms.sessions.SessionRef), registered from the race calendar.
session_partitions = DynamicPartitionsDefinition(name="session")
