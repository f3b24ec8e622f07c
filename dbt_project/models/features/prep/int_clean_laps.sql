-- Clean race laps ready for degradation fits: tyre life (x) and fuel-corrected lap time (y), plus both demeaned
-- within their stint (x_dm, y_dm) for the within-stint slope (macro within_stint_slope).
select
    race_id,
    season,
    circuit_id,
    driver_id,
    constructor_id,
    stint,
    compound,
    lap_number,
    tyre_life_laps as x_tyre_life_laps,
    fuel_corrected_lap_time_s as y_fuel_corrected_lap_time_s,
    tyre_life_laps - avg(tyre_life_laps) over stint_window as x_dm,
    fuel_corrected_lap_time_s - avg(fuel_corrected_lap_time_s) over stint_window as y_dm
from {{ ref('fct_laps') }}
where is_clean_lap and stint is not null and tyre_life_laps is not null
window stint_window as (partition by race_id, driver_id, stint)
