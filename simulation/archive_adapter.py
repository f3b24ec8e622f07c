"""Build the fitting tables (the marts' columns, see :mod:`simulation.fitting`) from the raw archive.

The archive layout is that of ``shared/data``: an Ergast CSV dump with ``\\N`` nulls in ``historical/`` (plus SC,
VSC and red-flag history keyed by race name) and FastF1 race laps in ``weekend/fastf1_laps.parquet`` (float
seconds, joined to Ergast by ``ergast_raceId``). Ids: ``race_id`` is the Ergast raceId, ``circuit_id``,
``driver_id`` and ``constructor_id`` are the Ergast refs (``bahrain``, ``max_verstappen``, ``red_bull``).

This is the simulation package's own small adapter for its backtest and tests; the platform's warehouse marts
provide the same tables.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.fitting import (
    RED_DIGIT,
    SC_DIGIT,
    VSC_DIGITS,
    field_pace_step_s,
    fit_circuit_params,
    fit_race_models,
    fit_start_noise,
    observed_passes_per_race,
)
from simulation.params import DRY_COMPOUNDS

ERGAST_NULL = r"\N"
RACE_SESSION = "Race"


@dataclass(frozen=True)
class ArchiveTables:
    laps: pd.DataFrame
    stints: pd.DataFrame
    pit_stops: pd.DataFrame
    sc_history: pd.DataFrame
    results: pd.DataFrame


def _csv(archive: Path, name: str) -> pd.DataFrame:
    path = archive / "historical" / name
    if not path.exists():
        raise FileNotFoundError(f"archive table missing: {path}")
    return pd.read_csv(path, na_values=[ERGAST_NULL])


def load_results(archive: Path) -> pd.DataFrame:
    races = _csv(archive, "races.csv")[["raceId", "year", "round", "circuitId", "name"]]
    circuits = _csv(archive, "circuits.csv")[["circuitId", "circuitRef"]]
    drivers = _csv(archive, "drivers.csv")[["driverId", "driverRef", "code"]]
    constructors = _csv(archive, "constructors.csv")[["constructorId", "constructorRef"]]
    status = _csv(archive, "status.csv")
    res = _csv(archive, "results.csv")[
        ["raceId", "driverId", "constructorId", "number", "grid", "positionOrder", "laps", "statusId"]
    ]
    out = (
        res.merge(races, on="raceId")
        .merge(circuits, on="circuitId")
        .merge(drivers, on="driverId")
        .merge(constructors, on="constructorId")
        .merge(status, on="statusId")
    )
    return out.rename(
        columns={
            "raceId": "race_id", "year": "season", "circuitRef": "circuit_id", "driverRef": "driver_id",
            "constructorRef": "constructor_id", "positionOrder": "position_order", "laps": "laps_completed",
            "name": "race_name",
        }
    )[
        ["race_id", "season", "round", "circuit_id", "driver_id", "constructor_id", "grid", "position_order",
         "status", "number", "code", "laps_completed", "race_name"]
    ]


def load_laps(archive: Path, results: pd.DataFrame) -> pd.DataFrame:
    raw = pd.read_parquet(archive / "weekend" / "fastf1_laps.parquet")
    raw = raw[(raw["SessionName"] == RACE_SESSION) & raw["ergast_raceId"].notna()].copy()
    raw["race_id"] = raw["ergast_raceId"].astype(int)
    raw["number"] = pd.to_numeric(raw["DriverNumber"], errors="coerce")
    keys = results[["race_id", "number", "code", "driver_id", "constructor_id", "season", "round", "circuit_id"]]
    by_number = raw.merge(keys.drop(columns="code"), on=["race_id", "number"], how="left")
    # Races without a results row for a car number: fall back to the three-letter code.
    missing = by_number["driver_id"].isna()
    by_code = raw.loc[missing.to_numpy()].merge(
        keys.drop(columns="number"), left_on=["race_id", "Driver"], right_on=["race_id", "code"], how="left"
    )
    laps = pd.concat([by_number[~missing], by_code], ignore_index=True).dropna(subset=["driver_id"])
    status = laps["TrackStatus"].astype("string").fillna("1")
    laps = pd.DataFrame(
        {
            "race_id": laps["race_id"],
            "season": laps["season"].astype(int),
            "round": laps["round"].astype(int),
            "circuit_id": laps["circuit_id"],
            "driver_id": laps["driver_id"],
            "constructor_id": laps["constructor_id"],
            "lap_number": laps["LapNumber"].astype(int),
            "lap_time_s": laps["LapTime"],
            "stint": laps["Stint"],
            "compound": laps["Compound"].astype("string"),
            "tyre_life_laps": laps["TyreLife"],
            "position": laps["Position"],
            "is_clean_lap": (
                laps["LapTime"].notna()
                & laps["PitInTime"].isna()
                & laps["PitOutTime"].isna()
                & (laps["LapNumber"] > 1)
                & (status == "1")
                & (laps["Deleted"].astype("string") != "True")
            ).fillna(False).astype(bool),
            "track_status": status,
        }
    )
    return laps.sort_values(["race_id", "driver_id", "lap_number"]).reset_index(drop=True)


def build_stints(laps: pd.DataFrame) -> pd.DataFrame:
    with_stint = laps.dropna(subset=["stint"])
    grouped = with_stint.groupby(["race_id", "circuit_id", "driver_id", "stint"], sort=False)
    stints = grouped.agg(
        compound=("compound", "first"),
        start_lap=("lap_number", "min"),
        end_lap=("lap_number", "max"),
        first_life=("tyre_life_laps", "first"),
    ).reset_index()
    stints["laps"] = stints["end_lap"] - stints["start_lap"] + 1
    stints["tyre_age_at_start"] = (stints["first_life"] - 1).clip(lower=0)
    stints["stint"] = stints["stint"].astype(int)
    return stints.drop(columns="first_life")


def build_pit_stops(archive: Path, laps: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Ergast stops with the pit-lane loss measured on FastF1 laps: (in-lap + out-lap) minus the same two laps
    of the cars that stayed out (field median), so the loss under SC/VSC is measured against the neutralised
    field; the track state is the worst seen on those two laps."""
    ps = _csv(archive, "pit_stops.csv")[["raceId", "driverId", "stop", "lap", "milliseconds"]]
    ids = results[["race_id", "driver_id", "circuit_id"]].drop_duplicates()
    drivers = _csv(archive, "drivers.csv")[["driverId", "driverRef"]]
    ps = ps.merge(drivers, on="driverId").rename(
        columns={"raceId": "race_id", "driverRef": "driver_id", "milliseconds": "pit_duration_ms"}
    )
    ps = ps.merge(ids, on=["race_id", "driver_id"])

    lt = laps[["race_id", "driver_id", "lap_number", "lap_time_s", "stint", "track_status"]].copy()
    g = lt.groupby(["race_id", "driver_id"])
    next_time = g["lap_time_s"].shift(-1)
    next_lap = g["lap_number"].shift(-1)
    lt["pair_s"] = np.where(next_lap == lt["lap_number"] + 1, lt["lap_time_s"] + next_time, np.nan)
    lt["pair_status"] = lt["track_status"].astype(str) + g["track_status"].shift(-1).astype(str)
    stint_changes = (g["stint"].shift(-1) != lt["stint"]) | (g["stint"].shift(1) != lt["stint"])
    lt["pit_pair"] = stint_changes | (g["stint"].shift(-2) != g["stint"].shift(-1))
    field = lt[~lt["pit_pair"]].groupby(["race_id", "lap_number"])["pair_s"].median().rename("field_pair_s")
    lt = lt.join(field, on=["race_id", "lap_number"])
    lt["pit_lane_loss_s"] = lt["pair_s"] - lt["field_pair_s"]
    status = lt["pair_status"]
    lt["track_status_at_stop"] = np.select(
        [status.str.contains(RED_DIGIT), status.str.contains(SC_DIGIT), status.str.contains("|".join(VSC_DIGITS))],
        ["red", "sc", "vsc"],
        "green",
    )
    merged = ps.merge(
        lt[["race_id", "driver_id", "lap_number", "pit_lane_loss_s", "track_status_at_stop"]],
        left_on=["race_id", "driver_id", "lap"],
        right_on=["race_id", "driver_id", "lap_number"],
        how="left",
    )
    # A stop under a red flag is a free tyre change, not a pit stop with a loss.
    merged = merged[merged["track_status_at_stop"] != "red"]
    return merged[
        ["race_id", "circuit_id", "driver_id", "stop", "lap", "pit_duration_ms", "pit_lane_loss_s",
         "track_status_at_stop"]
    ].reset_index(drop=True)


