"""Battle forecast: for every lap, each car within 1.5 s of the car ahead (and trains of 3+ cars), when an overtake
becomes likely, how likely, how sure we are, and how intense the fight is (1-10).

Built on marts.predictions_overtakes (the calibrated overtake model: P(pass within horizon_laps) per battle lap). The
model's probability becomes a per-lap pass rate; the pace delta (last three laps) projects how the gap evolves and
scales that rate as the gap shrinks or grows; the cumulative probability then says in how many laps a pass is
more likely than not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.data import RaceData

BATTLE_GAP_S = 1.5
DRS_GAP_S = 1.0
LIKELY = 0.5  # "likely": cumulative pass probability at least this
MAX_LOOKAHEAD_LAPS = 10
MIN_PROJECTED_GAP_S = 0.2  # the pass rate stops growing once the projected gap is this small
MAX_RATE_FACTOR = 3.0
COLUMNS = ["lap_number", "driver_id", "ahead_driver_id", "driver_code", "ahead_driver_code", "position", "gap_s",
           "pace_delta_s", "tyre_age_delta_laps", "laps_remaining", "battle_laps", "train_id", "train_size",
           "p_overtake", "horizon_laps", "p_overtake_5_laps", "laps_until_overtake", "confidence",
           "confidence_band", "intensity"]


def battle_forecast(race: RaceData, predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per battle lap of the race (predictions: that race's rows of marts.predictions_overtakes)."""
    battles = predictions[predictions["gap_s"] <= BATTLE_GAP_S]
    if not race.has_laps or battles.empty:
        return pd.DataFrame(columns=COLUMNS)
    laps = race.laps
    frame = battles[["lap_number", "driver_id", "ahead_driver_id", "gap_s", "p_overtake", "horizon_laps"]].merge(
        _car_state(laps), on=["lap_number", "driver_id"], how="left").merge(
        _car_state(laps).add_prefix("ahead_").rename(columns={"ahead_lap_number": "lap_number"}),
        on=["lap_number", "ahead_driver_id"], how="left")
    # Positive deltas favour the attacker: it laps faster / its tyres are younger.
    frame["pace_delta_s"] = (frame["ahead_last3_s"] - frame["last3_s"]).round(3)
    frame["tyre_age_delta_laps"] = frame["ahead_tyre_life_laps"] - frame["tyre_life_laps"]
    frame["laps_remaining"] = int(laps["race_laps"].max()) - frame["lap_number"]
    frame = frame.sort_values(["lap_number", "position"]).reset_index(drop=True)
    frame["battle_laps"] = _battle_laps(frame)
    frame[["train_id", "train_size"]] = _trains(frame)
    _forecast(frame)
    codes = laps.drop_duplicates("driver_id").set_index("driver_id")["driver_code"]
    frame["driver_code"] = frame["driver_id"].map(codes)
    frame["ahead_driver_code"] = frame["ahead_driver_id"].map(codes)
    return frame[COLUMNS]


def _car_state(laps: pd.DataFrame) -> pd.DataFrame:
    ordered = laps.sort_values(["driver_id", "lap_number"])
    last3 = ordered.groupby("driver_id")["lap_time_s"].transform(lambda s: s.rolling(3, min_periods=1).mean())
    return ordered.assign(last3_s=last3)[["lap_number", "driver_id", "position", "tyre_life_laps", "last3_s"]]


def _battle_laps(frame: pd.DataFrame) -> pd.Series:
    """Consecutive laps the same pair has been in battle, this lap included."""
    pair = frame.sort_values(["driver_id", "ahead_driver_id", "lap_number"])
    new_run = (pair.groupby(["driver_id", "ahead_driver_id"])["lap_number"].diff() != 1).cumsum()
    return pair.groupby(new_run).cumcount().add(1).reindex(frame.index)


def _trains(frame: pd.DataFrame) -> pd.DataFrame:
    """Cars in a chain of battles on a lap (P3 on P2 and P4 on P3: one train of three cars)."""
    new_chain = (frame["lap_number"].diff() != 0) | (frame["position"].diff() != 1)
    chain = new_chain.cumsum()
    size = frame.groupby(chain)["position"].transform("size") + 1
    train_id = frame["lap_number"].astype(str) + "-P" + (frame.groupby(chain)["position"].transform("min") - 1
                                                         ).astype("Int64").astype(str)
    return pd.DataFrame({"train_id": train_id, "train_size": size.astype(int)}, index=frame.index)


