-- One row per stint (a run on one set of tyres) of a car in a race, from FastF1 race laps.
-- tyre_age_at_start = laps the set had done before this stint (0 = new set); degradation is the slope of
-- fuel-corrected lap time over tyre life on the stint's clean laps (null with fewer than min_clean_laps_for_fit).
with laps as (
    select * from {{ ref('fct_laps') }}
    where stint is not null
),

stints as (
    select
        race_id,
        driver_id,
        stint,
        any_value(season) as season,
        any_value(round) as round,
        any_value(circuit_id) as circuit_id,
        any_value(constructor_id) as constructor_id,
        -- the set's compound: the most common label (FastF1 occasionally mislabels a lap)
        mode(compound order by lap_number) as compound,
        mode(compound_original order by lap_number) as compound_original,
        min(lap_number) as start_lap,
        max(lap_number) as end_lap,
        count(*) as laps_recorded,
        greatest(arg_min(tyre_life_laps, lap_number) - 1, 0) as tyre_age_at_start,
        arg_min(is_fresh_tyre, lap_number) as is_fresh_tyre_at_start,
        arg_max(is_in_lap, lap_number) as ends_with_pit_stop,
        count(*) filter (where is_clean_lap) as clean_laps,
        avg(lap_time_s) filter (where is_clean_lap) as avg_clean_lap_time_s,
        avg(fuel_corrected_lap_time_s) filter (where is_clean_lap) as avg_fuel_corrected_lap_time_s,
        regr_slope(fuel_corrected_lap_time_s, tyre_life_laps) filter (where is_clean_lap) as deg_slope,
        regr_intercept(fuel_corrected_lap_time_s, tyre_life_laps) filter (where is_clean_lap) as deg_intercept
    from laps
    group by race_id, driver_id, stint
)

select
    race_id,
    season,
    round,
    circuit_id,
    driver_id,
    constructor_id,
    stint,
    compound,
    compound_original,
    start_lap,
    end_lap,
    end_lap - start_lap + 1 as laps,
    laps_recorded,
    tyre_age_at_start,
    is_fresh_tyre_at_start,
    ends_with_pit_stop,
    clean_laps,
    avg_clean_lap_time_s,
    avg_fuel_corrected_lap_time_s,
    case when clean_laps >= {{ var('min_clean_laps_for_fit') }} then deg_slope end as deg_slope_s_per_lap,
    case when clean_laps >= {{ var('min_clean_laps_for_fit') }} then deg_intercept end as deg_intercept_s
from stints
