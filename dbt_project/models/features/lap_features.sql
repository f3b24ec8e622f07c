-- One row per car per race lap for a lap-time model. Features describe the lap's circumstances (tyre, fuel, stint,
-- track state, weather at the start of the lap) and the pre-race picture (qualifying, form, pace, circuit): nothing
-- derived from the lap's own time or any earlier lap's time (no lagged lap times, sector times, gaps or positions;
-- the race's pace up to lap L-2 is in lap_pace_features). label_* columns are the targets.
-- Known approximation: race_laps (hence laps_remaining, race_progress and the fuel estimate) is the distance the
-- winner completed, which equals the scheduled distance except in races cut short by a red flag.
with laps as (
    select * from {{ ref('fct_laps') }}
),

race_weather as (
    select race_id, sample_session_time_s, air_temp_c, track_temp_c, humidity_pct, is_raining
    from {{ ref('fct_session_weather') }}
    where session_code = 'R'
),

pre_race as (
    select
        race_id,
        driver_id,
        qualifying_position,
        quali_gap_to_pole_pct,
        form_avg_finish_position,
        constructor_avg_pace_deficit_pct,
        circuit_overtaking_difficulty_index
    from {{ ref('race_entry_features') }}
),

pole as (
    select race_id, min(best_time_s) as pole_time_s
    from {{ ref('fct_qualifying') }}
    group by race_id
)

select
    laps.race_id,
    laps.season,
    laps.round,
    laps.circuit_id,
    laps.driver_id,
    laps.constructor_id,
    laps.lap_number,
    laps.race_laps,
    laps.race_laps - laps.lap_number as laps_remaining,
    laps.lap_number::double / nullif(laps.race_laps, 0) as race_progress,
    laps.fuel_load_kg_est,
    laps.fuel_load_kg_est * {{ var('fuel_s_per_kg') }} as fuel_time_s_est,
    laps.stint,
    laps.compound,
    laps.tyre_life_laps,
    laps.is_fresh_tyre,
    laps.is_first_lap,
    laps.is_in_lap,
    laps.is_out_lap,
    laps.track_state,
    weather.air_temp_c,
    weather.track_temp_c,
    weather.humidity_pct,
    weather.is_raining,
    pre_race.qualifying_position,
    pre_race.quali_gap_to_pole_pct,
    pre_race.form_avg_finish_position,
    pre_race.constructor_avg_pace_deficit_pct,
    pre_race.circuit_overtaking_difficulty_index,
    pole.pole_time_s,
    degradation.slope_s_per_lap as circuit_deg_s_per_lap,
    laps.lap_time_s as label_lap_time_s,
    laps.fuel_corrected_lap_time_s as label_fuel_corrected_lap_time_s,
    laps.is_clean_lap as label_is_clean_lap
from laps
left join pre_race using (race_id, driver_id)
left join pole using (race_id)
left join {{ ref('tyre_degradation') }} as degradation
    on degradation.circuit_id = laps.circuit_id and degradation.season = laps.season
    and degradation.compound = laps.compound
-- the latest weather sample taken before the lap started
asof left join race_weather as weather
    on weather.race_id = laps.race_id and laps.lap_start_session_time_s >= weather.sample_session_time_s
