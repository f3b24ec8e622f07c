-- Tyre degradation per circuit x compound x season, as known before that season's race(s) at the circuit: a fit on
-- the clean laps of the circuit's races in the degradation_window_seasons previous seasons.
--   slope_s_per_lap: within-stint slope of fuel-corrected lap time on tyre life (car/driver/year offsets removed);
--   intercept_s: pooled fuel-corrected pace on a new tyre implied by it (field average of those seasons).
-- Rows exist for every circuit on every season's calendar (future rounds included) with any prior clean laps.
with targets as (
    select circuit_id, season, min(race_start_at) as first_race_start_at
    from {{ ref('int_races') }}
    group by circuit_id, season
),

laps as (
    select laps.*, races.race_start_at
    from {{ ref('int_clean_laps') }} as laps
    inner join {{ ref('int_races') }} as races using (race_id)
)

select
    targets.circuit_id,
    targets.season,
    laps.compound,
    -- no fit from a handful of laps: both stay null below min_clean_laps_for_fit laps
    case when count(*) >= {{ var('min_clean_laps_for_fit') }} then
        {{ within_stint_intercept('laps.x_tyre_life_laps', 'laps.y_fuel_corrected_lap_time_s', 'laps.x_dm', 'laps.y_dm') }}
    end as intercept_s,
    case when count(*) >= {{ var('min_clean_laps_for_fit') }} then
        {{ within_stint_slope('laps.x_dm', 'laps.y_dm') }}
    end as slope_s_per_lap,
    count(*) as n_laps,
    count(distinct (laps.race_id, laps.driver_id, laps.stint)) as n_stints,
    count(distinct laps.race_id) as n_races,
    min(laps.season) as first_season_used,
    max(laps.season) as last_season_used,
    targets.first_race_start_at,
    max(laps.race_start_at) as last_input_race_start_at
from targets
inner join laps
    on laps.circuit_id = targets.circuit_id
    and laps.season between targets.season - {{ var('degradation_window_seasons') }} and targets.season - 1
group by targets.circuit_id, targets.season, laps.compound, targets.first_race_start_at
