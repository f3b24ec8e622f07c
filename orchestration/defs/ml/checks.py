"""Asset checks of the ML assets: every model has a champion to serve, and the next race has predictions."""

from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSpec, AssetKey, asset_check, multi_asset_check

from ml import in_race_predictions, predictions, registry, tracking
from ml.training import TRAINERS
from orchestration.defs.ml.resources import MlResource
from transforms.warehouse import read_frame


@multi_asset_check(specs=[AssetCheckSpec("has_champion", asset=AssetKey(["ml", name])) for name in TRAINERS])
def champions_exist(ml: MlResource):  # type: ignore[no-untyped-def]
    """Downstream loads models:/<name>@champion: the alias must resolve for every model."""
    client = tracking.configure(ml.paths)
    for name in TRAINERS:
        version = registry.champion_version(client, name)
        yield AssetCheckResult(asset_key=AssetKey(["ml", name]), check_name="has_champion", passed=version is not None,
                               metadata={"champion_version": version or 0})


@asset_check(asset=AssetKey(["marts", predictions.ENTRY_TABLE]), name="next_race_predicted")
def next_race_predicted(ml: MlResource) -> AssetCheckResult:
    """Every presumed entrant of the next race has a finish mean/std and a qualifying prediction."""
    frame = read_frame(ml.paths.warehouse, f"select * from marts.{predictions.ENTRY_TABLE} where split = 'next'")
    complete = frame[["predicted_finish_position_mean", "predicted_finish_position_std",
                      "predicted_qualifying_position"]].notna().all(axis=None)
    return AssetCheckResult(passed=bool(len(frame) >= 18 and complete),
                            metadata={"drivers": len(frame),
                                      "race_id": int(frame["race_id"].iloc[0]) if len(frame) else 0})


@asset_check(asset=AssetKey(["marts", in_race_predictions.OVERTAKE_TABLE]), name="every_battle_predicted")
def every_battle_predicted(ml: MlResource) -> AssetCheckResult:
    """One calibrated probability per row of features.battle_features (battle_forecast relies on it)."""
    (battles, predicted, valid), = read_frame(ml.paths.warehouse, f"""
        select (select count(*) from features.battle_features),
               count(*) filter (where p_overtake between 0 and 1), count(*) filter (where split = 'valid')
        from marts.{in_race_predictions.OVERTAKE_TABLE}
    """).itertuples(index=False)
    return AssetCheckResult(passed=bool(battles == predicted and valid > 0),
                            metadata={"battles": int(battles), "predicted": int(predicted), "valid_rows": int(valid)})


ml_checks: list[AssetChecksDefinition] = [champions_exist, next_race_predicted, every_battle_predicted]
