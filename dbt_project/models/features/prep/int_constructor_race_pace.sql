-- Race pace per constructor per race (a post-race fact): the median fuel-corrected clean lap of its cars, and the
-- deficit to the fastest constructor of that race. Constructors with fewer than 10 clean laps are left out.
with pace as (
    select
        race_id,
        constructor_id,
        count(*) as clean_laps,
        median(y_fuel_corrected_lap_time_s) as median_fuel_corrected_lap_time_s
    from {{ ref('int_clean_laps') }}
    group by race_id, constructor_id
    having count(*) >= 10
)

select
    race_id,
    constructor_id,
    clean_laps,
    median_fuel_corrected_lap_time_s,
    median_fuel_corrected_lap_time_s - min(median_fuel_corrected_lap_time_s) over (partition by race_id)
        as pace_deficit_s,
    100.0 * (median_fuel_corrected_lap_time_s / min(median_fuel_corrected_lap_time_s) over (partition by race_id)
        - 1.0) as pace_deficit_pct
from pace
