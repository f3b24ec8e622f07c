-- One row per Ergast pit stop (2011 on), enriched from FastF1 laps where the race has them.
--   pit_lane_loss_s: time lost against staying out, measured over the in-lap + out-lap: the stopping car's two laps
--     minus the median of the same two laps of its neighbours (cars within 3 places at the end of the lap before the
--     in-lap that did not pit on either lap). Neighbours share the car's traffic and, under SC/VSC, its place in the
--     queue, which is what makes a neutralised stop cheap (typical medians: green ~22 s, VSC ~15 s, SC ~12 s). Falls
--     back to the whole field's median when no neighbour qualifies (pit_loss_reference says which). Null under red
--     flags and where laps are missing.
--   track_status_at_stop: 'green' | 'vsc' | 'sc' | 'red' (red = tyres changed while the race was suspended) at the
--     moment the car entered the pit lane (FastF1 track status); for races without FastF1 data, from the SC/VSC
--     history laps (a stop longer than 2 minutes next to a red-flag lap counts as red).
with stops as (
    select stops.*, races.season, races.round, races.circuit_id
    from {{ ref('stg_ergast__pit_stops') }} as stops
    inner join {{ ref('stg_ergast__races') }} as races using (race_id)
),

laps as (
    select race_id, driver_id, constructor_id, lap_number, lap_time_s, position, pit_in_session_time_s, compound,
           tyre_life_laps, is_in_lap, is_out_lap
    from {{ ref('fct_laps') }}
),

two_lap_windows as (
    -- every car's laps L and L+1 together, with its position at the end of lap L-1
    select
        lap.race_id,
        lap.driver_id,
        lap.lap_number,
        before.position as position_before,
        lap.lap_time_s + next_lap.lap_time_s as two_lap_time_s,
        (lap.is_in_lap or lap.is_out_lap or next_lap.is_in_lap or next_lap.is_out_lap) as pitted
    from laps as lap
    inner join laps as next_lap
        on next_lap.race_id = lap.race_id and next_lap.driver_id = lap.driver_id
        and next_lap.lap_number = lap.lap_number + 1
    left join laps as before
        on before.race_id = lap.race_id and before.driver_id = lap.driver_id
        and before.lap_number = lap.lap_number - 1
),

stop_windows as (
    select stops.race_id, stops.driver_id, stops.stop, stops.lap, windows.two_lap_time_s, windows.position_before
    from stops
    inner join two_lap_windows as windows
        on windows.race_id = stops.race_id and windows.driver_id = stops.driver_id
        and windows.lap_number = stops.lap
),

pit_loss as (
    select
        stop_windows.race_id,
        stop_windows.driver_id,
        stop_windows.stop,
        stop_windows.two_lap_time_s,
        median(others.two_lap_time_s) filter (
            where abs(others.position_before - stop_windows.position_before) <= 3
        ) as neighbours_two_lap_time_s,
        median(others.two_lap_time_s) as field_two_lap_time_s
    from stop_windows
    inner join two_lap_windows as others
        on others.race_id = stop_windows.race_id and others.lap_number = stop_windows.lap
        and not others.pitted and others.two_lap_time_s is not null
    group by stop_windows.race_id, stop_windows.driver_id, stop_windows.stop, stop_windows.two_lap_time_s
),

timing_state as (
    select
        in_lap.race_id,
        in_lap.driver_id,
        in_lap.lap_number,
        status.neutralisation_state
    from laps as in_lap
    asof left join (
        select * from {{ ref('int_track_status_intervals') }} where session_code = 'R' and race_id is not null
    ) as status
        on status.race_id = in_lap.race_id and in_lap.pit_in_session_time_s >= status.start_session_time_s
    where in_lap.pit_in_session_time_s is not null
),

history_state as (
    select
        stops.race_id,
        stops.driver_id,
        stops.stop,
        case
            when bool_or(periods.kind = 'RED' and stops.lap between periods.start_lap - 1 and periods.end_lap + 1
                         and stops.pit_duration_ms > 120000) then 'red'
            when bool_or(periods.kind = 'SC' and stops.lap between periods.start_lap and periods.end_lap) then 'sc'
            when bool_or(periods.kind = 'VSC' and stops.lap between periods.start_lap and periods.end_lap) then 'vsc'
            else 'green'
        end as neutralisation_state
    from stops
    left join {{ ref('int_neutralisation_periods') }} as periods using (race_id)
    group by stops.race_id, stops.driver_id, stops.stop
)

select
    stops.race_id,
    stops.season,
    stops.round,
    stops.circuit_id,
    stops.driver_id,
    coalesce(in_lap.constructor_id, results.constructor_id) as constructor_id,
    stops.stop,
    stops.lap,
    stops.stop_local_time,
    stops.pit_duration_ms,
    stops.pit_duration_s,
    in_lap.lap_time_s as in_lap_time_s,
    out_lap.lap_time_s as out_lap_time_s,
    case when coalesce(timing_state.neutralisation_state, history_state.neutralisation_state) <> 'red' then
        pit_loss.two_lap_time_s - coalesce(pit_loss.neighbours_two_lap_time_s, pit_loss.field_two_lap_time_s)
    end as pit_lane_loss_s,
    case
        when pit_loss.neighbours_two_lap_time_s is not null then 'neighbours'
        when pit_loss.field_two_lap_time_s is not null then 'field'
    end as pit_loss_reference,
    coalesce(timing_state.neutralisation_state, history_state.neutralisation_state) as track_status_at_stop,
    case when timing_state.neutralisation_state is not null then 'timing' else 'history' end
        as track_status_source,
    in_lap.compound as compound_before,
    out_lap.compound as compound_after,
    in_lap.tyre_life_laps as tyre_life_at_stop_laps
from stops
left join {{ ref('stg_ergast__results') }} as results
    on results.race_id = stops.race_id and results.driver_id = stops.driver_id
left join laps as in_lap
    on in_lap.race_id = stops.race_id and in_lap.driver_id = stops.driver_id and in_lap.lap_number = stops.lap
left join laps as out_lap
    on out_lap.race_id = stops.race_id and out_lap.driver_id = stops.driver_id and out_lap.lap_number = stops.lap + 1
left join pit_loss
    on pit_loss.race_id = stops.race_id and pit_loss.driver_id = stops.driver_id and pit_loss.stop = stops.stop
left join timing_state
    on timing_state.race_id = stops.race_id and timing_state.driver_id = stops.driver_id
    and timing_state.lap_number = stops.lap
left join history_state
    on history_state.race_id = stops.race_id and history_state.driver_id = stops.driver_id
    and history_state.stop = stops.stop
