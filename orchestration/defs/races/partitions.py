from dagster import DynamicPartitionsDefinition

# Keys like 2024-05 (transforms.sessions.race_key): every race with a race session in the lake, plus the next race.
race_partitions = DynamicPartitionsDefinition(name="race")
