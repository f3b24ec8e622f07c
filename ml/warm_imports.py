"""Import heavy libraries ahead of their use, in a daemon thread, for a caller that knows a core is idle meanwhile
(a refresh waiting on dbt's own process). Import times on the loaded two cores: Evidently ~7 s,
XGBoost, scikit-learn and MLflow ~2-3 s each; the drift report and the prediction job then start without them.
Safe to race with the same imports in another thread: Python's per-module import locks make those wait."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence

# What the drift report and the prediction job import (ml.drift, ml.predictions, ml.tracking). Not Feast: its import
# installs a "once" filter for DeprecationWarning, which, taking effect while dbt runs, printed dagster-dbt's own
# deprecation into a quiet `undercut run` (tests/foundation/test_quiet_cli.py).
DRIFT = ("evidently.legacy.calculations.stattests", "evidently.metrics")
PREDICTIONS = ("xgboost", "sklearn", "mlflow", "mlflow.xgboost", "mlflow.sklearn")


def start(modules: Sequence[str]) -> threading.Thread:
    """Start importing `modules`, in order, in a daemon thread."""
    thread = threading.Thread(target=_import, args=(modules,), name="warm-imports", daemon=True)
    thread.start()
    return thread


def _import(modules: Sequence[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the job that needs the module imports it again and reports the error where it runs
            return
