"""The promotion gate judged walk-forward on the procedure (ml.procedures, ml.registry.walk_forward_gate): the
deployed fit sees the latest race; the same procedure after one more race is promoted, reusing its earlier folds; a
worse procedure stays challenger; every decision lands in marts.model_gate_decisions with both scores."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from home_copies import copy_warehouse

from ml import datasets, gate_decisions, procedures, registry
from ml.evaluation import TimeSplit
from ml.models import positions, qualifying
from ml.paths import MlPaths
from ml.publish import WalkForward, publish
from ml.training import procedure_record
from ml.walk_forward import Fold, WalkForwardScores, folds
from ml.walk_forward import qualifying as qualifying_evaluation
from ml.walk_forward.scoring import per_race_table, race_score
from transforms.warehouse import Warehouse, read_frame, writing


def test_the_deployed_fit_trains_on_the_latest_race(entries: pd.DataFrame, ml_paths: MlPaths) -> None:
    races = datasets.races(ml_paths)
    latest = int(races.loc[races["has_results"], "race_id"].iloc[-1])
    split = TimeSplit.deployed(races)
    assert latest in split.train_race_ids and split.valid_race_ids <= split.train_race_ids
    trained = qualifying.train(entries, split)
    labelled = entries[entries["actual_qualifying_position"].notna() & entries["race_id"].isin(split.train_race_ids)]
    assert trained.params["train_rows"] == len(labelled) and latest in set(labelled["race_id"])


def test_same_procedure_is_promoted_with_its_cached_folds_and_a_worse_one_is_challenger(
        entries: pd.DataFrame, ml_paths: MlPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    paths = MlPaths(home, copy_warehouse(ml_paths.home, home))  # a fresh MLflow registry on the built warehouse
    with writing(paths.warehouse, "the home's own training decisions are not this registry's") as con:
        con.execute(f"drop table if exists marts.{gate_decisions.TABLE}")
    evaluated: list[int] = []  # every race a walk-forward fit was made for

    def counted(warehouse: Warehouse, judged: Sequence[Fold]) -> WalkForwardScores:
        evaluated.extend(f.race_id for f in judged)
        return qualifying_evaluation.evaluate(warehouse, judged)

    monkeypatch.setitem(procedures.PROCEDURES, qualifying.NAME,
                        dataclasses.replace(procedures.PROCEDURES[qualifying.NAME], evaluate=counted))
    races = datasets.races(paths)
    last_three = folds(paths.warehouse)[-3:]

    def weekend(judged: list[Fold], race_ids: set[int]) -> registry.GateDecision:
        """Train on `race_ids`, judge on `judged` (the latest races then), publish and record the decision."""
        monkeypatch.setattr(procedures, "judged_folds", lambda warehouse: judged)
        trained = qualifying.train(entries, TimeSplit.deployed(races[races["race_id"].isin(race_ids)]))
        decision = publish(trained, paths, procedure_record(qualifying.NAME, paths, races, max(race_ids)))
        gate_decisions.record(paths.warehouse, decision, max(race_ids))
        return decision

    every_race = set(races.loc[races["has_results"], "race_id"].astype(int))
    first = weekend(last_three[:2], every_race - {last_three[2].race_id})  # before the latest race landed
    assert first.promoted and first.reason == "no champion yet"
    assert evaluated == [f.race_id for f in last_three[:2]]

    second = weekend(last_three[1:], every_race)  # the latest race landed: same procedure, one more race
    assert second.promoted and second.reason == "same procedure, fitted on more races"
    assert evaluated[2:] == [last_three[2].race_id]  # one new fold: the common race came from the first's artefact
    assert second.common_races == 1 and second.candidate_score == pytest.approx(second.champion_score)

    again = weekend(last_three[1:], every_race)  # retrained with no new race: an identical fit stays out of service
    assert again.alias == registry.CHALLENGER and again.reason == "same procedure, no new race"
    assert evaluated[3:] == []

    monkeypatch.setitem(positions.XGB_PARAMS, "learning_rate", 0.0)  # a silly procedure: a constant prediction
    worse = weekend(last_three[1:], every_race)
    assert worse.alias == registry.CHALLENGER and worse.procedure_digest != second.procedure_digest
    assert evaluated[3:] == [f.race_id for f in last_three[1:]]  # a new procedure has no cached fold
    assert worse.common_races == 2 and worse.candidate_score < worse.champion_score  # type: ignore[operator]

    rows = read_frame(paths.warehouse, f"select * from marts.{gate_decisions.TABLE} order by version")
    assert rows["version"].tolist() == [1, 2, 3, 4]
    assert rows["alias"].tolist() == [registry.CHAMPION, registry.CHAMPION, registry.CHALLENGER, registry.CHALLENGER]
    last = rows.iloc[-1]
    assert last["candidate_score"] == pytest.approx(worse.candidate_score)
    assert last["champion_score"] == pytest.approx(worse.champion_score) and last["champion_version"] == 2
    assert last["reason"] == "changed procedure, not better on 2 common races"


def test_a_changed_procedure_that_ties_on_the_order_is_judged_on_its_tie_break(
        entries: pd.DataFrame, ml_paths: MlPaths, tmp_path: Path) -> None:
    """A new spread behind the win probabilities leaves every predicted order, hence the Spearman, as it was: the
    procedure's tie-break metric (the winner's log-loss) decides, and without one the tie keeps the champion."""
    home = tmp_path / "home"
    paths = MlPaths(home, copy_warehouse(ml_paths.home, home))
    races = datasets.races(paths)
    latest = int(races.loc[races["has_results"], "race_id"].iloc[-1])
    trained = qualifying.train(entries, TimeSplit.deployed(races))
    judged = folds(paths.warehouse)[-3:]
    order, tie_break = "spearman_post_qualifying", ("winner_log_loss_post_qualifying", False)

    def publish_scored(digest: str, winner_log_loss: float, tie: tuple[str, bool] | None) -> registry.GateDecision:
        rows = [race_score(fold, fold.race_start_at, metric, value, "naive", value, 20, higher)
                for fold in judged
                for metric, value, higher in ((order, 0.6, True), (tie_break[0], winner_log_loss, False))]
        return publish(trained, paths, WalkForward(digest, per_race_table(rows), order, True, latest, tie))

    assert publish_scored("first", 1.4, tie_break).reason == "no champion yet"
    worse = publish_scored("worse-spread", 1.5, tie_break)
    assert worse.alias == registry.CHALLENGER
    assert worse.reason == (f"changed procedure, {order} equal, {tie_break[0]} not better (1.5000 vs 1.4000) "
                            "on 3 common races")
    better = publish_scored("sharper-spread", 1.2, tie_break)
    assert better.promoted and better.reason.startswith(f"changed procedure, {order} equal, {tie_break[0]} better")
    untied = publish_scored("no-tie-break", 1.0, None)
    assert untied.alias == registry.CHALLENGER and untied.reason == "changed procedure, not better on 3 common races"
