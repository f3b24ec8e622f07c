"""MLflow wiring: one SQLite backend + artifact folder per $UNDERCUT_HOME, or a tracking server
(MLFLOW_TRACKING_URI); one experiment per model."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ml.paths import MlPaths

if TYPE_CHECKING:
    from mlflow import MlflowClient

EXPERIMENT_PREFIX = "undercut"


def configure(paths: MlPaths) -> MlflowClient:
    """Point MLflow (tracking and registry) at this home; returns a client bound to it."""
    import mlflow  # imported when used: MLflow takes ~3 s to import

    if not paths.tracking_server:
        paths.artifacts_dir.mkdir(parents=True, exist_ok=True)
    # MLflow exports both URIs for its subprocesses; a refresh of another home started afterwards from this process
    # (a scheduler, a test session) would inherit them and register its models here. This process keeps MLflow's
    # own setting; the environment is put back as it was.
    exported = {name: os.environ.get(name) for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(paths.tracking_uri)
    mlflow.set_registry_uri(paths.tracking_uri)
    for name, value in exported.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return mlflow.MlflowClient(tracking_uri=paths.tracking_uri, registry_uri=paths.tracking_uri)


def experiment_id(client: MlflowClient, paths: MlPaths, model_name: str) -> str:
    """The model's experiment, created with its artifacts under $UNDERCUT_HOME/mlartifacts (not ./mlruns), or where
    the tracking server keeps them."""
    name = f"{EXPERIMENT_PREFIX}/{model_name}"
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return str(existing.experiment_id)
    if paths.tracking_server:
        return str(client.create_experiment(name))
    return str(client.create_experiment(name, artifact_location=(paths.artifacts_dir / model_name).as_uri()))