def _forecast(frame: pd.DataFrame) -> None:
    p = frame["p_overtake"].clip(0, 0.999).to_numpy()
    horizon = frame["horizon_laps"].clip(lower=1).to_numpy()
    rate = 1 - (1 - p) ** (1 / horizon)  # constant per-lap pass probability equivalent to p over the horizon
    gap = frame["gap_s"].to_numpy()
    closing = np.nan_to_num(frame["pace_delta_s"].to_numpy())
    k = np.arange(1, MAX_LOOKAHEAD_LAPS + 1)
    projected = np.maximum(gap[:, None] - closing[:, None] * k[None, :], MIN_PROJECTED_GAP_S)
    factor = np.clip(gap[:, None] / projected, 1 / MAX_RATE_FACTOR, MAX_RATE_FACTOR)
    survive = np.cumprod(1 - np.minimum(rate[:, None] * factor, 0.95), axis=1)
    cumulative = 1 - survive
    remaining = frame["laps_remaining"].to_numpy()
    reachable = k[None, :] <= remaining[:, None]
    likely = (cumulative >= LIKELY) & reachable
    frame["p_overtake_5_laps"] = np.where(remaining >= 5, cumulative[:, 4], cumulative[
        np.arange(len(frame)), np.clip(remaining - 1, 0, MAX_LOOKAHEAD_LAPS - 1)]).round(3)
    frame["laps_until_overtake"] = pd.array(np.where(likely.any(axis=1), likely.argmax(axis=1) + 1, -1),
                                            dtype="Int64")
    frame.loc[frame["laps_until_overtake"] < 0, "laps_until_overtake"] = pd.NA
    # Confidence: a decisive probability, model and pace trend agreeing, and a battle seen for several laps.
    decisive = np.abs(2 * frame["p_overtake_5_laps"] - 1)
    agree = ((frame["p_overtake_5_laps"] >= LIKELY) == (closing > 0)).astype(float)
    seen = np.minimum(frame["battle_laps"], 5) / 5
    frame["confidence"] = (0.5 * decisive + 0.25 * agree + 0.25 * seen).round(3)
    frame["confidence_band"] = pd.cut(frame["confidence"], [-0.01, 0.4, 0.7, 1.0],
                                      labels=["low", "medium", "high"]).astype(str)
    # Intensity: how close, how likely a pass, how far up the order, how many cars in the fight.
    close = 1 - np.clip(gap / BATTLE_GAP_S, 0, 1)
    front = (21 - frame["position"].clip(1, 20)) / 20
    crowd = np.minimum(frame["train_size"] - 2, 3) / 3
    score = 0.35 * close + 0.35 * frame["p_overtake_5_laps"] + 0.15 * front + 0.15 * crowd
    frame["intensity"] = (1 + np.round(9 * np.clip(score, 0, 1))).astype(int)


def backtest(forecast: pd.DataFrame, overtakes: pd.DataFrame, within_laps: int = 3) -> dict[str, float]:
    """Hit rate of "overtake within `within_laps` laps" against fct_overtakes, for the forecast and two naive rules.

    forecast: battle_forecast rows with race_id; overtakes: fct_overtakes rows of the same races. Only battle laps
    with at least `within_laps` laps left count. Hit rate = share of predicted passes that happened (precision);
    recall = share of the passes that happened that were predicted."""
    rows = forecast[forecast["laps_remaining"] >= within_laps].reset_index(drop=True)
    passes = overtakes[["race_id", "lap_number", "overtaking_driver_id", "overtaken_driver_id"]].rename(
        columns={"lap_number": "pass_lap", "overtaking_driver_id": "driver_id",
                 "overtaken_driver_id": "ahead_driver_id"})
    joined = rows[["race_id", "lap_number", "driver_id", "ahead_driver_id"]].reset_index().merge(
        passes, on=["race_id", "driver_id", "ahead_driver_id"])
    hit = joined[(joined["pass_lap"] > joined["lap_number"])
                 & (joined["pass_lap"] <= joined["lap_number"] + within_laps)]["index"].unique()
    actual = rows.index.isin(hit)
    rules = {
        "model": (rows["laps_until_overtake"].fillna(MAX_LOOKAHEAD_LAPS + 1) <= within_laps).to_numpy(),
        "naive_drs": (rows["gap_s"] <= DRS_GAP_S).to_numpy(),
        "naive_faster": (rows["pace_delta_s"] > 0).to_numpy(),
    }
    out: dict[str, float] = {"battle_laps": float(len(rows)), "base_rate": float(actual.mean()) if len(rows) else 0.0}
    for name, predicted in rules.items():
        tp = float((predicted & actual).sum())
        hit_rate = tp / float(predicted.sum()) if predicted.sum() else 0.0
        recall = tp / float(actual.sum()) if actual.sum() else 0.0
        out[f"{name}_predicted"] = float(predicted.sum())
        out[f"{name}_hit_rate"] = round(hit_rate, 4)
        out[f"{name}_recall"] = round(recall, 4)
        out[f"{name}_f1"] = round(2 * hit_rate * recall / (hit_rate + recall), 4) if hit_rate + recall else 0.0
    return out
