-- SC / VSC / red-flag periods of races read from FastF1 track status, in race laps:
-- start_lap = the leader's lap in progress when it was called (lap 1 if called before the start),
-- end_lap = the leader's lap in progress when the track went green again (for an SC: the 'in this lap' lap, the last
-- lap run behind it), i.e. the same convention as int_neutralisations__history.
with status as (
    select
        race_id,
        start_session_time_s,
        end_session_time_s,
        case neutralisation_state when 'sc' then 'SC' when 'vsc' then 'VSC' when 'red' then 'RED' end as kind
    from {{ ref('int_track_status_intervals') }}
    where session_code = 'R' and race_id is not null
),

runs as (
    -- consecutive status changes of the same kind (e.g. VSC deployed -> VSC ending) form one period
    select
        *,
        sum(new_run::integer) over (partition by race_id order by start_session_time_s) as run_id
    from (
        select
            *,
            kind is distinct from lag(kind) over (partition by race_id order by start_session_time_s) as new_run
        from status
    )
),

periods as (
    select
        race_id,
        kind,
        min(start_session_time_s) as start_session_time_s,
        -- a status still active at the end of the data lasts to the flag
        max(coalesce(end_session_time_s, 'infinity'::double)) as end_session_time_s
    from runs
    where kind is not null
    group by race_id, kind, run_id
),

race_window as (
    select
        race_id,
        min(lap_start_session_time_s) filter (where lap_number = 1) as race_start_session_time_s,
        max(lap_end_session_time_s) as race_end_session_time_s
    from {{ ref('int_race_lap_clock') }}
    group by race_id
),

clipped as (
    select
        periods.race_id,
        periods.kind,
        greatest(periods.start_session_time_s, race_window.race_start_session_time_s) as start_session_time_s,
        least(periods.end_session_time_s, race_window.race_end_session_time_s) as end_session_time_s
    from periods
    inner join race_window using (race_id)
    -- neutralisations that ended before the start (formation lap) or began after the flag are not race periods
    where periods.end_session_time_s > race_window.race_start_session_time_s
      and periods.start_session_time_s < race_window.race_end_session_time_s
),

with_start_lap as (
    select clipped.*, clock.lap_number as start_lap
    from clipped
    asof left join {{ ref('int_race_lap_clock') }} as clock
        on clock.race_id = clipped.race_id and clipped.start_session_time_s >= clock.lap_start_session_time_s
)

select
    with_start_lap.race_id,
    with_start_lap.kind,
    with_start_lap.start_session_time_s,
    with_start_lap.end_session_time_s,
    coalesce(with_start_lap.start_lap, 1) as start_lap,
    greatest(coalesce(clock.lap_number, 1), coalesce(with_start_lap.start_lap, 1)) as end_lap
from with_start_lap
asof left join {{ ref('int_race_lap_clock') }} as clock
    on clock.race_id = with_start_lap.race_id
    -- strictly after: a period ending exactly at a lap's start belongs to the lap before
    and with_start_lap.end_session_time_s > clock.lap_start_session_time_s
