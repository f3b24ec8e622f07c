-- One row per car per race lap (FastF1 race sessions, 2018 on). Lap flags:
--   is_in_lap / is_out_lap: the car entered / left the pit lane on this lap (a lap-1 out-lap = pit-lane start);
--   track_status: FastF1's status digits seen during the lap ('1', '124', ...; what the simulation's fitting reads);
--   track_state: the most severe of them as a word (red > sc > vsc > yellow > green);
--   is_clean_lap: a representative racing lap for pace and degradation fits: timed, not lap 1, not an in/out lap,
--     green throughout, not deleted, not a FastF1-generated row, compound known, and within clean_lap_max_ratio of
--     the race's median such lap (dry and wet tyres judged separately);
--   fuel_corrected_lap_time_s: lap time with the estimated fuel mass removed (linear burn, var fuel_*).
with laps as (
    select laps.*, drivers.driver_id, drivers.constructor_id
    from {{ ref('stg_fastf1__session_laps') }} as laps
    left join {{ ref('int_fastf1_drivers') }} as drivers
        on drivers.race_id = laps.race_id
        and drivers.session_code = laps.session_code
        and drivers.driver_number = laps.driver_number
    where laps.session_code = 'R' and laps.race_id is not null
),

flagged as (
    select
        laps.*,
        races.circuit_id,
        races.race_laps,
        laps.pit_in_session_time_s is not null as is_in_lap,
        laps.pit_out_session_time_s is not null as is_out_lap,
        laps.lap_number = 1 as is_first_lap,
        {{ track_state('laps.track_status') }} as track_state,
        coalesce(laps.compound in ('INTERMEDIATE', 'WET'), false) as is_wet_compound,
        {{ fuel_load_kg('laps.lap_number', 'races.race_laps') }} as fuel_load_kg_est
    from laps
    inner join {{ ref('int_races') }} as races using (race_id)
),

candidates as (
    select
        *,
        lap_time_s is not null
        and not is_first_lap and not is_in_lap and not is_out_lap
        and track_state = 'green'
        and not coalesce(is_deleted, false)
        and not coalesce(is_fastf1_generated, false)
        and compound is not null as is_candidate_clean
    from flagged
),

race_medians as (
    select race_id, is_wet_compound, median(lap_time_s) as median_green_lap_time_s
    from candidates
    where is_candidate_clean
    group by race_id, is_wet_compound
)

select
    candidates.race_id,
    candidates.season,
    candidates.round,
    candidates.circuit_id,
    candidates.driver_id,
    candidates.constructor_id,
    candidates.driver_code,
    candidates.driver_number,
    candidates.lap_number,
    candidates.lap_time_s,
    candidates.sector1_time_s,
    candidates.sector2_time_s,
    candidates.sector3_time_s,
    candidates.lap_start_session_time_s,
    candidates.lap_end_session_time_s,
    candidates.pit_in_session_time_s,
    candidates.pit_out_session_time_s,
    candidates.stint,
    candidates.compound,
    candidates.compound_original,
    candidates.tyre_life_laps,
    candidates.is_fresh_tyre,
    candidates.position,
    candidates.track_status,
    candidates.track_state,
    candidates.is_in_lap,
    candidates.is_out_lap,
    candidates.is_first_lap,
    coalesce(contains(candidates.track_status, '4'), false) as is_under_sc,
    coalesce(contains(candidates.track_status, '6') or contains(candidates.track_status, '7'), false)
        as is_under_vsc,
    coalesce(contains(candidates.track_status, '2'), false) as is_under_yellow,
    coalesce(contains(candidates.track_status, '5'), false) as is_under_red,
    coalesce(candidates.is_deleted, false) as is_deleted,
    coalesce(
        candidates.is_candidate_clean
        and candidates.lap_time_s <= {{ var('clean_lap_max_ratio') }} * medians.median_green_lap_time_s,
        false
    ) as is_clean_lap,
    candidates.race_laps,
    candidates.fuel_load_kg_est,
    candidates.lap_time_s - {{ var('fuel_s_per_kg') }} * candidates.fuel_load_kg_est as fuel_corrected_lap_time_s,
    candidates.speed_trap_st_kph,
    candidates.speed_finish_line_kph
from candidates
left join race_medians as medians
    on medians.race_id = candidates.race_id and medians.is_wet_compound = candidates.is_wet_compound
