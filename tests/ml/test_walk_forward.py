"""The walk-forward evaluation on the last races of the built home: every registered evaluator's folds fitted before
their race (and a leaky fit caught), the entry features equal to Feast's point-in-time join, the printed summary
and the MLflow run with its artefacts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from undercut_cli import undercut

from ml import datasets, tracking
from ml.paths import MlPaths
from ml.walk_forward import PER_RACE_COLUMNS, PER_SEASON_COLUMNS, PROBABILITY_COLUMNS, Fold, folds, scoring
from ml.walk_forward import finishing as finishing_evaluation
from ml.walk_forward.report import Evaluated, calibration_table, leaked, log_to_mlflow, render, run, summary
from ml.walk_forward.subjects import SUBJECTS
from transforms.warehouse import Warehouse

JUDGED_ROUNDS = (14, 15)  # the last two 2025 races of the archive: cheap, and every model has a long history


@pytest.fixture(scope="module")
def warehouse(built_home: Path) -> Warehouse:
    return Warehouse.at(built_home)  # read only


@pytest.fixture(scope="module")
def judged(warehouse: Warehouse) -> list[Fold]:
    return [fold for fold in folds(warehouse, [2025]) if fold.round in JUDGED_ROUNDS]


@pytest.fixture(scope="module")
def evaluated(warehouse: Warehouse, judged: list[Fold]) -> list[Evaluated]:
    return run(warehouse, judged, list(SUBJECTS.values()))


def test_every_fold_of_every_evaluator_is_fitted_before_its_race(evaluated: list[Evaluated],
                                                                 judged: list[Fold]) -> None:
    assert {e.subject.name for e in evaluated} == set(SUBJECTS)
    for e in evaluated:
        assert list(e.scores.per_race.columns) == PER_RACE_COLUMNS
        assert list(e.scores.per_season.columns) == PER_SEASON_COLUMNS
        assert set(e.scores.per_race["race_id"]) == {fold.race_id for fold in judged}, e.scores.subject
        assert leaked(e.scores, judged).empty, e.scores.subject


def test_a_fit_that_sees_its_race_is_caught(warehouse: Warehouse, judged: list[Fold],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(finishing_evaluation, "WARM_UP_RACES", 2)  # cheaper; the spread only needs a few races
    monkeypatch.setattr(scoring, "before", lambda frame, fold, started_at="race_start_at": frame)
    scores = finishing_evaluation.evaluate(warehouse, judged[-1:])
    assert set(leaked(scores, judged)["race_id"]) == {judged[-1].race_id}


def test_folds_fitted_at_once_score_as_one_at_a_time(warehouse: Warehouse, judged: list[Fold],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ml.procedures import PROCEDURES

    procedure = PROCEDURES["lap_time"]
    monkeypatch.setitem(procedure.hyper_parameters, "n_estimators", 20)  # a small model: the same procedure, faster
    monkeypatch.setattr(scoring, "FOLDS_AT_ONCE", 1)
    one_at_a_time = procedure.evaluate(warehouse, judged).per_race
    monkeypatch.setattr(scoring, "FOLDS_AT_ONCE", len(judged))
    pd.testing.assert_frame_equal(procedure.evaluate(warehouse, judged).per_race, one_at_a_time, check_exact=True)


def test_entry_inputs_are_dated_before_the_race(warehouse: Warehouse) -> None:
    entries = datasets.entry_frame_from_marts(warehouse)
    assert (entries["last_input_race_start_at"].dropna() < entries.loc[
        entries["last_input_race_start_at"].notna(), "event_timestamp"]).all()


def test_entry_features_from_the_marts_are_feasts_point_in_time_rows(ml_paths: MlPaths,
                                                                     entries: pd.DataFrame) -> None:
    direct = datasets.entry_frame_from_marts(ml_paths.warehouse)
    feast = entries[~entries["is_next_race"]]
    columns = ["race_id", "driver_id", *map(datasets.feature_name, datasets.PRE_RACE_FEATURES)]
    key = ["race_id", "driver_id"]
    pd.testing.assert_frame_equal(direct[columns].sort_values(key).reset_index(drop=True).astype("float64"),
                                  feast[columns].sort_values(key).reset_index(drop=True).astype("float64"))


def test_summary_has_every_metric_beside_its_baseline(evaluated: list[Evaluated]) -> None:
    table = summary(evaluated)
    metrics = set(table["metric"])
    assert {"spearman_post_qualifying", "spearman_pre_race", "winner_log_loss_pre_race", "top3_brier_pre_race",
            "mae_dry_s", "auroc", "brier"} <= metrics
    assert table[["value", "baseline", "n"]].notna().all(axis=None)
    finishing = table[table["metric"] == "spearman_post_qualifying"].iloc[0]
    assert -1 <= finishing["value"] <= 1 and finishing["baseline_name"] == "grid order"
    assert "spearman_post_qualifying" in render(table)


def test_mlflow_run_has_the_per_race_table_and_the_plot(evaluated: list[Evaluated], tmp_path: Path) -> None:
    paths = MlPaths(tmp_path, Warehouse.at(tmp_path))
    finishing = next(e for e in evaluated if e.subject.name == finishing_evaluation.SUBJECT)
    run_id = log_to_mlflow(paths, finishing, [2025])
    client = tracking.configure(paths)
    logged = client.get_run(run_id)
    assert logged.data.params["subject"] == finishing_evaluation.SUBJECT
    assert logged.data.params["model_version"] == "finish_position=none,qualifying=none"  # a fresh registry
    assert logged.data.metrics["spearman_post_qualifying_2025"] == pytest.approx(
        finishing.scores.per_season.set_index("metric").loc["spearman_post_qualifying", "value"])
    artefacts = {a.path for folder in (None, "plots") for a in client.list_artifacts(run_id, folder)}
    assert {"per_race.csv", "per_season.csv", "plots/per_race.png", "calibration.csv",
            "plots/calibration.png"} <= artefacts


def test_win_and_podium_forecasts_sum_to_the_field_and_bin_for_calibration(evaluated: list[Evaluated],
                                                                          judged: list[Fold]) -> None:
    finishing = next(e for e in evaluated if e.subject.name == finishing_evaluation.SUBJECT)
    probabilities = finishing.scores.probabilities
    assert probabilities is not None and list(probabilities.columns) == PROBABILITY_COLUMNS
    per_race = probabilities.groupby(["race_id", "event"])
    # every race has one winner and three podium places, in the forecasts as in the results
    assert per_race["probability"].sum().round(6).to_dict() == {
        (fold.race_id, f"{event}_{view}"): float(places) for fold in judged
        for event, places in (("win", 1), ("top3", 3)) for view in finishing_evaluation.VIEWS}
    assert per_race["happened"].sum().to_dict() == {
        key: (1 if key[1].startswith("win") else 3) for key in per_race.groups}
    table = calibration_table(probabilities)
    assert table.groupby("event")["forecasts"].sum().to_dict() == probabilities.groupby("event").size().to_dict()
    assert table["mean_probability"].between(0, 1).all() and table["observed_share"].between(0, 1).all()


def test_undercut_evaluate_prints_the_summary(built_home: Path, archive_dir: Path) -> None:
    printed = undercut("evaluate", built_home, archive_dir, "--seasons", "2025", "--rounds", "15",
                       "--subjects", finishing_evaluation.SUBJECT)
    assert "walk-forward evaluation: 1 races of 2025" in printed
    row = next(line for line in printed.splitlines() if "spearman_post_qualifying" in line).split()
    value, baseline = float(row[3]), float(row[-3])  # ... value baseline_name baseline delta n
    assert -1 <= value <= 1 and -1 <= baseline <= 1 and value != baseline


def test_the_evaluation_asset_runs_in_its_own_weekly_job_not_in_the_refresh() -> None:
    from orchestration.definitions import defs
    from orchestration.defs.jobs import ml_predict_job
    from orchestration.defs.ml.assets import ml_job
    from orchestration.defs.ml.evaluation import KEY

    graph = defs.resolve_asset_graph()
    assert KEY in graph.get_all_asset_keys()
    assert all(KEY not in job.selection.resolve(graph) for job in (ml_job, ml_predict_job))
    assert defs.resolve_schedule_def("walk_forward_job_schedule").job_name == "walk_forward_job"


def test_the_asset_logs_a_run_and_checks_every_fold(ml_paths: MlPaths, judged: list[Fold], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster import materialize

    from orchestration.defs.ml import evaluation
    from orchestration.defs.ml.resources import MlResource

    # the ML test warehouse, MLflow in a home of its own; one race and the quickest subject
    monkeypatch.setenv("UNDERCUT_WAREHOUSE_CATALOG", ml_paths.warehouse.catalog)
    monkeypatch.setenv("UNDERCUT_LAKE_URI", ml_paths.warehouse.lake_uri)
    monkeypatch.setattr(evaluation, "folds", lambda warehouse: judged[-1:])
    monkeypatch.setattr(evaluation, "SUBJECTS", {"overtake": SUBJECTS["overtake"]})
    result = materialize([evaluation.walk_forward_evaluation], resources={"ml": MlResource(home=str(tmp_path))})
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == evaluation.LEAKAGE_CHECK and check.passed
    metadata = result.asset_materializations_for_node("ml__walk_forward_evaluation")[0].metadata
    client = tracking.configure(MlPaths(tmp_path, ml_paths.warehouse))
    assert client.get_run(str(metadata["mlflow_run.overtake"].value)).data.params["seasons"] == "2025"



@pytest.mark.parametrize("model_name", ["lap_time", "overtake"])
def test_a_deployed_fit_through_the_race_before_is_that_race_s_fold(built_home: Path, warehouse: Warehouse,
                                                                      judged: list[Fold], model_name: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The fold of a new race is the previous deployed version (fitted on every race with a result before it): the
    same scores as a refit, and no fit made."""
    from ml.evaluation import TimeSplit
    from ml.procedures import PROCEDURES
    from ml.training import TRAINERS

    procedure = PROCEDURES[model_name]
    model_module = procedure.modules[0]
    monkeypatch.setitem(procedure.hyper_parameters, "n_estimators", 20)  # a small model: the same procedure, faster
    fold = judged[-1]
    paths = MlPaths(built_home, warehouse)
    races = datasets.races(paths)
    before_race = races[races["race_start_at"] < fold.race_start_at]
    deployed = TRAINERS[model_name](paths, TimeSplit.deployed(before_race)).estimator
    refit = procedure.evaluate(warehouse, [fold]).per_race
    latest_seen = pd.Timestamp(before_race.loc[before_race["has_results"], "race_start_at"].max())

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fold was refitted")

    monkeypatch.setattr(model_module, "fit", no_fit)
    assert procedure.evaluate_with_fits is not None
    reused = procedure.evaluate_with_fits(warehouse, [fold], {latest_seen: deployed}).per_race
    pd.testing.assert_frame_equal(reused, refit)
