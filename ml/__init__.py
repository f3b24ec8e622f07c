"""Model training, evaluation and the MLflow registry. Plain Python: nothing here imports dagster."""
