-- One row per car per race lap L: the race's pace so far as it was known when lap L-1 began, i.e. from lap times up
-- to lap L-2 only (the lap-time model may not read lap L's or lap L-1's time). Driver references are means of the
-- driver's clean fuel-corrected laps (whole race / current stint / laps L-4..L-2 of the stint, the latest clean lap
-- of the stint); field references are the median clean lap of the field on lap L-2 and its mean over laps L-6..L-2
-- (track evolution); traffic is the running position and the gap to the car ahead at the end of lap L-2.
with laps as (
    select
        race_id,
        driver_id,
        lap_number,
        stint,
        tyre_life_laps,
        position,
        is_clean_lap,
        fuel_corrected_lap_time_s,
        lap_end_session_time_s
            - lag(lap_end_session_time_s) over (partition by race_id, lap_number order by position)
            as gap_to_car_ahead_s
    from {{ ref('fct_laps') }}
),

field_by_lap as (
    select race_id, lap_number, median(fuel_corrected_lap_time_s) as field_lap_s
    from laps
    where is_clean_lap
    group by race_id, lap_number
),

field as (
    -- on every lap of the race, so that a lap without clean laps (SC) leaves a gap instead of shifting the window
    select
        race_laps.race_id,
        race_laps.lap_number,
        avg(field_by_lap.field_lap_s) over before_last_laps as field_recent_pace_s,
        max(field_by_lap.field_lap_s) over lap_before_last as field_lap_before_last_s
    from (select distinct race_id, lap_number from laps) as race_laps
    left join field_by_lap using (race_id, lap_number)
    window
        before_last_laps as (partition by race_laps.race_id order by race_laps.lap_number
                             range between 6 preceding and 2 preceding),
        lap_before_last as (partition by race_laps.race_id order by race_laps.lap_number
                            range between 2 preceding and 2 preceding)
)

select
    laps.race_id,
    laps.driver_id,
    laps.lap_number,
    field.field_recent_pace_s,
    field.field_lap_before_last_s,
    avg(laps.fuel_corrected_lap_time_s) filter (where laps.is_clean_lap) over race_so_far as driver_race_pace_s,
    count(laps.fuel_corrected_lap_time_s) filter (where laps.is_clean_lap) over race_so_far as driver_race_clean_laps,
    avg(laps.fuel_corrected_lap_time_s) filter (where laps.is_clean_lap) over stint_so_far as driver_stint_pace_s,
    count(laps.fuel_corrected_lap_time_s) filter (where laps.is_clean_lap) over stint_so_far
        as driver_stint_clean_laps,
    avg(laps.fuel_corrected_lap_time_s) filter (where laps.is_clean_lap) over stint_recent as driver_recent_pace_s,
    arg_max(laps.fuel_corrected_lap_time_s, laps.lap_number) filter (where laps.is_clean_lap) over stint_so_far
        as driver_last_clean_lap_s,
    max(laps.lap_number) filter (where laps.is_clean_lap) over stint_so_far as driver_last_clean_lap_number,
    arg_max(laps.tyre_life_laps, laps.lap_number) filter (where laps.is_clean_lap) over stint_so_far
        as driver_last_clean_tyre_life_laps,
    regr_slope(laps.fuel_corrected_lap_time_s, laps.tyre_life_laps) filter (where laps.is_clean_lap)
        over stint_so_far as driver_stint_deg_s_per_lap,
    max(laps.position) over lap_before_last as position_before_last,
    max(laps.gap_to_car_ahead_s) over lap_before_last as gap_to_car_ahead_before_last_s
from laps
left join field using (race_id, lap_number)
window
    race_so_far as (partition by laps.race_id, laps.driver_id order by laps.lap_number
                    range between unbounded preceding and 2 preceding),
    stint_so_far as (partition by laps.race_id, laps.driver_id, laps.stint order by laps.lap_number
                     range between unbounded preceding and 2 preceding),
    stint_recent as (partition by laps.race_id, laps.driver_id, laps.stint order by laps.lap_number
                     range between 4 preceding and 2 preceding),
    lap_before_last as (partition by laps.race_id, laps.driver_id order by laps.lap_number
                        range between 2 preceding and 2 preceding)