def build_sc_history(archive: Path, results: pd.DataFrame) -> pd.DataFrame:
    races = results.groupby("race_id").agg(
        season=("season", "first"), race_name=("race_name", "first"), circuit_id=("circuit_id", "first"),
        race_laps=("laps_completed", "max"),
    ).reset_index()
    races["Race"] = races["season"].astype(str) + " " + races["race_name"]
    frames = []
    for name, kind in (("safety_cars.csv", "SC"), ("virtual_safety_cars.csv", "VSC")):
        t = pd.read_csv(archive / "historical" / name)
        frames.append(pd.DataFrame({"Race": t["Race"], "kind": kind, "start_lap": t["Deployed"],
                                    "end_lap": t["Retreated"]}))
    red = pd.read_csv(archive / "historical" / "red_flags.csv")
    frames.append(pd.DataFrame({"Race": red["Race"], "kind": "RED", "start_lap": red["Lap"], "end_lap": red["Lap"]}))
    hist = pd.concat(frames, ignore_index=True).merge(races, on="Race")
    hist["start_lap"] = pd.to_numeric(hist["start_lap"], errors="coerce")
    hist["end_lap"] = pd.to_numeric(hist["end_lap"], errors="coerce").fillna(hist["race_laps"])
    hist = hist.dropna(subset=["start_lap"])
    return hist[["race_id", "circuit_id", "season", "kind", "start_lap", "end_lap", "race_laps"]].reset_index(drop=True)


