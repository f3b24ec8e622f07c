"""What a training *procedure* is and how it is judged walk-forward for the promotion gate.

A procedure is a model module's code with its feature list and hyper-parameters; its `digest` names it. The gate
judges the procedure, not one fit: each of the latest WALK_FORWARD_RACES races is predicted by a fit on the races
before it (the subject's walk-forward evaluator), while the deployed version is fitted on every race. Fold results
are cached by (digest, race): a version reuses the per-race rows of an earlier version of the same procedure, so a
race weekend costs one new fold per model. That fold (the new race, predicted by a fit on every race before it) is
the previous deployed version of the same procedure itself where the evaluator takes deployed fits
(`evaluate_with_fits`): no fit at all."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pandas as pd

from ml.models import finish_position, lap_time, overtake, positions, qualifying
from ml.walk_forward import PER_RACE_COLUMNS, Evaluator, Fold, WalkForwardScores, folds
from ml.walk_forward import finishing as finishing_evaluation
from ml.walk_forward import lap_time as lap_time_evaluation
from ml.walk_forward import overtake as overtake_evaluation
from ml.walk_forward import qualifying as qualifying_evaluation
from transforms.warehouse import Warehouse

# The races each procedure is judged on. 6: after a weekend candidate and champion share 5 races (the gate needs an
# overlap), and a new procedure's first judgement costs 6 folds (lap time ~15 s a fold on the loaded two cores);
# more races would steady the comparison but a procedure *choice* is made on the full walk-forward
# (`undercut evaluate`), the gate only guards the deployed model against a worse one.
WALK_FORWARD_RACES = 6

# An evaluator that also takes deployed fits of the same procedure, keyed by the start of the latest race they saw
# (ml.walk_forward.scoring.refitted): the folds they match are not refitted.
FitReusingEvaluator = Callable[[Warehouse, Sequence[Fold], Mapping[pd.Timestamp, Any]], WalkForwardScores]


@dataclass(frozen=True)
class Procedure:
    model_name: str
    modules: tuple[ModuleType, ...]  # the code that fits and shapes the model
    features: tuple[str, ...]
    hyper_parameters: dict[str, Any]  # the module's own dict (read when the digest is taken)
    evaluate: Evaluator
    metric: str  # the evaluator's per-race metric the gate compares (mean over the common races)
    higher_is_better: bool
    # (metric, higher_is_better) that decides when `metric` ties: a change that leaves the order alone (the spread
    # behind the win probabilities) is judged on what it changes
    tie_break: tuple[str, bool] | None = None
    evaluate_with_fits: FitReusingEvaluator | None = None  # `evaluate` reusing deployed fits, where it can

    @property
    def digest(self) -> str:
        """sha256 (16 hex) of the modules' source, the feature list and the hyper-parameters."""
        text = json.dumps({"source": [inspect.getsource(m) for m in self.modules], "features": list(self.features),
                           "hyper_parameters": self.hyper_parameters}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# pit_strategy_clusters has no walk-forward evaluator (clustering has no outcome to predict): it keeps the
# fixed-window silhouette gate (ml.registry.gate).
PROCEDURES = {procedure.model_name: procedure for procedure in [
    Procedure(finish_position.NAME, (finish_position, positions), tuple(finish_position.FEATURES),
              positions.XGB_PARAMS, finishing_evaluation.evaluate, "spearman_post_qualifying", True,
              tie_break=("winner_log_loss_post_qualifying", False)),
    Procedure(qualifying.NAME, (qualifying, positions), tuple(qualifying.FEATURES), positions.XGB_PARAMS,
              qualifying_evaluation.evaluate, "spearman", True),
    Procedure(lap_time.NAME, (lap_time,), tuple(lap_time.FEATURES), lap_time.XGB_PARAMS,
              lap_time_evaluation.evaluate, "mae_dry_s", False, evaluate_with_fits=lap_time_evaluation.evaluate),
    Procedure(overtake.NAME, (overtake,), tuple(overtake.FEATURES), overtake.XGB_PARAMS,
              overtake_evaluation.evaluate, "auroc", True, evaluate_with_fits=overtake_evaluation.evaluate),
]}


def judged_folds(warehouse: Warehouse) -> list[Fold]:
    return folds(warehouse)[-WALK_FORWARD_RACES:]


def per_race_scores(procedure: Procedure, warehouse: Warehouse, cached: pd.DataFrame | None,
                    deployed_fits: Mapping[pd.Timestamp, Any] | None = None) -> pd.DataFrame:
    """The procedure's per-race table over the judged races: `cached` rows (an earlier version of the same
    procedure) where they cover a race, the evaluator run on the others only, with `deployed_fits` (earlier
    versions' fits by the start of the latest race they saw) instead of refits where it takes them."""
    judged = judged_folds(warehouse)
    known = cached[cached["race_id"].isin([f.race_id for f in judged])] if cached is not None else None
    missing = [f for f in judged if known is None or f.race_id not in set(known["race_id"])]
    fresh = None
    if missing and deployed_fits and procedure.evaluate_with_fits is not None:
        fresh = procedure.evaluate_with_fits(warehouse, missing, deployed_fits).per_race
    elif missing:
        fresh = procedure.evaluate(warehouse, missing).per_race
    parts = [p for p in (known, fresh) if p is not None and not p.empty]
    if not parts:
        return pd.DataFrame(columns=PER_RACE_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["season", "round", "metric"], ignore_index=True)

