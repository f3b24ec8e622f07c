"""ML: Feast feature store, model training with the MLflow promotion gate, and prediction tables (see ml/)."""