def load_archive(archive: Path | str) -> ArchiveTables:
    """All fitting tables from an archive folder (raises FileNotFoundError naming a missing table)."""
    archive = Path(archive)
    results = load_results(archive)
    laps = load_laps(archive, results)
    return ArchiveTables(
        laps=laps,
        stints=build_stints(laps),
        pit_stops=build_pit_stops(archive, laps, results),
        sc_history=build_sc_history(archive, results),
        results=results[["race_id", "season", "round", "circuit_id", "driver_id", "constructor_id", "grid",
                         "position_order", "status", "laps_completed"]],
    )


def print_defaults(archive: Path, since_season: int = 2019) -> None:
    """Fit every circuit raced since ``since_season`` and print the values kept in simulation.defaults."""
    tables = load_archive(archive)
    recent_laps = tables.laps[tables.laps["season"] >= since_season]
    fits = fit_race_models(recent_laps)
    passes = observed_passes_per_race(recent_laps)
    start_noise = fit_start_noise(recent_laps, tables.results)
    print(f"# field_pace_step_s={field_pace_step_s(fits):.3f} start_noise_s={start_noise:.2f}")
    # Race distance: the circuit's latest race (a circuit can host other layouts, e.g. Sakhir 2020).
    latest_race = tables.results.sort_values(["season", "round"]).groupby("circuit_id")["race_id"].last()
    laps_of_race = tables.results.groupby("race_id")["laps_completed"].max().to_dict()
    race_laps = {circuit: int(laps_of_race[race]) for circuit, race in latest_race.items()}
    for circuit_id in sorted({f.circuit_id for f in fits}, key=str):
        c = fit_circuit_params(
            circuit_id, fits, tables.stints, tables.pit_stops, tables.sc_history, tables.results,
            passes_per_race=passes, start_noise_s=start_noise, race_laps=race_laps[circuit_id],
        )
        ev = c.events
        tyres = {
            comp.value: (round(p.pace_offset_s, 2), round(p.deg_s_per_lap, 3), p.max_stint_laps, p.cliff_lap)
            for comp, p in c.compounds.items()
            if comp in DRY_COMPOUNDS
        }
        print(
            f'    "{circuit_id}": _circuit({c.race_laps}, {c.base_lap_time_s:.1f}, '
            f"({c.pit_loss_green_s:.1f}, {c.pit_loss_vsc_s:.1f}, {c.pit_loss_sc_s:.1f}), "
            f"{c.overtake_threshold_s:.2f}, {c.lap_noise_s:.2f}, "
            f"({ev.sc_per_race:.2f}, {ev.sc_mean_laps:.1f}, {ev.vsc_per_race:.2f}, {ev.red_flag_prob:.3f}), {tyres}),"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, default=Path("../shared/data"))
    parser.add_argument("--print-defaults", action="store_true", help="print the fitted circuit defaults table")
    args = parser.parse_args()
    if args.print_defaults:
        print_defaults(args.archive)
    else:
        tables = load_archive(args.archive)
        for name in ("laps", "stints", "pit_stops", "sc_history", "results"):
            print(f"{name}: {len(getattr(tables, name))} rows")


if __name__ == "__main__":
    main()
