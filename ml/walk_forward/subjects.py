"""The registry of what the walk-forward evaluation judges: one subject per evaluator (any Evaluator fits)."""

from __future__ import annotations

from dataclasses import dataclass

from ml.models import finish_position, lap_time, overtake, qualifying
from ml.walk_forward import Evaluator
from ml.walk_forward import finishing as finishing_evaluation
from ml.walk_forward import lap_time as lap_time_evaluation
from ml.walk_forward import overtake as overtake_evaluation
from ml.walk_forward import qualifying as qualifying_evaluation
from ml.walk_forward import safety_car as safety_car_evaluation
from ml.walk_forward import strategy as strategy_evaluation


@dataclass(frozen=True)
class Subject:
    name: str
    evaluate: Evaluator
    # the registered models whose definition the evaluator refits: their champion versions identify the MLflow run
    # (none for the simulation's precomputes, fitted from the marts by code)
    model_names: tuple[str, ...] = ()


SUBJECTS = {subject.name: subject for subject in [
    Subject(finishing_evaluation.SUBJECT, finishing_evaluation.evaluate, (finish_position.NAME, qualifying.NAME)),
    Subject(qualifying_evaluation.SUBJECT, qualifying_evaluation.evaluate, (qualifying.NAME,)),
    Subject(lap_time_evaluation.SUBJECT, lap_time_evaluation.evaluate, (lap_time.NAME,)),
    Subject(overtake_evaluation.SUBJECT, overtake_evaluation.evaluate, (overtake.NAME,)),
    Subject(safety_car_evaluation.SUBJECT, safety_car_evaluation.evaluate),
    Subject(strategy_evaluation.SUBJECT, strategy_evaluation.evaluate),
]}
